package dev.latentr3.kernels.cpu;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Argument checks shared by every GEMM implementation, so that the reference and the fast kernel reject exactly the
 * same calls with the same messages (the CUDA GEMM too). Sizes are in float elements; segments must hold the last element touched.
 */
public final class GemmArgs {
    private GemmArgs() {}

    static void check(String kernel, boolean transA, boolean transB, int m, int n, int k,
                      MemorySegment a, int lda, MemorySegment b, int ldb, MemorySegment c, int ldc) {
        checkBatched(kernel, 1, transA, transB, m, n, k, a, 0, lda, b, 0, ldb, c, 0, ldc);
    }

    public static void checkBatched(String kernel, int batch, boolean transA, boolean transB, int m, int n, int k,
                             MemorySegment a, long strideA, int lda, MemorySegment b, long strideB, int ldb,
                             MemorySegment c, long strideC, int ldc) {
        Objects.requireNonNull(a, () -> kernel + ": a is null");
        Objects.requireNonNull(b, () -> kernel + ": b is null");
        Objects.requireNonNull(c, () -> kernel + ": c is null");
        nonNegative(kernel, "batch", batch);
        nonNegative(kernel, "m", m);
        nonNegative(kernel, "n", n);
        nonNegative(kernel, "k", k);
        nonNegative(kernel, "strideA", strideA);
        nonNegative(kernel, "strideB", strideB);
        nonNegative(kernel, "strideC", strideC);
        // Every batch entry writing the same C would race (and make the result depend on the order).
        if (batch > 1 && strideC == 0) {
            throw new IllegalArgumentException(kernel + ": strideC is 0, expected > 0 when batch > 1 (only A and B broadcast)");
        }
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        leading(kernel, "lda", lda, aCols, transA ? "m (A stored k x m)" : "k (A stored m x k)");
        leading(kernel, "ldb", ldb, bCols, transB ? "k (B stored n x k)" : "n (B stored k x n)");
        leading(kernel, "ldc", ldc, n, "n (C stored m x n)");
        holds(kernel, "a", a, batch, strideA, aRows, aCols, lda);
        holds(kernel, "b", b, batch, strideB, bRows, bCols, ldb);
        holds(kernel, "c", c, batch, strideC, m, n, ldc);
    }

    /** Floats a row-major rows x cols matrix with row stride ld spans, repeated batch times at stride; 0 if empty. */
    static long span(int batch, long stride, int rows, int cols, int ld) {
        if (batch == 0 || rows == 0 || cols == 0) return 0;
        return (batch - 1) * stride + (long) (rows - 1) * ld + cols;
    }

    private static void nonNegative(String kernel, String name, long value) {
        if (value < 0) throw new IllegalArgumentException(kernel + ": " + name + " is " + value + ", expected >= 0");
    }

    private static void leading(String kernel, String name, int ld, int min, String why) {
        if (ld < min) {
            throw new IllegalArgumentException(kernel + ": " + name + " is " + ld + ", expected at least " + min + " = " + why);
        }
    }

    private static void holds(String kernel, String name, MemorySegment s, int batch, long stride, int rows, int cols, int ld) {
        long need = span(batch, stride, rows, cols, ld);
        long have = s.byteSize() / Float.BYTES;
        if (have < need) {
            throw new IllegalArgumentException(kernel + ": segment " + name + " holds " + have + " floats, expected at least "
                    + need + " for " + (batch > 1 ? batch + " matrices of " : "") + rows + " x " + cols + " with leading dimension " + ld);
        }
    }
}
