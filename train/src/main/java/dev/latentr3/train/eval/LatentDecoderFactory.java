package dev.latentr3.train.eval;

import dev.latentr3.model.generate.Decoder;
import dev.latentr3.model.latent.LatentModel;

import java.util.List;

/**
 * Decoders of a LatentR3 model (method doc §4): the prompts, each ending with its thought token, left-padded into
 * one batch; {@link LatentModel#startDecoding} computes each prompt's latent without noise, injects it and leaves
 * the cache ready for the beams.
 */
public final class LatentDecoderFactory implements DecoderFactory {
    private final LatentModel model;
    private final int padTokenId;

    /** @param padTokenId fills the padding positions (masked out; the reference pads with EOS) */
    public LatentDecoderFactory(LatentModel model, int padTokenId) {
        if (padTokenId < 0 || padTokenId >= model.llm().config().vocabSize() || padTokenId == model.thoughtId()) {
            throw new IllegalArgumentException("LatentDecoderFactory: pad token " + padTokenId + " must be a vocabulary id "
                    + "other than the thought token " + model.thoughtId());
        }
        this.model = model;
        this.padTokenId = padTokenId;
    }

    @Override
    public Decoder start(List<int[]> prompts, int rowsPerPrompt, int maxNewTokens) {
        LeftPaddedPrompts batch = LeftPaddedPrompts.of(prompts, padTokenId, "LatentDecoderFactory");
        return model.startDecoding(batch.ids(), batch.mask(), rowsPerPrompt, maxNewTokens);
    }
}
