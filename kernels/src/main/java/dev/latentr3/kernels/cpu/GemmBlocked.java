package dev.latentr3.kernels.cpu;

import static dev.latentr3.kernels.cpu.GemmMicroKernel.MR;
import static dev.latentr3.kernels.cpu.GemmMicroKernel.NR;

/**
 * The cache-blocked GEMM on one thread, over a rectangle of C: the classic loop nest (column blocks of NC, depth
 * blocks of KC, row blocks of MC, then NR x MR tiles). A packed KC x NR micro-panel of B is reused from cache by
 * every MR x KC panel of the packed MC x KC block of A; the KC x NC block of B lives in L2/L3. Scratch is 4 MB of B
 * and 0.4 MB of A per thread.
 */
final class GemmBlocked {
    private GemmBlocked() {}

    /**
     * Block sizes, measured at 1024^3 on Zen 4 (32 KB L1, 1 MB L2 per core): a deep KC (B micro-panel of KC x NR in
     * L2 rather than L1) won ~8% over KC = 256, because C tiles are then loaded and stored once per 1024 steps
     * instead of every 256 (their cache misses were the loss); MC and NC mattered within noise.
     */
    static final int KC = 1024;
    static final int MC = roundUp(96, MR);
    static final int NC = roundUp(1024, NR);

    /** Packing buffers, one set per thread: a call never allocates once a thread has run a GEMM. */
    private static final class Scratch {
        final float[] a = new float[MC * KC];
        final float[] b = new float[KC * NC];
        final float[] edge = new float[MR * NR];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** C[i0 : i1, j0 : j1] = alpha * op(A) op(B) + beta * C over the full depth k (k > 0). */
    static void run(GemmCall g, int i0, int i1, int j0, int j1) {
        Scratch s = SCRATCH.get();
        int k = g.k();
        // Equal depth blocks: a 1100-deep product as 550 + 550, not 1024 + 76 (short blocks waste the C update).
        int kBlocks = (k + KC - 1) / KC, kcStep = (k + kBlocks - 1) / kBlocks;
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += kcStep) {
                int kc = Math.min(kcStep, k - pc);
                // Only the first depth block applies beta; the later ones accumulate onto it.
                float beta = pc == 0 ? g.beta() : 1f;
                GemmPack.packB(g, pc, kc, jc, nc, s.b);
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    GemmPack.packA(g, ic, mc, pc, kc, s.a);
                    macro(g, s, ic, mc, jc, nc, kc, beta);
                }
            }
        }
    }

    private static void macro(GemmCall g, Scratch s, int ic, int mc, int jc, int nc, int kc, float beta) {
        for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr);
            for (int ir = 0; ir < mc; ir += MR) {
                GemmMicroKernel.tile(kc, s.a, ir * kc, s.b, jr * kc, g.c(), g.cIndex(ic + ir, jc + jr), g.ldc(),
                        Math.min(MR, mc - ir), cols, g.alpha(), beta, s.edge);
            }
        }
    }

    private static int roundUp(int v, int multiple) {
        return Math.max(multiple, (v + multiple - 1) / multiple * multiple);
    }
}
