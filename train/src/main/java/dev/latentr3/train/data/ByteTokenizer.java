package dev.latentr3.train.data;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Text to token ids one UTF-8 byte at a time (ids 0..255), plus three special tokens: a placeholder for a real
 * tokenizer, used where one would not fit. Qwen2's byte-level BPE ({@code dev.latentr3.model.tokenizer.Tokenizer})
 * needs Qwen's vocabulary file and has 151k tokens, far more than the tiny demo model can learn from a few kilobytes;
 * this one lets that model train on any text with no vocabulary file.
 */
public final class ByteTokenizer {
    public static final int BOS = 256;
    public static final int EOS = 257;
    public static final int PAD = 258;
    private static final int VOCAB_SIZE = 259;

    public int vocabSize() {
        return VOCAB_SIZE;
    }

    /** The UTF-8 bytes of text, as ids 0..255 (no special tokens added). */
    public int[] encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) ids[i] = bytes[i] & 0xFF;
        return ids;
    }

    /**
     * The text of byte ids, skipping special tokens. Bytes that do not form valid UTF-8 (a model can emit those)
     * become U+FFFD rather than an error.
     */
    public String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(ids.length);
        for (int id : ids) {
            if (id < 0 || id >= VOCAB_SIZE) {
                throw new IllegalArgumentException("ByteTokenizer.decode: id " + id + " is outside the vocabulary [0, " + VOCAB_SIZE + ")");
            }
            if (id < 256) bytes.write(id);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
