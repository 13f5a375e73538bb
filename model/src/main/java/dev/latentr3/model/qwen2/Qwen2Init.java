package dev.latentr3.model.qwen2;

import dev.latentr3.engine.DType;
import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.engine.random.Rng;
import dev.latentr3.model.config.Qwen2Config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;

/**
 * Fresh weights for a Qwen2 of any config, as Hugging Face's {@code _init_weights} makes them: every matrix
 * N(0, initializerRange^2), RMSNorm weights 1, biases 0. Each weight draws from its own stream,
 * {@code rng.fork(name)}, so one weight's values do not depend on which others exist or their order.
 */
public final class Qwen2Init {
    private Qwen2Init() {}

    /**
     * F32 weights under their Hugging Face names, in checkpoint order, allocated in the caller's {@link TensorScope}
     * (they are written out or copied into a model, then dropped).
     */
    public static SequencedMap<String, Tensor> weights(Qwen2Config config, Rng rng) {
        SequencedMap<String, Tensor> out = new LinkedHashMap<>();
        float std = (float) config.initializerRange();
        for (Map.Entry<String, int[]> e : Qwen2Weights.expectedShapes(config).entrySet()) {
            String name = e.getKey();
            Tensor t = Tensor.empty(DType.F32, e.getValue());
            if (name.endsWith("norm.weight")) t.backend().elementwise().fill(t.numel(), 1f, t.data());
            else if (name.endsWith(".bias")) t.backend().elementwise().fill(t.numel(), 0f, t.data());
            else rng.fork(name).normal(t, 0f, std);
            out.put(name, t.named(name));
        }
        return out;
    }

    /** A freshly initialised model whose weights require grad, ready to train. */
    public static Qwen2ForCausalLM model(Qwen2Config config, Rng rng) {
        // The model copies the weights into owned memory; the scope frees the fresh ones at once.
        try (TensorScope scope = TensorScope.open()) {
            return Qwen2ForCausalLM.load(config, weights(config, rng)).requiresGrad(true);
        }
    }
}
