package dev.latentr3.kernels.cuda;

import dev.latentr3.kernels.GemmKernels;
import dev.latentr3.kernels.cpu.ReferenceGemm;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

import static dev.latentr3.kernels.KernelCheck.F32_ATOL;
import static dev.latentr3.kernels.KernelCheck.F32_RTOL;
import static dev.latentr3.kernels.KernelCheck.assertClose;
import static dev.latentr3.kernels.KernelCheck.copy;
import static dev.latentr3.kernels.KernelCheck.nanFloats;
import static dev.latentr3.kernels.KernelCheck.randomFloats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * {@link CudaGemm} against {@link ReferenceGemm}: every transpose, shapes off both tiles (64 and 128) and off the K
 * slab, padded strides (odd ones for the scalar loads, multiples of 4 for the float4 loads), k = 0, batches with a
 * broadcast operand or entries that lose 16-byte alignment. Run for each of our kernel's tiles and for the cuBLAS path
 * (row-major to column-major mapping).
 */
abstract class GemmContract {
    abstract CudaRuntime runtime();

    /** The GEMMs under test: each instance of our kernel, unless a subclass tests the cuBLAS path. */
    List<CudaGemm> gemms() {
        return List.of(new CudaGemm(runtime(), CudaGemm.Tile.T64), new CudaGemm(runtime(), CudaGemm.Tile.T128));
    }

    final GemmKernels ref = new ReferenceGemm();

    @Test
    void everyTransposeAndOddShapeMatchesTheReference() {
        int[][] shapes = {{1, 1, 1}, {67, 45, 33}, {64, 64, 16}, {130, 7, 200}, {3, 100, 65}, {5, 4, 0}};
        for (CudaGemm cuda : gemms()) matchesTheReference(cuda, shapes, 3, 1, 2, 1.25f, 0.5f);
    }

    /**
     * Leading dimensions that are multiples of 4 on 16-byte-aligned buffers: interior blocks take the float4 loads and
     * stores, edge blocks and the last, partial K slab the guarded scalar ones, in the same launch.
     */
    @Test
    void alignedShapesMixVectorAndEdgePathsAndMatchTheReference() {
        int[][] shapes = {{256, 256, 64}, {200, 136, 37}, {129, 260, 9}, {4, 131, 12}, {131, 68, 3}};
        for (CudaGemm cuda : gemms()) matchesTheReference(cuda, shapes, 4, 0, 8, -0.75f, 0.25f);
    }

    /** Every transpose of each shape {m, n, k}, with ld = the stored row length + the given padding, beta 0 and beta. */
    private void matchesTheReference(CudaGemm cuda, int[][] shapes, int padA, int padB, int padC, float alpha,
                                      float betaNonZero) {
        try (DeviceScope d = new DeviceScope(runtime())) {
            int seed = 0;
            for (int[] s : shapes) {
                int m = s[0], n = s[1], k = s[2];
                for (int t = 0; t < 4; t++) {
                    boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                    int lda = (ta ? m : k) + padA, ldb = (tb ? k : n) + padB, ldc = n + padC;
                    long aLen = (long) (ta ? k : m) * lda, bLen = (long) (tb ? n : k) * ldb, cLen = (long) m * ldc;
                    MemorySegment a = randomFloats(d.arena, aLen, ++seed, -1, 1), b = randomFloats(d.arena, bLen, ++seed, -1, 1);
                    MemorySegment c = randomFloats(d.arena, cLen, ++seed, -1, 1);
                    String what = cuda.implementation() + ": sgemm " + m + "x" + n + "x" + k + (ta ? " A^T" : "")
                            + (tb ? " B^T" : "") + " lda " + lda + " ldb " + ldb + " ldc " + ldc;
                    for (float beta : new float[] {0f, betaNonZero}) {
                        MemorySegment want = beta == 0 ? nanFloats(d.arena, cLen) : copy(d.arena, c);
                        MemorySegment got = beta == 0 ? d.nanFloats(cLen) : d.upload(c);
                        ref.sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, want, ldc);
                        cuda.sgemm(ta, tb, m, n, k, alpha, d.upload(a), lda, d.upload(b), ldb, beta, got, ldc);
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
        for (CudaGemm cuda : gemms()) try (DeviceScope d = new DeviceScope(runtime())) {
            MemorySegment a = randomFloats(d.arena, (long) m * k, 1, -1, 1);               // shared by every entry
            MemorySegment b = randomFloats(d.arena, (long) batch * n * k, 2, -1, 1);       // B^T: n x k per entry
            long cLen = (long) batch * m * n;
            MemorySegment want = nanFloats(d.arena, cLen), got = d.nanFloats(cLen);
            ref.sgemmBatched(batch, false, true, m, n, k, 1f, a, 0, k, b, (long) n * k, k, 0f, want, (long) m * n, n);
            cuda.sgemmBatched(batch, false, true, m, n, k, 1f, d.upload(a), 0, k, d.upload(b), (long) n * k, k, 0f, got,
                    (long) m * n, n);
            assertClose(cuda.implementation() + ": sgemmBatched", want, d.downloadFloats(got, cLen), cLen, F32_ATOL, F32_RTOL);
        }
    }

    @Test
    void batchedWithTransposesAndPaddedStridesMatchesTheReference() {
        int batch = 3, m = 19, n = 23, k = 41;
        for (CudaGemm cuda : gemms()) try (DeviceScope d = new DeviceScope(runtime())) {
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
            assertClose(cuda.implementation() + ": sgemmBatched A^T B^T", want, d.downloadFloats(got, cLen), cLen, F32_ATOL, F32_RTOL);
        }
    }

    /**
     * Batches over tiles that take the float4 loads: A broadcast (stride 0), and A, B and C strides that are 2 floats
     * off a multiple of 4, so that entry 0 is 16-byte aligned and entry 1 is not (each block checks its own entry).
     */
    @Test
    void alignedBatchesWithBroadcastAndMisalignedEntriesMatchTheReference() {
        int batch = 3, m = 130, n = 132, k = 24;
        for (CudaGemm cuda : gemms()) {
            try (DeviceScope d = new DeviceScope(runtime())) {
                int seed = 10;
                for (int t = 0; t < 4; t++) {
                    boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                    int lda = (ta ? m : k) + 4, ldb = (tb ? k : n) + 4, ldc = n + 4;
                    long aLen = (long) (ta ? k : m) * lda, bLen = (long) (tb ? n : k) * ldb, cLen = (long) m * ldc;
                    for (boolean broadcast : new boolean[] {true, false}) {
                        long strideA = broadcast ? 0 : aLen + 2, strideB = bLen + 2, strideC = cLen + 2;
                        long aAll = broadcast ? aLen : strideA * batch, cAll = strideC * batch;
                        MemorySegment a = randomFloats(d.arena, aAll, ++seed, -1, 1);
                        MemorySegment b = randomFloats(d.arena, strideB * batch, ++seed, -1, 1);
                        MemorySegment c = randomFloats(d.arena, cAll, ++seed, -1, 1);
                        MemorySegment want = copy(d.arena, c), got = d.upload(c);
                        ref.sgemmBatched(batch, ta, tb, m, n, k, 1.5f, a, strideA, lda, b, strideB, ldb, -1f, want,
                                strideC, ldc);
                        cuda.sgemmBatched(batch, ta, tb, m, n, k, 1.5f, d.upload(a), strideA, lda, d.upload(b), strideB,
                                ldb, -1f, got, strideC, ldc);
                        String what = cuda.implementation() + ": sgemmBatched " + (ta ? "A^T " : "") + (tb ? "B^T " : "")
                                + (broadcast ? "broadcast A" : "misaligned entries");
                        // Padding and the gaps between entries included: both must leave them as they were.
                        assertClose(what, want, d.downloadFloats(got, cAll), cAll, F32_ATOL, F32_RTOL);
                    }
                }
            }
        }
    }

    /** The same inputs give the same bits: each C element is one fixed-order sum (no atomics, no split K). */
    @Test
    void repeatedCallsAreBitForBitEqual() {
        int m = 150, n = 140, k = 70;
        for (CudaGemm cuda : gemms()) {
            try (DeviceScope d = new DeviceScope(runtime())) {
                MemorySegment a = d.upload(randomFloats(d.arena, (long) m * k, 21, -1, 1));
                MemorySegment b = d.upload(randomFloats(d.arena, (long) k * n, 22, -1, 1));
                MemorySegment first = d.nanFloats((long) m * n), second = d.nanFloats((long) m * n);
                cuda.sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, first, n);
                cuda.sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, second, n);
                MemorySegment x = d.downloadFloats(first, (long) m * n), y = d.downloadFloats(second, (long) m * n);
                for (long i = 0; i < (long) m * n; i++) {
                    float v = x.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                    assertFalse(Float.isNaN(v), cuda.implementation() + ": element " + i + " was not written");
                }
                assertEquals(-1L, x.mismatch(y), cuda.implementation() + ": the second call's bits differ");
            }
        }
    }
}
