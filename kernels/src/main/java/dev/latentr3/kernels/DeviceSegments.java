package dev.latentr3.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Segments that stand for accelerator memory: they carry a device address and a size (kernels check sizes and pass
 * addresses), but Java cannot read or write through them. They are slices of one segment whose arena was closed at
 * start-up, so every host access (get, set, copy, fill) throws {@code IllegalStateException}, also in the CPU
 * emulator, whose "device memory" is host memory and would otherwise be read silently: that is how CI catches host
 * code touching device tensors.
 */
public final class DeviceSegments {
    private DeviceSegments() {}

    private static final MemorySegment ADDRESS_SPACE;

    static {
        Arena closed = Arena.ofShared();
        ADDRESS_SPACE = MemorySegment.NULL.reinterpret(Long.MAX_VALUE, closed, null);
        closed.close();
    }

    /** The device memory at {@code address}, {@code bytes} long, not accessible from the host. */
    public static MemorySegment of(long address, long bytes) {
        if (address <= 0) throw new IllegalArgumentException("device address must be > 0, got " + address);
        return ADDRESS_SPACE.asSlice(address, bytes);
    }

    /** Whether {@code segment} was made by {@link #of} (or is a slice of one). */
    public static boolean isDevice(MemorySegment segment) {
        return segment.scope().equals(ADDRESS_SPACE.scope());
    }
}
