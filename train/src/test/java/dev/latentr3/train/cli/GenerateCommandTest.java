package dev.latentr3.train.cli;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.model.generate.Generation;
import dev.latentr3.model.generate.LogitsProcessor;
import dev.latentr3.model.qwen2.Qwen2Decoder;
import dev.latentr3.model.qwen2.Qwen2ForCausalLM;
import dev.latentr3.model.tokenizer.Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

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
