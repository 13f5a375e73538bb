package dev.latentr3.model.tokenizer;

/**
 * Token ids of a batch, one row per input text, with the attention mask: 1 where the id is a real token, 0 where it
 * is padding. Without padding the rows may differ in length.
 */
public record EncodedBatch(int[][] ids, int[][] attentionMask) {
    public int rows() {
        return ids.length;
    }
}
