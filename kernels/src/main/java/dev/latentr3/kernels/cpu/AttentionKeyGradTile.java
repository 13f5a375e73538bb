package dev.latentr3.kernels.cpu;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static dev.latentr3.kernels.cpu.AttentionTiles.VL;
import static dev.latentr3.kernels.cpu.AttentionTiles.roundUp;

/**
 * One thread's dK/dV state for a key block, walking every query block that can see it. The scores are computed
 * transposed (keys as rows, query rows as columns), so that P^T and dS^T come out row-major for the two accumulations:
 * S^T = (scale K) Q^T, dP^T = V dO^T, P^T = exp(S^T - lse), dS^T = P^T (dP^T - D), dV += P^T dO, dK += dS^T Q;
 * finally dK *= scale. When the caller owns all of a (batch, kv head)'s key blocks it may also pass a dQ accumulator
 * for that head group, and gets dQ += dS (scale K) from the same tiles.
 */
final class AttentionKeyGradTile {
    private final AttentionArgs a;
    private final boolean causal;
    private final float scale;
    private final MemorySegment q, k, v, keyMask, lse, dOut;
    private final float[] rowDot;
    private final int maxTokens, d, dp, rp;

    private final float[] kr, vr, qr, dor, qt, dot, st, dpt, dkAcc, dvAcc, colLse, colD, colLast;
    private final boolean[] keyOk;

    AttentionKeyGradTile(AttentionArgs a, int maxTokens, int blockKeys, float scale, boolean causal,
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
        this.maxTokens = maxTokens;
        this.d = a.headDim();
        this.dp = roundUp(d, VL);
        int maxRows = maxTokens * a.group(), keysPad = roundUp(blockKeys, AttentionTiles.ROWS);
        this.rp = roundUp(maxRows, VL);
        kr = new float[keysPad * dp];
        vr = new float[keysPad * dp];
        qr = new float[maxRows * dp];
        dor = new float[maxRows * dp];
        qt = new float[d * rp];
        dot = new float[d * rp];
        st = new float[keysPad * rp];
        dpt = new float[keysPad * rp];
        dkAcc = new float[blockKeys * dp];
        dvAcc = new float[blockKeys * dp];
        colLse = new float[rp];
        colD = new float[rp];
        colLast = new float[rp];
        keyOk = new boolean[blockKeys];
    }

    /**
     * Computes and writes dk and dv for keys [j0, j0 + nk) of kv head g; with {@code dqAll} (else null), also adds
     * these keys' share of dq for all of (b, g)'s query rows to it, laid out [lq * group][roundUp(D, VL)].
     */
    void run(int b, int g, int j0, int nk, MemorySegment dk, MemorySegment dv, float[] dqAll) {
        int keysPad = roundUp(nk, AttentionTiles.ROWS);
        Arrays.fill(dkAcc, 0, nk * dp, 0f);
        Arrays.fill(dvAcc, 0, nk * dp, 0f);
        boolean any = false;
        for (int j = 0; j < nk; j++) any |= keyOk[j] = AttentionArgs.keyAllowed(keyMask, a, b, j0 + j);
        if (any) {
            AttentionPack.keyRows(a, k, b, j0, nk, g, scale, kr, dp);
            AttentionPack.keyRows(a, v, b, j0, nk, g, 1f, vr, dp);
            Arrays.fill(kr, nk * dp, keysPad * dp, 0f);
            Arrays.fill(vr, nk * dp, keysPad * dp, 0f);
            int firstToken = causal ? Math.max(0, j0 - a.offset()) : 0; // earlier tokens see none of these keys
            for (int t0 = firstToken; t0 < a.lq(); t0 += maxTokens) {
                queryBlock(b, g, j0, nk, keysPad, t0, Math.min(maxTokens, a.lq() - t0), dqAll);
            }
        }
        AttentionPack.storeKeyRows(a, dkAcc, dp, scale, dk, b, j0, nk, g);
        AttentionPack.storeKeyRows(a, dvAcc, dp, 1f, dv, b, j0, nk, g);
    }

    private void queryBlock(int b, int g, int j0, int nk, int keysPad, int t0, int nt, float[] dqAll) {
        int rows = nt * a.group(), cols = roundUp(rows, VL);
        AttentionPack.queryRows(a, q, b, t0, nt, g, 1f, qr, dp);
        AttentionPack.queryRows(a, dOut, b, t0, nt, g, 1f, dor, dp);
        AttentionPack.transpose(qr, dp, rows, d, qt, rp);
        AttentionPack.transpose(dor, dp, rows, d, dot, rp);
        AttentionPack.zeroColumns(qt, rp, d, rows, cols);
        AttentionPack.zeroColumns(dot, rp, d, rows, cols);
        AttentionPack.columnStats(a, causal, b, g, t0, nt, colLast, lse, rowDot, colLse, colD);
        AttentionTiles.scores(kr, dp, keysPad, qt, rp, cols, d, st, rp);
        AttentionTiles.scores(vr, dp, keysPad, dot, rp, cols, d, dpt, rp);
        boolean partlyHidden = j0 + nk - 1 > a.lastKey(causal, t0);
        for (int j = 0; j < nk; j++) {
            if (keyOk[j]) {
                AttentionTiles.probabilitiesAndGradients(st, dpt, j * rp, cols, colLse, colD, colLast, j0 + j,
                        partlyHidden);
            } else {
                Arrays.fill(st, j * rp, j * rp + cols, 0f);
                Arrays.fill(dpt, j * rp, j * rp + cols, 0f);
            }
        }
        AttentionTiles.accumulate(st, rp, 1, nk, rows, dor, dp, dp, dvAcc, 0, dp);
        AttentionTiles.accumulate(dpt, rp, 1, nk, rows, qr, dp, dp, dkAcc, 0, dp);
        if (dqAll != null) AttentionTiles.accumulate(dpt, 1, rp, rows, nk, kr, dp, dp, dqAll, t0 * a.group() * dp, dp);
    }
}
