package dev.latentr3.model.latent;

import dev.latentr3.model.qwen2.Qwen2ForCausalLM;
import dev.latentr3.model.tokenizer.Tokenizer;

/**
 * The {@code <|Thought|>} token that marks where a latent is injected (method doc §1.3). As in the reference: it is
 * appended to the tokenizer as a special token, whose id is then the tokenizer's last one, and the model's
 * vocabulary is resized to the tokenizer's size, so that the thought id is the last embedding row. For Qwen2.5 that
 * shrinks 151,936 rows to 151,666 and the thought id is 151,665.
 */
public final class ThoughtToken {
    public static final String CONTENT = "<|Thought|>";

    private ThoughtToken() {}

    /** A tokenizer and a model that agree on the thought token, the last row of the model's vocabulary. */
    public record Installed(Tokenizer tokenizer, Qwen2ForCausalLM model, int thoughtId) {}

    /**
     * Adds the thought token to {@code tokenizer} and resizes {@code model}'s vocabulary to the new tokenizer's size
     * (new rows, if any, drawn from {@code seed}; see {@link Qwen2ForCausalLM#resizeTokenEmbeddings}). The inputs are
     * unchanged; the returned model shares every non-vocabulary weight with {@code model}.
     */
    public static Installed install(Tokenizer tokenizer, Qwen2ForCausalLM model, long seed) {
        Tokenizer withThought = tokenizer.withSpecialToken(CONTENT);
        int id = withThought.tokenId(CONTENT), rows = withThought.vocabSize();
        if (id != rows - 1) {
            throw new IllegalStateException("ThoughtToken: " + CONTENT + " got id " + id + ", expected the last id " + (rows - 1));
        }
        return new Installed(withThought, model.resizeTokenEmbeddings(rows, seed), id);
    }
}
