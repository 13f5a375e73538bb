package dev.latentr3.kernels.cpu;

import dev.latentr3.kernels.AttentionKernels;
import dev.latentr3.kernels.Segments;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static dev.latentr3.kernels.Segments.getFloat;
import static dev.latentr3.kernels.Segments.setFloat;

/**
 * The attention oracle: one query row at a time, scores and sums in double, no tiling and no threads. Slow on purpose
 * (O(Lq * Lk * D) per head with strided reads); {@link FastAttention} is checked against it.
 */
public final class ReferenceAttention implements AttentionKernels {

    private static final String FWD = "ReferenceAttention.attention", BWD = "ReferenceAttention.attentionBackward";

    @Override
    public void attention(int batch, int lq, int lk, int hq, int hkv, int headDim, float scale, boolean causal,
                          MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment keyMask,
                          MemorySegment out, MemorySegment lse) {
        AttentionArgs a = AttentionArgs.forward(FWD, batch, lq, lk, hq, hkv, headDim, scale, q, k, v, keyMask, out, lse);
        double[] p = new double[lk];
        double[] o = new double[headDim];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < hq; h++) {
                int g = h / a.group();
                for (int i = 0; i < lq; i++) {
                    long qi = a.qIndex(b, i, h);
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < lk; j++) {
                        p[j] = visible(a, keyMask, causal, b, i, j)
                                ? scale * dot(q, qi, k, a.kvIndex(b, j, g), headDim) : Double.NEGATIVE_INFINITY;
                        max = Math.max(max, p[j]);
                    }
                    if (max == Double.NEGATIVE_INFINITY) { // sees no key: defined as out 0, lse -inf
                        for (int d = 0; d < headDim; d++) setFloat(out, qi + d, 0f);
                        setFloat(lse, a.lseIndex(b, h, i), Float.NEGATIVE_INFINITY);
                        continue;
                    }
                    double sum = 0;
                    for (int j = 0; j < lk; j++) {
                        p[j] = Math.exp(p[j] - max); // masked keys: exp(-inf) = 0
                        sum += p[j];
                    }
                    Arrays.fill(o, 0);
                    for (int j = 0; j < lk; j++) {
                        if (p[j] == 0) continue;
                        long vj = a.kvIndex(b, j, g);
                        for (int d = 0; d < headDim; d++) o[d] += p[j] * getFloat(v, vj + d);
                    }
                    for (int d = 0; d < headDim; d++) setFloat(out, qi + d, (float) (o[d] / sum));
                    setFloat(lse, a.lseIndex(b, h, i), (float) (max + Math.log(sum)));
                }
            }
        }
    }

    /**
     * With P = exp(S - lse), D_i = dO_i . O_i and dS = P (dP - D_i): dV += P^T dO, dP = dO V^T, dQ = scale dS K,
     * dK = scale dS^T Q, with dK and dV summed over the query heads that share a key/value head.
     */
    @Override
    public void attentionBackward(int batch, int lq, int lk, int hq, int hkv, int headDim, float scale, boolean causal,
                                  MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment keyMask,
                                  MemorySegment out, MemorySegment lse, MemorySegment dOut,
                                  MemorySegment dq, MemorySegment dk, MemorySegment dv) {
        AttentionArgs a = AttentionArgs.backward(BWD, batch, lq, lk, hq, hkv, headDim, scale,
                q, k, v, keyMask, out, lse, dOut, dq, dk, dv);
        double[] dkAcc = new double[lk * headDim], dvAcc = new double[lk * headDim], dqRow = new double[headDim];
        for (int b = 0; b < batch; b++) {
            for (int g = 0; g < hkv; g++) {
                Arrays.fill(dkAcc, 0);
                Arrays.fill(dvAcc, 0);
                for (int h = g * a.group(); h < (g + 1) * a.group(); h++) {
                    for (int i = 0; i < lq; i++) {
                        long qi = a.qIndex(b, i, h);
                        Arrays.fill(dqRow, 0);
                        double rowLse = getFloat(lse, a.lseIndex(b, h, i));
                        if (rowLse != Double.NEGATIVE_INFINITY) { // a row that saw no key has no gradient
                            double di = dot(dOut, qi, out, qi, headDim);
                            for (int j = 0; j < lk; j++) {
                                if (!visible(a, keyMask, causal, b, i, j)) continue;
                                long kj = a.kvIndex(b, j, g);
                                double p = Math.exp(scale * dot(q, qi, k, kj, headDim) - rowLse);
                                double ds = p * (dot(dOut, qi, v, kj, headDim) - di);
                                for (int d = 0; d < headDim; d++) {
                                    dvAcc[j * headDim + d] += p * getFloat(dOut, qi + d);
                                    dkAcc[j * headDim + d] += scale * ds * getFloat(q, qi + d);
                                    dqRow[d] += scale * ds * getFloat(k, kj + d);
                                }
                            }
                        }
                        for (int d = 0; d < headDim; d++) setFloat(dq, qi + d, (float) dqRow[d]);
                    }
                }
                for (int j = 0; j < lk; j++) {
                    long kj = a.kvIndex(b, j, g);
                    for (int d = 0; d < headDim; d++) {
                        setFloat(dk, kj + d, (float) dkAcc[j * headDim + d]);
                        setFloat(dv, kj + d, (float) dvAcc[j * headDim + d]);
                    }
                }
            }
        }
    }

    private static boolean visible(AttentionArgs a, MemorySegment keyMask, boolean causal, int b, int i, int j) {
        return j <= a.lastKey(causal, i) && AttentionArgs.keyAllowed(keyMask, a, b, j);
    }

    private static double dot(MemorySegment x, long xi, MemorySegment y, long yi, int n) {
        double s = 0;
        for (int d = 0; d < n; d++) s += (double) Segments.getFloat(x, xi + d) * Segments.getFloat(y, yi + d);
        return s;
    }
}
