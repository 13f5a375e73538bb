package dev.latentr3.kernels.cpu;

import jdk.incubator.vector.FloatVector;

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
 */
final class GemmPack {
    private GemmPack() {}

    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    /** Packs op(A)[i0 : i0 + mc, p0 : p0 + kc]; panel r starts at dst[r * MR * kc]. */
    static void packA(GemmCall g, int i0, int mc, int p0, int kc, float[] dst) {
        MemorySegment a = g.a();
        for (int ir = 0; ir < mc; ir += MR) {
            int rows = Math.min(MR, mc - ir), base = ir * kc;
            if (g.transA()) {
                // A stored k x m: the MR values of one k step are adjacent in memory.
                long src = g.aIndex(i0 + ir, p0);
                for (int p = 0, d = base; p < kc; p++, d += MR, src += g.lda()) {
                    for (int r = 0; r < rows; r++) dst[d + r] = a.getAtIndex(F32, src + r);
                    for (int r = rows; r < MR; r++) dst[d + r] = 0f;
                }
            } else {
                // A stored m x k: walk each row once, scattering its values into every MR-th slot.
                for (int r = 0; r < rows; r++) {
                    long src = g.aIndex(i0 + ir + r, p0);
                    for (int p = 0, d = base + r; p < kc; p++, d += MR) dst[d] = a.getAtIndex(F32, src + p);
                }
                for (int r = rows; r < MR; r++) {
                    for (int p = 0, d = base + r; p < kc; p++, d += MR) dst[d] = 0f;
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
                for (int j = 0; j < cols; j++) {
                    long src = g.bIndex(p0, j0 + jr + j);
                    for (int p = 0, d = base + j; p < kc; p++, d += NR) dst[d] = b.getAtIndex(F32, src + p);
                }
                for (int j = cols; j < NR; j++) {
                    for (int p = 0, d = base + j; p < kc; p++, d += NR) dst[d] = 0f;
                }
            }
        }
    }
}
