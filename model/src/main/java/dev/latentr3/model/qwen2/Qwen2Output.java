package dev.latentr3.model.qwen2;

import dev.latentr3.engine.Tensor;

/**
 * What a Qwen2 forward returns.
 *
 * @param lastHidden hidden states after the final norm, [B, L, hidden] (the new tokens' only, for a cached forward)
 * @param logits     [N, vocab], row i for the i-th pair of the forward's {@link LogitPositions}
 */
public record Qwen2Output(Tensor lastHidden, Tensor logits) {}
