package dev.latentr3.train.eval;

import dev.latentr3.model.generate.Decoder;
import dev.latentr3.train.dataset.Interaction;
import dev.latentr3.train.dataset.ItemCatalog;
import dev.latentr3.train.dataset.PromptTemplate;
import dev.latentr3.train.dataset.SequenceTokens;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BIGRec's length penalty 1 and D3's 0 rank the same two titles in opposite orders on a constructed case: a model
 * whose next-token distribution never changes puts a short title "A" (one unlikely token) above a long
 * "BBBBBBBB" (eight likely ones) by summed log-probability, and below it by log-probability per token.
 */
class LengthPenaltyTest {
    final SequenceTokens tokens = new SequenceTokens(TinyTokenizer.load(), new PromptTemplate("musics"), true);
    final ItemCatalog catalog = ItemCatalog.of(List.of("A", "BBBBBBBB"));
    final TitleTrie trie = TitleTrie.build(catalog, tokens);
    final float[] logits = logits();

    @Test
    void theTwoStylesRankTheTitlesInOppositeOrders() {
        // Preconditions, from the log-softmax of the fixed logits (independent of the search code).
        double[] lp = logSoftmax(logits);
        double shortSum = sum(lp, tokens.target("A")), longSum = sum(lp, tokens.target("BBBBBBBB"));
        int shortLen = tokens.target("A").length, longLen = tokens.target("BBBBBBBB").length;
        assertTrue(shortSum > longSum, "D3 (raw sum) prefers the short title");
        assertTrue(shortSum / shortLen < longSum / longLen, "BIGRec (per token) prefers the long title");

        Interaction row = new Interaction("u", List.of("x"), "y", List.of(0), 1, List.of("A"), "BBBBBBBB", List.of(5.0), 5.0,
                List.of(1L), 2L);
        DecoderFactory fixed = (prompts, perPrompt, maxNew) -> new FixedLogitsDecoder(prompts.size() * perPrompt, perPrompt, logits);
        RowPrediction bigrec = evaluate(DecodingStyle.BIGREC, row, fixed);
        RowPrediction d3 = evaluate(DecodingStyle.D3, row, fixed);
        assertEquals(List.of("BBBBBBBB", "A"), bigrec.predictions());
        assertEquals(List.of("A", "BBBBBBBB"), d3.predictions());
        assertEquals(0, bigrec.rank());
        assertEquals(1, d3.rank());
        assertEquals(longSum / longLen, bigrec.scores().get(0), 1e-4);
        assertEquals(shortSum, d3.scores().get(0), 1e-4);
    }

    private RowPrediction evaluate(DecodingStyle style, Interaction row, DecoderFactory factory) {
        return new Evaluator(tokens, trie, catalog, new EvaluationOptions(10, 1, style)).evaluate(List.of(row), factory, null)
                .rows().getFirst();
    }

    /** Quote, quote-newline and EOS near-certain, 'B' likely, 'A' unlikely, everything else far below. */
    private static float[] logits() {
        float[] l = new float[TinyTokenizer.VOCAB];
        l['"'] = 20;
        l[TinyTokenizer.QUOTE_NEWLINE] = 20;
        l[TinyTokenizer.EOS] = 20;
        l['B'] = 19;
        l['A'] = 14;
        return l;
    }

    private static double[] logSoftmax(float[] l) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (float v : l) max = Math.max(max, v);
        for (float v : l) sum += Math.exp(v - max);
        double logZ = max + Math.log(sum);
        return Arrays.stream(toDouble(l)).map(v -> v - logZ).toArray();
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    private static double sum(double[] lp, int[] seq) {
        double s = 0;
        for (int t : seq) s += lp[t];
        return s;
    }

    /** A stand-in model: the same logits for every row at every step. */
    private record FixedLogitsDecoder(int rows, int rowsPerPrompt, float[] fixed) implements Decoder {
        @Override
        public int vocabSize() {
            return fixed.length;
        }

        @Override
        public float[] logits(int row) {
            return fixed.clone();
        }

        @Override
        public void append(int[] tokens) {
            assertEquals(rows, tokens.length);
        }

        @Override
        public void reorder(int[] from) {
            assertEquals(rows, from.length);
        }

        @Override
        public void close() {}
    }
}
