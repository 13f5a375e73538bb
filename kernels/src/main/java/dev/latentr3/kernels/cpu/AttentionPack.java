package dev.latentr3.kernels.cpu;

import dev.latentr3.kernels.Segments;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Copies attention operands from the caller's token-major segments into the float[] tiles {@link AttentionTiles}
 * works on, row-major or transposed, and back.
 *
 * <p>A query block is {@code nt} consecutive tokens times the {@code group} query heads that share one key/value head;
 * its row {@code r} is token {@code t0 + r / group}, head {@code g * group + r % group}. Those heads are adjacent in
 * memory, so one token's rows are one contiguous run of group * D floats.
 */
final class AttentionPack {
    private AttentionPack() {}

    /** dst[r * ldd + d] = x[b, t0 + r / G, g * G + r % G, d] * mul for the block's rows; later columns untouched. */
    static void queryRows(AttentionArgs a, MemorySegment x, int b, int t0, int nt, int g, float mul,
                          float[] dst, int ldd) {
        int d = a.headDim(), group = a.group();
        for (int t = 0; t < nt; t++) {
            long src = a.qIndex(b, t0 + t, g * group);
            if (ldd == d) {
                MemorySegment.copy(x, Segments.F32, src * Float.BYTES, dst, t * group * d, group * d);
            } else {
                for (int hh = 0; hh < group; hh++) {
                    MemorySegment.copy(x, Segments.F32, (src + (long) hh * d) * Float.BYTES, dst,
                            (t * group + hh) * ldd, d);
                }
            }
        }
        if (mul != 1f) scaleRows(dst, nt * group, d, ldd, mul);
    }

    /**
     * dst[d * ldd + r] = x[row r of the block, d] * mul: the block transposed, its columns padded with zeros to a
     * multiple of the vector length; {@code stage} holds at least rows * D floats.
     */
    static void queryColumns(AttentionArgs a, MemorySegment x, int b, int t0, int nt, int g, float mul,
                             float[] stage, float[] dst, int ldd) {
        int rows = nt * a.group(), d = a.headDim();
        queryRows(a, x, b, t0, nt, g, mul, stage, d);
        transpose(stage, d, rows, d, dst, ldd);
        zeroColumns(dst, ldd, d, rows, AttentionTiles.roundUp(rows, AttentionTiles.VL));
    }

    /**
     * Per column of a query block: the last key it may see (as a float, for vector compares), and when {@code lse}
     * is given its lse (with -inf, a row that saw nothing, turned into +inf so that exp(S - lse) = 0) and its D.
     * Padding columns up to the vector length see nothing.
     */
    static void columnStats(AttentionArgs a, boolean causal, int b, int g, int t0, int nt, float[] colLast,
                            MemorySegment lse, float[] rowDot, float[] colLse, float[] colD) {
        int group = a.group(), rows = nt * group, cols = AttentionTiles.roundUp(rows, AttentionTiles.VL);
        for (int c = 0; c < cols; c++) {
            boolean real = c < rows;
            int t = t0 + c / group;
            colLast[c] = real ? a.lastKey(causal, t) : -1f;
            if (lse == null) continue;
            if (real) {
                int li = (int) a.lseIndex(b, g * group + c % group, t);
                float l = Segments.getFloat(lse, li);
                colLse[c] = l == Float.NEGATIVE_INFINITY ? Float.POSITIVE_INFINITY : l;
                colD[c] = rowDot[li];
            } else {
                colLse[c] = Float.POSITIVE_INFINITY;
                colD[c] = 0f;
            }
        }
    }

    /** dst[j * ldd + d] = x[b, j0 + j, g, d] * mul for j < nk; later columns untouched. */
    static void keyRows(AttentionArgs a, MemorySegment x, int b, int j0, int nk, int g, float mul,
                        float[] dst, int ldd) {
        int d = a.headDim();
        long stride = (long) a.hkv() * d;
        long src = a.kvIndex(b, j0, g);
        for (int j = 0; j < nk; j++, src += stride) {
            MemorySegment.copy(x, Segments.F32, src * Float.BYTES, dst, j * ldd, d);
        }
        if (mul != 1f) scaleRows(dst, nk, d, ldd, mul);
    }

    /** dst[d * ldd + r] = rowMajor[r * lds + d]: transposes n packed rows of width w into columns. */
    static void transpose(float[] rowMajor, int lds, int n, int w, float[] dst, int ldd) {
        for (int r = 0; r < n; r++) {
            int s = r * lds;
            for (int d = 0, o = r; d < w; d++, o += ldd) dst[o] = rowMajor[s + d];
        }
    }

    /** Zeroes columns [from, to) of a [w][ldd] transposed tile. */
    static void zeroColumns(float[] dst, int ldd, int w, int from, int to) {
        if (from >= to) return;
        for (int d = 0; d < w; d++) Arrays.fill(dst, d * ldd + from, d * ldd + to, 0f);
    }

    /** x[b, t0 + r / G, g * G + r % G, d] = src[r * lds + d] * mul, for the block's rows (scales src in place). */
    static void storeQueryRows(AttentionArgs a, float[] src, int lds, float mul, MemorySegment x,
                               int b, int t0, int nt, int g) {
        int d = a.headDim(), group = a.group();
        if (mul != 1f) scaleRows(src, nt * group, d, lds, mul);
        for (int t = 0; t < nt; t++) {
            long dst = a.qIndex(b, t0 + t, g * group);
            for (int hh = 0; hh < group; hh++) {
                MemorySegment.copy(src, (t * group + hh) * lds, x, Segments.F32,
                        (dst + (long) hh * d) * Float.BYTES, d);
            }
        }
    }

    /** x[b, j0 + j, g, d] = src[j * lds + d] * mul for j < nk (scales src in place). */
    static void storeKeyRows(AttentionArgs a, float[] src, int lds, float mul, MemorySegment x,
                             int b, int j0, int nk, int g) {
        int d = a.headDim();
        if (mul != 1f) scaleRows(src, nk, d, lds, mul);
        long stride = (long) a.hkv() * d;
        long dst = a.kvIndex(b, j0, g);
        for (int j = 0; j < nk; j++, dst += stride) {
            MemorySegment.copy(src, j * lds, x, Segments.F32, dst * Float.BYTES, d);
        }
    }

    private static void scaleRows(float[] x, int rows, int w, int ld, float mul) {
        for (int r = 0; r < rows; r++) {
            for (int i = r * ld, e = i + w; i < e; i++) x[i] *= mul;
        }
    }
}
