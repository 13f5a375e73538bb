package dev.latentr3.model.latent;

import dev.latentr3.engine.Tensor;

import java.util.SplittableRandom;

/**
 * Gaussian exploration noise on the latents, for LR-GRPO sampling (method doc §3): each injected latent is
 * r + sigma * eps with eps ~ N(0, I). The eps used is returned with the forward, so that a second forward (the one
 * with gradients) can reuse exactly the same noise through {@link #given}.
 *
 * @param sigma the noise scale (the reference hard-codes 1.5); 0 injects the clean latent. Ignored when
 *              {@code scale} is given
 * @param seed  seeds {@code SplittableRandom} when eps is drawn
 * @param eps   F32 [B, N, d] to use as is, or null to draw it
 * @param scale F32 [1] or [d], a noise scale that is itself an autograd node (a learned sigma), or null: the
 *              injected latent is then r + eps * scale (broadcast), so the gradient reaches the scale
 */
public record LatentNoise(float sigma, long seed, Tensor eps, Tensor scale) {
    private static final LatentNoise NONE = new LatentNoise(0f, 0L, null, null);

    public LatentNoise {
        if (!(sigma >= 0) || Float.isInfinite(sigma)) {
            throw new IllegalArgumentException("LatentNoise: sigma must be finite and >= 0, got " + sigma);
        }
        if (scale != null && (scale.dim() != 1 || eps == null)) {
            throw new IllegalArgumentException("LatentNoise: a scale tensor must be 1-d ([1] or [d]) and come with eps, got "
                    + scale.describe());
        }
    }

    /** A fixed scalar sigma (no scale tensor). */
    public LatentNoise(float sigma, long seed, Tensor eps) {
        this(sigma, seed, eps, null);
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

    /**
     * The given eps F32 [B, N, d] scaled by the tensor {@code scale} F32 [1] or [d] (e.g. exp(log sigma) of a learned
     * sigma): injected = r + eps * scale, differentiable in scale.
     */
    public static LatentNoise scaled(Tensor scale, Tensor eps) {
        if (eps == null || scale == null) throw new IllegalArgumentException("LatentNoise.scaled: eps and scale are required");
        return new LatentNoise(0f, 0L, eps, scale);
    }

    /** sigma * eps_i for eps_i F32 [B, d]: by the scale tensor when there is one, else by the scalar sigma. */
    Tensor applyTo(Tensor epsRows) {
        return scale != null ? epsRows.mul(scale) : epsRows.scale(sigma);
    }

    /** True when nothing is added (no noise, or a zero scalar sigma). */
    boolean addsNothing() {
        return isNone() || (scale == null && sigma == 0f);
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
