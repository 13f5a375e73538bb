package dev.latentr3.train.cli;

import dev.latentr3.engine.Tensor;
import dev.latentr3.model.checkpoint.SafetensorsCheckpoint;
import dev.latentr3.model.config.Qwen2Config;
import dev.latentr3.model.config.Qwen2Presets;
import dev.latentr3.model.qwen2.Qwen2ForCausalLM;
import dev.latentr3.model.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InitModelCommandTest {
    @TempDir
    Path tmp;

    @Test
    void theTinyFolderLoadsBackAsAModelAndATokenizer() throws IOException {
        CliRun r = CliRun.of("init-model", "--preset", "tiny", "--out", tmp.resolve("m").toString(), "--seed", "5");
        assertEquals(0, r.status(), r.err());
        Tokenizer tokenizer = Tokenizer.load(tmp.resolve("m/tokenizer.json"));
        assertEquals(259, tokenizer.vocabSize(), "256 byte symbols and 3 special tokens");
        int eos = tokenizer.tokenId("<|endoftext|>");
        assertEquals(256, eos);
        assertArrayEquals(new int[]{'h', 'i', ' ', 0xC3, 0xA9, 257}, tokenizer.encode("hi \u00e9<|im_start|>"),
                "one id per UTF-8 byte, special tokens whole");

        Qwen2ForCausalLM model = Qwen2ForCausalLM.load(tmp.resolve("m"));
        assertEquals(Qwen2Presets.tiny(259, eos, 2), model.config());
        long parameters = model.parameterCount();
        assertTrue(r.out().contains(String.format(Locale.ROOT, "%,d parameters", parameters)), r.out());
        assertTrue(r.out().contains(String.format(Locale.ROOT, "%,d bytes", Files.size(tmp.resolve("m/model.safetensors")))), r.out());

        Map<String, Tensor> w = model.namedParameters();
        assertTrue(w.containsKey("model.embed_tokens.weight") && !w.containsKey("lm_head.weight"), "tied embeddings");
        for (float v : w.get("model.norm.weight").toFloatArray()) assertEquals(1f, v);
        for (float v : w.get("model.layers.1.post_attention_layernorm.weight").toFloatArray()) assertEquals(1f, v);
        for (float v : w.get("model.layers.0.self_attn.k_proj.bias").toFloatArray()) assertEquals(0f, v);
        float[] embed = w.get("model.embed_tokens.weight").toFloatArray();
        double mean = 0, square = 0;
        for (float v : embed) {
            mean += v / embed.length;
            square += (double) v * v / embed.length;
        }
        // 16,576 draws of N(0, 0.02^2): the sample mean is within 4 standard errors (0.02 / sqrt(n)) of 0
        assertEquals(0, mean, 4 * 0.02 / Math.sqrt(embed.length));
        assertEquals(0.02, Math.sqrt(square - mean * mean), 0.001);
    }

    @Test
    void theSameSeedWritesByteIdenticalFilesAndAnotherSeedOtherWeights() throws IOException {
        Path a = CliRun.tinyModel(tmp.resolve("a"), 9), b = CliRun.tinyModel(tmp.resolve("b"), 9);
        Path c = CliRun.tinyModel(tmp.resolve("c"), 10);
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json")) {
            assertEquals(-1, Files.mismatch(a.resolve(f), b.resolve(f)), f + " differs between two runs with seed 9");
        }
        assertNotEquals(-1, Files.mismatch(a.resolve("model.safetensors"), c.resolve("model.safetensors")));
        assertEquals(-1, Files.mismatch(a.resolve("config.json"), c.resolve("config.json")));
        try (var stream = Files.list(a)) {
            assertEquals(3, stream.count(), "no temporary files left behind");
        }
    }

    @Test
    void layersAndTheThoughtTokenChangeTheShape() throws IOException {
        CliRun r = CliRun.of("init-model", "--preset", "tiny", "--out", tmp.toString(), "--layers", "3", "--thought");
        assertEquals(0, r.status(), r.err());
        Qwen2Config config = Qwen2Config.load(tmp.resolve("config.json"));
        assertEquals(3, config.numHiddenLayers());
        assertEquals(260, config.vocabSize());
        assertEquals(259, Tokenizer.load(tmp.resolve("tokenizer.json")).tokenId("<|Thought|>"));
        try (var checkpoint = SafetensorsCheckpoint.open(tmp)) {
            assertTrue(checkpoint.contains("model.layers.2.mlp.down_proj.weight"));
        }
    }

    @Test
    void argumentErrorsAreOneLineAndStatusTwo() {
        CliRun.of("init-model", "--out", tmp.toString()).assertUsageError("--preset is required");
        CliRun.of("init-model", "--preset", "huge", "--out", tmp.toString()).assertUsageError("--preset must be tiny or qwen2.5-0.5b-shape, got 'huge'");
        CliRun.of("init-model", "--preset", "tiny").assertUsageError("--out is required");
        CliRun.of("init-model", "--preset", "tiny", "--out", tmp.toString(), "--layers", "0").assertUsageError("--layers needs a positive whole number, got '0'");
        CliRun.of("init-model", "--preset", "tiny", "--out", tmp.toString(), "--seed").assertUsageError("--seed needs a value");
        CliRun.of("init-model", "--preset", "tiny", "--out", tmp.toString(), "--tokenizer", "t.json").assertUsageError("--tokenizer needs --preset qwen2.5-0.5b-shape");
        CliRun.of("init-model", "--preset", "tiny", "--out", tmp.toString(), "--bogus").assertUsageError("unexpected argument '--bogus'");
    }
}
