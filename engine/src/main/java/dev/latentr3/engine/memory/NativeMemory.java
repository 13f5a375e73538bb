package dev.latentr3.engine.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Host memory for tensors: 64-byte aligned blocks from the C allocator, each tied to an {@link Arena} so that the
 * arena's close frees it and invalidates every view of it (use after close fails instead of reading freed memory).
 *
 * <p>Why not {@code arena.allocate}: it zero-fills every block, which for activations that a kernel overwrites at
 * once is a wasted pass over memory; and the C allocator reuses freed blocks, which keeps a training step from
 * touching fresh pages every time.
 *
 * <p>Memory that no scope owns is also freed by the garbage collector as a safety net ({@link #allocateCollectable}),
 * and what that collector watches is the arena's scope, never a Java object wrapping the segment: kernels hold only
 * segments (and their slices), all of which keep the scope reachable, so the memory cannot be freed under a kernel
 * that is still reading or writing it.
 */
public final class NativeMemory {
    private NativeMemory() {}

    public static final long ALIGNMENT = 64;

    private static final AtomicLong LIVE_BYTES = new AtomicLong();
    private static final AtomicLong PEAK_BYTES = new AtomicLong();

    private static final Cleaner CLEANER = Cleaner.create();

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
        Block block = Block.allocate(bytes);
        return MemorySegment.ofAddress(block.address).reinterpret(bytes, owner, seg -> block.free());
    }

    /** A block tied to an arena that can also be freed before the arena closes (whose close then skips it). */
    public record Releasable(MemorySegment segment, Runnable free) {}

    /**
     * {@link #allocate}, with a handle to free the block early. The segment's scope stays the arena's, so after an
     * early free the segment itself does not fail: whoever frees early must make every user of it fail first (a
     * scoped {@link Storage} does, through {@link Storage#isAlive}).
     */
    public static Releasable allocateReleasable(long bytes, Arena owner) {
        Block block = Block.allocate(bytes);
        MemorySegment segment = MemorySegment.ofAddress(block.address).reinterpret(bytes, owner, seg -> block.free());
        return new Releasable(segment, block::free);
    }

    /**
     * {@link #allocate}, and freed by the garbage collector if {@code owner} is never closed, once neither it nor any
     * segment of its memory can be reached. Keyed on the scope rather than on an object that wraps the segment (a
     * tensor, its storage): those go out of reach as soon as an op has taken the segment out of them, while a kernel
     * may still be running on it; freeing then closed the arena under the kernel ("Already closed" in a worker).
     */
    public static MemorySegment allocateCollectable(long bytes, Arena owner) {
        Block block = Block.allocate(bytes);
        MemorySegment segment = MemorySegment.ofAddress(block.address).reinterpret(bytes, owner, seg -> block.free());
        // The action holds the block only: holding the arena or a segment would keep the scope reachable forever.
        CLEANER.register(owner.scope(), block::free);
        return segment;
    }

    /** One C allocation; freed once, by whichever comes first of its arena's close and the collector. */
    private static final class Block {
        final long address, rounded;
        private final AtomicBoolean freed = new AtomicBoolean();

        private Block(long address, long rounded) {
            this.address = address;
            this.rounded = rounded;
        }

        static Block allocate(long bytes) {
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
            return new Block(raw.address(), rounded);
        }

        void free() {
            if (freed.compareAndSet(false, true)) release(address, rounded);
        }
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

    /** Starts the peak over from what is live now (process-wide: every thread's host tensors count). */
    public static void resetPeak() {
        PEAK_BYTES.set(LIVE_BYTES.get());
    }
}
