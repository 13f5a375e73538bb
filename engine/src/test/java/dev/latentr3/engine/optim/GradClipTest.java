package dev.latentr3.engine.optim;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.OwnedTensors;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GradClipTest {
    private static final float[] GA = {3f, -4f, 0.5f, 1.5f};
    private static final float[] GB = {-2f, 1f, 0.25f};

    @Test
    void reportsTheGlobalNormAndScalesGradientsDownToTheLimit() {
        Tensor a = withGrad(GA), b = withGrad(GB), noGrad = OwnedTensors.zeros(5).requiresGrad(true);
        double norm = Math.sqrt(sumSq(GA) + sumSq(GB));
        double got = GradClip.clipGlobalNorm(List.of(a, noGrad, b), 2.0);
        assertEquals(norm, got, 1e-6 * norm);
        double factor = 2.0 / (norm + 1e-6);
        assertArrayEquals(scaled(GA, factor), a.grad().toFloatArray(), 1e-6f);
        assertArrayEquals(scaled(GB, factor), b.grad().toFloatArray(), 1e-6f);
        double after = Math.sqrt(sumSq(a.grad().toFloatArray()) + sumSq(b.grad().toFloatArray()));
        assertEquals(2.0, after, 1e-5);
    }

    @Test
    void leavesGradientsUnderTheLimitUnchanged() {
        Tensor a = withGrad(GA), b = withGrad(GB);
        GradClip.clipGlobalNorm(List.of(a, b), 100.0);
        assertArrayEquals(GA, a.grad().toFloatArray());
        assertArrayEquals(GB, b.grad().toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> GradClip.clipGlobalNorm(List.of(a), 0));
    }

    private static Tensor withGrad(float[] g) {
        Tensor p = OwnedTensors.zeros(g.length).requiresGrad(true);
        p.accumulateGrad(Tensor.of(g, g.length));
        return p;
    }

    private static double sumSq(float[] v) {
        double s = 0;
        for (float x : v) s += (double) x * x;
        return s;
    }

    private static float[] scaled(float[] v, double f) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (float) (v[i] * f);
        return out;
    }
}
