package dev.latentr3.kernels;

import java.lang.foreign.MemorySegment;

/**
 * General matrix multiply on fp32, row-major, as BLAS defines it: {@code C = alpha * op(A) * op(B) + beta * C}.
 *
 * <p>op(A) is m x k and op(B) is k x n. {@code lda}, {@code ldb}, {@code ldc} are the row strides (in elements) of A, B
 * and C as stored: A is stored m x k (lda >= k) or, when {@code transA}, k x m (lda >= m); likewise B. Segments start
 * at the first element of each matrix. When beta is 0, C is overwritten and its previous contents (even NaN) ignored.
 */
public interface GemmKernels {

    void sgemm(boolean transA, boolean transB, int m, int n, int k,
               float alpha, MemorySegment a, int lda, MemorySegment b, int ldb,
               float beta, MemorySegment c, int ldc);

    /**
     * {@code batch} independent GEMMs; matrix i of A starts at element {@code i * strideA} of {@code a}, likewise B and
     * C. A stride of 0 broadcasts one matrix to every batch entry (only allowed for A and B).
     */
    default void sgemmBatched(int batch, boolean transA, boolean transB, int m, int n, int k,
                              float alpha, MemorySegment a, long strideA, int lda, MemorySegment b, long strideB, int ldb,
                              float beta, MemorySegment c, long strideC, int ldc) {
        for (int i = 0; i < batch; i++) {
            sgemm(transA, transB, m, n, k, alpha,
                    Segments.floats(a, i * strideA), lda, Segments.floats(b, i * strideB), ldb,
                    beta, Segments.floats(c, i * strideC), ldc);
        }
    }
}
