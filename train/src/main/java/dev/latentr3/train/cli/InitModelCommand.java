package dev.latentr3.train.cli;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.engine.random.Rng;
import dev.latentr3.model.checkpoint.SafetensorsCheckpoint;
import dev.latentr3.model.checkpoint.SafetensorsWriter;
import dev.latentr3.model.config.Qwen2Config;
import dev.latentr3.model.config.Qwen2Presets;
import dev.latentr3.model.qwen2.Qwen2Init;
import dev.latentr3.model.tokenizer.ByteLevelTokenizerJson;
import dev.latentr3.model.tokenizer.Tokenizer;
import dev.latentr3.train.dataset.AtomicFiles;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SequencedMap;
import java.util.Set;

/**
 * {@code latentr3 init-model}: a Hugging Face style Qwen2 folder with random weights (see {@link Qwen2Init}), for
 * training from scratch or testing. Each file is written whole or not at all (temporary file, then rename), and the
 * same arguments give byte-identical files.
 */
final class InitModelCommand {
    private InitModelCommand() {}

    static final String USAGE = "init-model --preset tiny|qwen2.5-0.5b-shape --out DIR [--seed N] [--layers N] "
            + "[--thought] [--tokenizer FILE]";
    static final String TINY = "tiny";
    static final String QWEN25_HALF_B = "qwen2.5-0.5b-shape";
    static final String THOUGHT_TOKEN = "<|Thought|>";
    private static final long DEFAULT_SEED = 42L;

    static int run(String[] argv, InputStream in, PrintStream out, PrintStream err) throws IOException {
        Args args = new Args(argv, Set.of("--preset", "--out", "--seed", "--layers", "--tokenizer"), Set.of("--thought"));
        String preset = args.required("--preset");
        if (!preset.equals(TINY) && !preset.equals(QWEN25_HALF_B)) {
            throw new Args.UsageException("--preset must be " + TINY + " or " + QWEN25_HALF_B + ", got '" + preset + "'");
        }
        Path dir = args.requiredPath("--out");
        long seed = args.longValue("--seed", DEFAULT_SEED);
        boolean tiny = preset.equals(TINY);
        int layers = args.positiveInt("--layers", tiny ? Qwen2Presets.TINY_LAYERS : Qwen2Presets.QWEN25_HALF_B_LAYERS);
        if (tiny && args.has("--tokenizer")) {
            throw new Args.UsageException("--tokenizer needs --preset " + QWEN25_HALF_B + " (the tiny model's vocabulary is byte-level)");
        }
        if (args.has("--tokenizer") && args.has("--thought")) {
            throw new Args.UsageException("--thought only applies to the byte-level tokenizer, not to --tokenizer FILE");
        }

        List<String> specials = new ArrayList<>(ByteLevelTokenizerJson.QWEN_SPECIAL_TOKENS);
        if (args.has("--thought")) specials.add(THOUGHT_TOKEN);
        String tokenizerJson;
        Tokenizer tokenizer;
        if (args.has("--tokenizer")) {
            Path file = args.requiredPath("--tokenizer");
            tokenizer = Tokenizer.load(file); // checks that we can read it before copying it
            tokenizerJson = Files.readString(file, StandardCharsets.UTF_8);
        } else {
            tokenizerJson = ByteLevelTokenizerJson.json(specials);
            tokenizer = Tokenizer.fromJson(tokenizerJson, "byte-level tokenizer");
        }
        String eosToken = ByteLevelTokenizerJson.QWEN_SPECIAL_TOKENS.getFirst();
        int eos = tokenizer.tokenId(eosToken);
        if (eos < 0) throw new IllegalArgumentException(tokenizer.source() + " has no " + eosToken + " token to end sequences with");

        Qwen2Config config = tiny ? Qwen2Presets.tiny(tokenizer.vocabSize(), eos, layers) : Qwen2Presets.qwen25HalfB(eos, layers);
        if (tokenizer.vocabSize() > config.vocabSize()) {
            throw new IllegalArgumentException(tokenizer.source() + " has " + tokenizer.vocabSize() + " tokens, more than the "
                    + config.vocabSize() + " embedding rows of " + preset);
        }
        Files.createDirectories(dir);
        long parameters;
        try (TensorScope scope = TensorScope.open()) { // frees the weights (2 GB for Qwen2.5-0.5B) once written
            SequencedMap<String, Tensor> weights = Qwen2Init.weights(config, Rng.seeded(seed));
            parameters = weights.values().stream().mapToLong(Tensor::numel).sum();
            SafetensorsWriter.write(dir.resolve(SafetensorsCheckpoint.SINGLE_FILE), weights, Map.of("format", "pt"));
        }
        AtomicFiles.writeUtf8(dir.resolve("tokenizer.json"), tokenizerJson);
        // config.json last: a folder with a config is one whose weights and tokenizer are already in place.
        AtomicFiles.writeUtf8(dir.resolve("config.json"), config.toJson());
        long bytes = Files.size(dir.resolve(SafetensorsCheckpoint.SINGLE_FILE));
        out.printf(Locale.ROOT, "Wrote %s: Qwen2 %s, %d layers, hidden %d, vocabulary %d (tokenizer %d), seed %d: "
                        + "%,d parameters, model.safetensors %,d bytes (F32)%n",
                dir, preset, layers, config.hiddenSize(), config.vocabSize(), tokenizer.vocabSize(), seed, parameters, bytes);
        return 0;
    }
}
