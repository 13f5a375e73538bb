package dev.latentr3.kernels.cpu;

import dev.latentr3.kernels.Segments;

import java.lang.foreign.MemorySegment;

/**
 * The checked shape of one attention call, shared by every attention kernel (CPU and CUDA): validation (so that bad sizes fail with
 * the same message whichever kernel runs) and the index arithmetic of the token-major layouts.
 *
 * <p>{@code group} is Hq / Hkv (query heads per key/value head); {@code offset} is Lk - Lq, the causal shift that puts
 * the queries at the last Lq key positions.
 */
public record AttentionArgs(int batch, int lq, int lk, int hq, int hkv, int headDim, int group, int offset) {

    public static AttentionArgs forward(String kernel, int batch, int lq, int lk, int hq, int hkv, int headDim, float scale,
                                 MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment keyMask,
                                 MemorySegment out, MemorySegment lse) {
        AttentionArgs a = sizes(kernel, batch, lq, lk, hq, hkv, headDim, scale);
        a.checkInputs(kernel, q, k, v, keyMask);
        a.need(kernel, "out", out, a.qElements(), "batch*lq*hq*headDim");
        a.need(kernel, "lse", lse, a.lseElements(), "batch*hq*lq");
        return a;
    }

    public static AttentionArgs backward(String kernel, int batch, int lq, int lk, int hq, int hkv, int headDim, float scale,
                                  MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment keyMask,
                                  MemorySegment out, MemorySegment lse, MemorySegment dOut,
                                  MemorySegment dq, MemorySegment dk, MemorySegment dv) {
        AttentionArgs a = forward(kernel, batch, lq, lk, hq, hkv, headDim, scale, q, k, v, keyMask, out, lse);
        a.need(kernel, "dOut", dOut, a.qElements(), "batch*lq*hq*headDim");
        a.need(kernel, "dq", dq, a.qElements(), "batch*lq*hq*headDim");
        a.need(kernel, "dk", dk, a.kvElements(), "batch*lk*hkv*headDim");
        a.need(kernel, "dv", dv, a.kvElements(), "batch*lk*hkv*headDim");
        return a;
    }

    private static AttentionArgs sizes(String kernel, int batch, int lq, int lk, int hq, int hkv, int headDim,
                                       float scale) {
        positive(kernel, "batch", batch);
        positive(kernel, "lq", lq);
        positive(kernel, "lk", lk);
        positive(kernel, "hq", hq);
        positive(kernel, "hkv", hkv);
        positive(kernel, "headDim", headDim);
        if (hq % hkv != 0) {
            throw new IllegalArgumentException(kernel + ": hq (" + hq + ") must be a multiple of hkv (" + hkv + ")");
        }
        if (!Float.isFinite(scale)) {
            throw new IllegalArgumentException(kernel + ": scale must be finite, got " + scale);
        }
        return new AttentionArgs(batch, lq, lk, hq, hkv, headDim, hq / hkv, lk - lq);
    }

    private static void positive(String kernel, String name, int value) {
        if (value <= 0) throw new IllegalArgumentException(kernel + ": " + name + " must be positive, got " + value);
    }

    private void checkInputs(String kernel, MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment keyMask) {
        need(kernel, "q", q, qElements(), "batch*lq*hq*headDim");
        need(kernel, "k", k, kvElements(), "batch*lk*hkv*headDim");
        need(kernel, "v", v, kvElements(), "batch*lk*hkv*headDim");
        if (keyMask != null && keyMask.byteSize() < (long) batch * lk * Integer.BYTES) {
            throw new IllegalArgumentException(kernel + ": keyMask holds " + keyMask.byteSize() / Integer.BYTES
                    + " int32 elements, needs " + (long) batch * lk + " (batch*lk)");
        }
    }

    private void need(String kernel, String name, MemorySegment s, long elements, String formula) {
        if (s == null) throw new IllegalArgumentException(kernel + ": " + name + " must not be null");
        if (s.byteSize() < elements * Float.BYTES) {
            throw new IllegalArgumentException(kernel + ": " + name + " holds " + s.byteSize() / Float.BYTES
                    + " floats, needs " + elements + " (" + formula + ")");
        }
    }

    long qElements() {
        return (long) batch * lq * hq * headDim;
    }

    long kvElements() {
        return (long) batch * lk * hkv * headDim;
    }

    long lseElements() {
        return (long) batch * hq * lq;
    }

    /** Element index of q[b, t, h, 0] (also out, dOut, dq). */
    long qIndex(int b, int t, int h) {
        return (((long) b * lq + t) * hq + h) * headDim;
    }

    /** Element index of k[b, j, g, 0] (also v, dk, dv). */
    long kvIndex(int b, int j, int g) {
        return (((long) b * lk + j) * hkv + g) * headDim;
    }

    /** Element index of lse[b, h, t]. */
    long lseIndex(int b, int h, int t) {
        return ((long) b * hq + h) * lq + t;
    }

    /** The last key query token t may see (causal); may be negative, when it sees none. */
    int lastKey(boolean causal, int t) {
        return causal ? t + offset : lk - 1;
    }

    static boolean keyAllowed(MemorySegment keyMask, AttentionArgs a, int b, int j) {
        return keyMask == null || Segments.getInt(keyMask, (long) b * a.lk + j) != 0;
    }
}
