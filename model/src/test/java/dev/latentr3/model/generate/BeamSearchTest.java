package dev.latentr3.model.generate;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.model.config.Qwen2Config;
import dev.latentr3.model.qwen2.LogitPositions;
import dev.latentr3.model.qwen2.Qwen2Decoder;
import dev.latentr3.model.qwen2.Qwen2ForCausalLM;
import dev.latentr3.model.qwen2.RandomQwen2;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Beam search against exhaustive enumeration on a 5-token vocabulary, and against greedy decoding and itself.
 *
 * <p>Why 25 beams make beam search exhaustive here, for the 25 best: with 3 steps at most 5^2 = 25 live prefixes
 * exist, so no prefix is ever dropped before the last step, and at the last step all candidates have the same length
 * (so the same length penalty) and the 2 * 25 kept by summed log-probability include the 25 best by score.
 * Exhaustive scores come from full forwards without a cache, log-softmax in double: tolerance 1e-5 absolute on
 * scores of order 1 to 10 (F32 logits).
 */
class BeamSearchTest {
    static final int VOCAB = 5, EOS = 1, STEPS = 3, BEAMS = 25;
    final Qwen2Config config = RandomQwen2.config(VOCAB, 8, 12, 2, 1, true);
    final Qwen2ForCausalLM model = RandomQwen2.model(config, 21, 1.0);
    final int[] prompt = {3, 0, 2, 4};

    /** Forbids token 4 first and token 3 right after a 2: a history-dependent constraint, as a trie would impose. */
    static final LogitsProcessor NO_4_FIRST_NO_3_AFTER_2 = (p, generated, logProbs) -> {
        if (generated.length == 0) logProbs[4] = Float.NEGATIVE_INFINITY;
        else if (generated[generated.length - 1] == 2) logProbs[3] = Float.NEGATIVE_INFINITY;
    };

    @ParameterizedTest
    @ValueSource(doubles = {1.0, 0.0, -0.7, 2.0})
    void beamSearchFindsTheExhaustiveTop25(double lengthPenalty) {
        check(lengthPenalty, LogitsProcessor.NONE, seq -> true);
    }

    @Test
    void theLogitsProcessorConstrainsTheSearch() {
        check(1.0, NO_4_FIRST_NO_3_AFTER_2, seq -> {
            if (seq[0] == 4) return false;
            for (int i = 1; i < seq.length; i++) if (seq[i - 1] == 2 && seq[i] == 3) return false;
            return true;
        });
    }

    private void check(double lengthPenalty, LogitsProcessor processor, java.util.function.Predicate<int[]> allowed) {
        BeamSearchOptions options = new BeamSearchOptions(BEAMS, STEPS, EOS, lengthPenalty, false);
        List<BeamHypothesis> found;
        try (TensorScope scope = TensorScope.open();
             Qwen2Decoder decoder = Qwen2Decoder.start(model, Tensor.ofInts(prompt, 1, prompt.length), null, BEAMS, STEPS)) {
            found = BeamSearch.search(decoder, options, processor).getFirst();
        }
        List<BeamHypothesis> all = exhaustive(lengthPenalty, allowed);
        assertEquals(BEAMS, found.size());
        for (int i = 0; i < BEAMS; i++) {
            assertArrayEquals(all.get(i).tokens(), found.get(i).tokens(), "hypothesis " + i + ": " + found.get(i) + " vs " + all.get(i));
            assertEquals(all.get(i).score(), found.get(i).score(), 1e-5, "score of hypothesis " + i);
            assertEquals(all.get(i).sumLogProb(), found.get(i).sumLogProb(), 1e-5, "log-probability of hypothesis " + i);
        }
    }

    /** Every sequence of 1 to 3 tokens (eos only last; shorter than 3 only when ending in eos), scored and sorted. */
    private List<BeamHypothesis> exhaustive(double lengthPenalty, java.util.function.Predicate<int[]> allowed) {
        Map<String, double[]> logProbsAfter = new HashMap<>();
        List<BeamHypothesis> out = new ArrayList<>();
        List<int[]> prefixes = new ArrayList<>(List.of(new int[0]));
        for (int len = 1; len <= STEPS; len++) {
            List<int[]> longer = new ArrayList<>();
            for (int[] prefix : prefixes) {
                double[] lp = logProbsAfter.computeIfAbsent(Arrays.toString(prefix), k -> nextLogProbs(prefix));
                double sum = 0;
                for (int i = 0; i < prefix.length; i++) sum += logProbsAfter.get(Arrays.toString(Arrays.copyOf(prefix, i)))[prefix[i]];
                for (int t = 0; t < VOCAB; t++) {
                    int[] seq = Arrays.copyOf(prefix, len);
                    seq[len - 1] = t;
                    if (!allowed.test(seq)) continue;
                    double total = sum + lp[t];
                    if (t == EOS || len == STEPS) out.add(new BeamHypothesis(seq, total, total / Math.pow(len, lengthPenalty)));
                    else longer.add(seq);
                }
            }
            prefixes = longer;
        }
        out.sort(Comparator.comparingDouble(BeamHypothesis::score).reversed());
        return out;
    }

    /** log softmax of the full forward's last logits after prompt + prefix, in double. */
    private double[] nextLogProbs(int[] prefix) {
        int[] ids = Arrays.copyOf(prompt, prompt.length + prefix.length);
        System.arraycopy(prefix, 0, ids, prompt.length, prefix.length);
        try (TensorScope scope = TensorScope.open()) {
            float[] logits = model.forward(Tensor.ofInts(ids, 1, ids.length), null,
                    LogitPositions.of(new int[]{0}, new int[]{ids.length - 1})).logits().toFloatArray();
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (float v : logits) max = Math.max(max, v);
            for (float v : logits) sum += Math.exp(v - max);
            double[] out = new double[logits.length];
            for (int i = 0; i < out.length; i++) out[i] = logits[i] - max - Math.log(sum);
            return out;
        }
    }

    /** One beam with early stopping is greedy decoding, with or without an eos that ends it. */
    @Test
    void oneBeamIsGreedy() {
        Qwen2Config c = RandomQwen2.config(37, 24, 40, 4, 2, false);
        Qwen2ForCausalLM m = RandomQwen2.model(c, 5, 0.3);
        int[][] prompts = {{0, 0, 5, 9, 2}, {7, 30, 4, 4, 1}};
        int[][] mask = {{0, 0, 1, 1, 1}, {1, 1, 1, 1, 1}};
        int[][] noEos = greedy(m, prompts, mask, 6, -1);
        int eos = noEos[0][2]; // a token greedy reaches at step 2 of prompt 0: with it as eos, that row stops there
        for (int e : new int[]{-1, eos}) {
            int[][] expected = greedy(m, prompts, mask, 6, e);
            try (TensorScope scope = TensorScope.open(); Qwen2Decoder d = Qwen2Decoder.start(m, flat(prompts), flat(mask), 1, 6)) {
                List<List<BeamHypothesis>> beams = BeamSearch.search(d, new BeamSearchOptions(1, 6, e, 1.0, true), LogitsProcessor.NONE);
                for (int p = 0; p < prompts.length; p++) {
                    assertArrayEquals(expected[p], beams.get(p).getFirst().tokens(), "prompt " + p + ", eos " + e);
                }
            }
            if (e >= 0) assertTrue(expected[0].length <= 3 && expected[0][expected[0].length - 1] == eos);
        }
    }

    /** Prompts searched together in a padded batch give what each gives alone. */
    @Test
    void batchedPromptsAreSearchedIndependently() {
        Qwen2Config c = RandomQwen2.config(23, 16, 24, 2, 2, true);
        Qwen2ForCausalLM m = RandomQwen2.model(c, 9, 0.5);
        int[][] prompts = {{0, 0, 0, 5, 9}, {7, 20, 4, 4, 1}};
        int[][] mask = {{0, 0, 0, 1, 1}, {1, 1, 1, 1, 1}};
        BeamSearchOptions options = new BeamSearchOptions(3, 5, 2, 1.0, false);
        try (TensorScope scope = TensorScope.open()) {
            List<List<BeamHypothesis>> together;
            try (Qwen2Decoder d = Qwen2Decoder.start(m, flat(prompts), flat(mask), 3, 5)) {
                together = BeamSearch.search(d, options, LogitsProcessor.NONE);
            }
            int[][] alone = {{5, 9}, prompts[1]};
            for (int p = 0; p < 2; p++) {
                List<BeamHypothesis> single;
                try (Qwen2Decoder d = Qwen2Decoder.start(m, Tensor.ofInts(alone[p], 1, alone[p].length), null, 3, 5)) {
                    single = BeamSearch.search(d, options, LogitsProcessor.NONE).getFirst();
                }
                assertEquals(single.size(), together.get(p).size());
                for (int i = 0; i < single.size(); i++) {
                    assertArrayEquals(single.get(i).tokens(), together.get(p).get(i).tokens(), "prompt " + p + " hypothesis " + i);
                    assertEquals(single.get(i).score(), together.get(p).get(i).score(), 1e-5);
                }
            }
        }
    }

    private static int[][] greedy(Qwen2ForCausalLM m, int[][] prompts, int[][] mask, int steps, int eos) {
        try (TensorScope scope = TensorScope.open(); Qwen2Decoder d = Qwen2Decoder.start(m, flat(prompts), flat(mask), 1, steps)) {
            return Generation.greedy(d, steps, eos, LogitsProcessor.NONE);
        }
    }

    static Tensor flat(int[][] rows) {
        return Tensor.ofInts(Arrays.stream(rows).flatMapToInt(Arrays::stream).toArray(), rows.length, rows[0].length);
    }
}
