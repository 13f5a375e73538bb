package dev.latentr3.train.eval;

import dev.latentr3.engine.Tensor;

import java.util.List;

/**
 * Prompts of different lengths as one left-padded batch: ids I32 [P, L] and mask I32 [P, L] (0 on padding), so that
 * every prompt's last token is in the last column, where decoding continues.
 */
record LeftPaddedPrompts(Tensor ids, Tensor mask) {
    static LeftPaddedPrompts of(List<int[]> prompts, int padTokenId, String who) {
        if (prompts.isEmpty()) throw new IllegalArgumentException(who + ": expected at least one prompt");
        int length = 0;
        for (int[] p : prompts) {
            if (p.length == 0) throw new IllegalArgumentException(who + ": a prompt is empty");
            length = Math.max(length, p.length);
        }
        int[] ids = new int[prompts.size() * length], mask = new int[ids.length];
        for (int b = 0; b < prompts.size(); b++) {
            int[] p = prompts.get(b);
            int pad = length - p.length;
            for (int t = 0; t < length; t++) {
                boolean real = t >= pad;
                ids[b * length + t] = real ? p[t - pad] : padTokenId;
                mask[b * length + t] = real ? 1 : 0;
            }
        }
        return new LeftPaddedPrompts(Tensor.ofInts(ids, prompts.size(), length), Tensor.ofInts(mask, prompts.size(), length));
    }
}
