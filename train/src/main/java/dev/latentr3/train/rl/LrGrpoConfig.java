package dev.latentr3.train.rl;

/**
 * Settings of one LR-GRPO step.
 *
 * @param groupSize      copies per prompt, G (the reference's num_generations, 8); copy 0 is noise-free
 * @param sigma          the std of the Gaussian noise on the latent (the reference hard-codes 1.5)
 * @param advantages     which advantage (the reference's batch baseline by default)
 * @param groupsPerBatch groups per batch-baseline scope; 0 = all groups of the step. 2 reproduces the released
 *                       code's 2-GPU gathered micro-batch (method doc §9.5, §11.4)
 */
public record LrGrpoConfig(int groupSize, float sigma, Advantages.Kind advantages, int groupsPerBatch) {
    public LrGrpoConfig {
        if (groupSize < 1) throw new IllegalArgumentException("LrGrpoConfig: group size must be >= 1, got " + groupSize);
        if (!(sigma >= 0) || Float.isInfinite(sigma)) {
            throw new IllegalArgumentException("LrGrpoConfig: sigma must be finite and >= 0, got " + sigma);
        }
        if (advantages == null) throw new IllegalArgumentException("LrGrpoConfig: advantages kind is null");
        if (groupsPerBatch < 0) throw new IllegalArgumentException("LrGrpoConfig: groupsPerBatch must be >= 0, got " + groupsPerBatch);
    }

    /** The released code's settings: G = 8, sigma = 1.5, batch baseline over all groups of the step. */
    public static LrGrpoConfig reference() {
        return new LrGrpoConfig(8, 1.5f, Advantages.Kind.BATCH_BASELINE, 0);
    }

    public LrGrpoConfig withGroupSize(int g) {
        return new LrGrpoConfig(g, sigma, advantages, groupsPerBatch);
    }

    public LrGrpoConfig withSigma(float s) {
        return new LrGrpoConfig(groupSize, s, advantages, groupsPerBatch);
    }
}
