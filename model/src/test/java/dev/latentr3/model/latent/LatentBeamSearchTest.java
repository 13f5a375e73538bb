package dev.latentr3.model.latent;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.model.config.Qwen2Config;
import dev.latentr3.model.generate.BeamHypothesis;
import dev.latentr3.model.generate.BeamSearch;
import dev.latentr3.model.generate.BeamSearchOptions;
import dev.latentr3.model.generate.LogitsProcessor;
import dev.latentr3.model.qwen2.LogitPositions;
import dev.latentr3.model.qwen2.Qwen2Decoder;
import dev.latentr3.model.qwen2.Qwen2ForCausalLM;
import dev.latentr3.model.qwen2.RandomQwen2;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import static dev.latentr3.model.latent.LatentRATTTest.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Constrained beam search (method doc §4.1) from a latent prompt: with as many beams as catalogue items, it must
 * return every item once, each scored with the summed full-vocabulary log-probabilities that the latent forward
 * over prompt + item gives (exhaustive enumeration), best first (length penalty 0, D3-style).
 */
class LatentBeamSearchTest {
    static final int D = 18, THOUGHT = 36, EOS = 1;
    final Qwen2Config config = RandomQwen2.config(37, D, 13, 3, 1, true);
    final Qwen2ForCausalLM llm = RandomQwen2.model(config, 8, 0.5);
    final LatentModel model = new LatentModel(llm,
            LatentRATT.load(D, LatentRATTTest.randomParameters(D, 41, LatentRATT.PREFIX), LatentRATT.PREFIX), THOUGHT);
    final int[][] catalogue = {{5, 9, EOS}, {5, 13, EOS}, {22, EOS}};

    /** Allows only continuations of some catalogue item. */
    final LogitsProcessor trie = (prompt, generated, logProbs) -> {
        boolean[] allowed = new boolean[logProbs.length];
        for (int[] item : catalogue) {
            if (generated.length < item.length && Arrays.equals(generated, Arrays.copyOf(item, generated.length))) {
                allowed[item[generated.length]] = true;
            }
        }
        for (int v = 0; v < logProbs.length; v++) if (!allowed[v]) logProbs[v] = Float.NEGATIVE_INFINITY;
    };

    @Test
    void returnsEveryCatalogueItemWithItsLatentForwardScore() {
        int[][] prompts = {{0, 3, 8, 2, THOUGHT}, {4, 15, 2, 20, THOUGHT}};
        int[][] mask = {{0, 1, 1, 1, 1}, {1, 1, 1, 1, 1}};
        try (TensorScope scope = TensorScope.open();
             Qwen2Decoder decoder = model.startDecoding(ints(prompts), ints(mask), 3, 3)) {
            List<List<BeamHypothesis>> found = BeamSearch.search(decoder, new BeamSearchOptions(3, 3, EOS, 0.0, false), trie);
            for (int p = 0; p < 2; p++) {
                List<double[]> expected = new ArrayList<>();
                for (int c = 0; c < catalogue.length; c++) expected.add(new double[]{c, score(prompts[p], mask[p], catalogue[c])});
                expected.sort(Comparator.comparingDouble(e -> -e[1]));
                assertEquals(3, found.get(p).size());
                for (int k = 0; k < 3; k++) {
                    BeamHypothesis h = found.get(p).get(k);
                    assertArrayEquals(catalogue[(int) expected.get(k)[0]], h.tokens(), "prompt " + p + " rank " + k);
                    assertEquals(expected.get(k)[1], h.sumLogProb(), 1e-4, "prompt " + p + " rank " + k);
                }
            }
        }
    }

    /** Summed log-softmax (over the full vocabulary) of item's tokens after the prompt, from one latent forward. */
    private double score(int[] prompt, int[] mask, int[] item) {
        int l = prompt.length, n = item.length;
        int[] ids = Arrays.copyOf(prompt, l + n - 1), m = Arrays.copyOf(mask, l + n - 1);
        for (int i = 0; i < n - 1; i++) {
            ids[l + i] = item[i];
            m[l + i] = 1;
        }
        int[] batch = new int[n], positions = new int[n];
        for (int i = 0; i < n; i++) positions[i] = l - 1 + i;
        float[] logits = model.forward(Tensor.ofInts(ids, 1, ids.length), Tensor.ofInts(m, 1, m.length),
                LogitPositions.of(batch, positions), LatentNoise.none()).output().logits().toFloatArray();
        double sum = 0;
        int v = config.vocabSize();
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY, total = 0;
            for (int j = 0; j < v; j++) max = Math.max(max, logits[i * v + j]);
            for (int j = 0; j < v; j++) total += Math.exp(logits[i * v + j] - max);
            sum += logits[i * v + item[i]] - max - Math.log(total);
        }
        return sum;
    }
}
