package dev.latentr3.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static dev.latentr3.kernels.Segments.F32;
import static dev.latentr3.kernels.cpu.GemmMicroKernel.L;
import static dev.latentr3.kernels.cpu.GemmMicroKernel.S;

/**
 * GEMMs with one tiny side (a few rows of op(A) or a few columns of op(B), as in decoding one token): the big
 * operand is streamed once straight from its segment, with no packing, since it is read about as many times as it
 * would be copied. The tiny operand is copied to a float[] of rows of depth k ("x"); the big one ("y") is either a
 * set of rows of depth k (dot kernel) or k rows running along the big dimension (axpy kernel). Results land in
 * {@code out[outOff + s * outS + g * outG]} for small index s and big index g, so one kernel serves C and C^T.
 */
final class GemmSkinny {
    private GemmSkinny() {}

    /** Columns of the big side per axpy step: 4 vectors x 2 rows = 8 accumulators, within AVX2's 16 registers. */
    static final int AXPY_WIDTH = 4 * L;
    /** Big-side rows per dot step. */
    static final int DOT_GROUP = 4;
    /** Depth per pass: keeps the x rows (dot) or a strip of y (axpy) cache-resident when k is long. */
    static final int DEPTH = 1024;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();


    /** rows x k floats with element (s, p) taken from {@code src[off + s * rowStride + p * depthStride]}. */
    static float[] packRows(MemorySegment src, long off, int rows, int k, long rowStride, long depthStride) {
        float[] dst = new float[rows * k];
        if (depthStride == 1) {
            for (int s = 0; s < rows; s++) MemorySegment.copy(src, F32, (off + s * rowStride) * Float.BYTES, dst, s * k, k);
        } else {
            // Stored transposed: walk memory in order (along s), scattering into the rows.
            for (int p = 0; p < k; p++) {
                long from = off + p * depthStride;
                for (int s = 0; s < rows; s++) dst[s * k + p] = src.getAtIndex(F32, from + s * rowStride);
            }
        }
        return dst;
    }

    /**
     * out[s, g] = alpha * dot(x row s, y row g) + beta * out[s, g] for s in [s0, s1), g in [g0, g1), where y row g
     * starts at float {@code yOff + g * ldy}. The depth is cut into DEPTH blocks so the x rows stay in L2 however
     * long k is; each block adds its partial sums onto out.
     */
    static void dot(int k, float[] x, int s0, int s1, MemorySegment y, long yOff, long ldy, int g0, int g1,
                    float alpha, float beta, MemorySegment out, long outOff, long outS, long outG) {
        float[] acc = new float[2 * DOT_GROUP * L];
        for (int kb = 0; kb < k; kb += DEPTH) {
            int ke = Math.min(k, kb + DEPTH);
            float blockBeta = kb == 0 ? beta : 1f;
            for (int g = g0; g < g1; g += DOT_GROUP) {
                dotGroup(k, kb, ke, x, s0, s1, y, yOff, ldy, g, g1, alpha, blockBeta, out, outOff, outS, outG, acc);
            }
        }
    }

    /**
     * Rows g .. g + 3 of y against all x rows, two at a time, over depth [kb, ke). A tile hanging over the edge
     * repeats its last row (the repeated results are dropped), which keeps one code path.
     *
     * <p>Split in three methods that hand the eight accumulators over in {@code acc}: as one method, with the masked
     * tail and the reductions inlined, C1 gave up on it ("out of virtual registers in LIR generator"), so it ran
     * interpreted or at tier 2 with the Vector API's slow Java fallback until C2 came round; a vector handed to a call
     * that C2 declines to inline would be boxed, an array is not. Price in steady state (C2, 4096 x 64 x k, AVX-512,
     * noisy): k = 256 about 40 vs 50 GFLOP/s median before, k = 64 about 18 vs 33 (the array hand-over and the
     * fixed-order sums weigh most when the depth is short); the tiered warm-up no longer runs the Java fallback.
     */
    private static void dotGroup(int k, int kb, int ke, float[] x, int s0, int s1, MemorySegment y, long yOff, long ldy,
                                 int g, int g1, float alpha, float beta, MemorySegment out, long outOff, long outS,
                                 long outG, float[] acc) {
        int last = g1 - 1, cols = Math.min(DOT_GROUP, g1 - g);
        long y0 = (yOff + (long) g * ldy) * Float.BYTES;
        long y1 = (yOff + (long) Math.min(g + 1, last) * ldy) * Float.BYTES;
        long y2 = (yOff + (long) Math.min(g + 2, last) * ldy) * Float.BYTES;
        long y3 = (yOff + (long) Math.min(g + 3, last) * ldy) * Float.BYTES;
        int pv = kb + S.loopBound(ke - kb);
        for (int s = s0; s < s1; s += 2) {
            int x0 = s * k, x1 = Math.min(s + 1, s1 - 1) * k;
            dotBody(kb, pv, x, x0, x1, y, y0, y1, y2, y3, acc);
            if (pv < ke) dotTail(pv, ke, x, x0, x1, y, y0, y1, y2, y3, acc);
            long o0 = outOff + s * outS + g * outG;
            putSums(acc, 0, out, o0, outG, cols, alpha, beta);
            if (s + 1 < s1) putSums(acc, DOT_GROUP * L, out, o0 + outS, outG, cols, alpha, beta);
        }
    }

    /** Whole vectors of depth [kb, pv) of x rows x0, x1 against y rows y0..y3 (byte offsets) into acc, overwritten. */
    private static void dotBody(int kb, int pv, float[] x, int x0, int x1, MemorySegment y, long y0, long y1, long y2,
                                long y3, float[] acc) {
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00, a03 = a00,
                a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        for (int p = kb; p < pv; p += L) {
            long o = (long) p * Float.BYTES;
            FloatVector u0 = FloatVector.fromArray(S, x, x0 + p), u1 = FloatVector.fromArray(S, x, x1 + p);
            FloatVector v0 = FloatVector.fromMemorySegment(S, y, y0 + o, NATIVE);
            FloatVector v1 = FloatVector.fromMemorySegment(S, y, y1 + o, NATIVE);
            FloatVector v2 = FloatVector.fromMemorySegment(S, y, y2 + o, NATIVE);
            FloatVector v3 = FloatVector.fromMemorySegment(S, y, y3 + o, NATIVE);
            a00 = u0.fma(v0, a00);
            a01 = u0.fma(v1, a01);
            a02 = u0.fma(v2, a02);
            a03 = u0.fma(v3, a03);
            a10 = u1.fma(v0, a10);
            a11 = u1.fma(v1, a11);
            a12 = u1.fma(v2, a12);
            a13 = u1.fma(v3, a13);
        }
        a00.intoArray(acc, 0);
        a01.intoArray(acc, L);
        a02.intoArray(acc, 2 * L);
        a03.intoArray(acc, 3 * L);
        a10.intoArray(acc, 4 * L);
        a11.intoArray(acc, 5 * L);
        a12.intoArray(acc, 6 * L);
        a13.intoArray(acc, 7 * L);
    }

    /** The masked last partial vector of depth [p, ke), added onto acc. */
    private static void dotTail(int p, int ke, float[] x, int x0, int x1, MemorySegment y, long y0, long y1, long y2,
                                long y3, float[] acc) {
        VectorMask<Float> tail = S.indexInRange(p, ke);
        long o = (long) p * Float.BYTES;
        FloatVector u0 = FloatVector.fromArray(S, x, x0 + p, tail);
        FloatVector u1 = FloatVector.fromArray(S, x, x1 + p, tail);
        long[] rows = {y0, y1, y2, y3};
        for (int c = 0; c < DOT_GROUP; c++) {
            FloatVector v = FloatVector.fromMemorySegment(S, y, rows[c] + o, NATIVE, tail);
            u0.fma(v, FloatVector.fromArray(S, acc, c * L)).intoArray(acc, c * L);
            u1.fma(v, FloatVector.fromArray(S, acc, (DOT_GROUP + c) * L)).intoArray(acc, (DOT_GROUP + c) * L);
        }
    }

    /** Reduces the DOT_GROUP accumulators at acc[from..] (Lanes.sum: a fixed order) and stores cols of them. */
    private static void putSums(float[] acc, int from, MemorySegment out, long index, long outG, int cols, float alpha,
                                float beta) {
        put4(out, index, outG, cols, Lanes.sum(acc, from),
                Lanes.sum(acc, from + L), Lanes.sum(acc, from + 2 * L),
                Lanes.sum(acc, from + 3 * L), alpha, beta);
    }

    private static void put4(MemorySegment out, long index, long outG, int cols, float d0, float d1, float d2, float d3,
                             float alpha, float beta) {
        put(out, index, d0, alpha, beta);
        if (cols > 1) put(out, index + outG, d1, alpha, beta);
        if (cols > 2) put(out, index + 2 * outG, d2, alpha, beta);
        if (cols > 3) put(out, index + 3 * outG, d3, alpha, beta);
    }

    /**
     * out[s, g] = alpha * sum_p x[s, p] * y[p, g] + beta * out[s, g] for s in [s0, s1), g in [g0, g1), where y row p
     * starts at float {@code yOff + p * ldy} and runs along g. For each AXPY_WIDTH-wide strip of y, DEPTH rows of it
     * (DEPTH x AXPY_WIDTH floats, L2-sized) are reused by every pair of x rows before moving on.
     */
    static void axpy(int k, float[] x, int s0, int s1, MemorySegment y, long yOff, long ldy, int g0, int g1,
                     float alpha, float beta, MemorySegment out, long outOff, long outS, long outG) {
        float[] acc = new float[2 * AXPY_WIDTH];
        for (int g = g0; g < g1; g += AXPY_WIDTH) {
            for (int kb = 0; kb < k; kb += DEPTH) {
                int ke = Math.min(k, kb + DEPTH);
                float blockBeta = kb == 0 ? beta : 1f;
                for (int s = s0; s < s1; s += 2) {
                    if (g + AXPY_WIDTH <= g1) {
                        axpyTile(k, kb, ke, x, s, s1, y, yOff, ldy, g, acc);
                        putRows(acc, AXPY_WIDTH, s, s1, out, outOff, outS, outG, g, alpha, blockBeta);
                    } else {
                        // The last partial strip, one (possibly masked) vector at a time.
                        for (int v = g; v < g1; v += L) {
                            int lanes = Math.min(L, g1 - v);
                            axpyEdge(k, kb, ke, x, s, s1, y, yOff, ldy, v, lanes, acc);
                            putRows(acc, lanes, s, s1, out, outOff, outS, outG, v, alpha, blockBeta);
                        }
                    }
                }
            }
        }
    }

    /**
     * Rows s, s + 1 of x times a full AXPY_WIDTH strip of y at column g, over depth [kb, ke), into acc (row s at
     * 0, row s + 1 at AXPY_WIDTH). Parked in an array rather than passed on as vectors: a vector handed to a call
     * that C2 declines to inline is boxed.
     */
    private static void axpyTile(int k, int kb, int ke, float[] x, int s, int s1, MemorySegment y, long yOff, long ldy,
                                 int g, float[] acc) {
        long step = ldy * Float.BYTES, vb = (long) L * Float.BYTES;
        int x0 = s * k, x1 = Math.min(s + 1, s1 - 1) * k;
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00, a03 = a00,
                a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        long row = (yOff + (long) kb * ldy + g) * Float.BYTES;
        for (int p = kb; p < ke; p++, row += step) {
            FloatVector v0 = FloatVector.fromMemorySegment(S, y, row, NATIVE);
            FloatVector v1 = FloatVector.fromMemorySegment(S, y, row + vb, NATIVE);
            FloatVector v2 = FloatVector.fromMemorySegment(S, y, row + 2 * vb, NATIVE);
            FloatVector v3 = FloatVector.fromMemorySegment(S, y, row + 3 * vb, NATIVE);
            FloatVector u0 = FloatVector.broadcast(S, x[x0 + p]), u1 = FloatVector.broadcast(S, x[x1 + p]);
            a00 = u0.fma(v0, a00);
            a01 = u0.fma(v1, a01);
            a02 = u0.fma(v2, a02);
            a03 = u0.fma(v3, a03);
            a10 = u1.fma(v0, a10);
            a11 = u1.fma(v1, a11);
            a12 = u1.fma(v2, a12);
            a13 = u1.fma(v3, a13);
        }
        a00.intoArray(acc, 0);
        a01.intoArray(acc, L);
        a02.intoArray(acc, 2 * L);
        a03.intoArray(acc, 3 * L);
        a10.intoArray(acc, AXPY_WIDTH);
        a11.intoArray(acc, AXPY_WIDTH + L);
        a12.intoArray(acc, AXPY_WIDTH + 2 * L);
        a13.intoArray(acc, AXPY_WIDTH + 3 * L);
    }

    /** As axpyTile for one vector of columns [g, g + lanes), masked at the edge of y. */
    private static void axpyEdge(int k, int kb, int ke, float[] x, int s, int s1, MemorySegment y, long yOff, long ldy,
                                 int g, int lanes, float[] acc) {
        VectorMask<Float> mask = S.indexInRange(0, lanes);
        long step = ldy * Float.BYTES;
        int x0 = s * k, x1 = Math.min(s + 1, s1 - 1) * k;
        FloatVector a0 = FloatVector.zero(S), a1 = a0;
        long row = (yOff + (long) kb * ldy + g) * Float.BYTES;
        for (int p = kb; p < ke; p++, row += step) {
            FloatVector v = FloatVector.fromMemorySegment(S, y, row, NATIVE, mask);
            a0 = FloatVector.broadcast(S, x[x0 + p]).fma(v, a0);
            a1 = FloatVector.broadcast(S, x[x1 + p]).fma(v, a1);
        }
        a0.intoArray(acc, 0);
        a1.intoArray(acc, AXPY_WIDTH);
    }

    /** Writes acc rows s (and s + 1 when below s1), count columns each, to out at big index g onwards. */
    private static void putRows(float[] acc, int count, int s, int s1, MemorySegment out, long outOff, long outS,
                                long outG, int g, float alpha, float beta) {
        putRow(acc, 0, count, out, outOff + s * outS, outG, g, alpha, beta);
        if (s + 1 < s1) putRow(acc, AXPY_WIDTH, count, out, outOff + (s + 1) * outS, outG, g, alpha, beta);
    }

    private static void putRow(float[] acc, int from, int count, MemorySegment out, long rowIndex, long outG, int g,
                               float alpha, float beta) {
        if (outG != 1) {
            for (int j = 0; j < count; j++) put(out, rowIndex + (long) (g + j) * outG, acc[from + j], alpha, beta);
            return;
        }
        FloatVector av = FloatVector.broadcast(S, alpha), bv = FloatVector.broadcast(S, beta);
        for (int j = 0; j < count; j += L) {
            long off = (rowIndex + g + j) * Float.BYTES;
            VectorMask<Float> mask = S.indexInRange(j, count);
            FloatVector v = FloatVector.fromArray(S, acc, from + j, mask).mul(av);
            // beta == 0 overwrites: the old value may be NaN.
            if (beta != 0) v = FloatVector.fromMemorySegment(S, out, off, NATIVE, mask).fma(bv, v);
            v.intoMemorySegment(out, off, NATIVE, mask);
        }
    }

    private static void put(MemorySegment out, long index, float sum, float alpha, float beta) {
        float v = alpha * sum;
        // beta == 0 overwrites: the old value may be NaN.
        if (beta != 0) v = Math.fma(beta, out.getAtIndex(F32, index), v);
        out.setAtIndex(F32, index, v);
    }
}
