package dev.latentr3.model.qwen2;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.model.config.Qwen2Config;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static dev.latentr3.model.qwen2.NumericAssertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Decoding with the KV cache against full forwards over the whole sequence so far (no cache): at every step the
 * new token's logits must agree. Tolerance 1e-4 of the largest logit (F32 both ways; the two paths sum in different
 * orders, so they agree to rounding, ~1e-6, not bit for bit).
 */
class KvCacheDecodingTest {
    static final double TOLERANCE = 1e-4;
    final Qwen2Config config = RandomQwen2.config(37, 24, 40, 4, 2, false);
    final Qwen2ForCausalLM model = RandomQwen2.model(config, 7, 0.3);

    /** Two prompts, the second left-padded by 2; then 5 steps of one token per row. */
    @Test
    void everyCachedStepMatchesAFullForward() {
        int[][] ids = {{5, 9, 2, 30, 7, 11}, {0, 0, 14, 3, 22, 8}};
        int[][] mask = {{1, 1, 1, 1, 1, 1}, {0, 0, 1, 1, 1, 1}};
        Random random = new Random(3);
        try (KvCache cache = model.newCache(2, 12); TensorScope scope = TensorScope.open()) {
            Tensor prefill = model.forwardCached(ints(ids), ints(mask), cache, LogitPositions.lastReal(ints(mask))).logits();
            assertClose("prefill", lastLogits(ids, mask), prefill.toFloatArray(), TOLERANCE);
            for (int step = 0; step < 5; step++) {
                int[] next = {random.nextInt(37), random.nextInt(37)};
                ids = appendColumn(ids, next);
                mask = appendColumn(mask, new int[]{1, 1});
                Tensor cached = model.forwardCached(Tensor.ofInts(next, 2, 1), null, cache, LogitPositions.all(2, 1)).logits();
                assertClose("step " + step, lastLogits(ids, mask), cached.toFloatArray(), TOLERANCE);
            }
            assertEquals(11, cache.length());
            assertEquals(9, cache.realTokens(1));
        }
    }

    /** A prompt fed in chunks (several new queries over a longer cache: sdpa's causal offset) equals one forward. */
    @Test
    void chunkedPrefillMatchesOneForward() {
        int[][] ids = {{4, 8, 15, 16, 23, 1, 2}};
        try (KvCache cache = model.newCache(1, 7); TensorScope scope = TensorScope.open()) {
            model.forwardCached(ints(new int[][]{{4, 8, 15}}), null, cache, LogitPositions.none());
            Tensor chunk = model.forwardCached(ints(new int[][]{{16, 23, 1, 2}}), null, cache, LogitPositions.all(1, 4)).logits();
            float[] full = model.forward(ints(ids), null, LogitPositions.of(new int[]{0, 0, 0, 0}, new int[]{3, 4, 5, 6}))
                    .logits().toFloatArray();
            assertClose("chunked prefill", full, chunk.toFloatArray(), TOLERANCE);
        }
    }

    /** After reorder, each row continues the sequence of the row it was copied from. */
    @Test
    void reorderedRowsContinueTheirSourceSequences() {
        int[][] ids = {{3, 6, 9}, {12, 15, 18}, {21, 24, 27}};
        int[] from = {2, 0, 0};
        try (KvCache cache = model.newCache(3, 4); TensorScope scope = TensorScope.open()) {
            model.forwardCached(ints(ids), null, cache, LogitPositions.none());
            cache.reorder(from);
            int[] next = {1, 2, 3};
            float[] cached = model.forwardCached(Tensor.ofInts(next, 3, 1), null, cache, LogitPositions.all(3, 1))
                    .logits().toFloatArray();
            int[][] reordered = new int[3][];
            for (int r = 0; r < 3; r++) reordered[r] = ids[from[r]];
            int[][] ones = {{1, 1, 1, 1}, {1, 1, 1, 1}, {1, 1, 1, 1}};
            assertClose("reordered", lastLogits(appendColumn(reordered, next), ones), cached, TOLERANCE);
        }
    }

    @Test
    void overflowingTheCacheIsAnError() {
        try (KvCache cache = model.newCache(1, 3); TensorScope scope = TensorScope.open()) {
            model.forwardCached(ints(new int[][]{{1, 2, 3}}), null, cache, LogitPositions.none());
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> model.forwardCached(ints(new int[][]{{4}}), null, cache, LogitPositions.none()));
            assertTrue(e.getMessage().contains("capacity 3"), e.getMessage());
        }
    }

    /** Full-forward logits at each row's last position, [B, V] flattened. */
    private float[] lastLogits(int[][] ids, int[][] mask) {
        int b = ids.length, l = ids[0].length;
        int[] rows = new int[b], last = new int[b];
        for (int r = 0; r < b; r++) {
            rows[r] = r;
            last[r] = l - 1;
        }
        return model.forward(ints(ids), ints(mask), LogitPositions.of(rows, last)).logits().toFloatArray();
    }

    static Tensor ints(int[][] rows) {
        return Tensor.ofInts(Arrays.stream(rows).flatMapToInt(Arrays::stream).toArray(), rows.length, rows[0].length);
    }

    static int[][] appendColumn(int[][] rows, int[] column) {
        int[][] out = new int[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            out[r] = Arrays.copyOf(rows[r], rows[r].length + 1);
            out[r][rows[r].length] = column[r];
        }
        return out;
    }
}
