package dev.latentr3.kernels.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * A caching allocator of device memory: cuMemAlloc and cuMemFree synchronise the device and cost far more than a
 * kernel, so freed blocks are kept by size class and handed out again. Sizes round up to a power of two from 512 bytes
 * to 1 MiB, then to a multiple of 2 MiB, so a training step's repeated shapes hit the cache. When the device is out of
 * memory the cache is released and the allocation retried once.
 */
public final class DeviceAllocator {
    private static final long MIN_BLOCK = 512;
    private static final long SMALL_LIMIT = 1L << 20;
    private static final long LARGE_STEP = 2L << 20;
    private static final int CUDA_ERROR_OUT_OF_MEMORY = 2;

    private final CudaRuntime runtime;
    private final Map<Long, ArrayDeque<Long>> cached = new HashMap<>();
    private long liveBytes, cachedBytes, peakLiveBytes, allocations, cacheHits;
    /** The same as liveBytes and its peak, counting the sizes asked for instead of the blocks handed out. */
    private long liveRequestedBytes, peakRequestedBytes;

    DeviceAllocator(CudaRuntime runtime) {
        this.runtime = runtime;
    }

    /**
     * Counters in bytes of blocks (size classes), and counts of allocate calls and of those served from the cache; the
     * live and peak bytes also as the sizes asked for (what {@code torch.cuda.max_memory_allocated} counts, rounded
     * to 512 bytes there): blocks over 1 MiB round up to 2 MiB steps, up to a third more for a 3 MB tensor.
     */
    public record Stats(long liveBytes, long cachedBytes, long peakLiveBytes, long allocations, long cacheHits,
                        long liveRequestedBytes, long peakRequestedBytes) {}

    static long sizeClass(long bytes) {
        if (bytes <= MIN_BLOCK) return MIN_BLOCK;
        if (bytes <= SMALL_LIMIT) return Long.highestOneBit(bytes - 1) << 1;
        return Math.ceilDiv(bytes, LARGE_STEP) * LARGE_STEP;
    }

    /** A buffer of at least {@code bytes} bytes (contents undefined). */
    public synchronized DeviceBuffer allocate(long bytes) {
        if (bytes <= 0) throw new IllegalArgumentException("device allocation of " + bytes + " bytes: must be > 0");
        long size = sizeClass(bytes);
        allocations++;
        ArrayDeque<Long> free = cached.get(size);
        long address;
        if (free != null && !free.isEmpty()) {
            address = free.pop();
            cachedBytes -= size;
            cacheHits++;
        } else {
            address = deviceAlloc(size);
        }
        liveBytes += size;
        peakLiveBytes = Math.max(peakLiveBytes, liveBytes);
        liveRequestedBytes += bytes;
        peakRequestedBytes = Math.max(peakRequestedBytes, liveRequestedBytes);
        return new DeviceBuffer(this, address, bytes, size);
    }

    private long deviceAlloc(long size) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG);
            runtime.makeCurrent();
            int rc = runtime.driver().cuMemAlloc_v2(out, size);
            if (rc == CUDA_ERROR_OUT_OF_MEMORY && cachedBytes > 0) {
                releaseCached();
                rc = runtime.driver().cuMemAlloc_v2(out, size);
            }
            runtime.driver().check(rc, "cuMemAlloc_v2(" + size + " bytes; allocator holds " + liveBytes
                    + " live, " + cachedBytes + " cached)");
            return out.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    synchronized void release(DeviceBuffer buffer) {
        liveBytes -= buffer.capacity();
        liveRequestedBytes -= buffer.bytes();
        cachedBytes += buffer.capacity();
        cached.computeIfAbsent(buffer.capacity(), k -> new ArrayDeque<>()).push(buffer.address());
    }

    /** Frees every cached block back to the device (live buffers are untouched). */
    public synchronized void releaseCached() {
        runtime.makeCurrent();
        for (ArrayDeque<Long> blocks : cached.values()) {
            while (!blocks.isEmpty()) runtime.driver().check(runtime.driver().cuMemFree_v2(blocks.pop()), "cuMemFree_v2");
        }
        cached.clear();
        cachedBytes = 0;
    }

    /** Starts the peak over from what is live now (as torch.cuda.reset_peak_memory_stats), to measure one phase. */
    public synchronized void resetPeak() {
        peakLiveBytes = liveBytes;
        peakRequestedBytes = liveRequestedBytes;
    }

    public synchronized Stats stats() {
        return new Stats(liveBytes, cachedBytes, peakLiveBytes, allocations, cacheHits, liveRequestedBytes, peakRequestedBytes);
    }
}
