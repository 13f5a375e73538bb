package dev.latentr3.train.sft;

import dev.latentr3.engine.random.Rng;

/**
 * The order in which training rows are visited: each epoch a fresh shuffle drawn from one {@link Rng} stream, cut
 * into micro-batches (the last one of an epoch may be short). Its whole state is the {@link Position}: the stream's
 * state before the current epoch's shuffle and how far into the epoch we are, so a resumed run redraws the same
 * shuffle and continues with the same next micro-batch.
 */
public final class DataOrder {
    /**
     * @param epoch          epochs started so far, minus one (0 during the first)
     * @param microBatch     micro-batches of this epoch already handed out
     * @param rngAtEpochStart the shuffling stream's state just before this epoch's shuffle
     */
    public record Position(int epoch, int microBatch, Rng.State rngAtEpochStart) {}

    private final int rows;
    private final int microBatchSize;
    private Rng rng;
    private Rng.State epochStart;
    private int epoch;
    private int next;
    private int[] order;

    public DataOrder(int rows, int microBatchSize, Rng rng) {
        if (rows < 1) throw new IllegalArgumentException("DataOrder: no training rows");
        this.rows = rows;
        this.microBatchSize = microBatchSize;
        this.rng = rng;
        startEpoch(0);
    }

    public int microBatchesPerEpoch() {
        return (rows + microBatchSize - 1) / microBatchSize;
    }

    /** Row indices of the next micro-batch, starting a new epoch (a new shuffle) after the last one. */
    public int[] next() {
        if (next == microBatchesPerEpoch()) startEpoch(epoch + 1);
        int from = next * microBatchSize, to = Math.min(rows, from + microBatchSize);
        next++;
        int[] batch = new int[to - from];
        System.arraycopy(order, from, batch, 0, batch.length);
        return batch;
    }

    public Position position() {
        return new Position(epoch, next, epochStart);
    }

    /** Continues from a saved position: redraws that epoch's shuffle and skips the micro-batches already used. */
    public void restore(Position p) {
        if (p.microBatch() < 0 || p.microBatch() > microBatchesPerEpoch()) {
            throw new IllegalArgumentException("DataOrder: position " + p + " is outside an epoch of "
                    + microBatchesPerEpoch() + " micro-batches");
        }
        rng = Rng.restore(p.rngAtEpochStart());
        startEpoch(p.epoch());
        next = p.microBatch();
    }

    private void startEpoch(int e) {
        epochStart = rng.state();
        epoch = e;
        next = 0;
        order = new int[rows];
        for (int i = 0; i < rows; i++) order[i] = i;
        for (int i = rows - 1; i > 0; i--) { // Fisher-Yates
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }
}
