package dev.latentr3.engine.memory;

import dev.latentr3.engine.Backends;
import dev.latentr3.engine.Device;
import dev.latentr3.kernels.DeviceRuntime;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;

/**
 * The memory behind one or more tensors (views share it), on the host or on an accelerator. Three kinds of ownership,
 * all explicit:
 * <ul>
 *   <li>scoped: allocated while a {@link TensorScope} is open on this thread; freed, with everything else of that
 *   scope, when the scope closes (one arena close per training step instead of one per tensor; device blocks go back
 *   to their allocator's cache), or earlier by {@link #release()};</li>
 *   <li>owned: allocated outside any scope (parameters, gradients, optimizer state); freed by {@link #close()}, or
 *   by the garbage collector as a safety net once nothing refers to it (for host memory: nor to any segment of it,
 *   so that a kernel still working on the segment of a tensor that is already garbage keeps its memory);</li>
 *   <li>borrowed: a caller's segment (an mmapped file, their own off-heap buffer) wrapped without copying; its
 *   lifetime is the caller's arena, and we never free it.</li>
 * </ul>
 * Device memory comes from the device's {@link DeviceRuntime} (its caching allocator: no driver call per tensor in
 * steady state), and its segment cannot be read by Java ({@link dev.latentr3.kernels.DeviceSegments}): kernels and
 * copies use it, host code gets a clear error from {@code Tensor.hostData} or an exception from the segment itself.
 */
public final class Storage {
    public enum Ownership { SCOPED, OWNED, BORROWED }

    private static final Cleaner CLEANER = Cleaner.create();

    private final MemorySegment segment;
    private final Device device;
    private final Ownership ownership;
    private final DeviceAllocation allocation; // device memory we allocated, else null
    private Cleaner.Cleanable cleanable; // set for OWNED device memory only
    private Arena arena; // set for OWNED host memory only
    private Runnable hostFree; // set for SCOPED host memory only: frees its block before the scope closes
    private volatile boolean released; // SCOPED memory freed early by release()

    private Storage(MemorySegment segment, Device device, Ownership ownership, DeviceAllocation allocation) {
        this.segment = segment;
        this.device = device;
        this.ownership = ownership;
        this.allocation = allocation;
    }

    /**
     * A device block and whether it was given back; the Cleaner's action holds this, never the storage. Unlike host
     * memory (see {@link #owned}) the safety net here watches the storage, since every device segment shares one
     * scope ({@link dev.latentr3.kernels.DeviceSegments}) and so cannot keep its memory reachable; taking the segment
     * pins the storage for a while instead ({@link #segment()}).
     */
    static final class DeviceAllocation implements Runnable {
        private final DeviceRuntime.Block block;
        private volatile boolean freed;

        DeviceAllocation(DeviceRuntime.Block block) {
            this.block = block;
        }

        @Override
        public void run() {
            if (freed) return;
            freed = true;
            block.close();
        }
    }

    /** Uninitialised host memory: scoped if a scope is open on this thread, else owned. */
    public static Storage allocate(long bytes) {
        return allocate(Device.CPU, bytes);
    }

    /** Uninitialised memory on {@code device}: scoped if a scope is open on this thread, else owned. */
    public static Storage allocate(Device device, long bytes) {
        TensorScope scope = TensorScope.current();
        if (scope == null) return owned(device, bytes);
        Storage s;
        if (device.isCpu()) {
            NativeMemory.Releasable block = NativeMemory.allocateReleasable(bytes, scope.arena());
            s = new Storage(block.segment(), Device.CPU, Ownership.SCOPED, null);
            s.hostFree = block.free();
        } else {
            DeviceAllocation a = deviceAllocation(device, bytes);
            scope.onClose(a);
            s = new Storage(a.block.segment().asSlice(0, bytes), device, Ownership.SCOPED, a);
        }
        scope.track(s);
        return s;
    }

    /** Memory that lives as long as {@code like} does, on its device: a gradient lives as long as its parameter. */
    public static Storage allocateLike(Storage like, long bytes) {
        return like.ownership == Ownership.SCOPED ? allocate(like.device, bytes) : owned(like.device, bytes);
    }

    /** Owned host memory, whatever scope is open. */
    public static Storage owned(long bytes) {
        return owned(Device.CPU, bytes);
    }

    /** Owned memory on {@code device}, whatever scope is open. */
    public static Storage owned(Device device, long bytes) {
        Storage s;
        if (device.isCpu()) {
            // The collector's safety net watches the memory's scope, not this storage: ops take the segment out of
            // a tensor and hand it to kernels, and the tensor may be garbage while they run (NativeMemory).
            Arena arena = Arena.ofShared();
            s = new Storage(NativeMemory.allocateCollectable(bytes, arena), Device.CPU, Ownership.OWNED, null);
            s.arena = arena;
        } else {
            DeviceAllocation a = deviceAllocation(device, bytes);
            s = new Storage(a.block.segment().asSlice(0, bytes), device, Ownership.OWNED, a);
            s.cleanable = CLEANER.register(s, a);
        }
        return s;
    }

    private static DeviceAllocation deviceAllocation(Device device, long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("allocation size must be >= 0, got " + bytes);
        // Allocators hand out at least one byte: an empty tensor still gets a distinct, valid address.
        return new DeviceAllocation(Backends.runtime(device).allocate(Math.max(1, bytes)));
    }

    /** Wraps a caller's segment; nothing is copied and nothing will be freed by us. */
    public static Storage borrow(MemorySegment segment, Device device) {
        return new Storage(segment, device, Ownership.BORROWED, null);
    }

    /**
     * The memory itself. Ops take it to hand to kernels, after which the tensor may be garbage: owned device memory is
     * then kept from the collector's safety net for the next {@link RecentDeviceStorages#DEPTH} segments this thread
     * takes, enough for any op to launch its kernel on it (host memory needs no such help: its segment keeps it).
     */
    public MemorySegment segment() {
        if (cleanable != null) RecentDeviceStorages.pin(this);
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
        if (released) return false;
        // A device segment's scope is never alive (that is what keeps Java out of it); our allocation says.
        if (allocation != null) return !allocation.freed;
        return segment.scope().isAlive();
    }

    /**
     * Frees scoped memory now, before its scope closes, for a tensor known to be dead (autograd's gradients and
     * temporaries once the backward has used them): a device block goes back to its allocator's cache (work already
     * queued on the device's stream still runs before whatever reuses it), a host block to the C allocator. Every
     * tensor over this storage then fails when used, as after its scope closed. Idempotent.
     */
    public void release() {
        if (ownership != Ownership.SCOPED) {
            throw new IllegalStateException("release: only scoped memory is freed early; this storage is " + ownership
                    + (ownership == Ownership.OWNED ? " (free it with close())" : " (its owner frees it)"));
        }
        released = true; // first, so that no tensor over it reaches the memory from now on
        if (allocation != null) allocation.run();
        else hostFree.run();
    }

    /** Frees owned memory now. Scoped memory is freed by its scope, borrowed memory by its owner. Idempotent. */
    public synchronized void close() {
        if (cleanable != null) cleanable.clean();
        if (arena != null && arena.scope().isAlive()) arena.close();
    }
}
