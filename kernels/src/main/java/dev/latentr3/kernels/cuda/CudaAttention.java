package dev.latentr3.kernels.cuda;

import dev.latentr3.kernels.AttentionKernels;
import dev.latentr3.kernels.cpu.AttentionArgs;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link AttentionKernels} on a CUDA device (native/kernels/attention.cu): a FlashAttention-2 style forward with an
 * online softmax over 32-key tiles, and a backward in three deterministic kernels (the row term dOut . out, then dq per
 * query tile and dk/dv per key tile, which sums over the query heads of its group). Head dimensions up to 256.
 */
public final class CudaAttention implements AttentionKernels {
    static final Kernel FORWARD = new Kernel("attention_forward_f32", "iiiiifipppppp");
    static final Kernel DELTA = new Kernel("attention_backward_delta_f32", "iiiippp");
    static final Kernel DQ = new Kernel("attention_backward_dq_f32", "iiiiifipppppppp");
    static final Kernel DKV = new Kernel("attention_backward_dkv_f32", "iiiiifippppppppp");

    /** Query rows (forward, dq) or keys (dk/dv) per block, and the tile of keys (or queries) a lane walks. */
    static final int ROWS = 16, TILE = 32, THREADS = 128, MAX_HEAD_DIM = 256;
    private static final int DEFAULT_SMEM_LIMIT = 48 * 1024;

    private final CudaRuntime rt;
    /** The dynamic shared memory each kernel has been allowed so far (the driver's default is 48 KiB). */
    private final Map<String, Integer> allowed = new ConcurrentHashMap<>();

    public CudaAttention(CudaRuntime rt) {
        this.rt = rt;
    }

    private static void checkHeadDim(String kernel, int headDim) {
        if (headDim > MAX_HEAD_DIM) {
            throw new IllegalArgumentException(kernel + ": headDim " + headDim + " exceeds the CUDA kernel's " + MAX_HEAD_DIM);
        }
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
        checkHeadDim("CudaAttention.attention", headDim);
        int smem = sharedBytes(FORWARD, (long) (ROWS + 2 * TILE) * headDim + (long) ROWS * TILE);
        rt.launch(FORWARD, new Dim3(Math.ceilDiv(lq, ROWS), hq, batch), Dim3.of(THREADS), smem,
                lq, lk, hq, hkv, headDim, scale, causal ? 1 : 0, q, k, v, keyMask, out, lse);
    }

    @Override
    public void attentionBackward(int batch, int lq, int lk, int hq, int hkv, int headDim, float scale, boolean causal,
                                  MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment keyMask,
                                  MemorySegment out, MemorySegment lse, MemorySegment dOut,
                                  MemorySegment dq, MemorySegment dk, MemorySegment dv) {
        String name = "CudaAttention.attentionBackward";
        AttentionArgs.backward(name, batch, lq, lk, hq, hkv, headDim, scale, q, k, v, keyMask, out, lse, dOut, dq, dk, dv);
        checkHeadDim(name, headDim);
        long rows = (long) batch * hq * lq;
        int c = causal ? 1 : 0;
        try (DeviceBuffer delta = rt.allocator().allocate(rows * Float.BYTES)) {
            rt.launch(DELTA, rt.linearGrid(rows), Dim3.of(CudaRuntime.LINEAR_BLOCK), 0, batch, lq, hq, headDim, out, dOut,
                    delta.segment());
            int dqSmem = sharedBytes(DQ, (long) (2 * ROWS + 2 * TILE) * headDim + (long) ROWS * TILE);
            rt.launch(DQ, new Dim3(Math.ceilDiv(lq, ROWS), hq, batch), Dim3.of(THREADS), dqSmem,
                    lq, lk, hq, hkv, headDim, scale, c, q, k, v, keyMask, lse, delta.segment(), dOut, dq);
            int dkvSmem = sharedBytes(DKV, (long) (2 * ROWS + 2 * TILE) * headDim + 2L * TILE + 2L * ROWS * TILE);
            rt.launch(DKV, new Dim3(Math.ceilDiv(lk, ROWS), hkv, batch), Dim3.of(THREADS), dkvSmem,
                    lq, lk, hq, hkv, headDim, scale, c, q, k, v, keyMask, lse, delta.segment(), dOut, dk, dv);
        }
    }
}
