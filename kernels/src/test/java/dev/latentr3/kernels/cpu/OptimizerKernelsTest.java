package dev.latentr3.kernels.cpu;

import dev.latentr3.kernels.KernelCheck;
import dev.latentr3.kernels.OptimizerKernels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static dev.latentr3.kernels.Segments.getFloat;
import static dev.latentr3.kernels.Segments.setFloat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** AdamW: the reference against the formula in double over several steps, and Fast against the reference. */
class OptimizerKernelsTest {
    private static final float LR = 1e-2f, B1 = 0.9f, B2 = 0.999f, EPS = 1e-8f, WD = 0.1f;

    private final OptimizerKernels ref = new ReferenceOptimizer();
    private final OptimizerKernels fast = new FastOptimizer();
    // Shared, not confined: the fast kernels touch the segments from the worker threads of Parallel.
    private final Arena arena = Arena.ofShared();

    @AfterEach
    void close() {
        arena.close();
    }

    private static float c(float beta, int t) {
        return (float) (1 - Math.pow(beta, t));
    }

    @Test
    void referenceFollowsTheFormulaOverSeveralSteps() {
        int n = 33, steps = 5;
        MemorySegment p = KernelCheck.gaussianFloats(arena, n, 1, 1.0);
        MemorySegment m = arena.allocate(n * 4L), v = arena.allocate(n * 4L);
        double[] pd = new double[n], md = new double[n], vd = new double[n];
        for (int i = 0; i < n; i++) pd[i] = getFloat(p, i);
        for (int t = 1; t <= steps; t++) {
            MemorySegment g = KernelCheck.gaussianFloats(arena, n, 10 + t, 0.5);
            float c1 = c(B1, t), c2 = c(B2, t);
            ref.adamw(n, p, g, m, v, LR, B1, B2, EPS, WD, c1, c2);
            for (int i = 0; i < n; i++) {
                double gi = getFloat(g, i);
                md[i] = B1 * md[i] + (1 - B1) * gi;
                vd[i] = B2 * vd[i] + (1 - B2) * gi * gi;
                pd[i] -= LR * (WD * pd[i] + (md[i] / c1) / (Math.sqrt(vd[i] / c2) + EPS));
            }
        }
        assertClose("param", pd, p, n, 1e-6, 1e-5);
        assertClose("m", md, m, n, 1e-7, 1e-5);
        assertClose("v", vd, v, n, 1e-9, 1e-5);
    }

    private static void assertClose(String what, double[] want, MemorySegment got, int n, double atol, double rtol) {
        for (int i = 0; i < n; i++) {
            double g = getFloat(got, i);
            assertTrue(Math.abs(g - want[i]) <= atol + rtol * Math.abs(want[i]),
                    what + "[" + i + "] = " + g + ", expected " + want[i]);
        }
    }

    @Test
    void fastMatchesReference() {
        long seed = 50;
        for (long n : new long[] {1, 7, 13, 33, 1001, 100_003}) {
            MemorySegment p = KernelCheck.gaussianFloats(arena, n, seed++, 1.0);
            MemorySegment m = KernelCheck.gaussianFloats(arena, n, seed++, 0.1);
            MemorySegment v = KernelCheck.randomFloats(arena, n, seed++, 1e-4f, 1e-2f);
            MemorySegment p2 = KernelCheck.copy(arena, p), m2 = KernelCheck.copy(arena, m), v2 = KernelCheck.copy(arena, v);
            for (int t = 1; t <= 3; t++) {
                MemorySegment g = KernelCheck.gaussianFloats(arena, n, seed++, 0.5);
                ref.adamw(n, p, g, m, v, LR, B1, B2, EPS, WD, c(B1, t), c(B2, t));
                fast.adamw(n, p2, g, m2, v2, LR, B1, B2, EPS, WD, c(B1, t), c(B2, t));
            }
            KernelCheck.assertClose("param n=" + n, p, p2, n, KernelCheck.F32_ATOL, KernelCheck.F32_RTOL);
            KernelCheck.assertClose("m n=" + n, m, m2, n, KernelCheck.F32_ATOL, KernelCheck.F32_RTOL);
            KernelCheck.assertClose("v n=" + n, v, v2, n, KernelCheck.F32_ATOL, KernelCheck.F32_RTOL);
        }
    }

    @Test
    void rejectsZeroBiasCorrection() {
        MemorySegment s = KernelCheck.randomFloats(arena, 4, 1, 1, 2);
        for (OptimizerKernels k : new OptimizerKernels[] {ref, fast}) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> k.adamw(4, s, s, s, s, LR, B1, B2, EPS, WD, 0f, c(B2, 1)));
            assertTrue(e.getMessage().contains("adamw") && e.getMessage().contains("c1"), e.getMessage());
        }
    }
}
