package dev.latentr3.train.cli;

import dev.latentr3.engine.DefaultDevice;
import dev.latentr3.engine.Device;
import dev.latentr3.train.config.ConfigTree;
import dev.latentr3.train.dataset.PromptTemplate;
import dev.latentr3.train.eval.DecodingStyle;
import dev.latentr3.train.eval.EvaluationOptions;
import dev.latentr3.train.pipeline.DatasetSplits;
import dev.latentr3.train.pipeline.EvalStage;
import dev.latentr3.train.pipeline.PipelineConfig;
import dev.latentr3.train.pipeline.RecModel;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/** {@code latentr3 eval}: constrained beam search on the test split, HR/NDCG and latency, as configs/eval.yaml describes. */
final class EvalCommand {
    private EvalCommand() {}

    static final String USAGE = "eval [--config FILE] [--set key=value]...";

    static int run(String[] argv, InputStream in, PrintStream out, PrintStream err) throws java.io.IOException {
        ConfigTree config = Args.withConfig(argv, Set.of(), Set.of()).config(StageConfigs.defaultFile("eval"));
        var data = PipelineConfig.data(config.section("data"));
        PromptTemplate template = PipelineConfig.template(config.section("data"), "musics");
        Supplier<RecModel> model = StageModels.saved(config.section("model"));
        EvalStage.Settings eval = PipelineConfig.eval(config.section("eval"),
                new EvalStage.Settings(new EvaluationOptions(10, 12, DecodingStyle.BIGREC), 0, 0, 0));
        Path dir = StageConfigs.out(config);
        Device device = PipelineConfig.device(config);
        config.requireAllRead();

        try (var on = DefaultDevice.use(device)) {
            DatasetSplits splits = data.load();
            Files.createDirectories(dir);
            EvalStage.Outcome o = EvalStage.run(model.get(), splits.catalog(), splits.test(), template, eval, dir);
            var m = o.report().metrics();
            out.printf(Locale.ROOT, "%d test rows: HR@1 %.4f HR@3 %.4f HR@5 %.4f HR@10 %.4f HR@20 %.4f%n", m.rows(), m.hitRate(1),
                    m.hitRate(3), m.hitRate(5), m.hitRate(10), m.hitRate(20));
            out.printf(Locale.ROOT, "%14s NDCG@1 %.4f NDCG@3 %.4f NDCG@5 %.4f NDCG@10 %.4f NDCG@20 %.4f%n", "", m.ndcg(1), m.ndcg(3),
                    m.ndcg(5), m.ndcg(10), m.ndcg(20));
            out.printf(Locale.ROOT, "Latency %.1f ms/row (p50 %.1f, p95 %.1f)%s; %s, %s%n", o.report().latency().meanMillis(),
                    o.report().latency().p50Millis(), o.report().latency().p95Millis(),
                    o.withoutThought() == null ? "" : String.format(Locale.ROOT, ", %.1f ms/row without the thought token", o.withoutThought().meanMillis()),
                    dir.resolve(EvalStage.PREDICTIONS), dir.resolve(EvalStage.SUMMARY));
            return 0;
        }
    }
}
