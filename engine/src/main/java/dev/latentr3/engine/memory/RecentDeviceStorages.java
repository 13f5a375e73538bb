package dev.latentr3.engine.memory;

/**
 * Keeps the owned device storages whose segment a thread took most recently strongly reachable, so the garbage
 * collector's safety net cannot give a block back to the device allocator between an op taking a tensor's segment
 * and launching its kernel. Without it, a temporary that is garbage right after {@code t.data()} could be freed,
 * its block handed to the op's own output by the allocator, and the kernel would read and write the same memory.
 *
 * <p>Host memory has no such window (a segment keeps its memory: {@link NativeMemory#allocateCollectable}); device
 * segments cannot, since they all share one closed scope that keeps Java out of device memory. A ring per thread of
 * the last {@link #DEPTH} storages is the bound instead: an op takes a handful of segments before its launch (the
 * attention backward, among the most, about ten), so a storage stays pinned for several ops' worth of segments after
 * its last use. Storages that stay reachable anyway (parameters, optimizer state) pass through the ring at no cost but
 * a slot; garbage leaves it as other segments are taken, and the collector frees it then. The depth is kept small
 * because code that runs ops outside any {@link TensorScope} holds up to that many garbage blocks a little longer.
 */
final class RecentDeviceStorages {
    private RecentDeviceStorages() {}

    /** How many of a thread's latest owned device segments stay pinned. */
    static final int DEPTH = 64;

    private static final class Ring {
        final Storage[] slots = new Storage[DEPTH];
        int next;
    }

    private static final ThreadLocal<Ring> RINGS = ThreadLocal.withInitial(Ring::new);

    static void pin(Storage s) {
        Ring r = RINGS.get();
        if (r.slots[(r.next + DEPTH - 1) % DEPTH] == s) return; // the same tensor's segment taken twice in a row
        r.slots[r.next] = s;
        r.next = (r.next + 1) % DEPTH;
    }
}
