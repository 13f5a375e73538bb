package dev.latentr3.engine.ops;

import dev.latentr3.engine.DType;
import dev.latentr3.engine.Tensor;

/** Token-level log-likelihoods and the language-model loss, without materialising the softmax over the vocabulary. */
public final class Losses {
    private Losses() {}

    /**
     * logp[r] = log softmax(logits[r, :])[targets[r]] for logits [N, V] and targets I32 [N]; rows whose target is
     * {@code ignoreIndex} get 0 and no gradient. Other targets must lie in [0, V).
     */
    public static Tensor logProbGather(Tensor logits, Tensor targets, int ignoreIndex) {
        String op = "logProbGather";
        Elementwise.requireF32(op, logits);
        Ops.requireDType(op, "targets", targets, DType.I32);
        Ops.sameDevice(op, logits, targets);
        if (logits.dim() != 2) {
            throw new IllegalArgumentException(op + ": logits must be [N, V] (reshape [B, L, V] to [B*L, V]), got "
                    + logits.describe());
        }
        int rows = logits.size(0), vocab = logits.size(1);
        if (targets.dim() != 1 || targets.size(0) != rows) {
            throw new IllegalArgumentException(op + ": targets " + targets.describe() + " must be [" + rows
                    + "] for logits " + logits.describe());
        }
        Ops.requireIndices(op, "target", targets, vocab, logits, ignoreIndex);
        Tensor lc = logits.contiguous(), tc = targets.contiguous();
        Tensor logp = Tensor.empty(logits.device(), rows), lse = Tensor.empty(logits.device(), rows);
        logits.backend().rows().logProbGather(rows, vocab, lc.data(), tc.data(), ignoreIndex, logp.data(), lse.data());
        return Tensor.record(op, logp, g -> {
            Tensor dLogp = g.contiguous();
            Tensor dLogits = Tensor.empty(logits.device(), rows, vocab);
            logits.backend().rows().logProbGatherBackward(rows, vocab, lc.data(), tc.data(), ignoreIndex, lse.data(),
                    dLogp.data(), dLogits.data());
            return new Tensor[]{dLogits, null};
        }, logits, targets);
    }

    /**
     * Cross-entropy: the scalar -mean(logp) over the rows whose target is not {@code ignoreIndex}. When every row is
     * ignored (a batch of only padding) the mean is undefined; it returns 0 with zero gradients, so that such a
     * batch passes through a training step without effect instead of poisoning it with NaN.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets, int ignoreIndex) {
        Tensor logp = logProbGather(logits, targets, ignoreIndex);
        // The mean's divisor is needed in Java (a scale factor): targets in device memory are copied to the host for
        // it, one small copy of N ints per call, which also waits for the device.
        int counted = 0;
        for (int t : targets.toIntArray()) if (t != ignoreIndex) counted++;
        return logp.sum().scale(counted == 0 ? 0f : -1f / counted);
    }
}
