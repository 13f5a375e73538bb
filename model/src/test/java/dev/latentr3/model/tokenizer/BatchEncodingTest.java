package dev.latentr3.model.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.latentr3.model.tokenizer.BatchOptions.Side.LEFT;
import static dev.latentr3.model.tokenizer.BatchOptions.Side.RIGHT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Padding and truncation of batches, on the byte-level ids of a tiny vocabulary without merges ('a' is 97). */
class BatchEncodingTest {
    private static final Tokenizer TINY = new TinyTokenizerJson(List.of(), "[]").load();
    private static final List<String> TEXTS = List.of("abcd", "ab", "");
    private static final int PAD = 7;

    @Test
    void withoutOptionsRowsKeepTheirLengths() {
        EncodedBatch b = TINY.encodeBatch(TEXTS, BatchOptions.none());
        assertArrayEquals(new int[][] {{97, 98, 99, 100}, {97, 98}, {}}, b.ids());
        assertArrayEquals(new int[][] {{1, 1, 1, 1}, {1, 1}, {}}, b.attentionMask());
    }

    @Test
    void padsToTheLongestRowOnEitherSide() {
        EncodedBatch right = TINY.encodeBatch(TEXTS, BatchOptions.none().padToLongest(PAD, RIGHT));
        assertArrayEquals(new int[][] {{97, 98, 99, 100}, {97, 98, PAD, PAD}, {PAD, PAD, PAD, PAD}}, right.ids());
        assertArrayEquals(new int[][] {{1, 1, 1, 1}, {1, 1, 0, 0}, {0, 0, 0, 0}}, right.attentionMask());
        EncodedBatch left = TINY.encodeBatch(TEXTS, BatchOptions.none().padToLongest(PAD, LEFT));
        assertArrayEquals(new int[][] {{97, 98, 99, 100}, {PAD, PAD, 97, 98}, {PAD, PAD, PAD, PAD}}, left.ids());
        assertArrayEquals(new int[][] {{1, 1, 1, 1}, {0, 0, 1, 1}, {0, 0, 0, 0}}, left.attentionMask());
    }

    @Test
    void truncatesFromEitherSide() {
        EncodedBatch r = TINY.encodeBatch(TEXTS, BatchOptions.none().truncate(3, RIGHT));
        assertArrayEquals(new int[][] {{97, 98, 99}, {97, 98}, {}}, r.ids());
        EncodedBatch l = TINY.encodeBatch(TEXTS, BatchOptions.none().truncate(3, LEFT));
        assertArrayEquals(new int[][] {{98, 99, 100}, {97, 98}, {}}, l.ids());
    }

    @Test
    void truncatesThenPadsToAFixedLength() {
        EncodedBatch b = TINY.encodeBatch(TEXTS, BatchOptions.none().truncate(3, LEFT).padTo(5, PAD, LEFT));
        assertArrayEquals(new int[][] {{PAD, PAD, 98, 99, 100}, {PAD, PAD, PAD, 97, 98}, {PAD, PAD, PAD, PAD, PAD}}, b.ids());
        assertArrayEquals(new int[][] {{0, 0, 1, 1, 1}, {0, 0, 0, 1, 1}, {0, 0, 0, 0, 0}}, b.attentionMask());
    }

    @Test
    void aRowLongerThanTheFixedLengthIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TINY.encodeBatch(TEXTS, BatchOptions.none().padTo(3, PAD, RIGHT)));
        assertTrue(e.getMessage().contains("text 0 has 4 tokens"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BatchOptions.none().truncate(9, RIGHT).padTo(5, PAD, RIGHT));
        assertThrows(IllegalArgumentException.class, () -> BatchOptions.none().truncate(-1, RIGHT));
    }
}
