package dev.latentr3.model.generate;

/**
 * Ancestral sampling settings, applied in Hugging Face's order: the logits processor, then temperature, then top-k,
 * then top-p.
 *
 * @param maxNewTokens tokens to generate at most per row
 * @param eosTokenId   a row stops after generating it; -1 for none
 * @param temperature  log-probabilities are divided by it (> 0; below 1 sharpens, above 1 flattens)
 * @param topK         keep only the k most likely tokens (ties with the k-th kept too); 0 keeps all
 * @param topP         keep the smallest most-likely-first set whose probability reaches topP (at least one token);
 *                     1 keeps all
 * @param seed         seeds the random stream (the engine's counter-based {@code Rng}, as everywhere random in training);
 *                     the same seed and inputs give the same tokens
 */
public record SamplingOptions(int maxNewTokens, int eosTokenId, double temperature, int topK, double topP, long seed) {
    public SamplingOptions {
        if (maxNewTokens <= 0) throw new IllegalArgumentException("SamplingOptions: maxNewTokens must be positive, got " + maxNewTokens);
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("SamplingOptions: temperature must be finite and > 0, got " + temperature
                    + " (use greedy decoding for temperature 0)");
        }
        if (topK < 0) throw new IllegalArgumentException("SamplingOptions: topK must be >= 0 (0 = off), got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("SamplingOptions: topP must be in (0, 1], got " + topP);
    }
}
