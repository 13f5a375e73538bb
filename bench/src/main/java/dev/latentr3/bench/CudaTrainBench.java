package dev.latentr3.bench;

import dev.latentr3.engine.Backends;
import dev.latentr3.engine.Device;
import dev.latentr3.engine.memory.DeviceMemory;
import dev.latentr3.kernels.cuda.CudaDeviceRuntime;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What the whole-step CUDA benchmarks share ({@link CudaTrainStepBenchmark}, {@link CudaLrGrpoStepBenchmark}): the
 * engine's "cuda" device, as the train CLI's {@code device: cuda} opens it, and the peak device memory of the steps.
 *
 * <p>Unlike the kernel benchmarks ({@link CudaBench}) these are wall-clock throughput benchmarks: JMH's score is steps
 * per second of the whole step (Java, launches and device work), each step ending with a device synchronize, so no
 * queued work leaks out of the measured time; no L2 flush, as a training step's working set is far larger than L2.
 */
public final class CudaTrainBench {
    private CudaTrainBench() {}

    static final double MIB = 1 << 20;

    /**
     * The engine's "cuda" device, or an IllegalStateException saying why there is none. The engine runs it on the
     * GPU, or on the CPU emulator with {@code -Dlatentr3.cuda.emulate=true}; which one must agree with
     * {@link CudaBench#RUNTIME_PROPERTY} (emulator only where the harness is tested), so that a report on a GPU host
     * never times the emulator by mistake, nor a test the GPU.
     */
    static Device device() {
        Device cuda = new Device("cuda", 0);
        if (!Backends.available(cuda)) {
            throw new IllegalStateException("cannot run a CUDA benchmark: no CUDA device (" + Backends.unavailableReason(cuda) + ")");
        }
        boolean wantEmulator = "emulator".equals(System.getProperty(CudaBench.RUNTIME_PROPERTY));
        boolean emulated = Backends.runtime(cuda).emulated();
        if (emulated != wantEmulator) {
            throw new IllegalStateException("cannot run a CUDA benchmark: the engine's cuda device is "
                    + (emulated ? "the CPU emulator" : "a GPU") + " but -D" + CudaBench.RUNTIME_PROPERTY + "="
                    + System.getProperty(CudaBench.RUNTIME_PROPERTY) + " asks for " + (wantEmulator ? "the emulator" : "a GPU")
                    + " (set -D" + CudaDeviceRuntime.EMULATE_PROPERTY + " to match)");
        }
        return cuda;
    }

    /**
     * Ends a benchmark's setup: waits for its device work and resets the peak, so that the peak is the steps', not the
     * initialisation's (which holds two copies of the weights).
     */
    static void measureFromHere(Device device) {
        DeviceMemory.synchronize(device);
        DeviceMemory.resetPeak(device);
    }

    /**
     * Peak device memory, as JMH auxiliary counters, in MiB since the benchmark reset it after setup: the allocator's
     * peak of live blocks (whole size classes: what the step holds of the device) and of the bytes the tensors asked
     * for (what PyTorch's max_memory_allocated counts). The report puts the highest iteration's values into the note.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class PeakMemory {
        public double peakDeviceMiB;
        public double peakRequestedMiB;

        @Setup(Level.Iteration)
        public void reset() {
            peakDeviceMiB = 0;
            peakRequestedMiB = 0;
        }

        /** Ends a step: waits for its device work (so none leaks out of the timed call), then records the peaks. */
        void afterStep(Device device) {
            DeviceMemory.synchronize(device);
            DeviceMemory.Stats s = DeviceMemory.stats(device);
            peakDeviceMiB = Math.max(peakDeviceMiB, s.peakLiveBytes() / MIB);
            peakRequestedMiB = Math.max(peakRequestedMiB, s.peakRequestedBytes() / MIB);
        }
    }
}
