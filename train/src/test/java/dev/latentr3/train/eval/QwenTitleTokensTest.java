package dev.latentr3.train.eval;

import dev.latentr3.model.tokenizer.Tokenizer;
import dev.latentr3.train.dataset.ItemCatalog;
import dev.latentr3.train.dataset.PromptTemplate;
import dev.latentr3.train.dataset.SequenceTokens;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With Qwen's real tokenizer: our trie's title sequences (each target tokenized on its own, as in training) equal the
 * reference's (the response header and target tokenized as one string, the header's 4 tokens then cut off), so the
 * two decoders allow the same titles. Skipped without the cached tokenizer ({@link QwenTokenizerCache}).
 */
class QwenTitleTokensTest {
    /** Real titles of the CDs data with what makes tokenization tricky: digits, apostrophes, accents, punctuation. */
    static final List<String> TITLES = List.of("Greatest Hits", "Greatest Hits Vol. 2", "1989", "90125", "3.0",
            "Don't Explain", "Beyoncé", "Sgt. Pepper's Lonely Hearts Club Band", "AM", "\"Heroes\"", "Live at the Apollo (1962)",
            "Mötley Crüe", "The Definitive Collection", "Greatest Hits", "X & Y", "  spaced  ", "日本語のタイトル", "Blue\tTrain");
    static Tokenizer qwen;

    @BeforeAll
    static void loadTokenizer() throws IOException {
        qwen = QwenTokenizerCache.loadOrSkip();
    }

    @Test
    void separateTargetTokensEqualTheReferencesJointTokenization() {
        SequenceTokens tokens = new SequenceTokens(qwen, new PromptTemplate("musics"), false);
        int[] header = qwen.encode(PromptTemplate.RESPONSE_HEADER);
        assertEquals(4, header.length, "the reference assumes '### Response: \\n' is 4 tokens");
        for (String title : TITLES) {
            int[] joint = qwen.encode(PromptTemplate.RESPONSE_HEADER + "\"" + title + "\"\n");
            assertArrayEquals(header, Arrays.copyOf(joint, 4), title);
            int[] ours = tokens.target(title);
            assertArrayEquals(Arrays.copyOfRange(joint, 4, joint.length), Arrays.copyOf(ours, ours.length - 1), title);
            assertEquals(qwen.tokenId(PromptTemplate.EOS_TOKEN), ours[ours.length - 1]);
        }
    }

    @Test
    void theTrieOverRealTokensHasOneLeafPerDistinctTitle() {
        SequenceTokens tokens = new SequenceTokens(qwen, new PromptTemplate("musics"), false);
        TitleTrie trie = TitleTrie.build(ItemCatalog.of(TITLES), tokens);
        assertEquals(TITLES.stream().distinct().count(), trie.leafCount());
        for (String title : TITLES) {
            int leaf = trie.walk(tokens.target(title));
            assertTrue(trie.isLeaf(leaf), title);
            assertEquals(title, trie.title(leaf));
            // Decoding a path and stripping it as the evaluator does gives the title as the metrics compare it.
            assertEquals(RankingMetrics.strip(title), RankingMetrics.strip(qwen.decode(tokens.target(title), true)), title);
        }
    }
}
