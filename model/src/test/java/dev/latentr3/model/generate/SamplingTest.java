package dev.latentr3.model.generate;

import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.model.config.Qwen2Config;
import dev.latentr3.model.qwen2.Qwen2Decoder;
import dev.latentr3.model.qwen2.Qwen2ForCausalLM;
import dev.latentr3.model.qwen2.RandomQwen2;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import static dev.latentr3.model.generate.BeamSearchTest.flat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sampling: reproducible from its seed, and drawing from the distribution the options define. Frequencies of
 * 40,000 draws are checked to 0.015 of the probability: the standard deviation of a frequency is at most
 * sqrt(0.25 / 40000) = 0.0025, so 0.015 is 6 of them (a correct sampler fails with probability ~1e-9), while a
 * wrong temperature, top-k or top-p moves some probability by more than 0.05.
 */
class SamplingTest {
    final Qwen2Config config = RandomQwen2.config(37, 24, 40, 4, 2, false);
    final Qwen2ForCausalLM model = RandomQwen2.model(config, 13, 0.5);
    final int[][] prompts = {{0, 6, 2, 31}, {8, 8, 3, 12}};
    final int[][] mask = {{0, 1, 1, 1}, {1, 1, 1, 1}};

    @Test
    void theSameSeedGivesTheSameTokens() {
        SamplingOptions options = new SamplingOptions(8, -1, 1.0, 0, 1.0, 1234);
        assertTrue(Arrays.deepEquals(sample(options), sample(options)));
        Set<String> distinct = new HashSet<>();
        for (long seed = 1; seed <= 5; seed++) distinct.add(Arrays.deepToString(sample(new SamplingOptions(8, -1, 1.0, 0, 1.0, seed))));
        assertTrue(distinct.size() > 1, "different seeds should not all give the same tokens");
    }

    @Test
    void topKOfOneIsGreedy() {
        int[][] greedy;
        try (TensorScope scope = TensorScope.open(); Qwen2Decoder d = Qwen2Decoder.start(model, flat(prompts), flat(mask), 1, 8)) {
            greedy = Generation.greedy(d, 8, -1, LogitsProcessor.NONE);
        }
        assertTrue(Arrays.deepEquals(greedy, sample(new SamplingOptions(8, -1, 0.7, 1, 1.0, 99))));
    }

    @Test
    void aRowStopsAtEosAndTheProcessorIsObeyed() {
        LogitsProcessor onlyEvenTokens = (p, generated, logProbs) -> {
            for (int t = 1; t < logProbs.length; t += 2) logProbs[t] = Float.NEGATIVE_INFINITY;
        };
        int[][] tokens;
        try (TensorScope scope = TensorScope.open(); Qwen2Decoder d = Qwen2Decoder.start(model, flat(prompts), flat(mask), 1, 30)) {
            tokens = Generation.sample(d, new SamplingOptions(30, 4, 1.5, 0, 1.0, 5), onlyEvenTokens);
        }
        for (int[] row : tokens) {
            for (int i = 0; i < row.length; i++) {
                assertEquals(0, row[i] % 2, "odd token in " + Arrays.toString(row));
                assertTrue(row[i] != 4 || i == row.length - 1, "tokens after eos in " + Arrays.toString(row));
            }
            assertTrue(row.length == 30 || row[row.length - 1] == 4);
        }
    }

    private int[][] sample(SamplingOptions options) {
        try (TensorScope scope = TensorScope.open();
             Qwen2Decoder d = Qwen2Decoder.start(model, flat(prompts), flat(mask), 1, options.maxNewTokens())) {
            return Generation.sample(d, options, LogitsProcessor.NONE);
        }
    }

    static final double[] P = {0.5, 0.3, 0.15, 0.05};

    @Test
    void drawsFollowTheDistribution() {
        assertFrequencies(options(1.0, 0, 1.0), P);
    }

    @Test
    void temperatureSharpens() {
        // p^(1/T) renormalised, T = 0.5: squares.
        double[] squared = {0.25, 0.09, 0.0225, 0.0025};
        double total = Arrays.stream(squared).sum();
        assertFrequencies(options(0.5, 0, 1.0), Arrays.stream(squared).map(x -> x / total).toArray());
    }

    @Test
    void topKKeepsTheKMostLikely() {
        assertFrequencies(options(1.0, 2, 1.0), new double[]{0.5 / 0.8, 0.3 / 0.8, 0, 0});
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        // 0.5 < 0.6 <= 0.5 + 0.3: tokens 0 and 1.
        assertFrequencies(options(1.0, 0, 0.6), new double[]{0.5 / 0.8, 0.3 / 0.8, 0, 0});
        assertFrequencies(options(1.0, 0, 0.85), new double[]{0.5 / 0.95, 0.3 / 0.95, 0.15 / 0.95, 0});
    }

    @Test
    void topKKeepsTiesWithTheKth() {
        float[] lp = {(float) Math.log(0.4), (float) Math.log(0.25), (float) Math.log(0.25), (float) Math.log(0.1)};
        assertFrequencies(new TokenSampler(options(1.0, 2, 1.0), new SplittableRandom(8)), lp, new double[]{0.4 / 0.9, 0.25 / 0.9, 0.25 / 0.9, 0});
    }

    @Test
    void forbiddenTokensAreNeverDrawn() {
        float[] lp = {Float.NEGATIVE_INFINITY, (float) Math.log(0.5), Float.NEGATIVE_INFINITY, (float) Math.log(0.5)};
        assertFrequencies(new TokenSampler(options(2.0, 0, 1.0), new SplittableRandom(2)), lp, new double[]{0, 0.5, 0, 0.5});
        float[] none = {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
        assertEquals(-1, new TokenSampler(options(1.0, 0, 1.0), new SplittableRandom(2)).sample(none));
    }

    private static SamplingOptions options(double temperature, int topK, double topP) {
        return new SamplingOptions(1, -1, temperature, topK, topP, 0);
    }

    private static void assertFrequencies(SamplingOptions options, double[] expected) {
        float[] lp = new float[P.length];
        for (int i = 0; i < P.length; i++) lp[i] = (float) Math.log(P[i]);
        assertFrequencies(new TokenSampler(options, new SplittableRandom(17)), lp, expected);
    }

    private static void assertFrequencies(TokenSampler sampler, float[] logProbs, double[] expected) {
        int n = 40_000;
        int[] counts = new int[logProbs.length];
        for (int i = 0; i < n; i++) counts[sampler.sample(logProbs)]++;
        for (int t = 0; t < counts.length; t++) {
            if (expected[t] == 0) assertEquals(0, counts[t], "token " + t + " must never be drawn");
            else assertEquals(expected[t], counts[t] / (double) n, 0.015, "frequency of token " + t);
        }
    }

    @Test
    void rowsWithSeveralSamplesPerPromptSeeTheirPromptIndex() {
        int[] seen = new int[4];
        LogitsProcessor record = (p, generated, logProbs) -> seen[p]++;
        try (TensorScope scope = TensorScope.open(); Qwen2Decoder d = Qwen2Decoder.start(model, flat(prompts), flat(mask), 2, 3)) {
            int[][] rows = Generation.sample(d, new SamplingOptions(3, -1, 1.0, 0, 1.0, 3), record);
            assertEquals(4, rows.length);
        }
        assertArrayEquals(new int[]{6, 6, 0, 0}, seen);
    }
}
