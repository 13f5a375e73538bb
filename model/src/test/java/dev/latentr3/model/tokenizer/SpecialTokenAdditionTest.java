package dev.latentr3.model.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Tokenizer#withSpecialToken}: the new token gets the next id, is cut out of raw text whole like any other
 * special added token, is skipped on decode when asked, and leaves the original tokenizer as it was. On the real Qwen
 * tokenizer fixture (when it can be fetched; it is Qwen3's, which is Qwen2.5's plus 4 added tokens, 151,669 ids instead
 * of 151,665) LatentR3's {@code <|Thought|>} gets the next id and sits right after {@code "### Response: \n"}.
 */
class SpecialTokenAdditionTest {
    /** 256 byte tokens, "ab" = 256, then the added special token "<|end|>" = 257. */
    final Tokenizer tiny = new TinyTokenizerJson(List.of("ab"), "[\"a b\"]")
            .set("added_tokens", "[" + TinyTokenizerJson.addedToken(257, "<|end|>", true) + "]").load();

    @Test
    void theNewTokenGetsTheNextIdAndIsMatchedWhole() {
        Tokenizer with = tiny.withSpecialToken("<|Thought|>");
        assertEquals(258, tiny.vocabSize());
        assertEquals(259, with.vocabSize());
        assertEquals(258, with.tokenId("<|Thought|>"));
        assertTrue(with.isSpecial(258));
        // Text around it is tokenized as before; the existing added token still works.
        assertArrayEquals(new int[]{256, 'c', 258, 32, 256, 257}, with.encode("abc<|Thought|> ab<|end|>"));
        assertEquals("abc<|Thought|> ab<|end|>", with.decode(with.encode("abc<|Thought|> ab<|end|>")));
        assertEquals("abc ab", with.decode(with.encode("abc<|Thought|> ab<|end|>"), true));
        // The original is unchanged: there the string is plain text.
        assertEquals(-1, tiny.tokenId("<|Thought|>"));
        assertFalse(contains(tiny.encode("<|Thought|>"), 258));
        assertEquals(1, tiny.addedTokens().size());
        assertEquals(2, with.addedTokens().size());
    }

    @Test
    void refusesAnExistingOrEmptyString() {
        assertThrows(IllegalArgumentException.class, () -> tiny.withSpecialToken("<|end|>"));
        assertThrows(IllegalArgumentException.class, () -> tiny.withSpecialToken("ab"));
        assertThrows(IllegalArgumentException.class, () -> tiny.withSpecialToken(""));
        Tokenizer once = tiny.withSpecialToken("<|Thought|>");
        assertThrows(IllegalArgumentException.class, () -> once.withSpecialToken("<|Thought|>"));
    }

    @Test
    void qwenThoughtTokenIsTheLastId() throws Exception {
        Tokenizer qwen = Tokenizer.load(QwenTokenizerFile.get());
        Tokenizer with = qwen.withSpecialToken("<|Thought|>");
        int id = qwen.vocabSize();
        assertTrue(id == 151_665 || id == 151_669, "Qwen2.5's or Qwen3's tokenizer, got " + id + " ids");
        assertEquals(id, with.tokenId("<|Thought|>"));
        assertEquals(id + 1, with.vocabSize());
        int[] ids = with.encode("### Response: \n<|Thought|>\"Abbey Road\"\n");
        assertEquals(id, ids[4], "the thought token follows the 4 tokens of \"### Response: \\n\"");
    }

    private static boolean contains(int[] a, int v) {
        for (int x : a) if (x == v) return true;
        return false;
    }
}
