package dev.latentr3.model.qwen2;

import dev.latentr3.engine.Tensor;

import java.util.Arrays;

/**
 * Which (batch row, position) pairs of a forward get logits, in the order the logits rows come out. Projecting a
 * hidden state onto the vocabulary (151,936 entries for Qwen2.5) is the costliest step of a small model, so a caller
 * asks only for what it uses: training on a few target positions, decoding on each row's last real token.
 *
 * @param batch    batch row of each requested logits row
 * @param position position (index along the sequence of this forward) of each requested logits row
 */
public record LogitPositions(int[] batch, int[] position) {
    public LogitPositions {
        if (batch.length != position.length) {
            throw new IllegalArgumentException("LogitPositions: " + batch.length + " batch rows but " + position.length
                    + " positions");
        }
        batch = batch.clone();
        position = position.clone();
    }

    /** Every position of every row, row-major: logits row b * length + t is (b, t). */
    public static LogitPositions all(int batchSize, int length) {
        int n = Math.multiplyExact(batchSize, length);
        int[] b = new int[n], t = new int[n];
        for (int i = 0; i < n; i++) {
            b[i] = i / length;
            t[i] = i % length;
        }
        return new LogitPositions(b, t);
    }

    /** No logits (hidden states only). */
    public static LogitPositions none() {
        return new LogitPositions(new int[0], new int[0]);
    }

    /**
     * Each row's last real token (the last 1 in the I32 [B, L] mask), one logits row per batch row: where generation
     * continues from, for left or right padding. A row with no real token is an error.
     */
    public static LogitPositions lastReal(Tensor attentionMask) {
        int batchSize = attentionMask.size(0), length = attentionMask.size(1);
        int[] m = attentionMask.toIntArray();
        int[] b = new int[batchSize], t = new int[batchSize];
        for (int row = 0; row < batchSize; row++) {
            b[row] = row;
            t[row] = -1;
            for (int j = length - 1; j >= 0 && t[row] < 0; j--) if (m[row * length + j] != 0) t[row] = j;
            if (t[row] < 0) {
                throw new IllegalArgumentException("LogitPositions.lastReal: row " + row + " of mask "
                        + attentionMask.describe() + " has no real token");
            }
        }
        return new LogitPositions(b, t);
    }

    /** The given pairs. */
    public static LogitPositions of(int[] batch, int[] position) {
        return new LogitPositions(batch, position);
    }

    public int size() {
        return batch.length;
    }

    @Override
    public int[] batch() {
        return batch.clone();
    }

    @Override
    public int[] position() {
        return position.clone();
    }

    /** True when these are exactly all(batchSize, length): the logits need no gather. */
    boolean isAll(int batchSize, int length) {
        if (size() != batchSize * length) return false;
        for (int i = 0; i < size(); i++) {
            if (batch[i] != i / length || position[i] != i % length) return false;
        }
        return true;
    }

    /** Row indices into the [B * L, hidden] flattened hidden states, checked against the forward's shape. */
    int[] flatRows(int batchSize, int length) {
        int[] rows = new int[size()];
        for (int i = 0; i < rows.length; i++) {
            if (batch[i] < 0 || batch[i] >= batchSize || position[i] < 0 || position[i] >= length) {
                throw new IllegalArgumentException("LogitPositions: pair " + i + " (batch " + batch[i] + ", position "
                        + position[i] + ") is outside a forward of batch " + batchSize + " and length " + length);
            }
            rows[i] = batch[i] * length + position[i];
        }
        return rows;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogitPositions p && Arrays.equals(batch, p.batch) && Arrays.equals(position, p.position);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(batch) + Arrays.hashCode(position);
    }

    @Override
    public String toString() {
        return "LogitPositions(batch=" + Arrays.toString(batch) + ", position=" + Arrays.toString(position) + ")";
    }
}
