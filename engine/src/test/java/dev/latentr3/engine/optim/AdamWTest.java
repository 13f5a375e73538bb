package dev.latentr3.engine.optim;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.OwnedTensors;
import dev.latentr3.engine.memory.TensorScope;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AdamWTest {
    private static final double BETA1 = 0.9, BETA2 = 0.999, EPS = 1e-8, WD = 0.1;
    private static final double[] LRS = {0.01, 0.02, 0.005}; // a different rate each step, as a schedule gives

    private static final double[] W0 = {0.5, -1.2, 2.0, 0.03, -0.7, 1.1};
    private static final double[][] W_GRADS = {
            {0.1, -0.3, 0.05, 0.0, 2.0, -0.02},
            {-0.2, 0.1, 0.05, 0.4, 1.5, 0.01},
            {0.3, 0.2, -0.05, -0.1, -1.0, 0.0}};
    private static final double[] B0 = {0.25, -0.5};
    private static final double[][] B_GRADS = {{1.0, -0.1}, {0.5, 0.2}, {-0.3, 0.05}};

    /**
     * Three steps against AdamW written out in double precision the way torch.optim.AdamW orders it (decay the
     * weights by (1 - lr wd) first, then step by lr / c1 * m / (sqrt(v) / sqrt(c2) + eps)); the matrix is decayed,
     * the vector (a bias) is not, under the MATRICES_ONLY rule.
     */
    @Test
    void threeStepsMatchAHandComputedAdamW() {
        Tensor w = OwnedTensors.zeros(2, 3).requiresGrad(true);
        Tensor b = OwnedTensors.zeros(2).requiresGrad(true);
        copy(W0, w);
        copy(B0, b);
        Map<String, Tensor> params = new LinkedHashMap<>();
        params.put("proj.weight", w);
        params.put("proj.bias", b);
        AdamW opt = new AdamW(params, new AdamW.Hyper(BETA1, BETA2, EPS, WD), AdamW.MATRICES_ONLY);
        assertEquals(java.util.List.of("proj.weight"), opt.decayedParameters());

        for (int t = 0; t < 3; t++) {
            w.accumulateGrad(Tensor.of(toFloats(W_GRADS[t]), 2, 3));
            b.accumulateGrad(Tensor.of(toFloats(B_GRADS[t]), 2));
            opt.step(LRS[t]);
            opt.zeroGrad();
        }
        assertEquals(3, opt.stepCount());
        assertClose(reference(W0, W_GRADS, WD), w.toFloatArray(), 1e-6);
        assertClose(reference(B0, B_GRADS, 0), b.toFloatArray(), 1e-6);
    }

    @Test
    void parametersWithoutGradientsAreLeftAlone() {
        Tensor used = OwnedTensors.full(1f, 3).requiresGrad(true);
        Tensor unused = OwnedTensors.full(2f, 3).requiresGrad(true);
        AdamW opt = new AdamW(Map.of("used", used, "unused", unused), AdamW.Hyper.defaults(), (n, p) -> true);
        used.accumulateGrad(Tensor.of(new float[]{1, 1, 1}, 3));
        opt.step(0.1);
        assertArrayEquals(new float[]{2, 2, 2}, unused.toFloatArray());
        assertEquals(1 - 0.1 * 0.01 - 0.1, used.toFloatArray()[0], 1e-6); // first step: m/c1 / sqrt(v/c2) = sign(g)
    }

    /** State is owned: an optimizer built inside a step's scope keeps working after the scope closed. */
    @Test
    void stateOutlivesTheScopeItWasBuiltIn() {
        Tensor p = OwnedTensors.full(1f, 4).requiresGrad(true);
        AdamW opt;
        try (var scope = TensorScope.open()) {
            opt = new AdamW(Map.of("p", p), AdamW.Hyper.defaults(), AdamW.MATRICES_ONLY);
        }
        p.accumulateGrad(Tensor.of(new float[]{1, -1, 1, -1}, 4));
        opt.step(0.01);
        assertEquals(0.99f, p.toFloatArray()[0], 1e-6f);
    }

    @Test
    void rejectsParametersThatCannotLearn() {
        Tensor frozen = OwnedTensors.zeros(2);
        var e = assertThrows(IllegalArgumentException.class,
                () -> new AdamW(Map.of("frozen", frozen), AdamW.Hyper.defaults(), AdamW.MATRICES_ONLY));
        assertEquals(true, e.getMessage().contains("frozen"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new AdamW.Hyper(1.0, 0.999, 1e-8, 0));
    }

    private static double[] reference(double[] p0, double[][] grads, double wd) {
        double[] p = p0.clone(), m = new double[p.length], v = new double[p.length];
        for (int t = 1; t <= grads.length; t++) {
            double lr = LRS[t - 1];
            double bc1 = 1 - Math.pow(BETA1, t), bc2 = 1 - Math.pow(BETA2, t);
            for (int i = 0; i < p.length; i++) {
                double g = grads[t - 1][i];
                p[i] *= 1 - lr * wd;
                m[i] = BETA1 * m[i] + (1 - BETA1) * g;
                v[i] = BETA2 * v[i] + (1 - BETA2) * g * g;
                double denom = Math.sqrt(v[i]) / Math.sqrt(bc2) + EPS;
                p[i] -= lr / bc1 * m[i] / denom;
            }
        }
        return p;
    }

    private static void copy(double[] values, Tensor dst) {
        Tensor src = Tensor.of(toFloats(values), dst.shape());
        dst.backend().elementwise().axpy(dst.numel(), 1f, src.data(), dst.data());
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    private static void assertClose(double[] want, float[] got, double tol) {
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], tol, "element " + i);
        }
    }
}
