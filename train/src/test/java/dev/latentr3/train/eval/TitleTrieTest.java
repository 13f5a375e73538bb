package dev.latentr3.train.eval;

import dev.latentr3.model.tokenizer.Tokenizer;
import dev.latentr3.train.dataset.ItemCatalog;
import dev.latentr3.train.dataset.PromptTemplate;
import dev.latentr3.train.dataset.SequenceTokens;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The title trie on a tiny catalogue with shared prefixes and a duplicate title, over a byte-level tokenizer. */
class TitleTrieTest {
    static final List<String> TITLES = List.of("Greatest Hits", "Greatest Hits Vol 2", "Great Escape", "Greatest Hits",
            "Heroes", "Hero");
    final Tokenizer tokenizer = TinyTokenizer.load();
    final SequenceTokens tokens = new SequenceTokens(tokenizer, new PromptTemplate("musics"), true);
    final TitleTrie trie = TitleTrie.build(ItemCatalog.of(TITLES), tokens);

    @Test
    void targetTokensAreTheQuotedTitleANewlineAndEos() {
        int[] ids = tokens.target("Hero");
        assertArrayEquals(new int[]{'"', 'H', 'e', 'r', 'o', TinyTokenizer.QUOTE_NEWLINE, TinyTokenizer.EOS}, ids);
        assertEquals("\"Greatest Hits\"\n<|endoftext|>", tokenizer.decode(tokens.target("Greatest Hits")));
        // The merge "ĠH" applies inside the title, so the trie sees the tokenizer's pieces, not characters.
        assertTrue(Arrays.stream(tokens.target("Greatest Hits")).anyMatch(t -> t == TinyTokenizer.SPACE_H));
    }

    @Test
    void everyItemEndsAtALeafWithItsTitleAndDuplicatesShareOne() {
        for (int id = 0; id < TITLES.size(); id++) {
            int leaf = trie.walk(tokens.target(TITLES.get(id)));
            assertTrue(trie.isLeaf(leaf), "item " + id);
            assertEquals(TITLES.get(id), trie.title(leaf));
            int item = id;
            assertTrue(Arrays.stream(trie.itemIds(leaf)).anyMatch(i -> i == item), "item " + id + " is listed at its leaf");
        }
        assertArrayEquals(new int[]{0, 3}, trie.itemIds(trie.walk(tokens.target("Greatest Hits"))));
        assertArrayEquals(new int[]{5}, trie.itemIds(trie.walk(tokens.target("Hero"))));
        assertEquals(5, trie.leafCount());
    }

    @Test
    void nodesAreExactlyTheDistinctPrefixes() {
        Set<List<Integer>> prefixes = new HashSet<>();
        int longest = 0;
        for (String title : TITLES) {
            int[] seq = tokens.target(title);
            longest = Math.max(longest, seq.length);
            for (int n = 0; n <= seq.length; n++) prefixes.add(boxed(Arrays.copyOf(seq, n)));
        }
        assertEquals(prefixes.size(), trie.nodeCount());
        assertEquals(longest, trie.maxLength());
        assertEquals(tokens.target("Greatest Hits Vol 2").length, trie.maxLength());
    }

    @Test
    void childrenAreTheAllowedNextTokensSorted() {
        assertArrayEquals(new int[]{'"'}, children(trie.root()));
        assertArrayEquals(new int[]{' ', 'e'}, children(trie.walk(prefix("Great"))));          // " Escape" or "est"
        assertArrayEquals(new int[]{'e', TinyTokenizer.QUOTE_NEWLINE}, children(trie.walk(prefix("Hero"))));
        int hits = trie.walk(prefix("Greatest Hits"));
        assertArrayEquals(new int[]{' ', TinyTokenizer.QUOTE_NEWLINE}, children(hits)); // " Vol 2" or the end
        int complete = trie.child(hits, TinyTokenizer.QUOTE_NEWLINE);
        assertArrayEquals(new int[]{TinyTokenizer.EOS}, children(complete));
        assertFalse(trie.isLeaf(complete));
        assertTrue(trie.isLeaf(trie.child(complete, TinyTokenizer.EOS)));
        assertEquals(0, trie.childCount(trie.child(complete, TinyTokenizer.EOS)));
    }

    @Test
    void pathsOffTheTrieAreRejected() {
        assertEquals(-1, trie.walk(prefix("Greatest Misses")));
        assertEquals(-1, trie.child(trie.root(), 'G'));
        assertThrows(IllegalArgumentException.class, () -> trie.title(trie.walk(prefix("Hero"))));
    }

    @Test
    void sequencesMustEndWithTheirOnlyEos() {
        int eos = TinyTokenizer.EOS;
        IllegalArgumentException inside = assertThrows(IllegalArgumentException.class,
                () -> TitleTrie.of(List.of(new int[]{5, eos, 6, eos}), List.of("x"), eos));
        assertTrue(inside.getMessage().contains("before its end"), inside.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TitleTrie.of(List.of(new int[]{5, 6}), List.of("x"), eos));
        assertThrows(IllegalArgumentException.class, () -> TitleTrie.of(List.of(), List.of(), eos));
    }

    /** Tokens of the target text {@code "<title>} up to, not including, the closing quote. */
    private int[] prefix(String titleStart) {
        return tokenizer.encode("\"" + titleStart);
    }

    private int[] children(int node) {
        int[] out = new int[trie.childCount(node)];
        for (int i = 0; i < out.length; i++) out[i] = trie.childToken(node, i);
        return out;
    }

    private static List<Integer> boxed(int[] a) {
        List<Integer> out = new ArrayList<>(a.length);
        for (int v : a) out.add(v);
        return out;
    }
}
