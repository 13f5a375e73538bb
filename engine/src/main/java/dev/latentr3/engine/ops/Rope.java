package dev.latentr3.engine.ops;

import dev.latentr3.engine.DType;
import dev.latentr3.engine.Tensor;

/** Rotary position embeddings ("rotate half", as in GPT-NeoX and Qwen2). */
public final class Rope {
    private Rope() {}

    /**
     * Rotates the first {@code rotaryDim} entries of every head of x [B, L, H, D] (token-major, as a projection
     * produces it) by angles pos * theta^(-2i/rotaryDim), where pos comes from positions I32 [B, L], or [L] shared by
     * every batch row. A rotation is orthogonal, so the backward is the same rotation by the negative angle.
     */
    public static Tensor apply(Tensor x, Tensor positions, int rotaryDim, double theta) {
        String op = "rope";
        Elementwise.requireF32(op, x);
        Ops.requireDType(op, "positions", positions, DType.I32);
        Ops.sameDevice(op, x, positions);
        if (x.dim() != 4) {
            throw new IllegalArgumentException(op + ": input must be [batch, tokens, heads, headDim], got " + x.describe());
        }
        int batch = x.size(0), tokens = x.size(1), heads = x.size(2), headDim = x.size(3);
        boolean perBatch = positions.dim() == 2 && positions.size(0) == batch && positions.size(1) == tokens;
        boolean shared = positions.dim() == 1 && positions.size(0) == tokens;
        if (!perBatch && !shared) {
            throw new IllegalArgumentException(op + ": positions " + positions.describe() + " must be [" + batch + ", "
                    + tokens + "] or [" + tokens + "] for input " + x.describe());
        }
        if (rotaryDim <= 0 || rotaryDim % 2 != 0 || rotaryDim > headDim) {
            throw new IllegalArgumentException(op + ": rotaryDim " + rotaryDim + " must be even and in [2, " + headDim
                    + "] (the head size of input " + x.describe() + ")");
        }
        if (!(theta > 0) || Double.isInfinite(theta)) {
            throw new IllegalArgumentException(op + ": theta must be finite and > 0, got " + theta);
        }
        Tensor pos = (shared ? positions.expand(batch, tokens) : positions).contiguous();
        int rows = Math.multiplyExact(batch, tokens);
        Tensor xc = x.contiguous();
        Tensor out = Tensor.empty(x.device(), x.shape());
        x.backend().rows().rope(rows, heads, headDim, rotaryDim, theta, pos.data(), false, xc.data(), out.data());
        return Tensor.record(op, out, g -> {
            Tensor gc = g.contiguous();
            Tensor dx = Tensor.empty(x.device(), x.shape());
            x.backend().rows().rope(rows, heads, headDim, rotaryDim, theta, pos.data(), true, gc.data(), dx.data());
            return new Tensor[]{dx, null};
        }, x, positions);
    }
}
