package dev.latentr3.model.tokenizer;

import dev.latentr3.model.json.FileFormatException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every bad or unsupported tokenizer.json is refused with the file, the field and what was expected. */
class TokenizerFileErrorsTest {
    private static final List<String> EXTRA = List.of("ab");

    private static void assertRefused(UnaryOperator<TinyTokenizerJson> change, String... fragments) {
        TinyTokenizerJson file = change.apply(new TinyTokenizerJson(EXTRA, "[\"a b\"]"));
        FileFormatException e = assertThrows(FileFormatException.class, file::load);
        assertTrue(e.getMessage().startsWith("tiny.json: "), e.getMessage());
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "missing <" + f + "> in: " + e.getMessage());
    }

    @Test
    void theUnchangedTinyFileLoads() {
        assertDoesNotThrow(() -> new TinyTokenizerJson(EXTRA, "[\"a b\"]").load());
    }

    @Test
    void malformedJsonNamesLineAndColumn() {
        FileFormatException e = assertThrows(FileFormatException.class, () -> Tokenizer.fromJson("{\"model\": {},\n }", "tiny.json"));
        assertTrue(e.getMessage().startsWith("tiny.json: invalid JSON at line 2, column 2: expected a string key"), e.getMessage());
    }

    @Test
    void unknownFieldsAreRefusedByName() {
        assertRefused(f -> f.set("extra_feature", "1"), "extra_feature", "not supported");
        assertRefused(f -> f.setModel("vocab_size", "3"), "model.vocab_size", "not supported");
    }

    @Test
    void unsupportedComponentsAreRefusedByName() {
        assertRefused(f -> f.set("normalizer", "{\"type\":\"NFKC\"}"), "normalizer.type", "\"NFKC\"", "expected \"NFC\"");
        assertRefused(f -> f.set("pre_tokenizer", "{\"type\":\"Whitespace\"}"), "pre_tokenizer.type", "expected \"Sequence\"");
        assertRefused(f -> f.set("pre_tokenizer", TinyTokenizerJson.QWEN_PRE_TOKENIZER.replace("\\\\s+(?!\\\\S)|", "")),
                "pre_tokenizer.pretokenizers[0].pattern.Regex", "only Qwen2's pattern");
        assertRefused(f -> f.set("pre_tokenizer", TinyTokenizerJson.QWEN_PRE_TOKENIZER.replace("Isolated", "Removed")),
                "pre_tokenizer.pretokenizers[0].behavior", "expected \"Isolated\"");
        assertRefused(f -> f.set("pre_tokenizer", TinyTokenizerJson.QWEN_PRE_TOKENIZER.replace("\"use_regex\":false", "\"use_regex\":true")),
                "pre_tokenizer.pretokenizers[1].use_regex");
        assertRefused(f -> f.set("post_processor", "{\"type\":\"TemplateProcessing\"}"), "post_processor.type", "expected \"ByteLevel\"");
        assertRefused(f -> f.set("decoder", "null"), "decoder", "expected a ByteLevel decoder");
        assertRefused(f -> f.set("truncation", "{\"max_length\":8}"), "truncation", "BatchOptions");
        assertRefused(f -> f.set("padding", "{}"), "padding", "BatchOptions");
    }

    @Test
    void unsupportedModelSettingsAreRefusedByName() {
        assertRefused(f -> f.setModel("type", "\"WordPiece\""), "model.type", "expected \"BPE\"");
        assertRefused(f -> f.setModel("dropout", "0.1"), "model.dropout", "expected null");
        assertRefused(f -> f.setModel("unk_token", "\"<unk>\""), "model.unk_token", "expected null");
        assertRefused(f -> f.setModel("byte_fallback", "true"), "model.byte_fallback", "expected false");
        assertRefused(f -> f.setModel("continuing_subword_prefix", "\"##\""), "model.continuing_subword_prefix", "expected \"\" or null");
        assertRefused(f -> f.setModel("ignore_merges", "\"yes\""), "model.ignore_merges", "expected true or false");
    }

    @Test
    void badVocabularyAndMergesNameTheEntry() {
        assertRefused(f -> f.setModel("vocab", "{\"a\":0}"), "model.vocab", "256 byte-level tokens");
        assertRefused(f -> f.setModel("vocab", "[]"), "model.vocab", "expected an object");
        assertRefused(f -> f.setModel("merges", "[\"a b c\"]"), "model.merges[0]", "expected a merge");
        assertRefused(f -> f.setModel("merges", "[[\"a\"]]"), "model.merges[0]", "expected a merge");
        assertRefused(f -> f.setModel("merges", "[\"a b\", 5]"), "model.merges[1]", "found the number 5");
        assertRefused(f -> f.setModel("merges", "[\"b c\"]"), "model.merges[0]", "\"bc\" is not");
        assertRefused(f -> f.setModel("merges", "[[\"a\", \"zz\"]]"), "model.merges[0]", "\"zz\" is not");
        TinyTokenizerJson duplicateId = new TinyTokenizerJson(EXTRA, "[]");
        String json = duplicateId.json().replace("\"ab\":256", "\"ab\":97");
        FileFormatException e = assertThrows(FileFormatException.class, () -> Tokenizer.fromJson(json, "tiny.json"));
        assertTrue(e.getMessage().contains("id 97 is given to both"), e.getMessage());
        String negative = duplicateId.json().replace("\"ab\":256", "\"ab\":-1");
        e = assertThrows(FileFormatException.class, () -> Tokenizer.fromJson(negative, "tiny.json"));
        assertTrue(e.getMessage().contains("model.vocab.ab: expected a token id"), e.getMessage());
    }

    @Test
    void badAddedTokensNameTheEntry() {
        assertRefused(f -> f.set("added_tokens", "[" + TinyTokenizerJson.addedToken(300, "<x>", true) + "]"),
                "added_tokens[0].id", "expected 257", "found 300");
        assertRefused(f -> f.set("added_tokens", "[{\"id\":257,\"content\":\"<x>\"}]"), "added_tokens[0].single_word",
                "expected true or false, found nothing");
        assertRefused(f -> f.set("added_tokens", "[" + TinyTokenizerJson.addedToken(257, "", true) + "]"),
                "added_tokens[0].content", "non-empty");
    }

    @Test
    void aFileThatIsNotUtf8IsRefusedWithItsPath(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tokenizer.json");
        Files.write(file, new byte[] {'{', '"', (byte) 0xC3, '"', ':', '1', '}'});
        FileFormatException e = assertThrows(FileFormatException.class, () -> Tokenizer.load(file));
        assertTrue(e.getMessage().startsWith(file + ": not valid UTF-8"), e.getMessage());
    }
}
