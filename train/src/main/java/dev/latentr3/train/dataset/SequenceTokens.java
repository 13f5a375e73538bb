package dev.latentr3.train.dataset;

import dev.latentr3.model.tokenizer.Tokenizer;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The one place where {@link PromptTemplate}'s segments become token ids, for training and evaluation alike. Each
 * segment is tokenized on its own (method doc §6), so the target's ids do not depend on the prompt before it; the
 * constrained decoder's title trie is built from {@link #target} too, which guarantees that the title sequences it
 * allows are exactly the ones the model was trained to produce (the reference instead tokenized the response header
 * and title jointly and relied on Qwen's pre-tokenizer breaking after it).
 */
public final class SequenceTokens {
    private final Tokenizer tokenizer;
    private final PromptTemplate template;
    private final int eosTokenId;
    private final int thoughtTokenId;
    private final int thoughtTokens;

    /**
     * @param withThought end every prompt with {@link PromptTemplate#THOUGHT_TOKEN} (LatentR3); false for the plain
     *                    BIGRec / D3 prompt, which has no thought token
     * @throws IllegalArgumentException if the tokenizer lacks the EOS token, or the thought token when it is asked for
     */
    public SequenceTokens(Tokenizer tokenizer, PromptTemplate template, boolean withThought) {
        this(tokenizer, template, withThought ? 1 : 0);
    }

    /**
     * @param thoughtTokens how many thought tokens end every prompt: 0 for the plain prompt, 1 for LatentR3 as
     *                      published, N &gt; 1 for N latents computed one after another (method doc §1.2)
     */
    public SequenceTokens(Tokenizer tokenizer, PromptTemplate template, int thoughtTokens) {
        if (thoughtTokens < 0) throw new IllegalArgumentException("sequence tokens: thoughtTokens must be >= 0, got " + thoughtTokens);
        boolean withThought = thoughtTokens > 0;
        this.thoughtTokens = thoughtTokens;
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.template = Objects.requireNonNull(template, "template");
        this.eosTokenId = tokenizer.tokenId(PromptTemplate.EOS_TOKEN);
        if (eosTokenId < 0) {
            throw new IllegalArgumentException("sequence tokens: tokenizer " + tokenizer.source() + " has no "
                    + PromptTemplate.EOS_TOKEN + " token, which ends every target");
        }
        this.thoughtTokenId = withThought ? tokenizer.tokenId(PromptTemplate.THOUGHT_TOKEN) : -1;
        if (withThought && thoughtTokenId < 0) {
            throw new IllegalArgumentException("sequence tokens: tokenizer " + tokenizer.source() + " has no "
                    + PromptTemplate.THOUGHT_TOKEN + " token; add it as a special token first");
        }
    }

    /** Segments 1 and 2, then the thought tokens when there are any: what the model conditions on. */
    public int[] prompt(List<String> historyTitles) {
        int[] instruction = tokenizer.encode(template.instruction());
        int[] input = tokenizer.encode(template.userInput(historyTitles));
        int n = instruction.length + input.length + thoughtTokens;
        int[] out = Arrays.copyOf(instruction, n);
        System.arraycopy(input, 0, out, instruction.length, input.length);
        Arrays.fill(out, n - thoughtTokens, n, thoughtTokenId);
        return out;
    }

    /** Segment 4: {@code "title"\n} tokenized on its own, then EOS — what the model is trained and allowed to emit. */
    public int[] target(String title) {
        int[] text = tokenizer.encode(template.target(title));
        int[] out = Arrays.copyOf(text, text.length + 1);
        out[text.length] = eosTokenId;
        return out;
    }

    public int eosTokenId() {
        return eosTokenId;
    }

    /** The thought token's id, or -1 for prompts without one. */
    public int thoughtTokenId() {
        return thoughtTokenId;
    }

    /** How many thought tokens end each prompt (0 for the plain prompt). */
    public int thoughtTokens() {
        return thoughtTokens;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public PromptTemplate template() {
        return template;
    }
}
