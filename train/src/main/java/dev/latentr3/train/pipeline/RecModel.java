package dev.latentr3.train.pipeline;

import dev.latentr3.model.latent.LatentModel;
import dev.latentr3.model.latent.LatentRATT;
import dev.latentr3.model.latent.ThoughtToken;
import dev.latentr3.model.qwen2.Qwen2ForCausalLM;
import dev.latentr3.model.tokenizer.Tokenizer;
import dev.latentr3.train.dataset.PromptTemplate;
import dev.latentr3.train.dataset.SequenceTokens;

/**
 * A recommender model as the pipeline's stages pass it on and {@link ModelFolder} saves it: the LLM, its tokenizer
 * (and that tokenizer's tokenizer.json text, so a saved folder reads back the same ids), and LatentRATT for a
 * LatentR3 model, none for the BIGRec-style baseline.
 *
 * @param llm           the Qwen2 LLM; for a latent model its last vocabulary row is the thought token
 * @param attention     LatentRATT, or null for the baseline (no thought token)
 * @param tokenizer     the tokenizer the model was trained with
 * @param tokenizerJson the tokenizer.json text that {@link Tokenizer#fromJson} reads as {@code tokenizer}
 * @param latentTokens  N, the thought tokens ending each prompt (0 for the baseline; 1 as published; N &gt; 1 latents
 *                      computed one after another)
 */
public record RecModel(Qwen2ForCausalLM llm, LatentRATT attention, Tokenizer tokenizer, String tokenizerJson, int latentTokens) {
    /** A baseline (no LatentRATT) or a LatentR3 model with one latent token, as published. */
    public RecModel(Qwen2ForCausalLM llm, LatentRATT attention, Tokenizer tokenizer, String tokenizerJson) {
        this(llm, attention, tokenizer, tokenizerJson, attention == null ? 0 : 1);
    }

    public RecModel {
        if ((attention == null) != (latentTokens == 0) || latentTokens < 0) {
            throw new IllegalArgumentException("model: " + (attention == null ? "the baseline has no latent tokens, got "
                    : "a LatentR3 model needs at least one latent token, got ") + latentTokens);
        }
        if (attention != null) {
            int thought = tokenizer.tokenId(ThoughtToken.CONTENT);
            if (thought != llm.config().vocabSize() - 1) {
                throw new IllegalArgumentException("model: a latent model needs " + ThoughtToken.CONTENT + " as the last of the "
                        + llm.config().vocabSize() + " vocabulary rows, the tokenizer gives it id " + thought);
            }
        }
        if (tokenizer.vocabSize() > llm.config().vocabSize()) {
            throw new IllegalArgumentException("model: the tokenizer has " + tokenizer.vocabSize() + " tokens, more than the "
                    + llm.config().vocabSize() + " embedding rows");
        }
    }

    /** Whether prompts end with the thought token and the latent is injected (LatentR3), rather than the baseline. */
    public boolean isLatent() {
        return attention != null;
    }

    /** The LatentR3 model over the same weights (they are shared, not copied). */
    public LatentModel latent() {
        if (attention == null) throw new IllegalStateException("model: the baseline has no LatentRATT");
        return new LatentModel(llm, attention, tokenizer.tokenId(ThoughtToken.CONTENT));
    }

    /** How this model's prompts and targets are tokenized: with its N thought tokens exactly when it is latent. */
    public SequenceTokens sequenceTokens(PromptTemplate template) {
        return new SequenceTokens(tokenizer, template, latentTokens);
    }

    /** The same weights with N latent tokens per prompt (LatentRATT is shared; N is a property of the prompts). */
    public RecModel withLatentTokens(int n) {
        return new RecModel(llm, attention, tokenizer, tokenizerJson, n);
    }

    public int eosTokenId() {
        return tokenizer.tokenId(PromptTemplate.EOS_TOKEN);
    }
}
