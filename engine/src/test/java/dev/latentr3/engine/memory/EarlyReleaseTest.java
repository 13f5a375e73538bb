package dev.latentr3.engine.memory;

import dev.latentr3.engine.Device;
import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.ops.Activations;
import dev.latentr3.engine.ops.MatMul;
import dev.latentr3.engine.random.Rng;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scoped host memory freed before its scope closes ({@link Storage#release}), and the backward that uses it to free
 * its own gradients and temporaries as it goes. Host live bytes are process-wide; owned tensors of other tests may be
 * collected meanwhile, which only lowers them, so the checks that could see that are one-sided.
 */
class EarlyReleaseTest {
    private static final long MIB = 1 << 20;

    @Test
    void aReleasedTensorsMemoryIsFreedAtOnceAndReusable() {
        try (var scope = TensorScope.open()) {
            long before = NativeMemory.liveBytes();
            Tensor t = Tensor.zeros(256 * 1024).named("scratch"); // 1 MiB
            Tensor view = t.slice(0, 10, 20);
            assertTrue(NativeMemory.liveBytes() >= before + MIB);
            t.storage().release();
            assertTrue(NativeMemory.liveBytes() < before + MIB, "freed before the scope closed");
            t.storage().release(); // idempotent

            IllegalStateException e = assertThrows(IllegalStateException.class, t::toFloatArray);
            assertTrue(e.getMessage().contains("toFloatArray: tensor scratch F32[262144] was used after its memory was freed")
                    && e.getMessage().contains("released early"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> view.add(view), "views of it fail too");

            // The same megabyte again and again: the peak stays at one of them, not at their sum.
            DeviceMemory.resetPeak(Device.CPU);
            long base = NativeMemory.liveBytes();
            for (int i = 0; i < 50; i++) Tensor.zeros(256 * 1024).storage().release();
            assertTrue(NativeMemory.peakBytes() < base + 2 * MIB, "peak " + NativeMemory.peakBytes() + " over " + base);
        }
    }

    @Test
    void closingTheScopeAfterAReleaseFreesTheRestOnce() {
        long before;
        try (var scope = TensorScope.open()) {
            before = NativeMemory.liveBytes();
            Tensor a = Tensor.zeros(1000), b = Tensor.zeros(3000);
            a.storage().release();
            assertEquals(1000f * 0, b.sum().item());
        }
        // Had the scope freed a's block a second time, the count would be below where it started.
        long after = NativeMemory.liveBytes();
        assertTrue(after <= before && after > before - MIB, before + " -> " + after);
    }

    @Test
    void onlyScopedMemoryIsReleasedEarly() {
        Tensor owned = OwnedTensors.zeros(4);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> owned.storage().release());
        assertTrue(e.getMessage().contains("OWNED (free it with close())"), e.getMessage());
        owned.close();
        try (Arena arena = Arena.ofShared()) {
            Tensor borrowed = Tensor.wrap(arena.allocate(16, 64), dev.latentr3.engine.DType.F32, 4);
            assertThrows(IllegalStateException.class, () -> borrowed.storage().release());
        }
    }

    @Test
    void theScopeListsWhatWasAllocatedSinceAMark() {
        try (var scope = TensorScope.open()) {
            Tensor.zeros(3);
            int mark = scope.allocationCount();
            Tensor a = Tensor.zeros(5), b = Tensor.zeros(7);
            assertEquals(java.util.List.of(a.storage(), b.storage()), scope.allocatedSince(mark));
            assertThrows(IllegalArgumentException.class, () -> scope.allocatedSince(mark + 3));
        }
    }

    /**
     * Four residual SwiGLU blocks (sharing weights): each op leaves a gradient the size of its input, which the
     * backward used to keep to the end. hidden[0] gets the first block's gate, a forward tensor the caller holds.
     */
    private static Tensor loss(Tensor x, Tensor w1, Tensor w2, Tensor w3, Tensor[] hidden) {
        Tensor h = x;
        for (int block = 0; block < 4; block++) {
            Tensor gate = MatMul.linear(h, w1, null);
            if (block == 0) hidden[0] = gate;
            h = h.add(MatMul.linear(Activations.swiglu(gate, MatMul.linear(h, w2, null)), w3, null));
        }
        return h.mul(h).sum();
    }

    @Test
    void theBackwardFreesItsGradientsAsItGoesAndKeepsWhatTheCallerHolds() {
        Rng rng = Rng.seeded(4);
        Tensor w1 = rng.normal(OwnedTensors.empty(dev.latentr3.engine.DType.F32, 512, 128), 0f, 0.05f).requiresGrad(true);
        Tensor w2 = rng.normal(OwnedTensors.empty(dev.latentr3.engine.DType.F32, 512, 128), 0f, 0.05f).requiresGrad(true);
        Tensor w3 = rng.normal(OwnedTensors.empty(dev.latentr3.engine.DType.F32, 128, 512), 0f, 0.05f).requiresGrad(true);
        Tensor xOwned = rng.normal(OwnedTensors.empty(dev.latentr3.engine.DType.F32, 256, 128), 0f, 1f);
        Tensor[] hidden = new Tensor[1];

        // The reference: the same backward with nothing scoped, so nothing is released early.
        loss(xOwned, w1, w2, w3, hidden).backward();
        float[][] expected = {w1.grad().toFloatArray(), w2.grad().toFloatArray(), w3.grad().toFloatArray()};
        for (Tensor w : new Tensor[]{w1, w2, w3}) w.zeroGradInPlace();

        try (var scope = TensorScope.open()) {
            Tensor x = xOwned.add(Tensor.zeros(1)).requiresGrad(true); // a scoped leaf
            Tensor loss = loss(x, w1, w2, w3, hidden);
            long afterForward = NativeMemory.liveBytes();
            DeviceMemory.resetPeak(Device.CPU);
            loss.backward();
            long working = NativeMemory.peakBytes() - afterForward;
            long leafGrad = x.numel() * 4;
            // Everything the backward made is gone but x's gradient (a scoped leaf's, which outlives the backward).
            assertTrue(NativeMemory.liveBytes() <= afterForward + leafGrad + 64,
                    "live " + NativeMemory.liveBytes() + " after backward, " + afterForward + " after forward");
            // Per block the backward makes gradients of the gate, up and SwiGLU outputs (256 x 512 floats each) and
            // smaller ones, and each shared weight gets a gradient pending until the last block is done: kept to the
            // end they were over 12 of those, now the working set is about a block's and the weights' gradients.
            long unit = 256L * 512 * 4;
            assertTrue(working < 7 * unit, "backward working set " + working + " bytes, " + (double) working / unit + " x 256 x 512 floats");
            // What the caller holds from the forward is still there.
            assertTrue(Float.isFinite(loss.item()));
            assertEquals(256 * 512, hidden[0].toFloatArray().length);
            assertEquals(x.numel(), x.grad().toFloatArray().length);
            assertArrayEquals(expected[0], w1.grad().toFloatArray(), 1e-4f);
            assertArrayEquals(expected[1], w2.grad().toFloatArray(), 1e-4f);
            assertArrayEquals(expected[2], w3.grad().toFloatArray(), 1e-4f);
        }
        for (Tensor t : new Tensor[]{w1, w2, w3, xOwned}) {
            t.zeroGrad();
            t.close();
        }
    }

    /** A Qwen-like tied weight: w [vocab x dim] embeds the ids at the start and scores at the end (h wᵀ). */
    private static Tensor tiedLoss(Tensor ids, Tensor wIn, Tensor wOut) {
        Tensor h = dev.latentr3.engine.ops.Indexing.embedding(wIn, ids);
        for (int i = 0; i < 4; i++) h = Activations.swiglu(h, h).scale(0.1f).add(h);
        Tensor logits = MatMul.linear(h, wOut, null);
        return logits.mul(logits).sum();
    }

    @Test
    void aTiedWeightsGradientsGoStraightIntoItsGradWithNoWeightSizedTemporary() {
        Rng rng = Rng.seeded(7);
        int vocab = 1024, dim = 256, rows = 16;
        Tensor w = rng.normal(OwnedTensors.empty(dev.latentr3.engine.DType.F32, vocab, dim), 0f, 0.05f).requiresGrad(true);
        int[] idValues = new int[rows];
        for (int i = 0; i < rows; i++) idValues[i] = (i * 389 + 7) % vocab; // distinct rows, one repeated below
        idValues[rows - 1] = idValues[0];
        Tensor ids = Tensor.ofInts(idValues, rows);
        // The reference: the two uses as two weights, each with its own gradient; the tied gradient is their sum.
        Tensor wIn = OwnedTensors.copyOf(w).requiresGrad(true), wOut = OwnedTensors.copyOf(w).requiresGrad(true);
        tiedLoss(ids, wIn, wOut).backward();
        float[] in = wIn.grad().toFloatArray(), out = wOut.grad().toFloatArray(), expected = new float[in.length];
        for (int i = 0; i < in.length; i++) expected[i] = in[i] + out[i];

        try (var scope = TensorScope.open()) {
            Tensor loss = tiedLoss(ids, w, w);
            long afterForward = NativeMemory.liveBytes();
            DeviceMemory.resetPeak(Device.CPU);
            loss.backward();
            long working = NativeMemory.peakBytes() - afterForward;
            long weight = w.numel() * 4; // 1 MiB; the activations' gradients are 16 x 256 or 16 x 1024 floats
            // Held pending, the head's gradient lived until the embedding's arrived, and their sum took a third block:
            // over 3 weights' worth (.grad's first allocation included); added into .grad as they came, 2 weights.
            // Now the LM head's GEMM (beta 1) and the embedding's scatter-add write into .grad: its allocation alone.
            assertTrue(working < 1.5 * weight, "backward working set " + working + " bytes, " + (double) working / weight
                    + " weights");
            assertArrayEquals(expected, w.grad().toFloatArray(), 1e-4f);
        }
        for (Tensor t : new Tensor[]{w, wIn, wOut, ids}) {
            t.zeroGrad();
            t.close();
        }
    }

    @Test
    void aGradientKeptPastItsBackwardFailsLoudly() {
        try (var scope = TensorScope.open()) {
            Tensor x = Tensor.of(new float[]{1, 2, 3}, 3).requiresGrad(true);
            Tensor[] kept = new Tensor[1];
            // A rule that (wrongly) keeps the gradient it was handed: it is freed once the backward has used it.
            Tensor spied = Tensor.record("spy", x.scale(1f).detach(), g -> {
                kept[0] = g;
                return new Tensor[]{g};
            }, x);
            spied.mul(spied).sum().backward();
            assertArrayEquals(new float[]{2, 4, 6}, x.grad().toFloatArray());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> kept[0].toFloatArray());
            assertTrue(e.getMessage().contains("released early"), e.getMessage());
        }
    }
}
