package dev.latentr3.train.eval;

import dev.latentr3.model.json.JsonWriter;
import dev.latentr3.model.tokenizer.Tokenizer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A byte-level tokenizer.json in Qwen2's format, small enough to reason about by hand: ids 0..255 are the bytes (so
 * '"' is 34, 'A' is 65), then two merges, "ĠH" (256, a space before 'H') and "\"Ċ" (257, a quote before a newline,
 * which every target ends with), then the special tokens {@code <|endoftext|>} (258) and {@code <|Thought|>} (259).
 */
public final class TinyTokenizer {
    public static final int SPACE_H = 256, QUOTE_NEWLINE = 257, EOS = 258, THOUGHT = 259, VOCAB = 260;
    /** Qwen2's split pattern, the only one the loader accepts. */
    private static final String QWEN_PATTERN =
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private TinyTokenizer() {}

    public static Tokenizer load() {
        return Tokenizer.fromJson(json(2), "tiny-tokenizer.json");
    }

    /** The tokenizer.json text with the first {@code specialTokens} of EOS and the thought token (0, 1 or 2). */
    public static String json(int specialTokens) {
        Map<String, Object> vocab = new LinkedHashMap<>();
        for (int b = 0; b < 256; b++) vocab.put(String.valueOf(byteChar(b)), b);
        String space = String.valueOf(byteChar(' ')), newline = String.valueOf(byteChar('\n'));
        vocab.put(space + "H", SPACE_H);
        vocab.put("\"" + newline, QUOTE_NEWLINE);
        Map<String, Object> byteLevel = Map.of("type", "ByteLevel", "add_prefix_space", false, "trim_offsets", false, "use_regex", false);
        Map<String, Object> split = new LinkedHashMap<>();
        split.put("type", "Split");
        split.put("pattern", Map.of("Regex", QWEN_PATTERN));
        split.put("behavior", "Isolated");
        split.put("invert", false);
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("dropout", dev.latentr3.model.json.Json.NULL);
        model.put("unk_token", dev.latentr3.model.json.Json.NULL);
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        model.put("vocab", vocab);
        model.put("merges", List.of(space + " H", "\" " + newline));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", "1.0");
        root.put("truncation", dev.latentr3.model.json.Json.NULL);
        root.put("padding", dev.latentr3.model.json.Json.NULL);
        root.put("added_tokens", List.of(special(EOS, "<|endoftext|>"), special(THOUGHT, "<|Thought|>")).subList(0, specialTokens));
        root.put("normalizer", Map.of("type", "NFC"));
        root.put("pre_tokenizer", Map.of("type", "Sequence", "pretokenizers", List.of(split, byteLevel)));
        root.put("post_processor", byteLevel);
        root.put("decoder", byteLevel);
        root.put("model", model);
        return JsonWriter.compact(root);
    }

    private static Map<String, Object> special(int id, String content) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("content", content);
        m.put("single_word", false);
        m.put("lstrip", false);
        m.put("rstrip", false);
        m.put("normalized", false);
        m.put("special", true);
        return m;
    }

    /** GPT-2's byte-level alphabet: printable Latin-1 bytes stand for themselves, the rest get U+0100.. in order. */
    private static char byteChar(int b) {
        int next = 0x100;
        for (int x = 0; x < 256; x++) {
            boolean printable = (x >= '!' && x <= '~') || (x >= 0xA1 && x <= 0xAC) || (x >= 0xAE && x <= 0xFF);
            if (x == b) return printable ? (char) x : (char) next;
            if (!printable) next++;
        }
        throw new IllegalArgumentException("not a byte: " + b);
    }
}
