package dev.latentr3.kernels.cpu;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static dev.latentr3.kernels.cpu.AttentionTiles.VL;
import static dev.latentr3.kernels.cpu.AttentionTiles.roundUp;

/**
 * One thread's dQ state for a query block, walking its key tiles. Per tile, transposed (keys x query rows):
 * S^T = K (scale Q)^T, dP^T = V dO^T, P^T = exp(S^T - lse), dS^T = P^T (dP^T - D), then dQ += dS K; finally
 * dQ *= scale. Rows that saw no key (lse = -inf) get dQ = 0.
 */
final class AttentionQueryGradTile {
    private final AttentionArgs a;
    private final boolean causal;
    private final float scale;
    private final MemorySegment q, k, v, keyMask, lse, dOut;
    private final float[] rowDot;
    private final int blockKeys, d, dp, rp;

    private final float[] stage, qt, dot, kr, vr, st, dpt, dqAcc, colLse, colD, colLast;
    private final boolean[] keyOk;

    AttentionQueryGradTile(AttentionArgs a, int maxTokens, int blockKeys, float scale, boolean causal,
                           MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment keyMask,
                           MemorySegment lse, MemorySegment dOut, float[] rowDot) {
        this.a = a;
        this.causal = causal;
        this.scale = scale;
        this.q = q;
        this.k = k;
        this.v = v;
        this.keyMask = keyMask;
        this.lse = lse;
        this.dOut = dOut;
        this.rowDot = rowDot;
        this.blockKeys = blockKeys;
        this.d = a.headDim();
        this.dp = roundUp(d, VL);
        int maxRows = maxTokens * a.group(), keysPad = roundUp(blockKeys, AttentionTiles.ROWS);
        this.rp = roundUp(maxRows, VL);
        stage = new float[maxRows * d];
        qt = new float[d * rp];
        dot = new float[d * rp];
        kr = new float[keysPad * dp];
        vr = new float[keysPad * dp];
        st = new float[keysPad * rp];
        dpt = new float[keysPad * rp];
        dqAcc = new float[maxRows * dp];
        colLse = new float[rp];
        colD = new float[rp];
        colLast = new float[rp];
        keyOk = new boolean[blockKeys];
    }

    /** Computes and writes dq for tokens [t0, t0 + nt) of the heads of kv head g. */
    void run(int b, int g, int t0, int nt, MemorySegment dq) {
        int rows = nt * a.group(), cols = roundUp(rows, VL);
        AttentionPack.queryColumns(a, q, b, t0, nt, g, scale, stage, qt, rp);
        AttentionPack.queryColumns(a, dOut, b, t0, nt, g, 1f, stage, dot, rp);
        AttentionPack.columnStats(a, causal, b, g, t0, nt, colLast, lse, rowDot, colLse, colD);
        Arrays.fill(dqAcc, 0, rows * dp, 0f);
        int firstLast = a.lastKey(causal, t0), kEnd = Math.min(a.lk(), a.lastKey(causal, t0 + nt - 1) + 1);
        for (int j0 = 0; j0 < kEnd; j0 += blockKeys) {
            int nk = Math.min(blockKeys, kEnd - j0), keysPad = roundUp(nk, AttentionTiles.ROWS);
            boolean any = false;
            for (int j = 0; j < nk; j++) any |= keyOk[j] = AttentionArgs.keyAllowed(keyMask, a, b, j0 + j);
            if (!any) continue;
            AttentionPack.keyRows(a, k, b, j0, nk, g, 1f, kr, dp);
            AttentionPack.keyRows(a, v, b, j0, nk, g, 1f, vr, dp);
            Arrays.fill(kr, nk * dp, keysPad * dp, 0f);
            Arrays.fill(vr, nk * dp, keysPad * dp, 0f);
            AttentionTiles.scores(kr, dp, keysPad, qt, rp, cols, d, st, rp);
            AttentionTiles.scores(vr, dp, keysPad, dot, rp, cols, d, dpt, rp);
            boolean partlyHidden = j0 + nk - 1 > firstLast;
            for (int j = 0; j < nk; j++) {
                if (keyOk[j]) {
                    AttentionTiles.probabilitiesAndGradients(st, dpt, j * rp, cols, colLse, colD, colLast, j0 + j,
                            partlyHidden);
                } else {
                    Arrays.fill(dpt, j * rp, j * rp + cols, 0f);
                }
            }
            AttentionTiles.accumulate(dpt, 1, rp, rows, nk, kr, dp, dp, dqAcc, 0, dp);
        }
        AttentionPack.storeQueryRows(a, dqAcc, dp, scale, dq, b, t0, nt, g);
    }
}
