package dev.latentr3.train.data;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.random.Rng;

/**
 * Language-model batches cut from one token stream: each row is a window of seqLen tokens at a random offset, and
 * its targets are the same window shifted by one (the next token at every position).
 */
public final class TokenWindows {

    /** inputs and targets, both I32 [batch, seqLen]. */
    public record Batch(Tensor inputs, Tensor targets) {}

    private final int[] tokens;
    private final int seqLen;
    private final Rng rng;

    public TokenWindows(int[] tokens, int seqLen, Rng rng) {
        if (seqLen <= 0 || tokens.length <= seqLen) {
            throw new IllegalArgumentException("TokenWindows: need more than seqLen = " + seqLen + " tokens, got " + tokens.length);
        }
        this.tokens = tokens;
        this.seqLen = seqLen;
        this.rng = rng;
    }

    public int seqLen() {
        return seqLen;
    }

    /** A batch of independent random windows (tensors allocated in the caller's scope). */
    public Batch next(int batchSize) {
        int[] in = new int[batchSize * seqLen], out = new int[batchSize * seqLen];
        for (int b = 0; b < batchSize; b++) {
            int start = rng.nextInt(tokens.length - seqLen);
            System.arraycopy(tokens, start, in, b * seqLen, seqLen);
            System.arraycopy(tokens, start + 1, out, b * seqLen, seqLen);
        }
        return new Batch(Tensor.ofInts(in, batchSize, seqLen), Tensor.ofInts(out, batchSize, seqLen));
    }
}
