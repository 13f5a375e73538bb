package dev.latentr3.engine.ops;

import dev.latentr3.engine.Tensor;

/** Normalisation over the last dimension. */
public final class Norms {
    private Norms() {}

    /**
     * RMSNorm: y = x / sqrt(mean(x^2) + eps) * weight, with x [..., dim] and weight [dim]. The forward keeps each
     * row's reciprocal rms so that the backward needs no second reduction pass.
     */
    public static Tensor rmsNorm(Tensor x, Tensor weight, float eps) {
        String op = "rmsNorm";
        Elementwise.requireF32(op, x);
        Elementwise.requireF32(op, weight);
        Ops.sameDevice(op, x, weight);
        if (x.dim() < 1 || x.size(-1) == 0) {
            throw new IllegalArgumentException(op + ": input " + x.describe() + " needs a non-empty last dimension");
        }
        int dim = x.size(-1);
        if (weight.dim() != 1 || weight.size(0) != dim) {
            throw new IllegalArgumentException(op + ": weight " + weight.describe() + " must have shape [" + dim
                    + "], the last dimension of input " + x.describe());
        }
        if (!(eps >= 0) || Float.isInfinite(eps)) {
            throw new IllegalArgumentException(op + ": eps must be finite and >= 0, got " + eps);
        }
        int rows = Math.toIntExact(x.numel() / dim);
        Tensor xc = x.contiguous(), wc = weight.contiguous();
        Tensor out = Tensor.empty(x.device(), x.shape());
        Tensor rstd = Tensor.empty(x.device(), rows);
        x.backend().rows().rmsNorm(rows, dim, xc.data(), wc.data(), eps, out.data(), rstd.data());
        return Tensor.record(op, out, g -> {
            Tensor gc = g.contiguous();
            Tensor dx = Tensor.empty(x.device(), x.shape());
            Tensor dWeight = Tensor.zeros(x.device(), dim); // the kernel accumulates into it
            x.backend().rows().rmsNormBackward(rows, dim, xc.data(), wc.data(), rstd.data(), gc.data(), dx.data(),
                    dWeight.data());
            return new Tensor[]{dx, dWeight};
        }, x, weight);
    }
}
