package dev.latentr3.kernels.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Two device ints through which a kernel reports a bad entry (kc_report in native/kernels/common.cuh): the first is
 * 1 + the entry's position (0: none), the second its value. Index values live on the device, so they are checked
 * there; reading the word back waits for the kernel, which is the price of failing with a message instead of reading
 * out of bounds.
 */
final class StatusWord implements AutoCloseable {
    private final CudaRuntime rt;
    private final DeviceBuffer buffer;

    StatusWord(CudaRuntime rt) {
        this.rt = rt;
        this.buffer = rt.allocator().allocate(2L * Integer.BYTES);
        rt.fill32(buffer.segment(), 0, 2);
    }

    MemorySegment segment() {
        return buffer.segment();
    }

    /**
     * Throws IllegalArgumentException("{kernel}: {what}[position] = value {problem}") when a kernel reported an entry.
     */
    void check(String kernel, String what, String problem) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(2L * Integer.BYTES, 4);
            rt.copyToHost(buffer.segment(), host);
            int position = host.getAtIndex(ValueLayout.JAVA_INT, 0) - 1;
            if (position >= 0) {
                throw new IllegalArgumentException(kernel + ": " + what + "[" + position + "] = "
                        + host.getAtIndex(ValueLayout.JAVA_INT, 1) + " " + problem);
            }
        }
    }

    @Override
    public void close() {
        buffer.close();
    }
}
