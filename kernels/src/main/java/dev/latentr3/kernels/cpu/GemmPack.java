package dev.latentr3.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;

import static dev.latentr3.kernels.Segments.F32;
import static dev.latentr3.kernels.cpu.GemmMicroKernel.L;
import static dev.latentr3.kernels.cpu.GemmMicroKernel.MR;
import static dev.latentr3.kernels.cpu.GemmMicroKernel.NR;
import static dev.latentr3.kernels.cpu.GemmMicroKernel.S;

/**
 * Copies blocks of op(A) and op(B) into the micro-panel order the micro-kernel streams: A as MR-row panels stored
 * k-major (MR consecutive floats per k step), B as NR-column panels stored k-major (NR floats per k step). Rows or
 * columns past the matrix edge are zero so the kernel can always run full tiles. Transposes are absorbed here, so
 * the kernel sees one layout for all four combinations.
 *
 * <p>Where a panel's k steps are strided in memory (A not transposed, B transposed) the copy is a transpose: blocks
 * of 8 rows x L steps are transposed in registers ({@link #transpose8}); the rest goes element by element.
 */
final class GemmPack {
    private GemmPack() {}

    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    /** Lane indices into the pair (a, b) that interleave their low halves (a0 b0 a1 b1 ...) and high halves. */
    private static final FloatVector ZIP_LO = zipIndices(0), ZIP_HI = zipIndices(L / 2);
    /** The in-register transpose needs whole groups of 8 lanes (AVX2 and AVX-512 both qualify). */
    private static final boolean TRANSPOSE = L >= 8 && L % 8 == 0 && MR <= 8;
    /** Depth steps per pass of the element-wise transposing copies: the strided writes stay within a few KB. */
    private static final int DEPTH_BLOCK = 32;

    private static FloatVector zipIndices(int first) {
        float[] idx = new float[L];
        for (int i = 0; i < L; i++) idx[i] = (i % 2 == 0 ? 0 : L) + first + i / 2;
        return FloatVector.fromArray(S, idx, 0);
    }

    /** Packs op(A)[i0 : i0 + mc, p0 : p0 + kc]; panel r starts at dst[r * MR * kc]. */
    static void packA(GemmCall g, int i0, int mc, int p0, int kc, float[] dst) {
        if (g.transA()) {
            packTransposedA(g, i0, mc, p0, kc, dst);
            return;
        }
        // A stored m x k: row r of a panel is contiguous along k and lands in every MR-th slot.
        MemorySegment a = g.a();
        long rowBytes = (long) g.lda() * Float.BYTES;
        for (int ir = 0; ir < mc; ir += MR) {
            int rows = Math.min(MR, mc - ir), base = ir * kc;
            int done = TRANSPOSE ? transpose8(a, g.aIndex(i0 + ir, p0) * Float.BYTES, rowBytes, rows, MR, kc - kc % L,
                    dst, base, MR) : 0;
            for (int r = 0; r < MR; r++) {
                long src = r < rows ? g.aIndex(i0 + ir + r, p0) : -1;
                for (int p = done, d = base + done * MR + r; p < kc; p++, d += MR) {
                    dst[d] = r < rows ? a.getAtIndex(F32, src + p) : 0f;
                }
            }
        }
    }

    /**
     * A stored k x m: a k step is a contiguous run over i. Walks the block row by row of A, handing each panel its MR
     * values, so A is read in order (column-wise walks thrash L1 when lda is a power of two); with L >= MR one
     * masked load and one masked store move a panel's MR values.
     */
    private static void packTransposedA(GemmCall g, int i0, int mc, int p0, int kc, float[] dst) {
        MemorySegment a = g.a();
        boolean vector = L >= MR;
        VectorMask<Float> panelLanes = S.indexInRange(0, Math.min(MR, L));
        for (int p = 0; p < kc; p++) {
            long src = g.aIndex(i0, p0 + p);
            for (int ir = 0; ir < mc; ir += MR) {
                int rows = Math.min(MR, mc - ir), d = ir * kc + p * MR;
                if (vector) {
                    FloatVector v = FloatVector.fromMemorySegment(S, a, (src + ir) * Float.BYTES, NATIVE,
                            S.indexInRange(0, rows));
                    v.intoArray(dst, d, panelLanes);
                } else {
                    for (int r = 0; r < rows; r++) dst[d + r] = a.getAtIndex(F32, src + ir + r);
                    for (int r = rows; r < MR; r++) dst[d + r] = 0f;
                }
            }
        }
    }

    /** Packs op(B)[p0 : p0 + kc, j0 : j0 + nc]; panel c starts at dst[c * NR * kc]. */
    static void packB(GemmCall g, int p0, int kc, int j0, int nc, float[] dst) {
        MemorySegment b = g.b();
        for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr), base = jr * kc;
            if (!g.transB()) {
                // B stored k x n: each k step of the panel is a contiguous run of NR floats.
                long src = g.bIndex(p0, j0 + jr);
                if (cols == NR) {
                    for (int p = 0, d = base; p < kc; p++, d += NR, src += g.ldb()) {
                        long off = src * Float.BYTES;
                        FloatVector.fromMemorySegment(S, b, off, NATIVE).intoArray(dst, d);
                        FloatVector.fromMemorySegment(S, b, off + (long) L * Float.BYTES, NATIVE).intoArray(dst, d + L);
                    }
                } else {
                    for (int p = 0, d = base; p < kc; p++, d += NR, src += g.ldb()) {
                        for (int j = 0; j < cols; j++) dst[d + j] = b.getAtIndex(F32, src + j);
                        Arrays.fill(dst, d + cols, d + NR, 0f);
                    }
                }
            } else {
                // B stored n x k: each column of the panel is a contiguous row of B.
                int done = 0;
                if (TRANSPOSE) {
                    long rowBytes = (long) g.ldb() * Float.BYTES;
                    int steps = kc - kc % L;
                    for (int h = 0; h < NR; h += 8) {
                        int valid = Math.min(8, cols - h);
                        if (valid <= 0) break;
                        transpose8(b, g.bIndex(p0, j0 + jr + h) * Float.BYTES, rowBytes, valid, 8, steps, dst, base + h, NR);
                    }
                    // Groups past the last column were skipped: zero them over the transposed steps.
                    int covered = Math.min(NR, (cols + 7) / 8 * 8);
                    for (int p = 0; covered < NR && p < steps; p++) {
                        Arrays.fill(dst, base + p * NR + covered, base + (p + 1) * NR, 0f);
                    }
                    done = steps;
                }
                packTransposedTail(g, p0, kc, j0 + jr, cols, done, dst, base);
            }
        }
    }

    /**
     * Transposes {@code steps} (a multiple of L) contiguous floats of up to 8 rows (row i at byte
     * {@code first + i * rowBytes}; rows from {@code rows} on read as zero) into k-major order: step p's {@code width}
     * values go to {@code dst[base + p * stride ...]}. Three rounds of interleaving the 8 rows leave each vector
     * holding L / 8 consecutive steps of all 8 rows, written with masked stores of {@code width} lanes. Returns
     * {@code steps}.
     */
    private static int transpose8(MemorySegment src, long first, long rowBytes, int rows, int width, int steps,
                                  float[] dst, int base, int stride) {
        int per = L / 8;
        FloatVector zero = FloatVector.zero(S);
        for (int pb = 0; pb < steps; pb += L) {
            long o = first + (long) pb * Float.BYTES;
            FloatVector v0 = FloatVector.fromMemorySegment(S, src, o, NATIVE);
            FloatVector v1 = rows > 1 ? FloatVector.fromMemorySegment(S, src, o + rowBytes, NATIVE) : zero;
            FloatVector v2 = rows > 2 ? FloatVector.fromMemorySegment(S, src, o + 2 * rowBytes, NATIVE) : zero;
            FloatVector v3 = rows > 3 ? FloatVector.fromMemorySegment(S, src, o + 3 * rowBytes, NATIVE) : zero;
            FloatVector v4 = rows > 4 ? FloatVector.fromMemorySegment(S, src, o + 4 * rowBytes, NATIVE) : zero;
            FloatVector v5 = rows > 5 ? FloatVector.fromMemorySegment(S, src, o + 5 * rowBytes, NATIVE) : zero;
            FloatVector v6 = rows > 6 ? FloatVector.fromMemorySegment(S, src, o + 6 * rowBytes, NATIVE) : zero;
            FloatVector v7 = rows > 7 ? FloatVector.fromMemorySegment(S, src, o + 7 * rowBytes, NATIVE) : zero;
            for (int round = 0; round < 3; round++) {
                FloatVector w0 = ZIP_LO.selectFrom(v0, v4), w1 = ZIP_HI.selectFrom(v0, v4);
                FloatVector w2 = ZIP_LO.selectFrom(v1, v5), w3 = ZIP_HI.selectFrom(v1, v5);
                FloatVector w4 = ZIP_LO.selectFrom(v2, v6), w5 = ZIP_HI.selectFrom(v2, v6);
                FloatVector w6 = ZIP_LO.selectFrom(v3, v7), w7 = ZIP_HI.selectFrom(v3, v7);
                v0 = w0; v1 = w1; v2 = w2; v3 = w3; v4 = w4; v5 = w5; v6 = w6; v7 = w7;
            }
            int d = base + pb * stride, jump = per * stride;
            for (int q = 0; q < per; q++) {
                // Lanes [8q, 8q + width) of vector t hold step t * per + q; shift the target so they land at base.
                VectorMask<Float> lanes = S.indexInRange(-8 * q, width);
                int at = d + q * stride - 8 * q;
                v0.intoArray(dst, at, lanes);
                v1.intoArray(dst, at + jump, lanes);
                v2.intoArray(dst, at + 2 * jump, lanes);
                v3.intoArray(dst, at + 3 * jump, lanes);
                v4.intoArray(dst, at + 4 * jump, lanes);
                v5.intoArray(dst, at + 5 * jump, lanes);
                v6.intoArray(dst, at + 6 * jump, lanes);
                v7.intoArray(dst, at + 7 * jump, lanes);
            }
        }
        return steps;
    }

    /** Element by element: transposed-B steps [from, kc) of a panel with cols real columns, zeros beyond them. */
    private static void packTransposedTail(GemmCall g, int p0, int kc, int j0, int cols, int from, float[] dst, int base) {
        MemorySegment b = g.b();
        for (int pb = from; pb < kc; pb += DEPTH_BLOCK) {
            int pe = Math.min(kc, pb + DEPTH_BLOCK);
            for (int j = 0; j < cols; j++) {
                long src = g.bIndex(p0, j0 + j);
                for (int p = pb, d = base + pb * NR + j; p < pe; p++, d += NR) dst[d] = b.getAtIndex(F32, src + p);
            }
            for (int j = cols; j < NR; j++) {
                for (int p = pb, d = base + pb * NR + j; p < pe; p++, d += NR) dst[d] = 0f;
            }
        }
    }
}
