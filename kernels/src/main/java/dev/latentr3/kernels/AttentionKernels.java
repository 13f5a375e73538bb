package dev.latentr3.kernels;

import java.lang.foreign.MemorySegment;

/**
 * Fused scaled-dot-product attention with grouped-query heads, fp32.
 *
 * <p>Layouts are token-major, as a linear projection produces them (no transposes needed): q [B, Lq, Hq, D],
 * k and v [B, Lk, Hkv, D], out [B, Lq, Hq, D]; query head h reads key/value head h / (Hq / Hkv). lse [B, Hq, Lq] holds
 * each query row's log-sum-exp of scaled, masked scores (the only per-row state the backward needs).
 *
 * <p>Masking: {@code keyMask} (nullable, int32 [B, Lk], nonzero = attend) masks padded keys, for left or right padding.
 * With {@code causal}, query i may see key j only when j <= i + (Lk - Lq) (queries are the last Lq positions, which
 * covers a KV cache). A query row that can see no key gets out = 0 and lse = -infinity, and contributes no gradient.
 *
 * <p>The full Lq x Lk score matrix is never stored: the kernels work on tiles with an online softmax and the backward
 * recomputes scores from q, k and lse.
 */
public interface AttentionKernels {

    void attention(int batch, int lq, int lk, int hq, int hkv, int headDim, float scale, boolean causal,
                   MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment keyMask,
                   MemorySegment out, MemorySegment lse);

    /** Overwrites dq, dk and dv. */
    void attentionBackward(int batch, int lq, int lk, int hq, int hkv, int headDim, float scale, boolean causal,
                           MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment keyMask,
                           MemorySegment out, MemorySegment lse, MemorySegment dOut,
                           MemorySegment dq, MemorySegment dk, MemorySegment dv);
}
