package dev.latentr3.train.rl;

/**
 * Whether the noise scale sigma of LR-GRPO is fixed (the released code: 1.5) or trained, and how. A trained sigma is
 * held as log sigma, so that it stays positive whatever the update; it starts at the configured sigma and gets its
 * gradient through the re-parameterised sample x = r + sigma * eps (method doc §1.2's unused {@code Noise} module
 * and §11.6). After every optimizer step it is projected back into [min, max] (log min <= log sigma <= log max).
 *
 * @param learned      false: sigma is the fixed hyper-parameter
 * @param perDimension one sigma per latent dimension (d of them) instead of one for all
 * @param min          lower bound of a learned sigma (0: none)
 * @param max          upper bound of a learned sigma (+infinity: none)
 */
public record SigmaLearning(boolean learned, boolean perDimension, float min, float max) {
    private static final SigmaLearning FIXED = new SigmaLearning(false, false, 0f, Float.POSITIVE_INFINITY);

    public SigmaLearning {
        if (!learned && perDimension) throw new IllegalArgumentException("SigmaLearning: a fixed sigma has no dimensions to learn");
        if (!(min >= 0) || !(max >= min) || Float.isNaN(max)) {
            throw new IllegalArgumentException("SigmaLearning: bounds must satisfy 0 <= min <= max, got [" + min + ", " + max + "]");
        }
    }

    /** The released code's fixed sigma. */
    public static SigmaLearning fixed() {
        return FIXED;
    }

    /** A learned sigma without bounds: one scalar, or one per dimension. */
    public static SigmaLearning learned(boolean perDimension) {
        return new SigmaLearning(true, perDimension, 0f, Float.POSITIVE_INFINITY);
    }

    /** A learned sigma kept in [min, max]. */
    public static SigmaLearning learned(boolean perDimension, float min, float max) {
        return new SigmaLearning(true, perDimension, min, max);
    }

    boolean bounded() {
        return min > 0 || max < Float.POSITIVE_INFINITY;
    }
}
