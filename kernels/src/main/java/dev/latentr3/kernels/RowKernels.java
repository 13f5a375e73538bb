package dev.latentr3.kernels;

import java.lang.foreign.MemorySegment;

/**
 * Kernels that work row by row on contiguous fp32 [rows, cols] data: normalisation, softmax, rotary embeddings, the
 * gated MLP activation and the fused log-prob gather over a vocabulary.
 */
public interface RowKernels {

    /** y = softmax(x) along each row. */
    void softmax(int rows, int cols, MemorySegment x, MemorySegment y);

    /** dx = y * (dy - sum(dy * y)) per row, from the forward output y. */
    void softmaxBackward(int rows, int cols, MemorySegment y, MemorySegment dy, MemorySegment dx);

    /** y = x - logsumexp(x) along each row. */
    void logSoftmax(int rows, int cols, MemorySegment x, MemorySegment y);

    /** dx = dy - exp(y) * sum(dy) per row, from the forward output y. */
    void logSoftmaxBackward(int rows, int cols, MemorySegment y, MemorySegment dy, MemorySegment dx);

    /**
     * RMSNorm: y = x * rstd * weight with rstd = 1 / sqrt(mean(x^2) + eps) per row; rstd [rows] is written for the
     * backward.
     */
    void rmsNorm(int rows, int dim, MemorySegment x, MemorySegment weight, float eps, MemorySegment y, MemorySegment rstd);

    /** Writes dx; adds (accumulates) the weight gradient into dWeight. */
    void rmsNormBackward(int rows, int dim, MemorySegment x, MemorySegment weight, MemorySegment rstd,
                         MemorySegment dy, MemorySegment dx, MemorySegment dWeight);

    /**
     * Rotary position embedding, "rotate half" (GPT-NeoX / Qwen2) form, on x laid out [tokens, heads, headDim], where
     * token t has position positions[t] (int32). The first {@code rotaryDim} (even) entries of each head are rotated
     * in pairs (i, i + rotaryDim/2) by angle pos * theta^(-2i/rotaryDim); the rest pass through.
     * {@code inverse} rotates by the negative angle, which is the backward (dx from dy). y may alias x.
     */
    void rope(int tokens, int heads, int headDim, int rotaryDim, double theta, MemorySegment positions,
              boolean inverse, MemorySegment x, MemorySegment y);

    /** out = silu(gate) * up, element-wise over n. */
    void swiglu(long n, MemorySegment gate, MemorySegment up, MemorySegment out);

    /** dGate = dOut * up * silu'(gate), dUp = dOut * silu(gate). */
    void swigluBackward(long n, MemorySegment gate, MemorySegment up, MemorySegment dOut,
                        MemorySegment dGate, MemorySegment dUp);

    /**
     * Fused target log-prob gather over logits [rows, vocab]: logp[r] = logits[r, t] - logsumexp(logits[r, :]) with
     * t = targets[r] (int32); lse[r] is written for the backward. A row whose target equals {@code ignoreIndex} gets
     * logp = 0 (lse is still written). A target outside [0, vocab) other than ignoreIndex is an error.
     * One pass over each row (online max and sum); the softmax is never stored.
     */
    void logProbGather(int rows, int vocab, MemorySegment logits, MemorySegment targets, int ignoreIndex,
                       MemorySegment logp, MemorySegment lse);

    /**
     * dLogits[r, j] = dLogp[r] * ([j == t] - exp(logits[r, j] - lse[r])); rows with the ignore index get 0.
     * Overwrites dLogits.
     */
    void logProbGatherBackward(int rows, int vocab, MemorySegment logits, MemorySegment targets, int ignoreIndex,
                               MemorySegment lse, MemorySegment dLogp, MemorySegment dLogits);
}
