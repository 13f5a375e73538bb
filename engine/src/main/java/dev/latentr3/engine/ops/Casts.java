package dev.latentr3.engine.ops;

import dev.latentr3.engine.DType;
import dev.latentr3.engine.Tensor;

/** Conversions between the floating-point storage types: F32 for compute, BF16 for storage. */
public final class Casts {
    private Casts() {}

    /**
     * x as {@code dtype}: F32 -> BF16 rounds to nearest even, BF16 -> F32 is exact; the same dtype returns x itself.
     * The backward treats the rounding as the identity (straight-through), and the gradient stays F32 either way,
     * since gradients are always F32.
     */
    public static Tensor to(Tensor x, DType dtype) {
        String op = "cast";
        x.checkAlive(op);
        if (x.dtype() == dtype) return x;
        Tensor xc = x.contiguous();
        Tensor out = Tensor.empty(x.device(), dtype, x.shape());
        if (x.dtype() == DType.F32 && dtype == DType.BF16) {
            x.backend().elementwise().f32ToBf16(out.numel(), xc.data(), out.data());
        } else if (x.dtype() == DType.BF16 && dtype == DType.F32) {
            x.backend().elementwise().bf16ToF32(out.numel(), xc.data(), out.data());
        } else {
            throw new IllegalArgumentException(op + ": cannot cast " + x.describe() + " to " + dtype
                    + "; supported: F32 <-> BF16");
        }
        return Tensor.record(op, out, g -> new Tensor[]{g}, x);
    }
}
