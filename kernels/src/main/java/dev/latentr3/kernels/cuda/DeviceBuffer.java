package dev.latentr3.kernels.cuda;

import java.lang.foreign.MemorySegment;

/**
 * A block of device memory from a {@link DeviceAllocator}; {@link #close()} gives it back to the allocator's cache.
 * Its {@link #segment()} carries the device address and the requested size: the kernels' argument checks read sizes
 * from it, and a launch passes its address. Java must never read or write it on a GPU (it is not host memory).
 */
public final class DeviceBuffer implements AutoCloseable {
    private final DeviceAllocator owner;
    private final long address;
    private final long bytes;
    private final long capacity;
    private boolean closed;

    DeviceBuffer(DeviceAllocator owner, long address, long bytes, long capacity) {
        this.owner = owner;
        this.address = address;
        this.bytes = bytes;
        this.capacity = capacity;
    }

    /** The device address as a segment of {@link #bytes()} bytes. */
    public MemorySegment segment() {
        checkOpen();
        return MemorySegment.ofAddress(address).reinterpret(bytes);
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
        if (closed) return;
        closed = true;
        owner.release(this);
    }
}
