package dev.latentr3.engine.nn;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.ops.MatMul;
import dev.latentr3.engine.random.Rng;

/** y = x W^T + b with W [out, in] (PyTorch's layout); W ~ N(0, std^2), b = 0 (Hugging Face Qwen2's init). */
public final class Linear extends Module {
    private final Tensor weight;
    private final Tensor bias;

    public Linear(int in, int out, boolean bias, float initStd, Rng rng) {
        this.weight = rng.normal(parameter("weight", out, in), 0f, initStd);
        this.bias = bias ? parameter("bias", out) : null;
    }

    /** x [..., in] -> [..., out]. */
    public Tensor forward(Tensor x) {
        return MatMul.linear(x, weight, bias);
    }

    public Tensor weight() {
        return weight;
    }

    /** The bias, or null when the layer has none. */
    public Tensor bias() {
        return bias;
    }
}
