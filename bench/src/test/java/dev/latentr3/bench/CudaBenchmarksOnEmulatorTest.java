package dev.latentr3.bench;

import dev.latentr3.kernels.cuda.CudaRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The CUDA benchmarks' harness (setup, L2 flush, event timing into the auxiliary counters, rate lines, tear-down) run
 * once per benchmark method on the CPU emulator at tiny sizes, so that the code a GPU host runs has run before. Times
 * mean nothing here; the kernels' results are tested in the kernels module.
 */
class CudaBenchmarksOnEmulatorTest {
    private static String before;

    @BeforeAll
    static void useTheEmulator() {
        CudaRuntime.Availability a = CudaRuntime.emulator();
        assumeTrue(a.available(), () -> "CUDA emulator unavailable: " + a.reason());
        before = System.getProperty(CudaBench.RUNTIME_PROPERTY);
        System.setProperty(CudaBench.RUNTIME_PROPERTY, "emulator");
    }

    @AfterAll
    static void restore() {
        if (before == null) System.clearProperty(CudaBench.RUNTIME_PROPERTY);
        else System.setProperty(CudaBench.RUNTIME_PROPERTY, before);
    }

    private static CudaBench.DeviceTime counters() {
        CudaBench.DeviceTime t = new CudaBench.DeviceTime();
        t.reset();
        return t;
    }

    private static void assertTimedOnce(CudaBench.DeviceTime t) {
        assertEquals(1, t.calls);
        assertTrue(t.deviceMillis >= 0 && Double.isFinite(t.deviceMillis), () -> "deviceMillis " + t.deviceMillis);
    }

    @Test
    void gemmEveryImplementation() {
        for (String impl : new String[] {"ours-fp32", "cublas-fp32", "cublas-tf32", "cublas-bf16"}) {
            CudaGemmBenchmark b = new CudaGemmBenchmark();
            b.impl = impl;
            b.shape = "33x17x9/NT";
            b.setUp();
            try {
                b.startIteration();
                CudaBench.DeviceTime t = counters();
                b.gemm(t);
                assertTimedOnce(t);
                b.printRate();
            } finally {
                b.tearDown();
            }
        }
    }

    @Test
    void attentionForwardAndBackward() {
        CudaAttentionBenchmark b = new CudaAttentionBenchmark();
        b.seqLen = 32;
        b.setUp();
        try {
            b.startIteration();
            CudaBench.DeviceTime f = counters(), fb = counters();
            b.forward(f);
            b.forwardBackward(fb);
            assertTimedOnce(f);
            assertTimedOnce(fb);
            b.printRate();
        } finally {
            b.tearDown();
        }
    }

    @Test
    void rowKernels() {
        CudaRmsNormBenchmark r = new CudaRmsNormBenchmark();
        r.rows = 8;
        r.dim = 96;
        r.setUp();
        try {
            r.startIteration();
            CudaBench.DeviceTime t = counters();
            r.forward(t);
            assertTimedOnce(t);
            r.printRate();
        } finally {
            r.tearDown();
        }
        CudaLogProbGatherBenchmark g = new CudaLogProbGatherBenchmark();
        g.rows = 3;
        g.vocab = 1000;
        g.setUp();
        try {
            g.startIteration();
            CudaBench.DeviceTime f = counters(), bw = counters();
            g.forward(f);
            g.backward(bw);
            assertTimedOnce(f);
            assertTimedOnce(bw);
            g.printRate();
        } finally {
            g.tearDown();
        }
    }

    @Test
    void copySwiGluAndRope() {
        CudaCopyBenchmark c = new CudaCopyBenchmark();
        c.bytes = 4096;
        c.setUp();
        try {
            c.startIteration();
            CudaBench.DeviceTime t = counters();
            c.copy(t);
            assertTimedOnce(t);
            c.printRate();
        } finally {
            c.tearDown();
        }
        CudaSwiGluBenchmark s = new CudaSwiGluBenchmark();
        s.rows = 4;
        s.intermediate = 40;
        s.setUp();
        try {
            s.startIteration();
            CudaBench.DeviceTime f = counters(), bw = counters();
            s.forward(f);
            s.backward(bw);
            assertTimedOnce(f);
            assertTimedOnce(bw);
            s.printRate();
        } finally {
            s.tearDown();
        }
        CudaRopeBenchmark r = new CudaRopeBenchmark();
        r.tokens = 5;
        r.heads = "3x16";
        r.setUp();
        try {
            r.startIteration();
            CudaBench.DeviceTime t = counters();
            r.forward(t);
            assertTimedOnce(t);
            r.printRate();
        } finally {
            r.tearDown();
        }
    }

    @Test
    void aCopyMovesAsManyBytesAsTheKernelItStandsFor() {
        for (long moved : new long[] {RowBenchData.rmsNormBytes(4096, 896), RowBenchData.ropeBytes(4096, 14, 64),
                RowBenchData.swigluBackwardBytes(4096L * 4864), 10, 7}) {
            long copy = RowBenchData.copyBytesFor(moved);
            assertEquals(0, copy % 4, "whole floats");
            long diff = RowBenchData.copyBytesMoved(copy) - moved;
            assertTrue(diff >= 0 && diff <= 7, () -> moved + " bytes: the copy moves " + diff + " more");
        }
        // 4096 tokens x 14 heads x 64: read and write x (2 x 4 bytes each), read 4096 int32 positions.
        assertEquals(8L * 4096 * 14 * 64 + 4L * 4096, RowBenchData.ropeBytes(4096, 14, 64));
        assertEquals(12L * 1000, RowBenchData.swigluForwardBytes(1000));
        assertEquals(20L * 1000, RowBenchData.swigluBackwardBytes(1000));
    }

    @Test
    void peaksFollowTheFormula() {
        CudaBench.Device h100 = new CudaBench.Device("H100", "9.0", 132, 1_980_000, 2_619_000, 5120, 50 << 20);
        assertEquals(132 * 4096 * 1.98e9 / 1e12, h100.peakTflops("bf16"), 1e-9);
        assertEquals(132 * 256 * 1.98e9 / 1e12, h100.peakTflops("fp32"), 1e-9);
        assertEquals(2 * 2.619e9 * 5120 / 8 / 1e12, h100.peakTerabytesPerSecond(), 1e-9);
        assertTrue(Double.isNaN(new CudaBench.Device("x", "7.5", 40, 1, 1, 1, 1).peakTflops("tf32")));
        assertTrue(h100.peaks().contains("bf16 1070.5 TFLOP/s = 132 SMs x 4096 flop/clk x 1.980 GHz"), h100.peaks());
    }
}
