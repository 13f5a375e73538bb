package dev.latentr3.train.pipeline;

import dev.latentr3.train.config.ConfigTree;
import dev.latentr3.train.dataset.SyntheticDataset;
import dev.latentr3.train.eval.DecodingStyle;
import dev.latentr3.train.eval.EvaluationOptions;
import dev.latentr3.train.rl.Advantages;
import dev.latentr3.train.rl.LrGrpoConfig;
import dev.latentr3.train.rl.RlTrainer;
import dev.latentr3.train.sft.SftConfig;

import java.util.List;

/**
 * The demo's embedded settings (configs/demo.yaml spells out the same values), sized to finish within minutes on
 * 2 CPU cores: a BPE tokenizer trained on the data, histories of 3 to 6 items, a 2-layer model of hidden size 64.
 */
public final class DemoDefaults {
    private DemoDefaults() {}

    /** Tokens kept per sequence (the reference's 512): with the BPE tokenizer every demo sequence fits whole. */
    public static final int CUTOFF = 512;
    /** BPE ids trained on the training rows: titles' words become single tokens. */
    public static final int VOCAB_SIZE = 1024;

    public static DemoRun.Settings settings() {
        var data = new SyntheticDataset.Options(128, 300, 5, 3, 6, 4, 4, 2, 1);
        var shape = new ModelShape(64, 192, 2, 4, 2, 1024, 0.02);
        var sft = new SftConfig(8, 1, 5, 3e-3, 10, true, 0.0, 1.0, 1_000_000, 1, CUTOFF, 0);
        var rl = new RlStage.Settings(new RlTrainer.Settings(30, 4, 1e-4, 5, 1.0, 0.0, 0,
                new LrGrpoConfig(8, 0.5f, Advantages.Kind.GROUP_MEAN_STD, 0)), CUTOFF);
        var eval = new EvalStage.Settings(new EvaluationOptions(10, 16, DecodingStyle.BIGREC), CUTOFF, 100, 32);
        return new DemoRun.Settings(data, null, "musics", VOCAB_SIZE, shape, List.of(1L, 2L, 3L), sft, rl, eval);
    }

    /** The settings with every key of {@code root} that configs/demo.yaml documents applied over the defaults. */
    public static DemoRun.Settings read(ConfigTree root) {
        DemoRun.Settings d = settings();
        return new DemoRun.Settings(PipelineConfig.synthetic(root.section("synthetic"), d.data()),
                PipelineConfig.optionalData(root.section("data")), root.section("data").string("category_phrase", d.phrase()),
                root.section("tokenizer").intValue("vocab_size", d.vocabSize(), 0, 1 << 20), PipelineConfig.shape(root.section("model"), d.shape()),
                PipelineConfig.seeds(root, d.seeds()), PipelineConfig.sft(root.section("sft"), d.sft()),
                PipelineConfig.rl(root.section("rl"), d.rl()), PipelineConfig.eval(root.section("eval"), d.eval()));
    }
}
