package dev.latentr3.model.latent;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.model.config.Qwen2Config;
import dev.latentr3.model.qwen2.LogitPositions;
import dev.latentr3.model.qwen2.Qwen2ForCausalLM;
import dev.latentr3.model.qwen2.RandomQwen2;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.latentr3.model.qwen2.NumericAssertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LatentRATT against {@link LatentRATTReference} (double loops), on the hidden states of a tiny Qwen2 with odd sizes
 * (batch 3, length 7, vocabulary 37, hidden 18) and left padding, with thought positions that differ per row.
 * Weights and biases are N(0, 0.3^2), large enough that the attention weights are far from uniform.
 */
class LatentRATTTest {
    static final int D = 18;
    final Qwen2Config config = RandomQwen2.config(37, D, 13, 3, 1, true);
    final Qwen2ForCausalLM model = RandomQwen2.model(config, 5, 0.3);
    /** Row 1 has 2 pads, row 2 has 3; thoughts at 6, 5 and 7 (the end, so no key is cut by the prefix). */
    final int[][] ids = {{3, 8, 1, 30, 9, 12, 36}, {0, 0, 4, 4, 15, 2, 20}, {0, 0, 0, 7, 19, 33, 5}};
    final int[][] mask = {{1, 1, 1, 1, 1, 1, 1}, {0, 0, 1, 1, 1, 1, 1}, {0, 0, 0, 1, 1, 1, 1}};
    final int[] thought = {6, 5, 7};

    static Map<String, Tensor> randomParameters(int d, long seed, String prefix) {
        Random random = new Random(seed);
        Map<String, Tensor> p = new LinkedHashMap<>();
        for (String name : List.of("query", "key", "value")) {
            float[] w = new float[d * d], b = new float[d];
            for (int i = 0; i < w.length; i++) w[i] = (float) (0.3 * random.nextGaussian());
            for (int i = 0; i < b.length; i++) b[i] = (float) (0.3 * random.nextGaussian());
            p.put(prefix + name + ".weight", Tensor.of(w, d, d));
            p.put(prefix + name + ".bias", Tensor.of(b, d));
        }
        return p;
    }

    static Tensor ints(int[][] rows) {
        int[] flat = new int[rows.length * rows[0].length];
        for (int r = 0; r < rows.length; r++) System.arraycopy(rows[r], 0, flat, r * rows[0].length, rows[0].length);
        return Tensor.ofInts(flat, rows.length, rows[0].length);
    }

    /** The six parameters as double arrays: w[p][out][in], b[p][out] for p = query, key, value. */
    static double[][][] weights(LatentRATT rat) {
        double[][][] w = new double[3][][];
        for (int p = 0; p < 3; p++) w[p] = matrix(rat.parameters().get(2 * p).toFloatArray(), D);
        return w;
    }

    static double[][] biases(LatentRATT rat) {
        double[][] b = new double[3][];
        for (int p = 0; p < 3; p++) b[p] = toDouble(rat.parameters().get(2 * p + 1).toFloatArray());
        return b;
    }

    static double[][] matrix(float[] a, int cols) {
        double[][] m = new double[a.length / cols][cols];
        for (int i = 0; i < a.length; i++) m[i / cols][i % cols] = a[i];
        return m;
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    static double[][][] cube(float[] a, int b, int l, int d) {
        double[][][] c = new double[b][l][d];
        for (int i = 0; i < a.length; i++) c[i / (l * d)][(i / d) % l][i % d] = a[i];
        return c;
    }

    static float[] flat(double[][] m) {
        float[] f = new float[m.length * m[0].length];
        for (int i = 0; i < f.length; i++) f[i] = (float) m[i / m[0].length][i % m[0].length];
        return f;
    }

    @Test
    void forwardMatchesTheFloat64Reference() {
        LatentRATT rat = LatentRATT.load(D, randomParameters(D, 21, LatentRATT.PREFIX), LatentRATT.PREFIX);
        try (TensorScope scope = TensorScope.open()) {
            Tensor m = ints(mask);
            Tensor hidden = model.forward(ints(ids), m, LogitPositions.none()).lastHidden();
            float[] r = rat.forward(hidden, m, thought).toFloatArray();
            double[][] expected = LatentRATTReference.forward(cube(hidden.toFloatArray(), 3, 7, D), mask, thought,
                    weights(rat), biases(rat));
            // F32 sums of at most 18 products of O(1) values: a few 1e-7 relative.
            assertClose("r", flat(expected), r, 1e-5);
        }
    }

    /** The same r whatever the hidden states hold at or after t, and at padded positions. */
    @Test
    void ignoresPositionsFromTheThoughtOnAndPadding() {
        LatentRATT rat = LatentRATT.load(D, randomParameters(D, 22, LatentRATT.PREFIX), LatentRATT.PREFIX);
        try (TensorScope scope = TensorScope.open()) {
            Random random = new Random(3);
            float[] h = new float[3 * 7 * D];
            for (int i = 0; i < h.length; i++) h[i] = (float) random.nextGaussian();
            float[] r = rat.forward(Tensor.of(h, 3, 7, D), ints(mask), thought).toFloatArray();
            float[] changed = h.clone();
            for (int row = 0; row < 3; row++) {
                for (int j = 0; j < 7; j++) {
                    if (j >= thought[row] || mask[row][j] == 0) {
                        for (int i = 0; i < D; i++) changed[(row * 7 + j) * D + i] += 5f;
                    }
                }
            }
            assertArrayEquals(r, rat.forward(Tensor.of(changed, 3, 7, D), ints(mask), thought).toFloatArray());
        }
    }

    /**
     * Gradients of sum(r * R) for a fixed random R, with respect to all six parameters and the hidden states, from
     * autograd (F32) against central differences of the double reference (step 1e-5: truncation ~1e-10, rounding
     * ~1e-11, so the comparison measures the engine's F32 rounding, ~1e-6 of the largest gradient).
     */
    @Test
    void gradientsMatchCentralDifferencesOfTheReference() {
        Map<String, Tensor> source = randomParameters(D, 23, LatentRATT.PREFIX);
        LatentRATT rat = LatentRATT.load(D, source, LatentRATT.PREFIX).requiresGrad(true);
        Random random = new Random(4);
        float[] h = new float[3 * 7 * D], weights = new float[3 * D];
        for (int i = 0; i < h.length; i++) h[i] = (float) random.nextGaussian();
        for (int i = 0; i < weights.length; i++) weights[i] = (float) random.nextGaussian();
        try (TensorScope scope = TensorScope.open()) {
            Tensor hidden = Tensor.of(h, 3, 7, D).requiresGrad(true);
            rat.forward(hidden, ints(mask), thought).mul(Tensor.of(weights, 3, D)).sum().backward();

            double[][][] hd = cube(h, 3, 7, D);
            double[][][] w = weights(rat);
            double[][] b = biases(rat);
            java.util.function.DoubleSupplier loss = () -> {
                double[][] r = LatentRATTReference.forward(hd, mask, thought, w, b);
                double s = 0;
                for (int row = 0; row < 3; row++) for (int i = 0; i < D; i++) s += r[row][i] * weights[row * D + i];
                return s;
            };
            for (int p = 0; p < 3; p++) {
                double[][] wp = w[p];
                assertClose("d/d weight " + p, numeric(loss, D * D, i -> wp[i / D], i -> i % D),
                        rat.parameters().get(2 * p).grad().toFloatArray(), 1e-4);
                double[] bp = b[p];
                assertClose("d/d bias " + p, numeric(loss, D, i -> bp, i -> i),
                        rat.parameters().get(2 * p + 1).grad().toFloatArray(), 1e-4);
            }
            float[] dh = numeric(loss, h.length, i -> hd[i / (7 * D)][(i / D) % 7], i -> i % D);
            assertClose("d/d hidden", dh, hidden.grad().toFloatArray(), 1e-4);
        } finally {
            rat.requiresGrad(false);
        }
    }

    /** Central differences of loss with respect to element i, which lives at array(i)[index(i)]. */
    static float[] numeric(java.util.function.DoubleSupplier loss, int n, java.util.function.IntFunction<double[]> array,
                           java.util.function.IntUnaryOperator index) {
        double step = 1e-5;
        float[] g = new float[n];
        for (int i = 0; i < n; i++) {
            double[] a = array.apply(i);
            int k = index.applyAsInt(i);
            double x = a[k];
            a[k] = x + step;
            double plus = loss.getAsDouble();
            a[k] = x - step;
            double minus = loss.getAsDouble();
            a[k] = x;
            g[i] = (float) ((plus - minus) / (2 * step));
        }
        return g;
    }

    @Test
    void initialisationIsSeededNormalWeightsAndZeroBiases() {
        LatentRATT a = LatentRATT.initialize(64, 0.02, 9), b = LatentRATT.initialize(64, 0.02, 9);
        LatentRATT c = LatentRATT.initialize(64, 0.02, 10);
        assertEquals(List.of("latent_attention.query.weight", "latent_attention.query.bias", "latent_attention.key.weight",
                "latent_attention.key.bias", "latent_attention.value.weight", "latent_attention.value.bias"),
                List.copyOf(a.namedParameters().keySet()));
        for (int p = 0; p < 6; p++) {
            float[] x = a.parameters().get(p).toFloatArray();
            assertArrayEquals(x, b.parameters().get(p).toFloatArray(), "same seed, parameter " + p);
            if (p % 2 == 1) {
                assertArrayEquals(new float[64], x, "bias " + p + " is zero");
                continue;
            }
            assertNotEquals(x[0], c.parameters().get(p).toFloatArray()[0], "another seed, parameter " + p);
            double sum = 0, squares = 0;
            for (float v : x) {
                sum += v;
                squares += v * (double) v;
            }
            double mean = sum / x.length, std = Math.sqrt(squares / x.length - mean * mean);
            // 4096 draws: the sample std is within 5% of 0.02 and the mean within 0.002 with overwhelming probability.
            assertEquals(0.02, std, 0.001, "weight std");
            assertEquals(0.0, mean, 0.002, "weight mean");
        }
        // The three weights are different draws of one stream.
        assertNotEquals(a.parameters().get(0).toFloatArray()[0], a.parameters().get(2).toFloatArray()[0]);
    }

    @Test
    void loadsTheReferenceNamesAndRejectsBadInputs() {
        Map<String, Tensor> reference = randomParameters(D, 24, LatentRATT.REFERENCE_PREFIX);
        LatentRATT rat = LatentRATT.load(D, reference, LatentRATT.REFERENCE_PREFIX);
        assertArrayEquals(reference.get("attention.key.bias").toFloatArray(),
                rat.namedParameters().get("latent_attention.key.bias").toFloatArray());
        reference.remove("attention.value.weight");
        assertThrows(IllegalArgumentException.class, () -> LatentRATT.load(D, reference, LatentRATT.REFERENCE_PREFIX));
        try (TensorScope scope = TensorScope.open()) {
            Tensor h = Tensor.zeros(3, 7, D);
            // Row 1's query position 1 is padding.
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> rat.forward(h, ints(mask), new int[]{3, 2, 6}));
            assertTrue(e.getMessage().contains("row 1"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> rat.forward(h, ints(mask), new int[]{0, 5, 6}));
            assertThrows(IllegalArgumentException.class, () -> rat.forward(h, ints(mask), new int[]{8, 5, 6}));
        }
    }

    /** The opt-in gate (an ablation, not the method): r times g exactly, g's gradient sum(dL/dr' * r), saved and loaded. */
    @Test
    void gateScalesTheLatentLearnsAndLoads() {
        LatentRATT plain = LatentRATT.load(D, randomParameters(D, 21, LatentRATT.PREFIX), LatentRATT.PREFIX);
        LatentRATT gated = plain.withGate(0.25);
        assertTrue(gated.gated());
        assertEquals(7, gated.parameters().size());
        assertThrows(IllegalStateException.class, () -> gated.withGate(1));
        assertThrows(IllegalArgumentException.class, () -> plain.withGate(0));
        try (TensorScope scope = TensorScope.open()) {
            Tensor m = ints(mask);
            Tensor hidden = model.forward(ints(ids), m, LogitPositions.none()).lastHidden();
            float[] r = plain.forward(hidden, m, thought).toFloatArray();
            gated.requiresGrad(true);
            Tensor out = gated.forward(hidden, m, thought);
            float[] rg = out.toFloatArray();
            double dg = 0;
            for (int i = 0; i < r.length; i++) {
                assertEquals(0.25f * r[i], rg[i], 1e-7f, "element " + i);
                dg += r[i] * (i % 5 - 2.0);
            }
            float[] upstream = new float[r.length];
            for (int i = 0; i < r.length; i++) upstream[i] = i % 5 - 2f;
            out.mul(Tensor.of(upstream, 3, D)).sum().backward();
            Tensor gate = gated.namedParameters().get(LatentRATT.GATE);
            assertEquals(dg, gate.grad().toFloatArray()[0], 1e-4 * (1 + Math.abs(dg)));
            LatentRATT loaded = LatentRATT.load(D, gated.namedParameters(), LatentRATT.PREFIX);
            assertTrue(loaded.gated());
            assertArrayEquals(rg, loaded.forward(hidden, m, thought).toFloatArray());
            assertTrue(!LatentRATT.load(D, plain.namedParameters(), LatentRATT.PREFIX).gated());
        }
    }
}
