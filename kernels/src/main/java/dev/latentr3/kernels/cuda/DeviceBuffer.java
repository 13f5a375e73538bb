package dev.latentr3.kernels.cuda;

import dev.latentr3.kernels.DeviceRuntime;
import dev.latentr3.kernels.DeviceSegments;

import java.lang.foreign.MemorySegment;

/**
 * A block of device memory from a {@link DeviceAllocator}; {@link #close()} gives it back to the allocator's cache.
 * Its {@link #segment()} carries the device address and the requested size: the kernels' argument checks read sizes
 * from it, and a launch passes its address. It is a {@link DeviceSegments} segment: Java cannot read or write it, on a
 * GPU nor in the emulator (whose device memory is host memory), so host code touching device memory fails in CI.
 * {@link #close()} may be called from any thread (the engine's Cleaner frees owned tensors).
 */
public final class DeviceBuffer implements DeviceRuntime.Block {
    private final DeviceAllocator owner;
    private final long address;
    private final long bytes;
    private final long capacity;
    private volatile boolean closed;

    DeviceBuffer(DeviceAllocator owner, long address, long bytes, long capacity) {
        this.owner = owner;
        this.address = address;
        this.bytes = bytes;
        this.capacity = capacity;
    }

    /** The device address as a segment of {@link #bytes()} bytes, not accessible from the host. */
    @Override
    public MemorySegment segment() {
        checkOpen();
        return DeviceSegments.of(address, bytes);
    }

    public long address() {
        return address;
    }

    /** The size asked for. */
    public long bytes() {
        return bytes;
    }

    /** The size of the underlying block (rounded up to the allocator's size class). */
    long capacity() {
        return capacity;
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("device buffer of " + bytes + " bytes used after close");
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        owner.release(this);
    }
}
