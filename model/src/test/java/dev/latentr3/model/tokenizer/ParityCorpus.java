package dev.latentr3.model.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Texts on which our tokenizer must agree with Hugging Face's: hand-picked cases for each branch of the Qwen2 regex
 * and of added-token matching, every CD title of the shared Amazon data set, and seeded random strings drawn from
 * the characters where tokenizers usually disagree (Unicode whitespace, combining marks, ZWJ emoji, CR/LF runs,
 * apostrophes, fragments of special tokens).
 */
final class ParityCorpus {
    private ParityCorpus() {
    }

    static List<String> handPicked() {
        List<String> t = new ArrayList<>(List.of(
                "", " ", "  ", "\n", "\r\n", "\t", "a", "Hello world", "Hello, world!", " leading space", "trailing space ",
                // Contractions in every case, glued and spaced, and near misses.
                "it's don't we're I've I'm you'll he'd", "IT'S DON'T WE'RE I'VE I'M YOU'LL HE'D", "It'S 'LL 'Ll 'lL 'Re 'vE",
                "'s's't'", "''s", "' s", "'", "''", "'x 'q 'ss 'tt 'rr", "rock'n'roll", "o'clock ’s ’S",
                "'\u017F 'stop 'ſt 'ſa 'ſſ x'ſ", "\u212A 'K 'k",
                // Digits and numbers: \p{N} takes one character at a time.
                "1", "12", "123456789012345678901234567890", "3.14159 2,000,000 1e-9 -42 +7", "٣٤٥ ๑๒๓ ①②③ Ⅻ ½ ²³",
                "price: $1,299.99 (was $1499)", "2024-01-31T12:34:56Z",
                // Whitespace runs of every kind.
                "a  b   c    d", "a\tb\t\tc", "a\n\nb\n\n\nc", "a\r\nb\r\n\r\nc", "a \n b \n\n c", "  \n\n  hello   world  \t\n",
                "x\u00A0y\u2003z\u3000w\u2028v\u2029u\u0085t\u000Bs\u000Cr", "\u001C\u001D\u001E\u001F", "end with spaces   ",
                "end with newline\n", "\n\n\nstart", "tab\tsep\tvalues\n1\t2\t3\n", " \r \r\n \n\r",
                // Code.
                "def f(x):\n    return x**2  # square\n", "for (int i = 0; i < n; i++) {\n\tsum += a[i];\n}",
                "{\"key\": [1, 2, {\"nested\": null}]}", "<div class=\"x\">&amp;</div>", "x := y >>= 3 || z != w",
                "#include <stdio.h>\nint main(){printf(\"hi\\n\");}", "SELECT * FROM t WHERE a='b';",
                "    indented\n        more\n", "a==b!==c===d", "...!!!???", "--- *** ___ ~~~ ```java```",
                // Chinese, Japanese, Korean, other scripts.
                "你好，世界！", "我喜欢听周杰伦的歌。", "日本語のテキストです。カタカナとひらがな。", "한국어 텍스트입니다",
                "हिन्दी भाषा", "ภาษาไทย", "Ελληνικά", "Русский текст", "עברית", "العربية", "Tiếng Việt có dấu",
                "mixed中文English日本語123", "全角　スペース", "ｆｕｌｌｗｉｄｔｈ １２３",
                // Emoji, ZWJ sequences, flags, skin tones, variation selectors.
                "😀", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇺🇸🇯🇵", "❤️", "I ❤️ NY", "emoji😀glued", "😀 😀  😀\n😀",
                "🧑🏿‍💻 at work", "keycap 1️⃣ #️⃣",
                // Combining marks and normalization (NFC composes these).
                "e\u0301", "cafe\u0301", "café", "n\u0303o", "A\u030A", "\u1100\u1161\u11A8", "Å", "ﬁ ﬂ", "x\u0308\u0301",
                "\u0301 leading combining", "Ω Ω", "\uFEFF bom", "\u200B zwsp \u200D zwj \u200C zwnj",
                // Added tokens inside text, glued and partial.
                "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
                "<|endoftext|>", "a<|endoftext|>b", "<|endoftext|><|endoftext|>", "<|im_start", "|im_start|>", "<|im_start|",
                "<<|im_start|>>", "<|<|im_end|>|>", " <|im_start|> ", "<|endoftext|>\u0301", "e<|im_end|>\u0301",
                "<think>reasoning</think>answer", "<tool_call>{}</tool_call>", "<|fim_prefix|>a<|fim_suffix|>b<|fim_middle|>",
                "<|vision_start|><|image_pad|><|vision_end|>", "<|box_start|>(1,2)<|box_end|>", "<|file_sep|><|repo_name|>",
                "<|ENDOFTEXT|>", "< |endoftext| >",
                // Long runs: one pre-token of thousands of bytes.
                "=".repeat(3000), " ".repeat(1000) + "x", "ab".repeat(1500), "\n".repeat(500), "😀".repeat(300),
                "1".repeat(1000), "a".repeat(5000)));
        return t;
    }

    /** Titles from info.txt ("title TAB id" per line), or an empty list when the shared data is absent. */
    static List<String> amazonTitles() throws IOException {
        Path info = sharedDir().resolve("data/amazon-cds-2018/info.txt");
        if (!Files.isRegularFile(info)) return List.of();
        List<String> titles = new ArrayList<>();
        for (String line : Files.readAllLines(info)) {
            int tab = line.lastIndexOf('\t');
            titles.add(tab >= 0 ? line.substring(0, tab) : line);
        }
        return titles;
    }

    /** ../shared beside the repository root: surefire passes it as latentr3.shared; tests run in model/. */
    static Path sharedDir() {
        String prop = System.getProperty("latentr3.shared");
        return prop != null ? Path.of(prop) : Path.of("../../shared");
    }

    /** Pools of characters, mixed at random so every regex branch meets every neighbour. */
    private static final String[] POOLS = {
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", "sStTrReEvVmMlLdD'\u017F", "0123456789٣①½",
            "   \t\t\n\n\r\u00A0\u3000\u2009\u0085\u2028\u000B\u000C", ".,;:!?()[]{}<>|/\\-_=+*&^%$#@~`\"",
            "你好世界中文字日本語カタ한국", "éèüßçñøÅ\u0301\u0308\u0303", "😀👍🏽‍❤️🇺🇸🧑", "<|im_start|>", "<|endoftext|>", "<think>"};

    /** Seeded random strings, each a few to a few hundred characters. */
    static List<String> random(int count, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<String> out = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            int len = 1 + rnd.nextInt(k % 10 == 0 ? 400 : 40);
            StringBuilder sb = new StringBuilder();
            while (sb.length() < len) {
                String pool = POOLS[rnd.nextInt(POOLS.length)];
                if (pool.startsWith("<") && pool.length() > 6) {
                    // Whole added tokens, or a prefix of one, so partial matches are exercised too.
                    sb.append(rnd.nextBoolean() ? pool : pool.substring(0, 1 + rnd.nextInt(pool.length() - 1)));
                    continue;
                }
                int runs = 1 + rnd.nextInt(4);
                for (int r = 0; r < runs; r++) {
                    int i = rnd.nextInt(pool.length());
                    // Never split a surrogate pair: the string must stay valid Unicode.
                    if (Character.isLowSurrogate(pool.charAt(i))) i--;
                    sb.appendCodePoint(pool.codePointAt(i));
                }
            }
            out.add(sb.toString());
        }
        return out;
    }
}
