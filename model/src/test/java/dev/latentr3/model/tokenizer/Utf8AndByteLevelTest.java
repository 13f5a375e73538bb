package dev.latentr3.model.tokenizer;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class Utf8AndByteLevelTest {
    /** The worked example of "U+FFFD Substitution of Maximal Subparts" in the Unicode Standard, chapter 3. */
    @Test
    void lossyDecodingReplacesMaximalSubparts() {
        byte[] bytes = {0x61, (byte) 0xF1, (byte) 0x80, (byte) 0x80, (byte) 0xE1, (byte) 0x80, (byte) 0xC2, 0x62,
                (byte) 0x80, 0x63, (byte) 0x80, (byte) 0xBF, 0x64};
        assertEquals("a\uFFFD\uFFFD\uFFFDb\uFFFDc\uFFFD\uFFFDd", Utf8.decodeLossy(bytes));
        // Overlong, surrogate and out-of-range lead sequences: each byte is its own subpart.
        assertEquals("\uFFFD\uFFFD", Utf8.decodeLossy(new byte[] {(byte) 0xE0, (byte) 0x80}));
        assertEquals("\uFFFD\uFFFD\uFFFD", Utf8.decodeLossy(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}));
        assertEquals("\uFFFD\uFFFD", Utf8.decodeLossy(new byte[] {(byte) 0xF4, (byte) 0x90}));
        assertEquals("x\uFFFD", Utf8.decodeLossy(new byte[] {'x', (byte) 0xF0, (byte) 0x9F, (byte) 0x98}), "truncated at the end");
    }

    @Test
    void validUtf8RoundTrips() {
        String s = "aé€😀\u0000\u07FF\u0800\uFFFF\uD800\uDC00\uDBFF\uDFFF";
        byte[] ours = Utf8.encode(s, 0, s.length());
        assertArrayEquals(s.getBytes(StandardCharsets.UTF_8), ours);
        assertEquals(s, Utf8.decodeLossy(ours));
        assertEquals(-1, Utf8.firstLoneSurrogate(s));
        assertEquals(1, Utf8.firstLoneSurrogate("a\uD800b"));
        assertEquals(1, Utf8.firstLoneSurrogate("a\uDC00"));
    }

    @Test
    void loneSurrogatesCannotBeEncoded() {
        Tokenizer t = new TinyTokenizerJson(java.util.List.of(), "[]").load();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.encode("ok\uD83D"));
        assertEquals("cannot tokenize text with a lone surrogate U+D83D at index 2: it is not valid Unicode", e.getMessage());
    }

    /** GPT-2's bytes_to_unicode, as every Qwen/GPT-2 vocabulary spells it. */
    @Test
    void byteAlphabetIsGpt2s() {
        assertEquals('Ġ', ByteLevel.charOf(' '));
        assertEquals('Ċ', ByteLevel.charOf('\n'));
        assertEquals('ĉ', ByteLevel.charOf('\t'));
        assertEquals('Ā', ByteLevel.charOf(0));
        assertEquals('a', ByteLevel.charOf('a'));
        assertEquals('ÿ', ByteLevel.charOf(0xFF));
        assertEquals('ġ', ByteLevel.charOf(0x7F));
        assertEquals('Ń', ByteLevel.charOf(0xAD));
        Set<Character> seen = new HashSet<>();
        for (int b = 0; b < 256; b++) {
            char c = ByteLevel.charOf(b);
            assertEquals(b, ByteLevel.byteOf(c));
            seen.add(c);
        }
        assertEquals(256, seen.size());
        assertEquals(-1, ByteLevel.byteOf(' '));
        assertEquals(-1, ByteLevel.byteOf('你'));
    }
}
