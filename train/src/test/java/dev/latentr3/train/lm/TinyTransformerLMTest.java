package dev.latentr3.train.lm;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.autograd.GradMode;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.engine.random.Rng;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TinyTransformerLMTest {
    /** Small enough for finite differences; init std 0.5 so that gradients stand well above fp32 rounding. */
    private static final TinyTransformerLM.Config SMALL =
            new TinyTransformerLM.Config(11, 8, 2, 2, 1, 12, 10_000.0, 1e-6f, 0.5f);

    @Test
    void parametersCarryQwen2NamesAndSizes() {
        var c = TinyTransformerLM.Config.tiny(259);
        TinyTransformerLM model = new TinyTransformerLM(c, Rng.seeded(1));
        Map<String, Tensor> p = model.namedParameters();
        assertEquals(List.of("embed_tokens.weight",
                "layers.0.input_layernorm.weight",
                "layers.0.self_attn.q_proj.weight", "layers.0.self_attn.q_proj.bias",
                "layers.0.self_attn.k_proj.weight", "layers.0.self_attn.k_proj.bias",
                "layers.0.self_attn.v_proj.weight", "layers.0.self_attn.v_proj.bias",
                "layers.0.self_attn.o_proj.weight",
                "layers.0.post_attention_layernorm.weight",
                "layers.0.mlp.gate_proj.weight", "layers.0.mlp.up_proj.weight", "layers.0.mlp.down_proj.weight"),
                List.copyOf(p.keySet()).subList(0, 13));
        int h = c.hidden(), kv = c.kvHeads() * c.headDim(), i = c.intermediate();
        long perLayer = 2L * h + (h * h + h) + 2L * (h * kv + kv) + (long) h * h + 3L * h * i;
        assertEquals((long) c.vocabSize() * h + c.layers() * perLayer + h, model.parameterCount());
        assertArrayEquals(new int[]{kv, h}, p.get("layers.1.self_attn.k_proj.weight").shape());
        assertTrue(p.containsKey("norm.weight"));
    }

    /** A later token must not change the logits of earlier positions (the causal mask), but does change its own. */
    @Test
    void logitsAtAPositionDependOnlyOnTokensUpToIt() {
        TinyTransformerLM model = new TinyTransformerLM(SMALL, Rng.seeded(2));
        int[] a = {1, 5, 3, 7, 2, 9, 4, 0};
        int[] b = a.clone();
        b[5] = 6;
        try (var scope = TensorScope.open(); var off = GradMode.noGrad()) {
            Tensor la = model.logits(Tensor.ofInts(a, 1, 8)), lb = model.logits(Tensor.ofInts(b, 1, 8));
            assertArrayEquals(new int[]{1, 8, 11}, la.shape());
            assertArrayEquals(la.slice(1, 0, 5).toFloatArray(), lb.slice(1, 0, 5).toFloatArray(), 1e-6f);
            for (int t = 5; t < 8; t++) {
                assertNotEquals(la.slice(1, t, t + 1).toFloatArray()[0], lb.slice(1, t, t + 1).toFloatArray()[0]);
            }
        }
    }

    /**
     * The model's backward (through the tied embedding, both residual paths, attention and the MLP) against central
     * finite differences of the loss, at a few entries of every parameter.
     */
    @Test
    void gradientsMatchFiniteDifferencesForEveryParameter() {
        TinyTransformerLM model = new TinyTransformerLM(SMALL, Rng.seeded(3));
        int[] ids = {1, 5, 3, 7, 2, 9, 4, 0, 10, 6, 8, 1};
        int[] targets = {5, 3, 7, 2, 9, 4, 0, 10, 6, 8, 1, 2};
        try (var scope = TensorScope.open()) {
            model.loss(Tensor.ofInts(ids, 2, 6), Tensor.ofInts(targets, 2, 6)).backward();
        }
        Rng pick = Rng.seeded(4);
        double eps = 1e-2;
        for (var e : model.namedParameters().entrySet()) {
            Tensor p = e.getValue();
            assertNotNull(p.grad(), e.getKey() + " got no gradient");
            float[] grad = p.grad().toFloatArray();
            for (int k = 0; k < 3; k++) {
                int i = pick.nextInt((int) p.numel());
                float original = get(p, i);
                set(p, i, (float) (original + eps));
                double up = loss(model, ids, targets);
                set(p, i, (float) (original - eps));
                double down = loss(model, ids, targets);
                set(p, i, original);
                double numeric = (up - down) / (2 * eps);
                assertEquals(numeric, grad[i], 2e-3 + 3e-2 * Math.abs(numeric), e.getKey() + "[" + i + "]");
            }
        }
    }

    private static double loss(TinyTransformerLM model, int[] ids, int[] targets) {
        try (var scope = TensorScope.open(); var off = GradMode.noGrad()) {
            return model.loss(Tensor.ofInts(ids, 2, 6), Tensor.ofInts(targets, 2, 6)).item();
        }
    }

    private static float get(Tensor p, int i) {
        return p.data().getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i);
    }

    private static void set(Tensor p, int i, float v) {
        p.data().setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, v);
    }
}
