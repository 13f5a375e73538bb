package dev.latentr3.model.generate;

/** Row math shared by the search strategies: log-softmax and argmax over a vocabulary-long row. */
final class NextTokenScores {
    private NextTokenScores() {}

    /**
     * log softmax(logits), accumulated in double: max-shifted, so large logits do not overflow. Entries at negative
     * infinity stay there; a row of only negative infinities stays so (no token is possible).
     */
    static float[] logSoftmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) max = Math.max(max, v);
        float[] out = new float[logits.length];
        if (max == Double.NEGATIVE_INFINITY) {
            java.util.Arrays.fill(out, Float.NEGATIVE_INFINITY);
            return out;
        }
        double sum = 0;
        for (float v : logits) sum += Math.exp(v - max);
        double logZ = max + Math.log(sum);
        for (int i = 0; i < logits.length; i++) out[i] = (float) (logits[i] - logZ);
        return out;
    }

    /** Index of the largest entry, the lowest index among equal maxima; -1 when every entry is negative infinity. */
    static int argmax(float[] v) {
        int best = -1;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < v.length; i++) {
            if (v[i] > bestValue) {
                bestValue = v[i];
                best = i;
            }
        }
        return best;
    }
}
