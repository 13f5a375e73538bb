package dev.latentr3.model.qwen2;

import dev.latentr3.engine.Tensor;
import dev.latentr3.model.config.Qwen2Config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Small Qwen2 models with seeded random weights, for tests that need a model but no reference values. */
public final class RandomQwen2 {
    private RandomQwen2() {}

    /** A config with the given sizes; 2 layers, theta 10000, eps 1e-6, max 256 positions, bos 0 and eos 1. */
    public static Qwen2Config config(int vocab, int hidden, int intermediate, int heads, int kvHeads, boolean tied) {
        return new Qwen2Config(vocab, hidden, intermediate, 2, heads, kvHeads, 256, 10_000.0, 1e-6, tied, "float32",
                0, 1, 0.02);
    }

    /** Weights N(0, std^2), norm weights 1 + N(0, 0.1^2), under Hugging Face names. */
    public static Map<String, Tensor> weights(Qwen2Config config, long seed, double std) {
        Random random = new Random(seed);
        Map<String, Tensor> out = new LinkedHashMap<>();
        Qwen2Weights.expectedShapes(config).forEach((name, shape) -> {
            boolean norm = name.endsWith("norm.weight");
            float[] v = new float[Math.toIntExact(dev.latentr3.engine.Shapes.numel(shape))];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (norm ? 1 + 0.1 * random.nextGaussian() : std * random.nextGaussian());
            }
            out.put(name, Tensor.of(v, shape));
        });
        return out;
    }

    public static Qwen2ForCausalLM model(Qwen2Config config, long seed, double std) {
        return Qwen2ForCausalLM.load(config, weights(config, seed, std));
    }
}
