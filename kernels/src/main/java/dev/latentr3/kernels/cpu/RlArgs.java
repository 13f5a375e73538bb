package dev.latentr3.kernels.cpu;

import java.lang.foreign.MemorySegment;

/**
 * Size checks shared by every {@link dev.latentr3.kernels.RlKernels} implementation (CPU and CUDA), so that they
 * reject the same calls with the same messages. Index values are checked where the indices live.
 */
public final class RlArgs {
    private RlArgs() {}

    /** rewards and advantages [groups, copies], copies >= 1. */
    public static void advantages(String kernel, int groups, int copies, MemorySegment rewards, MemorySegment advantages) {
        ElementwiseArgs.nonNegative(kernel, "groups", groups);
        if (copies < 1) throw new IllegalArgumentException(kernel + ": copies must be >= 1, got " + copies);
        ElementwiseArgs.holds(kernel, "rewards", rewards, (long) groups * copies, Float.BYTES);
        ElementwiseArgs.holds(kernel, "advantages", advantages, (long) groups * copies, Float.BYTES);
    }

    /** rows [n] into an embedding [tokens, dim], with one more [n, dim] operand. */
    public static void injection(String kernel, int n, int dim, MemorySegment rows, int tokens, String embedsName,
                                 MemorySegment embeds, String latentsName, MemorySegment latents) {
        ElementwiseArgs.nonNegative(kernel, "n", n);
        ElementwiseArgs.nonNegative(kernel, "dim", dim);
        ElementwiseArgs.nonNegative(kernel, "tokens", tokens);
        ElementwiseArgs.holds(kernel, "rows", rows, n, Integer.BYTES);
        ElementwiseArgs.holds(kernel, embedsName, embeds, (long) tokens * dim, Float.BYTES);
        ElementwiseArgs.holds(kernel, latentsName, latents, (long) n * dim, Float.BYTES);
    }
}
