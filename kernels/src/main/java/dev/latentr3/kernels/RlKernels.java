package dev.latentr3.kernels;

import java.lang.foreign.MemorySegment;

/**
 * The kernels specific to LatentR3's reinforcement learning: GRPO advantage normalisation and latent-token injection.
 * fp32 unless stated; index arrays are int32.
 */
public interface RlKernels {

    /**
     * LatentR3's batch-level baseline over rewards [groups, copies], where copy 0 of each group is its clean
     * (noise-free) rollout: baseline = mean over groups of rewards[g, 0]; d = rewards - baseline; advantages = d / ||d||_2
     * with the norm over the whole batch, or 0 everywhere when the norm is 0 (every reward equals the baseline).
     */
    void grpoAdvantagesBatch(int groups, int copies, MemorySegment rewards, MemorySegment advantages);

    /**
     * GRPO's group-level normalisation: advantages[g, c] = (rewards[g, c] - mean_g) / (std_g + eps), where std_g is the
     * sample standard deviation of group g (divisor copies - 1; 0 when copies is 1).
     */
    void grpoAdvantagesGroup(int groups, int copies, float eps, MemorySegment rewards, MemorySegment advantages);

    /**
     * Latent-token injection, in place on the input embeddings [tokens, dim]: embeds[rows[i], j] = latents[i, j] +
     * sigma * z(i * dim + j) for i < n, where z(k) = {@link Philox#gaussian}(seed, offset, k); with sigma = 0 the latents
     * are copied exactly. rows must be distinct and in [0, tokens).
     */
    void injectLatents(int n, int dim, MemorySegment latents, MemorySegment rows, int tokens, float sigma, long seed,
                       long offset, MemorySegment embeds);

    /**
     * The backward of {@link #injectLatents}, given the gradient of the embeddings: dLatents[i, :] = dEmbeds[rows[i], :]
     * (overwritten), then dEmbeds[rows[i], :] = 0, since the injected rows' previous values never reached the output.
     */
    void injectLatentsBackward(int n, int dim, MemorySegment rows, int tokens, MemorySegment dEmbeds,
                               MemorySegment dLatents);
}
