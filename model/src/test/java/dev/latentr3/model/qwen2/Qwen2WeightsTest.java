package dev.latentr3.model.qwen2;

import dev.latentr3.engine.DType;
import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.engine.ops.Casts;
import dev.latentr3.model.config.Qwen2Config;
import dev.latentr3.model.checkpoint.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loading weights by Hugging Face name: checks, conversion, ownership, parameters. */
class Qwen2WeightsTest {
    final Qwen2Config untied = RandomQwen2.config(13, 8, 12, 2, 1, false);
    final Qwen2Config tied = RandomQwen2.config(13, 8, 12, 2, 1, true);

    @Test
    void namesFollowHuggingFaceInCheckpointOrder() {
        List<String> names = List.copyOf(Qwen2Weights.expectedShapes(untied).keySet());
        assertEquals("model.embed_tokens.weight", names.getFirst());
        assertEquals(List.of("model.layers.0.self_attn.q_proj.weight", "model.layers.0.self_attn.q_proj.bias",
                "model.layers.0.self_attn.k_proj.weight", "model.layers.0.self_attn.k_proj.bias",
                "model.layers.0.self_attn.v_proj.weight", "model.layers.0.self_attn.v_proj.bias",
                "model.layers.0.self_attn.o_proj.weight", "model.layers.0.mlp.gate_proj.weight",
                "model.layers.0.mlp.up_proj.weight", "model.layers.0.mlp.down_proj.weight",
                "model.layers.0.input_layernorm.weight", "model.layers.0.post_attention_layernorm.weight"),
                names.subList(1, 13));
        assertEquals(List.of("model.norm.weight", "lm_head.weight"), names.subList(names.size() - 2, names.size()));
        assertFalse(Qwen2Weights.expectedShapes(tied).containsKey("lm_head.weight"));
        // head dim 4: k_proj maps 8 features to 1 key/value head of 4
        assertArrayEquals(new int[]{4, 8}, Qwen2Weights.expectedShapes(untied).get("model.layers.1.self_attn.k_proj.weight"));
    }

    @Test
    void missingUnknownAndMisshapedWeightsAreNamed() {
        Map<String, Tensor> w = RandomQwen2.weights(untied, 1, 0.1);
        w.remove("model.layers.1.mlp.up_proj.weight");
        assertMessage(w, "missing weight model.layers.1.mlp.up_proj.weight of shape [12, 8]");

        w = RandomQwen2.weights(untied, 1, 0.1);
        w.put("model.layers.2.mlp.up_proj.weight", Tensor.zeros(12, 8));
        assertMessage(w, "unexpected weights [model.layers.2.mlp.up_proj.weight]");

        w = RandomQwen2.weights(untied, 1, 0.1);
        w.put("model.layers.0.self_attn.q_proj.bias", Tensor.zeros(4));
        assertMessage(w, "weight model.layers.0.self_attn.q_proj.bias has shape [4], expected [8]");
    }

    private void assertMessage(Map<String, Tensor> weights, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Qwen2Weights.load(untied, weights));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    /** BF16 weights become exactly the F32 values they round to; the copies are owned, outliving the load's scope. */
    @Test
    void bf16WeightsAreConvertedOnceToOwnedF32() {
        Map<String, Tensor> f32 = RandomQwen2.weights(tied, 2, 0.1);
        Map<String, Tensor> bf16 = new LinkedHashMap<>();
        Qwen2Weights loaded;
        try (TensorScope scope = TensorScope.open()) {
            f32.forEach((name, t) -> bf16.put(name, Casts.to(t, DType.BF16)));
            loaded = Qwen2Weights.load(tied, bf16);
            for (Map.Entry<String, Tensor> e : loaded.byName().entrySet()) {
                Tensor w = e.getValue();
                assertEquals(DType.F32, w.dtype(), e.getKey());
                assertArrayEquals(bf16.get(e.getKey()).toFloatArray(), w.toFloatArray(), e.getKey());
            }
        }
        // The scope (and the BF16 sources) are gone; the weights are not.
        assertEquals(4 * loaded.byName().values().stream().mapToLong(Tensor::numel).sum(), loaded.byteSize());
        assertTrue(loaded.embedTokens().toFloatArray().length > 0);
    }

    /** A Hugging Face folder (config.json, BF16 model.safetensors) loads to the same F32 weights as the tensors. */
    @Test
    void aBf16CheckpointFolderLoads(@TempDir Path folder) throws Exception {
        SequencedMap<String, Tensor> bf16 = new LinkedHashMap<>();
        try (TensorScope scope = TensorScope.open()) {
            RandomQwen2.weights(untied, 6, 0.1).forEach((name, t) -> bf16.put(name, Casts.to(t, DType.BF16)));
            SafetensorsWriter.write(folder.resolve("model.safetensors"), bf16, Map.of());
            Files.writeString(folder.resolve("config.json"), untied.toJson());
            Qwen2ForCausalLM model = Qwen2ForCausalLM.load(folder);
            assertEquals(untied, model.config());
            for (Map.Entry<String, Tensor> e : bf16.entrySet()) {
                assertArrayEquals(e.getValue().toFloatArray(), model.namedParameters().get(e.getKey()).toFloatArray(), e.getKey());
            }
        }
    }

    /** A tied model's lm_head is the embedding matrix; a stored lm_head.weight is ignored, as Hugging Face does. */
    @Test
    void tiedEmbeddingsShareOneMatrix() {
        Map<String, Tensor> w = RandomQwen2.weights(tied, 3, 0.1);
        w.put("lm_head.weight", Tensor.zeros(13, 8));
        Qwen2Weights loaded = Qwen2Weights.load(tied, w);
        assertSame(loaded.embedTokens(), loaded.lmHead());
        assertFalse(loaded.byName().containsKey("lm_head.weight"));
        Qwen2Weights separate = Qwen2Weights.load(untied, RandomQwen2.weights(untied, 3, 0.1));
        assertNotSame(separate.embedTokens(), separate.lmHead());
    }

    @Test
    void sourceTensorsAreCopiedNotShared() {
        Map<String, Tensor> w = RandomQwen2.weights(tied, 4, 0.1);
        Qwen2Weights loaded = Qwen2Weights.load(tied, w);
        float before = loaded.finalNorm().toFloatArray()[0];
        w.get("model.norm.weight").backend().elementwise().fill(8, 42f, w.get("model.norm.weight").data());
        assertEquals(before, loaded.finalNorm().toFloatArray()[0]);
    }

    @Test
    void requiresGradAndFreeze() {
        Qwen2ForCausalLM model = RandomQwen2.model(tied, 5, 0.1);
        assertTrue(model.parameters().stream().noneMatch(Tensor::requiresGrad), "weights load frozen");
        model.requiresGrad(true).freeze(name -> name.startsWith("model.embed_tokens") || name.contains("layers.0."));
        model.namedParameters().forEach((name, t) ->
                assertEquals(!(name.startsWith("model.embed_tokens") || name.contains("layers.0.")), t.requiresGrad(), name));
        assertEquals(model.parameterCount() * 4, model.byteSize());
    }
}
