package dev.latentr3.train.rl;

import dev.latentr3.engine.Shapes;
import dev.latentr3.engine.Tensor;
import dev.latentr3.model.config.Qwen2Config;
import dev.latentr3.model.latent.LatentModel;
import dev.latentr3.model.latent.LatentRATT;
import dev.latentr3.model.qwen2.Qwen2ForCausalLM;
import dev.latentr3.model.qwen2.Qwen2Weights;
import dev.latentr3.model.tokenizer.ByteLevelTokenizerJson;
import dev.latentr3.model.tokenizer.Tokenizer;
import dev.latentr3.train.dataset.Interaction;
import dev.latentr3.train.dataset.PromptTemplate;
import dev.latentr3.train.dataset.SyntheticDataset;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A tiny random Qwen2 (hidden 32, 2 layers, 4 heads / 2 KV heads) over the byte tokenizer plus a thought token as the
 * last vocabulary row (id 259), with a fresh LatentRATT, and RL examples from the synthetic dataset.
 */
final class TinyLatent {
    static final Tokenizer TOKENIZER = ByteLevelTokenizerJson.tokenizer(ByteLevelTokenizerJson.QWEN_SPECIAL_TOKENS);
    static final int EOS = TOKENIZER.tokenId("<|endoftext|>");
    static final int THOUGHT = TOKENIZER.vocabSize();
    static final int HIDDEN = 32;

    private TinyLatent() {}

    /** LLM weights N(0, std^2) (norms 1 + N(0, 0.1^2)), LatentRATT initialised with std latentStd. */
    static LatentModel model(long seed, double std, double latentStd) {
        return model(HIDDEN, seed, std, latentStd);
    }

    /**
     * The same at another hidden size (4 heads of hidden / 4); on the default device, since the weights are made with
     * {@link Tensor#of}, so the same seed gives the same model on every device.
     */
    static LatentModel model(int hidden, long seed, double std, double latentStd) {
        Qwen2Config config = new Qwen2Config(THOUGHT + 1, hidden, 64, 2, 4, 2, 4096, 10_000.0, 1e-6, true, "float32",
                EOS, EOS, 0.02);
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Tensor> weights = new LinkedHashMap<>();
        Qwen2Weights.expectedShapes(config).forEach((name, shape) -> {
            boolean norm = name.endsWith("norm.weight");
            float[] v = new float[Math.toIntExact(Shapes.numel(shape))];
            for (int i = 0; i < v.length; i++) v[i] = (float) (norm ? 1 + 0.1 * random.nextGaussian() : std * random.nextGaussian());
            weights.put(name, Tensor.of(v, shape));
        });
        return new LatentModel(Qwen2ForCausalLM.load(config, weights), LatentRATT.initialize(hidden, latentStd, seed + 1), THOUGHT);
    }

    /** n examples with 1..2 history items (prompts of about 330 tokens, targets of about 40). */
    static List<RlExample> examples(int n, long seed) {
        List<Interaction> rows = SyntheticDataset.generate(new SyntheticDataset.Options(48, n, 1, 1, 2, 2, 3, 2, seed)).rows();
        PromptTemplate template = new PromptTemplate("cds");
        List<RlExample> out = new ArrayList<>();
        for (Interaction row : rows.subList(0, n)) out.add(RlExample.of(template, row, TOKENIZER::encode, EOS));
        return out;
    }
}
