package dev.latentr3.kernels.cuda;

import dev.latentr3.kernels.RlKernels;
import dev.latentr3.kernels.cpu.ElementwiseArgs;
import dev.latentr3.kernels.cpu.RlArgs;

import java.lang.foreign.MemorySegment;

/**
 * {@link RlKernels} on a CUDA device (native/kernels/grpo.cu, latent.cu; the injection's backward reuses the row
 * gather and fill of row_indexing.cu). Latent rows are checked on the device: out of range or named twice fails the
 * call, naming the position.
 */
public final class CudaRl implements RlKernels {
    static final Kernel ADVANTAGES_BATCH = new Kernel("grpo_advantages_batch_f32", "iipp");
    static final Kernel ADVANTAGES_GROUP = new Kernel("grpo_advantages_group_f32", "iifpp");
    static final Kernel CLAIM_UNIQUE = new Kernel("claim_rows_unique", "ipippp");
    static final Kernel INJECT = new Kernel("inject_latents_f32", "iippifLLp");
    static final Kernel GAUSSIAN = new Kernel("philox_gaussian_f32", "lLLp");

    private final CudaRuntime rt;
    private final CudaRowIndexing rowIndexing;

    public CudaRl(CudaRuntime rt) {
        this.rt = rt;
        this.rowIndexing = new CudaRowIndexing(rt);
    }

    @Override
    public void grpoAdvantagesBatch(int groups, int copies, MemorySegment rewards, MemorySegment advantages) {
        RlArgs.advantages("grpoAdvantagesBatch", groups, copies, rewards, advantages);
        if (groups == 0) return;
        rt.launch(ADVANTAGES_BATCH, Dim3.of(1), Dim3.of(CudaReductions.ROW_BLOCK), 0, groups, copies, rewards, advantages);
    }

    @Override
    public void grpoAdvantagesGroup(int groups, int copies, float eps, MemorySegment rewards, MemorySegment advantages) {
        RlArgs.advantages("grpoAdvantagesGroup", groups, copies, rewards, advantages);
        if (groups == 0) return;
        rt.launch(ADVANTAGES_GROUP, Dim3.of((int) Math.min(groups, 64L * rt.multiprocessors())),
                Dim3.of(CudaReductions.rowBlock(copies)), 0, groups, copies, eps, rewards, advantages);
    }

    /** Checks rows on the device (range, then repeats), failing the call naming the first reported position. */
    private void claimRows(String kernel, int n, MemorySegment rows, int tokens) {
        try (DeviceBuffer owner = rt.allocator().allocate((long) Math.max(1, tokens) * Integer.BYTES);
             StatusWord range = new StatusWord(rt); StatusWord repeats = new StatusWord(rt)) {
            rt.fill32(owner.segment(), -1, Math.max(1, tokens));
            rt.launch(CLAIM_UNIQUE, rt.linearGrid(n), Dim3.of(CudaRuntime.LINEAR_BLOCK), 0, n, rows, tokens,
                    owner.segment(), range.segment(), repeats.segment());
            range.check(kernel, "rows", "is out of range for " + tokens + " tokens (expected 0 <= row < " + tokens + ")");
            repeats.check(kernel, "rows", "is named twice (each latent needs its own row)");
        }
    }

    @Override
    public void injectLatents(int n, int dim, MemorySegment latents, MemorySegment rows, int tokens, float sigma,
                              long seed, long offset, MemorySegment embeds) {
        RlArgs.injection("injectLatents", n, dim, rows, tokens, "embeds", embeds, "latents", latents);
        if (n == 0) return;
        claimRows("injectLatents", n, rows, tokens);
        long total = (long) n * dim;
        if (total == 0) return;
        rt.launch(INJECT, rt.linearGrid(total), Dim3.of(CudaRuntime.LINEAR_BLOCK), 0, n, dim, latents, rows, tokens,
                sigma, seed, offset, embeds);
    }

    @Override
    public void injectLatentsBackward(int n, int dim, MemorySegment rows, int tokens, MemorySegment dEmbeds,
                                      MemorySegment dLatents) {
        RlArgs.injection("injectLatentsBackward", n, dim, rows, tokens, "dEmbeds", dEmbeds, "dLatents", dLatents);
        if (n == 0) return;
        claimRows("injectLatentsBackward", n, rows, tokens);
        rowIndexing.gatherRows(n, dim, dEmbeds, tokens, rows, dLatents);
        rowIndexing.fillRows(n, dim, 0f, rows, tokens, dEmbeds);
    }

    /** out[i] = Philox.gaussian(seed, offset, i) for i < n, computed on the device. */
    public void gaussian(long n, long seed, long offset, MemorySegment out) {
        ElementwiseArgs.nonNegative("gaussian", "n", n);
        ElementwiseArgs.holds("gaussian", "out", out, n, Float.BYTES);
        if (n == 0) return;
        rt.launch(GAUSSIAN, rt.linearGrid(n), Dim3.of(CudaRuntime.LINEAR_BLOCK), 0, n, seed, offset, out);
    }
}
