package dev.latentr3.engine.nn;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.ops.Norms;

/** Root-mean-square normalisation over the last dimension with a learned gain, initialised to 1. */
public final class RMSNorm extends Module {
    private final Tensor weight;
    private final float eps;

    public RMSNorm(int dim, float eps) {
        this.weight = parameter("weight", dim);
        weight.backend().elementwise().fill(dim, 1f, weight.data());
        this.eps = eps;
    }

    /** x [..., dim] -> same shape. */
    public Tensor forward(Tensor x) {
        return Norms.rmsNorm(x, weight, eps);
    }

    public Tensor weight() {
        return weight;
    }
}
