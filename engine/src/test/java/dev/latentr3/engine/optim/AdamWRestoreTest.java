package dev.latentr3.engine.optim;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.OwnedTensors;
import dev.latentr3.engine.ops.Views;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** An optimizer restored from another's moments and count takes exactly the step the original would. */
class AdamWRestoreTest {
    private static SequencedMap<String, Tensor> params() {
        SequencedMap<String, Tensor> m = new LinkedHashMap<>();
        Tensor w = OwnedTensors.zeros(2, 2), b = OwnedTensors.zeros(2);
        Views.copyInto(w, Tensor.of(new float[]{0.5f, -1f, 2f, 0.25f}, 2, 2));
        Views.copyInto(b, Tensor.of(new float[]{0.1f, -0.2f}, 2));
        m.put("w", w.requiresGrad(true));
        m.put("b", b.requiresGrad(true));
        return m;
    }

    private static void step(AdamW opt, Map<String, Tensor> params, int s) {
        for (Tensor p : params.values()) {
            float[] g = new float[Math.toIntExact(p.numel())];
            for (int i = 0; i < g.length; i++) g[i] = (float) Math.sin(1.3 * (i + 1) * (s + 1));
            p.zeroGradInPlace();
            p.accumulateGrad(Tensor.of(g, p.shape()));
        }
        opt.step(0.05);
    }

    @Test
    void restoredOptimizerContinuesIdentically() {
        SequencedMap<String, Tensor> a = params(), b = params();
        AdamW original = new AdamW(a, AdamW.Hyper.defaults(), AdamW.MATRICES_ONLY);
        for (int s = 0; s < 3; s++) step(original, a, s);
        for (String n : a.keySet()) Views.copyInto(b.get(n), a.get(n));
        AdamW restored = new AdamW(b, AdamW.Hyper.defaults(), AdamW.MATRICES_ONLY);
        restored.restore(original.stepCount(), original.moments());
        assertEquals(3, restored.stepCount());
        step(original, a, 3);
        step(restored, b, 3);
        for (String n : a.keySet()) assertArrayEquals(a.get(n).toFloatArray(), b.get(n).toFloatArray(), n);
    }

    @Test
    void restoreRefusesMissingOrMisshapenMoments() {
        SequencedMap<String, Tensor> a = params();
        AdamW opt = new AdamW(a, AdamW.Hyper.defaults(), AdamW.MATRICES_ONLY);
        assertThrows(IllegalArgumentException.class, () -> opt.restore(1, Map.of()));
        Map<String, AdamW.Moments> wrong = new LinkedHashMap<>(opt.moments());
        wrong.put("b", new AdamW.Moments(OwnedTensors.zeros(3), OwnedTensors.zeros(3)));
        assertThrows(IllegalArgumentException.class, () -> opt.restore(1, wrong));
    }
}
