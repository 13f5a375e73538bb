package dev.latentr3.engine.optim;

import dev.latentr3.engine.Backends;
import dev.latentr3.engine.Device;
import dev.latentr3.engine.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gradient clipping by the global L2 norm over all parameters (as torch.nn.utils.clip_grad_norm_).
 *
 * <p>The gradients' sums of squares are measured together, per device ({@code ElementwiseKernels.sumsOfSquares}): on
 * a GPU that is one wait for the device per step instead of one per parameter (~290 for a Qwen2.5-0.5B), with the same
 * partial sums added in the same order as one tensor at a time, so the norm has the same bits as before.
 */
public final class GradClip {
    private GradClip() {}

    /** Added to the norm before dividing, as PyTorch does, so that a zero norm cannot divide by zero. */
    private static final double EPS = 1e-6;

    /**
     * The gradients of {@code params}, in their order, and each one's sum of squares in double (0 where a parameter
     * has no gradient). A sum is finite exactly when every element of that gradient is (float squares cannot overflow
     * a double sum), so a non-finite norm can be traced to its tensor without measuring again.
     */
    public record Norms(List<Tensor> params, double[] sumsOfSquares) {
        /** The global L2 norm: the square root of the sums added in parameter order. */
        public double norm() {
            double sumSq = 0;
            for (double s : sumsOfSquares) sumSq += s;
            return Math.sqrt(sumSq);
        }

        /** The index of the first parameter whose gradient holds a NaN or an infinity, or -1 when none does. */
        public int firstNonFinite() {
            for (int i = 0; i < sumsOfSquares.length; i++) if (!Double.isFinite(sumsOfSquares[i])) return i;
            return -1;
        }
    }

    /**
     * Measures every gradient's sum of squares: the gradients on one device in one call of its kernels (one wait for
     * an accelerator), the devices in the order they first appear.
     */
    public static Norms measure(Iterable<Tensor> params) {
        List<Tensor> list = new ArrayList<>();
        for (Tensor p : params) list.add(p);
        double[] sums = new double[list.size()];
        Map<Device, List<Integer>> byDevice = new LinkedHashMap<>();
        for (int i = 0; i < list.size(); i++) {
            Tensor g = list.get(i).grad();
            if (g == null) continue;
            g.checkAlive("clipGlobalNorm");
            byDevice.computeIfAbsent(g.device(), d -> new ArrayList<>()).add(i);
        }
        for (var e : byDevice.entrySet()) {
            List<Integer> at = e.getValue();
            long[] n = new long[at.size()];
            MemorySegment[] x = new MemorySegment[at.size()];
            for (int k = 0; k < at.size(); k++) {
                Tensor g = list.get(at.get(k)).grad();
                n[k] = g.numel();
                x[k] = g.data();
            }
            double[] got = Backends.of(e.getKey()).elementwise().sumsOfSquares(n, x);
            for (int k = 0; k < at.size(); k++) sums[at.get(k)] = got[k];
        }
        return new Norms(List.copyOf(list), sums);
    }

    /**
     * Computes the L2 norm of all gradients together (parameters without a gradient count as zero) and, when it
     * exceeds maxNorm, scales every gradient in place by maxNorm / (norm + 1e-6). Returns the norm before clipping,
     * which is what training logs report (NaN or infinite when a gradient holds one; an infinite norm scales by 0).
     */
    public static double clipGlobalNorm(Iterable<Tensor> params, double maxNorm) {
        return clip(measure(params), maxNorm);
    }

    /**
     * The scaling half of {@link #clipGlobalNorm}, for callers that inspect the measurement first (a trainer that stops
     * at a non-finite gradient, naming it): scales {@code norms.params()}'s gradients when the norm exceeds maxNorm, and
     * returns the norm. The gradients must not have changed since {@link #measure}.
     */
    public static double clip(Norms norms, double maxNorm) {
        requirePositive(maxNorm);
        double norm = norms.norm();
        if (norm > maxNorm) {
            float factor = (float) (maxNorm / (norm + EPS));
            for (Tensor p : norms.params()) {
                Tensor g = p.grad();
                if (g != null) g.backend().elementwise().affine(g.numel(), factor, 0f, g.data(), g.data());
            }
        }
        return norm;
    }

    private static void requirePositive(double maxNorm) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("clipGlobalNorm: maxNorm must be > 0, got " + maxNorm);
    }
}
