package dev.latentr3.kernels.cuda;

import dev.latentr3.kernels.DeviceSegments;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Copies between host and device: small direct ones, large pageable ones through the pinned staging buffers (several
 * chunks, both buffers, an odd tail), registered (pinned) host memory, heap arrays, and their ordering on the stream.
 * Device segments refuse host access.
 */
abstract class HostCopiesContract {
    abstract CudaRuntime runtime();

    private static MemorySegment pattern(Arena arena, long bytes, long seed) {
        byte[] values = new byte[Math.toIntExact(bytes)];
        new Random(seed).nextBytes(values);
        MemorySegment s = arena.allocate(bytes, 64);
        s.copyFrom(MemorySegment.ofArray(values));
        return s;
    }

    private static void assertSameBytes(MemorySegment expected, MemorySegment actual) {
        assertEquals(expected.byteSize(), actual.byteSize());
        long at = expected.mismatch(actual);
        assertEquals(-1, at, "first differing byte");
    }

    @Test
    void roundTripsOfEverySizeClass() {
        CudaRuntime rt = runtime();
        long chunk = PinnedHost.CHUNK;
        for (long bytes : new long[]{1, 4096 + 3, PinnedHost.STAGING_THRESHOLD, 2 * chunk + 12_345}) {
            try (Arena arena = Arena.ofConfined(); DeviceBuffer d = rt.allocator().allocate(bytes)) {
                MemorySegment src = pattern(arena, bytes, bytes);
                rt.copyToDevice(src, d.segment());
                src.fill((byte) 0); // the copy must not read the source after it returned
                MemorySegment back = arena.allocate(bytes, 64);
                rt.copyToHost(d.segment(), back);
                assertSameBytes(pattern(arena, bytes, bytes), back);
            }
        }
    }

    @Test
    void heapArraysAndDeviceToDeviceOrdering() {
        CudaRuntime rt = runtime();
        int n = (int) (PinnedHost.CHUNK / 4) + 777; // over one chunk, staged
        float[] values = new float[n];
        for (int i = 0; i < n; i++) values[i] = i * 0.5f - 3;
        try (DeviceBuffer a = rt.allocator().allocate(4L * n); DeviceBuffer b = rt.allocator().allocate(4L * n)) {
            rt.copyToDevice(MemorySegment.ofArray(values), a.segment());
            rt.copyOnDevice(a.segment(), b.segment(), 4L * n); // queued after the staged upload
            float[] back = new float[n];
            rt.copyToHost(b.segment(), MemorySegment.ofArray(back));
            for (int i = 0; i < n; i += 997) assertEquals(values[i], back[i], "element " + i);
            assertEquals(values[n - 1], back[n - 1]);
        }
    }

    @Test
    void registeredHostMemoryIsCopiedDirectly() throws Exception {
        CudaRuntime rt = runtime();
        long bytes = PinnedHost.CHUNK + 100;
        try (Arena arena = Arena.ofShared(); DeviceBuffer d = rt.allocator().allocate(bytes)) {
            MemorySegment host = pattern(arena, bytes, 9);
            assertFalse(rt.isRegistered(host));
            try (AutoCloseable pin = rt.registerHost(host)) {
                assertTrue(rt.isRegistered(host));
                assertTrue(rt.isRegistered(host.asSlice(10, 100)));
                IllegalStateException twice = assertThrows(IllegalStateException.class, () -> rt.registerHost(host.asSlice(8)));
                assertTrue(twice.getMessage().contains("already registered"), twice.getMessage());
                rt.copyToDevice(host, d.segment());
                host.fill((byte) 0);
                rt.copyToHost(d.segment(), host);
                assertSameBytes(pattern(arena, bytes, 9), host);
            }
            assertFalse(rt.isRegistered(host));
            assertThrows(IllegalArgumentException.class, () -> rt.registerHost(MemorySegment.ofArray(new byte[16])));
        }
    }

    @Test
    void deviceSegmentsRefuseHostAccess() {
        CudaRuntime rt = runtime();
        try (DeviceBuffer d = rt.allocator().allocate(64)) {
            MemorySegment s = d.segment();
            assertTrue(DeviceSegments.isDevice(s));
            assertTrue(DeviceSegments.isDevice(s.asSlice(8, 8)));
            assertEquals(64, s.byteSize());
            assertThrows(IllegalStateException.class, () -> s.get(ValueLayout.JAVA_INT, 0));
            assertThrows(IllegalStateException.class, () -> MemorySegment.copy(s, 0, MemorySegment.ofArray(new byte[8]), 0, 8));
            assertFalse(DeviceSegments.isDevice(MemorySegment.ofArray(new byte[8])));
        }
    }
}
