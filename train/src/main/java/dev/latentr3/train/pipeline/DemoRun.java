package dev.latentr3.train.pipeline;

import dev.latentr3.model.json.JsonWriter;
import dev.latentr3.train.dataset.AtomicFiles;
import dev.latentr3.train.dataset.DatasetLayout;
import dev.latentr3.train.dataset.PromptTemplate;
import dev.latentr3.train.dataset.SyntheticDataset;
import dev.latentr3.train.sft.SftConfig;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The LatentR3 demo end to end on the synthetic dataset: data, tokenizer, then for each seed three models from the
 * same initial weights: the BIGRec-style baseline (SFT, no thought token), LatentR3 after SFT, and LatentR3 after
 * SFT + LR-GRPO, each evaluated on the test split. Writes the run folder and returns the comparison table.
 *
 * <p>Run folder: {@code data/} (the generated dataset), {@code tokenizer.json}, {@code seed-S/<variant>/} for every
 * seed and variant (its training's {@code metrics.jsonl}, {@code model/}, {@code predictions.jsonl},
 * {@code eval.json}), {@code results.json} (every number by seed and the means) and {@code report.md}.
 */
public final class DemoRun {
    public static final List<String> VARIANTS = List.of("baseline-sft", "latentr3-sft", "latentr3-sft-rl");

    /**
     * @param data     the synthetic dataset's options (its seed is the data seed, shared by every model seed)
     * @param source   a real dataset to use instead of the synthetic one, or null
     * @param phrase   the prompt template's category phrase
     * @param vocabSize the BPE vocabulary trained on the training rows (0: byte-level tokens), see {@link CorpusTokenizer}
     * @param shape    the model shape
     * @param seeds    one run of the three variants per seed (model init, data order, noise)
     * @param sft      SFT settings of both the baseline and LatentR3 (its seed is replaced by the run's)
     * @param rl       RL settings (its seed is replaced by the run's)
     * @param eval     evaluation settings
     */
    public record Settings(SyntheticDataset.Options data, PipelineConfig.DataSource source, String phrase, int vocabSize, ModelShape shape, List<Long> seeds, SftConfig sft,
                           RlStage.Settings rl, EvalStage.Settings eval) {
        public Settings {
            seeds = List.copyOf(seeds);
            if (seeds.isEmpty()) throw new IllegalArgumentException("demo: expected at least one seed");
        }
    }

    /** One variant of one seed. */
    public record Cell(String variant, long seed, EvalStage.Outcome eval, double trainSeconds) {}

    /** Everything the run measured. */
    public record Result(List<Cell> cells, List<RlStage.Outcome> rl, Path runDir) {
        public Spread metric(String variant, java.util.function.ToDoubleFunction<EvalStage.Outcome> f) {
            return Spread.of(cells.stream().filter(c -> c.variant().equals(variant)).mapToDouble(c -> f.applyAsDouble(c.eval())).toArray());
        }
    }

    private DemoRun() {}

    public static Result run(Settings s, Path runDir, PrintStream out) {
        Path dataDir = runDir.resolve("data");
        DatasetSplits data;
        if (s.source() == null) {
            SyntheticDataset.write(s.data(), dataDir);
            data = DatasetSplits.read(new DatasetLayout(dataDir));
        } else {
            data = s.source().load();
            new DatasetLayout(dataDir).write(data.catalog(), data.train(), data.valid(), data.test());
        }
        PromptTemplate template = new PromptTemplate(s.phrase());
        String tokenizerJson = CorpusTokenizer.json(data, template, s.vocabSize());
        AtomicFiles.writeUtf8(runDir.resolve("tokenizer.json"), tokenizerJson);
        String tokenizerName = s.vocabSize() == 0 ? "byte-level tokenizer" : "BPE tokenizer (" + s.vocabSize() + " ids) trained on the train split";
        out.println("Tokenizer: " + tokenizerName);
        out.printf(Locale.ROOT, "Data: %d items, %d / %d / %d train / valid / test rows (%s) in %s%n",
                data.catalog().size(), data.train().size(), data.valid().size(), data.test().size(),
                s.source() == null ? "synthetic, seed " + s.data().seed() : s.source().csv() != null ? s.source().csv() : s.source().dir(), dataDir);

        List<Cell> cells = new ArrayList<>();
        List<RlStage.Outcome> rls = new ArrayList<>();
        for (long seed : s.seeds()) {
            Path seedDir = runDir.resolve("seed-" + seed);
            SftConfig sft = withSeed(s.sft(), seed);
            var rlSettings = new RlStage.Settings(withSeed(s.rl().trainer(), seed), s.rl().cutoff());

            out.printf(Locale.ROOT, "Seed %d: %s%n", seed, VARIANTS.get(0));
            RecModel baseline = ModelInit.baseline(tokenizerJson, tokenizerName, s.shape(), seed);
            long t0 = System.nanoTime();
            SftStage.Outcome b = SftStage.run(baseline, data, template, sft, seedDir.resolve(VARIANTS.get(0)), out);
            cells.add(evaluate(VARIANTS.get(0), seed, b.model(), data, template, s.eval(), seedDir, t0, out));

            out.printf(Locale.ROOT, "Seed %d: %s%n", seed, VARIANTS.get(1));
            RecModel latent = ModelInit.latent(tokenizerJson, tokenizerName, s.shape(), seed);
            t0 = System.nanoTime();
            SftStage.Outcome l = SftStage.run(latent, data, template, sft, seedDir.resolve(VARIANTS.get(1)), out);
            Cell sftCell = evaluate(VARIANTS.get(1), seed, l.model(), data, template, s.eval(), seedDir, t0, out);
            cells.add(sftCell);

            out.printf(Locale.ROOT, "Seed %d: %s%n", seed, VARIANTS.get(2));
            t0 = System.nanoTime();
            RlStage.Outcome r = RlStage.run(l.model(), data.train(), data.valid(), template, rlSettings,
                    seedDir.resolve(VARIANTS.get(2)), out);
            rls.add(r);
            out.printf(Locale.ROOT, "  clean reward (-PPL) on the validation rows: %.4f before RL, %.4f after; latent RMS %.3f, "
                            + "token embedding RMS %.3f, sigma %.3f%n", r.heldOutCleanRewardBefore(), r.heldOutCleanRewardAfter(),
                    r.scaleBefore().latentRms(), r.scaleBefore().embeddingRms(), rlSettings.trainer().grpo().sigma());
            Cell rlCell = evaluate(VARIANTS.get(2), seed, r.model(), data, template, s.eval(), seedDir, t0, out);
            cells.add(new Cell(rlCell.variant(), seed, rlCell.eval(), rlCell.trainSeconds() + sftCell.trainSeconds()));
        }
        Result result = new Result(cells, rls, runDir);
        AtomicFiles.writeUtf8(runDir.resolve("results.json"), JsonWriter.pretty(resultsJson(s, result)) + "\n");
        String table = table(result);
        for (String f : DemoReport.write(s, data, result, tokenizerName)) out.println("warning: report.md: plot not drawn: " + f);
        out.println();
        out.print(table);
        return result;
    }

    private static Cell evaluate(String variant, long seed, RecModel model, DatasetSplits data, PromptTemplate template,
                                 EvalStage.Settings eval, Path seedDir, long trainStart, PrintStream out) {
        double seconds = (System.nanoTime() - trainStart) / 1e9;
        EvalStage.Outcome o = EvalStage.run(model, data.catalog(), data.test(), template, eval, seedDir.resolve(variant));
        var m = o.report().metrics();
        out.printf(Locale.ROOT, "  %s: HR@5 %.4f HR@10 %.4f NDCG@5 %.4f NDCG@10 %.4f, %.1f ms/row%n", variant,
                m.hitRate(5), m.hitRate(10), m.ndcg(5), m.ndcg(10), o.report().latency().meanMillis());
        return new Cell(variant, seed, o, seconds);
    }

    /** The markdown table of means over the seeds with their min–max. */
    public static String table(Result r) {
        StringBuilder sb = new StringBuilder();
        int seeds = (int) r.cells().stream().map(Cell::seed).distinct().count();
        sb.append("| model | HR@5 | HR@10 | NDCG@5 | NDCG@10 | ms/user | ms/user without thought |\n");
        sb.append("|---|---|---|---|---|---|---|\n");
        for (String v : VARIANTS) {
            String plain = r.cells().stream().filter(c -> c.variant().equals(v)).allMatch(c -> c.eval().withoutThought() != null)
                    ? r.metric(v, o -> o.withoutThought().meanMillis()).format("%.1f") : "–";
            sb.append("| ").append(v)
                    .append(" | ").append(r.metric(v, o -> o.report().metrics().hitRate(5)).format("%.4f"))
                    .append(" | ").append(r.metric(v, o -> o.report().metrics().hitRate(10)).format("%.4f"))
                    .append(" | ").append(r.metric(v, o -> o.report().metrics().ndcg(5)).format("%.4f"))
                    .append(" | ").append(r.metric(v, o -> o.report().metrics().ndcg(10)).format("%.4f"))
                    .append(" | ").append(r.metric(v, o -> o.report().latency().meanMillis()).format("%.1f"))
                    .append(" | ").append(plain).append(" |\n");
        }
        sb.append("\nMean over ").append(seeds).append(seeds == 1 ? " seed" : " seeds").append(" (min–max in brackets).\n");
        return sb.toString();
    }

    private static Map<String, Object> resultsJson(Settings s, Result r) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("seeds", s.seeds().stream().map(Object::toString).toList());
        List<Object> cells = new ArrayList<>();
        for (Cell c : r.cells()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("variant", c.variant());
            m.put("seed", Long.toString(c.seed()));
            m.put("train_seconds", c.trainSeconds());
            m.put("eval", c.eval().toJson());
            cells.add(m);
        }
        root.put("runs", cells);
        Map<String, Object> means = new LinkedHashMap<>();
        for (String v : VARIANTS) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int k : List.of(1, 3, 5, 10, 20)) {
                m.put("HR@" + k, r.metric(v, o -> o.report().metrics().hitRate(k)).mean());
                m.put("NDCG@" + k, r.metric(v, o -> o.report().metrics().ndcg(k)).mean());
            }
            m.put("ms_per_user", r.metric(v, o -> o.report().latency().meanMillis()).mean());
            means.put(v, m);
        }
        root.put("means", means);
        List<Object> rl = new ArrayList<>();
        for (int i = 0; i < r.rl().size(); i++) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("seed", s.seeds().get(i).toString());
            m.put("clean_reward_before", r.rl().get(i).heldOutCleanRewardBefore());
            m.put("clean_reward_after", r.rl().get(i).heldOutCleanRewardAfter());
            rl.add(m);
        }
        root.put("rl_clean_reward_on_valid", rl);
        return root;
    }

    static SftConfig withSeed(SftConfig c, long seed) {
        return new SftConfig(c.microBatch(), c.accumulation(), c.epochs(), c.peakLr(), c.warmupSteps(), c.cosine(),
                c.weightDecay(), c.maxGradNorm(), c.evalEvery(), c.patience(), c.cutoff(), seed);
    }

    static dev.latentr3.train.rl.RlTrainer.Settings withSeed(dev.latentr3.train.rl.RlTrainer.Settings t, long seed) {
        return new dev.latentr3.train.rl.RlTrainer.Settings(t.steps(), t.groupsPerStep(), t.learningRate(), t.warmupSteps(),
                t.maxGradNorm(), t.weightDecay(), seed, t.grpo());
    }
}
