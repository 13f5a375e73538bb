package dev.latentr3.model.generate;

import java.util.Arrays;

/**
 * A finished beam: its generated tokens (eos included when it ended with one), their summed log-probability and its
 * length-penalised score.
 */
public record BeamHypothesis(int[] tokens, double sumLogProb, double score) {
    public BeamHypothesis {
        tokens = tokens.clone();
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BeamHypothesis h && Arrays.equals(tokens, h.tokens) && sumLogProb == h.sumLogProb && score == h.score;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(tokens) * 31 + Double.hashCode(score);
    }

    @Override
    public String toString() {
        return "BeamHypothesis(" + Arrays.toString(tokens) + ", sumLogProb=" + sumLogProb + ", score=" + score + ")";
    }
}
