package dev.latentr3.train.eval;

import dev.latentr3.engine.Tensor;
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
        if (prompts.isEmpty()) throw new IllegalArgumentException("QwenDecoderFactory: expected at least one prompt");
        int length = 0;
        for (int[] p : prompts) {
            if (p.length == 0) throw new IllegalArgumentException("QwenDecoderFactory: a prompt is empty");
            length = Math.max(length, p.length);
        }
        int[] ids = new int[prompts.size() * length], mask = new int[ids.length];
        for (int b = 0; b < prompts.size(); b++) {
            int[] p = prompts.get(b);
            int pad = length - p.length;
            for (int t = 0; t < length; t++) {
                boolean real = t >= pad;
                ids[b * length + t] = real ? p[t - pad] : padTokenId;
                mask[b * length + t] = real ? 1 : 0;
            }
        }
        return Qwen2Decoder.start(model, Tensor.ofInts(ids, prompts.size(), length), Tensor.ofInts(mask, prompts.size(), length),
                rowsPerPrompt, maxNewTokens);
    }
}
