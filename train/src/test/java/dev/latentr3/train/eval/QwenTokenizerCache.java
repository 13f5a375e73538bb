package dev.latentr3.train.eval;

import dev.latentr3.model.tokenizer.Tokenizer;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Qwen's real tokenizer.json where the model module's tests fetch it ({@code ~/.cache/latentr3}, or the
 * {@code latentr3.cache} property). This module does not fetch it itself: tests that need it skip when it is absent.
 */
final class QwenTokenizerCache {
    private static Tokenizer loaded;

    private QwenTokenizerCache() {}

    static synchronized Tokenizer loadOrSkip() throws IOException {
        if (loaded != null) return loaded;
        String cache = System.getProperty("latentr3.cache", Path.of(System.getProperty("user.home"), ".cache", "latentr3").toString());
        Path file = Path.of(cache, "tokenizer-qwen3-3.7.2", "tokenizer.json");
        Assumptions.assumeTrue(Files.isRegularFile(file), "Qwen's tokenizer.json is not at " + file
                + " (the model module's tests fetch it); skipping");
        loaded = Tokenizer.load(file);
        return loaded;
    }
}
