package dev.latentr3.engine.device;

import dev.latentr3.engine.DType;
import dev.latentr3.engine.DefaultDevice;
import dev.latentr3.engine.Device;
import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.DeviceMemory;
import dev.latentr3.engine.memory.OwnedTensors;
import dev.latentr3.engine.memory.Storage;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.engine.optim.AdamW;
import dev.latentr3.engine.ops.MatMul;
import dev.latentr3.engine.ops.Softmax;
import dev.latentr3.engine.random.Rng;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Device tensors: copies both ways, memory returned to the allocator's cache, and no host access to device memory. */
class DeviceMemoryTest {
    private Device cuda;

    @BeforeEach
    void setUp() {
        cuda = TestDevices.cuda();
    }

    @Test
    void copiesRoundTripEveryDtype() {
        try (var scope = TensorScope.open()) {
            float[] values = {1.5f, -2f, 3.25f, 0f, Float.MIN_VALUE, -0f, 1e30f};
            Tensor host = Tensor.of(values, 7);
            Tensor onDevice = host.to(cuda);
            assertEquals(cuda, onDevice.device());
            assertTrue(onDevice.backend().name().startsWith("cuda"), onDevice.backend().name());
            assertSame(onDevice, onDevice.to(cuda));
            Tensor again = onDevice.to(cuda).contiguous().to(Device.CPU);
            assertArrayEquals(values, again.toFloatArray());
            assertArrayEquals(values, onDevice.toFloatArray()); // toFloatArray copies by itself

            int[] ids = {4, -7, Integer.MAX_VALUE, 0};
            assertArrayEquals(ids, Tensor.ofInts(ids, 2, 2).to(cuda).toIntArray());

            Tensor bf16 = Tensor.of(values, 7).to(cuda);
            Tensor rounded = dev.latentr3.engine.ops.Casts.to(bf16, DType.BF16);
            assertArrayEquals(dev.latentr3.engine.ops.Casts.to(host, DType.BF16).toFloatArray(), rounded.toFloatArray());

            // A strided view goes over as its values, contiguous.
            Tensor m = Tensor.of(new float[]{1, 2, 3, 4, 5, 6}, 2, 3);
            assertArrayEquals(new float[]{1, 4, 2, 5, 3, 6}, m.transpose(0, 1).to(cuda).toFloatArray());
            assertArrayEquals(new float[]{1, 4, 2, 5, 3, 6}, m.to(cuda).transpose(0, 1).to(Device.CPU).toFloatArray());
            assertEquals(3.25f, onDevice.slice(0, 2, 3).item());
        }
    }

    @Test
    void gradientFlowsBackAcrossTo() {
        try (var scope = TensorScope.open()) {
            Tensor x = Tensor.of(new float[]{1, 2, 3}, 3).requiresGrad(true);
            Tensor y = x.to(cuda).mul(x.to(cuda)).sum();
            y.backward();
            assertEquals(Device.CPU, x.grad().device());
            assertArrayEquals(new float[]{2, 4, 6}, x.grad().toFloatArray());
        }
    }

    @Test
    void hostAccessToDeviceMemoryFailsClearly() {
        try (var scope = TensorScope.open()) {
            Tensor t = Tensor.of(new float[]{1, 2, 3}, 3).to(cuda).named("weights");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.hostData("myLoop"));
            assertTrue(e.getMessage().contains("myLoop: tensor weights F32[3] is in cuda:0 memory"), e.getMessage());
            // Raw segment access (what a kernel written for the host would do) fails too, also in the emulator, whose
            // device memory is host memory.
            assertThrows(IllegalStateException.class, () -> t.data().get(ValueLayout.JAVA_FLOAT, 0));
            assertThrows(IllegalStateException.class, () -> t.data().set(ValueLayout.JAVA_FLOAT, 0, 1f));
            assertThrows(IllegalStateException.class, () -> t.data().fill((byte) 0));
            assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[]{1, 2, 3}, 3).add(t),
                    "ops refuse inputs on different devices");
        }
    }

    @Test
    void scopedTensorsGoBackToTheCacheAndOwnedOnClose() {
        long before = DeviceMemory.stats(cuda).liveBytes();
        try (var scope = TensorScope.open()) {
            Tensor a = Tensor.zeros(cuda, 1000);
            assertEquals(Storage.Ownership.SCOPED, a.storage().ownership());
            assertTrue(DeviceMemory.stats(cuda).liveBytes() >= before + 4000);
        }
        DeviceMemory.Stats after = DeviceMemory.stats(cuda);
        assertEquals(before, after.liveBytes());
        assertTrue(after.cachedBytes() >= 4000, "the block stays cached for reuse");

        Tensor owned = OwnedTensors.zeros(cuda, 3000);
        assertEquals(Storage.Ownership.OWNED, owned.storage().ownership());
        assertTrue(DeviceMemory.stats(cuda).liveBytes() >= before + 12000);
        owned.close();
        owned.close(); // idempotent
        assertEquals(before, DeviceMemory.stats(cuda).liveBytes());
        IllegalStateException e = assertThrows(IllegalStateException.class, owned::toFloatArray);
        assertTrue(e.getMessage().contains("after its memory was freed"), e.getMessage());
    }

    @Test
    void aReleasedDeviceBlockGoesBackToTheCacheAtOnce() {
        long before = DeviceMemory.stats(cuda).liveBytes();
        try (var scope = TensorScope.open()) {
            Tensor a = Tensor.zeros(cuda, 1 << 18).named("scratch"); // 1 MiB
            DeviceMemory.Stats held = DeviceMemory.stats(cuda);
            assertEquals(before + (1 << 20), held.liveBytes());
            a.storage().release();
            a.storage().release(); // idempotent
            DeviceMemory.Stats released = DeviceMemory.stats(cuda);
            assertEquals(before, released.liveBytes(), "freed before the scope closed");
            IllegalStateException e = assertThrows(IllegalStateException.class, a::toFloatArray);
            assertTrue(e.getMessage().contains("scratch") && e.getMessage().contains("released early"), e.getMessage());
            // The next block of that size is the released one: nothing more is reserved from the device.
            Tensor b = Tensor.zeros(cuda, 1 << 18);
            DeviceMemory.Stats reused = DeviceMemory.stats(cuda);
            assertEquals(held.liveBytes() + held.cachedBytes(), reused.liveBytes() + reused.cachedBytes());
            assertEquals(0f, b.sum().item());
        }
        assertEquals(before, DeviceMemory.stats(cuda).liveBytes(), "the scope's close did not give the block back twice");
    }

    @Test
    void aDeviceBackwardFreesItsGradientsAsItGoes() {
        Tensor w = Rng.seeded(2).normal(OwnedTensors.empty(cuda, DType.F32, 64, 64), 0f, 0.1f).requiresGrad(true);
        try (var scope = TensorScope.open()) {
            Tensor x = Tensor.full(cuda, 1f, 32, 64);
            Tensor h = x;
            for (int i = 0; i < 6; i++) h = Softmax.softmax(MatMul.linear(h, w, null));
            Tensor loss = h.mul(h).sum();
            w.zeroGradInPlace();
            loss.backward(); // allocates w's owned gradient
            Tensor again = Softmax.softmax(MatMul.linear(x, w, null)).sum();
            Tensor one = Tensor.full(cuda, 1f);
            long afterForward = DeviceMemory.stats(cuda).liveBytes();
            again.backward(one);
            assertEquals(afterForward, DeviceMemory.stats(cuda).liveBytes(), "the second backward left nothing behind");
            assertTrue(Float.isFinite(loss.item()) && Float.isFinite(again.item()), "the caller's outputs survive");
        }
        w.zeroGrad();
        w.close();
    }

    @Test
    void hundredTrainingStepsLeaveLiveBytesWhereTheyStarted() {
        Rng rng = Rng.seeded(11);
        Tensor w = rng.normal(OwnedTensors.empty(cuda, DType.F32, 6, 5), 0f, 0.3f).requiresGrad(true);
        Tensor b = OwnedTensors.zeros(cuda, 6).requiresGrad(true);
        long afterFirst = -1, reservedAfterFirst = -1;
        float first = Float.NaN, last = Float.NaN;
        for (int step = 0; step < 100; step++) {
            try (var scope = TensorScope.open()) {
                float[] xs = new float[4 * 5];
                for (int i = 0; i < xs.length; i++) xs[i] = (float) Math.sin(step * 0.37 + i);
                Tensor x = Tensor.of(xs, 4, 5).to(cuda);
                Tensor target = Tensor.of(new float[]{1, 0, 0, 0, 0, 0}, 6).to(cuda).expand(4, 6);
                Tensor p = Softmax.softmax(MatMul.linear(x, w, b));
                Tensor d = p.sub(target);
                Tensor loss = d.mul(d).mean();
                loss.backward();
                for (Tensor param : new Tensor[]{w, b}) {
                    param.backend().elementwise().axpy(param.numel(), -0.5f, param.grad().data(), param.data());
                    param.zeroGradInPlace();
                }
                if (step == 0) first = loss.item();
                last = loss.item();
            }
            DeviceMemory.Stats s = DeviceMemory.stats(cuda);
            if (step == 0) {
                afterFirst = s.liveBytes();
            } else {
                // Not equal: the counters are the process's, and an owned device tensor that an earlier test in this
                // JVM dropped can be freed by the collector mid-loop (its block moves from live to cached, so the
                // reserved total below is unchanged). A leak can only make live bytes grow.
                assertTrue(s.liveBytes() <= afterFirst, "live device bytes after step " + step + ": " + s.liveBytes()
                        + ", after the first " + afterFirst);
            }
            // Step 0 allocates the gradients in its backward, from blocks that its own released temporaries left in
            // the cache, so step 1 may reserve a block more; from then on every step is served from the cache.
            if (step == 1) {
                reservedAfterFirst = s.liveBytes() + s.cachedBytes();
            } else if (step > 1) {
                assertEquals(reservedAfterFirst, s.liveBytes() + s.cachedBytes(),
                        "device memory reserved after step " + step + " (every block came from the cache)");
            }
        }
        assertTrue(last < first, "the loss went down: " + first + " -> " + last);
        assertTrue(DeviceMemory.stats(cuda).peakLiveBytes() >= afterFirst);
    }

    @Test
    void resetPeakStartsThePeakOverFromWhatIsLive() {
        try (var scope = TensorScope.open()) {
            Tensor kept = Tensor.zeros(cuda, 1000);
            try (var inner = TensorScope.open()) {
                Tensor.zeros(cuda, 1 << 20); // 4 MiB, freed at once: raises the peak above what stays live
            }
            DeviceMemory.Stats before = DeviceMemory.stats(cuda);
            assertTrue(before.peakLiveBytes() >= before.liveBytes() + (4 << 20), before.toString());
            DeviceMemory.resetPeak(cuda);
            DeviceMemory.Stats reset = DeviceMemory.stats(cuda);
            assertEquals(reset.liveBytes(), reset.peakLiveBytes(), "right after a reset the peak is what is live");
            try (var inner = TensorScope.open()) {
                Tensor.zeros(cuda, 1 << 18); // 1 MiB
            }
            long peak = DeviceMemory.stats(cuda).peakLiveBytes();
            assertTrue(peak >= reset.liveBytes() + (1 << 20) && peak < before.peakLiveBytes(),
                    "peak " + peak + ": the 1 MiB since the reset counts, the 4 MiB before it does not");
            assertEquals(1000, kept.numel());
        }
    }

    @Test
    void thePeakIsAlsoCountedAsTheSizesAskedFor() {
        try (var scope = TensorScope.open()) {
            DeviceMemory.resetPeak(cuda);
            DeviceMemory.Stats reset = DeviceMemory.stats(cuda);
            // 880 x 896 floats, a Qwen2.5-0.5B activation of 3,153,920 bytes: a 4 MiB block (2 MiB steps above 1 MiB).
            Tensor activation = Tensor.empty(cuda, 880, 896);
            DeviceMemory.Stats after = DeviceMemory.stats(cuda);
            assertEquals(4L << 20, after.peakLiveBytes() - reset.peakLiveBytes(), after.toString());
            assertEquals(880L * 896 * 4, after.peakRequestedBytes() - reset.peakRequestedBytes(), after.toString());
            assertEquals(880 * 896, activation.numel());
        }
        DeviceMemory.Stats cpu = DeviceMemory.stats(Device.CPU);
        assertEquals(cpu.peakLiveBytes(), cpu.peakRequestedBytes(), "the host counts one way");
    }

    @Test
    void adamWKeepsItsMomentsInOneBlockEachNotOnePerParameter() {
        // Three Qwen2.5-0.5B-sized matrices (880 x 896 floats, 3,153,920 bytes: a 4 MiB block each on their own).
        Map<String, Tensor> params = new LinkedHashMap<>();
        for (int i = 0; i < 3; i++) {
            params.put("w" + i, Rng.seeded(i).normal(OwnedTensors.empty(cuda, DType.F32, 880, 896), 0f, 1f).requiresGrad(true));
        }
        long before = DeviceMemory.stats(cuda).liveBytes();
        AdamW adamW = new AdamW(params, AdamW.Hyper.defaults(), AdamW.MATRICES_ONLY);
        long moments = DeviceMemory.stats(cuda).liveBytes() - before;
        // 3 x 3,153,920 bytes = 9,461,760: one 10 MiB block for m and one for v, where six 4 MiB blocks took 24 MiB.
        // (At most: the collector may free other tests' device garbage in between, which only lowers the difference.)
        assertTrue(moments <= 2L * (10 << 20), moments + " bytes for the moments");
        var m = adamW.moments();
        assertSame(m.get("w0").m().storage(), m.get("w2").m().storage());
        for (var e : m.values()) {
            for (Tensor t : new Tensor[]{e.m(), e.v()}) {
                for (float x : t.toFloatArray()) assertEquals(0f, x, "moments start at zero");
            }
        }
        for (Tensor p : params.values()) p.close();
    }

    @Test
    void pinnedHostBuffersAndLargeCopies() throws Exception {
        try (Arena arena = Arena.ofShared(); var scope = TensorScope.open()) {
            MemorySegment batch = arena.allocate(4 * 100, 64);
            for (int i = 0; i < 100; i++) batch.setAtIndex(ValueLayout.JAVA_FLOAT, i, i * 0.25f);
            try (AutoCloseable pin = DeviceMemory.registerHost(cuda, batch)) {
                Tensor host = Tensor.wrap(batch, DType.F32, 100);
                Tensor onDevice = host.to(cuda);
                batch.fill((byte) 0);
                assertEquals(99 * 0.25f, onDevice.toFloatArray()[99]);
            }
            // Over the staging threshold and several staging chunks: the pageable path.
            float[] big = new float[3_000_001];
            for (int i = 0; i < big.length; i += 1000) big[i] = i;
            big[big.length - 1] = -1;
            assertArrayEquals(big, Tensor.of(big, big.length).to(cuda).toFloatArray());
        }
    }

    @Test
    void defaultDeviceCreatesTensorsOnTheDevice() {
        try (var on = DefaultDevice.use(cuda); var scope = TensorScope.open()) {
            Tensor t = Tensor.of(new float[]{1, 2}, 2);
            Tensor z = Tensor.zeros(3);
            Tensor r = Rng.seeded(5).uniform(Tensor.empty(4), 0f, 1f);
            assertEquals(cuda, t.device());
            assertEquals(cuda, z.device());
            assertEquals(cuda, OwnedTensors.zeros(2).device());
            assertArrayEquals(Rng.seeded(5).uniform(Tensor.empty(Device.CPU, 4), 0f, 1f).toFloatArray(), r.toFloatArray(),
                    "random fills are the same numbers on every device");
        }
        assertEquals(Device.CPU, DefaultDevice.current());
        assertEquals(new Device("cuda", 1), Device.parse("cuda:1"));
        assertEquals(cuda, Device.parse(cuda.toString()));
        assertSame(Device.CPU, Device.parse("cpu"));
        assertThrows(IllegalArgumentException.class, () -> Device.parse("cuda:x"));
        IllegalStateException one = assertThrows(IllegalStateException.class, () -> Tensor.zeros(new Device("cuda", 1), 2));
        assertTrue(one.getMessage().contains("drives one device"), one.getMessage());
        assertFalse(new Device("nosuchdevice", 0).isCpu());
        assertThrows(IllegalStateException.class, () -> Tensor.zeros(new Device("nosuchdevice", 0), 2));
    }
}
