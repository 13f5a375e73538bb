package dev.latentr3.train.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ByteTokenizerTest {
    private final ByteTokenizer tok = new ByteTokenizer();

    @Test
    void encodesUtf8BytesAndDecodesThemBack() {
        assertArrayEquals(new int[]{72, 105, 0xC3, 0xA9}, tok.encode("Hié"));
        String text = "Crème brûlée, 3 × 4 = 12 — fine.\n";
        assertEquals(text, tok.decode(tok.encode(text)));
    }

    @Test
    void specialTokensAreSkippedAndBrokenBytesReplaced() {
        assertEquals("ab", tok.decode(new int[]{ByteTokenizer.BOS, 'a', ByteTokenizer.PAD, 'b', ByteTokenizer.EOS}));
        assertEquals("a\uFFFD", tok.decode(new int[]{'a', 0xC3})); // a lone lead byte of a two-byte sequence
        assertEquals(259, tok.vocabSize());
        assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[]{259}));
    }

    @Test
    void theBuiltInCorpusIsAFewKilobytesOfText() {
        String text = TinyCorpus.text();
        assertTrue(text.length() > 4000, "corpus has " + text.length() + " characters");
        assertTrue(text.contains("harbour"));
    }
}
