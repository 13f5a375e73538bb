package dev.latentr3.kernels.cpu;

import dev.latentr3.kernels.GemmKernels;
import dev.latentr3.kernels.Segments;

import java.lang.foreign.MemorySegment;

/**
 * The GEMM oracle: a plain triple loop with a double-precision dot product per element of C. Slow on purpose; the
 * fast kernel is checked against it.
 */
public final class ReferenceGemm implements GemmKernels {

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float alpha, MemorySegment a, int lda, MemorySegment b, int ldb,
                      float beta, MemorySegment c, int ldc) {
        GemmArgs.check("ReferenceGemm.sgemm", transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
        multiply(transA, transB, m, n, k, alpha, a, 0, lda, b, 0, ldb, beta, c, 0, ldc);
    }

    @Override
    public void sgemmBatched(int batch, boolean transA, boolean transB, int m, int n, int k,
                             float alpha, MemorySegment a, long strideA, int lda, MemorySegment b, long strideB, int ldb,
                             float beta, MemorySegment c, long strideC, int ldc) {
        GemmArgs.checkBatched("ReferenceGemm.sgemmBatched", batch, transA, transB, m, n, k,
                a, strideA, lda, b, strideB, ldb, c, strideC, ldc);
        for (int i = 0; i < batch; i++) {
            multiply(transA, transB, m, n, k, alpha, a, i * strideA, lda, b, i * strideB, ldb, beta, c, i * strideC, ldc);
        }
    }

    /** Offsets are in floats, so that empty batch entries never need a slice past the end of a segment. */
    private static void multiply(boolean transA, boolean transB, int m, int n, int k,
                                 float alpha, MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                                 float beta, MemorySegment c, long cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    long ai = transA ? (long) p * lda + i : (long) i * lda + p;
                    long bi = transB ? (long) j * ldb + p : (long) p * ldb + j;
                    sum += (double) Segments.getFloat(a, aOff + ai) * Segments.getFloat(b, bOff + bi);
                }
                long ci = cOff + (long) i * ldc + j;
                double result = alpha * sum;
                // beta == 0 means "overwrite": C may hold garbage or NaN that must not leak through 0 * NaN.
                if (beta != 0) result += (double) beta * Segments.getFloat(c, ci);
                Segments.setFloat(c, ci, (float) result);
            }
        }
    }
}
