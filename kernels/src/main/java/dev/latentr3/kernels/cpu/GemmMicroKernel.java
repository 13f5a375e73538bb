package dev.latentr3.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static dev.latentr3.kernels.Segments.F32;

/**
 * The register-tiled inner kernel of the blocked GEMM: an MR x NR tile of C accumulated in 2 * MR vector registers
 * over one packed A micro-panel (MR floats per k step) and one packed B micro-panel (NR floats per k step).
 *
 * <p>NR is two vectors of the preferred species (16 floats on AVX2, 32 on AVX-512) and MR is 6: 12 accumulators,
 * 2 B vectors and one broadcast A value fit in AVX2's 16 registers, and each B load then feeds 6 FMAs, which keeps
 * the loads well under the FMA rate. Wider tiles (8 x 2, 12 x 2, 6 x 3, 4 x 4 vectors) measured no faster with
 * AVX-512's 32 registers, and this shape keeps edge waste small.
 */
final class GemmMicroKernel {
    private GemmMicroKernel() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final int MR = 6;
    static final int NR = 2 * L;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    /**
     * C[rows x cols tile at float index cIndex, row stride ldc] = alpha * (A panel * B panel) + beta * C, where the
     * panels hold kc steps from {@code ap[ao]} and {@code bp[bo]}, zero-padded to the full MR x NR. A partial tile
     * goes through {@code edge} (MR * NR floats) so that nothing outside it is touched.
     */
    static void tile(int kc, float[] ap, int ao, float[] bp, int bo, MemorySegment c, long cIndex, int ldc,
                     int rows, int cols, float alpha, float beta, float[] edge) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
                c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bo), b1 = FloatVector.fromArray(S, bp, bo + L);
            FloatVector a = FloatVector.broadcast(S, ap[ao]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, ap[ao + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, ap[ao + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, ap[ao + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, ap[ao + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, ap[ao + 5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
            ao += MR;
            bo += NR;
        }
        if (rows == MR && cols == NR) {
            // Written out rather than through a helper: a vector passed to a call C2 does not inline gets boxed.
            FloatVector av = FloatVector.broadcast(S, alpha);
            c00 = c00.mul(av);
            c01 = c01.mul(av);
            c10 = c10.mul(av);
            c11 = c11.mul(av);
            c20 = c20.mul(av);
            c21 = c21.mul(av);
            c30 = c30.mul(av);
            c31 = c31.mul(av);
            c40 = c40.mul(av);
            c41 = c41.mul(av);
            c50 = c50.mul(av);
            c51 = c51.mul(av);
            long o0 = cIndex * Float.BYTES, step = (long) ldc * Float.BYTES, hi = (long) L * Float.BYTES;
            long o1 = o0 + step, o2 = o1 + step, o3 = o2 + step, o4 = o3 + step, o5 = o4 + step;
            if (beta != 0) {
                // beta == 0 must not read C: it may hold NaN.
                FloatVector bv = FloatVector.broadcast(S, beta);
                c00 = FloatVector.fromMemorySegment(S, c, o0, NATIVE).fma(bv, c00);
                c01 = FloatVector.fromMemorySegment(S, c, o0 + hi, NATIVE).fma(bv, c01);
                c10 = FloatVector.fromMemorySegment(S, c, o1, NATIVE).fma(bv, c10);
                c11 = FloatVector.fromMemorySegment(S, c, o1 + hi, NATIVE).fma(bv, c11);
                c20 = FloatVector.fromMemorySegment(S, c, o2, NATIVE).fma(bv, c20);
                c21 = FloatVector.fromMemorySegment(S, c, o2 + hi, NATIVE).fma(bv, c21);
                c30 = FloatVector.fromMemorySegment(S, c, o3, NATIVE).fma(bv, c30);
                c31 = FloatVector.fromMemorySegment(S, c, o3 + hi, NATIVE).fma(bv, c31);
                c40 = FloatVector.fromMemorySegment(S, c, o4, NATIVE).fma(bv, c40);
                c41 = FloatVector.fromMemorySegment(S, c, o4 + hi, NATIVE).fma(bv, c41);
                c50 = FloatVector.fromMemorySegment(S, c, o5, NATIVE).fma(bv, c50);
                c51 = FloatVector.fromMemorySegment(S, c, o5 + hi, NATIVE).fma(bv, c51);
            }
            c00.intoMemorySegment(c, o0, NATIVE);
            c01.intoMemorySegment(c, o0 + hi, NATIVE);
            c10.intoMemorySegment(c, o1, NATIVE);
            c11.intoMemorySegment(c, o1 + hi, NATIVE);
            c20.intoMemorySegment(c, o2, NATIVE);
            c21.intoMemorySegment(c, o2 + hi, NATIVE);
            c30.intoMemorySegment(c, o3, NATIVE);
            c31.intoMemorySegment(c, o3 + hi, NATIVE);
            c40.intoMemorySegment(c, o4, NATIVE);
            c41.intoMemorySegment(c, o4 + hi, NATIVE);
            c50.intoMemorySegment(c, o5, NATIVE);
            c51.intoMemorySegment(c, o5 + hi, NATIVE);
        } else {
            c00.intoArray(edge, 0);
            c01.intoArray(edge, L);
            c10.intoArray(edge, NR);
            c11.intoArray(edge, NR + L);
            c20.intoArray(edge, 2 * NR);
            c21.intoArray(edge, 2 * NR + L);
            c30.intoArray(edge, 3 * NR);
            c31.intoArray(edge, 3 * NR + L);
            c40.intoArray(edge, 4 * NR);
            c41.intoArray(edge, 4 * NR + L);
            c50.intoArray(edge, 5 * NR);
            c51.intoArray(edge, 5 * NR + L);
            storeEdge(edge, c, cIndex, ldc, rows, cols, alpha, beta);
        }
    }

    private static void storeEdge(float[] edge, MemorySegment c, long cIndex, int ldc, int rows, int cols,
                                  float alpha, float beta) {
        for (int r = 0; r < rows; r++) {
            long row = cIndex + (long) r * ldc;
            for (int j = 0; j < cols; j++) {
                float v = alpha * edge[r * NR + j];
                if (beta != 0) v = Math.fma(beta, c.getAtIndex(F32, row + j), v);
                c.setAtIndex(F32, row + j, v);
            }
        }
    }
}
