package dev.latentr3.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The small matrix products every attention tile is made of, on packed float[] scratch, register-blocked so that no
 * horizontal reductions happen in the inner loops, plus the backward's element-wise step.
 *
 * <p>All tiles keep scores transposed, keys as rows and query rows as columns (S^T = K Q^T): a query block is packed
 * transposed once per task, key tiles are plain row copies, and per-query quantities (running max, sum, lse, D) are
 * vectors along the columns.
 * <ul>
 *   <li>{@link #scores}: C = A B with A row-major (rows broadcast one scalar at a time) and B packed transposed,
 *       [depth][cols], vectors along C's columns (K Q^T, V dO^T);</li>
 *   <li>{@link #accumulate}: Acc += P B with P stored either way round and B row-major [cols][width], vectors along
 *       the head dim (P V, dS K, P^T dO, dS^T Q).</li>
 * </ul>
 * Callers pad column counts and widths to a multiple of the vector length and the row counts of {@code scores} to a
 * multiple of {@link #ROWS}, with zeros (or finite values they then ignore), so that there are no tails here.
 */
final class AttentionTiles {
    private AttentionTiles() {}

    static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;
    static final int VL = SP.length();
    /** Rows per register block of {@link #scores}. */
    static final int ROWS = 4;

    static int roundUp(int n, int m) {
        return (n + m - 1) / m * m;
    }

    /**
     * C[r][c] = sum_d A[r * lda + d] * B[d * ldb + c] for r < rows (a multiple of ROWS), c < cols (a multiple of VL),
     * d < depth.
     */
    static void scores(float[] a, int lda, int rows, float[] b, int ldb, int cols, int depth, float[] c, int ldc) {
        for (int r = 0; r < rows; r += ROWS) {
            int a0 = r * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
            int c0 = r * ldc, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
            int col = 0;
            for (; col + 2 * VL <= cols; col += 2 * VL) {
                FloatVector s00 = FloatVector.zero(SP), s01 = s00, s10 = s00, s11 = s00;
                FloatVector s20 = s00, s21 = s00, s30 = s00, s31 = s00;
                for (int d = 0, bi = col; d < depth; d++, bi += ldb) {
                    FloatVector b0 = FloatVector.fromArray(SP, b, bi), b1 = FloatVector.fromArray(SP, b, bi + VL);
                    FloatVector x = FloatVector.broadcast(SP, a[a0 + d]);
                    s00 = b0.fma(x, s00);
                    s01 = b1.fma(x, s01);
                    x = FloatVector.broadcast(SP, a[a1 + d]);
                    s10 = b0.fma(x, s10);
                    s11 = b1.fma(x, s11);
                    x = FloatVector.broadcast(SP, a[a2 + d]);
                    s20 = b0.fma(x, s20);
                    s21 = b1.fma(x, s21);
                    x = FloatVector.broadcast(SP, a[a3 + d]);
                    s30 = b0.fma(x, s30);
                    s31 = b1.fma(x, s31);
                }
                s00.intoArray(c, c0 + col);
                s01.intoArray(c, c0 + col + VL);
                s10.intoArray(c, c1 + col);
                s11.intoArray(c, c1 + col + VL);
                s20.intoArray(c, c2 + col);
                s21.intoArray(c, c2 + col + VL);
                s30.intoArray(c, c3 + col);
                s31.intoArray(c, c3 + col + VL);
            }
            for (; col < cols; col += VL) {
                FloatVector s0 = FloatVector.zero(SP), s1 = s0, s2 = s0, s3 = s0;
                for (int d = 0, bi = col; d < depth; d++, bi += ldb) {
                    FloatVector b0 = FloatVector.fromArray(SP, b, bi);
                    s0 = b0.fma(FloatVector.broadcast(SP, a[a0 + d]), s0);
                    s1 = b0.fma(FloatVector.broadcast(SP, a[a1 + d]), s1);
                    s2 = b0.fma(FloatVector.broadcast(SP, a[a2 + d]), s2);
                    s3 = b0.fma(FloatVector.broadcast(SP, a[a3 + d]), s3);
                }
                s0.intoArray(c, c0 + col);
                s1.intoArray(c, c1 + col);
                s2.intoArray(c, c2 + col);
                s3.intoArray(c, c3 + col);
            }
        }
    }

    /**
     * Acc[accOff + r * ldacc + w] += sum_c P[r * prs + c * pcs] * B[c * ldb + w] for r < rows, c < cols, w < width
     * (a multiple of VL). P's row and column strides are free because its entries are only ever broadcast, so P may be stored
     * either way round.
     */
    static void accumulate(float[] p, int prs, int pcs, int rows, int cols, float[] b, int ldb, int width,
                           float[] acc, int accOff, int ldacc) {
        int r = 0;
        for (; r + 2 <= rows; r += 2) {
            int p0 = r * prs, p1 = p0 + prs, o0 = accOff + r * ldacc, o1 = o0 + ldacc;
            int w = 0;
            for (; w + 4 * VL <= width; w += 4 * VL) {
                FloatVector x0 = FloatVector.fromArray(SP, acc, o0 + w), x1 = FloatVector.fromArray(SP, acc, o0 + w + VL);
                FloatVector x2 = FloatVector.fromArray(SP, acc, o0 + w + 2 * VL);
                FloatVector x3 = FloatVector.fromArray(SP, acc, o0 + w + 3 * VL);
                FloatVector y0 = FloatVector.fromArray(SP, acc, o1 + w), y1 = FloatVector.fromArray(SP, acc, o1 + w + VL);
                FloatVector y2 = FloatVector.fromArray(SP, acc, o1 + w + 2 * VL);
                FloatVector y3 = FloatVector.fromArray(SP, acc, o1 + w + 3 * VL);
                for (int c = 0, bi = w, pc = 0; c < cols; c++, bi += ldb, pc += pcs) {
                    FloatVector e = FloatVector.broadcast(SP, p[p0 + pc]), f = FloatVector.broadcast(SP, p[p1 + pc]);
                    FloatVector b0 = FloatVector.fromArray(SP, b, bi), b1 = FloatVector.fromArray(SP, b, bi + VL);
                    FloatVector b2 = FloatVector.fromArray(SP, b, bi + 2 * VL);
                    FloatVector b3 = FloatVector.fromArray(SP, b, bi + 3 * VL);
                    x0 = b0.fma(e, x0);
                    x1 = b1.fma(e, x1);
                    x2 = b2.fma(e, x2);
                    x3 = b3.fma(e, x3);
                    y0 = b0.fma(f, y0);
                    y1 = b1.fma(f, y1);
                    y2 = b2.fma(f, y2);
                    y3 = b3.fma(f, y3);
                }
                x0.intoArray(acc, o0 + w);
                x1.intoArray(acc, o0 + w + VL);
                x2.intoArray(acc, o0 + w + 2 * VL);
                x3.intoArray(acc, o0 + w + 3 * VL);
                y0.intoArray(acc, o1 + w);
                y1.intoArray(acc, o1 + w + VL);
                y2.intoArray(acc, o1 + w + 2 * VL);
                y3.intoArray(acc, o1 + w + 3 * VL);
            }
            for (; w < width; w += VL) {
                FloatVector x = FloatVector.fromArray(SP, acc, o0 + w), y = FloatVector.fromArray(SP, acc, o1 + w);
                for (int c = 0, bi = w, pc = 0; c < cols; c++, bi += ldb, pc += pcs) {
                    FloatVector b0 = FloatVector.fromArray(SP, b, bi);
                    x = b0.fma(FloatVector.broadcast(SP, p[p0 + pc]), x);
                    y = b0.fma(FloatVector.broadcast(SP, p[p1 + pc]), y);
                }
                x.intoArray(acc, o0 + w);
                y.intoArray(acc, o1 + w);
            }
        }
        if (r < rows) {
            int p0 = r * prs, o0 = accOff + r * ldacc;
            for (int w = 0; w < width; w += VL) {
                FloatVector x = FloatVector.fromArray(SP, acc, o0 + w);
                for (int c = 0, bi = w, pc = 0; c < cols; c++, bi += ldb, pc += pcs) {
                    x = FloatVector.fromArray(SP, b, bi).fma(FloatVector.broadcast(SP, p[p0 + pc]), x);
                }
                x.intoArray(acc, o0 + w);
            }
        }
    }

    /**
     * The backward's element-wise step on one key row j of a transposed tile, over columns [0, cols): P = exp(S - lse)
     * (0 where the column's last visible key is before {@code key}, when {@code causal}), then dS = P (dP - D).
     * P replaces S in {@code st}, dS replaces dP in {@code dpt}. A column with lse = +inf gets P = 0.
     */
    static void probabilitiesAndGradients(float[] st, float[] dpt, int off, int cols, float[] colLse, float[] colD,
                                          float[] colLast, int key, boolean causal) {
        FloatVector kv = FloatVector.broadcast(SP, (float) key);
        for (int c = 0; c < cols; c += VL) {
            FloatVector p = VectorExp.exp(FloatVector.fromArray(SP, st, off + c).sub(FloatVector.fromArray(SP, colLse, c)));
            if (causal) p = p.blend(0f, FloatVector.fromArray(SP, colLast, c).compare(VectorOperators.LT, kv));
            p.intoArray(st, off + c);
            p.mul(FloatVector.fromArray(SP, dpt, off + c).sub(FloatVector.fromArray(SP, colD, c)))
                    .intoArray(dpt, off + c);
        }
    }
}
