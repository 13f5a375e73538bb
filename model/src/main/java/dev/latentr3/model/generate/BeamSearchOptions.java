package dev.latentr3.model.generate;

/**
 * Beam search settings.
 *
 * @param numBeams      continuations kept per prompt at every step, and hypotheses returned per prompt
 * @param maxNewTokens  tokens generated at most; unfinished beams become hypotheses at this length
 * @param eosTokenId    ends a hypothesis (counted in its length); -1 for none
 * @param lengthPenalty a hypothesis scores sumLogProb / length^lengthPenalty, length = generated tokens including eos;
 *                      above 0 favours longer ones (Hugging Face's default is 1)
 * @param earlyStopping stop a prompt as soon as it has numBeams finished hypotheses (Hugging Face's
 *                      early_stopping=True); otherwise stop only when no live beam can still beat the worst of them,
 *                      a bound that is exact (see {@link BeamSearch})
 */
public record BeamSearchOptions(int numBeams, int maxNewTokens, int eosTokenId, double lengthPenalty, boolean earlyStopping) {
    public BeamSearchOptions {
        if (numBeams <= 0) throw new IllegalArgumentException("BeamSearchOptions: numBeams must be positive, got " + numBeams);
        if (maxNewTokens <= 0) throw new IllegalArgumentException("BeamSearchOptions: maxNewTokens must be positive, got " + maxNewTokens);
        if (!Double.isFinite(lengthPenalty)) throw new IllegalArgumentException("BeamSearchOptions: lengthPenalty must be finite, got " + lengthPenalty);
    }
}
