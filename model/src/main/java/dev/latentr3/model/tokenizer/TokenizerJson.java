package dev.latentr3.model.tokenizer;

import dev.latentr3.model.json.FileFormatException;
import dev.latentr3.model.json.Json;
import dev.latentr3.model.json.JsonField;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a Hugging Face tokenizer.json into a {@link Tokenizer}. It accepts exactly the configuration Qwen2 and
 * Qwen2.5 ship (byte-level BPE, NFC, the Qwen2 Split regex, ByteLevel decoding) and refuses anything else by name:
 * a field we would ignore could change the ids, and wrong ids fail silently much later, in training.
 */
final class TokenizerJson {
    private TokenizerJson() {
    }

    static Tokenizer load(Path path) throws IOException {
        byte[] bytes = Files.readAllBytes(path);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new FileFormatException(path + ": not valid UTF-8 (" + e.getMessage() + "); a tokenizer.json is UTF-8 JSON");
        }
        return parse(text, path.toString());
    }

    static Tokenizer parse(String json, String file) {
        JsonField root = JsonField.root(Json.parse(json, file), file);
        root.requireOnlyKeys(Set.of("version", "truncation", "padding", "added_tokens", "normalizer", "pre_tokenizer",
                "post_processor", "decoder", "model"));
        JsonField version = root.get("version");
        if (!version.isMissing()) version.string();
        refuseUnlessNull(root.get("truncation"), "truncation in the file is not supported; pass BatchOptions.truncate to encodeBatch");
        refuseUnlessNull(root.get("padding"), "padding in the file is not supported; pass BatchOptions padding to encodeBatch");
        boolean nfc = readNormalizer(root.get("normalizer"));
        readPreTokenizer(root.get("pre_tokenizer"));
        readPostProcessor(root.get("post_processor"));
        readDecoder(root.get("decoder"));

        JsonField model = root.get("model");
        model.requireOnlyKeys(Set.of("type", "dropout", "unk_token", "continuing_subword_prefix", "end_of_word_suffix",
                "fuse_unk", "byte_fallback", "ignore_merges", "vocab", "merges"));
        expectType(model, "BPE");
        refuseUnlessNull(model.get("dropout"), "BPE dropout is not supported (it makes encoding random); expected null");
        refuseUnlessNull(model.get("unk_token"), "an unknown token is not supported: byte-level BPE covers every byte; expected null");
        requireEmptyOrNull(model.get("continuing_subword_prefix"));
        requireEmptyOrNull(model.get("end_of_word_suffix"));
        if (!model.get("fuse_unk").isMissingOrNull()) model.get("fuse_unk").bool(); // meaningless without unk_token
        if (model.get("byte_fallback").bool(false)) {
            throw model.get("byte_fallback").unsupported("byte_fallback (<0xNN> tokens) is not supported; expected false");
        }
        boolean ignoreMerges = model.get("ignore_merges").bool(false);

        Map<String, Integer> vocab = readVocab(model.get("vocab"));
        List<AddedToken> added = readAddedTokens(root.get("added_tokens"), vocab);

        int size = 0;
        for (int id : vocab.values()) size = Math.max(size, id + 1);
        for (AddedToken t : added) size = Math.max(size, t.id() + 1);
        String[] idToToken = new String[size];
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            String other = idToToken[e.getValue()];
            if (other != null) {
                throw model.get("vocab").get(e.getKey()).unsupported("id " + e.getValue() + " is given to both \"" + other
                        + "\" and \"" + e.getKey() + "\"; expected one token per id");
            }
            idToToken[e.getValue()] = e.getKey();
        }
        Map<String, Integer> tokenToId = new HashMap<>(vocab);
        // An added token's id names it on decode even if the vocabulary has another entry there, as in HF.
        for (AddedToken t : added) {
            idToToken[t.id()] = t.content();
            tokenToId.put(t.content(), t.id());
        }

        int[] byteIds = new int[256];
        for (int b = 0; b < 256; b++) {
            Integer id = vocab.get(String.valueOf(ByteLevel.charOf(b)));
            if (id == null) {
                throw model.get("vocab").unsupported("expected every one of the 256 byte-level tokens, but '%c' (byte 0x%02X) is missing"
                        .formatted(ByteLevel.charOf(b), b));
            }
            byteIds[b] = id;
        }
        MergeTable merges = readMerges(model.get("merges"), vocab);

        List<AddedToken> raw = new ArrayList<>();
        List<String> rawPatterns = new ArrayList<>();
        List<AddedToken> norm = new ArrayList<>();
        List<String> normPatterns = new ArrayList<>();
        for (AddedToken t : added) {
            if (t.normalized()) {
                norm.add(t);
                normPatterns.add(nfc ? Normalizer.normalize(t.content(), Normalizer.Form.NFC) : t.content());
            } else {
                raw.add(t);
                rawPatterns.add(t.content());
            }
        }
        return new Tokenizer(file, new BytePairEncoder(byteIds, merges, vocab, ignoreMerges),
                new AddedTokenMatcher(raw, rawPatterns), new AddedTokenMatcher(norm, normPatterns), nfc, tokenToId,
                idToToken, added);
    }

    private static boolean readNormalizer(JsonField f) {
        if (f.isMissingOrNull()) return false;
        f.requireOnlyKeys(Set.of("type"));
        expectType(f, "NFC");
        return true;
    }

    private static void readPreTokenizer(JsonField f) {
        String expected = "Qwen2's pre-tokenizer: a Sequence of a Split on Qwen2's regex (behavior Isolated, invert false) "
                + "and a ByteLevel with add_prefix_space false and use_regex false";
        if (f.isMissingOrNull()) throw f.fail(expected);
        f.requireOnlyKeys(Set.of("type", "pretokenizers"));
        expectType(f, "Sequence");
        List<JsonField> steps = f.get("pretokenizers").elements();
        if (steps.size() != 2) throw f.get("pretokenizers").fail("2 steps (" + expected + ")");

        JsonField split = steps.get(0);
        split.requireOnlyKeys(Set.of("type", "pattern", "behavior", "invert"));
        expectType(split, "Split");
        JsonField pattern = split.get("pattern");
        pattern.requireOnlyKeys(Set.of("Regex"));
        String regex = pattern.get("Regex").string();
        if (!regex.equals(QwenPreTokenizer.PATTERN)) {
            throw pattern.get("Regex").unsupported("only Qwen2's pattern " + QwenPreTokenizer.PATTERN + " is supported, found " + regex);
        }
        if (!split.get("behavior").string().equals("Isolated")) throw split.get("behavior").fail("\"Isolated\"");
        if (split.get("invert").bool()) throw split.get("invert").fail("false");

        JsonField byteLevel = steps.get(1);
        byteLevel.requireOnlyKeys(Set.of("type", "add_prefix_space", "trim_offsets", "use_regex"));
        expectType(byteLevel, "ByteLevel");
        if (byteLevel.get("add_prefix_space").bool(false)) throw byteLevel.get("add_prefix_space").unsupported("add_prefix_space is not supported; expected false");
        if (byteLevel.get("use_regex").bool(true)) throw byteLevel.get("use_regex").unsupported("ByteLevel's own GPT-2 regex is not supported; expected false");
        byteLevel.get("trim_offsets").bool(true); // offsets only; we return none
    }

    /** ByteLevel post-processing only adjusts offsets, which we do not return, so it is a no-op for ids. */
    private static void readPostProcessor(JsonField f) {
        if (f.isMissingOrNull()) return;
        byteLevelOnly(f);
    }

    private static void readDecoder(JsonField f) {
        if (f.isMissingOrNull()) throw f.fail("a ByteLevel decoder (a byte-level BPE needs it to turn tokens back into text)");
        byteLevelOnly(f);
    }

    private static void byteLevelOnly(JsonField f) {
        f.requireOnlyKeys(Set.of("type", "add_prefix_space", "trim_offsets", "use_regex"));
        expectType(f, "ByteLevel");
        for (String k : List.of("add_prefix_space", "trim_offsets", "use_regex")) f.get(k).bool(false);
    }

    private static Map<String, Integer> readVocab(JsonField f) {
        Map<String, Object> entries = f.object();
        Map<String, Integer> vocab = new HashMap<>(entries.size() * 2);
        for (Map.Entry<String, Object> e : entries.entrySet()) {
            // Fields are made only on error: building one per entry would slow loading for nothing.
            if (!(e.getValue() instanceof Long id) || id < 0 || id > Integer.MAX_VALUE) {
                throw f.get(e.getKey()).fail("a token id (an integer from 0 to " + Integer.MAX_VALUE + ")");
            }
            vocab.put(e.getKey(), (int) (long) id);
        }
        return vocab;
    }

    private static MergeTable readMerges(JsonField f, Map<String, Integer> vocab) {
        List<JsonField> lines = f.elements();
        MergeTable table = new MergeTable(lines.size());
        for (int rank = 0; rank < lines.size(); rank++) {
            JsonField line = lines.get(rank);
            String left;
            String right;
            Object raw = line.raw();
            String expected = "a merge: a string \"left right\" (one space) or an array [\"left\", \"right\"]";
            if (raw instanceof String s) {
                int space = s.indexOf(' ');
                if (space < 0 || s.indexOf(' ', space + 1) >= 0) throw line.fail(expected);
                left = s.substring(0, space);
                right = s.substring(space + 1);
            } else if (raw instanceof List<?> pair) {
                if (pair.size() != 2) throw line.fail(expected);
                List<JsonField> parts = line.elements();
                left = parts.get(0).string();
                right = parts.get(1).string();
            } else {
                throw line.fail(expected);
            }
            Integer l = vocab.get(left);
            Integer r = vocab.get(right);
            Integer merged = vocab.get(left + right);
            if (l == null || r == null || merged == null) {
                String missing = l == null ? left : r == null ? right : left + right;
                throw line.unsupported("expected tokens that are in model.vocab, but \"" + missing + "\" is not");
            }
            table.put(l, r, rank, merged);
        }
        return table;
    }

    /**
     * Hugging Face tokenizers does not take an added token's id from the file: it gives a token that is in the
     * vocabulary (or earlier in the list) that id, and numbers the others in file order from the vocabulary's size
     * on (it only logs a warning when the file says otherwise). We refuse such a file rather than disagree with HF
     * or with the file.
     */
    private static List<AddedToken> readAddedTokens(JsonField f, Map<String, Integer> vocab) {
        List<AddedToken> out = new ArrayList<>();
        if (f.isMissingOrNull()) return out;
        Map<String, Integer> seen = new HashMap<>();
        int maxAdded = -1;
        for (JsonField t : f.elements()) {
            t.requireOnlyKeys(Set.of("id", "content", "single_word", "lstrip", "rstrip", "normalized", "special"));
            String content = t.get("content").string();
            if (content.isEmpty()) throw t.get("content").fail("a non-empty string");
            if (Utf8.firstLoneSurrogate(content) >= 0) throw t.get("content").fail("valid Unicode (it has a lone surrogate)");
            int id = t.get("id").nonNegativeInt();
            Integer expected = vocab.containsKey(content) ? vocab.get(content) : seen.get(content);
            if (expected == null) expected = maxAdded >= vocab.size() ? maxAdded + 1 : vocab.size();
            if (id != expected) {
                throw t.get("id").unsupported("expected " + expected + " for \"" + content + "\", found " + id
                        + " (Hugging Face numbers added tokens in file order after the vocabulary and would not use this id)");
            }
            seen.putIfAbsent(content, id);
            maxAdded = Math.max(maxAdded, id);
            out.add(new AddedToken(id, content, t.get("single_word").bool(),
                    t.get("lstrip").bool(), t.get("rstrip").bool(), t.get("normalized").bool(), t.get("special").bool()));
        }
        return out;
    }

    private static void expectType(JsonField f, String type) {
        JsonField t = f.get("type");
        String found = t.string();
        if (!found.equals(type)) throw t.unsupported("type \"" + found + "\" is not supported here; expected \"" + type + "\"");
    }

    private static void refuseUnlessNull(JsonField f, String why) {
        if (!f.isMissingOrNull()) throw f.unsupported(why + " (found " + f.describe() + ")");
    }

    private static void requireEmptyOrNull(JsonField f) {
        if (f.isMissingOrNull()) return;
        if (!f.string().isEmpty()) throw f.unsupported("is not supported; expected \"\" or null, found " + f.describe());
    }
}
