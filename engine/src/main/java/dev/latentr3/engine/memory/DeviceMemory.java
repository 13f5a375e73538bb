package dev.latentr3.engine.memory;

import dev.latentr3.engine.Backends;
import dev.latentr3.engine.Device;
import dev.latentr3.kernels.DeviceRuntime;

/** Tensor memory per device: what is live, what an allocator keeps cached, and the peak, for logs and leak tests. */
public final class DeviceMemory {
    private DeviceMemory() {}

    /**
     * Bytes of tensor memory handed out and not yet freed, bytes an allocator keeps for reuse (0 on the host, whose
     * reuse is the C allocator's), and the highest live value so far. Device numbers count whole allocator blocks;
     * {@code peakRequestedBytes} is the same peak counting the sizes tensors asked for (PyTorch's
     * {@code max_memory_allocated} counts those, rounded to 512 bytes), which on the host is the same figure.
     */
    public record Stats(long liveBytes, long cachedBytes, long peakLiveBytes, long peakRequestedBytes) {}

    public static Stats stats(Device device) {
        if (device.isCpu()) return new Stats(NativeMemory.liveBytes(), 0, NativeMemory.peakBytes(), NativeMemory.peakBytes());
        DeviceRuntime.MemoryStats s = Backends.runtime(device).memoryStats();
        return new Stats(s.liveBytes(), s.cachedBytes(), s.peakLiveBytes(), s.peakRequestedBytes());
    }

    /**
     * Starts a device's peak over from what is live now (as {@code torch.cuda.reset_peak_memory_stats}), so that
     * {@link Stats#peakLiveBytes} then says the peak of what ran since: e.g. training steps without the model's
     * initialisation. The host's peak is process-wide: resetting it starts over the count of every thread's host
     * tensors.
     */
    public static void resetPeak(Device device) {
        if (device.isCpu()) NativeMemory.resetPeak();
        else Backends.runtime(device).resetPeakMemory();
    }

    /** Gives a device allocator's cached blocks back to the device (for another process, or before measuring). */
    public static void releaseCached(Device device) {
        if (!device.isCpu()) Backends.runtime(device).releaseCached();
    }

    /**
     * Pins host memory (native, e.g. a data loader's reused batch buffer) for copies to and from {@code device} until
     * the returned handle closes: the device's DMA engine then reads it directly instead of through staging.
     */
    public static AutoCloseable registerHost(Device device, java.lang.foreign.MemorySegment host) {
        if (device.isCpu()) throw new IllegalArgumentException("registerHost: the cpu needs no pinned memory");
        return Backends.runtime(device).registerHost(host);
    }

    /** Waits until all work queued on {@code device} has finished (no-op on the CPU, whose kernels are synchronous). */
    public static void synchronize(Device device) {
        if (!device.isCpu()) Backends.runtime(device).synchronize();
    }
}
