package dev.latentr3.engine;

import dev.latentr3.engine.autograd.GradMode;
import dev.latentr3.engine.memory.TensorScope;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Checks an op's autograd gradients against central finite differences of the engine's own forward (the tinygrad
 * style of gradient test). For a random fixed R with the output's shape, the scalar f = sum(out * R) is
 * differentiated by backward(), and numerically by re-running the forward with each input element moved by +-eps:
 * fd = (f(x + eps) - f(x - eps)) / (2 eps), with f summed in double on the host.
 *
 * <p>Tolerance: |ad - fd| <= TOL * max(1, |fd|) with TOL = 2e-3. Why that is loose enough: the central
 * difference's truncation error is eps^2/6 * f''', about 2e-5 * |f'''| for eps = 1e-2; its rounding error is small
 * because only the outputs that depend on the moved element change between the two forwards (the rest are
 * recomputed bit-identically and cancel), leaving float rounding of those outputs (~1e-7 relative) over 2 eps,
 * ~1e-5. Measured on the checks in this package, the worst |ad - fd| / max(1, |fd|) is 1.3e-4 (log of inputs near
 * 0.5, where f''' is largest), so 2e-3 leaves a margin of 15. Why it is tight enough: a wrong chain rule (a missing
 * factor, a transposed or misrouted gradient, an accumulator not zeroed) is off by far more than 0.2%.
 */
final class GradCheck {
    static final double TOL = 2e-3;

    /** The op under test: from its inputs (in the order they were added) to its output. */
    @FunctionalInterface
    interface Op {
        Tensor apply(Tensor[] in);
    }

    private final String name;
    private final Op op;
    private final List<Tensor> inputs = new ArrayList<>();
    private final List<Boolean> differentiable = new ArrayList<>();
    private final Random random;
    private double eps = 1e-2;

    private GradCheck(String name, Op op) {
        this.name = name;
        this.op = op;
        this.random = new Random(name.hashCode());
    }

    static GradCheck of(String name, Op op) {
        return new GradCheck(name, op);
    }

    /** A differentiable input with N(0, 1) entries. */
    GradCheck input(int... shape) {
        float[] v = new float[(int) Shapes.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (float) random.nextGaussian();
        return input(Tensor.of(v, shape));
    }

    /** A differentiable input with entries uniform in [0.5, 2] (for log, sqrt, division). */
    GradCheck positiveInput(int... shape) {
        float[] v = new float[(int) Shapes.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (float) (0.5 + 1.5 * random.nextDouble());
        return input(Tensor.of(v, shape));
    }

    /**
     * A differentiable input whose entries are all at least 0.1 apart and away from 0: for max, relu and abs, whose
     * derivative jumps where entries tie or cross 0, so that no +-eps move crosses a kink.
     */
    GradCheck separatedInput(int... shape) {
        int n = (int) Shapes.numel(shape);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) order.add(i);
        java.util.Collections.shuffle(order, random);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = 0.1f * (order.get(i) - n / 2) + 0.05f;
        return input(Tensor.of(v, shape));
    }

    /** A given differentiable (F32 or BF16) input; it must be contiguous and is closed after the check. */
    GradCheck input(Tensor t) {
        inputs.add(t.requiresGrad(true));
        differentiable.add(true);
        return this;
    }

    /** An input that is not differentiated (indices, masks, positions). */
    GradCheck constant(Tensor t) {
        inputs.add(t);
        differentiable.add(false);
        return this;
    }

    GradCheck eps(double eps) {
        this.eps = eps;
        return this;
    }

    void check() {
        Tensor[] in = inputs.toArray(Tensor[]::new);
        try {
            float[] weights;
            try (var scope = TensorScope.open()) {
                Tensor out = op.apply(in);
                weights = new float[(int) out.numel()];
                for (int i = 0; i < weights.length; i++) weights[i] = (float) random.nextGaussian();
                if (!out.requiresGrad()) fail(name + ": the output does not require grad");
                out.mul(Tensor.of(weights, out.shape())).sum().backward();
            }
            for (int i = 0; i < in.length; i++) {
                if (differentiable.get(i)) compare(in, i, weights);
            }
        } finally {
            for (Tensor t : in) {
                t.zeroGrad();
                t.close();
            }
        }
    }

    private void compare(Tensor[] in, int which, float[] weights) {
        Tensor x = in[which];
        float[] ad = x.grad() == null ? new float[(int) x.numel()] : x.grad().toFloatArray();
        MemorySegment data = x.data();
        int worst = -1;
        double worstRatio = 0, worstAd = 0, worstFd = 0;
        for (int j = 0; j < ad.length; j++) {
            float original = get(x, data, j);
            float up = (float) (original + eps), down = (float) (original - eps);
            set(x, data, j, up);
            double plus = objective(in, weights);
            set(x, data, j, down);
            double minus = objective(in, weights);
            set(x, data, j, original);
            double fd = (plus - minus) / ((double) up - down); // the step actually taken, after float rounding
            double ratio = Math.abs(ad[j] - fd) / (TOL * Math.max(1, Math.abs(fd)));
            if (!(ratio <= worstRatio)) {
                worst = j;
                worstRatio = ratio;
                worstAd = ad[j];
                worstFd = fd;
            }
        }
        if (!(worstRatio <= 1)) {
            fail(String.format("%s: gradient of input %d %s, element %d: autograd %.6f, finite difference %.6f"
                            + " (|diff| must be <= %.0e * max(1, |fd|))",
                    name, which, Shapes.str(x.shape()), worst, worstAd, worstFd, TOL));
        }
    }

    /** sum(op(in) * weights) in double, without recording. */
    private double objective(Tensor[] in, float[] weights) {
        try (var scope = TensorScope.open(); var off = GradMode.noGrad()) {
            float[] out = op.apply(in).toFloatArray();
            double f = 0;
            for (int i = 0; i < out.length; i++) f += (double) out[i] * weights[i];
            return f;
        }
    }

    private static float get(Tensor t, MemorySegment d, int i) {
        return switch (t.dtype()) {
            case F32 -> d.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i);
            case BF16 -> Float.intBitsToFloat(d.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i) << 16);
            default -> throw new IllegalArgumentException("GradCheck: input " + t.describe() + " is not floating");
        };
    }

    /** Writes v; for BF16 inputs v must be representable (callers choose such values and eps), else it is truncated. */
    private static void set(Tensor t, MemorySegment d, int i, float v) {
        switch (t.dtype()) {
            case F32 -> d.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, v);
            case BF16 -> d.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, (short) (Float.floatToRawIntBits(v) >>> 16));
            default -> throw new IllegalArgumentException("GradCheck: input " + t.describe() + " is not floating");
        }
    }
}
