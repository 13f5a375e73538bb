package dev.latentr3.kernels.cpu;

import java.lang.foreign.MemorySegment;

/**
 * One checked GEMM, {@code C = alpha * op(A) * op(B) + beta * C}, with each matrix located by a segment and a float
 * offset into it (batched calls address their entries by offset, never by slicing).
 */
record GemmCall(boolean transA, boolean transB, int m, int n, int k, float alpha,
                MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                float beta, MemorySegment c, long cOff, int ldc) {

    /** Float index of op(A)[i, p]. */
    long aIndex(int i, int p) {
        return aOff + (transA ? (long) p * lda + i : (long) i * lda + p);
    }

    /** Float index of op(B)[p, j]. */
    long bIndex(int p, int j) {
        return bOff + (transB ? (long) j * ldb + p : (long) p * ldb + j);
    }

    long cIndex(int i, int j) {
        return cOff + (long) i * ldc + j;
    }
}
