package dev.latentr3.engine.ops;

import dev.latentr3.engine.DType;
import dev.latentr3.engine.Tensor;

import java.util.Arrays;

/** Fused scaled-dot-product attention with grouped-query heads. */
public final class Attention {
    private Attention() {}

    /**
     * softmax(q k^T * scale + mask) v per head, on token-major layouts: q [B, Lq, Hq, D], k and v [B, Lk, Hkv, D],
     * out [B, Lq, Hq, D]; query head h reads key/value head h / (Hq / Hkv).
     *
     * <p>The Lq x Lk scores are never stored: the forward keeps only each query row's log-sum-exp, from which the
     * backward recomputes them. A query row that can see no key outputs 0 and gets no gradient.
     *
     * @param causal  query i sees key j only when j <= i + (Lk - Lq) (queries are the last Lq positions)
     * @param keyMask I32 [B, Lk], nonzero = attend (padding, left or right), or null for none
     * @param scale   the score scale; {@code Float.NaN} means 1 / sqrt(D)
     */
    public static Tensor sdpa(Tensor q, Tensor k, Tensor v, boolean causal, Tensor keyMask, float scale) {
        String op = "sdpa";
        Elementwise.requireF32(op, q);
        Elementwise.requireF32(op, k);
        Elementwise.requireF32(op, v);
        Ops.sameDevice(op, q, k, v);
        if (q.dim() != 4 || k.dim() != 4 || v.dim() != 4) {
            throw new IllegalArgumentException(op + ": q, k, v must be [batch, tokens, heads, headDim], got q "
                    + q.describe() + ", k " + k.describe() + ", v " + v.describe());
        }
        int batch = q.size(0), lq = q.size(1), hq = q.size(2), headDim = q.size(3);
        int lk = k.size(1), hkv = k.size(2);
        if (!Arrays.equals(k.shape(), v.shape()) || k.size(0) != batch || k.size(3) != headDim) {
            throw new IllegalArgumentException(op + ": k " + k.describe() + " and v " + v.describe() + " must both be ["
                    + batch + ", Lk, Hkv, " + headDim + "] to match q " + q.describe());
        }
        if (hkv == 0 || hq % hkv != 0) {
            throw new IllegalArgumentException(op + ": query heads Hq=" + hq + " of q " + q.describe()
                    + " must be a multiple of key/value heads Hkv=" + hkv + " of k " + k.describe());
        }
        if (keyMask != null) {
            Ops.requireDType(op, "keyMask", keyMask, DType.I32);
            Ops.sameDevice(op, q, keyMask);
            if (keyMask.dim() != 2 || keyMask.size(0) != batch || keyMask.size(1) != lk) {
                throw new IllegalArgumentException(op + ": keyMask " + keyMask.describe() + " must be [" + batch + ", "
                        + lk + "] for k " + k.describe());
            }
        }
        float s = Float.isNaN(scale) ? (float) (1.0 / Math.sqrt(headDim)) : scale;
        if (Float.isInfinite(s)) throw new IllegalArgumentException(op + ": scale must be finite, got " + scale);

        Tensor qc = q.contiguous(), kc = k.contiguous(), vc = v.contiguous();
        Tensor mask = keyMask == null ? null : keyMask.contiguous();
        Tensor out = Tensor.empty(q.device(), q.shape());
        Tensor lse = Tensor.empty(q.device(), batch, hq, lq);
        q.backend().attention().attention(batch, lq, lk, hq, hkv, headDim, s, causal, qc.data(), kc.data(), vc.data(),
                mask == null ? null : mask.data(), out.data(), lse.data());
        return Tensor.record(op, out, g -> {
            Tensor dOut = g.contiguous();
            Tensor dq = Tensor.empty(q.device(), q.shape()), dk = Tensor.empty(q.device(), k.shape()), dv = Tensor.empty(q.device(), v.shape());
            q.backend().attention().attentionBackward(batch, lq, lk, hq, hkv, headDim, s, causal, qc.data(), kc.data(),
                    vc.data(), mask == null ? null : mask.data(), out.data(), lse.data(), dOut.data(),
                    dq.data(), dk.data(), dv.data());
            return new Tensor[]{dq, dk, dv, null};
        }, q, k, v, keyMask);
    }
}
