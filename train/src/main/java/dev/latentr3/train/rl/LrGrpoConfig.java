package dev.latentr3.train.rl;

/**
 * Settings of one LR-GRPO step.
 *
 * @param groupSize      copies per prompt, G (the reference's num_generations, 8); copy 0 is noise-free
 * @param sigma          the std of the Gaussian noise on the latent (the reference hard-codes 1.5); with a learned
 *                       sigma, its initial value
 * @param advantages     which advantage (the reference's batch baseline by default)
 * @param groupsPerBatch groups per batch-baseline scope; 0 = all groups of the step. 2 reproduces the released
 *                       code's 2-GPU gathered micro-batch (method doc §9.5, §11.4)
 * @param latentTokens   N, the number of latent tokens per example (the released code and the paper's main runs: 1);
 *                       each is perturbed by its own noise
 * @param sigmaLearning  fixed sigma (the reference) or a learned one
 */
public record LrGrpoConfig(int groupSize, float sigma, Advantages.Kind advantages, int groupsPerBatch,
                           int latentTokens, SigmaLearning sigmaLearning) {
    public LrGrpoConfig {
        if (groupSize < 1) throw new IllegalArgumentException("LrGrpoConfig: group size must be >= 1, got " + groupSize);
        if (!(sigma >= 0) || Float.isInfinite(sigma)) {
            throw new IllegalArgumentException("LrGrpoConfig: sigma must be finite and >= 0, got " + sigma);
        }
        if (advantages == null) throw new IllegalArgumentException("LrGrpoConfig: advantages kind is null");
        if (groupsPerBatch < 0) throw new IllegalArgumentException("LrGrpoConfig: groupsPerBatch must be >= 0, got " + groupsPerBatch);
        if (latentTokens < 1) throw new IllegalArgumentException("LrGrpoConfig: latentTokens must be >= 1, got " + latentTokens);
        if (sigmaLearning == null) throw new IllegalArgumentException("LrGrpoConfig: sigmaLearning is null");
        if (sigmaLearning.learned() && (sigma <= 0 || sigma < sigmaLearning.min() || sigma > sigmaLearning.max())) {
            throw new IllegalArgumentException("LrGrpoConfig: a learned sigma starts at sigma = " + sigma
                    + ", which must be > 0 and within [" + sigmaLearning.min() + ", " + sigmaLearning.max() + "]");
        }
    }

    /** One latent token and a fixed sigma, as the released code. */
    public LrGrpoConfig(int groupSize, float sigma, Advantages.Kind advantages, int groupsPerBatch) {
        this(groupSize, sigma, advantages, groupsPerBatch, 1, SigmaLearning.fixed());
    }

    /** The released code's settings: G = 8, sigma = 1.5 fixed, batch baseline over all groups of the step, N = 1. */
    public static LrGrpoConfig reference() {
        return new LrGrpoConfig(8, 1.5f, Advantages.Kind.BATCH_BASELINE, 0);
    }

    public LrGrpoConfig withGroupSize(int g) {
        return new LrGrpoConfig(g, sigma, advantages, groupsPerBatch, latentTokens, sigmaLearning);
    }

    public LrGrpoConfig withSigma(float s) {
        return new LrGrpoConfig(groupSize, s, advantages, groupsPerBatch, latentTokens, sigmaLearning);
    }

    public LrGrpoConfig withLatentTokens(int n) {
        return new LrGrpoConfig(groupSize, sigma, advantages, groupsPerBatch, n, sigmaLearning);
    }

    /** sigma learned as described by {@code learning}, starting at this config's sigma. */
    public LrGrpoConfig withSigmaLearning(SigmaLearning learning) {
        return new LrGrpoConfig(groupSize, sigma, advantages, groupsPerBatch, latentTokens, learning);
    }
}
