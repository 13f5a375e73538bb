package dev.latentr3.engine.device;

import dev.latentr3.engine.Backends;
import dev.latentr3.engine.Device;
import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.OwnedTensors;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.engine.optim.GradClip;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Global-norm clipping on the device against the CPU, on random gradients of odd shapes (sizes that are no multiple of
 * a warp or a block, one over the 128 blocks of a sum-of-squares launch, a parameter without a gradient), and the
 * device's host round trips: one wait for the whole measurement, whatever the number of parameters, and none to scale.
 */
class DeviceGradClipTest {
    private static final int[][] SHAPES = {{3, 5}, {257}, {1}, {33, 31}, {7, 11, 13}, {40_003}, {2, 129}};
    /** Where the no-gradient parameter sits among them. */
    private static final int NO_GRAD = 2;

    private Device cuda;
    private final List<Tensor> owned = new ArrayList<>();

    @BeforeEach
    void setUp() {
        cuda = TestDevices.cuda();
    }

    @AfterEach
    void freeParameters() {
        for (Tensor p : owned) {
            p.zeroGrad();
            p.close();
        }
    }

    @Test
    void clipsLikeTheCpuWithOneWaitForTheDevice() {
        List<float[]> grads = randomGradients(11, 1f);
        for (double maxNorm : new double[] {1.0, 1e6}) {
            Map<String, Tensor> cpu = parameters(Device.CPU, grads), dev = parameters(cuda, grads);
            double want = GradClip.clipGlobalNorm(cpu.values(), maxNorm);
            long waits = waits();
            double got = GradClip.clipGlobalNorm(dev.values(), maxNorm);
            assertEquals(1, waits() - waits, "host waits to clip " + dev.size() + " parameters");
            // The CPU's fast kernel sums floats in short vector runs before folding into double, the device sums
            // doubles in 128 block partials: both are float-accurate sums of the same squares, not the same bits.
            assertEquals(want, got, 1e-6 * want, "global norm, maxNorm " + maxNorm);
            assertTrue(want > 1.0 && want < 1e6, "the gradients are clipped at 1 and not at 1e6: " + want);
            compareGradients(cpu, dev, "maxNorm " + maxNorm);
        }
    }

    @Test
    void aNonFiniteGradientIsTracedToItsParameterFromTheSameWait() {
        List<float[]> grads = randomGradients(12, 1f);
        grads.get(4)[1000] = Float.NaN;
        grads.get(6)[5] = Float.POSITIVE_INFINITY;
        Map<String, Tensor> cpu = parameters(Device.CPU, grads), dev = parameters(cuda, grads);
        long waits = waits();
        GradClip.Norms norms = GradClip.measure(dev.values());
        assertEquals(1, waits() - waits, "host waits to measure " + dev.size() + " parameters");
        assertEquals("p4", nameAt(dev, norms.firstNonFinite()), "first non-finite gradient");
        GradClip.Norms onCpu = GradClip.measure(cpu.values());
        assertEquals("p4", nameAt(cpu, onCpu.firstNonFinite()));
        for (int i = 0; i < SHAPES.length; i++) {
            assertEquals(Double.isFinite(onCpu.sumsOfSquares()[i]), Double.isFinite(norms.sumsOfSquares()[i]), "p" + i);
        }
        assertTrue(Double.isNaN(norms.norm()) && Double.isNaN(onCpu.norm()), norms.norm() + " / " + onCpu.norm());
        // A NaN norm is not above the limit: nothing is scaled, on either side, as torch.nn.utils.clip_grad_norm_.
        assertTrue(Double.isNaN(GradClip.clip(norms, 1.0)));
        assertTrue(Double.isNaN(GradClip.clip(onCpu, 1.0)));
        for (int i = 0; i < SHAPES.length; i++) {
            if (i != NO_GRAD) assertArrayEquals(grads.get(i), dev.get("p" + i).grad().toFloatArray(), "p" + i + " unchanged");
        }
    }

    @Test
    void anInfiniteNormScalesByZeroOnBothSides() {
        List<float[]> grads = randomGradients(13, 1f);
        grads.get(3)[17] = Float.NEGATIVE_INFINITY;
        Map<String, Tensor> cpu = parameters(Device.CPU, grads), dev = parameters(cuda, grads);
        assertEquals(Double.POSITIVE_INFINITY, GradClip.clipGlobalNorm(cpu.values(), 1.0));
        assertEquals(Double.POSITIVE_INFINITY, GradClip.clipGlobalNorm(dev.values(), 1.0));
        compareGradients(cpu, dev, "infinite norm");
        assertTrue(Float.isNaN(dev.get("p3").grad().toFloatArray()[17]), "inf * 0 is NaN");
        assertEquals(0f, dev.get("p0").grad().toFloatArray()[0], "finite * 0");
    }

    private long waits() {
        return Backends.runtime(cuda).hostWaits();
    }

    /** Gaussian gradients scaled by {@code std}; the {@link #NO_GRAD} entry is null. */
    private static List<float[]> randomGradients(long seed, float std) {
        Random r = new Random(seed);
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < SHAPES.length; i++) {
            if (i == NO_GRAD) {
                out.add(null);
                continue;
            }
            float[] g = new float[numel(SHAPES[i])];
            for (int k = 0; k < g.length; k++) g[k] = (float) (std * r.nextGaussian());
            out.add(g);
        }
        return out;
    }

    /** Parameters p0, p1, ... on {@code device} (owned, as a model's are) with the given gradients. */
    private Map<String, Tensor> parameters(Device device, List<float[]> grads) {
        Map<String, Tensor> params = new LinkedHashMap<>();
        for (int i = 0; i < SHAPES.length; i++) {
            Tensor p = OwnedTensors.zeros(device, SHAPES[i]).requiresGrad(true);
            owned.add(p);
            if (grads.get(i) != null) {
                try (var scope = TensorScope.open()) {
                    p.accumulateGrad(Tensor.of(grads.get(i), SHAPES[i]).to(device));
                }
            }
            params.put("p" + i, p);
        }
        return params;
    }

    private static void compareGradients(Map<String, Tensor> cpu, Map<String, Tensor> dev, String what) {
        for (String name : cpu.keySet()) {
            Tensor c = cpu.get(name).grad(), d = dev.get(name).grad();
            assertEquals(c == null, d == null, name + " has a gradient on one side only");
            if (c == null) continue;
            float[] want = c.toFloatArray(), got = d.toFloatArray();
            for (int k = 0; k < want.length; k++) {
                if (Float.isNaN(want[k])) {
                    assertTrue(Float.isNaN(got[k]), what + ": " + name + "[" + k + "] is " + got[k] + ", not NaN");
                } else {
                    assertEquals(want[k], got[k], 1e-6f * Math.abs(want[k]) + 1e-12f, what + ": " + name + "[" + k + "]");
                }
            }
        }
    }

    private static String nameAt(Map<String, Tensor> params, int index) {
        return index < 0 ? null : new ArrayList<>(params.keySet()).get(index);
    }

    private static int numel(int[] shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }
}
