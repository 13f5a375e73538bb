package dev.latentr3.train.dataset;

import dev.latentr3.model.tokenizer.Tokenizer;
import dev.latentr3.train.eval.TinyTokenizer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shared token ids of prompts and targets: segments tokenized separately and concatenated (method doc §6). */
class SequenceTokensTest {
    final Tokenizer tokenizer = TinyTokenizer.load();
    final PromptTemplate template = new PromptTemplate("musics");

    @Test
    void promptIsTheSeparatelyTokenizedSegmentsThenTheThought() {
        SequenceTokens tokens = new SequenceTokens(tokenizer, template, true);
        List<String> history = List.of("Hero", "Help");
        int[] s1 = tokenizer.encode(template.instruction()), s2 = tokenizer.encode(template.userInput(history));
        int[] expected = Arrays.copyOf(s1, s1.length + s2.length + 1);
        System.arraycopy(s2, 0, expected, s1.length, s2.length);
        expected[expected.length - 1] = TinyTokenizer.THOUGHT;
        assertArrayEquals(expected, tokens.prompt(history));
        assertEquals(TinyTokenizer.THOUGHT, tokens.thoughtTokenId());
        assertEquals(template.prompt(history) + PromptTemplate.THOUGHT_TOKEN, tokenizer.decode(tokens.prompt(history)));
    }

    @Test
    void withoutTheThoughtThePromptEndsWithTheResponseHeader() {
        SequenceTokens tokens = new SequenceTokens(tokenizer, template, false);
        assertEquals(-1, tokens.thoughtTokenId());
        assertTrue(tokenizer.decode(tokens.prompt(List.of("Hero"))).endsWith(PromptTemplate.RESPONSE_HEADER));
    }

    @Test
    void targetIsTheQuotedTitleAndNewlineThenEos() {
        SequenceTokens tokens = new SequenceTokens(tokenizer, template, false);
        int[] target = tokens.target("Blue Train");
        assertEquals(TinyTokenizer.EOS, target[target.length - 1]);
        assertEquals(TinyTokenizer.EOS, tokens.eosTokenId());
        assertArrayEquals(tokenizer.encode(template.target("Blue Train")), Arrays.copyOf(target, target.length - 1));
        assertEquals("\"Blue Train\"\n<|endoftext|>", tokenizer.decode(target));
    }

    @Test
    void missingSpecialTokensAreNamed() {
        Tokenizer bare = Tokenizer.fromJson(TinyTokenizer.json(0), "bare.json");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SequenceTokens(bare, template, false));
        assertTrue(e.getMessage().contains(PromptTemplate.EOS_TOKEN), e.getMessage());
        Tokenizer eosOnly = Tokenizer.fromJson(TinyTokenizer.json(1), "eos-only.json");
        assertEquals(TinyTokenizer.EOS, new SequenceTokens(eosOnly, template, false).eosTokenId());
        e = assertThrows(IllegalArgumentException.class, () -> new SequenceTokens(eosOnly, template, true));
        assertTrue(e.getMessage().contains(PromptTemplate.THOUGHT_TOKEN), e.getMessage());
    }
}
