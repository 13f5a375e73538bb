package dev.latentr3.train.pipeline;

import dev.latentr3.engine.Device;
import dev.latentr3.model.tokenizer.ByteLevelTokenizerJson;
import dev.latentr3.train.config.ConfigTree;
import dev.latentr3.train.dataset.DatasetLayout;
import dev.latentr3.train.dataset.PromptTemplate;
import dev.latentr3.train.dataset.SyntheticDataset;
import dev.latentr3.train.eval.DecodingStyle;
import dev.latentr3.train.eval.EvaluationOptions;
import dev.latentr3.train.rl.Advantages;
import dev.latentr3.train.rl.LrGrpoConfig;
import dev.latentr3.train.rl.RlTrainer;
import dev.latentr3.train.rl.SigmaLearning;
import dev.latentr3.train.sft.SftConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads the pipeline's settings from YAML sections (configs/*.yaml documents every key). Each reader takes the
 * defaults to fall back to, so the demo's embedded settings and a config file's keys are one set of names.
 */
public final class PipelineConfig {
    private PipelineConfig() {}

    /**
     * Where the rows come from: a {@link DatasetLayout} folder, or one CSV split by target time at
     * {@code trainEnd} / {@code validEnd} after keeping {@code maxUsers} users (0: all) drawn with {@code sampleSeed}.
     */
    public record DataSource(Path dir, Path info, Path csv, double trainEnd, double validEnd, int maxUsers, long sampleSeed) {
        public DatasetSplits load() {
            return dir != null ? DatasetSplits.read(new DatasetLayout(dir))
                    : DatasetSplits.splitOne(info, csv, trainEnd, validEnd, maxUsers, sampleSeed);
        }
    }

    /**
     * {@code data}: either {@code dir} (a folder with info.txt, train.csv, valid.csv, test.csv) or {@code info} and
     * {@code csv} (one file split by target time at {@code train_end} / {@code valid_end}, after keeping
     * {@code max_users} users drawn with {@code sample_seed}).
     */
    public static DataSource data(ConfigTree data) {
        DataSource source = optionalData(data);
        if (source == null) throw data.error("dir", "expected data.dir, or data.info with data.csv");
        return source;
    }

    /** {@link #data}, or null when the section names no data (the demo then generates its synthetic set). */
    public static DataSource optionalData(ConfigTree data) {
        Path dir = data.path("dir", null), info = data.path("info", null), csv = data.path("csv", null);
        double trainEnd = data.doubleValue("train_end", 0.8, 0.01, 0.99);
        double validEnd = data.doubleValue("valid_end", 0.9, 0.01, 0.99);
        int maxUsers = data.intValue("max_users", 0, 0, Integer.MAX_VALUE);
        long sampleSeed = data.longValue("sample_seed", 0, Long.MIN_VALUE, Long.MAX_VALUE);
        if (dir != null && (info != null || csv != null)) throw data.error("dir", "give either dir or info and csv, not both");
        if (dir == null && info == null && csv == null) return null;
        if (dir == null && (info == null || csv == null)) {
            throw data.error(info == null ? "info" : "csv", "expected data.dir, or data.info with data.csv");
        }
        if (validEnd <= trainEnd) throw data.error("valid_end", "must be above train_end (" + trainEnd + "), got " + validEnd);
        return new DataSource(dir, info, csv, trainEnd, validEnd, maxUsers, sampleSeed);
    }

    /** {@code data.category_phrase}: the prompt's {cat} ("musics" for CDs). */
    public static PromptTemplate template(ConfigTree data, String dflt) {
        return new PromptTemplate(data.string("category_phrase", dflt));
    }

    /** {@code synthetic}: the synthetic generator's options. */
    public static SyntheticDataset.Options synthetic(ConfigTree s, SyntheticDataset.Options d) {
        return new SyntheticDataset.Options(s.intValue("items", d.items(), 1, 1 << 20), s.intValue("users", d.users(), 1, 1 << 24),
                s.intValue("rows_per_user", d.rowsPerUser(), 1, 1000), s.intValue("min_history", d.minHistory(), 1, 100),
                s.intValue("max_history", d.maxHistory(), 1, 100), s.intValue("categories", d.categories(), 2, 12),
                s.intValue("volumes", d.volumes(), 2, 100), s.intValue("attributes", d.attributes(), 1, 8),
                s.longValue("seed", d.seed(), Long.MIN_VALUE, Long.MAX_VALUE));
    }

    /** {@code model} shape keys for a model trained from scratch. */
    public static ModelShape shape(ConfigTree m, ModelShape d) {
        return new ModelShape(m.intValue("hidden", d.hidden(), 2, 1 << 16), m.intValue("intermediate", d.intermediate(), 1, 1 << 18),
                m.intValue("layers", d.layers(), 1, 256), m.intValue("heads", d.heads(), 1, 1024),
                m.intValue("kv_heads", d.kvHeads(), 1, 1024), m.intValue("max_positions", d.maxPositions(), 2, 1 << 20),
                m.doubleValue("init_std", d.initStd(), 1e-6, 10), m.doubleValue("latent_gate", d.latentGate(), 0, 100));
    }

    /** {@code model.tokenizer}: a tokenizer.json, or the byte-level one when absent. Returns the JSON text. */
    public static String tokenizerJson(ConfigTree m) {
        Path file = m.path("tokenizer", null);
        if (file == null) return ByteLevelTokenizerJson.json(ByteLevelTokenizerJson.QWEN_SPECIAL_TOKENS);
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(m.fullKey("tokenizer") + ": cannot read " + file, e);
        }
    }

    /** {@code sft}: the SFT recipe. */
    public static SftConfig sft(ConfigTree s, SftConfig d) {
        return new SftConfig(s.intValue("micro_batch", d.microBatch(), 1, 1 << 16), s.intValue("accumulation", d.accumulation(), 1, 1 << 16),
                s.intValue("epochs", d.epochs(), 1, 1000), s.doubleValue("learning_rate", d.peakLr(), 1e-12, 10),
                s.intValue("warmup_steps", d.warmupSteps(), 0, Integer.MAX_VALUE),
                s.oneOf("schedule", d.cosine() ? "cosine" : "linear", "cosine", "linear").equals("cosine"),
                s.doubleValue("weight_decay", d.weightDecay(), 0, 10), s.doubleValue("max_grad_norm", d.maxGradNorm(), 1e-9, 1e9),
                s.intValue("eval_every", d.evalEvery(), 1, Integer.MAX_VALUE), s.intValue("patience", d.patience(), 1, 1000),
                s.intValue("cutoff", d.cutoff(), 2, 1 << 20), s.longValue("seed", d.seed(), Long.MIN_VALUE, Long.MAX_VALUE));
    }

    /** {@code rl}: the LR-GRPO loop and step. */
    public static RlStage.Settings rl(ConfigTree r, RlStage.Settings d) {
        RlTrainer.Settings t = d.trainer();
        LrGrpoConfig g = t.grpo();
        String kind = r.oneOf("advantages", g.advantages() == Advantages.Kind.GROUP_MEAN_STD ? "group" : "batch", "group", "batch");
        var grpo = new LrGrpoConfig(r.intValue("group_size", g.groupSize(), 1, 1024), (float) r.doubleValue("sigma", g.sigma(), 0, 1e6),
                kind.equals("group") ? Advantages.Kind.GROUP_MEAN_STD : Advantages.Kind.BATCH_BASELINE,
                r.intValue("groups_per_batch", g.groupsPerBatch(), 0, 1 << 20)).withSigmaLearning(sigmaLearning(r, g.sigmaLearning()));
        var trainer = new RlTrainer.Settings(r.intValue("steps", t.steps(), 1, Integer.MAX_VALUE),
                r.intValue("groups_per_step", t.groupsPerStep(), 1, 1 << 16), r.doubleValue("learning_rate", t.learningRate(), 1e-12, 10),
                r.longValue("warmup_steps", t.warmupSteps(), 0, Long.MAX_VALUE), r.doubleValue("max_grad_norm", t.maxGradNorm(), 1e-9, 1e9),
                r.doubleValue("weight_decay", t.weightDecay(), 0, 10), r.longValue("seed", t.seed(), Long.MIN_VALUE, Long.MAX_VALUE), grpo)
                .withCheckpoints(t.checkpoint(), r.intValue("checkpoint_every", t.checkpointEvery(), 0, Integer.MAX_VALUE));
        return new RlStage.Settings(trainer, r.intValue("cutoff", d.cutoff(), 2, 1 << 20));
    }

    /**
     * {@code rl.sigma_learning}: {@code fixed} (the released code), {@code learned} (one trained sigma) or
     * {@code learned_per_dim} (one per latent dimension), with optional bounds {@code sigma_min}, {@code sigma_max}.
     */
    private static SigmaLearning sigmaLearning(ConfigTree r, SigmaLearning d) {
        String dflt = !d.learned() ? "fixed" : d.perDimension() ? "learned_per_dim" : "learned";
        String mode = r.oneOf("sigma_learning", dflt, "fixed", "learned", "learned_per_dim");
        double min = r.doubleValue("sigma_min", d.min(), 0, 1e6);
        double max = r.doubleValue("sigma_max", d.max(), 0, Double.POSITIVE_INFINITY);
        if (mode.equals("fixed")) return SigmaLearning.fixed();
        if (max < min) throw r.error("sigma_max", "expected a bound >= sigma_min " + min + ", got " + max);
        return SigmaLearning.learned(mode.equals("learned_per_dim"), (float) min, (float) max);
    }

    /** {@code eval}: beams, batching, decoding style, rows. */
    public static EvalStage.Settings eval(ConfigTree e, EvalStage.Settings d) {
        EvaluationOptions o = d.options();
        String style = e.oneOf("style", o.style() == DecodingStyle.D3 ? "d3" : "bigrec", "bigrec", "d3");
        return new EvalStage.Settings(new EvaluationOptions(e.intValue("beams", o.numBeams(), 1, 1024),
                e.intValue("batch_size", o.batchSize(), 1, 1 << 16), style.equals("d3") ? DecodingStyle.D3 : DecodingStyle.BIGREC),
                e.intValue("cutoff", d.cutoff(), 0, 1 << 20), e.intValue("max_rows", d.maxRows(), 0, Integer.MAX_VALUE),
                e.intValue("latency_rows", d.latencyRows(), 0, Integer.MAX_VALUE));
    }

    /**
     * {@code device}: where the stage's tensors live ({@code cpu}, {@code cuda} or {@code cuda:N}); the same training
     * code runs on either, the device only changes which kernels run. Whether a CUDA device is usable is checked when
     * the stage opens it, with the reason when it is not (no driver, no device, driver too old).
     */
    public static Device device(ConfigTree root) {
        String text = root.string("device", "cpu");
        Device d;
        try {
            d = Device.parse(text);
        } catch (IllegalArgumentException e) {
            throw root.error("device", "expected cpu, cuda or cuda:N, got " + text);
        }
        if (!d.isCpu() && !d.type().equals("cuda")) throw root.error("device", "expected cpu, cuda or cuda:N, got " + text);
        return d;
    }

    /** {@code seeds}: a list of whole numbers. */
    public static List<Long> seeds(ConfigTree root, List<Long> d) {
        List<Integer> ints = root.intList("seeds", d.stream().map(Long::intValue).toList(), 0, Integer.MAX_VALUE);
        if (ints.isEmpty()) throw root.error("seeds", "expected at least one seed");
        return ints.stream().map(Integer::longValue).toList();
    }
}
