package dev.latentr3.engine.memory;

import dev.latentr3.engine.Backends;
import dev.latentr3.engine.DType;
import dev.latentr3.engine.Device;
import dev.latentr3.engine.Tensor;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The collector's safety net for owned device memory (the CUDA emulator in the build) cannot free a block between an
 * op taking a tensor's segment and launching on it, when the tensor is already garbage: the allocator would hand the
 * block to the op's own output and the kernel would read what it writes. Taking the segment pins the storage for the
 * thread's next {@link RecentDeviceStorages#DEPTH} segments; after that the safety net frees it as before.
 */
class OwnedDeviceMemoryLifetimeTest {
    private static final Device CUDA = new Device("cuda", 0);

    private static WeakReference<Storage> takeSegmentOfADroppedTensor(Device d) {
        assertNull(TensorScope.current(), "the test needs owned memory, so no scope may be open");
        Tensor t = Tensor.of(new float[]{1, 2, 3, 4, 5}, 5).to(d);
        t.data(); // what an op does before it launches
        return new WeakReference<>(t.storage());
    }

    private static void collect(WeakReference<?> ref, int tries) throws InterruptedException {
        for (int i = 0; i < tries && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(5);
        }
    }

    @Test
    void aTakenSegmentPinsItsStorageUntilTheThreadHasTakenEnoughOthers() throws InterruptedException {
        assumeTrue(Backends.available(CUDA), () -> "device cuda unavailable: " + Backends.unavailableReason(CUDA));
        WeakReference<Storage> taken = takeSegmentOfADroppedTensor(CUDA);
        collect(taken, 40);
        assertNotNull(taken.get(), "an owned device storage was collected right after an op took its segment");

        // Other ops take DEPTH segments (of one long-lived tensor: a repeat is not pinned twice, so use DEPTH others).
        Tensor[] others = new Tensor[RecentDeviceStorages.DEPTH];
        for (int i = 0; i < others.length; i++) {
            others[i] = Tensor.empty(CUDA, DType.F32, 1);
            others[i].data();
        }
        collect(taken, 400);
        assertNull(taken.get(), "once out of the ring, garbage device memory is collected again");
        assertEquals(RecentDeviceStorages.DEPTH, others.length);
    }

    @Test
    void hostStoragesAreNotPinned() throws InterruptedException {
        WeakReference<Storage> taken = takeSegmentOfADroppedTensor(Device.CPU);
        collect(taken, 400);
        assertTrue(taken.get() == null, "host memory is kept by its segment, not by a pin: its storage may go");
    }
}
