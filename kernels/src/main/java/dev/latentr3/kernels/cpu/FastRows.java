package dev.latentr3.kernels.cpu;

import dev.latentr3.kernels.Parallel;
import dev.latentr3.kernels.RowKernels;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static dev.latentr3.kernels.Segments.getFloat;
import static dev.latentr3.kernels.Segments.getInt;
import static dev.latentr3.kernels.Segments.setFloat;

/**
 * The row kernels with the Vector API, rows (or blocks of elements) spread over cores with {@link Parallel}.
 * Each is checked element-wise against {@link ReferenceRows}. exp is {@link VectorExp} in the vector body and
 * {@link Math#exp} in the scalar tails.
 */
public final class FastRows implements RowKernels {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    /** Rough scalar-op cost of one element through exp, for Parallel's decision to split. */
    private static final long EXP_COST = 24;
    /** Elements per task for the flat (swiglu) kernels: big enough to amortise a task, small enough to balance. */
    private static final int FLAT_BLOCK = 1 << 14;
    /** Columns per task of the dWeight reduction: its accumulator stays in L1 while all rows stream past. */
    private static final int DW_BLOCK = 256;
    /**
     * Elements per partial sum in the online log-sum-exp: the row total is a sum of per-block sums, so a 152k-wide
     * row never adds a small term to a large float running sum more than a few hundred times per lane.
     */
    private static final int LSE_BLOCK = 1024;

    private static FloatVector load(MemorySegment s, long index) {
        return FloatVector.fromMemorySegment(F, s, index * Float.BYTES, ORDER);
    }

    private static void store(FloatVector v, MemorySegment s, long index) {
        v.intoMemorySegment(s, index * Float.BYTES, ORDER);
    }

    private static FloatVector exp(FloatVector v) {
        return VectorExp.exp(v);
    }

    // ---------------------------------------------------------------- softmax

    @Override
    public void softmax(int rows, int cols, MemorySegment x, MemorySegment y) {
        RowArgs.matrix("softmax", rows, cols, "x", x, "y", y);
        Parallel.forRange(rows, cols * EXP_COST, (r0, r1) -> {
            for (int r = r0; r < r1; r++) softmaxRow(x, y, (long) r * cols, cols);
        });
    }

    private static void softmaxRow(MemorySegment x, MemorySegment y, long base, int n) {
        float max = rowMax(x, base, n);
        FloatVector vmax = FloatVector.broadcast(F, max);
        FloatVector acc = FloatVector.zero(F);
        int bound = F.loopBound(n), i = 0;
        for (; i < bound; i += L) {
            FloatVector e = exp(load(x, base + i).sub(vmax));
            store(e, y, base + i);
            acc = acc.add(e);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float e = (float) Math.exp(getFloat(x, base + i) - max);
            setFloat(y, base + i, e);
            sum += e;
        }
        scaleRow(y, base, n, 1f / sum);
    }

    @Override
    public void softmaxBackward(int rows, int cols, MemorySegment y, MemorySegment dy, MemorySegment dx) {
        RowArgs.matrix("softmaxBackward", rows, cols, "y", y, "dy", dy, "dx", dx);
        Parallel.forRange(rows, cols * 4L, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                long base = (long) r * cols;
                int bound = F.loopBound(cols), i = 0;
                FloatVector acc = FloatVector.zero(F);
                for (; i < bound; i += L) acc = load(dy, base + i).fma(load(y, base + i), acc);
                float dot = acc.reduceLanes(VectorOperators.ADD);
                for (; i < cols; i++) dot += getFloat(dy, base + i) * getFloat(y, base + i);
                FloatVector vdot = FloatVector.broadcast(F, dot);
                for (i = 0; i < bound; i += L) {
                    store(load(dy, base + i).sub(vdot).mul(load(y, base + i)), dx, base + i);
                }
                for (; i < cols; i++) setFloat(dx, base + i, (getFloat(dy, base + i) - dot) * getFloat(y, base + i));
            }
        });
    }

    // ---------------------------------------------------------------- log-softmax

    @Override
    public void logSoftmax(int rows, int cols, MemorySegment x, MemorySegment y) {
        RowArgs.matrix("logSoftmax", rows, cols, "x", x, "y", y);
        Parallel.forRange(rows, cols * EXP_COST, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                long base = (long) r * cols;
                float lse = logSumExp(x, base, cols);
                FloatVector vlse = FloatVector.broadcast(F, lse);
                int bound = F.loopBound(cols), i = 0;
                for (; i < bound; i += L) store(load(x, base + i).sub(vlse), y, base + i);
                for (; i < cols; i++) setFloat(y, base + i, getFloat(x, base + i) - lse);
            }
        });
    }

    @Override
    public void logSoftmaxBackward(int rows, int cols, MemorySegment y, MemorySegment dy, MemorySegment dx) {
        RowArgs.matrix("logSoftmaxBackward", rows, cols, "y", y, "dy", dy, "dx", dx);
        Parallel.forRange(rows, cols * EXP_COST, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                long base = (long) r * cols;
                int bound = F.loopBound(cols), i = 0;
                FloatVector acc = FloatVector.zero(F);
                for (; i < bound; i += L) acc = acc.add(load(dy, base + i));
                float sum = acc.reduceLanes(VectorOperators.ADD);
                for (; i < cols; i++) sum += getFloat(dy, base + i);
                FloatVector vneg = FloatVector.broadcast(F, -sum);
                for (i = 0; i < bound; i += L) {
                    store(exp(load(y, base + i)).fma(vneg, load(dy, base + i)), dx, base + i);
                }
                for (; i < cols; i++) {
                    setFloat(dx, base + i, getFloat(dy, base + i) - (float) Math.exp(getFloat(y, base + i)) * sum);
                }
            }
        });
    }

    // ---------------------------------------------------------------- RMSNorm

    @Override
    public void rmsNorm(int rows, int dim, MemorySegment x, MemorySegment weight, float eps, MemorySegment y,
                        MemorySegment rstd) {
        RowArgs.rmsNorm("rmsNorm", rows, dim, x, weight, rstd, "y", y);
        Parallel.forRange(rows, dim * 4L, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                long base = (long) r * dim;
                float rs = (float) (1.0 / Math.sqrt((double) dot(x, base, x, base, dim) / dim + eps));
                setFloat(rstd, r, rs);
                FloatVector vrs = FloatVector.broadcast(F, rs);
                int bound = F.loopBound(dim), j = 0;
                for (; j < bound; j += L) store(load(x, base + j).mul(vrs).mul(load(weight, j)), y, base + j);
                for (; j < dim; j++) setFloat(y, base + j, getFloat(x, base + j) * rs * getFloat(weight, j));
            }
        });
    }

    /**
     * dx = a * dy * weight - b * x per row with a = rstd and b = rstd^3 * sum(dy * weight * x) / dim (the reference's
     * formula with xhat expanded). dWeight is a column sum over rows, so it runs as a second pass split by columns:
     * no two tasks write the same dWeight element.
     */
    @Override
    public void rmsNormBackward(int rows, int dim, MemorySegment x, MemorySegment weight, MemorySegment rstd,
                                MemorySegment dy, MemorySegment dx, MemorySegment dWeight) {
        RowArgs.rmsNorm("rmsNormBackward", rows, dim, x, weight, rstd, "dy", dy);
        RowArgs.holds("rmsNormBackward", "dx", dx, (long) rows * dim);
        RowArgs.holds("rmsNormBackward", "dWeight", dWeight, dim);
        Parallel.forRange(rows, dim * 6L, (r0, r1) -> {
            for (int r = r0; r < r1; r++) rmsNormBackwardRow(x, weight, getFloat(rstd, r), dy, dx, (long) r * dim, dim);
        });
        int blocks = (dim + DW_BLOCK - 1) / DW_BLOCK;
        Parallel.forRange(blocks, (long) rows * DW_BLOCK * 2, (b0, b1) -> {
            int c0 = b0 * DW_BLOCK, c1 = Math.min(dim, b1 * DW_BLOCK), width = c1 - c0;
            float[] acc = new float[width];
            int bound = F.loopBound(width);
            for (int r = 0; r < rows; r++) {
                long base = (long) r * dim + c0;
                float rs = getFloat(rstd, r);
                FloatVector vrs = FloatVector.broadcast(F, rs);
                int j = 0;
                for (; j < bound; j += L) {
                    load(dy, base + j).mul(vrs).fma(load(x, base + j), FloatVector.fromArray(F, acc, j))
                            .intoArray(acc, j);
                }
                for (; j < width; j++) acc[j] += getFloat(dy, base + j) * rs * getFloat(x, base + j);
            }
            int j = 0;
            for (; j < bound; j += L) {
                store(load(dWeight, c0 + j).add(FloatVector.fromArray(F, acc, j)), dWeight, c0 + j);
            }
            for (; j < width; j++) setFloat(dWeight, c0 + j, getFloat(dWeight, c0 + j) + acc[j]);
        });
    }

    private static void rmsNormBackwardRow(MemorySegment x, MemorySegment weight, float rs, MemorySegment dy,
                                           MemorySegment dx, long base, int dim) {
        int bound = F.loopBound(dim), j = 0;
        FloatVector acc = FloatVector.zero(F);
        for (; j < bound; j += L) acc = load(dy, base + j).mul(load(weight, j)).fma(load(x, base + j), acc);
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; j < dim; j++) s += getFloat(dy, base + j) * getFloat(weight, j) * getFloat(x, base + j);
        float a = rs, b = rs * rs * rs * s / dim;
        FloatVector va = FloatVector.broadcast(F, a), vnb = FloatVector.broadcast(F, -b);
        for (j = 0; j < bound; j += L) {
            FloatVector g = load(dy, base + j).mul(load(weight, j)).mul(va);
            store(load(x, base + j).fma(vnb, g), dx, base + j);
        }
        for (; j < dim; j++) {
            setFloat(dx, base + j, a * getFloat(dy, base + j) * getFloat(weight, j) - b * getFloat(x, base + j));
        }
    }

    // ---------------------------------------------------------------- rotary embedding

    /**
     * cos and sin are computed once per token (in double, like the reference) and shared by all heads; the vector
     * loop then pairs lanes i and i + rotaryDim/2, which are both contiguous runs, so no shuffles are needed.
     */
    @Override
    public void rope(int tokens, int heads, int headDim, int rotaryDim, double theta, MemorySegment positions,
                     boolean inverse, MemorySegment x, MemorySegment y) {
        RowArgs.rope(tokens, heads, headDim, rotaryDim, theta, positions, x, y);
        int half = rotaryDim / 2;
        double[] invFreq = RopeFrequencies.inverse(rotaryDim, theta);
        boolean copyRest = rotaryDim < headDim && !sameStart(x, y);
        Parallel.forRange(tokens, (long) heads * headDim * 6 + half * 40L, (t0, t1) -> {
            float[] cos = new float[half], sin = new float[half];
            int bound = F.loopBound(half);
            for (int t = t0; t < t1; t++) {
                int pos = getInt(positions, t);
                for (int i = 0; i < half; i++) {
                    double angle = pos * invFreq[i];
                    cos[i] = (float) Math.cos(angle);
                    sin[i] = (float) (inverse ? -Math.sin(angle) : Math.sin(angle));
                }
                for (int h = 0; h < heads; h++) {
                    long base = ((long) t * heads + h) * headDim;
                    int i = 0;
                    for (; i < bound; i += L) {
                        FloatVector a = load(x, base + i), b = load(x, base + half + i);
                        FloatVector c = FloatVector.fromArray(F, cos, i), s = FloatVector.fromArray(F, sin, i);
                        store(a.mul(c).sub(b.mul(s)), y, base + i);
                        store(b.mul(c).add(a.mul(s)), y, base + half + i);
                    }
                    for (; i < half; i++) {
                        float a = getFloat(x, base + i), b = getFloat(x, base + half + i);
                        setFloat(y, base + i, a * cos[i] - b * sin[i]);
                        setFloat(y, base + half + i, b * cos[i] + a * sin[i]);
                    }
                    if (copyRest) {
                        MemorySegment.copy(x, (base + rotaryDim) * Float.BYTES, y, (base + rotaryDim) * Float.BYTES,
                                (long) (headDim - rotaryDim) * Float.BYTES);
                    }
                }
            }
        });
    }

    private static boolean sameStart(MemorySegment a, MemorySegment b) {
        return a.isNative() == b.isNative() && a.address() == b.address()
                && a.heapBase().orElse(null) == b.heapBase().orElse(null);
    }

    // ---------------------------------------------------------------- SwiGLU

    @Override
    public void swiglu(long n, MemorySegment gate, MemorySegment up, MemorySegment out) {
        RowArgs.flat("swiglu", n, "gate", gate, "up", up, "out", out);
        forBlocks(n, (from, to) -> {
            FloatVector one = FloatVector.broadcast(F, 1f);
            long bound = from + F.loopBound(to - from), i = from;
            for (; i < bound; i += L) {
                FloatVector g = load(gate, i);
                store(g.mul(load(up, i)).div(one.add(exp(g.neg()))), out, i);
            }
            for (; i < to; i++) {
                float g = getFloat(gate, i);
                setFloat(out, i, g * getFloat(up, i) / (1f + (float) Math.exp(-g)));
            }
        });
    }

    @Override
    public void swigluBackward(long n, MemorySegment gate, MemorySegment up, MemorySegment dOut, MemorySegment dGate,
                               MemorySegment dUp) {
        RowArgs.flat("swigluBackward", n, "gate", gate, "up", up, "dOut", dOut);
        RowArgs.flat("swigluBackward", n, "dGate", dGate, "dUp", dUp, "dOut", dOut);
        forBlocks(n, (from, to) -> {
            FloatVector one = FloatVector.broadcast(F, 1f);
            long bound = from + F.loopBound(to - from), i = from;
            for (; i < bound; i += L) {
                FloatVector g = load(gate, i), d = load(dOut, i);
                FloatVector s = one.div(one.add(exp(g.neg())));
                store(d.mul(g).mul(s), dUp, i);
                // silu'(g) = s * (1 + g * (1 - s))
                FloatVector dsilu = s.mul(g.fma(one.sub(s), one));
                store(d.mul(load(up, i)).mul(dsilu), dGate, i);
            }
            for (; i < to; i++) {
                float g = getFloat(gate, i), d = getFloat(dOut, i);
                float s = 1f / (1f + (float) Math.exp(-g));
                setFloat(dUp, i, d * g * s);
                setFloat(dGate, i, d * getFloat(up, i) * s * (1f + g * (1f - s)));
            }
        });
    }

    @FunctionalInterface
    private interface LongRange {
        void run(long from, long to);
    }

    private static void forBlocks(long n, LongRange body) {
        long blocks = (n + FLAT_BLOCK - 1) / FLAT_BLOCK;
        if (blocks > Integer.MAX_VALUE) throw new IllegalArgumentException("swiglu: n = " + n + " is too large");
        Parallel.forRange((int) blocks, FLAT_BLOCK * EXP_COST,
                (b0, b1) -> body.run((long) b0 * FLAT_BLOCK, Math.min(n, (long) b1 * FLAT_BLOCK)));
    }

    // ---------------------------------------------------------------- log-prob gather

    @Override
    public void logProbGather(int rows, int vocab, MemorySegment logits, MemorySegment targets, int ignoreIndex,
                              MemorySegment logp, MemorySegment lse) {
        RowArgs.logProb("logProbGather", rows, vocab, logits, targets, ignoreIndex, "logp", logp, "lse", lse);
        Parallel.forRange(rows, vocab * EXP_COST, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                long base = (long) r * vocab;
                float l = logSumExp(logits, base, vocab);
                setFloat(lse, r, l);
                int t = getInt(targets, r);
                setFloat(logp, r, t == ignoreIndex ? 0f : getFloat(logits, base + t) - l);
            }
        });
    }

    /** One pass per row: every element is written as -dLogp * p, then the target gets its + dLogp. */
    @Override
    public void logProbGatherBackward(int rows, int vocab, MemorySegment logits, MemorySegment targets,
                                      int ignoreIndex, MemorySegment lse, MemorySegment dLogp,
                                      MemorySegment dLogits) {
        RowArgs.logProb("logProbGatherBackward", rows, vocab, logits, targets, ignoreIndex, "lse", lse,
                "dLogp", dLogp);
        RowArgs.holds("logProbGatherBackward", "dLogits", dLogits, (long) rows * vocab);
        Parallel.forRange(rows, vocab * EXP_COST, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                long base = (long) r * vocab;
                int t = getInt(targets, r);
                if (t == ignoreIndex) {
                    dLogits.asSlice(base * Float.BYTES, (long) vocab * Float.BYTES).fill((byte) 0);
                    continue;
                }
                float d = getFloat(dLogp, r), l = getFloat(lse, r);
                FloatVector vl = FloatVector.broadcast(F, l), vnd = FloatVector.broadcast(F, -d);
                int bound = F.loopBound(vocab), j = 0;
                for (; j < bound; j += L) store(exp(load(logits, base + j).sub(vl)).mul(vnd), dLogits, base + j);
                for (; j < vocab; j++) {
                    setFloat(dLogits, base + j, -d * (float) Math.exp(getFloat(logits, base + j) - l));
                }
                setFloat(dLogits, base + t, d * (1f - (float) Math.exp(getFloat(logits, base + t) - l)));
            }
        });
    }

    // ---------------------------------------------------------------- row helpers

    /**
     * log(sum(exp(x))) over n elements in one pass: each lane keeps its own running max and a sum scaled to it, and
     * both are rescaled only when a new block of four vectors raises some lane's max (rare after the first few
     * vectors of a row, so one exp per element). The lanes are combined at the end, then the scalar tail continues
     * the same online update.
     */
    static float logSumExp(MemorySegment x, long base, int n) {
        int bound = F.loopBound(n), i = 0;
        // -MAX rather than -Infinity: a lane that has seen only -Infinity must not compute -inf - (-inf) = NaN.
        float m = -Float.MAX_VALUE, s = 0f;
        if (bound > 0) {
            FloatVector vmax = FloatVector.broadcast(F, -Float.MAX_VALUE);
            FloatVector total = FloatVector.zero(F);
            while (i < bound) {
                int blockEnd = Math.min(bound, i + LSE_BLOCK);
                FloatVector part = FloatVector.zero(F);
                for (; i + 4 * L <= blockEnd; i += 4 * L) {
                    FloatVector a = load(x, base + i), b = load(x, base + i + L);
                    FloatVector c = load(x, base + i + 2 * L), d = load(x, base + i + 3 * L);
                    FloatVector top = a.max(b).max(c.max(d));
                    if (top.compare(VectorOperators.GT, vmax).anyTrue()) {
                        FloatVector newMax = vmax.max(top);
                        FloatVector rescale = exp(vmax.sub(newMax));
                        part = part.mul(rescale);
                        total = total.mul(rescale);
                        vmax = newMax;
                    }
                    FloatVector ab = exp(a.sub(vmax)).add(exp(b.sub(vmax)));
                    FloatVector cd = exp(c.sub(vmax)).add(exp(d.sub(vmax)));
                    part = part.add(ab.add(cd));
                }
                for (; i < blockEnd; i += L) {
                    FloatVector a = load(x, base + i);
                    if (a.compare(VectorOperators.GT, vmax).anyTrue()) {
                        FloatVector newMax = vmax.max(a);
                        FloatVector rescale = exp(vmax.sub(newMax));
                        part = part.mul(rescale);
                        total = total.mul(rescale);
                        vmax = newMax;
                    }
                    part = part.add(exp(a.sub(vmax)));
                }
                total = total.add(part);
            }
            m = vmax.reduceLanes(VectorOperators.MAX);
            s = total.mul(exp(vmax.sub(m))).reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            float v = getFloat(x, base + i);
            if (v > m) {
                s = s * (float) Math.exp(m - v) + 1f;
                m = v;
            } else {
                s += (float) Math.exp(v - m);
            }
        }
        return m + (float) Math.log(s);
    }

    private static float rowMax(MemorySegment x, long base, int n) {
        int bound = F.loopBound(n), i = 0;
        float max = Float.NEGATIVE_INFINITY;
        if (bound > 0) {
            FloatVector acc = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (; i < bound; i += L) acc = acc.max(load(x, base + i));
            max = acc.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) max = Math.max(max, getFloat(x, base + i));
        return max;
    }

    private static float dot(MemorySegment a, long aBase, MemorySegment b, long bBase, int n) {
        int bound = F.loopBound(n), i = 0;
        FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
        for (; i + 2 * L <= bound; i += 2 * L) {
            acc0 = load(a, aBase + i).fma(load(b, bBase + i), acc0);
            acc1 = load(a, aBase + i + L).fma(load(b, bBase + i + L), acc1);
        }
        for (; i < bound; i += L) acc0 = load(a, aBase + i).fma(load(b, bBase + i), acc0);
        float s = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) s += getFloat(a, aBase + i) * getFloat(b, bBase + i);
        return s;
    }

    private static void scaleRow(MemorySegment y, long base, int n, float k) {
        FloatVector vk = FloatVector.broadcast(F, k);
        int bound = F.loopBound(n), i = 0;
        for (; i < bound; i += L) store(load(y, base + i).mul(vk), y, base + i);
        for (; i < n; i++) setFloat(y, base + i, getFloat(y, base + i) * k);
    }
}
