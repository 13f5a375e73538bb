package dev.latentr3.engine;

import dev.latentr3.engine.memory.NativeMemory;
import dev.latentr3.engine.memory.QuiescentMemory;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.engine.ops.MatMul;
import dev.latentr3.engine.ops.Softmax;
import dev.latentr3.engine.ops.Views;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tensor memory comes back: scoped training steps leak nothing, wrapped memory is shared, freed memory is guarded. */
class MemoryTest {

    @Test
    void scopedTrainingStepsReturnEveryByte() throws InterruptedException {
        long baseline = QuiescentMemory.hostLiveBytes();
        Random random = new Random(3);
        float[] w0 = new float[7 * 5];
        for (int i = 0; i < w0.length; i++) w0[i] = (float) random.nextGaussian() * 0.3f;
        Tensor w = Tensor.of(w0, 7, 5).requiresGrad(true).named("w");
        Tensor b = Tensor.zeros(7).requiresGrad(true).named("b");
        float firstLoss = Float.NaN, lastLoss = Float.NaN;
        for (int step = 0; step < 2000; step++) {
            try (var scope = TensorScope.open()) {
                float[] xs = new float[3 * 5];
                for (int i = 0; i < xs.length; i++) xs[i] = (float) Math.sin(step * 0.37 + i);
                Tensor x = Tensor.of(xs, 3, 5);
                Tensor target = Tensor.of(new float[]{1, 0, 0, 0, 0, 0, 0}, 7).expand(3, 7);
                Tensor p = Softmax.softmax(MatMul.linear(x, w, b));
                Tensor loss = p.sub(target).mul(p.sub(target)).mean();
                loss.backward();
                if (step == 0) firstLoss = loss.item();
                lastLoss = loss.item();
                for (Tensor param : new Tensor[]{w, b}) {
                    param.backend().elementwise().axpy(param.numel(), -0.5f, param.grad().data(), param.data());
                    param.zeroGrad();
                }
            }
        }
        assertTrue(lastLoss < firstLoss, "training made progress: " + firstLoss + " -> " + lastLoss);
        w.close();
        b.close();
        assertEquals(baseline, NativeMemory.liveBytes(), "bytes still live after 2000 steps and closing the parameters");
    }

    @Test
    void wrappedMemoryIsSharedNotCopied() {
        for (Arena arena : new Arena[]{Arena.ofShared()}) {
            try (arena) {
                MemorySegment segment = arena.allocate(15 * Float.BYTES, 64);
                long before = NativeMemory.liveBytes();
                Tensor t = Tensor.wrap(segment, DType.F32, 3, 5);
                assertEquals(before, NativeMemory.liveBytes(), "wrap allocates nothing");
                assertEquals(segment.address(), t.data().address());

                segment.setAtIndex(ValueLayout.JAVA_FLOAT, 7, 42f); // caller writes, tensor sees
                assertEquals(42f, t.toFloatArray()[7]);

                float[] values = new float[15];
                for (int i = 0; i < 15; i++) values[i] = i * 0.5f;
                Views.copyInto(t, Tensor.of(values, 3, 5)); // tensor writes, caller sees
                for (int i = 0; i < 15; i++) assertEquals(values[i], segment.getAtIndex(ValueLayout.JAVA_FLOAT, i));
            }
        }
    }

    @Test
    void confinedSegmentsAreRefusedBecauseKernelsRunOnSeveralThreads() {
        try (Arena arena = Arena.ofConfined()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Tensor.wrap(arena.allocate(64), DType.F32, 4));
            assertTrue(e.getMessage().contains("confined arena"), e.getMessage());
        }
    }

    @Test
    void useAfterTheCallersArenaClosedFailsNamingOpAndTensor() {
        Tensor t;
        try (Arena arena = Arena.ofShared()) {
            t = Tensor.wrap(arena.allocate(15 * Float.BYTES, 64), DType.F32, 3, 5).named("callerBuffer");
            assertArrayEquals(new int[]{3, 5}, t.shape());
        }
        Tensor dead = t;
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> dead.add(dead));
        assertTrue(e.getMessage().startsWith("add:"), e.getMessage());
        assertTrue(e.getMessage().contains("callerBuffer F32[3, 5]"), e.getMessage());
    }

    @Test
    void useAfterTheTensorScopeClosedFailsNamingOpAndTensor() {
        Tensor t;
        try (var scope = TensorScope.open()) {
            t = Tensor.of(new float[]{1, 2, 3}, 3).named("activation");
        }
        Tensor dead = t;
        IllegalStateException e = assertThrows(IllegalStateException.class, dead::exp);
        assertTrue(e.getMessage().startsWith("exp:"), e.getMessage());
        assertTrue(e.getMessage().contains("activation F32[3]"), e.getMessage());
        IllegalStateException m = assertThrows(IllegalStateException.class, () -> MatMul.matmul(dead.reshape(1, 3), dead.reshape(3, 1)));
        assertTrue(m.getMessage().startsWith("matmul:") && m.getMessage().contains("activation"), m.getMessage());
    }
}
