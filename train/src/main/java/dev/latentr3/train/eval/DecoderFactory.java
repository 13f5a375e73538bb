package dev.latentr3.train.eval;

import dev.latentr3.model.generate.Decoder;

import java.util.List;

/**
 * Starts a {@link Decoder} over a batch of prompts: how the {@link Evaluator} reaches a model without knowing which
 * one. The plain Qwen2 model is {@link QwenDecoderFactory}; the latent model supplies its own (it computes r from
 * the prompt and injects it at the thought position before decoding).
 */
@FunctionalInterface
public interface DecoderFactory {
    /**
     * @param prompts       each prompt's token ids, unpadded (lengths may differ)
     * @param rowsPerPrompt decoder rows per prompt (the beam count), laid out prompt-major
     * @param maxNewTokens  the most tokens that will be appended
     */
    Decoder start(List<int[]> prompts, int rowsPerPrompt, int maxNewTokens);
}
