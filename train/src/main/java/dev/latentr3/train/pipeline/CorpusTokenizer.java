package dev.latentr3.train.pipeline;

import dev.latentr3.model.tokenizer.BpeTrainer;
import dev.latentr3.model.tokenizer.ByteLevelTokenizerJson;
import dev.latentr3.train.dataset.Interaction;
import dev.latentr3.train.dataset.PromptTemplate;

import java.util.ArrayList;
import java.util.List;

/**
 * The tokenizer of a model trained from scratch: byte-level BPE trained on the texts the model will read (every
 * training row's instruction, user input and target, each segment one document as {@code SequenceTokens} tokenizes
 * them, plus every catalogue title's target line, so that no title is left to bytes), or the plain byte-level one.
 * The result is a Qwen2-format tokenizer.json with {@code <|endoftext|>} as its only special token; the thought token
 * is added later, by {@link ModelInit#withThought}.
 */
public final class CorpusTokenizer {
    private CorpusTokenizer() {}

    /** @param vocabSize ids in all (256 bytes + merges + EOS); 0 for the byte-level tokenizer (one token per byte) */
    public static String json(DatasetSplits data, PromptTemplate template, int vocabSize) {
        if (vocabSize == 0) return ByteLevelTokenizerJson.json(ByteLevelTokenizerJson.QWEN_SPECIAL_TOKENS);
        if (vocabSize < 258) throw new IllegalArgumentException("tokenizer: vocab_size must be 0 (bytes) or >= 258, got " + vocabSize);
        List<String> texts = new ArrayList<>();
        for (Interaction row : data.train()) {
            PromptTemplate.Segments s = template.segments(row);
            texts.add(s.instruction());
            texts.add(s.userInput());
            texts.add(s.target());
        }
        for (String title : data.catalog().titles()) texts.add(template.target(title));
        return BpeTrainer.train(texts, vocabSize, List.of(PromptTemplate.EOS_TOKEN)).json();
    }
}
