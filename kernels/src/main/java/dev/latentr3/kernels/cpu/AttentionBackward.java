package dev.latentr3.kernels.cpu;

import dev.latentr3.kernels.Parallel;
import dev.latentr3.kernels.Segments;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * One call of {@link FastAttention#attentionBackward}: D_i = dO_i . O_i for every row, then one of two plans, in both
 * of which each output element has one writer (no races, no atomics, results independent of the thread count):
 * <ul>
 *   <li>fused: parallel over (batch, kv head) only; each task walks all key blocks and query blocks of its head group
 *       once ({@link AttentionKeyGradTile}), accumulating dK, dV and a private dQ for the group: 5 tile products per
 *       (key block, query block) pair, but no more tasks than batch x Hkv;</li>
 *   <li>two-pass: dK/dV in parallel over (batch, kv head, key block), then dQ in parallel over (batch, kv head, query
 *       block) ({@link AttentionQueryGradTile}), which recomputes Q K^T and dO V^T: 7 tile products, fine-grained
 *       parallelism.</li>
 * </ul>
 * {@link #fusedIsFaster} picks by that count.
 */
final class AttentionBackward {
    private final AttentionArgs a;
    private final int tokensPerBlock, blockKeys;
    private final float scale;
    private final boolean causal;
    private final MemorySegment q, k, v, keyMask, out, lse, dOut;

    AttentionBackward(AttentionArgs a, int tokensPerBlock, int blockKeys, float scale, boolean causal,
                      MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment keyMask,
                      MemorySegment out, MemorySegment lse, MemorySegment dOut) {
        this.a = a;
        this.tokensPerBlock = tokensPerBlock;
        this.blockKeys = blockKeys;
        this.scale = scale;
        this.causal = causal;
        this.q = q;
        this.k = k;
        this.v = v;
        this.keyMask = keyMask;
        this.out = out;
        this.lse = lse;
        this.dOut = dOut;
    }

    /** {@code fused}: null to choose by {@link #fusedIsFaster}. */
    void run(MemorySegment dq, MemorySegment dk, MemorySegment dv, Boolean fused) {
        float[] rowDot = rowDots();
        int batch = a.batch(), hkv = a.hkv(), group = a.group(), d = a.headDim();
        int keyBlocks = (a.lk() + blockKeys - 1) / blockKeys;
        int dp = AttentionTiles.roundUp(d, AttentionTiles.VL);
        long dqFloats = (long) a.lq() * group * dp;
        if (fused != null ? fused : dqFloats <= MAX_FUSED_DQ && fusedIsFaster(batch * hkv, Parallel.threads())) {
            Parallel.forRange(batch * hkv, 5L * a.lq() * group * a.lk() * d, (from, to) -> {
                var tile = new AttentionKeyGradTile(a, tokensPerBlock, blockKeys, scale, causal,
                        q, k, v, keyMask, lse, dOut, rowDot);
                float[] dqAll = new float[Math.toIntExact(dqFloats)];
                for (int task = from; task < to; task++) {
                    int g = task % hkv, b = task / hkv;
                    Arrays.fill(dqAll, 0f);
                    for (int j0 = 0; j0 < a.lk(); j0 += blockKeys) {
                        tile.run(b, g, j0, Math.min(blockKeys, a.lk() - j0), dk, dv, dqAll);
                    }
                    AttentionPack.storeQueryRows(a, dqAll, dp, 1f, dq, b, 0, a.lq(), g);
                }
            });
            return;
        }
        Parallel.forRange(batch * hkv * keyBlocks, 8L * blockKeys * a.lq() * group * d, (from, to) -> {
            var tile = new AttentionKeyGradTile(a, tokensPerBlock, blockKeys, scale, causal,
                    q, k, v, keyMask, lse, dOut, rowDot);
            for (int task = from; task < to; task++) {
                int kb = task % keyBlocks, g = task / keyBlocks % hkv, b = task / keyBlocks / hkv;
                int j0 = kb * blockKeys;
                tile.run(b, g, j0, Math.min(blockKeys, a.lk() - j0), dk, dv, null);
            }
        });
        int tokenBlocks = (a.lq() + tokensPerBlock - 1) / tokensPerBlock;
        Parallel.forRange(batch * hkv * tokenBlocks, 6L * tokensPerBlock * group * a.lk() * d, (from, to) -> {
            var tile = new AttentionQueryGradTile(a, tokensPerBlock, blockKeys, scale, causal,
                    q, k, v, keyMask, lse, dOut, rowDot);
            for (int task = from; task < to; task++) {
                int tb = task % tokenBlocks, g = task / tokenBlocks % hkv, b = task / tokenBlocks / hkv;
                int t0 = tb * tokensPerBlock;
                tile.run(b, g, t0, Math.min(tokensPerBlock, a.lq() - t0), dq);
            }
        });
    }

    /** Largest per-task dQ accumulator the fused plan may allocate, in floats (16 MiB); longer queries use two passes. */
    private static final long MAX_FUSED_DQ = 1L << 22;

    /**
     * Fused costs 5 products per tile pair in ceil(groups / threads) rounds of whole groups; two-pass costs 7, spread
     * evenly over the threads.
     */
    static boolean fusedIsFaster(int groups, int threads) {
        long rounds = (groups + threads - 1) / threads;
        return rounds * 5L * threads <= 7L * groups;
    }

    /** D[b, h, t] = dOut[b, t, h, :] . out[b, t, h, :], laid out like lse. */
    private float[] rowDots() {
        int hq = a.hq(), d = a.headDim(), lq = a.lq();
        float[] dots = new float[Math.toIntExact(a.lseElements())];
        Parallel.forRange(a.batch() * lq, 2L * hq * d, (from, to) -> {
            float[] x = new float[hq * d], y = new float[hq * d];
            for (int bt = from; bt < to; bt++) {
                int b = bt / lq, t = bt % lq;
                long base = a.qIndex(b, t, 0) * Float.BYTES;
                MemorySegment.copy(dOut, Segments.F32, base, x, 0, hq * d);
                MemorySegment.copy(out, Segments.F32, base, y, 0, hq * d);
                for (int h = 0; h < hq; h++) {
                    float s = 0;
                    for (int i = h * d; i < (h + 1) * d; i++) s += x[i] * y[i];
                    dots[(int) a.lseIndex(b, h, t)] = s;
                }
            }
        });
        return dots;
    }
}
