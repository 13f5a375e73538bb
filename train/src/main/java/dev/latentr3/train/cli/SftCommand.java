package dev.latentr3.train.cli;

import dev.latentr3.engine.DefaultDevice;
import dev.latentr3.engine.Device;
import dev.latentr3.train.config.ConfigTree;
import dev.latentr3.train.dataset.PromptTemplate;
import dev.latentr3.train.pipeline.DatasetSplits;
import dev.latentr3.train.pipeline.PipelineConfig;
import dev.latentr3.train.pipeline.RecModel;
import dev.latentr3.train.pipeline.SftStage;
import dev.latentr3.train.sft.SftConfig;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/** {@code latentr3 sft}: stage 1, the warm-up SFT of LatentR3 or of the baseline, as configs/sft.yaml describes. */
final class SftCommand {
    private SftCommand() {}

    static final String USAGE = "sft [--config FILE] [--set key=value]... [--resume]";

    static int run(String[] argv, InputStream in, PrintStream out, PrintStream err) {
        Args args = Args.withConfig(argv, Set.of(), Set.of("--resume"));
        boolean resume = args.has("--resume");
        ConfigTree config = args.config(StageConfigs.defaultFile("sft"));
        var data = PipelineConfig.data(config.section("data"));
        PromptTemplate template = PipelineConfig.template(config.section("data"), "musics");
        Supplier<RecModel> model = StageModels.forSft(config.section("model"));
        SftConfig sft = PipelineConfig.sft(config.section("sft"), SftConfig.reference());
        Path dir = StageConfigs.out(config);
        Device device = PipelineConfig.device(config);
        config.requireAllRead();

        try (var on = DefaultDevice.use(device)) {
            DatasetSplits splits = data.load();
            RecModel m = model.get();
            out.printf(Locale.ROOT, "SFT of %s: %d train / %d valid rows, %,d parameters%n", m.isLatent() ? "LatentR3" : "the baseline",
                    splits.train().size(), splits.valid().size(), m.llm().parameterCount());
            SftStage.Outcome o = SftStage.run(m, splits, template, sft, dir, out, resume);
            out.printf(Locale.ROOT, "Validation loss %.4f before, best %.4f at step %d of %d%s; model in %s%n", o.initialValidationLoss(),
                    o.result().bestLoss(), o.result().bestStep(), o.result().lastStep(), o.result().stoppedEarly() ? " (stopped early)" : "",
                    o.modelDir());
            return 0;
        }
    }
}
