package dev.latentr3.model.tokenizer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small tokenizer.json in Qwen2's format, for tests that need a vocabulary they can reason about by hand: ids
 * 0..255 are the 256 byte-level tokens in byte order (so 'a' is 97 and 'Ġ', the space, is 32), then any extra
 * tokens. Each top-level section can be replaced by a JSON fragment to build broken or unsupported files.
 */
public final class TinyTokenizerJson {
    static final String QWEN_PRE_TOKENIZER = "{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Split\",\"pattern\":{\"Regex\":"
            + quote(QwenPreTokenizer.PATTERN) + "},\"behavior\":\"Isolated\",\"invert\":false},"
            + "{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":false,\"use_regex\":false}]}";
    static final String BYTE_LEVEL = "{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":false,\"use_regex\":false}";

    private final Map<String, String> sections = new LinkedHashMap<>();
    private final Map<String, String> model = new LinkedHashMap<>();

    /** extraTokens get ids 256, 257, ...; merges is the JSON array of merges. */
    public TinyTokenizerJson(List<String> extraTokens, String merges) {
        StringBuilder vocab = new StringBuilder("{");
        for (int b = 0; b < 256; b++) vocab.append(quote(String.valueOf(ByteLevel.charOf(b)))).append(':').append(b).append(',');
        for (int i = 0; i < extraTokens.size(); i++) vocab.append(quote(extraTokens.get(i))).append(':').append(256 + i).append(',');
        vocab.setLength(vocab.length() - 1);
        vocab.append('}');
        sections.put("version", "\"1.0\"");
        sections.put("truncation", "null");
        sections.put("padding", "null");
        sections.put("added_tokens", "[]");
        sections.put("normalizer", "{\"type\":\"NFC\"}");
        sections.put("pre_tokenizer", QWEN_PRE_TOKENIZER);
        sections.put("post_processor", BYTE_LEVEL);
        sections.put("decoder", BYTE_LEVEL);
        model.put("type", "\"BPE\"");
        model.put("dropout", "null");
        model.put("unk_token", "null");
        model.put("continuing_subword_prefix", "\"\"");
        model.put("end_of_word_suffix", "\"\"");
        model.put("fuse_unk", "false");
        model.put("byte_fallback", "false");
        model.put("ignore_merges", "false");
        model.put("vocab", vocab.toString());
        model.put("merges", merges);
    }

    /** Replaces (or with null removes) a top-level section; an unknown name adds it. */
    public TinyTokenizerJson set(String section, String json) {
        if (json == null) sections.remove(section);
        else sections.put(section, json);
        return this;
    }

    TinyTokenizerJson setModel(String field, String json) {
        if (json == null) model.remove(field);
        else model.put(field, json);
        return this;
    }

    String json() {
        StringBuilder sb = new StringBuilder("{\n");
        for (Map.Entry<String, String> e : sections.entrySet()) sb.append(quote(e.getKey())).append(": ").append(e.getValue()).append(",\n");
        sb.append("\"model\": {");
        for (Map.Entry<String, String> e : model.entrySet()) sb.append(quote(e.getKey())).append(':').append(e.getValue()).append(',');
        sb.setLength(sb.length() - 1);
        return sb.append("}\n}").toString();
    }

    public Tokenizer load() {
        return Tokenizer.fromJson(json(), "tiny.json");
    }

    /** An added-token entry with the given flags. */
    public static String addedToken(int id, String content, boolean special) {
        return "{\"id\":" + id + ",\"content\":" + quote(content) + ",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,"
                + "\"normalized\":false,\"special\":" + special + "}";
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.append('"').toString();
    }
}
