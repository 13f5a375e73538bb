package dev.latentr3.model.latent;

import dev.latentr3.engine.Tensor;

import java.util.SplittableRandom;

/**
 * Gaussian exploration noise on the latents, for LR-GRPO sampling (method doc §3): each injected latent is
 * r + sigma * eps with eps ~ N(0, I). The eps used is returned with the forward, so that a second forward (the one
 * with gradients) can reuse exactly the same noise through {@link #given}.
 *
 * @param sigma the noise scale (the reference hard-codes 1.5); 0 injects the clean latent
 * @param seed  seeds {@code SplittableRandom} when eps is drawn
 * @param eps   F32 [B, N, d] to use as is, or null to draw it
 */
public record LatentNoise(float sigma, long seed, Tensor eps) {
    private static final LatentNoise NONE = new LatentNoise(0f, 0L, null);

    public LatentNoise {
        if (!(sigma >= 0) || Float.isInfinite(sigma)) {
            throw new IllegalArgumentException("LatentNoise: sigma must be finite and >= 0, got " + sigma);
        }
    }

    /** No noise: the latents are injected as computed (inference, SFT). */
    public static LatentNoise none() {
        return NONE;
    }

    /** eps drawn from SplittableRandom(seed), row-major over [B, N, d]: the same seed gives the same eps. */
    public static LatentNoise sampled(float sigma, long seed) {
        return new LatentNoise(sigma, seed, null);
    }

    /** The given eps F32 [B, N, d] (rows can be zero, e.g. a group's noise-free copy). */
    public static LatentNoise given(float sigma, Tensor eps) {
        if (eps == null) throw new IllegalArgumentException("LatentNoise.given: eps is null");
        return new LatentNoise(sigma, 0L, eps);
    }

    boolean isNone() {
        return this == NONE;
    }

    /** The eps for batch b, n latents of size d: the given one (checked) or a fresh draw. */
    Tensor epsFor(int batch, int latents, int hidden) {
        if (eps != null) {
            if (eps.dim() != 3 || eps.size(0) != batch || eps.size(1) != latents || eps.size(2) != hidden) {
                throw new IllegalArgumentException("LatentNoise: eps " + eps.describe() + " must be [" + batch + ", "
                        + latents + ", " + hidden + "] for this batch");
            }
            return eps;
        }
        SplittableRandom random = new SplittableRandom(seed);
        float[] e = new float[Math.multiplyExact(Math.multiplyExact(batch, latents), hidden)];
        for (int i = 0; i < e.length; i++) e[i] = (float) random.nextGaussian();
        return Tensor.of(e, batch, latents, hidden);
    }
}
