package dev.latentr3.engine.memory;

import dev.latentr3.engine.Device;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;

/**
 * The memory behind one or more tensors (views share it). Three kinds of ownership, all explicit:
 * <ul>
 *   <li>scoped: allocated while a {@link TensorScope} is open on this thread; freed, with everything else of that
 *   scope, when the scope closes (one arena close per training step instead of one per tensor);</li>
 *   <li>owned: allocated outside any scope (parameters, gradients, optimizer state); freed by {@link #close()}, or
 *   by the garbage collector as a safety net once nothing refers to it;</li>
 *   <li>borrowed: a caller's segment (an mmapped file, their own off-heap buffer) wrapped without copying; its
 *   lifetime is the caller's arena, and we never free it.</li>
 * </ul>
 */
public final class Storage {
    public enum Ownership { SCOPED, OWNED, BORROWED }

    private static final Cleaner CLEANER = Cleaner.create();

    private final MemorySegment segment;
    private final Device device;
    private final Ownership ownership;
    private Cleaner.Cleanable cleanable; // set for OWNED only

    private Storage(MemorySegment segment, Device device, Ownership ownership) {
        this.segment = segment;
        this.device = device;
        this.ownership = ownership;
    }

    /** Uninitialised host memory: scoped if a scope is open on this thread, else owned. */
    public static Storage allocate(long bytes) {
        TensorScope scope = TensorScope.current();
        return scope != null ? new Storage(NativeMemory.allocate(bytes, scope.arena()), Device.CPU, Ownership.SCOPED)
                             : owned(bytes);
    }

    /** Memory that lives as long as {@code like} does: a gradient lives as long as its parameter. */
    public static Storage allocateLike(Storage like, long bytes) {
        return like.ownership == Ownership.SCOPED ? allocate(bytes) : owned(bytes);
    }

    /** Owned host memory, whatever scope is open. */
    public static Storage owned(long bytes) {
        Arena arena = Arena.ofShared();
        Storage s = new Storage(NativeMemory.allocate(bytes, arena), Device.CPU, Ownership.OWNED);
        s.cleanable = CLEANER.register(s, arena::close); // the action holds the arena, never the storage
        return s;
    }

    /** Wraps a caller's segment; nothing is copied and nothing will be freed by us. */
    public static Storage borrow(MemorySegment segment, Device device) {
        return new Storage(segment, device, Ownership.BORROWED);
    }

    public MemorySegment segment() {
        return segment;
    }

    public Device device() {
        return device;
    }

    public Ownership ownership() {
        return ownership;
    }

    public long byteSize() {
        return segment.byteSize();
    }

    public boolean isAlive() {
        return segment.scope().isAlive();
    }

    /** Frees owned memory now. Scoped memory is freed by its scope, borrowed memory by its owner. Idempotent. */
    public void close() {
        if (cleanable != null) cleanable.clean();
    }
}
