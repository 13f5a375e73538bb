package dev.latentr3.train.sft;

import dev.latentr3.engine.Tensor;
import dev.latentr3.model.qwen2.LogitPositions;

/**
 * One collated micro-batch, as plain arrays so that it can be built outside a step and turned into tensors inside the
 * step's scope: left-padded ids and mask [rows, length], and the target positions with their labels. Logits are
 * computed only at {@code logitPositions}: pair i is the position whose next-token prediction is {@code labels[i]}
 * (the token before each target token), so the loss needs no ignore index and no full-vocabulary logits elsewhere.
 *
 * @param realTokens number of non-padding tokens (prompt and target), for throughput
 */
public record SftBatch(int rows, int length, int[] ids, int[] mask, LogitPositions logitPositions, int[] labels,
                       long realTokens) {
    public SftBatch {
        if (ids.length != rows * length || mask.length != rows * length) {
            throw new IllegalArgumentException("SftBatch: ids " + ids.length + " and mask " + mask.length
                    + " values for " + rows + " rows of length " + length);
        }
        if (labels.length != logitPositions.size()) {
            throw new IllegalArgumentException("SftBatch: " + labels.length + " labels for " + logitPositions.size()
                    + " logit positions");
        }
    }

    /** I32 [rows, length]. */
    public Tensor idsTensor() {
        return Tensor.ofInts(ids, rows, length);
    }

    /** I32 [rows, length], 1 for real tokens, 0 for padding. */
    public Tensor maskTensor() {
        return Tensor.ofInts(mask, rows, length);
    }

    /** I32 [targets]. */
    public Tensor labelsTensor() {
        return Tensor.ofInts(labels, labels.length);
    }

    /** Number of labelled (target) tokens: the loss is their mean. */
    public int targetTokens() {
        return labels.length;
    }
}
