package dev.latentr3.engine;

import dev.latentr3.engine.ops.Activations;
import dev.latentr3.engine.ops.Attention;
import dev.latentr3.engine.ops.Casts;
import dev.latentr3.engine.ops.Indexing;
import dev.latentr3.engine.ops.Losses;
import dev.latentr3.engine.ops.Norms;
import dev.latentr3.engine.ops.Rope;
import dev.latentr3.engine.ops.Softmax;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The fused model ops' forwards against plain loops written from the definitions (in double), on odd shapes. The
 * gradient checks cannot catch a forward that reads its arguments in the wrong layout (its gradient would be
 * consistently wrong), so each op's wiring of shapes and arguments to its kernel is checked here.
 */
class ModelOpForwardTest {
    private final Random random = new Random(11);

    private float[] gaussian(int n) {
        float[] v = new float[n];
        for (int i = 0; i < v.length; i++) v[i] = (float) random.nextGaussian();
        return v;
    }

    private static void assertClose(String what, double[] want, float[] got) {
        assertEquals(want.length, got.length, what + ": element count");
        for (int i = 0; i < want.length; i++) {
            if (!(Math.abs(got[i] - want[i]) <= 1e-5 + 1e-4 * Math.abs(want[i]))) {
                fail(what + ": element " + i + " is " + got[i] + ", expected " + want[i]);
            }
        }
    }

    @Test
    void rmsNorm() {
        int rows = 3, dim = 7;
        float[] x = gaussian(rows * dim), w = gaussian(dim);
        double[] want = new double[rows * dim];
        for (int r = 0; r < rows; r++) {
            double ss = 0;
            for (int j = 0; j < dim; j++) ss += (double) x[r * dim + j] * x[r * dim + j];
            double rstd = 1 / Math.sqrt(ss / dim + 1e-5);
            for (int j = 0; j < dim; j++) want[r * dim + j] = x[r * dim + j] * rstd * w[j];
        }
        assertClose("rmsNorm", want, Norms.rmsNorm(Tensor.of(x, rows, dim), Tensor.of(w, dim), 1e-5f).toFloatArray());
    }

    @Test
    void ropeRotatesPairsHalfARotaryDimApart() {
        int b = 2, l = 3, h = 3, d = 7, rot = 4;
        double theta = 100.0;
        float[] x = gaussian(b * l * h * d);
        int[] shared = {2, 5, 9};
        double[] want = new double[x.length];
        for (int bt = 0; bt < b * l; bt++) {
            int pos = shared[bt % l];
            for (int hh = 0; hh < h; hh++) {
                int base = (bt * h + hh) * d;
                for (int j = 0; j < d; j++) want[base + j] = x[base + j];
                for (int i = 0; i < rot / 2; i++) {
                    double angle = pos * Math.pow(theta, -2.0 * i / rot);
                    double x1 = x[base + i], x2 = x[base + i + rot / 2];
                    want[base + i] = x1 * Math.cos(angle) - x2 * Math.sin(angle);
                    want[base + i + rot / 2] = x2 * Math.cos(angle) + x1 * Math.sin(angle);
                }
            }
        }
        Tensor xt = Tensor.of(x, b, l, h, d);
        assertClose("rope shared positions", want, Rope.apply(xt, Tensor.ofInts(shared, l), rot, theta).toFloatArray());
        int[] perBatch = {2, 5, 9, 2, 5, 9};
        assertClose("rope per-batch positions", want,
                Rope.apply(xt, Tensor.ofInts(perBatch, b, l), rot, theta).toFloatArray());
    }

    @Test
    void swiglu() {
        float[] g = gaussian(15), u = gaussian(15);
        double[] want = new double[15];
        for (int i = 0; i < 15; i++) want[i] = g[i] / (1 + Math.exp(-g[i])) * u[i];
        assertClose("swiglu", want, Activations.swiglu(Tensor.of(g, 3, 5), Tensor.of(u, 3, 5)).toFloatArray());
    }

    @Test
    void softmaxAndLogSoftmax() {
        int rows = 3, cols = 7;
        float[] x = gaussian(rows * cols);
        double[] soft = new double[x.length], logSoft = new double[x.length];
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int j = 0; j < cols; j++) sum += Math.exp(x[r * cols + j]);
            for (int j = 0; j < cols; j++) {
                soft[r * cols + j] = Math.exp(x[r * cols + j]) / sum;
                logSoft[r * cols + j] = x[r * cols + j] - Math.log(sum);
            }
        }
        assertClose("softmax", soft, Softmax.softmax(Tensor.of(x, rows, cols)).toFloatArray());
        assertClose("logSoftmax", logSoft, Softmax.logSoftmax(Tensor.of(x, rows, cols)).toFloatArray());
    }

    @Test
    void causalGroupedQueryAttentionWithLeftPadding() {
        int b = 2, lq = 5, lk = 7, hq = 4, hkv = 2, d = 3;
        float[] q = gaussian(b * lq * hq * d), k = gaussian(b * lk * hkv * d), v = gaussian(b * lk * hkv * d);
        int[] mask = {1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1};
        double scale = 1 / Math.sqrt(d);
        double[] want = new double[q.length];
        for (int bb = 0; bb < b; bb++) {
            for (int i = 0; i < lq; i++) {
                for (int h = 0; h < hq; h++) {
                    int kvh = h / (hq / hkv);
                    double[] p = new double[lk];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < lk; j++) {
                        boolean visible = mask[bb * lk + j] != 0 && j <= i + (lk - lq);
                        if (!visible) { p[j] = Double.NEGATIVE_INFINITY; continue; }
                        double s = 0;
                        for (int t = 0; t < d; t++) {
                            s += (double) q[((bb * lq + i) * hq + h) * d + t] * k[((bb * lk + j) * hkv + kvh) * d + t];
                        }
                        p[j] = s * scale;
                        max = Math.max(max, p[j]);
                    }
                    if (max == Double.NEGATIVE_INFINITY) continue; // sees no key: output 0
                    double sum = 0;
                    for (int j = 0; j < lk; j++) sum += p[j] = Math.exp(p[j] - max);
                    for (int t = 0; t < d; t++) {
                        double o = 0;
                        for (int j = 0; j < lk; j++) o += p[j] / sum * v[((bb * lk + j) * hkv + kvh) * d + t];
                        want[((bb * lq + i) * hq + h) * d + t] = o;
                    }
                }
            }
        }
        Tensor out = Attention.sdpa(Tensor.of(q, b, lq, hq, d), Tensor.of(k, b, lk, hkv, d), Tensor.of(v, b, lk, hkv, d),
                true, Tensor.ofInts(mask, b, lk), Float.NaN);
        assertClose("sdpa", want, out.toFloatArray());
    }

    @Test
    void logProbGatherAndCrossEntropy() {
        int n = 5, vocab = 7, ignore = -1;
        float[] logits = gaussian(n * vocab);
        int[] targets = {3, ignore, 0, 6, 6};
        double[] want = new double[n];
        double total = 0;
        for (int r = 0; r < n; r++) {
            if (targets[r] == ignore) continue;
            double sum = 0;
            for (int j = 0; j < vocab; j++) sum += Math.exp(logits[r * vocab + j]);
            want[r] = logits[r * vocab + targets[r]] - Math.log(sum);
            total += want[r];
        }
        Tensor l = Tensor.of(logits, n, vocab), t = Tensor.ofInts(targets, n);
        assertClose("logProbGather", want, Losses.logProbGather(l, t, ignore).toFloatArray());
        assertClose("crossEntropy", new double[]{-total / 4}, Losses.crossEntropy(l, t, ignore).toFloatArray());
    }

    @Test
    void crossEntropyOfOnlyIgnoredRowsIsZeroWithZeroGradients() {
        Tensor logits = Tensor.of(gaussian(21), 3, 7).requiresGrad(true);
        Tensor loss = Losses.crossEntropy(logits, Tensor.ofInts(new int[]{-100, -100, -100}, 3), -100);
        assertEquals(0f, loss.item());
        assertEquals(0, Float.floatToRawIntBits(loss.item()), "+0, not -0");
        loss.backward();
        for (float g : logits.grad().toFloatArray()) assertEquals(0f, g);
    }

    @Test
    void embeddingGathersRows() {
        float[] table = gaussian(7 * 3);
        int[] ids = {6, 0, 6, 2};
        double[] want = new double[ids.length * 3];
        for (int i = 0; i < ids.length; i++) for (int j = 0; j < 3; j++) want[i * 3 + j] = table[ids[i] * 3 + j];
        Tensor out = Indexing.embedding(Tensor.of(table, 7, 3), Tensor.ofInts(ids, 2, 2));
        assertArrayEquals(new int[]{2, 2, 3}, out.shape());
        assertClose("embedding", want, out.toFloatArray());
    }

    @Test
    void indexPutReplacesRowsOfACopy() {
        float[] base = gaussian(5 * 3), values = gaussian(2 * 3);
        int[] rows = {4, 1};
        double[] want = new double[base.length];
        for (int i = 0; i < base.length; i++) want[i] = base[i];
        for (int i = 0; i < rows.length; i++) for (int j = 0; j < 3; j++) want[rows[i] * 3 + j] = values[i * 3 + j];
        Tensor b = Tensor.of(base, 5, 3);
        Tensor out = Indexing.indexPut(b, Tensor.ofInts(rows, 2), Tensor.of(values, 2, 3));
        assertClose("indexPut", want, out.toFloatArray());
        assertArrayEquals(base, b.toFloatArray(), "base must be untouched");
    }

    @Test
    void castRoundsToNearestEven() {
        // bf16 keeps 7 fraction bits: in [1, 2) its step is 2^-7. Exact halves round to the even neighbour.
        float[] x = {1f + 0x1p-8f, 1f + 3 * 0x1p-8f, 1f + 0x1p-8f + 0x1p-20f, -2.5f, Float.NaN, 1e30f};
        float[] want = {1f, 1f + 0x1p-6f, 1f + 0x1p-7f, -2.5f, Float.NaN, Float.intBitsToFloat(
                (Float.floatToRawIntBits(1e30f) + 0x7FFF + ((Float.floatToRawIntBits(1e30f) >>> 16) & 1)) & 0xFFFF0000)};
        Tensor bf = Casts.to(Tensor.of(x, 6), DType.BF16);
        assertEquals(DType.BF16, bf.dtype());
        float[] got = Casts.to(bf, DType.F32).toFloatArray();
        for (int i = 0; i < 5; i++) {
            assertTrue(Float.compare(want[i], got[i]) == 0, "element " + i + ": " + got[i] + " expected " + want[i]);
        }
        assertEquals(want[5], got[5], "1e30 rounded by the textbook bias trick");
        Tensor f = Tensor.of(x, 6);
        assertTrue(Casts.to(f, DType.F32) == f, "a cast to the same dtype is the tensor itself");
    }
}
