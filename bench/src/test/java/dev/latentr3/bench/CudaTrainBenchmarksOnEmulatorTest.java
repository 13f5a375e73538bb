package dev.latentr3.bench;

import dev.latentr3.engine.Backends;
import dev.latentr3.engine.Device;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The whole-step CUDA benchmarks ({@link CudaTrainStepBenchmark}, {@link CudaLrGrpoStepBenchmark}) run once each on
 * the engine's "cuda" device as the build sets it up, the CPU emulator ({@code latentr3.cuda.emulate=true} from the
 * pom), at the tiny preset: setup on the device, one step, its loss, and the peak-memory counter. The emulator is
 * slow, so one step each; their numbers are checked against the CPU runs of the same steps, which the train module
 * tests against PyTorch.
 */
class CudaTrainBenchmarksOnEmulatorTest {
    private static final Device CUDA = new Device("cuda", 0);
    private static String before;

    @BeforeAll
    static void useTheEmulator() {
        assumeTrue(Backends.available(CUDA), () -> "engine device cuda unavailable: " + Backends.unavailableReason(CUDA));
        assumeTrue(Backends.runtime(CUDA).emulated(), "the engine's cuda is a GPU here; the GPU runs these in the report");
        before = System.getProperty(CudaBench.RUNTIME_PROPERTY);
        System.setProperty(CudaBench.RUNTIME_PROPERTY, "emulator");
    }

    @AfterAll
    static void restore() {
        if (before == null) System.clearProperty(CudaBench.RUNTIME_PROPERTY);
        else System.setProperty(CudaBench.RUNTIME_PROPERTY, before);
    }

    private static CudaTrainBench.PeakMemory counter() {
        CudaTrainBench.PeakMemory p = new CudaTrainBench.PeakMemory();
        p.reset();
        return p;
    }

    @Test
    void sftStepOnTheDeviceMatchesTheCpuStep() {
        TrainStepBenchmark cpu = new TrainStepBenchmark();
        cpu.preset = "tiny";
        cpu.setUp();
        float expected = cpu.step();

        CudaTrainStepBenchmark b = new CudaTrainStepBenchmark();
        b.preset = "tiny";
        b.setUp();
        CudaTrainBench.PeakMemory peak = counter();
        float loss = b.step(peak);
        // Same weights (the random fills are the same numbers on every device), same batch: the first loss agrees to
        // float rounding of a different summation order.
        assertEquals(expected, loss, 1e-4 * Math.abs(expected), "first SFT loss on cuda vs cpu");
        assertPeak(peak, 4L * TrainShapes.parameters("tiny") * 4); // weights, gradients, two AdamW moments
    }

    @Test
    void lrGrpoStepOnTheDeviceMatchesTheCpuStep() {
        LrGrpoStepBenchmark cpu = new LrGrpoStepBenchmark();
        cpu.impl = "shared";
        cpu.setUp();
        double expected = cpu.step();

        CudaLrGrpoStepBenchmark b = new CudaLrGrpoStepBenchmark();
        b.preset = "tiny";
        b.setUp();
        CudaTrainBench.PeakMemory peak = counter();
        double loss = b.step(peak);
        assertEquals(expected, loss, 1e-5, "LR-GRPO loss on cuda vs cpu");
        assertPeak(peak, 4L * TrainShapes.parameters("tiny")); // at least the weights
    }

    @Test
    void aGpuRunRefusesTheEmulator() {
        System.clearProperty(CudaBench.RUNTIME_PROPERTY);
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, CudaTrainBench::device);
            assertTrue(e.getMessage().contains("the engine's cuda device is the CPU emulator"), e.getMessage());
        } finally {
            System.setProperty(CudaBench.RUNTIME_PROPERTY, "emulator");
        }
    }

    private static void assertPeak(CudaTrainBench.PeakMemory peak, long atLeastBytes) {
        assertTrue(peak.peakDeviceMiB * CudaTrainBench.MIB >= atLeastBytes,
                () -> "peak " + peak.peakDeviceMiB + " MiB, expected at least " + atLeastBytes / CudaTrainBench.MIB + " MiB");
        assertTrue(Double.isFinite(peak.peakDeviceMiB));
        // The sizes asked for are at most the blocks handed out, and not far below them (size-class rounding).
        assertTrue(peak.peakRequestedMiB <= peak.peakDeviceMiB && peak.peakRequestedMiB > 0.5 * peak.peakDeviceMiB,
                () -> "requested " + peak.peakRequestedMiB + " MiB, blocks " + peak.peakDeviceMiB + " MiB");
    }
}
