package dev.latentr3.train.cli;

import dev.latentr3.model.json.Json;
import dev.latentr3.model.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class TokenizeCommandTest {
    @TempDir
    Path tmp;

    /** Lines that JSON must escape (quotes, backslashes, control characters) and non-ASCII text. */
    private static final List<String> LINES = List.of("plain words", "say \"hi\" \\ back\tslash \u0001",
            "caf\u00e9 \u65e5\u672c \uD83C\uDF89", "<|im_start|>user", "");

    @Test
    void eachLineBecomesAJsonObjectThatRoundTrips() throws IOException {
        Path model = CliRun.tinyModel(tmp.resolve("m"), 1);
        Tokenizer tokenizer = Tokenizer.load(model.resolve("tokenizer.json"));
        CliRun r = CliRun.withStdin(String.join("\n", LINES) + "\n", "tokenize", "--model", model.toString());
        assertEquals(0, r.status(), r.err());
        List<String> out = r.out().lines().toList();
        assertEquals(LINES.size(), out.size(), r.out());
        for (int i = 0; i < LINES.size(); i++) {
            Map<?, ?> json = (Map<?, ?>) Json.parse(out.get(i), "line " + (i + 1));
            assertEquals(List.of("text", "ids", "tokens"), List.copyOf(json.keySet()));
            assertEquals(LINES.get(i), json.get("text"));
            int[] ids = ((List<?>) json.get("ids")).stream().mapToInt(v -> Math.toIntExact((Long) v)).toArray();
            assertArrayEquals(tokenizer.encode(LINES.get(i)), ids);
            assertEquals(LINES.get(i), tokenizer.decode(ids), "ids decode back to the line");
            List<?> tokens = (List<?>) json.get("tokens");
            for (int k = 0; k < ids.length; k++) assertEquals(tokenizer.token(ids[k]), tokens.get(k));
        }
    }

    @Test
    void idsOnlyLeavesOutTextAndTokens() {
        Path model = CliRun.tinyModel(tmp.resolve("m"), 1);
        CliRun r = CliRun.withStdin("ab\r\n", "tokenize", "--model", model.toString(), "--ids-only");
        assertEquals(0, r.status(), r.err());
        assertEquals("{\"ids\":[97,98]}\n", r.out());
    }

    @Test
    void argumentErrors() {
        CliRun.of("tokenize").assertUsageError("--model is required");
        CliRun.of("tokenize", "--model", tmp.toString(), "--json").assertUsageError("unexpected argument '--json'");
        CliRun missing = CliRun.of("tokenize", "--model", tmp.resolve("none").toString());
        assertEquals(Main.FAILURE, missing.status());
        assertEquals(1, missing.err().lines().count(), missing.err());
    }
}
