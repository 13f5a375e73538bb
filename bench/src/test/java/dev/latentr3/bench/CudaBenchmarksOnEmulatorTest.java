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
    void peaksFollowTheFormula() {
        CudaBench.Device h100 = new CudaBench.Device("H100", "9.0", 132, 1_980_000, 2_619_000, 5120, 50 << 20);
        assertEquals(132 * 4096 * 1.98e9 / 1e12, h100.peakTflops("bf16"), 1e-9);
        assertEquals(132 * 256 * 1.98e9 / 1e12, h100.peakTflops("fp32"), 1e-9);
        assertEquals(2 * 2.619e9 * 5120 / 8 / 1e12, h100.peakTerabytesPerSecond(), 1e-9);
        assertTrue(Double.isNaN(new CudaBench.Device("x", "7.5", 40, 1, 1, 1, 1).peakTflops("tf32")));
        assertTrue(h100.peaks().contains("bf16 1070.5 TFLOP/s = 132 SMs x 4096 flop/clk x 1.980 GHz"), h100.peaks());
    }
}
