package dev.latentr3.kernels.cuda;

import dev.latentr3.kernels.GemmKernels;
import dev.latentr3.kernels.cpu.ReferenceGemm;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static dev.latentr3.kernels.KernelCheck.F32_ATOL;
import static dev.latentr3.kernels.KernelCheck.F32_RTOL;
import static dev.latentr3.kernels.KernelCheck.assertClose;
import static dev.latentr3.kernels.KernelCheck.copy;
import static dev.latentr3.kernels.KernelCheck.nanFloats;
import static dev.latentr3.kernels.KernelCheck.randomFloats;

/**
 * {@link CudaGemm} against {@link ReferenceGemm}: every transpose, shapes off the 64 x 64 tile, padded strides, k = 0,
 * batches with a broadcast operand. Run for our kernel and for the cuBLAS path (row-major to column-major mapping).
 */
abstract class GemmContract {
    abstract CudaRuntime runtime();

    /** The GEMM under test: our kernel unless a subclass tests the cuBLAS path. */
    CudaGemm gemm() {
        return new CudaGemm(runtime(), CudaGemm.Implementation.OURS);
    }

    final GemmKernels ref = new ReferenceGemm();

    @Test
    void everyTransposeAndOddShapeMatchesTheReference() {
        int[][] shapes = {{1, 1, 1}, {67, 45, 33}, {64, 64, 16}, {130, 7, 200}, {3, 100, 65}, {5, 4, 0}};
        CudaGemm cuda = gemm();
        try (DeviceScope d = new DeviceScope(runtime())) {
            int seed = 0;
            for (int[] s : shapes) {
                int m = s[0], n = s[1], k = s[2];
                for (int t = 0; t < 4; t++) {
                    boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                    int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 1, ldc = n + 2;
                    long aLen = (long) (ta ? k : m) * lda, bLen = (long) (tb ? n : k) * ldb, cLen = (long) m * ldc;
                    MemorySegment a = randomFloats(d.arena, aLen, ++seed, -1, 1), b = randomFloats(d.arena, bLen, ++seed, -1, 1);
                    MemorySegment c = randomFloats(d.arena, cLen, ++seed, -1, 1);
                    String what = "sgemm " + m + "x" + n + "x" + k + (ta ? " A^T" : "") + (tb ? " B^T" : "");
                    for (float beta : new float[] {0f, 0.5f}) {
                        MemorySegment want = beta == 0 ? nanFloats(d.arena, cLen) : copy(d.arena, c);
                        MemorySegment got = beta == 0 ? d.nanFloats(cLen) : d.upload(c);
                        ref.sgemm(ta, tb, m, n, k, 1.25f, a, lda, b, ldb, beta, want, ldc);
                        cuda.sgemm(ta, tb, m, n, k, 1.25f, d.upload(a), lda, d.upload(b), ldb, beta, got, ldc);
                        MemorySegment host = d.downloadFloats(got, cLen);
                        // Compare the m x n part only: the padding columns keep whatever they held.
                        for (int r = 0; r < m; r++) {
                            assertClose(what + " beta=" + beta + " row " + r, want.asSlice((long) r * ldc * 4, n * 4L),
                                    host.asSlice((long) r * ldc * 4, n * 4L), n, F32_ATOL, F32_RTOL);
                        }
                    }
                }
            }
        }
    }

    @Test
    void batchedWithABroadcastMatrixMatchesTheReference() {
        int batch = 5, m = 33, n = 70, k = 20;
        CudaGemm cuda = gemm();
        try (DeviceScope d = new DeviceScope(runtime())) {
            MemorySegment a = randomFloats(d.arena, (long) m * k, 1, -1, 1);               // shared by every entry
            MemorySegment b = randomFloats(d.arena, (long) batch * n * k, 2, -1, 1);       // B^T: n x k per entry
            long cLen = (long) batch * m * n;
            MemorySegment want = nanFloats(d.arena, cLen), got = d.nanFloats(cLen);
            ref.sgemmBatched(batch, false, true, m, n, k, 1f, a, 0, k, b, (long) n * k, k, 0f, want, (long) m * n, n);
            cuda.sgemmBatched(batch, false, true, m, n, k, 1f, d.upload(a), 0, k, d.upload(b), (long) n * k, k, 0f, got,
                    (long) m * n, n);
            assertClose("sgemmBatched", want, d.downloadFloats(got, cLen), cLen, F32_ATOL, F32_RTOL);
        }
    }

    @Test
    void batchedWithTransposesAndPaddedStridesMatchesTheReference() {
        int batch = 3, m = 19, n = 23, k = 41;
        CudaGemm cuda = gemm();
        try (DeviceScope d = new DeviceScope(runtime())) {
            int lda = m + 2, ldb = k + 1, ldc = n + 3;                                    // A stored k x m, B stored n x k
            long strideA = (long) k * lda + 5, strideB = (long) n * ldb + 1, strideC = (long) m * ldc + 7;
            MemorySegment a = randomFloats(d.arena, strideA * batch, 3, -1, 1);
            MemorySegment b = randomFloats(d.arena, strideB * batch, 4, -1, 1);
            MemorySegment c = randomFloats(d.arena, strideC * batch, 5, -1, 1);
            long cLen = strideC * batch;
            MemorySegment want = copy(d.arena, c), got = d.upload(c);
            ref.sgemmBatched(batch, true, true, m, n, k, -0.5f, a, strideA, lda, b, strideB, ldb, 2f, want, strideC, ldc);
            cuda.sgemmBatched(batch, true, true, m, n, k, -0.5f, d.upload(a), strideA, lda, d.upload(b), strideB, ldb, 2f,
                    got, strideC, ldc);
            // Padding included: both must leave it as it was.
            assertClose("sgemmBatched A^T B^T", want, d.downloadFloats(got, cLen), cLen, F32_ATOL, F32_RTOL);
        }
    }
}
