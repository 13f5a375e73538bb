package dev.latentr3.model.generate;

/**
 * A hook that sees every step's next-token scores of every row before a token is chosen, and may forbid tokens by
 * setting their entries to negative infinity (constrained decoding: LatentR3 keeps beams inside a trie of item
 * titles). It must not raise entries: search strategies rely on log-probabilities staying <= 0.
 */
@FunctionalInterface
public interface LogitsProcessor {
    /** Changes nothing. */
    LogitsProcessor NONE = (prompt, generated, logProbs) -> {};

    /**
     * @param prompt    which prompt of the batch the row continues
     * @param generated the tokens generated so far for this row (not the prompt), oldest first
     * @param logProbs  the row's next-token log-probabilities (log-softmax of the logits), vocabulary-long; modify in place
     */
    void process(int prompt, int[] generated, float[] logProbs);
}
