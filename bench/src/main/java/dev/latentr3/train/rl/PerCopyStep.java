package dev.latentr3.train.rl;

import dev.latentr3.engine.Tensor;
import dev.latentr3.model.latent.LatentModel;

import java.util.List;

/**
 * The benchmarks' door to {@link PerCopyReference} (package-private in train's tests, where it is the oracle
 * LrGrpoStepTest checks LrGrpoStep against): the released code's LR-GRPO micro-step as it runs, every copy
 * recomputing r and both LLM passes, on our engine. It lives in this package, in bench, only to reach that class.
 */
public final class PerCopyStep {
    private PerCopyStep() {}

    /** One micro-step over the groups with the given noise [groups, G, d]; accumulates LatentRATT's gradients. */
    public static double run(LatentModel model, LrGrpoConfig config, List<RlExample> groups, Tensor eps) {
        return PerCopyReference.step(model, config, groups, eps).loss();
    }
}
