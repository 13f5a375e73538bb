package dev.latentr3.train.sft;

import dev.latentr3.model.qwen2.LogitPositions;
import dev.latentr3.train.dataset.Interaction;
import dev.latentr3.train.dataset.SequenceTokens;

import java.util.Arrays;
import java.util.List;

/**
 * Builds SFT micro-batches from dataset rows (method doc §2, §6): the prompt and the target as
 * {@link SequenceTokens} makes them (the one place shared with evaluation: separately tokenized segments, the
 * {@code <|Thought|>} token ending LatentR3 prompts and none for the BIGRec-style baseline, {@code "title"\n} + EOS);
 * each sequence truncated from the left to {@code cutoff} tokens as the reference does, then left-padded (with EOS
 * ids, masked out) to the longest row. Only target tokens are labelled.
 *
 * <p>Left padding (the reference leaves the side to the tokenizer's default) keeps the last real token of every row
 * in the last column; the model's default positions make a padded row compute what it would alone.
 */
public final class SftCollator {
    private final SequenceTokens tokens;
    private final int cutoff;

    /** @param cutoff the most tokens a sequence keeps (the reference's cutoff_len, 512), its last ones */
    public SftCollator(SequenceTokens tokens, int cutoff) {
        if (cutoff < 2) throw new IllegalArgumentException("SftCollator: cutoff must be >= 2, got " + cutoff);
        this.tokens = tokens;
        this.cutoff = cutoff;
    }

    public boolean withThought() {
        return tokens.thoughtTokenId() >= 0;
    }

    /** The rows as one left-padded batch with the target positions and labels. */
    public SftBatch collate(List<Interaction> rows) {
        if (rows.isEmpty()) throw new IllegalArgumentException("SftCollator: a batch needs at least one row");
        int b = rows.size();
        int[][] sequences = new int[b][];
        int[] targetLengths = new int[b];
        int length = 0;
        long labelled = 0;
        for (int r = 0; r < b; r++) {
            Interaction row = rows.get(r);
            int[] prompt = tokens.prompt(row.historyTitles()), target = tokens.target(row.targetTitle());
            if (target.length + 1 > cutoff) {
                throw new IllegalArgumentException("SftCollator: the target of row " + r + " (user " + row.userId()
                        + ") has " + target.length + " tokens; cutoff " + cutoff + " must keep it and one prompt token");
            }
            int[] full = Arrays.copyOf(prompt, prompt.length + target.length);
            System.arraycopy(target, 0, full, prompt.length, target.length);
            sequences[r] = full.length > cutoff ? Arrays.copyOfRange(full, full.length - cutoff, full.length) : full;
            targetLengths[r] = target.length;
            length = Math.max(length, sequences[r].length);
            labelled += target.length;
        }
        int[] ids = new int[b * length], mask = new int[b * length];
        int n = Math.toIntExact(labelled);
        int[] batchOf = new int[n], positionOf = new int[n], labels = new int[n];
        long real = 0;
        int k = 0;
        for (int r = 0; r < b; r++) {
            int[] seq = sequences[r];
            int pad = length - seq.length;
            Arrays.fill(ids, r * length, r * length + pad, tokens.eosTokenId());
            System.arraycopy(seq, 0, ids, r * length + pad, seq.length);
            Arrays.fill(mask, r * length + pad, (r + 1) * length, 1);
            real += seq.length;
            for (int j = seq.length - targetLengths[r]; j < seq.length; j++) {
                batchOf[k] = r;
                positionOf[k] = pad + j - 1; // the logits before a token predict it
                labels[k] = seq[j];
                k++;
            }
        }
        return new SftBatch(b, length, ids, mask, LogitPositions.of(batchOf, positionOf), labels, real);
    }
}
