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
        int bound = F.loopBound(n), i = bound;
        float sum = expShifted(x, y, base, bound, max);
        for (; i < n; i++) {
            float e = (float) Math.exp(getFloat(x, base + i) - max);
            setFloat(y, base + i, e);
            sum += e;
        }
        scaleRow(y, base, n, 1f / sum);
    }

    /** y = exp(x - shift) over [base, base + n), n a multiple of the vector length; returns the sum of y. */
    private static float expShifted(MemorySegment x, MemorySegment y, long base, int n, float shift) {
        FloatVector vs = FloatVector.broadcast(F, shift), acc = FloatVector.zero(F);
        for (int i = 0; i < n; i += L) {
            FloatVector e = exp(load(x, base + i).sub(vs));
            store(e, y, base + i);
            acc = acc.add(e);
        }
        return Lanes.sum(acc);
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
                float dot = Lanes.sum(acc);
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
                float sum = Lanes.sum(acc);
                for (; i < cols; i++) sum += getFloat(dy, base + i);
                expFma(y, -sum, dy, dx, base, bound);
                for (i = bound; i < cols; i++) {
                    setFloat(dx, base + i, getFloat(dy, base + i) - (float) Math.exp(getFloat(y, base + i)) * sum);
                }
            }
        });
    }

    /** dx = exp(y) * a + dy over [base, base + n), n a multiple of the vector length. */
    private static void expFma(MemorySegment y, float a, MemorySegment dy, MemorySegment dx, long base, int n) {
        FloatVector va = FloatVector.broadcast(F, a);
        for (int i = 0; i < n; i += L) store(exp(load(y, base + i)).fma(va, load(dy, base + i)), dx, base + i);
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
        float s = Lanes.sum(acc);
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
            long bound = from + F.loopBound(to - from), i = bound;
            swigluVectors(gate, up, out, from, bound);
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
            long bound = from + F.loopBound(to - from), i = bound;
            swigluBackwardVectors(gate, up, dOut, dGate, dUp, from, bound);
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

    /*
     * The vector loops with an exp live in methods of their own, apart from the lambdas' scalar tails and segment
     * accessors: with those in the same compilation the inlined polynomial exp used up C2's inlining node budget and
     * the loop's store went out of line (boxing every vector), 2-3x slower.
     */

    private static void swigluVectors(MemorySegment gate, MemorySegment up, MemorySegment out, long from, long to) {
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (long i = from; i < to; i += L) {
            FloatVector g = load(gate, i);
            store(g.mul(load(up, i)).div(one.add(exp(g.neg()))), out, i);
        }
    }

    private static void swigluBackwardVectors(MemorySegment gate, MemorySegment up, MemorySegment dOut,
                                              MemorySegment dGate, MemorySegment dUp, long from, long to) {
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (long i = from; i < to; i += L) {
            FloatVector g = load(gate, i), d = load(dOut, i);
            FloatVector s = one.div(one.add(exp(g.neg())));
            store(d.mul(g).mul(s), dUp, i);
            // silu'(g) = s * (1 + g * (1 - s))
            FloatVector dsilu = s.mul(g.fma(one.sub(s), one));
            store(d.mul(load(up, i)).mul(dsilu), dGate, i);
        }
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
                int bound = F.loopBound(vocab), j = bound;
                expScaled(logits, l, -d, dLogits, base, bound);
                for (; j < vocab; j++) {
                    setFloat(dLogits, base + j, -d * (float) Math.exp(getFloat(logits, base + j) - l));
                }
                setFloat(dLogits, base + t, d * (1f - (float) Math.exp(getFloat(logits, base + t) - l)));
            }
        });
    }

    /** out = exp(x - shift) * scale over [base, base + n), n a multiple of the vector length. */
    private static void expScaled(MemorySegment x, float shift, float scale, MemorySegment out, long base, int n) {
        FloatVector vs = FloatVector.broadcast(F, shift), vm = FloatVector.broadcast(F, scale);
        for (int j = 0; j < n; j += L) store(exp(load(x, base + j).sub(vs)).mul(vm), out, base + j);
    }

    // ---------------------------------------------------------------- row helpers

    /**
     * log(sum(exp(x))) over n elements, a block of LSE_BLOCK elements at a time (4 KiB, so the second read of a block
     * comes from L1): the block's max first, then one pass of exp(x - m) against the running max m; the running sum
     * is rescaled (one scalar exp) only when a block raises m, which is rare after the first few blocks. The scalar
     * tail continues the same online update.
     *
     * <p>Why in blocks, not one pass with a per-lane running max as before: the default exp is our polynomial, and a
     * method with several inlined polynomial exps exceeds C2's inlining node budget (see {@link VectorExp}); here the
     * only vector exp is in {@link #sumExp}, a loop with one call site.
     */
    static float logSumExp(MemorySegment x, long base, int n) {
        int bound = F.loopBound(n), i = 0;
        // -MAX rather than -Infinity: a row of -Infinity must not compute -inf - (-inf) = NaN.
        float m = -Float.MAX_VALUE, s = 0f;
        while (i < bound) {
            int len = Math.min(bound - i, LSE_BLOCK);
            float blockMax = rowMax(x, base + i, len);
            if (blockMax > m) {
                s *= (float) Math.exp(m - blockMax);
                m = blockMax;
            }
            s += sumExp(x, base + i, len, m);
            i += len;
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

    /** sum of exp(x - m) over n elements, n a multiple of the vector length. */
    private static float sumExp(MemorySegment x, long base, int n, float m) {
        FloatVector vm = FloatVector.broadcast(F, m), acc = FloatVector.zero(F);
        for (int i = 0; i < n; i += L) acc = acc.add(exp(load(x, base + i).sub(vm)));
        return Lanes.sum(acc);
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
        float s = Lanes.sum(acc0.add(acc1));
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
