package dev.latentr3.train.pipeline;

import dev.latentr3.engine.random.Rng;
import dev.latentr3.model.latent.LatentRATT;
import dev.latentr3.model.latent.ThoughtToken;
import dev.latentr3.model.qwen2.Qwen2ForCausalLM;
import dev.latentr3.model.qwen2.Qwen2Init;
import dev.latentr3.model.tokenizer.ByteLevelTokenizerJson;
import dev.latentr3.model.tokenizer.Tokenizer;
import dev.latentr3.train.dataset.PromptTemplate;

/**
 * Fresh models for training from scratch. The baseline and the LatentR3 model of one seed start from the same LLM
 * weights (the latent one has one more vocabulary row, the thought token), so the comparison differs only in the
 * method.
 */
public final class ModelInit {
    private ModelInit() {}

    /** A randomly initialised Qwen2 of {@code shape} over the tokenizer of {@code tokenizerJson}, without LatentRATT. */
    public static RecModel baseline(String tokenizerJson, String source, ModelShape shape, long seed) {
        Tokenizer tokenizer = Tokenizer.fromJson(tokenizerJson, source);
        int eos = tokenizer.tokenId(PromptTemplate.EOS_TOKEN);
        if (eos < 0) throw new IllegalArgumentException(source + ": no " + PromptTemplate.EOS_TOKEN + " token, which ends every target");
        if (tokenizer.tokenId(ThoughtToken.CONTENT) >= 0) {
            throw new IllegalArgumentException(source + ": already has " + ThoughtToken.CONTENT + "; expected a tokenizer without it");
        }
        Qwen2ForCausalLM llm = Qwen2Init.model(shape.config(tokenizer.vocabSize(), eos), Rng.seeded(seed).fork("llm"));
        return new RecModel(llm, null, tokenizer, tokenizerJson);
    }

    /** The LatentR3 model of the same seed: {@link #baseline}'s weights plus the thought token and a fresh LatentRATT. */
    public static RecModel latent(String tokenizerJson, String source, ModelShape shape, long seed) {
        RecModel m = withThought(baseline(tokenizerJson, source, shape, seed), seed);
        if (shape.latentGate() == 0) return m;
        return new RecModel(m.llm(), m.attention().withGate(shape.latentGate()), m.tokenizer(), m.tokenizerJson());
    }

    /**
     * Adds LatentR3 to a model without it (method doc §1.3): the thought token appended to the tokenizer as its last
     * id, the vocabulary resized to match (a new row N(0, std^2)), LatentRATT initialised as Hugging Face would.
     * {@code base}'s LLM must not be used afterwards (the new one shares its weights).
     */
    public static RecModel withThought(RecModel base, long seed) {
        if (base.isLatent()) throw new IllegalArgumentException("model: already has LatentRATT and the thought token");
        ThoughtToken.Installed installed = ThoughtToken.install(base.tokenizer(), base.llm(), Rng.seeded(seed).fork("thought-row").nextLong());
        String json = ByteLevelTokenizerJson.withSpecialToken(base.tokenizerJson(), ThoughtToken.CONTENT, installed.thoughtId());
        Tokenizer tokenizer = Tokenizer.fromJson(json, base.tokenizer().source() + " + " + ThoughtToken.CONTENT);
        var config = installed.model().config();
        LatentRATT attention = LatentRATT.initialize(config.hiddenSize(), config.initializerRange(),
                Rng.seeded(seed).fork("latent-attention").nextLong());
        return new RecModel(installed.model(), attention, tokenizer, json);
    }
}
