package dev.latentr3.kernels.cpu;

import dev.latentr3.kernels.OptimizerKernels;

import java.lang.foreign.MemorySegment;

import static dev.latentr3.kernels.Segments.getFloat;
import static dev.latentr3.kernels.Segments.setFloat;

/** The oracle for {@link OptimizerKernels}: the AdamW formula per element, evaluated in double, stored as float. */
public final class ReferenceOptimizer implements OptimizerKernels {

    @Override
    public void adamw(long n, MemorySegment param, MemorySegment grad, MemorySegment m, MemorySegment v,
                      float lr, float beta1, float beta2, float eps, float weightDecay, float c1, float c2) {
        checkAdamw(n, param, grad, m, v, c1, c2);
        for (long i = 0; i < n; i++) {
            double g = getFloat(grad, i);
            double p = getFloat(param, i);
            double mi = beta1 * (double) getFloat(m, i) + (1.0 - beta1) * g;
            double vi = beta2 * (double) getFloat(v, i) + (1.0 - beta2) * g * g;
            // Decay uses the parameter before this step's update (decoupled weight decay).
            p -= lr * (weightDecay * p + (mi / c1) / (Math.sqrt(vi / c2) + eps));
            setFloat(m, i, (float) mi);
            setFloat(v, i, (float) vi);
            setFloat(param, i, (float) p);
        }
    }

    /** The argument checks every adamw implementation (CPU and CUDA) shares. */
    public static void checkAdamw(long n, MemorySegment param, MemorySegment grad, MemorySegment m, MemorySegment v,
                           float c1, float c2) {
        ElementwiseArgs.nonNegative("adamw", "n", n);
        ElementwiseArgs.holds("adamw", "param", param, n, Float.BYTES);
        ElementwiseArgs.holds("adamw", "grad", grad, n, Float.BYTES);
        ElementwiseArgs.holds("adamw", "m", m, n, Float.BYTES);
        ElementwiseArgs.holds("adamw", "v", v, n, Float.BYTES);
        // c1 = 1 - beta1^t is 0 only before the first step; dividing by it would turn every parameter into NaN.
        if (!(c1 > 0) || !(c2 > 0)) {
            throw new IllegalArgumentException("adamw: bias corrections c1 = " + c1 + ", c2 = " + c2
                    + " must be > 0 (c = 1 - beta^t for step t >= 1)");
        }
    }
}
