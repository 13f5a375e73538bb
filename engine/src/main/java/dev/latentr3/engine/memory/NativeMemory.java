package dev.latentr3.engine.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Host memory for tensors: 64-byte aligned blocks from the C allocator, each tied to an {@link Arena} so that the
 * arena's close frees it and invalidates every view of it (use after close fails instead of reading freed memory).
 *
 * <p>Why not {@code arena.allocate}: it zero-fills every block, which for activations that a kernel overwrites at
 * once is a wasted pass over memory; and the C allocator reuses freed blocks, which keeps a training step from
 * touching fresh pages every time.
 */
public final class NativeMemory {
    private NativeMemory() {}

    public static final long ALIGNMENT = 64;

    private static final AtomicLong LIVE_BYTES = new AtomicLong();
    private static final AtomicLong PEAK_BYTES = new AtomicLong();

    private static final MethodHandle ALIGNED_ALLOC;
    private static final MethodHandle FREE;

    static {
        Linker linker = Linker.nativeLinker();
        var libc = linker.defaultLookup();
        ALIGNED_ALLOC = linker.downcallHandle(libc.find("aligned_alloc").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
        FREE = linker.downcallHandle(libc.find("free").orElseThrow(),
                FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
    }

    /** An uninitialised block of {@code bytes}, freed when {@code owner} closes. */
    public static MemorySegment allocate(long bytes, Arena owner) {
        if (bytes < 0) throw new IllegalArgumentException("allocation size must be >= 0, got " + bytes);
        long rounded = Math.max(ALIGNMENT, (bytes + ALIGNMENT - 1) & -ALIGNMENT); // aligned_alloc wants a multiple
        MemorySegment raw;
        try {
            raw = (MemorySegment) ALIGNED_ALLOC.invokeExact(ALIGNMENT, rounded);
        } catch (Throwable t) {
            throw new IllegalStateException("aligned_alloc failed", t);
        }
        if (raw.address() == 0) {
            throw new OutOfMemoryError("native allocation of " + bytes + " bytes failed (" + liveBytes() + " bytes live)");
        }
        long live = LIVE_BYTES.addAndGet(rounded);
        PEAK_BYTES.accumulateAndGet(live, Math::max);
        long address = raw.address();
        return raw.reinterpret(bytes, owner, seg -> release(address, rounded));
    }

    private static void release(long address, long rounded) {
        try {
            FREE.invokeExact(MemorySegment.ofAddress(address));
        } catch (Throwable t) {
            throw new IllegalStateException("free failed", t);
        }
        LIVE_BYTES.addAndGet(-rounded);
    }

    /** Bytes of tensor memory allocated here and not yet freed (what leak tests count). */
    public static long liveBytes() {
        return LIVE_BYTES.get();
    }

    public static long peakBytes() {
        return PEAK_BYTES.get();
    }
}
