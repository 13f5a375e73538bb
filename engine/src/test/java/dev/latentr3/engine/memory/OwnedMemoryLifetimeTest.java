package dev.latentr3.engine.memory;

import dev.latentr3.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.WeakReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The garbage collector's safety net for owned host memory frees it only when nothing can use it: ops take a tensor's
 * segment and hand it to kernels, after which the tensor itself may be garbage (a gradient in the middle of
 * backward, say). It used to be freed then, under the running kernel ("Already closed" in FastRows.swigluBackward).
 */
class OwnedMemoryLifetimeTest {

    private record Taken(MemorySegment segment, WeakReference<Tensor> tensor, WeakReference<Storage> storage) {}

    /** What an op does: takes the segment out of a fresh owned tensor, which nothing refers to afterwards. */
    private static Taken segmentOfADroppedTensor(int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) values[i] = i * 0.25f;
        Tensor t = Tensor.of(values, n);
        return new Taken(t.data(), new WeakReference<>(t), new WeakReference<>(t.storage()));
    }

    @Test
    void aSegmentInUseKeepsItsMemoryAfterTheTensorIsCollected() throws InterruptedException {
        assertEquals(null, TensorScope.current(), "the test needs owned memory, so no scope may be open");
        int n = 4096;
        Taken taken = segmentOfADroppedTensor(n);
        MemorySegment segment = taken.segment();
        for (int tries = 0; tries < 200 && (taken.tensor().get() != null || taken.storage().get() != null); tries++) {
            System.gc();
            Thread.sleep(5);
        }
        assertTrue(taken.storage().get() == null, "the tensor's storage was never collected, so this proves nothing");
        // The collector's cleanup runs on its own thread a little later: give it every chance to (wrongly) free.
        for (int round = 0; round < 20; round++) {
            System.gc();
            Thread.sleep(10);
            assertTrue(segment.scope().isAlive(), "round " + round + ": memory freed while a segment of it is in use");
        }
        for (int i = 0; i < n; i++) assertEquals(i * 0.25f, segment.getAtIndex(ValueLayout.JAVA_FLOAT, i), "element " + i);
    }

    @Test
    void ownedMemoryIsStillFreedOnceNoSegmentOfItIsLeft() throws InterruptedException {
        long baseline = QuiescentMemory.hostLiveBytes();
        long bytes = 64L << 20;
        WeakReference<Tensor> dropped = allocateAndDrop(bytes);
        assertTrue(NativeMemory.liveBytes() >= baseline + bytes, "the allocation is counted");
        for (int tries = 0; tries < 200 && NativeMemory.liveBytes() > baseline; tries++) {
            System.gc();
            Thread.sleep(10);
        }
        assertTrue(dropped.get() == null, "the tensor was never collected");
        assertTrue(NativeMemory.liveBytes() <= baseline, (NativeMemory.liveBytes() - baseline) + " bytes still live"
                + " after the tensor and every segment of it were gone");
    }

    private static WeakReference<Tensor> allocateAndDrop(long bytes) {
        Tensor t = Tensor.empty((int) (bytes / Float.BYTES));
        t.data().set(ValueLayout.JAVA_FLOAT, 0, 1f);
        return new WeakReference<>(t);
    }

    @Test
    void closeFreesAtOnceAndTwiceIsHarmless() {
        Tensor t = Tensor.zeros(1000);
        MemorySegment segment = t.data();
        long open = NativeMemory.liveBytes(); // other garbage freed meanwhile only lowers the count further
        t.close();
        assertTrue(!segment.scope().isAlive(), "close frees the memory and invalidates its segments");
        assertTrue(NativeMemory.liveBytes() <= open - 4000, "close gave back " + (open - NativeMemory.liveBytes())
                + " bytes, expected at least 4000");
        t.close();
    }
}
