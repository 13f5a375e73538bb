package dev.latentr3.kernels.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.TreeMap;

/**
 * Page-locked host memory of one runtime: ranges the caller registered ({@code cuMemHostRegister}), which copies use
 * directly (the DMA engine reads or writes them, no staging copy), and the runtime's own pinned staging buffers for
 * copies of ordinary (pageable) memory.
 *
 * <p>Host to device, pageable: the bytes go through two pinned buffers in chunks; each chunk is copied into a buffer
 * on the host and sent with an asynchronous copy on the stream, and an event says when the buffer may be reused. The
 * call returns once the last chunk is queued, not transferred: the caller may reuse its memory at once (the bytes are
 * in staging), the stream orders the copy before later kernels, and the next chunk's host copy overlaps the previous
 * one's transfer. Device to host returns when the bytes are in the caller's memory.
 */
final class PinnedHost {
    /** Copies of fewer bytes go straight to the driver: staging them would cost more than it saves. */
    static final long STAGING_THRESHOLD = 64 << 10;
    /** Bytes per staging buffer (two of them). */
    static final long CHUNK = 4 << 20;

    private final CudaRuntime rt;
    private final TreeMap<Long, Long> registered = new TreeMap<>(); // start address -> bytes
    private final MemorySegment[] staging = new MemorySegment[2];
    private final MemorySegment[] ready = new MemorySegment[2]; // events: the buffer's last transfer is done
    private int next;

    PinnedHost(CudaRuntime rt) {
        this.rt = rt;
    }

    /** A registration of a caller's host range; closing it unregisters the range. */
    final class Registration implements AutoCloseable {
        private final MemorySegment segment;
        private boolean closed;

        private Registration(MemorySegment segment) {
            this.segment = segment;
        }

        @Override
        public void close() {
            synchronized (PinnedHost.this) {
                if (closed) return;
                closed = true;
                registered.remove(segment.address());
                rt.makeCurrent();
                rt.driver().check(rt.driver().cuMemHostUnregister(segment), "cuMemHostUnregister");
            }
        }
    }

    synchronized Registration register(MemorySegment host) {
        if (!host.isNative() || host.byteSize() == 0) {
            throw new IllegalArgumentException("registerHost: only non-empty native (off-heap) memory can be pinned, got "
                    + host);
        }
        rt.makeCurrent();
        int rc = rt.driver().cuMemHostRegister_v2(host, host.byteSize(), CudaDriver.CU_MEMHOST_PORTABLE);
        if (rc == CudaDriver.CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED) {
            throw new IllegalStateException("registerHost: [0x" + Long.toHexString(host.address()) + ", +" + host.byteSize()
                    + ") overlaps host memory that is already registered");
        }
        rt.driver().check(rc, "cuMemHostRegister_v2(" + host.byteSize() + " bytes)");
        registered.put(host.address(), host.byteSize());
        return new Registration(host);
    }

    /** Whether all of {@code host} lies in one registered range. */
    synchronized boolean isPinned(MemorySegment host) {
        if (!host.isNative()) return false;
        Map.Entry<Long, Long> e = registered.floorEntry(host.address());
        return e != null && host.address() + host.byteSize() <= e.getKey() + e.getValue();
    }

    /** Host to device through the staging buffers (see the class comment); host may be any segment. */
    synchronized void stagedToDevice(MemorySegment host, long device) {
        CudaDriver d = rt.driver();
        for (long at = 0; at < host.byteSize(); at += CHUNK) {
            long n = Math.min(CHUNK, host.byteSize() - at);
            int b = claim();
            MemorySegment.copy(host, at, staging[b], 0, n);
            d.check(d.cuMemcpyHtoDAsync_v2(device + at, staging[b], n, MemorySegment.NULL), "cuMemcpyHtoDAsync_v2");
            d.check(d.cuEventRecord(ready[b], MemorySegment.NULL), "cuEventRecord");
        }
    }

    /** Device to host through the staging buffers; returns when host holds the bytes. */
    synchronized void stagedToHost(long device, MemorySegment host) {
        CudaDriver d = rt.driver();
        for (long at = 0; at < host.byteSize(); at += CHUNK) {
            long n = Math.min(CHUNK, host.byteSize() - at);
            int b = claim();
            d.check(d.cuMemcpyDtoHAsync_v2(staging[b], device + at, n, MemorySegment.NULL), "cuMemcpyDtoHAsync_v2");
            d.check(d.cuEventRecord(ready[b], MemorySegment.NULL), "cuEventRecord");
            d.check(d.cuEventSynchronize(ready[b]), "cuEventSynchronize");
            MemorySegment.copy(staging[b], 0, host, at, n);
        }
    }

    /** The next staging buffer, allocated on first use, once its previous transfer has finished. */
    private int claim() {
        rt.makeCurrent();
        int b = next;
        next ^= 1;
        CudaDriver d = rt.driver();
        try (Arena arena = Arena.ofConfined()) {
            if (staging[b] == null) {
                MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
                d.check(d.cuMemHostAlloc(out, CHUNK, CudaDriver.CU_MEMHOST_PORTABLE), "cuMemHostAlloc(" + CHUNK + " bytes)");
                // Kept for the runtime's life, like its context: a handful of megabytes, reused by every copy.
                staging[b] = out.get(ValueLayout.ADDRESS, 0).reinterpret(CHUNK);
                d.check(d.cuEventCreate(out, CudaDriver.CU_EVENT_DISABLE_TIMING), "cuEventCreate");
                ready[b] = out.get(ValueLayout.ADDRESS, 0);
            } else {
                d.check(d.cuEventSynchronize(ready[b]), "cuEventSynchronize");
            }
        }
        return b;
    }
}
