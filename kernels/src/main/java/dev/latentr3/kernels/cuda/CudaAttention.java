package dev.latentr3.kernels.cuda;

import dev.latentr3.kernels.AttentionKernels;
import dev.latentr3.kernels.cpu.AttentionArgs;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link AttentionKernels} on a CUDA device (native/kernels/attention.cu): a FlashAttention-2 style forward with an
 * online softmax over 64-key tiles, and a deterministic backward (the row term dOut . out, then dq per query tile, and
 * dk/dv per key tile and query head followed by a fixed-order sum over the query heads of each group). Each thread
 * computes a 4 x 4 register tile of scores; the kernels come in one width class per 64 columns of the head dimension
 * (rounded up to a multiple of 4), up to 256.
 *
 * <p>Head dimensions above 256 (LatentRATT's single head is the model's hidden size: 896, 1536, 3584 at Qwen2.5 sizes)
 * go to native/kernels/attention_wide.cu: one block per output row, dot products across a warp, the row accumulated by
 * its owner threads in global memory, so any D works (its header says why that, and not a GEMM composition). Same
 * contract, same delta and group-sum kernels; no score matrix is stored on either path.
 */
public final class CudaAttention implements AttentionKernels {
    static final Kernel DELTA = new Kernel("attention_backward_delta_f32", "iiiippp");
    static final Kernel GROUP_SUM = new Kernel("attention_backward_group_sum_f32", "iiiiipppp");

    /** The widest head dimension the tile kernels take; wider heads use the WIDE_* kernels. */
    static final int MAX_HEAD_DIM = 256;
    static final Kernel WIDE_FORWARD = new Kernel("attention_forward_wide_f32", "iiiiifipppppp");
    static final Kernel WIDE_DQ = new Kernel("attention_backward_dq_wide_f32", "iiiiifipppppppp");
    static final Kernel WIDE_DKV = new Kernel("attention_backward_dkv_wide_f32", "iiiiifippppppppp");
    /** The wide kernels' block size (kThreads in attention_wide.cu). */
    static final int WIDE_THREADS = 256;
    /** The tile the other side is walked in (keys, or queries for dk/dv), and the stride of its probability rows. */
    static final int COLS = 64, COLS_STRIDE = COLS + 4;
    private static final int DEFAULT_SMEM_LIMIT = 48 * 1024;

    /**
     * The kernels of one width class: {@code slices} 64-column slices of the padded head dimension, {@code rows} query
     * rows (forward, dq) or keys (dk/dv) per block, {@code rows * 4} threads (see ATTENTION_KERNELS in attention.cu).
     */
    record Width(int slices, int rows, Kernel forward, Kernel dq, Kernel dkv) {
        static Width of(int slices, int rows) {
            String suffix = "_d" + 64 * slices;
            return new Width(slices, rows, new Kernel("attention_forward_f32" + suffix, "iiiiifipppppp"),
                    new Kernel("attention_backward_dq_f32" + suffix, "iiiiifipppppppp"),
                    new Kernel("attention_backward_dkv_f32" + suffix, "iiiiifippppppppp"));
        }

        int threads() {
            return rows * 4;
        }
    }

    static final Width[] WIDTHS = {Width.of(1, 64), Width.of(2, 64), Width.of(3, 32), Width.of(4, 32)};

    /** The width class for a head dimension: its padded size D' (a multiple of 4) over 64, rounded up. */
    static Width width(int headDim) {
        return WIDTHS[Math.ceilDiv(paddedDim(headDim), 64) - 1];
    }

    /** The head dimension rounded up to a multiple of 4 (the kernels' float4 rows); shared-memory rows add 4 more. */
    static int paddedDim(int headDim) {
        return (headDim + 3) & ~3;
    }

    static long forwardSmemFloats(Width w, int headDim) {
        return (long) (w.rows + 2 * COLS) * (paddedDim(headDim) + 4) + (long) w.rows * COLS_STRIDE;
    }

    static long dqSmemFloats(Width w, int headDim) {
        return (long) (2 * w.rows + 2 * COLS) * (paddedDim(headDim) + 4) + (long) w.rows * COLS_STRIDE;
    }

    static long dkvSmemFloats(Width w, int headDim) {
        return (long) (2 * w.rows + 2 * COLS) * (paddedDim(headDim) + 4) + 2L * COLS + (long) w.rows * COLS_STRIDE;
    }

    private final CudaRuntime rt;
    /** The dynamic shared memory each kernel has been allowed so far (the driver's default is 48 KiB). */
    private final Map<String, Integer> allowed = new ConcurrentHashMap<>();

    public CudaAttention(CudaRuntime rt) {
        this.rt = rt;
    }

    /** Whether a head dimension takes the wide kernels (above the tile kernels' widest class). */
    static boolean wide(int headDim) {
        return headDim > MAX_HEAD_DIM;
    }

    private int sharedBytes(Kernel kernel, long floats) {
        int bytes = Math.toIntExact(floats * Float.BYTES);
        if (bytes > DEFAULT_SMEM_LIMIT && allowed.getOrDefault(kernel.name(), DEFAULT_SMEM_LIMIT) < bytes) {
            rt.allowDynamicSharedMemory(kernel, bytes);
            allowed.put(kernel.name(), bytes);
        }
        return bytes;
    }

    @Override
    public void attention(int batch, int lq, int lk, int hq, int hkv, int headDim, float scale, boolean causal,
                          MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment keyMask,
                          MemorySegment out, MemorySegment lse) {
        AttentionArgs.forward("CudaAttention.attention", batch, lq, lk, hq, hkv, headDim, scale, q, k, v, keyMask, out, lse);
        if (wide(headDim)) {
            rt.launch(WIDE_FORWARD, new Dim3(lq, hq, batch), Dim3.of(WIDE_THREADS), 0,
                    lq, lk, hq, hkv, headDim, scale, causal ? 1 : 0, q, k, v, keyMask, out, lse);
            return;
        }
        Width w = width(headDim);
        int smem = sharedBytes(w.forward(), forwardSmemFloats(w, headDim));
        rt.launch(w.forward(), new Dim3(Math.ceilDiv(lq, w.rows()), hq, batch), Dim3.of(w.threads()), smem,
                lq, lk, hq, hkv, headDim, scale, causal ? 1 : 0, q, k, v, keyMask, out, lse);
    }

    @Override
    public void attentionBackward(int batch, int lq, int lk, int hq, int hkv, int headDim, float scale, boolean causal,
                                  MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment keyMask,
                                  MemorySegment out, MemorySegment lse, MemorySegment dOut,
                                  MemorySegment dq, MemorySegment dk, MemorySegment dv) {
        String name = "CudaAttention.attentionBackward";
        AttentionArgs.backward(name, batch, lq, lk, hq, hkv, headDim, scale, q, k, v, keyMask, out, lse, dOut, dq, dk, dv);
        long rows = (long) batch * hq * lq;
        int c = causal ? 1 : 0;
        try (DeviceBuffer delta = rt.allocator().allocate(rows * Float.BYTES)) {
            rt.launch(DELTA, rt.linearGrid(rows), Dim3.of(CudaRuntime.LINEAR_BLOCK), 0, batch, lq, hq, headDim, out, dOut,
                    delta.segment());
            boolean wide = wide(headDim);
            Width w = wide ? null : width(headDim);
            Kernel dqKernel = wide ? WIDE_DQ : w.dq(), dkvKernel = wide ? WIDE_DKV : w.dkv();
            Dim3 block = Dim3.of(wide ? WIDE_THREADS : w.threads());
            Dim3 dqGrid = new Dim3(wide ? lq : Math.ceilDiv(lq, w.rows()), hq, batch);
            int dqSmem = wide ? 0 : sharedBytes(dqKernel, dqSmemFloats(w, headDim));
            rt.launch(dqKernel, dqGrid, block, dqSmem,
                    lq, lk, hq, hkv, headDim, scale, c, q, k, v, keyMask, lse, delta.segment(), dOut, dq);
            // dk/dv per query head (hq blocks, not hkv, to fill the GPU); with grouped heads into [B, Lk, Hq, D]
            // partials that a second kernel sums over each group in a fixed order.
            Dim3 dkvGrid = new Dim3(wide ? lk : Math.ceilDiv(lk, w.rows()), hq, batch);
            int dkvSmem = wide ? 0 : sharedBytes(dkvKernel, dkvSmemFloats(w, headDim));
            if (hq == hkv) {
                rt.launch(dkvKernel, dkvGrid, block, dkvSmem,
                        lq, lk, hq, hkv, headDim, scale, c, q, k, v, keyMask, lse, delta.segment(), dOut, dk, dv);
            } else {
                long parts = (long) batch * lk * hq * headDim * Float.BYTES;
                try (DeviceBuffer partK = rt.allocator().allocate(parts); DeviceBuffer partV = rt.allocator().allocate(parts)) {
                    rt.launch(dkvKernel, dkvGrid, block, dkvSmem, lq, lk, hq, hkv, headDim, scale, c, q, k, v,
                            keyMask, lse, delta.segment(), dOut, partK.segment(), partV.segment());
                    rt.launch(GROUP_SUM, rt.linearGrid((long) batch * lk * hkv * headDim), Dim3.of(CudaRuntime.LINEAR_BLOCK), 0,
                            batch, lk, hq, hkv, headDim, partK.segment(), partV.segment(), dk, dv);
                }
            }
        }
    }
}
