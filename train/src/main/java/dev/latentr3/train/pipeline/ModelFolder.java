package dev.latentr3.train.pipeline;

import dev.latentr3.engine.Tensor;
import dev.latentr3.model.checkpoint.SafetensorsCheckpoint;
import dev.latentr3.model.checkpoint.SafetensorsFile;
import dev.latentr3.model.checkpoint.SafetensorsWriter;
import dev.latentr3.model.latent.LatentRATT;
import dev.latentr3.model.qwen2.Qwen2ForCausalLM;
import dev.latentr3.model.tokenizer.Tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A model as a folder that {@code sft}, {@code rl} and {@code eval} hand to each other: a Hugging Face Qwen2 folder
 * ({@code config.json}, {@code model.safetensors}, {@code tokenizer.json}, readable by {@code generate} and by
 * Hugging Face) plus, for a LatentR3 model, {@code latent_attention.safetensors} with LatentRATT's six tensors under
 * their {@link LatentRATT#PREFIX} names. A separate file keeps model.safetensors a plain Qwen2 checkpoint.
 *
 * <p>The folder is written whole or not at all: into a temporary sibling, then renamed over the old one.
 */
public final class ModelFolder {
    public static final String CONFIG = "config.json";
    public static final String TOKENIZER = "tokenizer.json";
    public static final String LATENT_ATTENTION = "latent_attention.safetensors";
    /** The metadata key of {@link #LATENT_ATTENTION} that holds N, the latent tokens per prompt (absent: 1). */
    static final String LATENT_TOKENS = "latent_tokens";

    private ModelFolder() {}

    public static void write(Path dir, RecModel model) {
        Path parent = dir.toAbsolutePath().getParent();
        String name = dir.getFileName().toString();
        Path temp = parent.resolve("." + name + ".tmp-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        Path previous = parent.resolve("." + name + ".old-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try {
            Files.createDirectories(temp);
            SafetensorsWriter.write(temp.resolve(SafetensorsCheckpoint.SINGLE_FILE), model.llm().namedParameters(),
                    Map.of("format", "pt"));
            if (model.isLatent()) {
                SafetensorsWriter.write(temp.resolve(LATENT_ATTENTION), model.attention().namedParameters(),
                        Map.of("format", "pt", "thought_token_id", Integer.toString(model.llm().config().vocabSize() - 1),
                                LATENT_TOKENS, Integer.toString(model.latentTokens())));
            }
            Files.writeString(temp.resolve(TOKENIZER), model.tokenizerJson(), StandardCharsets.UTF_8);
            Files.writeString(temp.resolve(CONFIG), model.llm().config().toJson(), StandardCharsets.UTF_8);
            if (Files.exists(dir)) Files.move(dir, previous, StandardCopyOption.ATOMIC_MOVE);
            Files.move(temp, dir, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(previous);
        } catch (IOException e) {
            throw new UncheckedIOException("model folder: cannot write " + dir, e);
        }
    }

    /** Reads a folder written by {@link #write} (or any Qwen2 folder with a tokenizer.json: a baseline model). */
    public static RecModel read(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("model folder " + dir + ": not a folder; expected config.json, "
                    + "model.safetensors and tokenizer.json (what sft or rl write)");
        }
        try {
            Qwen2ForCausalLM llm = Qwen2ForCausalLM.load(dir);
            String json = Files.readString(dir.resolve(TOKENIZER), StandardCharsets.UTF_8);
            Tokenizer tokenizer = Tokenizer.fromJson(json, dir.resolve(TOKENIZER).toString());
            LatentRATT attention = null;
            int latentTokens = 0;
            Path latent = dir.resolve(LATENT_ATTENTION);
            if (Files.exists(latent)) {
                try (SafetensorsFile file = SafetensorsFile.open(latent)) {
                    latentTokens = latentTokens(file.metadata().get(LATENT_TOKENS), latent);
                    Map<String, Tensor> tensors = new HashMap<>();
                    for (String n : file.names()) tensors.put(n, file.tensor(n));
                    attention = LatentRATT.load(llm.config().hiddenSize(), tensors, LatentRATT.PREFIX); // copies
                }
            }
            return new RecModel(llm, attention, tokenizer, json, latentTokens);
        } catch (IOException e) {
            throw new UncheckedIOException("model folder " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    private static int latentTokens(String text, Path file) {
        if (text == null) return 1; // folders written before N was recorded: the published single latent
        try {
            int n = Integer.parseInt(text.strip());
            if (n >= 1) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(file + ": __metadata__." + LATENT_TOKENS + ": expected a whole number >= 1, got " + text);
    }
}
