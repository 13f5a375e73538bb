package dev.latentr3.model.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * BPE on a hand-made vocabulary where the right answer can be worked out on paper. Ids: bytes are 0..255 ('a' is
 * 97, 'b' 98, 'c' 99, 'Ġ' the space 32), then ab=256, bc=257, abc=258, aa=259, Ġa=260.
 */
class BytePairEncodingTest {
    private static final List<String> EXTRA = List.of("ab", "bc", "abc", "aa", "Ġa");

    private static Tokenizer tiny(String merges) {
        return new TinyTokenizerJson(EXTRA, merges).load();
    }

    @Test
    void lowestRankMergesFirst() {
        // a b c b c: "a b" (rank 0) first, then both "b c" (rank 1) candidates, but the first b is taken: a+b, c,
        // then the trailing b+c; finally "ab c" (rank 2).
        Tokenizer t = tiny("[\"a b\", \"b c\", \"ab c\"]");
        assertArrayEquals(new int[] {258, 257}, t.encode("abcbc"));
        // With "b c" ranked first, b+c wins and "a bc" is no merge.
        Tokenizer u = tiny("[\"b c\", \"a b\", \"ab c\"]");
        assertArrayEquals(new int[] {97, 257}, u.encode("abc"));
    }

    @Test
    void equalRanksMergeLeftmostFirst() {
        Tokenizer t = tiny("[\"a a\"]");
        assertArrayEquals(new int[] {259, 97}, t.encode("aaa"));
        assertArrayEquals(new int[] {259, 259}, t.encode("aaaa"));
    }

    @Test
    void bothMergeFormsGiveTheSameTokenizer() {
        Tokenizer strings = tiny("[\"a b\", \"b c\", \"ab c\", \"Ġ a\"]");
        Tokenizer pairs = tiny("[[\"a\", \"b\"], [\"b\", \"c\"], [\"ab\", \"c\"], [\"Ġ\", \"a\"]]");
        for (String text : List.of("abc", "abcbc", " a abc", "cba", "a b c")) {
            assertArrayEquals(strings.encode(text), pairs.encode(text), text);
        }
        // Pre-tokens "abc" and " ab"; in " ab", "a b" outranks "Ġ a", and "Ġ ab" is no merge.
        assertArrayEquals(new int[] {258, 32, 256}, pairs.encode("abc ab"));
        assertArrayEquals(new int[] {260}, pairs.encode(" a"));
    }

    @Test
    void ignoreMergesTakesWholeWordsFromTheVocabulary() {
        // No merge path reaches "abc" here, so only ignore_merges can produce 258.
        String merges = "[\"a b\"]";
        assertArrayEquals(new int[] {256, 99}, tiny(merges).encode("abc"));
        Tokenizer ignoring = new TinyTokenizerJson(EXTRA, merges).setModel("ignore_merges", "true").load();
        assertArrayEquals(new int[] {258}, ignoring.encode("abc"));
        assertArrayEquals(new int[] {256, 98}, ignoring.encode("abb"), "words not in the vocabulary still merge");
    }

    @Test
    void multiByteCharactersStartAsTheirUtf8Bytes() {
        Tokenizer t = tiny("[]");
        // 'é' is C3 A9; '😀' is F0 9F 98 80.
        assertArrayEquals(new int[] {0xC3, 0xA9}, t.encode("é"));
        assertArrayEquals(new int[] {0xF0, 0x9F, 0x98, 0x80}, t.encode("😀"));
        assertEquals("é😀", t.decode(t.encode("é😀")));
    }

    @Test
    void longWordsMergeCorrectly() {
        // One pre-token of 10 000 'a's: the heap path must still give pairs of "aa".
        Tokenizer t = tiny("[\"a a\"]");
        int[] ids = t.encode("a".repeat(10_001));
        assertEquals(5001, ids.length);
        for (int i = 0; i < 5000; i++) assertEquals(259, ids[i]);
        assertEquals(97, ids[5000]);
    }

    /** The word cache is the only shared mutable state: threads encoding at once must see the sequential result. */
    @Test
    void concurrentEncodingMatchesSequential() throws Exception {
        Tokenizer t = tiny("[\"a b\", \"b c\", \"ab c\", \"Ġ a\", \"a a\"]");
        List<String> texts = ParityCorpus.random(2000, 77L);
        List<int[]> expected = texts.stream().map(tiny("[\"a b\", \"b c\", \"ab c\", \"Ġ a\", \"a a\"]")::encode).toList();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int offset = w * 500;
                results.add(pool.submit(() -> {
                    for (int k = 0; k < texts.size(); k++) {
                        int i = (k + offset) % texts.size();
                        if (!java.util.Arrays.equals(expected.get(i), t.encode(texts.get(i)))) return false;
                    }
                    return true;
                }));
            }
            for (var r : results) org.junit.jupiter.api.Assertions.assertTrue(r.get());
        }
    }
}
