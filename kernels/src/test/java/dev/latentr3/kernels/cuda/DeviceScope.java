package dev.latentr3.kernels.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A test's device buffers and host arena, released together: uploads host data, allocates outputs (poisoned with NaN so
 * that a kernel that skips an element cannot pass), and downloads results into fresh host segments.
 */
final class DeviceScope implements AutoCloseable {
    final CudaRuntime rt;
    final Arena arena = Arena.ofConfined();
    private final List<DeviceBuffer> buffers = new ArrayList<>();

    DeviceScope(CudaRuntime rt) {
        this.rt = rt;
    }

    /** A device copy of {@code host}. */
    MemorySegment upload(MemorySegment host) {
        DeviceBuffer b = rt.upload(host);
        buffers.add(b);
        return b.segment();
    }

    /** n floats on the device, every one NaN. */
    MemorySegment nanFloats(long n) {
        return bytes(n * Float.BYTES, 0x7fc00000);
    }

    /** {@code bytes} bytes on the device, filled with the 32-bit word {@code word}. */
    MemorySegment bytes(long bytes, int word) {
        long words = Math.max(1, Math.ceilDiv(bytes, 4));
        DeviceBuffer b = rt.allocator().allocate(words * 4);
        buffers.add(b);
        rt.fill32(b.segment(), word, words);
        return b.segment().asSlice(0, bytes);
    }

    /** A host copy of the first {@code bytes} bytes of a device segment. */
    MemorySegment download(MemorySegment device, long bytes) {
        MemorySegment host = arena.allocate(Math.max(1, bytes), 64).asSlice(0, bytes);
        rt.copyToHost(device.asSlice(0, bytes), host);
        return host;
    }

    MemorySegment downloadFloats(MemorySegment device, long n) {
        return download(device, n * Float.BYTES);
    }

    @Override
    public void close() {
        for (DeviceBuffer b : buffers) b.close();
        arena.close();
    }
}
