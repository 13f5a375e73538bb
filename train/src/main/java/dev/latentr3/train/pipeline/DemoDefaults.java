package dev.latentr3.train.pipeline;

import dev.latentr3.train.dataset.SyntheticDataset;
import dev.latentr3.train.eval.DecodingStyle;
import dev.latentr3.train.eval.EvaluationOptions;
import dev.latentr3.train.rl.Advantages;
import dev.latentr3.train.rl.LrGrpoConfig;
import dev.latentr3.train.rl.RlTrainer;
import dev.latentr3.train.sft.SftConfig;

import java.util.List;

/**
 * The demo's embedded settings, sized to finish within minutes on 2 CPU cores with byte-level tokens (the reason
 * for the short histories and the cutoff, see {@link #CUTOFF}).
 */
public final class DemoDefaults {
    private DemoDefaults() {}

    /**
     * Sequence budget in tokens (bytes): the longest history (6 titles of about 37 bytes), the user-input header and
     * the target fit; the instruction before them, the same in every row, is what the left truncation removes.
     */
    public static final int CUTOFF = 352;

    public static DemoRun.Settings settings(int users, int sftEpochs, int rlSteps, Advantages.Kind advantages, List<Long> seeds) {
        var data = new SyntheticDataset.Options(128, users, 5, 3, 6, 4, 4, 2, 1);
        var shape = new ModelShape(64, 192, 2, 4, 2, 1024, 0.02);
        var sft = new SftConfig(8, 1, sftEpochs, 3e-3, 10, true, 0.0, 1.0, 1_000_000, 1, CUTOFF, 0);
        var rl = new RlStage.Settings(new RlTrainer.Settings(rlSteps, 4, 3e-3, Math.min(5, rlSteps - 1), 1.0, 0.0, 0,
                new LrGrpoConfig(8, 0.5f, advantages, 0)), CUTOFF);
        var eval = new EvalStage.Settings(new EvaluationOptions(10, 16, DecodingStyle.BIGREC), CUTOFF, 100, 32);
        return new DemoRun.Settings(data, "musics", shape, seeds, sft, rl, eval);
    }
}
