package dev.latentr3.kernels.cuda;

import dev.latentr3.kernels.Backend;
import dev.latentr3.kernels.Segments;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Backend record over the emulator routes each family to the device kernels, and the allocator caches. */
class CudaBackendsTest {

    @Test
    void theBackendRunsOnTheDeviceSegmentsItIsGiven() {
        CudaRuntime rt = CudaTestRuntimes.emulator();
        Backend backend = CudaBackends.of(rt);
        assertEquals("cuda-emulated", backend.name());
        try (DeviceScope d = new DeviceScope(rt)) {
            MemorySegment x = d.upload(d.arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1f, 2f, 3f, 4f));
            MemorySegment y = d.nanFloats(4);
            backend.rows().softmax(1, 4, x, y);
            MemorySegment got = d.downloadFloats(y, 4);
            double sum = Math.exp(1) + Math.exp(2) + Math.exp(3) + Math.exp(4);
            for (int i = 0; i < 4; i++) assertEquals(Math.exp(i + 1) / sum, Segments.getFloat(got, i), 1e-6);
        }
    }

    @Test
    void freedBuffersAreReusedFromTheCache() {
        CudaRuntime rt = CudaTestRuntimes.emulator();
        DeviceAllocator allocator = rt.allocator();
        DeviceBuffer first = allocator.allocate(3000);
        long address = first.address();
        first.close();
        DeviceAllocator.Stats before = allocator.stats();
        try (DeviceBuffer second = allocator.allocate(4000)) {  // same 4 KiB size class
            assertEquals(address, second.address());
            DeviceAllocator.Stats during = allocator.stats();
            assertEquals(before.cacheHits() + 1, during.cacheHits());
            assertEquals(before.liveBytes() + 4096, during.liveBytes());
            assertEquals(before.cachedBytes() - 4096, during.cachedBytes());
        }
        assertEquals(before.liveBytes(), allocator.stats().liveBytes());
    }

    @Test
    void memoryInfoAndEventTimingWork() {
        CudaRuntime rt = CudaTestRuntimes.emulator();
        CudaRuntime.MemoryInfo info = rt.memoryInfo();
        assertTrue(info.total() > 0 && info.free() <= info.total(), info.toString());
        try (DeviceScope d = new DeviceScope(rt)) {
            MemorySegment y = d.nanFloats(1000);
            float ms = rt.timeMillis(() -> CudaBackends.of(rt).elementwise().fill(1000, 1f, y));
            assertTrue(ms >= 0 && ms < 10_000, "elapsed " + ms + " ms");
        }
    }
}
