package dev.latentr3.model.latent;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.autograd.GradMode;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.model.config.Qwen2Config;
import dev.latentr3.model.qwen2.LogitPositions;
import dev.latentr3.model.qwen2.Qwen2Decoder;
import dev.latentr3.model.qwen2.Qwen2ForCausalLM;
import dev.latentr3.model.qwen2.RandomQwen2;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static dev.latentr3.model.latent.LatentRATTTest.ints;
import static dev.latentr3.model.qwen2.NumericAssertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The latent forward against the same computation assembled by hand from the LLM's public forward, LatentRATT and
 * hand-built embeddings, on a tiny Qwen2 (vocabulary 37, hidden 18, GQA) whose last id, 36, is the thought token.
 * Tolerance 1e-5 of the largest value where the two sides run the same rows in differently shaped passes (F32
 * rounding only).
 */
class LatentModelTest {
    static final int D = 18, THOUGHT = 36;
    static final double TOLERANCE = 1e-5;
    final Qwen2Config config = RandomQwen2.config(37, D, 13, 3, 1, true);
    final Qwen2ForCausalLM llm = RandomQwen2.model(config, 5, 0.3);
    final LatentRATT rat = LatentRATT.load(D, LatentRATTTest.randomParameters(D, 31, LatentRATT.PREFIX), LatentRATT.PREFIX);
    final LatentModel model = new LatentModel(llm, rat, THOUGHT);
    /** Training-style rows: prompt, thought, target, right padding; thoughts at 3, 5 and 4. */
    final int[][] ids = {{3, 8, 1, THOUGHT, 9, 12, 0, 0}, {4, 4, 15, 2, 20, THOUGHT, 7, 11}, {7, 19, 33, 5, THOUGHT, 2, 0, 0}};
    final int[][] mask = {{1, 1, 1, 1, 1, 1, 0, 0}, {1, 1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 0, 0}};

    /** embeds [B, L, D] (as an array) with latents [B, N, D] written at the given positions [B][N]. */
    static Tensor handInjected(float[] embeds, float[] latents, int[][] at, int l) {
        float[] e = embeds.clone();
        for (int b = 0; b < at.length; b++) {
            for (int i = 0; i < at[b].length; i++) {
                System.arraycopy(latents, (b * at[b].length + i) * D, e, (b * l + at[b][i]) * D, D);
            }
        }
        return Tensor.of(e, at.length, l, D);
    }

    @Test
    void theLatentForwardIsTheLlmOverHandInjectedEmbeddings() {
        try (TensorScope scope = TensorScope.open()) {
            Tensor m = ints(mask);
            LatentModel.Output out = model.forward(ints(ids), m, LogitPositions.all(3, 8), LatentNoise.none());
            // r from a full-length pass, as the reference computes it (the model's pass stops before position 5).
            Tensor hidden = llm.forward(ints(ids), m, LogitPositions.none()).lastHidden();
            float[] r = rat.forward(hidden, m, new int[]{3, 5, 4}).toFloatArray();
            assertClose("r", r, out.injection().latents().toFloatArray(), TOLERANCE);
            assertArrayEquals(out.injection().latents().toFloatArray(), out.injection().injected().toFloatArray());
            assertNull(out.injection().eps());

            Tensor embeds = handInjected(llm.embed(ints(ids)).toFloatArray(), r, new int[][]{{3}, {5}, {4}}, 8);
            assertClose("embeddings", embeds.toFloatArray(), out.injection().embeddings().toFloatArray(), TOLERANCE);
            var byHand = llm.forwardEmbeddings(embeds, m, null, LogitPositions.all(3, 8));
            assertClose("logits", byHand.logits().toFloatArray(), out.output().logits().toFloatArray(), TOLERANCE);
            assertClose("hidden", byHand.lastHidden().toFloatArray(), out.output().lastHidden().toFloatArray(), TOLERANCE);
        }
    }

    @Test
    void theLatentDependsOnThePromptOnly() {
        try (TensorScope scope = TensorScope.open()) {
            float[] r = model.inject(ints(ids), ints(mask), LatentNoise.none()).latents().toFloatArray();
            int[][] other = {{3, 8, 1, THOUGHT, 30, 1, 5, 5}, {4, 4, 15, 2, 20, THOUGHT, 0, 0}, {7, 19, 33, 5, THOUGHT, 9, 9, 9}};
            float[] changed = model.inject(ints(other), ints(mask), LatentNoise.none()).latents().toFloatArray();
            assertClose("r with other targets", r, changed, 1e-6);
            int[][] otherPrompt = {{3, 8, 2, THOUGHT, 9, 12, 0, 0}, ids[1], ids[2]};
            float[] prompt = model.inject(ints(otherPrompt), ints(mask), LatentNoise.none()).latents().toFloatArray();
            assertFalse(Arrays.equals(Arrays.copyOf(r, D), Arrays.copyOf(prompt, D)), "a prompt token changes r");
        }
    }

    /** r_2 = LatentRATT over the hidden states of a pass with r_1 injected, at the second thought token. */
    @Test
    void twoLatentsAreAutoregressive() {
        int[][] two = {{3, 8, 1, THOUGHT, THOUGHT, 9, 0, 0}, {4, 4, 15, 2, 20, THOUGHT, THOUGHT, 11}, {0, 7, 19, THOUGHT, THOUGHT, 2, 6, 0}};
        int[][] twoMask = {{1, 1, 1, 1, 1, 1, 0, 0}, {1, 1, 1, 1, 1, 1, 1, 1}, {0, 1, 1, 1, 1, 1, 1, 0}};
        int[][] at = {{3, 4}, {5, 6}, {3, 4}};
        try (TensorScope scope = TensorScope.open()) {
            Tensor m = ints(twoMask);
            LatentModel.Output out = model.forward(ints(two), m, LogitPositions.all(3, 8), LatentNoise.none());
            float[] embeds = llm.embed(ints(two)).toFloatArray();
            Tensor h0 = llm.forward(ints(two), m, LogitPositions.none()).lastHidden();
            float[] r1 = rat.forward(h0, m, new int[]{3, 5, 3}).toFloatArray();
            Tensor withR1 = handInjected(embeds, r1, new int[][]{{3}, {5}, {3}}, 8);
            Tensor h1 = llm.forwardEmbeddings(withR1, m, null, LogitPositions.none()).lastHidden();
            float[] r2 = rat.forward(h1, m, new int[]{4, 6, 4}).toFloatArray();
            float[] both = new float[3 * 2 * D];
            for (int b = 0; b < 3; b++) {
                System.arraycopy(r1, b * D, both, (2 * b) * D, D);
                System.arraycopy(r2, b * D, both, (2 * b + 1) * D, D);
            }
            assertClose("r_1, r_2", both, out.injection().latents().toFloatArray(), TOLERANCE);
            // The reference's one-pass computation (r_2 from the pass without r_1) is something else.
            float[] onePass = rat.forward(h0, m, new int[]{4, 6, 4}).toFloatArray();
            assertTrue(maxDiff(onePass, r2) > 1e-3, "r_2 depends on r_1");
            var byHand = llm.forwardEmbeddings(handInjected(embeds, both, at, 8), m, null, LogitPositions.all(3, 8));
            assertClose("logits", byHand.logits().toFloatArray(), out.output().logits().toFloatArray(), TOLERANCE);
        }
    }

    @Test
    void noiseIsSeededAddedAndReusable() {
        try (TensorScope scope = TensorScope.open()) {
            Tensor m = ints(mask);
            LogitPositions at = LogitPositions.of(new int[]{0, 1, 2}, new int[]{3, 5, 4});
            LatentModel.Output a = model.forward(ints(ids), m, at, LatentNoise.sampled(1.5f, 42));
            LatentModel.Output b = model.forward(ints(ids), m, at, LatentNoise.sampled(1.5f, 42));
            float[] eps = a.injection().eps().toFloatArray();
            assertArrayEquals(new int[]{3, 1, D}, a.injection().eps().shape());
            assertArrayEquals(eps, b.injection().eps().toFloatArray(), "same seed, same eps");
            assertFalse(Arrays.equals(eps, model.inject(ints(ids), m, LatentNoise.sampled(1.5f, 43)).eps().toFloatArray()));
            float[] r = a.injection().latents().toFloatArray(), injected = a.injection().injected().toFloatArray();
            float[] expected = new float[r.length];
            for (int i = 0; i < r.length; i++) expected[i] = r[i] + 1.5f * eps[i];
            assertClose("r + sigma eps", expected, injected, 1e-6);
            // The same eps given back reproduces the noisy forward (the RL loss pass).
            LatentModel.Output again = model.forward(ints(ids), m, at, LatentNoise.given(1.5f, a.injection().eps()));
            assertArrayEquals(a.output().logits().toFloatArray(), again.output().logits().toFloatArray());
            // sigma 0 injects the clean latent.
            float[] clean = model.forward(ints(ids), m, at, LatentNoise.none()).output().logits().toFloatArray();
            LatentModel.Output zero = model.forward(ints(ids), m, at, LatentNoise.sampled(0f, 42));
            assertArrayEquals(zero.injection().latents().toFloatArray(), zero.injection().injected().toFloatArray());
            assertArrayEquals(clean, zero.output().logits().toFloatArray());
            assertFalse(Arrays.equals(clean, a.output().logits().toFloatArray()));
            assertThrows(IllegalArgumentException.class,
                    () -> model.inject(ints(ids), m, LatentNoise.given(1f, Tensor.zeros(3, 2, D))));
            assertThrows(IllegalArgumentException.class, () -> LatentNoise.sampled(-1f, 1));
        }
    }

    /**
     * Generation starts from the cache the prompt (with its latents) leaves: the first logits are the latent
     * forward's at the last thought token, and a step after them equals the latent forward over the longer input.
     */
    @Test
    void decodingContinuesTheLatentForward() {
        int[][][] prompts = {
                {{0, 0, 3, 8, 1, THOUGHT}, {4, 4, 15, 2, 20, THOUGHT}, {0, 7, 19, 33, 5, THOUGHT}},
                {{0, 3, 8, 1, THOUGHT, THOUGHT}, {4, 15, 2, 20, THOUGHT, THOUGHT}, {0, 0, 19, 33, THOUGHT, THOUGHT}}};
        int[][] promptMask = {{0, 0, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1}, {0, 1, 1, 1, 1, 1}};
        int[][] twoMask = {{0, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1}, {0, 0, 1, 1, 1, 1}};
        for (int n = 0; n < 2; n++) {
            int[][] p = prompts[n], pm = n == 0 ? promptMask : twoMask;
            try (TensorScope scope = TensorScope.open(); var noGrad = GradMode.noGrad();
                 Qwen2Decoder decoder = model.startDecoding(ints(p), ints(pm), 2, 3)) {
                assertEquals(6, decoder.rows());
                float[] first = model.forward(ints(p), ints(pm), LogitPositions.lastReal(ints(pm)), LatentNoise.none())
                        .output().logits().toFloatArray();
                for (int row = 0; row < 6; row++) {
                    assertClose("N=" + (n + 1) + " row " + row, Arrays.copyOfRange(first, row / 2 * 37, (row / 2 + 1) * 37),
                            decoder.logits(row), TOLERANCE);
                }
                int[] next = {5, 9, 22, 5, 13, 0};
                decoder.append(next);
                for (int row = 0; row < 6; row++) {
                    int[][] longer = {Arrays.copyOf(p[row / 2], 7)}, longerMask = {Arrays.copyOf(pm[row / 2], 7)};
                    longer[0][6] = next[row];
                    longerMask[0][6] = 1;
                    float[] expected = model.forward(ints(longer), ints(longerMask), LogitPositions.of(new int[]{0}, new int[]{6}),
                            LatentNoise.none()).output().logits().toFloatArray();
                    assertClose("N=" + (n + 1) + " step row " + row, expected, decoder.logits(row), TOLERANCE);
                }
            }
        }
        try (TensorScope scope = TensorScope.open()) {
            assertThrows(IllegalArgumentException.class, () -> model.startDecoding(ints(ids), ints(mask), 1, 2),
                    "thought tokens not at the end");
        }
    }

    /**
     * The gradient of a loss on the final logits reaches LatentRATT's parameters through the injected embedding and
     * the first pass: autograd against central differences of the whole latent forward, in F32 as the engine's
     * GradCheck does (step 1e-2, |ad - fd| <= 2e-3 max(1, |fd|)), for a few entries of each parameter.
     */
    @Test
    void gradientsReachLatentRattThroughTheWholeForward() {
        Random random = new Random(6);
        float[] weights = new float[3 * 37];
        for (int i = 0; i < weights.length; i++) weights[i] = (float) random.nextGaussian();
        LogitPositions at = LogitPositions.of(new int[]{0, 1, 2}, new int[]{3, 5, 4});
        rat.requiresGrad(true);
        try (TensorScope scope = TensorScope.open()) {
            Tensor m = ints(mask), w = Tensor.of(weights, 3, 37);
            java.util.function.Supplier<Tensor> loss = () ->
                    model.forward(ints(ids), m, at, LatentNoise.none()).output().logits().mul(w).sum();
            loss.get().backward();
            int checked = 0;
            for (Tensor p : rat.parameters()) {
                float[] grad = p.grad().toFloatArray();
                for (int index : new int[]{0, 7, (int) p.numel() - 1}) {
                    double fd;
                    try (var noGrad = GradMode.noGrad()) {
                        float x = get(p, index);
                        set(p, index, x + 1e-2f);
                        double plus = loss.get().item();
                        set(p, index, x - 1e-2f);
                        double minus = loss.get().item();
                        set(p, index, x);
                        fd = (plus - minus) / 2e-2;
                    }
                    assertTrue(Math.abs(grad[index] - fd) <= 2e-3 * Math.max(1, Math.abs(fd)),
                            p.name() + "[" + index + "]: autograd " + grad[index] + ", central difference " + fd);
                    checked++;
                }
            }
            assertEquals(18, checked);
        } finally {
            rat.parameters().forEach(Tensor::zeroGrad);
            rat.requiresGrad(false);
        }
    }

    @Test
    void refusesRowsWithoutAUsableThoughtToken() {
        try (TensorScope scope = TensorScope.open()) {
            assertThrows(IllegalArgumentException.class, () -> model.inject(ints(new int[][]{{3, 8, 1, 2}}), null, LatentNoise.none()));
            assertThrows(IllegalArgumentException.class, () -> model.inject(ints(new int[][]{{THOUGHT, 8, 1, 2}}), null, LatentNoise.none()));
            assertThrows(IllegalArgumentException.class, () -> model.inject(ints(new int[][]{{3, THOUGHT, 1, 2}, {3, THOUGHT, THOUGHT, 2}}),
                    null, LatentNoise.none()), "different counts per row");
            assertThrows(IllegalArgumentException.class, () -> model.inject(ints(new int[][]{{0, THOUGHT, 1, 2}}),
                    ints(new int[][]{{0, 1, 1, 1}}), LatentNoise.none()), "the query position is padding");
        }
    }

    private static float get(Tensor t, int index) {
        return t.data().getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, index);
    }

    private static void set(Tensor t, int index, float value) {
        t.data().setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, index, value);
    }

    private static double maxDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }
}
