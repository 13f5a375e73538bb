package dev.latentr3.train.sft;

import dev.latentr3.engine.optim.LrSchedule;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The SFT recipe (method doc §2). {@link #reference()} is the released one: lr 3e-4, linear decay after 20 warm-up
 * steps, global batch 128 (here micro-batch 4 × accumulation 32 on one process), up to 3 epochs, clipping at 1.0
 * (Hugging Face's default max_grad_norm), weight decay 0 (HF's default; AdamW still takes it only on matrices),
 * cutoff 512, early stopping with patience 1 on the validation loss.
 *
 * @param microBatch     rows per forward
 * @param accumulation   micro-batches per optimizer step
 * @param epochs         passes over the training rows (the step count is derived from it)
 * @param peakLr         the learning rate after warm-up
 * @param warmupSteps    linear warm-up steps
 * @param cosine         cosine decay instead of linear, both down to 0 at the last step
 * @param weightDecay    AdamW's decoupled decay, applied to matrices only (not norms or biases)
 * @param maxGradNorm    global gradient-norm clip
 * @param evalEvery      optimizer steps between validation passes (and checkpoints)
 * @param patience       validations without improvement before stopping
 * @param cutoff         tokens kept per sequence (from the right)
 * @param seed           seeds the data order
 */
public record SftConfig(int microBatch, int accumulation, int epochs, double peakLr, int warmupSteps, boolean cosine,
                        double weightDecay, double maxGradNorm, int evalEvery, int patience, int cutoff, long seed) {
    public SftConfig {
        require(microBatch >= 1, "microBatch >= 1", microBatch);
        require(accumulation >= 1, "accumulation >= 1", accumulation);
        require(epochs >= 1, "epochs >= 1", epochs);
        require(peakLr > 0, "peakLr > 0", peakLr);
        require(warmupSteps >= 0, "warmupSteps >= 0", warmupSteps);
        require(weightDecay >= 0, "weightDecay >= 0", weightDecay);
        require(maxGradNorm > 0, "maxGradNorm > 0", maxGradNorm);
        require(evalEvery >= 1, "evalEvery >= 1", evalEvery);
        require(patience >= 1, "patience >= 1", patience);
        require(cutoff >= 2, "cutoff >= 2", cutoff);
    }

    public static SftConfig reference() {
        return new SftConfig(4, 32, 3, 3e-4, 20, false, 0.0, 1.0, 100, 1, 512, 42);
    }

    /** Optimizer steps for {@code trainRows} rows: whole micro-batches (the last may be short), grouped. */
    public long totalSteps(int trainRows) {
        long microsPerEpoch = (trainRows + microBatch - 1) / microBatch;
        return Math.max(1, microsPerEpoch * epochs / accumulation);
    }

    /** Warm-up then linear or cosine decay to 0 at {@code totalSteps}. */
    public LrSchedule schedule(long totalSteps) {
        long warmup = Math.min(warmupSteps, totalSteps - 1);
        return cosine ? LrSchedule.warmupCosine(peakLr, warmup, totalSteps, 0)
                      : LrSchedule.warmupLinear(peakLr, warmup, totalSteps, 0);
    }

    /** Every field by name, for the checkpoint's config snapshot and the metrics log. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("micro_batch", microBatch);
        m.put("accumulation", accumulation);
        m.put("epochs", epochs);
        m.put("peak_lr", peakLr);
        m.put("warmup_steps", warmupSteps);
        m.put("cosine", cosine);
        m.put("weight_decay", weightDecay);
        m.put("max_grad_norm", maxGradNorm);
        m.put("eval_every", evalEvery);
        m.put("patience", patience);
        m.put("cutoff", cutoff);
        m.put("seed", Long.toString(seed));
        return m;
    }

    private static void require(boolean ok, String expected, Object found) {
        if (!ok) throw new IllegalArgumentException("SftConfig: expected " + expected + ", found " + found);
    }
}
