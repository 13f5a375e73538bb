package dev.latentr3.engine.optim;

import dev.latentr3.engine.Tensor;

/** Gradient clipping by the global L2 norm over all parameters (as torch.nn.utils.clip_grad_norm_). */
public final class GradClip {
    private GradClip() {}

    /** Added to the norm before dividing, as PyTorch does, so that a zero norm cannot divide by zero. */
    private static final double EPS = 1e-6;

    /**
     * Computes the L2 norm of all gradients together (parameters without a gradient count as zero) and, when it
     * exceeds maxNorm, scales every gradient in place by maxNorm / (norm + 1e-6). Returns the norm before clipping,
     * which is what training logs report.
     */
    public static double clipGlobalNorm(Iterable<Tensor> params, double maxNorm) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("clipGlobalNorm: maxNorm must be > 0, got " + maxNorm);
        double sumSq = 0;
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g == null) continue;
            g.checkAlive("clipGlobalNorm");
            sumSq += g.backend().elementwise().sumOfSquares(g.numel(), g.data());
        }
        double norm = Math.sqrt(sumSq);
        if (norm > maxNorm) {
            float factor = (float) (maxNorm / (norm + EPS));
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g != null) g.backend().elementwise().affine(g.numel(), factor, 0f, g.data(), g.data());
            }
        }
        return norm;
    }
}
