package dev.latentr3.kernels;

import java.lang.foreign.MemorySegment;

/**
 * One accelerator as the engine sees it, whatever drives it: its kernels, a caching allocator of its memory, and
 * copies between it and the host. Device segments come from {@link DeviceSegments} (Java cannot read them); host
 * segments are ordinary native or heap segments. Work is ordered on one stream: a kernel launched before a copy has
 * finished writing what the copy reads, and a copy to the host returns when the host can read it.
 *
 * <p>Implementations are found with {@link DeviceRuntimes#connect(String)}.
 */
public interface DeviceRuntime {

    /** The device type the engine names it by (e.g. "cuda"). */
    String type();

    /** The device in words, for messages and logs. */
    String description();

    /** Whether this is a CPU emulation of the device rather than the hardware. */
    boolean emulated();

    Backend backend();

    /**
     * A block of at least {@code bytes} bytes (contents undefined) from the allocator's cache when one fits, else from
     * the device. Closing it gives it back to the cache; no device call happens on either path in steady state.
     */
    Block allocate(long bytes);

    /** Copies all of {@code host} to the start of {@code device}. */
    void copyToDevice(MemorySegment host, MemorySegment device);

    /** Fills all of {@code host} from the start of {@code device}, after the work queued before it. */
    void copyToHost(MemorySegment device, MemorySegment host);

    /** Copies {@code bytes} bytes from {@code src} to {@code dst}, both device segments, not overlapping. */
    void copyOnDevice(MemorySegment src, MemorySegment dst, long bytes);

    /**
     * Pins native host memory until the returned handle closes, so that copies from and to it need no staging
     * (for buffers reused across many copies). Fails when the range overlaps one already registered.
     */
    AutoCloseable registerHost(MemorySegment host);

    /** Waits for all queued work. */
    void synchronize();

    /**
     * How many calls so far could make the host wait for the device (copies to or from it, {@link #synchronize()}): each
     * drains the launch queue, so tests check with it that a step's host round trips do not grow with its tensors.
     */
    long hostWaits();

    MemoryStats memoryStats();

    /** Starts {@link MemoryStats#peakLiveBytes} over from the bytes live now, so that a later read is one phase's peak. */
    void resetPeakMemory();

    /** Frees the allocator's cached (unused) blocks back to the device. */
    void releaseCached();

    /** Device memory handed out by {@link #allocate}. */
    interface Block extends AutoCloseable {
        /** The memory as a device segment of the requested size. */
        MemorySegment segment();

        /** Gives the memory back to the allocator's cache; idempotent; callable from any thread. */
        @Override
        void close();
    }

    /**
     * The allocator's counters, in bytes of blocks (rounded to its size classes): handed out and not closed, kept in
     * the cache, the highest live value so far; counts of allocations and of those the cache served; and the live and
     * peak bytes counted as the sizes asked for.
     */
    record MemoryStats(long liveBytes, long cachedBytes, long peakLiveBytes, long allocations, long cacheHits,
                       long liveRequestedBytes, long peakRequestedBytes) {}
}
