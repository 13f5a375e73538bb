package dev.latentr3.train.cli;

import dev.latentr3.model.json.JsonWriter;
import dev.latentr3.model.tokenizer.Tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code latentr3 tokenize}: each line of standard input (UTF-8, line ending removed) as one JSON object per output
 * line, {@code {"text": ..., "ids": [...], "tokens": [...]}} (tokens in their byte-level spelling, a space is 'Ġ'),
 * or {@code {"ids": [...]}} with --ids-only.
 */
final class TokenizeCommand {
    private TokenizeCommand() {}

    static final String USAGE = "tokenize --model DIR [--ids-only]";

    static int run(String[] argv, InputStream in, PrintStream out, PrintStream err) throws IOException {
        Args args = new Args(argv, Set.of("--model"), Set.of("--ids-only"));
        Path dir = args.requiredPath("--model");
        boolean idsOnly = args.has("--ids-only");
        Tokenizer tokenizer = Tokenizer.load(dir.resolve("tokenizer.json"));
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        for (String line; (line = reader.readLine()) != null; ) {
            int[] ids = tokenizer.encode(line);
            Map<String, Object> json = new LinkedHashMap<>();
            if (!idsOnly) json.put("text", line);
            json.put("ids", Arrays.stream(ids).boxed().toList());
            if (!idsOnly) {
                List<String> tokens = new ArrayList<>(ids.length);
                for (int id : ids) tokens.add(tokenizer.token(id));
                json.put("tokens", tokens);
            }
            out.println(JsonWriter.compact(json));
        }
        out.flush();
        return 0;
    }
}
