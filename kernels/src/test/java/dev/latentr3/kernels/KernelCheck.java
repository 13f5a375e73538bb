package dev.latentr3.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Shared by the kernel tests: fresh random inputs (never zeros) and an element-wise comparison with
 * {@code |got - want| <= atol + rtol * |want|}, reporting the worst element.
 */
public final class KernelCheck {
    private KernelCheck() {}

    /** Tolerances for fp32 kernels that reorder sums (blocked GEMM, vectorised reductions). */
    public static final double F32_ATOL = 1e-5, F32_RTOL = 1e-4;
    /** bf16 keeps 8 bits of mantissa: relative error up to 2^-8 per rounding. */
    public static final double BF16_ATOL = 1e-3, BF16_RTOL = 1e-2;

    public static MemorySegment randomFloats(Arena arena, long n, long seed, float lo, float hi) {
        MemorySegment s = arena.allocate(n * Float.BYTES, 64);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < n; i++) Segments.setFloat(s, i, (float) (lo + (hi - lo) * r.nextDouble()));
        return s;
    }

    /** Gaussian N(0, std^2) entries. */
    public static MemorySegment gaussianFloats(Arena arena, long n, long seed, double std) {
        MemorySegment s = arena.allocate(n * Float.BYTES, 64);
        java.util.Random r = new java.util.Random(seed);
        for (long i = 0; i < n; i++) Segments.setFloat(s, i, (float) (std * r.nextGaussian()));
        return s;
    }

    public static MemorySegment randomInts(Arena arena, long n, long seed, int bound) {
        MemorySegment s = arena.allocate(n * Integer.BYTES, 64);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < n; i++) s.setAtIndex(Segments.I32, i, r.nextInt(bound));
        return s;
    }

    /** A segment of n floats filled with NaN: a kernel that must overwrite its output cannot pass by leaving it. */
    public static MemorySegment nanFloats(Arena arena, long n) {
        MemorySegment s = arena.allocate(n * Float.BYTES, 64);
        for (long i = 0; i < n; i++) Segments.setFloat(s, i, Float.NaN);
        return s;
    }

    public static MemorySegment copy(Arena arena, MemorySegment src) {
        MemorySegment s = arena.allocate(src.byteSize(), 64);
        s.copyFrom(src);
        return s;
    }

    public static void assertClose(String what, MemorySegment want, MemorySegment got, long n, double atol, double rtol) {
        long worst = -1;
        double worstExcess = 0;
        for (long i = 0; i < n; i++) {
            double w = Segments.getFloat(want, i), g = Segments.getFloat(got, i);
            if (Double.isNaN(w) && Double.isNaN(g)) continue;
            if (w == g) continue; // also covers equal infinities
            double excess = Math.abs(g - w) - (atol + rtol * Math.abs(w));
            if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess))) {
                worst = i;
                worstExcess = excess;
                if (Double.isNaN(excess)) break;
            }
        }
        if (worst >= 0) {
            fail(String.format("%s: element %d is %s, expected %s (atol %.1e, rtol %.1e)", what, worst,
                    Segments.getFloat(got, worst), Segments.getFloat(want, worst), atol, rtol));
        }
    }
}
