package dev.latentr3.train.eval;

import dev.latentr3.model.tokenizer.Tokenizer;
import dev.latentr3.train.dataset.ItemCatalog;
import dev.latentr3.train.dataset.PromptTemplate;
import dev.latentr3.train.dataset.SequenceTokens;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trie over the real CDs catalogue (5,841 items) with Qwen's tokenizer: every title's own target tokens equal the
 * reference's jointly tokenized ones, no title holds EOS, and duplicate titles collapse (method doc §5.4: 185 titles
 * shared by 649 items). Skipped unless both the shared data and the cached tokenizer are present.
 */
class RealCdsTrieTest {
    @Test
    void theCdsCatalogueTrieMatchesTheReferencesTokenization() throws IOException {
        Path info = Path.of(System.getProperty("latentr3.shared", "../shared"), "data", "amazon-cds-2018", "info.txt");
        Assumptions.assumeTrue(Files.isRegularFile(info), "the real CDs catalogue is not at " + info);
        Tokenizer qwen = QwenTokenizerCache.loadOrSkip();
        ItemCatalog catalog = ItemCatalog.read(info);
        SequenceTokens tokens = new SequenceTokens(qwen, new PromptTemplate("musics"), false);

        TitleTrie trie = TitleTrie.build(catalog, tokens);
        int distinct = new HashSet<>(catalog.titles()).size();
        assertEquals(5841, catalog.size());
        assertEquals(5841 - 649 + 185, distinct);
        assertEquals(distinct, trie.leafCount());

        int[] header = qwen.encode(PromptTemplate.RESPONSE_HEADER);
        int longest = 0;
        for (String title : catalog.titles()) {
            int[] joint = qwen.encode(PromptTemplate.RESPONSE_HEADER + "\"" + title + "\"\n");
            int[] ours = tokens.target(title);
            assertArrayEquals(Arrays.copyOfRange(joint, header.length, joint.length), Arrays.copyOf(ours, ours.length - 1), title);
            assertTrue(trie.isLeaf(trie.walk(ours)), title);
            longest = Math.max(longest, ours.length);
        }
        assertEquals(longest, trie.maxLength());
    }
}
