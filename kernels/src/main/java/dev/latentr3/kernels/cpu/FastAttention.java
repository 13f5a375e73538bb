package dev.latentr3.kernels.cpu;

import dev.latentr3.kernels.AttentionKernels;
import dev.latentr3.kernels.Parallel;

import java.lang.foreign.MemorySegment;

/**
 * FlashAttention-2 on the CPU: queries and keys in tiles, an online softmax (running max and sum per row), the Vector
 * API for the tile products ({@link AttentionTiles}), and {@link Parallel#forRange} for the cores.
 *
 * <p>A query block is a run of tokens times all the query heads that share one key/value head, so each packed K/V tile
 * serves the whole GQA group (for decode, Lq = 1, the group is the block). Key tiles past a block's causal horizon
 * are skipped, as are tiles whose keys are all masked, so causal attention costs about half.
 *
 * <p>Forward: parallel over (batch, kv head, query block). When that gives too few tasks for the cores (decode with a
 * long KV cache), the key range is also split, each part keeping its own (max, sum, output) and a second pass merging
 * them (split-K, "flash-decoding").
 *
 * <p>Backward ({@link AttentionBackward}): scores are recomputed per tile from q, k and lse, and the work is split so
 * that every output element has exactly one writer (no atomics, results independent of the thread count): either
 * fused, one task per (batch, kv head) producing dK, dV and dQ from the same tiles (5 tile products), when there are
 * enough such tasks for the cores; or in two passes, dK/dV over (batch, kv head, key block) then dQ over (batch, kv
 * head, query block), which recomputes Q K^T and dO V^T (7 tile products) but parallelises finely.
 */
public final class FastAttention implements AttentionKernels {
    static final int DEFAULT_BLOCK_ROWS = 64, DEFAULT_BLOCK_KEYS = 64;
    private static final String FWD = "FastAttention.attention", BWD = "FastAttention.attentionBackward";

    private final int blockRows, blockKeys, keySplits;
    private final Boolean fusedBackward;

    public FastAttention() {
        this(DEFAULT_BLOCK_ROWS, DEFAULT_BLOCK_KEYS, 0, null);
    }

    /**
     * Tile sizes: {@code blockRows} query rows (tokens x group heads, at least one token) by {@code blockKeys} keys;
     * {@code keySplits} forces the forward's split-K factor (0 = choose by the core count); {@code fusedBackward}
     * forces the backward plan (null = choose by the core count). Tests use small tiles, so that small shapes cross
     * many tiles, and force each plan, whatever the machine.
     */
    FastAttention(int blockRows, int blockKeys, int keySplits, Boolean fusedBackward) {
        if (blockRows < 1 || blockKeys < 1 || keySplits < 0) {
            throw new IllegalArgumentException("FastAttention: tile sizes must be positive and keySplits >= 0, got "
                    + blockRows + ", " + blockKeys + ", " + keySplits);
        }
        this.blockRows = blockRows;
        this.blockKeys = blockKeys;
        this.keySplits = keySplits;
        this.fusedBackward = fusedBackward;
    }

    @Override
    public void attention(int batch, int lq, int lk, int hq, int hkv, int headDim, float scale, boolean causal,
                          MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment keyMask,
                          MemorySegment out, MemorySegment lse) {
        AttentionArgs a = AttentionArgs.forward(FWD, batch, lq, lk, hq, hkv, headDim, scale, q, k, v, keyMask, out, lse);
        int nt = tokensPerBlock(a), tokenBlocks = (lq + nt - 1) / nt;
        int tasks = batch * hkv * tokenBlocks;
        int keyTiles = (lk + blockKeys - 1) / blockKeys;
        int splits = splits(tasks, keyTiles);
        long work = 4L * nt * a.group() * lk * headDim / splits;
        if (splits == 1) {
            Parallel.forRange(tasks, work, (from, to) -> {
                var tile = new AttentionForwardTile(a, nt, blockKeys, scale, causal, q, k, v, keyMask);
                for (int task = from; task < to; task++) {
                    int tb = task % tokenBlocks, g = task / tokenBlocks % hkv, b = task / tokenBlocks / hkv;
                    int t0 = tb * nt, n = Math.min(nt, lq - t0);
                    tile.run(b, g, t0, n, 0, lk);
                    tile.store(out, lse, b, g, t0, n);
                }
            });
            return;
        }
        int chunk = (keyTiles + splits - 1) / splits * blockKeys;
        int maxRows = nt * a.group(), dp = AttentionTiles.roundUp(headDim, AttentionTiles.VL);
        float[] pm = new float[tasks * splits * maxRows], pl = new float[pm.length];
        float[] pacc = new float[pm.length * dp];
        Parallel.forRange(tasks * splits, work, (from, to) -> {
            var tile = new AttentionForwardTile(a, nt, blockKeys, scale, causal, q, k, v, keyMask);
            for (int slot = from; slot < to; slot++) {
                int task = slot / splits, sp = slot % splits;
                int tb = task % tokenBlocks, g = task / tokenBlocks % hkv, b = task / tokenBlocks / hkv;
                int t0 = tb * nt, n = Math.min(nt, lq - t0);
                tile.run(b, g, t0, n, Math.min(lk, sp * chunk), Math.min(lk, (sp + 1) * chunk));
                tile.saveTo(pm, pl, pacc, slot);
            }
        });
        Parallel.forRange(tasks, (long) splits * maxRows * dp, (from, to) -> {
            var tile = new AttentionForwardTile(a, nt, blockKeys, scale, causal, q, k, v, keyMask);
            for (int task = from; task < to; task++) {
                int tb = task % tokenBlocks, g = task / tokenBlocks % hkv, b = task / tokenBlocks / hkv;
                int t0 = tb * nt, n = Math.min(nt, lq - t0);
                tile.mergeFrom(pm, pl, pacc, task * splits, splits, n);
                tile.store(out, lse, b, g, t0, n);
            }
        });
    }

    @Override
    public void attentionBackward(int batch, int lq, int lk, int hq, int hkv, int headDim, float scale, boolean causal,
                                  MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment keyMask,
                                  MemorySegment out, MemorySegment lse, MemorySegment dOut,
                                  MemorySegment dq, MemorySegment dk, MemorySegment dv) {
        AttentionArgs a = AttentionArgs.backward(BWD, batch, lq, lk, hq, hkv, headDim, scale,
                q, k, v, keyMask, out, lse, dOut, dq, dk, dv);
        new AttentionBackward(a, tokensPerBlock(a), blockKeys, scale, causal, q, k, v, keyMask, out, lse, dOut)
                .run(dq, dk, dv, fusedBackward);
    }

    private int tokensPerBlock(AttentionArgs a) {
        return Math.max(1, Math.min(a.lq(), blockRows / a.group()));
    }

    /** Splits the key range only when the query blocks alone leave cores idle and each part keeps >= 2 tiles. */
    private int splits(int tasks, int keyTiles) {
        if (keySplits > 0) return Math.min(keySplits, keyTiles);
        int want = 2 * Parallel.threads();
        if (tasks >= want) return 1;
        return Math.max(1, Math.min((want + tasks - 1) / tasks, keyTiles / 2));
    }
}
