package dev.latentr3.train.cli;

import dev.latentr3.engine.DefaultDevice;
import dev.latentr3.engine.Device;
import dev.latentr3.train.config.ConfigTree;
import dev.latentr3.train.dataset.PromptTemplate;
import dev.latentr3.train.pipeline.DatasetSplits;
import dev.latentr3.train.pipeline.PipelineConfig;
import dev.latentr3.train.pipeline.RecModel;
import dev.latentr3.train.pipeline.RlStage;
import dev.latentr3.train.rl.RlTrainer;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/** {@code latentr3 rl}: stage 2, LR-GRPO on LatentRATT from a LatentR3 SFT folder, as configs/rl.yaml describes. */
final class RlCommand {
    private RlCommand() {}

    static final String USAGE = "rl [--config FILE] [--set key=value]... [--resume]";

    static int run(String[] argv, InputStream in, PrintStream out, PrintStream err) {
        Args args = Args.withConfig(argv, Set.of(), Set.of("--resume"));
        boolean resume = args.has("--resume");
        ConfigTree config = args.config(StageConfigs.defaultFile("rl"));
        var data = PipelineConfig.data(config.section("data"));
        PromptTemplate template = PipelineConfig.template(config.section("data"), "musics");
        Supplier<RecModel> model = StageModels.saved(config.section("model"));
        RlStage.Settings rl = PipelineConfig.rl(config.section("rl"), new RlStage.Settings(RlTrainer.Settings.reference(100), 512));
        Path dir = StageConfigs.out(config);
        Device device = PipelineConfig.device(config);
        config.requireAllRead();

        try (var on = DefaultDevice.use(device)) {
            DatasetSplits splits = data.load();
            RlStage.Outcome o = RlStage.run(model.get(), splits.train(), splits.valid(), template, rl, dir, out, resume);
            out.printf(Locale.ROOT, "Clean reward (-PPL of the target, noise-free latent) on %d validation rows: %.4f before, %.4f after; "
                            + "latent RMS %.3f, token embedding RMS %.3f, sigma %.3f; model in %s%n", splits.valid().size(),
                    o.heldOutCleanRewardBefore(), o.heldOutCleanRewardAfter(), o.scaleBefore().latentRms(), o.scaleBefore().embeddingRms(),
                    rl.trainer().grpo().sigma(), o.modelDir());
            return 0;
        }
    }
}
