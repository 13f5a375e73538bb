package dev.latentr3.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

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
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    /** rows x k floats with element (s, p) taken from {@code src[off + s * rowStride + p * depthStride]}. */
    static float[] packRows(MemorySegment src, long off, int rows, int k, long rowStride, long depthStride) {
        float[] dst = new float[rows * k];
        for (int s = 0; s < rows; s++) {
            long from = off + s * rowStride;
            if (depthStride == 1) {
                MemorySegment.copy(src, F32, from * Float.BYTES, dst, s * k, k);
            } else {
                for (int p = 0; p < k; p++) dst[s * k + p] = src.getAtIndex(F32, from + p * depthStride);
            }
        }
        return dst;
    }

    /**
     * out[s, g] = alpha * dot(x row s, y row g) + beta * out[s, g] for s in [s0, s1), g in [g0, g1), where y row g
     * starts at float {@code yOff + g * ldy}. Tiles of 2 x 4 rows; a tile hanging over the edge repeats its last row
     * (the repeated results are dropped), which keeps one code path.
     */
    static void dot(int k, float[] x, int s0, int s1, MemorySegment y, long yOff, long ldy, int g0, int g1,
                    float alpha, float beta, MemorySegment out, long outOff, long outS, long outG) {
        int kv = S.loopBound(k);
        VectorMask<Float> tail = S.indexInRange(kv, k);
        for (int g = g0; g < g1; g += DOT_GROUP) {
            int last = g1 - 1;
            long y0 = (yOff + (long) g * ldy) * Float.BYTES;
            long y1 = (yOff + (long) Math.min(g + 1, last) * ldy) * Float.BYTES;
            long y2 = (yOff + (long) Math.min(g + 2, last) * ldy) * Float.BYTES;
            long y3 = (yOff + (long) Math.min(g + 3, last) * ldy) * Float.BYTES;
            for (int s = s0; s < s1; s += 2) {
                int x0 = s * k, x1 = Math.min(s + 1, s1 - 1) * k;
                FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00, a03 = a00,
                        a10 = a00, a11 = a00, a12 = a00, a13 = a00;
                for (int p = 0; p < kv; p += L) {
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
                if (kv < k) {
                    long o = (long) kv * Float.BYTES;
                    FloatVector u0 = FloatVector.fromArray(S, x, x0 + kv, tail);
                    FloatVector u1 = FloatVector.fromArray(S, x, x1 + kv, tail);
                    FloatVector v0 = FloatVector.fromMemorySegment(S, y, y0 + o, NATIVE, tail);
                    FloatVector v1 = FloatVector.fromMemorySegment(S, y, y1 + o, NATIVE, tail);
                    FloatVector v2 = FloatVector.fromMemorySegment(S, y, y2 + o, NATIVE, tail);
                    FloatVector v3 = FloatVector.fromMemorySegment(S, y, y3 + o, NATIVE, tail);
                    a00 = u0.fma(v0, a00);
                    a01 = u0.fma(v1, a01);
                    a02 = u0.fma(v2, a02);
                    a03 = u0.fma(v3, a03);
                    a10 = u1.fma(v0, a10);
                    a11 = u1.fma(v1, a11);
                    a12 = u1.fma(v2, a12);
                    a13 = u1.fma(v3, a13);
                }
                int cols = Math.min(DOT_GROUP, g1 - g);
                long o0 = outOff + s * outS + g * outG;
                putDot(out, o0, outG, cols, a00, a01, a02, a03, alpha, beta);
                if (s + 1 < s1) putDot(out, o0 + outS, outG, cols, a10, a11, a12, a13, alpha, beta);
            }
        }
    }

    private static void putDot(MemorySegment out, long index, long outG, int cols,
                               FloatVector d0, FloatVector d1, FloatVector d2, FloatVector d3, float alpha, float beta) {
        put(out, index, d0.reduceLanes(VectorOperators.ADD), alpha, beta);
        if (cols > 1) put(out, index + outG, d1.reduceLanes(VectorOperators.ADD), alpha, beta);
        if (cols > 2) put(out, index + 2 * outG, d2.reduceLanes(VectorOperators.ADD), alpha, beta);
        if (cols > 3) put(out, index + 3 * outG, d3.reduceLanes(VectorOperators.ADD), alpha, beta);
    }

    /**
     * out[s, g] = alpha * sum_p x[s, p] * y[p, g] + beta * out[s, g] for s in [s0, s1), g in [g0, g1), where y row p
     * starts at float {@code yOff + p * ldy} and runs along g: each row of y is read once per pair of x rows,
     * AXPY_WIDTH floats at a time.
     */
    static void axpy(int k, float[] x, int s0, int s1, MemorySegment y, long yOff, long ldy, int g0, int g1,
                     float alpha, float beta, MemorySegment out, long outOff, long outS, long outG) {
        float[] spill = outG == 1 ? null : new float[L];
        long step = ldy * Float.BYTES, vb = (long) L * Float.BYTES;
        int g = g0;
        for (; g + AXPY_WIDTH <= g1; g += AXPY_WIDTH) {
            for (int s = s0; s < s1; s += 2) {
                int x0 = s * k, x1 = Math.min(s + 1, s1 - 1) * k;
                FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00, a03 = a00,
                        a10 = a00, a11 = a00, a12 = a00, a13 = a00;
                long row = (yOff + g) * Float.BYTES;
                for (int p = 0; p < k; p++, row += step) {
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
                long o0 = outOff + s * outS;
                putVec(out, o0, outG, g, L, a00, alpha, beta, spill);
                putVec(out, o0, outG, g + L, L, a01, alpha, beta, spill);
                putVec(out, o0, outG, g + 2 * L, L, a02, alpha, beta, spill);
                putVec(out, o0, outG, g + 3 * L, L, a03, alpha, beta, spill);
                if (s + 1 < s1) {
                    long o1 = o0 + outS;
                    putVec(out, o1, outG, g, L, a10, alpha, beta, spill);
                    putVec(out, o1, outG, g + L, L, a11, alpha, beta, spill);
                    putVec(out, o1, outG, g + 2 * L, L, a12, alpha, beta, spill);
                    putVec(out, o1, outG, g + 3 * L, L, a13, alpha, beta, spill);
                }
            }
        }
        // The last partial step, one (possibly masked) vector at a time.
        for (; g < g1; g += L) {
            int lanes = Math.min(L, g1 - g);
            VectorMask<Float> mask = S.indexInRange(0, lanes);
            for (int s = s0; s < s1; s += 2) {
                int x0 = s * k, x1 = Math.min(s + 1, s1 - 1) * k;
                FloatVector a0 = FloatVector.zero(S), a1 = a0;
                long row = (yOff + g) * Float.BYTES;
                for (int p = 0; p < k; p++, row += step) {
                    FloatVector v = FloatVector.fromMemorySegment(S, y, row, NATIVE, mask);
                    a0 = FloatVector.broadcast(S, x[x0 + p]).fma(v, a0);
                    a1 = FloatVector.broadcast(S, x[x1 + p]).fma(v, a1);
                }
                long o0 = outOff + s * outS;
                putVec(out, o0, outG, g, lanes, a0, alpha, beta, spill);
                if (s + 1 < s1) putVec(out, o0 + outS, outG, g, lanes, a1, alpha, beta, spill);
            }
        }
    }

    /** Writes lanes [0, lanes) of acc to out[rowIndex + (g + j) * outG]; vector stores when out runs along g. */
    private static void putVec(MemorySegment out, long rowIndex, long outG, int g, int lanes, FloatVector acc,
                               float alpha, float beta, float[] spill) {
        if (outG == 1) {
            long off = (rowIndex + g) * Float.BYTES;
            FloatVector v = acc.mul(alpha);
            if (lanes == L) {
                if (beta != 0) v = FloatVector.fromMemorySegment(S, out, off, NATIVE).fma(FloatVector.broadcast(S, beta), v);
                v.intoMemorySegment(out, off, NATIVE);
            } else {
                VectorMask<Float> mask = S.indexInRange(0, lanes);
                if (beta != 0) v = FloatVector.fromMemorySegment(S, out, off, NATIVE, mask).fma(FloatVector.broadcast(S, beta), v);
                v.intoMemorySegment(out, off, NATIVE, mask);
            }
        } else {
            acc.intoArray(spill, 0);
            for (int j = 0; j < lanes; j++) put(out, rowIndex + (long) (g + j) * outG, spill[j], alpha, beta);
        }
    }

    private static void put(MemorySegment out, long index, float sum, float alpha, float beta) {
        float v = alpha * sum;
        // beta == 0 overwrites: the old value may be NaN.
        if (beta != 0) v = Math.fma(beta, out.getAtIndex(F32, index), v);
        out.setAtIndex(F32, index, v);
    }
}
