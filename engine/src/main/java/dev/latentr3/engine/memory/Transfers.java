package dev.latentr3.engine.memory;

import dev.latentr3.engine.Backends;
import dev.latentr3.engine.Device;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Byte copies between the memories of any two devices: host to host by {@link MemorySegment#copy}, and anything
 * touching an accelerator through its runtime's copies (ordered after the work already queued on it; a copy to the host
 * returns when the host can read the bytes). Two different accelerator types go through the host.
 */
public final class Transfers {
    private Transfers() {}

    /** Copies the first {@code bytes} bytes of {@code src} (on {@code from}) to the start of {@code dst} (on {@code to}). */
    public static void copy(MemorySegment src, Device from, MemorySegment dst, Device to, long bytes) {
        if (bytes == 0) return;
        if (bytes < 0 || src.byteSize() < bytes || dst.byteSize() < bytes) {
            throw new IllegalArgumentException("copy of " + bytes + " bytes from " + src.byteSize() + " bytes on " + from
                    + " to " + dst.byteSize() + " bytes on " + to);
        }
        if (from.isCpu() && to.isCpu()) {
            MemorySegment.copy(src, 0, dst, 0, bytes);
        } else if (from.isCpu()) {
            Backends.runtime(to).copyToDevice(src.asSlice(0, bytes), dst);
        } else if (to.isCpu()) {
            Backends.runtime(from).copyToHost(src, dst.asSlice(0, bytes));
        } else if (from.type().equals(to.type())) {
            Backends.runtime(from).copyOnDevice(src, dst, bytes);
        } else {
            try (Arena staging = Arena.ofConfined()) {
                MemorySegment host = staging.allocate(bytes, 64);
                Backends.runtime(from).copyToHost(src, host);
                Backends.runtime(to).copyToDevice(host, dst);
            }
        }
    }
}
