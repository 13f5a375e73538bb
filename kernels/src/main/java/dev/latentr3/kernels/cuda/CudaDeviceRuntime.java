package dev.latentr3.kernels.cuda;

import dev.latentr3.kernels.Backend;
import dev.latentr3.kernels.DeviceRuntime;
import dev.latentr3.kernels.DeviceRuntimes;

import java.lang.foreign.MemorySegment;

/**
 * A {@link CudaRuntime} as the engine's "cuda" device: its kernels ({@link CudaBackends}), its caching allocator and
 * its copies. The runtime is NVIDIA's driver and the GPU, or with {@code -Dlatentr3.cuda.emulate=true} the CPU
 * emulator running the same kernel sources (how CI runs device code without a GPU).
 */
public final class CudaDeviceRuntime implements DeviceRuntime {
    /** Set to true to run the "cuda" device on the CPU emulator instead of a GPU. */
    public static final String EMULATE_PROPERTY = "latentr3.cuda.emulate";

    private final CudaRuntime rt;
    private final Backend backend;

    public CudaDeviceRuntime(CudaRuntime rt) {
        this.rt = rt;
        this.backend = CudaBackends.of(rt);
    }

    /** Registered in META-INF/services: the "cuda" device type. */
    public static final class Provider implements DeviceRuntimes.Provider {
        private static final class Holder {
            static final CudaRuntime.Availability AVAILABILITY =
                    Boolean.getBoolean(EMULATE_PROPERTY) ? CudaRuntime.emulator() : CudaRuntime.device();
            static final CudaDeviceRuntime RUNTIME =
                    AVAILABILITY.available() ? new CudaDeviceRuntime(AVAILABILITY.runtime()) : null;
        }

        @Override
        public String type() {
            return "cuda";
        }

        @Override
        public DeviceRuntime connect() {
            if (Holder.RUNTIME == null) {
                String how = Boolean.getBoolean(EMULATE_PROPERTY) ? " (" + EMULATE_PROPERTY + "=true: the CPU emulator)" : "";
                throw new IllegalStateException("CUDA unavailable" + how + ": " + Holder.AVAILABILITY.reason(),
                        Holder.AVAILABILITY.failure());
            }
            return Holder.RUNTIME;
        }
    }

    public CudaRuntime cudaRuntime() {
        return rt;
    }

    @Override
    public String type() {
        return "cuda";
    }

    @Override
    public String description() {
        return rt.toString();
    }

    @Override
    public boolean emulated() {
        return rt.emulated();
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public Block allocate(long bytes) {
        return rt.allocator().allocate(bytes);
    }

    @Override
    public void copyToDevice(MemorySegment host, MemorySegment device) {
        rt.copyToDevice(host, device);
    }

    @Override
    public void copyToHost(MemorySegment device, MemorySegment host) {
        rt.copyToHost(device, host);
    }

    @Override
    public void copyOnDevice(MemorySegment src, MemorySegment dst, long bytes) {
        rt.copyOnDevice(src, dst, bytes);
    }

    @Override
    public AutoCloseable registerHost(MemorySegment host) {
        return rt.registerHost(host);
    }

    @Override
    public void synchronize() {
        rt.synchronize();
    }

    @Override
    public long hostWaits() {
        return rt.hostWaits();
    }

    @Override
    public MemoryStats memoryStats() {
        DeviceAllocator.Stats s = rt.allocator().stats();
        return new MemoryStats(s.liveBytes(), s.cachedBytes(), s.peakLiveBytes(), s.allocations(), s.cacheHits(),
                s.liveRequestedBytes(), s.peakRequestedBytes());
    }

    @Override
    public void resetPeakMemory() {
        rt.allocator().resetPeak();
    }

    @Override
    public void releaseCached() {
        rt.allocator().releaseCached();
    }

    @Override
    public String toString() {
        return description();
    }
}
