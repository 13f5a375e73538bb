package dev.latentr3.train.cli;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.engine.random.Rng;
import dev.latentr3.model.checkpoint.SafetensorsWriter;
import dev.latentr3.model.config.Qwen2Config;
import dev.latentr3.model.config.Qwen2Presets;
import dev.latentr3.model.qwen2.Qwen2Init;
import dev.latentr3.model.tokenizer.ByteLevelTokenizerJson;
import dev.latentr3.model.generate.Generation;
import dev.latentr3.model.generate.LogitsProcessor;
import dev.latentr3.model.qwen2.Qwen2Decoder;
import dev.latentr3.model.qwen2.Qwen2ForCausalLM;
import dev.latentr3.model.tokenizer.Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenerateCommandTest {
    private static final String PROMPT = "The keeper ";
    private static final int MAX_NEW = 12;

    @TempDir
    static Path tmp;
    private static Path model;

    @BeforeAll
    static void initModel() {
        model = CliRun.tinyModel(tmp.resolve("m"), 3);
    }

    private static CliRun generate(String... extra) {
        String[] args = new String[6 + extra.length];
        System.arraycopy(new String[]{"generate", "--model", model.toString(), "--prompt", PROMPT, "--max-new"}, 0, args, 0, 6);
        System.arraycopy(extra, 0, args, 6, extra.length);
        return CliRun.of(args);
    }

    @Test
    void greedyPrintsWhatGenerationGreedyGivesOnTheSameModel() throws IOException {
        CliRun r = generate(Integer.toString(MAX_NEW), "--greedy");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("tokens/s"), r.err());

        Qwen2ForCausalLM m = Qwen2ForCausalLM.load(model);
        Tokenizer tokenizer = Tokenizer.load(model.resolve("tokenizer.json"));
        int[] prompt = tokenizer.encode(PROMPT);
        int[] expected;
        try (var scope = TensorScope.open();
             var decoder = Qwen2Decoder.start(m, Tensor.ofInts(prompt, 1, prompt.length), null, 1, MAX_NEW)) {
            expected = Generation.greedy(decoder, MAX_NEW, m.config().eosTokenId(), LogitsProcessor.NONE)[0];
        }
        assertEquals(tokenizer.decode(expected, true) + "\n", r.out());
        assertEquals(r.out(), generate(Integer.toString(MAX_NEW)).out(), "greedy is the default");
    }

    @Test
    void samplingIsReproducibleFromItsSeedAndBeamsRun() {
        CliRun a = generate(Integer.toString(MAX_NEW), "--temperature", "1.5", "--top-k", "50", "--top-p", "0.95", "--seed", "7");
        CliRun b = generate(Integer.toString(MAX_NEW), "--temperature", "1.5", "--top-k", "50", "--top-p", "0.95", "--seed", "7");
        assertEquals(0, a.status(), a.err());
        assertEquals(a.out(), b.out());
        CliRun beams = generate(Integer.toString(MAX_NEW), "--beams", "3");
        assertEquals(0, beams.status(), beams.err());
        assertTrue(beams.out().endsWith("\n") && beams.err().contains("new tokens"), beams.err());
    }

    /**
     * A model with more embedding rows than its tokenizer has tokens (as a byte-level tokenizer on Qwen2.5's shape):
     * the rows without text are never generated, whatever the weights prefer.
     */
    @Test
    void rowsBeyondTheTokenizerAreNeverGenerated() throws IOException {
        Path dir = tmp.resolve("wide");
        Files.createDirectories(dir);
        Qwen2Config config = Qwen2Presets.tiny(400, 256, 1);
        try (var scope = TensorScope.open()) {
            var weights = Qwen2Init.weights(config, Rng.seeded(1));
            // Make the extra rows the likeliest continuations: a large embedding row has a large tied logit
            // (std 1 against 0.02: logits of std about 8 against 0.16 for the rows with text).
            Rng.seeded(2).normal(weights.get("model.embed_tokens.weight").slice(0, 259, 400), 0f, 1f);
            SafetensorsWriter.write(dir.resolve("model.safetensors"), weights, Map.of());
        }
        Files.writeString(dir.resolve("config.json"), config.toJson());
        Files.writeString(dir.resolve("tokenizer.json"), ByteLevelTokenizerJson.json(ByteLevelTokenizerJson.QWEN_SPECIAL_TOKENS));
        for (String[] mode : List.of(new String[]{"--greedy"}, new String[]{"--seed", "3"}, new String[]{"--beams", "2"})) {
            String[] args = new String[7 + mode.length];
            System.arraycopy(new String[]{"generate", "--model", dir.toString(), "--prompt", "ab", "--max-new", "6"}, 0, args, 0, 7);
            System.arraycopy(mode, 0, args, 7, mode.length);
            CliRun r = CliRun.of(args);
            assertEquals(0, r.status(), String.join(" ", mode) + ": " + r.err());
        }
    }

    @Test
    void argumentErrorsAreOneLineAndStatusTwo() {
        CliRun.of("generate", "--prompt", "x").assertUsageError("--model is required");
        generate("0").assertUsageError("--max-new needs a positive whole number, got '0'");
        generate("4", "--greedy", "--temperature", "0.7").assertUsageError("choose one of --greedy");
        generate("4", "--beams", "2", "--seed", "1").assertUsageError("choose one of --greedy");
        generate("4", "--temperature", "0").assertUsageError("--temperature needs a number > 0, got '0'");
        generate("4", "--top-p", "1.5").assertUsageError("--top-p needs a number > 0 and <= 1, got '1.5'");
        CliRun.of("generate", "--model", model.toString(), "--prompt", "").assertUsageError("--prompt must not be empty");
        CliRun missing = CliRun.of("generate", "--model", tmp.resolve("none").toString(), "--prompt", "x");
        assertEquals(Main.FAILURE, missing.status());
        assertEquals(1, missing.err().lines().count(), missing.err());
    }
}
