package dev.latentr3.model.config;

import dev.latentr3.model.json.FileFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Qwen2Config against the published Qwen2.5-0.5B and 1.5B config.json files (test resources, copied from the public
 * model repositories), the newer Hugging Face spelling of the same config, round trips through toJson, and configs
 * we must refuse, each by name.
 */
class Qwen2ConfigTest {
    private static Path resource(String name) throws URISyntaxException {
        return Path.of(Qwen2ConfigTest.class.getResource("/config/" + name).toURI());
    }

    private static String qwen05bText() throws Exception {
        return Files.readString(resource("qwen2.5-0.5b.config.json"));
    }

    @Test
    void readsQwen25_05B() throws Exception {
        Qwen2Config c = Qwen2Config.load(resource("qwen2.5-0.5b.config.json"));
        assertEquals(151936, c.vocabSize());
        assertEquals(896, c.hiddenSize());
        assertEquals(4864, c.intermediateSize());
        assertEquals(24, c.numHiddenLayers());
        assertEquals(14, c.numAttentionHeads());
        assertEquals(2, c.numKeyValueHeads());
        assertEquals(32768, c.maxPositionEmbeddings());
        assertEquals(1_000_000.0, c.ropeTheta());
        assertEquals(1e-6, c.rmsNormEps());
        assertTrue(c.tieWordEmbeddings());
        assertEquals("bfloat16", c.torchDtype());
        assertEquals(151643, c.bosTokenId());
        assertEquals(151643, c.eosTokenId());
        assertEquals(0.02, c.initializerRange());
        assertEquals(64, c.headDim());
        assertEquals(7, c.queriesPerKeyValueHead());
        assertTrue(c.qkvBias());
    }

    @Test
    void readsQwen25_15B() throws Exception {
        Qwen2Config c = Qwen2Config.load(resource("qwen2.5-1.5b.config.json"));
        assertEquals(1536, c.hiddenSize());
        assertEquals(8960, c.intermediateSize());
        assertEquals(28, c.numHiddenLayers());
        assertEquals(12, c.numAttentionHeads());
        assertEquals(2, c.numKeyValueHeads());
        assertEquals(131072, c.maxPositionEmbeddings());
        assertEquals(151936, c.vocabSize());
        assertTrue(c.tieWordEmbeddings());
        assertEquals(128, c.headDim());
        assertEquals(6, c.queriesPerKeyValueHead());
    }

    @Test
    void readsTheNewerHuggingFaceSpellingOfTheSameConfig() throws Exception {
        // transformers >= 4.56 writes "dtype", spells out layer_types, and writes null sliding_window / rope_scaling.
        String newer = qwen05bText()
                .replace("\"torch_dtype\": \"bfloat16\"", "\"dtype\": \"bfloat16\", \"rope_scaling\": null, \"layer_types\": "
                        + "[" + String.join(",", Collections.nCopies(24, "\"full_attention\"")) + "]")
                .replace("\"sliding_window\": 32768", "\"sliding_window\": null");
        assertEquals(Qwen2Config.load(resource("qwen2.5-0.5b.config.json")), Qwen2Config.parse(newer, "newer.json"));
    }

    @Test
    void keyValueHeadsDefaultToAttentionHeads() throws Exception {
        Qwen2Config c = Qwen2Config.parse(qwen05bText().replace("\"num_key_value_heads\": 2,", ""), "c.json");
        assertEquals(14, c.numKeyValueHeads());
        assertEquals(1, c.queriesPerKeyValueHead());
    }

    @Test
    void toJsonReadsBackEqualAndKeepsOurOwnStrictness(@TempDir Path dir) throws Exception {
        for (String name : new String[]{"qwen2.5-0.5b.config.json", "qwen2.5-1.5b.config.json"}) {
            Qwen2Config c = Qwen2Config.load(resource(name));
            Path written = dir.resolve(name);
            Files.writeString(written, c.toJson());
            assertEquals(c, Qwen2Config.load(written), name);
        }
        Qwen2Config untied = new Qwen2Config(1000, 64, 160, 2, 4, 2, 512, 10000.0, 1e-5, false, "float32", 1, 2, 0.01);
        assertEquals(untied, Qwen2Config.parse(untied.toJson(), "untied.json"));
    }

    @Test
    void refusesFeaturesWeDoNotImplementByName() throws Exception {
        String base = qwen05bText();
        assertRefused(base.replace("\"use_sliding_window\": false", "\"use_sliding_window\": true"),
                "use_sliding_window: sliding-window attention is not implemented");
        assertRefused(base.replace("\"use_cache\": true", "\"rope_scaling\": {\"type\": \"yarn\", \"factor\": 4.0}"),
                "rope_scaling: RoPE scaling \"yarn\" is not supported");
        assertRefused(base.replace("\"use_cache\": true", "\"rope_scaling\": {\"rope_type\": \"dynamic\", \"factor\": 2.0}"),
                "rope_scaling: RoPE scaling \"dynamic\" is not supported");
        assertRefused(base.replace("\"attention_dropout\": 0.0", "\"attention_dropout\": 0.1"),
                "attention_dropout: attention dropout 0.1 is not implemented");
        assertRefused(base.replace("\"hidden_act\": \"silu\"", "\"hidden_act\": \"gelu\""),
                "hidden_act: activation \"gelu\" is not supported");
        assertRefused(base.replace("\"use_mrope\": false", "\"use_mrope\": true"), "use_mrope: multimodal RoPE");
        assertRefused(base.replace("\"model_type\": \"qwen2\"", "\"model_type\": \"llama\""),
                "model_type: model_type \"llama\" is not \"qwen2\"");
        assertRefused(base.replace("\"Qwen2ForCausalLM\"", "\"Qwen2ForSequenceClassification\""),
                "architectures: [Qwen2ForSequenceClassification] does not contain Qwen2ForCausalLM");
        assertRefused(base.replace("\"use_cache\": true", "\"use_cache\": true, \"quantization_config\": {}"),
                "quantization_config: field not supported by our Qwen2");
        assertRefused(base.replace("\"use_cache\": true", "\"head_dim\": 128"),
                "head_dim: Qwen2 derives the head dimension as hidden_size / num_attention_heads = 64");
        assertRefused(base.replace("\"use_cache\": true", "\"layer_types\": [\"full_attention\"]"),
                "layer_types: lists 1 layers, but num_hidden_layers is 24");
        assertRefused(base.replace("\"torch_dtype\": \"bfloat16\"", "\"torch_dtype\": \"bfloat16\", \"dtype\": \"float32\""),
                "dtype: \"float32\" contradicts torch_dtype \"bfloat16\"");
        assertRefused(base.replace("\"torch_dtype\": \"bfloat16\"", "\"torch_dtype\": \"float64\""),
                "torch_dtype: \"float64\" is not one of [bfloat16, float16, float32]");
    }

    @Test
    void refusesInconsistentShapes() throws Exception {
        String base = qwen05bText();
        assertRefused(base.replace("\"num_attention_heads\": 14", "\"num_attention_heads\": 15"),
                "hidden_size 896 is not divisible by num_attention_heads 15");
        assertRefused(base.replace("\"num_key_value_heads\": 2", "\"num_key_value_heads\": 4"),
                "num_attention_heads 14 is not a multiple of num_key_value_heads 4");
        assertRefused(base.replace("\"hidden_size\": 896", "\"hidden_size\": 882"),
                "the head dimension hidden_size / num_attention_heads = 63 is odd");
        assertRefused(base.replace("\"eos_token_id\": 151643", "\"eos_token_id\": 151936"),
                "eos_token_id 151936 is outside the vocabulary [0, 151936)");
        assertRefused(base.replace("\"rms_norm_eps\": 1e-06", "\"rms_norm_eps\": 0"), "rms_norm_eps must be a finite number > 0");
    }

    @Test
    void refusesMissingAndMistypedFields() throws Exception {
        String base = qwen05bText();
        assertRefused(base.replace("\"hidden_size\": 896,", ""), "hidden_size: expected an integer from 1 to 2147483647, found nothing (the field is missing)");
        assertRefused(base.replace("\"num_hidden_layers\": 24", "\"num_hidden_layers\": \"24\""),
                "num_hidden_layers: expected an integer from 1 to 2147483647, found the string \"24\"");
        assertRefused(base.replace("\"tie_word_embeddings\": true", "\"tie_word_embeddings\": 1"),
                "tie_word_embeddings: expected true or false, found the number 1");
        assertRefused(base.replace("\"torch_dtype\": \"bfloat16\",", ""), "torch_dtype: expected the weights' dtype (torch_dtype or dtype)");
        assertRefused(base.replace("\"eos_token_id\": 151643", "\"eos_token_id\": [151643, 151645]"),
                "eos_token_id: expected an integer from 0 to 2147483647, found an array of 2");
        assertRefused(base.replace("\"rope_theta\": 1000000.0", "\"rope_theta\": 1e999"), "rope_theta: expected a finite number");
        assertRefused("[1]", "(top level): expected an object, found an array of 1");
        assertRefused(base.replace("\"vocab_size\": 151936", "\"vocab_size\": 151936,"), "invalid JSON at line 28, column 1: expected a string key");
    }

    @Test
    void errorsNameTheFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"model_type\": \"qwen3\", \"architectures\": [\"Qwen3ForCausalLM\"]}");
        FileFormatException e = assertThrows(FileFormatException.class, () -> Qwen2Config.load(file));
        assertTrue(e.getMessage().startsWith(file + ": model_type: "), e.getMessage());
    }

    private static void assertRefused(String json, String fragment) {
        FileFormatException e = assertThrows(FileFormatException.class, () -> Qwen2Config.parse(json, "c.json"), fragment);
        assertTrue(e.getMessage().startsWith("c.json: "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), "missing <" + fragment + "> in: " + e.getMessage());
    }
}
