package dev.latentr3.kernels.cuda;

import dev.latentr3.kernels.cpu.ReferenceElementwise;
import dev.latentr3.kernels.cpu.ReferenceGemm;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.latentr3.kernels.KernelCheck.assertClose;
import static dev.latentr3.kernels.KernelCheck.randomFloats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The cuBLAS binding called directly, in cuBLAS's own column-major convention, against a column-major reference written
 * here from the cuBLAS definition ({@code C = alpha op(A) op(B) + beta C}, element (i, j) of an r x c matrix at
 * {@code i + j * ld}) with double accumulation: every op pair, padded leading dimensions, strided batches with a
 * broadcast A, TF32 and bf16, and checked errors. Run on the emulated cuBLAS in CI and on NVIDIA's on a GPU.
 */
abstract class CublasContract {
    abstract CudaRuntime runtime();

    CublasHandle handle() {
        CublasHandle.Availability a = CublasHandle.of(runtime());
        assumeTrue(a.available(), () -> "no cuBLAS: " + a.reason());
        return a.handle();
    }

    @Test
    void versionIsCublas12OrNewer() {
        CublasHandle h = handle();
        assertTrue(h.version() >= 120000, () -> "CUBLAS_VERSION " + h.version());
    }

    @Test
    void fp32EveryOpPairWithPaddedLeadingDimensions() {
        CublasHandle h = handle();
        int[][] shapes = {{1, 1, 1}, {37, 29, 19}, {5, 70, 3}, {64, 1, 33}};
        try (DeviceScope d = new DeviceScope(runtime())) {
            int seed = 100;
            for (int[] s : shapes) {
                for (int t = 0; t < 4; t++) {
                    boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                    Gemm g = new Gemm(s[0], s[1], s[2], ta, tb, 1, 2, 3, 1);
                    for (float beta : new float[] {0f, -0.75f}) {
                        g.run(d, h, CublasHandle.Precision.FP32, 1.5f, beta, 0, 0, seed += 3);
                    }
                }
            }
        }
    }

    @Test
    void stridedBatchedWithBroadcastAAndPaddedStrides() {
        CublasHandle h = handle();
        try (DeviceScope d = new DeviceScope(runtime())) {
            Gemm g = new Gemm(21, 13, 9, true, false, 4, 2, 1, 5);
            g.run(d, h, CublasHandle.Precision.FP32, 1f, 0.25f, 0, 7, 11);
            Gemm g2 = new Gemm(8, 17, 30, false, true, 0, 0, 0, 3);
            g2.run(d, h, CublasHandle.Precision.FP32, -2f, 0f, 5, 0, 12);
        }
    }

    @Test
    void tf32MatchesWithinTf32Rounding() {
        CublasHandle h = handle();
        try (DeviceScope d = new DeviceScope(runtime())) {
            new Gemm(40, 33, 70, false, true, 0, 1, 2, 1).run(d, h, CublasHandle.Precision.TF32, 1f, 0.5f, 0, 0, 21);
            new Gemm(19, 25, 31, true, false, 1, 0, 0, 3).run(d, h, CublasHandle.Precision.TF32, 0.5f, 0f, 0, 0, 22);
        }
    }

    @Test
    void bf16InputsWithBf16AndFp32Outputs() {
        CublasHandle h = handle();
        try (DeviceScope d = new DeviceScope(runtime())) {
            new Gemm(33, 18, 50, false, false, 2, 0, 1, 1).run(d, h, CublasHandle.Precision.BF16, 1f, 0f, 0, 0, 31);
            new Gemm(33, 18, 50, true, true, 0, 3, 0, 2).run(d, h, CublasHandle.Precision.BF16, 1f, 1f, 0, 0, 32);
            new Gemm(12, 40, 64, false, true, 0, 0, 4, 3).run(d, h, CublasHandle.Precision.BF16_F32_OUT, 2f, -1f, 0, 0, 33);
        }
    }

    @Test
    void rowMajorTf32AndBf16MatchTheRowMajorReference() {
        CublasHandle h = handle();
        ReferenceGemm ref = new ReferenceGemm();
        int m = 23, n = 31, k = 40;
        try (DeviceScope d = new DeviceScope(runtime())) {
            int seed = 200;
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                int lda = (ta ? m : k) + 2, ldb = (tb ? k : n) + 1, ldc = n + 3;
                long aLen = (long) (ta ? k : m) * lda, bLen = (long) (tb ? n : k) * ldb, cLen = (long) m * ldc;
                for (CublasHandle.Precision p : new CublasHandle.Precision[] {CublasHandle.Precision.TF32, CublasHandle.Precision.BF16_F32_OUT}) {
                    MemorySegment a = inputs(d, p, randomFloats(d.arena, aLen, ++seed, -1, 1));
                    MemorySegment b = inputs(d, p, randomFloats(d.arena, bLen, ++seed, -1, 1));
                    MemorySegment c = randomFloats(d.arena, cLen, ++seed, -1, 1);
                    MemorySegment want = d.arena.allocate(cLen * 4, 4);
                    want.copyFrom(c);
                    ref.sgemm(ta, tb, m, n, k, 0.75f, a, lda, b, ldb, -0.5f, want, ldc);
                    MemorySegment got = d.upload(c);
                    h.gemmRowMajor(p, ta, tb, m, n, k, 0.75f, d.upload(bytesOf(d, p.inputBytes(), a)), lda,
                            d.upload(bytesOf(d, p.inputBytes(), b)), ldb, -0.5f, got, ldc);
                    // bf16 inputs are exact in fp32: fp32 accuracy; TF32 rounds each input to 2^-11 relative: k * 2^-10.
                    double atol = p == CublasHandle.Precision.TF32 ? k * 0x1p-10 : 1e-4;
                    assertClose(p + " row-major" + (ta ? " A^T" : "") + (tb ? " B^T" : ""), want, d.downloadFloats(got, cLen),
                            cLen, atol, 1e-4);
                }
            }
        }
    }

    /**
     * The raw binding with lda 4 < m 8 (column-major, op N): the library must refuse the call, and {@link Cublas#check}
     * must name the call and the status. Which status is the library's choice: the emulated cuBLAS returns
     * CUBLAS_STATUS_INVALID_VALUE, as cuBLAS documents for a bad leading dimension, but NVIDIA's cuBLAS 13.0 (CUDA 13.0,
     * driver 580.159.04) returned CUBLAS_STATUS_EXECUTION_FAILED for cublasGemmEx on an H200 on 2026-11-26. Either is
     * accepted; users never see this, as {@link CublasHandle} rejects such calls before cuBLAS does (next test).
     */
    @Test
    void theBindingRefusesABadLeadingDimensionNamingTheCallAndStatus() {
        CublasHandle h = handle();
        Cublas c = h.cublas();
        runtime().makeCurrent();  // a raw handle binds to the calling thread's context, as CublasHandle's does
        try (DeviceScope d = new DeviceScope(runtime()); Arena arena = Arena.ofConfined()) {
            // The binding takes bare pointers: a device segment itself cannot cross a downcall (its arena is closed).
            MemorySegment a = raw(d.nanFloats(64)), b = raw(d.nanFloats(64)), out = raw(d.nanFloats(64));
            MemorySegment one = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1f), zero = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 0f);
            MemorySegment handleCell = arena.allocate(ValueLayout.ADDRESS);
            c.check(c.cublasCreate_v2(handleCell), "cublasCreate_v2");
            MemorySegment raw = handleCell.get(ValueLayout.ADDRESS, 0);
            try {
                int status = c.cublasGemmEx(raw, Cublas.CUBLAS_OP_N, Cublas.CUBLAS_OP_N, 8, 8, 8, one, a, Cublas.CUDA_R_32F, 4,
                        b, Cublas.CUDA_R_32F, 8, zero, out, Cublas.CUDA_R_32F, 8, Cublas.CUBLAS_COMPUTE_32F, Cublas.CUBLAS_GEMM_DEFAULT);
                assertRefused(c, status, "cublasGemmEx");
                int batched = c.cublasGemmStridedBatchedEx(raw, Cublas.CUBLAS_OP_N, Cublas.CUBLAS_OP_N, 8, 8, 4, one, a,
                        Cublas.CUDA_R_32F, 4, 0, b, Cublas.CUDA_R_32F, 4, 0, zero, out, Cublas.CUDA_R_32F, 8, 0, 1,
                        Cublas.CUBLAS_COMPUTE_32F, Cublas.CUBLAS_GEMM_DEFAULT);
                assertRefused(c, batched, "cublasGemmStridedBatchedEx");
            } finally {
                c.check(c.cublasDestroy_v2(raw), "cublasDestroy_v2");
            }
        }
    }

    private static void assertRefused(Cublas c, int status, String call) {
        assertTrue(status == Cublas.CUBLAS_STATUS_INVALID_VALUE || status == Cublas.CUBLAS_STATUS_EXECUTION_FAILED,
                () -> call + " with lda 4 < m 8 returned " + Cublas.statusName(status)
                        + ", expected CUBLAS_STATUS_INVALID_VALUE or CUBLAS_STATUS_EXECUTION_FAILED");
        CublasException e = assertThrows(CublasException.class, () -> c.check(status, call));
        assertEquals(call, e.call());
        assertEquals(status, e.status());
        assertEquals(Cublas.statusName(status), e.statusName());
        assertTrue(e.getMessage().startsWith(call + " failed: " + Cublas.statusName(status) + " (" + status + ")"), e.getMessage());
    }

    @Test
    void theHandleRejectsArgumentsOutsideCublasBoundsNamingThem() {
        CublasHandle h = handle();
        CublasHandle.Precision fp32 = CublasHandle.Precision.FP32;
        try (DeviceScope d = new DeviceScope(runtime())) {
            MemorySegment a = d.nanFloats(64), b = d.nanFloats(64), c = d.nanFloats(64);
            assertRejected("CublasHandle.gemm: lda is 4, expected at least max(1, m) = 8 (A is stored m x k = 8 x 8, column-major)",
                    () -> h.gemm(fp32, false, false, 8, 8, 8, 1f, a, 4, b, 8, 0f, c, 8));
            assertRejected("CublasHandle.gemm: ldb is 3, expected at least max(1, n) = 4 (B is stored n x k = 4 x 2, column-major)",
                    () -> h.gemm(fp32, false, true, 8, 4, 2, 1f, a, 8, b, 3, 0f, c, 8));
            assertRejected("CublasHandle.gemm: ldc is 0, expected at least max(1, m) = 1 (C is stored m x n = 0 x 5, column-major)",
                    () -> h.gemm(fp32, false, false, 0, 5, 2, 1f, a, 1, b, 2, 0f, c, 0));
            assertRejected("CublasHandle.gemm: k is -1, expected >= 0",
                    () -> h.gemm(fp32, false, false, 8, 8, -1, 1f, a, 8, b, 8, 0f, c, 8));
            assertRejected("CublasHandle.gemm: segment C holds 64 elements of 4 bytes, expected at least 72",
                    () -> h.gemm(fp32, false, false, 8, 9, 1, 1f, a, 8, b, 1, 0f, c, 8));
            assertRejected("CublasHandle.gemmStridedBatched: batch is -1, expected >= 0",
                    () -> h.gemmStridedBatched(fp32, -1, false, false, 8, 8, 8, 1f, a, 8, 0, b, 8, 0, 0f, c, 8, 64));
            assertRejected("CublasHandle.gemmStridedBatched: strideC is 16, expected at least 20 (one 4 x 5 column-major C"
                    + " with ldc 4) when batch > 1", () -> h.gemmStridedBatched(fp32, 2, false, false, 4, 5, 1, 1f, a, 4, 0,
                    b, 1, 0, 0f, c, 4, 16));
            // Row-major errors name the caller's arguments, not the operands gemmRowMajor swaps for cuBLAS.
            assertRejected("CublasHandle.gemmRowMajor: lda is 2, expected at least k = 3 (A is stored m x k = 4 x 3, row-major)",
                    () -> h.gemmRowMajor(fp32, false, false, 4, 5, 3, 1f, a, 2, b, 5, 0f, c, 5));
            assertRejected("CublasHandle.gemmStridedBatchedRowMajor: strideB is -1, expected >= 0",
                    () -> h.gemmStridedBatchedRowMajor(fp32, 2, false, false, 2, 2, 2, 1f, a, 2, 4, b, 2, -1, 0f, c, 2, 4));
        }
    }

    private static void assertRejected(String messageStart, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(messageStart), () -> "expected a message starting with\n  " + messageStart
                + "\ngot\n  " + e.getMessage());
    }

    private static MemorySegment raw(MemorySegment deviceSegment) {
        return MemorySegment.ofAddress(deviceSegment.address());
    }

    /**
     * One column-major GEMM case: op(A) m x k, op(B) k x n, C m x n, leading dimensions padded by the given amounts,
     * {@code batch} entries (A broadcast when strideA is 0 in {@link #run}).
     */
    record Gemm(int m, int n, int k, boolean ta, boolean tb, int padA, int padB, int padC, int batch) {
        int aRows() { return ta ? k : m; }
        int aCols() { return ta ? m : k; }
        int bRows() { return tb ? n : k; }
        int bCols() { return tb ? k : n; }
        int lda() { return aRows() + padA; }
        int ldb() { return bRows() + padB; }
        int ldc() { return m + padC; }

        /** Runs the case and checks every C element (padding too: cuBLAS must leave it alone). */
        void run(DeviceScope d, CublasHandle h, CublasHandle.Precision p, float alpha, float beta, long extraStrideA,
                 long extraStrideB, long seed) {
            long aLen = (long) lda() * aCols(), bLen = (long) ldb() * bCols(), cLen = (long) ldc() * n;
            boolean broadcastA = batch > 1 && extraStrideA == 0;
            long strideA = broadcastA ? 0 : aLen + extraStrideA, strideB = bLen + extraStrideB, strideC = cLen + 3;
            long aTotal = broadcastA ? aLen : strideA * batch, bTotal = strideB * batch, cTotal = strideC * batch;
            MemorySegment a = inputs(d, p, randomFloats(d.arena, aTotal, seed, -1, 1));
            MemorySegment b = inputs(d, p, randomFloats(d.arena, bTotal, seed + 1, -1, 1));
            MemorySegment c0 = outputs(d, p, randomFloats(d.arena, cTotal, seed + 2, -1, 1));
            MemorySegment want = d.arena.allocate(cTotal * 4L, 4);
            want.copyFrom(c0);
            MemorySegment allowed = d.arena.allocate(cTotal * 4L, 4);  // zero: padding must come back unchanged
            reference(p, alpha, beta, a, strideA, b, strideB, want, strideC, allowed);

            MemorySegment da = d.upload(bytesOf(d, p.inputBytes(), a)), db = d.upload(bytesOf(d, p.inputBytes(), b));
            MemorySegment dc = d.upload(bytesOf(d, p.outputBytes(), c0));
            if (batch == 1) {
                h.gemm(p, ta, tb, m, n, k, alpha, da, lda(), db, ldb(), beta, dc, ldc());
            } else {
                h.gemmStridedBatched(p, batch, ta, tb, m, n, k, alpha, da, lda(), strideA, db, ldb(), strideB, beta, dc,
                        ldc(), strideC);
            }
            MemorySegment got = floatsOf(d, p.outputBytes(), d.download(dc, cTotal * p.outputBytes()), cTotal);
            String what = p + " " + m + "x" + n + "x" + k + (ta ? " opA=T" : "") + (tb ? " opB=T" : "") + " batch " + batch
                    + " alpha " + alpha + " beta " + beta;
            for (long i = 0; i < cTotal; i++) {
                float w = want.getAtIndex(ValueLayout.JAVA_FLOAT, i), g = got.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                float tol = allowed.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                if (!(Math.abs(w - g) <= tol)) fail(what + ": C[" + i + "] is " + g + ", expected " + w + " +- " + tol);
            }
        }

        /**
         * want := alpha op(A) op(B) + beta want in double from the values the device sees, and per element the error
         * the precision allows: fp32 accumulation (k roundings of 2^-24 of the running sum of |products|), TF32 input
         * rounding (each product off by up to 2 * 2^-11 relative), a bf16 C rounding (2^-9 relative).
         */
        void reference(CublasHandle.Precision p, float alpha, float beta, MemorySegment a, long strideA,
                       MemorySegment b, long strideB, MemorySegment c, long strideC, MemorySegment allowed) {
            double perProduct = (p == CublasHandle.Precision.TF32 ? 2 * 0x1p-11 : 0) + (k + 2) * 0x1p-24;
            for (int e = 0; e < batch; e++) {
                for (int j = 0; j < n; j++) {
                    for (int i = 0; i < m; i++) {
                        double acc = 0, abs = 0;
                        for (int q = 0; q < k; q++) {
                            long ai = e * strideA + (ta ? q + (long) i * lda() : i + (long) q * lda());
                            long bi = e * strideB + (tb ? j + (long) q * ldb() : q + (long) j * ldb());
                            double prod = (double) a.getAtIndex(ValueLayout.JAVA_FLOAT, ai) * b.getAtIndex(ValueLayout.JAVA_FLOAT, bi);
                            acc += prod;
                            abs += Math.abs(prod);
                        }
                        long ci = e * strideC + i + (long) j * ldc();
                        double old = beta == 0 ? 0 : beta * (double) c.getAtIndex(ValueLayout.JAVA_FLOAT, ci);
                        double out = alpha * acc + old;
                        double err = Math.abs(alpha) * abs * perProduct + 0x1p-23 * (Math.abs(alpha * acc) + Math.abs(old))
                                + (p.outputBytes() == 2 ? 0x1p-8 * Math.abs(out) : 0) + 1e-30;
                        c.setAtIndex(ValueLayout.JAVA_FLOAT, ci, (float) out);
                        allowed.setAtIndex(ValueLayout.JAVA_FLOAT, ci, (float) err);
                    }
                }
            }
        }
    }

    /** The host values for inputs of precision p: bf16 inputs are rounded to bf16 first (the reference sees those). */
    static MemorySegment inputs(DeviceScope d, CublasHandle.Precision p, MemorySegment floats) {
        return p.inputBytes() == 2 ? roundToBf16(d, floats) : floats;
    }

    static MemorySegment outputs(DeviceScope d, CublasHandle.Precision p, MemorySegment floats) {
        return p.outputBytes() == 2 ? roundToBf16(d, floats) : floats;
    }

    private static MemorySegment roundToBf16(DeviceScope d, MemorySegment floats) {
        long n = floats.byteSize() / 4;
        MemorySegment half = d.arena.allocate(n * 2, 2), back = d.arena.allocate(n * 4, 4);
        ReferenceElementwise ew = new ReferenceElementwise();
        ew.f32ToBf16(n, floats, half);
        ew.bf16ToF32(n, half, back);
        return back;
    }

    /** The device representation: fp32 as is, or bf16 (exact, the values are bf16 already). */
    static MemorySegment bytesOf(DeviceScope d, int elementBytes, MemorySegment floats) {
        if (elementBytes == 4) return floats;
        long n = floats.byteSize() / 4;
        MemorySegment half = d.arena.allocate(n * 2, 2);
        new ReferenceElementwise().f32ToBf16(n, floats, half);
        return half;
    }

    static MemorySegment floatsOf(DeviceScope d, int elementBytes, MemorySegment raw, long n) {
        if (elementBytes == 4) return raw;
        MemorySegment f = d.arena.allocate(n * 4, 4);
        new ReferenceElementwise().bf16ToF32(n, raw, f);
        return f;
    }
}
