package dev.latentr3.train.eval;

import dev.latentr3.model.generate.Decoder;
import dev.latentr3.model.qwen2.Qwen2Decoder;
import dev.latentr3.model.qwen2.Qwen2ForCausalLM;

import java.util.List;

/**
 * Decoders of a plain {@link Qwen2ForCausalLM}: the prompts are left-padded into one batch (with a mask, so padding
 * changes nothing) and run once; each prompt's cache is shared by its beams.
 */
public final class QwenDecoderFactory implements DecoderFactory {
    private final Qwen2ForCausalLM model;
    private final int padTokenId;

    /** @param padTokenId fills the padding positions (masked out; the reference pads with EOS) */
    public QwenDecoderFactory(Qwen2ForCausalLM model, int padTokenId) {
        if (padTokenId < 0 || padTokenId >= model.config().vocabSize()) {
            throw new IllegalArgumentException("QwenDecoderFactory: pad token " + padTokenId + " is outside the vocabulary of "
                    + model.config().vocabSize());
        }
        this.model = model;
        this.padTokenId = padTokenId;
    }

    @Override
    public Decoder start(List<int[]> prompts, int rowsPerPrompt, int maxNewTokens) {
        LeftPaddedPrompts batch = LeftPaddedPrompts.of(prompts, padTokenId, "QwenDecoderFactory");
        return Qwen2Decoder.start(model, batch.ids(), batch.mask(), rowsPerPrompt, maxNewTokens);
    }
}
