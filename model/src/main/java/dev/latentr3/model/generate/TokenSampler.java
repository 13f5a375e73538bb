package dev.latentr3.model.generate;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Draws a token from a row of log-probabilities with temperature, top-k and top-p (see {@link SamplingOptions}).
 * Candidates are ranked most likely first, the lower token id first among equals; one uniform draw then walks that
 * ranking, so a seeded stream gives the same token on any machine.
 */
public final class TokenSampler {
    private final SamplingOptions options;
    private final RandomGenerator random;

    public TokenSampler(SamplingOptions options, RandomGenerator random) {
        this.options = options;
        this.random = random;
    }

    /** A token drawn from logProbs (entries at negative infinity are never drawn); -1 when every entry is. */
    public int sample(float[] logProbs) {
        long[] ranked = ranked(logProbs);
        if (ranked.length == 0) return -1;
        int keep = ranked.length;
        if (options.topK() > 0 && options.topK() < keep) {
            float kth = logProbs[token(ranked[options.topK() - 1])];
            keep = options.topK();
            while (keep < ranked.length && logProbs[token(ranked[keep])] == kth) keep++; // ties with the k-th stay
        }
        // Tempered probabilities of the kept tokens, relative to the most likely one (no overflow).
        double top = logProbs[token(ranked[0])];
        double[] p = new double[keep];
        double total = 0;
        for (int i = 0; i < keep; i++) {
            p[i] = Math.exp((logProbs[token(ranked[i])] - top) / options.temperature());
            total += p[i];
        }
        if (options.topP() < 1) {
            double mass = 0;
            int nucleus = 0;
            while (nucleus < keep && mass < options.topP() * total) mass += p[nucleus++];
            keep = Math.max(1, nucleus);
            total = mass;
        }
        double u = random.nextDouble() * total;
        for (int i = 0; i < keep; i++) {
            u -= p[i];
            if (u < 0) return token(ranked[i]);
        }
        return token(ranked[keep - 1]); // u landed on total itself through rounding
    }

    /**
     * Finite entries, most likely first and lower token first among equals, each packed as (order key, token) in one
     * long so that a primitive sort ranks them.
     */
    private static long[] ranked(float[] logProbs) {
        long[] keys = new long[logProbs.length];
        int n = 0;
        for (int t = 0; t < logProbs.length; t++) {
            float v = logProbs[t];
            if (v == Float.NEGATIVE_INFINITY || Float.isNaN(v)) continue;
            int bits = Float.floatToIntBits(v);
            int ordered = bits ^ ((bits >> 31) & 0x7fffffff); // signed int order = float order
            keys[n++] = ((long) ~ordered << 32) | t;           // ~ reverses the order: largest first
        }
        long[] out = Arrays.copyOf(keys, n);
        Arrays.sort(out);
        return out;
    }

    private static int token(long key) {
        return (int) key;
    }
}
