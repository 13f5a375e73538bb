package dev.latentr3.model.tokenizer;

import dev.latentr3.model.json.Json;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ByteLevelTokenizerJsonTest {
    private static final List<String> SPECIALS = List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|Thought|>");

    @Test
    void everyUtf8ByteIsOneTokenWithItsValueAsId() {
        Tokenizer t = ByteLevelTokenizerJson.tokenizer(SPECIALS);
        assertEquals(260, t.vocabSize());
        String text = "Don't  stop\n\tcaf\u00e9 \u65e5\u672c \uD83C\uDF89 123456";
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        int[] expected = new int[utf8.length];
        for (int i = 0; i < utf8.length; i++) expected[i] = utf8[i] & 0xFF;
        assertArrayEquals(expected, t.encode(text));
        assertEquals(text, t.decode(t.encode(text)));
        assertEquals("\u0120", t.token(' '), "a space is spelled as GPT-2's byte-level symbol");
    }

    @Test
    void specialTokensFollowTheBytesAndAreCutOutWhole() {
        Tokenizer t = ByteLevelTokenizerJson.tokenizer(SPECIALS);
        for (int i = 0; i < SPECIALS.size(); i++) {
            assertEquals(256 + i, t.tokenId(SPECIALS.get(i)));
            assertTrue(t.isSpecial(256 + i));
        }
        assertArrayEquals(new int[]{257, 'h', 'i', 259, 258}, t.encode("<|im_start|>hi<|Thought|><|im_end|>"));
        assertEquals("hi", t.decode(new int[]{257, 'h', 'i', 256}, true));
        assertEquals(260, t.withSpecialToken("<|extra|>").tokenId("<|extra|>"), "the next id after the last special token");
    }

    @Test
    void theFileHasQwensSectionsAndNoMerges() {
        Map<?, ?> root = (Map<?, ?>) Json.parse(ByteLevelTokenizerJson.json(SPECIALS), "test");
        Map<?, ?> model = (Map<?, ?>) root.get("model");
        assertEquals("BPE", model.get("type"));
        assertEquals(List.of(), model.get("merges"));
        assertEquals(256, ((Map<?, ?>) model.get("vocab")).size());
        assertEquals("NFC", ((Map<?, ?>) root.get("normalizer")).get("type"));
        assertEquals("ByteLevel", ((Map<?, ?>) root.get("decoder")).get("type"));
        assertThrows(IllegalArgumentException.class, () -> ByteLevelTokenizerJson.json(List.of("<|a|>", "<|a|>")));
    }
}
