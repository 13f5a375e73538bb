package dev.latentr3.model.latent;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.model.config.Qwen2Config;
import dev.latentr3.model.qwen2.LogitPositions;
import dev.latentr3.model.qwen2.Qwen2ForCausalLM;
import dev.latentr3.model.qwen2.Qwen2Weights;
import dev.latentr3.model.qwen2.RandomQwen2;
import dev.latentr3.model.tokenizer.TinyTokenizerJson;
import dev.latentr3.model.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static dev.latentr3.model.qwen2.NumericAssertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Resizing the vocabulary (Hugging Face's resize_token_embeddings) and installing the thought token. */
class ThoughtTokenTest {
    final Qwen2Config tied = RandomQwen2.config(37, 18, 13, 3, 1, true);
    final Qwen2Config untied = RandomQwen2.config(37, 18, 13, 3, 1, false);

    static float[] rows(Tensor t, int from, int to) {
        return Arrays.copyOfRange(t.toFloatArray(), from * t.size(1), to * t.size(1));
    }

    @Test
    void growingATiedModelKeepsOldRowsAndSharesOneMatrix() {
        Qwen2ForCausalLM model = RandomQwen2.model(tied, 1, 0.3);
        Qwen2ForCausalLM grown = model.resizeTokenEmbeddings(237, 7);
        Tensor embed = grown.weights().embedTokens();
        assertEquals(237, grown.config().vocabSize());
        assertArrayEquals(new int[]{237, 18}, embed.shape());
        assertSame(embed, grown.weights().lmHead(), "tied: lm_head is the resized embedding matrix itself");
        assertFalse(grown.namedParameters().containsKey(Qwen2Weights.LM_HEAD));
        assertArrayEquals(model.weights().embedTokens().toFloatArray(), rows(embed, 0, 37), "old rows unchanged");
        assertSame(model.weights().layers().get(1).qProj(), grown.weights().layers().get(1).qProj(), "other weights shared");
        // New rows: N(0, 0.02^2) (initializer_range), reproducible from the seed. 3600 draws: the sample std is
        // within 0.0015 of 0.02 with overwhelming probability.
        float[] fresh = rows(embed, 37, 237);
        assertArrayEquals(fresh, rows(model.resizeTokenEmbeddings(237, 7).weights().embedTokens(), 37, 237));
        assertFalse(Arrays.equals(fresh, rows(model.resizeTokenEmbeddings(237, 8).weights().embedTokens(), 37, 237)));
        double squares = 0;
        for (float v : fresh) squares += v * (double) v;
        assertEquals(0.02, Math.sqrt(squares / fresh.length), 0.0015);
        // Same hidden states for old ids, so the old vocabulary's logits are unchanged; the new ones are appended.
        try (TensorScope scope = TensorScope.open()) {
            Tensor ids = Tensor.ofInts(new int[]{3, 30, 1, 36}, 1, 4);
            float[] before = model.forward(ids, null, LogitPositions.all(1, 4)).logits().toFloatArray();
            float[] after = grown.forward(ids, null, LogitPositions.all(1, 4)).logits().toFloatArray();
            for (int t = 0; t < 4; t++) {
                assertClose("position " + t, Arrays.copyOfRange(before, t * 37, (t + 1) * 37),
                        Arrays.copyOfRange(after, t * 237, t * 237 + 37), 1e-6);
            }
        }
    }

    @Test
    void shrinkingKeepsTheFirstRows() {
        Qwen2ForCausalLM model = RandomQwen2.model(tied, 2, 0.3);
        Qwen2ForCausalLM shrunk = model.resizeTokenEmbeddings(30, 7);
        assertArrayEquals(new int[]{30, 18}, shrunk.weights().embedTokens().shape());
        assertArrayEquals(rows(model.weights().embedTokens(), 0, 30), shrunk.weights().embedTokens().toFloatArray());
        assertSame(shrunk.weights().embedTokens(), shrunk.weights().lmHead());
        // eos (id 1) must stay inside the vocabulary.
        assertThrows(IllegalArgumentException.class, () -> model.resizeTokenEmbeddings(1, 7));
    }

    @Test
    void anUntiedHeadIsResizedToo() {
        Qwen2ForCausalLM model = RandomQwen2.model(untied, 3, 0.3);
        Qwen2ForCausalLM grown = model.resizeTokenEmbeddings(40, 7);
        Tensor head = grown.weights().lmHead();
        assertNotSame(grown.weights().embedTokens(), head);
        assertSame(head, grown.namedParameters().get(Qwen2Weights.LM_HEAD));
        assertArrayEquals(new int[]{40, 18}, head.shape());
        assertArrayEquals(model.weights().lmHead().toFloatArray(), rows(head, 0, 37));
        assertArrayEquals(model.weights().embedTokens().toFloatArray(), rows(grown.weights().embedTokens(), 0, 37));
        assertFalse(Arrays.equals(rows(head, 37, 40), rows(grown.weights().embedTokens(), 37, 40)),
                "the head's new rows are their own draws");
    }

    @Test
    void installingTheThoughtTokenMakesItTheLastRow() {
        // 256 byte tokens and "ab": 257 ids, against a model with 300 rows, shrunk to 258 as Qwen2.5's is.
        Tokenizer tokenizer = new TinyTokenizerJson(List.of("ab"), "[\"a b\"]").load();
        Qwen2ForCausalLM model = RandomQwen2.model(RandomQwen2.config(300, 8, 12, 2, 1, true), 4, 0.3);
        ThoughtToken.Installed installed = ThoughtToken.install(tokenizer, model, 7);
        assertEquals(257, installed.thoughtId());
        assertEquals(258, installed.tokenizer().vocabSize());
        assertEquals(installed.thoughtId(), installed.model().weights().embedTokens().size(0) - 1);
        assertEquals(257, installed.tokenizer().encode("ab<|Thought|>")[1]);
        LatentModel latent = new LatentModel(installed.model(), LatentRATT.initialize(8, 0.02, 1), installed.thoughtId());
        assertEquals(257, latent.thoughtId());
        assertThrows(IllegalArgumentException.class, () -> new LatentModel(model, LatentRATT.initialize(8, 0.02, 1), 257));
    }
}
