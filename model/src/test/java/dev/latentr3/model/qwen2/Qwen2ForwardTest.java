package dev.latentr3.model.qwen2;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.engine.ops.Indexing;
import dev.latentr3.engine.ops.Losses;
import dev.latentr3.model.config.Qwen2Config;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static dev.latentr3.model.qwen2.KvCacheDecodingTest.ints;
import static dev.latentr3.model.qwen2.NumericAssertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The forward's entry points and options against each other: requested logit positions, input embeddings, padding
 * on either side. Tolerance 1e-5 of the largest value where the two sides compute the same rows in a different
 * batch shape (F32 rounding only).
 */
class Qwen2ForwardTest {
    static final double TOLERANCE = 1e-5;
    final Qwen2Config config = RandomQwen2.config(29, 16, 24, 2, 1, true);
    final Qwen2ForCausalLM model = RandomQwen2.model(config, 11, 0.3);
    final int[][] ids = {{3, 7, 1, 28, 9}, {4, 4, 15, 2, 20}};

    @Test
    void logitsAtRequestedPositionsEqualTheFullLogitsThere() {
        try (TensorScope scope = TensorScope.open()) {
            float[] full = model.forward(ints(ids), null, LogitPositions.all(2, 5)).logits().toFloatArray();
            int[] batch = {1, 0, 1, 1}, position = {4, 2, 0, 4};
            float[] some = model.forward(ints(ids), null, LogitPositions.of(batch, position)).logits().toFloatArray();
            int v = config.vocabSize();
            for (int i = 0; i < batch.length; i++) {
                int row = batch[i] * 5 + position[i];
                assertClose("pair " + i, Arrays.copyOfRange(full, row * v, (row + 1) * v),
                        Arrays.copyOfRange(some, i * v, (i + 1) * v), TOLERANCE);
            }
            assertEquals(0, model.forward(ints(ids), null, LogitPositions.none()).logits().size(0));
        }
    }

    /** The loss on gathered logits back-propagates only through the gathered rows, like the loss on full logits. */
    @Test
    void gatheredLogitsGiveTheGradientsOfTheFullLogits() {
        model.requiresGrad(true);
        try (TensorScope scope = TensorScope.open()) {
            int[] batch = {0, 1}, position = {3, 1};
            Tensor targets = Tensor.ofInts(new int[]{5, 17}, 2);
            Losses.crossEntropy(model.forward(ints(ids), null, LogitPositions.of(batch, position)).logits(), targets, -100)
                    .backward();
            float[] gathered = model.weights().embedTokens().grad().toFloatArray();
            model.parameters().forEach(Tensor::zeroGrad);
            // The same loss from all 10 rows of logits: the other 8 rows get ignore-index targets.
            int[] all = new int[10];
            Arrays.fill(all, -100);
            all[3] = 5;
            all[5 + 1] = 17;
            Losses.crossEntropy(model.forward(ints(ids), null, LogitPositions.all(2, 5)).logits(), Tensor.ofInts(all, 10), -100)
                    .backward();
            assertClose("embedding gradient", model.weights().embedTokens().grad().toFloatArray(), gathered, TOLERANCE);
        } finally {
            model.parameters().forEach(Tensor::zeroGrad);
            model.requiresGrad(false);
        }
    }

    /** Replacing a row of the input embeddings with token 21's embedding is the same as feeding token 21 there. */
    @Test
    void inputEmbeddingsWithAReplacedRowEqualTheIdsOfThatRow() {
        try (TensorScope scope = TensorScope.open()) {
            Tensor embeds = model.embed(ints(ids)).reshape(10, config.hiddenSize());
            Tensor replacement = model.embed(ints(new int[][]{{21}})).reshape(1, config.hiddenSize());
            Tensor replaced = Indexing.indexPut(embeds, Tensor.ofInts(new int[]{5 + 2}, 1), replacement)
                    .reshape(2, 5, config.hiddenSize());
            int[][] swapped = {ids[0].clone(), ids[1].clone()};
            swapped[1][2] = 21;
            float[] expected = model.forward(ints(swapped), null, LogitPositions.all(2, 5)).logits().toFloatArray();
            float[] actual = model.forwardEmbeddings(replaced, null, null, LogitPositions.all(2, 5)).logits().toFloatArray();
            assertClose("replaced embedding row", expected, actual, TOLERANCE);
        }
    }

    /**
     * Default positions count real tokens, so a padded row computes at its real positions what the unpadded
     * sequence computes alone, whether the padding is on the left or the right.
     */
    @Test
    void paddingOnEitherSideLeavesTheRealTokensUnchanged() {
        int[] real = {8, 2, 19};
        int[][] padded = {{0, 0, 8, 2, 19}, {8, 2, 19, 0, 0}};
        int[][] mask = {{0, 0, 1, 1, 1}, {1, 1, 1, 0, 0}};
        try (TensorScope scope = TensorScope.open()) {
            float[] alone = model.forward(Tensor.ofInts(real, 1, 3), null, LogitPositions.all(1, 3)).logits().toFloatArray();
            assertArrayEquals(new int[]{1, 1, 0, 1, 2, 0, 1, 2, 1, 1},
                    Qwen2ForCausalLM.defaultPositions(ints(mask)).toIntArray());
            float[] left = model.forward(ints(padded), ints(mask), LogitPositions.of(new int[]{0, 0, 0}, new int[]{2, 3, 4}))
                    .logits().toFloatArray();
            float[] right = model.forward(ints(padded), ints(mask), LogitPositions.of(new int[]{1, 1, 1}, new int[]{0, 1, 2}))
                    .logits().toFloatArray();
            assertClose("left padding", alone, left, TOLERANCE);
            assertClose("right padding", alone, right, TOLERANCE);
        }
    }

    @Test
    void badInputsAreNamed() {
        try (TensorScope scope = TensorScope.open()) {
            IllegalArgumentException mask = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(ints(ids), Tensor.ofInts(new int[]{1, 1, 1}, 1, 3), LogitPositions.none()));
            assertTrue(mask.getMessage().contains("attention mask") && mask.getMessage().contains("[2, 5]"), mask.getMessage());
            IllegalArgumentException pair = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(ints(ids), null, LogitPositions.of(new int[]{2}, new int[]{0})));
            assertTrue(pair.getMessage().contains("batch 2"), pair.getMessage());
            IllegalArgumentException embeds = assertThrows(IllegalArgumentException.class,
                    () -> model.forwardEmbeddings(Tensor.zeros(2, 5, 7), null, null, LogitPositions.none()));
            assertTrue(embeds.getMessage().contains("[batch, length, 16]"), embeds.getMessage());
        }
    }
}
