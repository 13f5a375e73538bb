package dev.latentr3.model.tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * What {@link BpeTrainer} learned: the BPE vocabulary (id = index; byte-level spellings, the 256 single bytes first
 * with id = byte value), the merges in rank order ("left right"), and the special tokens numbered after the
 * vocabulary. It becomes a Qwen2-configured tokenizer.json that both our {@link Tokenizer} and Hugging Face
 * tokenizers load.
 */
public record TrainedBpe(List<String> tokens, List<String> merges, List<String> specialTokens) {
    public TrainedBpe {
        tokens = List.copyOf(tokens);
        merges = List.copyOf(merges);
        specialTokens = List.copyOf(specialTokens);
    }

    /** All ids: the BPE tokens plus the special tokens. */
    public int vocabSize() {
        return tokens.size() + specialTokens.size();
    }

    /** The id of a special token (e.g. {@link BpeTrainer#END_OF_TEXT}). */
    public int specialTokenId(String content) {
        int i = specialTokens.indexOf(content);
        if (i < 0) throw new IllegalArgumentException("\"" + content + "\" is not one of the special tokens " + specialTokens);
        return tokens.size() + i;
    }

    /** The tokenizer.json text (pretty-printed). */
    public String json() {
        return ByteLevelTokenizerJson.json(tokens, merges, specialTokens);
    }

    /** Writes tokenizer.json to file through a temporary file in the same folder, so a reader never sees half of it. */
    public void writeJson(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temporary = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            Files.writeString(temporary, json(), StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** The tokenizer this vocabulary describes, as loading the written file would give. */
    public Tokenizer toTokenizer() {
        return Tokenizer.fromJson(json(), "trained BPE tokenizer");
    }
}
