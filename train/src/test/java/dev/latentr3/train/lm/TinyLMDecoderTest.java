package dev.latentr3.train.lm;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.autograd.GradMode;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.engine.random.Rng;
import dev.latentr3.model.generate.Generation;
import dev.latentr3.model.generate.LogitsProcessor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class TinyLMDecoderTest {
    private static final TinyTransformerLM.Config SMALL =
            new TinyTransformerLM.Config(11, 8, 2, 2, 1, 12, 10_000.0, 1e-6f, 0.5f);

    /** After each append, the decoder's logits are the model's last-position logits over the last window tokens. */
    @Test
    void logitsAreTheModelsLastPositionOverTheWindow() {
        TinyTransformerLM model = new TinyTransformerLM(SMALL, Rng.seeded(5));
        int window = 4;
        try (var decoder = new TinyLMDecoder(model, new int[]{1, 2, 3}, 2, window)) {
            assertArrayEquals(lastLogits(model, 1, 2, 3), decoder.logits(1));
            decoder.append(new int[]{7, 8});
            decoder.append(new int[]{9, 10});
            assertArrayEquals(lastLogits(model, 2, 3, 7, 9), decoder.logits(0));
            assertArrayEquals(lastLogits(model, 2, 3, 8, 10), decoder.logits(1));
            decoder.reorder(new int[]{1, 1});
            decoder.append(new int[]{4, 5});
            assertArrayEquals(lastLogits(model, 3, 8, 10, 4), decoder.logits(0));
        }
    }

    /** Greedy generation through the shared search code picks the argmax of those logits at each step. */
    @Test
    void greedyGenerationFollowsTheArgmax() {
        TinyTransformerLM model = new TinyTransformerLM(SMALL, Rng.seeded(6));
        int[] tokens;
        try (var decoder = new TinyLMDecoder(model, new int[]{1, 2, 3}, 1, 6)) {
            tokens = Generation.greedy(decoder, 8, -1, LogitsProcessor.NONE)[0];
        }
        assertEquals(8, tokens.length);
        int[] seq = {1, 2, 3};
        for (int t : tokens) {
            int[] window = Arrays.copyOfRange(seq, Math.max(0, seq.length - 6), seq.length);
            assertEquals(argmax(lastLogits(model, window)), t);
            seq = Arrays.copyOf(seq, seq.length + 1);
            seq[seq.length - 1] = t;
        }
    }

    private static float[] lastLogits(TinyTransformerLM model, int... ids) {
        try (var scope = TensorScope.open(); var off = GradMode.noGrad()) {
            Tensor logits = model.logits(Tensor.ofInts(ids, 1, ids.length));
            return logits.slice(1, ids.length - 1, ids.length).toFloatArray();
        }
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
