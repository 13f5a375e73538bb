package dev.latentr3.train.eval;

import dev.latentr3.model.generate.LogitsProcessor;

import java.util.Arrays;

/**
 * Constrained decoding: at every step a row may only emit a token that continues some catalogue title's target
 * sequence from the tokens it has generated so far (EOS once a whole title is written); every other token is set to
 * negative infinity. Allowed tokens keep their full-vocabulary log-probability, not renormalised over the allowed
 * set, as in the reference (method doc §4.1), so beam scores are the model's own log-probabilities of the titles.
 *
 * <p>The state is the generated tokens alone, walked from the trie's root. The reference instead keyed step 0 on the
 * last five prompt tokens (the response header and the thought token) and later steps on the beam's last t tokens.
 * Keying on the generated tokens is more robust: it makes no assumption about how the prompt ends or how many tokens
 * the header takes (a tokenizer that merges differently, padding, a prompt without a thought token, or a latent
 * model whose thought position is an injected vector all leave it correct), and a prompt whose tail happened to
 * differ cannot silently forbid every token.
 */
public final class TrieConstraint implements LogitsProcessor {
    private final TitleTrie trie;

    public TrieConstraint(TitleTrie trie) {
        this.trie = trie;
    }

    @Override
    public void process(int prompt, int[] generated, float[] logProbs) {
        int node = trie.walk(generated);
        if (node < 0) {
            // Unreachable under this constraint; a row off the trie gets no continuation rather than a wrong one.
            Arrays.fill(logProbs, Float.NEGATIVE_INFINITY);
            return;
        }
        int n = trie.childCount(node);
        int[] tokens = new int[n];
        float[] kept = new float[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = trie.childToken(node, i);
            if (tokens[i] >= logProbs.length) {
                throw new IllegalArgumentException("trie constraint: a title continues with token " + tokens[i]
                        + " but the model's vocabulary has " + logProbs.length + " entries (tokenizer and model disagree)");
            }
            kept[i] = logProbs[tokens[i]];
        }
        Arrays.fill(logProbs, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < n; i++) logProbs[tokens[i]] = kept[i];
    }
}
