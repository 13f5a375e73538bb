package dev.latentr3.model.tokenizer;

import dev.latentr3.model.json.Json;
import dev.latentr3.model.json.JsonWriter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The tokenizer.json of a tiny model: Qwen2's configuration (NFC, Qwen2's split regex, byte-level mapping and
 * decoding) with a vocabulary of only the 256 byte-level symbols (id = byte value) and no merges, so every UTF-8 byte
 * is one token, plus special tokens numbered from 256 on. A model with 151k rows cannot learn from a few kilobytes of
 * text; one with 259 can, and it still goes through the one {@link Tokenizer} the real models use.
 *
 * <p>{@link BpeTrainer} writes its trained vocabulary and merges through the same Qwen2 configuration
 * ({@link #json(List, List, List)}).
 */
public final class ByteLevelTokenizerJson {
    private ByteLevelTokenizerJson() {}

    /** Qwen2.5's chat and end-of-text markers, in Qwen's order; the first is the end-of-sequence token. */
    public static final List<String> QWEN_SPECIAL_TOKENS = List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>");
    /** Special tokens start after the byte symbols. */
    public static final int FIRST_SPECIAL_ID = 256;

    /** The tokenizer.json text (pretty-printed) for the byte symbols plus specialTokens, in that order. */
    public static String json(List<String> specialTokens) {
        List<String> bytes = new ArrayList<>(256);
        for (int b = 0; b < 256; b++) bytes.add(String.valueOf(ByteLevel.charOf(b)));
        return json(bytes, List.of(), specialTokens);
    }

    /**
     * A Qwen2-configured tokenizer.json for a byte-level BPE vocabulary: tokens.get(id) is token id's byte-level
     * spelling (all 256 single-byte symbols must be among them), merges are "left right" lines in rank order, and the
     * special tokens are numbered after the vocabulary, as Hugging Face numbers added tokens.
     */
    /**
     * {@code tokenizerJson} (any tokenizer.json text) with {@code content} appended to its {@code added_tokens} as
     * special token {@code id}: the file that matches {@link Tokenizer#withSpecialToken} on the tokenizer it reads as.
     */
    public static String withSpecialToken(String tokenizerJson, String content, int id) {
        @SuppressWarnings("unchecked")
        Map<String, Object> root = new LinkedHashMap<>((Map<String, Object>) Json.parse(tokenizerJson, "tokenizer.json"));
        List<Object> added = new ArrayList<>(root.get("added_tokens") instanceof List<?> l ? l : List.of());
        added.add(specialTokenEntry(id, content));
        root.put("added_tokens", added);
        return JsonWriter.pretty(root);
    }

    /** One {@code added_tokens} entry of a special token, as Hugging Face writes them. */
    private static Map<String, Object> specialTokenEntry(int id, String content) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("id", id);
        t.put("content", content);
        t.put("single_word", false);
        t.put("lstrip", false);
        t.put("rstrip", false);
        t.put("normalized", false);
        t.put("special", true);
        return t;
    }

    static String json(List<String> tokens, List<String> merges, List<String> specialTokens) {
        if (new LinkedHashSet<>(specialTokens).size() != specialTokens.size()) {
            throw new IllegalArgumentException("ByteLevelTokenizerJson: special tokens must be distinct, got " + specialTokens);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", "1.0");
        root.put("truncation", Json.NULL);
        root.put("padding", Json.NULL);
        List<Object> added = new ArrayList<>();
        for (int i = 0; i < specialTokens.size(); i++) added.add(specialTokenEntry(tokens.size() + i, specialTokens.get(i)));
        root.put("added_tokens", added);
        root.put("normalizer", Map.of("type", "NFC"));
        Map<String, Object> split = new LinkedHashMap<>();
        split.put("type", "Split");
        split.put("pattern", Map.of("Regex", QwenPreTokenizer.PATTERN));
        split.put("behavior", "Isolated");
        split.put("invert", false);
        Map<String, Object> pre = new LinkedHashMap<>();
        pre.put("type", "Sequence");
        pre.put("pretokenizers", List.of(split, byteLevel()));
        root.put("pre_tokenizer", pre);
        root.put("post_processor", byteLevel());
        root.put("decoder", byteLevel());
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("dropout", Json.NULL);
        model.put("unk_token", Json.NULL);
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        Map<String, Object> vocab = new LinkedHashMap<>();
        for (int id = 0; id < tokens.size(); id++) {
            if (vocab.put(tokens.get(id), id) != null) {
                throw new IllegalArgumentException("ByteLevelTokenizerJson: token \"" + tokens.get(id) + "\" is given twice");
            }
        }
        model.put("vocab", vocab);
        model.put("merges", merges);
        root.put("model", model);
        return JsonWriter.pretty(root);
    }

    /** The tokenizer that {@link #json} describes, without going through a file. */
    public static Tokenizer tokenizer(List<String> specialTokens) {
        return Tokenizer.fromJson(json(specialTokens), "byte-level tokenizer");
    }

    /** ByteLevel as Qwen2 configures it inside its pre-tokenizer, post-processor and decoder. */
    private static Map<String, Object> byteLevel() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "ByteLevel");
        m.put("add_prefix_space", false);
        m.put("trim_offsets", false);
        m.put("use_regex", false);
        return m;
    }
}
