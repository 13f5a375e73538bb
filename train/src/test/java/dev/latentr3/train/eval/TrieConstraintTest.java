package dev.latentr3.train.eval;

import dev.latentr3.train.dataset.ItemCatalog;
import dev.latentr3.train.dataset.PromptTemplate;
import dev.latentr3.train.dataset.SequenceTokens;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The constraint keeps exactly the trie's continuations, at their original values, and forbids the rest. */
class TrieConstraintTest {
    final SequenceTokens tokens = new SequenceTokens(TinyTokenizer.load(), new PromptTemplate("musics"), true);
    final TitleTrie trie = TitleTrie.build(ItemCatalog.of(List.of("Hero", "Heroes", "Help")), tokens);
    final TrieConstraint constraint = new TrieConstraint(trie);

    @Test
    void onlyContinuationsOfTheGeneratedTokensSurviveUnchanged() {
        int[][] histories = {{}, {'"', 'H', 'e'}, {'"', 'H', 'e', 'r', 'o'}, tokens.target("Help")};
        int[][] allowed = {{'"'}, {'l', 'r'}, {'e', TinyTokenizer.QUOTE_NEWLINE}, {}};
        Random random = new Random(3);
        for (int h = 0; h < histories.length; h++) {
            float[] logProbs = new float[TinyTokenizer.VOCAB];
            for (int t = 0; t < logProbs.length; t++) logProbs[t] = (float) -random.nextDouble(0.1, 9);
            float[] original = logProbs.clone();
            // The prompt index does not matter: every prompt ranks against the same catalogue.
            constraint.process(h, histories[h], logProbs);
            for (int t = 0; t < logProbs.length; t++) {
                boolean isAllowed = contains(allowed[h], t);
                assertEquals(isAllowed ? original[t] : Float.NEGATIVE_INFINITY, logProbs[t], "history " + h + ", token " + t);
            }
        }
    }

    @Test
    void eosIsAllowedOnlyOnceATitleIsComplete() {
        int[] whole = tokens.target("Hero");
        int[] beforeEos = java.util.Arrays.copyOf(whole, whole.length - 1);
        float[] logProbs = new float[TinyTokenizer.VOCAB];
        constraint.process(0, beforeEos, logProbs);
        for (int t = 0; t < logProbs.length; t++) {
            assertEquals(t == TinyTokenizer.EOS ? 0f : Float.NEGATIVE_INFINITY, logProbs[t], "token " + t);
        }
    }

    @Test
    void aHistoryOffTheTrieForbidsEverything() {
        float[] logProbs = new float[TinyTokenizer.VOCAB];
        constraint.process(0, new int[]{'"', 'X'}, logProbs);
        for (float v : logProbs) assertEquals(Float.NEGATIVE_INFINITY, v);
    }

    @Test
    void aVocabularySmallerThanTheTokenizerIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> constraint.process(0, new int[]{'"', 'H', 'e', 'l', 'p'}, new float[100]));
        assertEquals(true, e.getMessage().contains("vocabulary has 100"), e.getMessage());
    }

    private static boolean contains(int[] a, int v) {
        for (int x : a) if (x == v) return true;
        return false;
    }
}
