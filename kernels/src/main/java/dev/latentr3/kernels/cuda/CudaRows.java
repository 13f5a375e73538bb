package dev.latentr3.kernels.cuda;

import dev.latentr3.kernels.RowKernels;
import dev.latentr3.kernels.cpu.RowArgs;

import java.lang.foreign.MemorySegment;

/**
 * {@link RowKernels} on a CUDA device (native/kernels/rows.cu, log_prob.cu, rope.cu, swiglu.cu).
 * Targets are checked on the device: a bad one fails the call after the launch, naming its row.
 */
public final class CudaRows implements RowKernels {
    static final Kernel SOFTMAX = new Kernel("softmax_f32", "iipp");
    static final Kernel LOG_SOFTMAX = new Kernel("log_softmax_f32", "iipp");
    static final Kernel SOFTMAX_BACKWARD = new Kernel("softmax_backward_f32", "iippp");
    static final Kernel LOG_SOFTMAX_BACKWARD = new Kernel("log_softmax_backward_f32", "iippp");
    static final Kernel RMS_NORM = new Kernel("rms_norm_f32", "iippfpp");
    static final Kernel RMS_NORM_DX = new Kernel("rms_norm_backward_dx_f32", "iippppp");
    static final Kernel RMS_NORM_DW_PARTIAL = new Kernel("rms_norm_backward_dw_partial_f32", "iiipppp");
    static final Kernel RMS_NORM_DW_ACCUMULATE = new Kernel("rms_norm_backward_dw_accumulate_f32", "iipp");
    static final Kernel ROPE = new Kernel("rope_f32", "iiiidpiiipp");
    static final Kernel SWIGLU = new Kernel("swiglu_f32", "lppp");
    static final Kernel SWIGLU_BACKWARD = new Kernel("swiglu_backward_f32", "lppppp");
    static final Kernel LOG_PROB_PARTIAL = new Kernel("log_prob_partial_f32", "iiipp");
    static final Kernel LOG_PROB_MERGE = new Kernel("log_prob_merge_f32", "iiipppippp");
    static final Kernel LOG_PROB_BACKWARD = new Kernel("log_prob_gather_backward_f32", "iippipppp");

    /** Rows per chunk of the RMSNorm weight-gradient partials are chosen so that there are at most this many chunks. */
    static final int MAX_DW_CHUNKS = 128;

    /** Heads one RoPE thread walks at most (rope.cu ROPE_MAX_HEADS_PER_THREAD: registers per head). */
    static final int ROPE_MAX_HEADS_PER_THREAD = 4;
    /** RoPE frequencies kept in shared memory (rope.cu ROPE_TABLE_MAX), 8 bytes each. */
    static final int ROPE_TABLE_MAX = 2048;
    /** Float4s of each input one SwiGLU thread has in flight (swiglu.cu SWIGLU_UNROLL): the grid is sized by it. */
    static final int SWIGLU_UNROLL = 4;

    private final CudaRuntime rt;

    public CudaRows(CudaRuntime rt) {
        this.rt = rt;
    }

    /** One block per row, up to 64 resident per multiprocessor; rows beyond that are taken in grid-stride turns. */
    private Dim3 rowGrid(int rows) {
        return Dim3.of((int) Math.min(rows, 64L * rt.multiprocessors()));
    }

    private static Dim3 rowBlock(int cols) {
        return Dim3.of(CudaReductions.rowBlock(cols));
    }

    /** Rows per block of the RMSNorm kernels, which give each row one warp (rows.cu). */
    static final int RMS_ROWS_PER_BLOCK = 8;

    /** Blocks of RMS_ROWS_PER_BLOCK warps, one row each, up to 16 blocks per multiprocessor; then grid-stride turns. */
    private Dim3 rmsGrid(int rows) {
        return Dim3.of((int) Math.min(Math.ceilDiv(rows, RMS_ROWS_PER_BLOCK), 16L * rt.multiprocessors()));
    }

    private static final Dim3 RMS_BLOCK = Dim3.of(32 * RMS_ROWS_PER_BLOCK);

    /** Float4s per thread of one log-prob backward block (log_prob.cu: four loads in flight per thread). */
    static final int LOG_PROB_BACKWARD_VECTORS = 4;

    /**
     * Blocks per row of the log-prob forward: enough row splits that rows * splits fills the device once (8 blocks of
     * 256 threads per multiprocessor), but no split shorter than 8 float4s per thread, where the merge would cost more
     * than the parallelism brings; 1 when the rows alone fill it. Measured on an H200 at 256x151936 (native/kernels/
     * rows-notes.md): 5 splits 2.43 TB/s, 17 splits (four times over) 2.30, so more splits do not help there.
     */
    static int logProbSplits(int rows, int vocab, int multiprocessors) {
        long wanted = Math.ceilDiv(8L * multiprocessors, Math.max(1, rows));
        long longest = Math.max(1, vocab / (CudaReductions.ROW_BLOCK * 4L * 8));
        return (int) Math.max(1, Math.min(wanted, longest));
    }

    @Override
    public void softmax(int rows, int cols, MemorySegment x, MemorySegment y) {
        RowArgs.matrix("softmax", rows, cols, "x", x, "y", y);
        if ((long) rows * cols == 0) return;
        rt.launch(SOFTMAX, rowGrid(rows), rowBlock(cols), 0, rows, cols, x, y);
    }

    @Override
    public void softmaxBackward(int rows, int cols, MemorySegment y, MemorySegment dy, MemorySegment dx) {
        RowArgs.matrix("softmaxBackward", rows, cols, "y", y, "dy", dy, "dx", dx);
        if ((long) rows * cols == 0) return;
        rt.launch(SOFTMAX_BACKWARD, rowGrid(rows), rowBlock(cols), 0, rows, cols, y, dy, dx);
    }

    @Override
    public void logSoftmax(int rows, int cols, MemorySegment x, MemorySegment y) {
        RowArgs.matrix("logSoftmax", rows, cols, "x", x, "y", y);
        if ((long) rows * cols == 0) return;
        rt.launch(LOG_SOFTMAX, rowGrid(rows), rowBlock(cols), 0, rows, cols, x, y);
    }

    @Override
    public void logSoftmaxBackward(int rows, int cols, MemorySegment y, MemorySegment dy, MemorySegment dx) {
        RowArgs.matrix("logSoftmaxBackward", rows, cols, "y", y, "dy", dy, "dx", dx);
        if ((long) rows * cols == 0) return;
        rt.launch(LOG_SOFTMAX_BACKWARD, rowGrid(rows), rowBlock(cols), 0, rows, cols, y, dy, dx);
    }

    @Override
    public void rmsNorm(int rows, int dim, MemorySegment x, MemorySegment weight, float eps, MemorySegment y,
                        MemorySegment rstd) {
        RowArgs.rmsNorm("rmsNorm", rows, dim, x, weight, rstd, "y", y);
        if (rows == 0) return;
        rt.launch(RMS_NORM, rmsGrid(rows), RMS_BLOCK, 0, rows, dim, x, weight, eps, y, rstd);
    }

    @Override
    public void rmsNormBackward(int rows, int dim, MemorySegment x, MemorySegment weight, MemorySegment rstd,
                                MemorySegment dy, MemorySegment dx, MemorySegment dWeight) {
        RowArgs.rmsNorm("rmsNormBackward", rows, dim, x, weight, rstd, "dy", dy);
        RowArgs.holds("rmsNormBackward", "dx", dx, (long) rows * dim);
        RowArgs.holds("rmsNormBackward", "dWeight", dWeight, dim);
        if ((long) rows * dim == 0) return;
        rt.launch(RMS_NORM_DX, rmsGrid(rows), RMS_BLOCK, 0, rows, dim, x, weight, rstd, dy, dx);
        int chunks = Math.min(MAX_DW_CHUNKS, rows);
        int rowsPerChunk = Math.ceilDiv(rows, chunks);
        chunks = Math.ceilDiv(rows, rowsPerChunk);
        try (DeviceBuffer partial = rt.allocator().allocate((long) chunks * dim * Float.BYTES)) {
            int block = CudaRuntime.LINEAR_BLOCK;
            rt.launch(RMS_NORM_DW_PARTIAL, Dim3.of(Math.ceilDiv(dim, block), chunks), Dim3.of(block), 0,
                    rows, dim, rowsPerChunk, x, rstd, dy, partial.segment());
            rt.launch(RMS_NORM_DW_ACCUMULATE, rt.linearGrid(dim), Dim3.of(block), 0, chunks, dim, partial.segment(), dWeight);
        }
    }

    @Override
    public void rope(int tokens, int heads, int headDim, int rotaryDim, double theta, MemorySegment positions,
                     boolean inverse, MemorySegment x, MemorySegment y) {
        RowArgs.rope(tokens, heads, headDim, rotaryDim, theta, positions, x, y);
        int half = rotaryDim / 2, pass = headDim - rotaryDim;
        if ((long) tokens * heads * (half + pass) == 0) return;
        // A thread takes `lane` (V pairs or V pass-through entries) of up to ROPE_MAX_HEADS_PER_THREAD heads of one
        // token; V = 4 (float4 from each half) when every float4 is 16-byte aligned, else 1.
        boolean vec4 = half % 4 == 0 && pass % 4 == 0 && aligned16(x) && aligned16(y);
        int v = vec4 ? 4 : 1;
        int groups = Math.ceilDiv(heads, ROPE_MAX_HEADS_PER_THREAD), headsPerThread = Math.ceilDiv(heads, groups);
        long items = (long) tokens * groups * (half / v + pass / v);
        int table = Math.min(half, ROPE_TABLE_MAX) * Double.BYTES;
        rt.launch(ROPE, rt.linearGrid(items), Dim3.of(CudaRuntime.LINEAR_BLOCK), table, tokens, heads, headDim,
                rotaryDim, theta, positions, inverse ? 1 : 0, vec4 ? 1 : 0, headsPerThread, x, y);
    }

    private static boolean aligned16(MemorySegment deviceSegment) {
        return (deviceSegment.address() & 15) == 0;
    }

    @Override
    public void swiglu(long n, MemorySegment gate, MemorySegment up, MemorySegment out) {
        RowArgs.flat("swiglu", n, "gate", gate, "up", up, "out", out);
        if (n == 0) return;
        rt.launch(SWIGLU, swigluGrid(n), Dim3.of(CudaRuntime.LINEAR_BLOCK), 0, n, gate, up, out);
    }

    @Override
    public void swigluBackward(long n, MemorySegment gate, MemorySegment up, MemorySegment dOut, MemorySegment dGate,
                               MemorySegment dUp) {
        RowArgs.flat("swigluBackward", n, "gate", gate, "up", up, "dOut", dOut);
        RowArgs.flat("swigluBackward", n, "dGate", dGate, "dUp", dUp, "dOut", dOut);
        if (n == 0) return;
        rt.launch(SWIGLU_BACKWARD, swigluGrid(n), Dim3.of(CudaRuntime.LINEAR_BLOCK), 0, n, gate, up, dOut, dGate, dUp);
    }

    /** One thread per SWIGLU_UNROLL float4s; a view off a 16-byte boundary takes the same grid in grid-stride turns. */
    private Dim3 swigluGrid(long n) {
        return rt.linearGrid(Math.ceilDiv(n, 4L * SWIGLU_UNROLL));
    }

    private static void logProbSizes(String kernel, int rows, int vocab, MemorySegment logits, MemorySegment targets,
                                     String aName, MemorySegment a, String bName, MemorySegment b) {
        RowArgs.nonNegative(kernel, "rows", rows);
        RowArgs.nonNegative(kernel, "vocab", vocab);
        RowArgs.holds(kernel, "logits", logits, (long) rows * vocab);
        RowArgs.holds(kernel, "targets", targets, rows);
        RowArgs.holds(kernel, aName, a, rows);
        RowArgs.holds(kernel, bName, b, rows);
    }

    private static String badTarget(int vocab, int ignoreIndex) {
        return "is outside [0, vocab=" + vocab + ") and not the ignore index " + ignoreIndex;
    }

    @Override
    public void logProbGather(int rows, int vocab, MemorySegment logits, MemorySegment targets, int ignoreIndex,
                              MemorySegment logp, MemorySegment lse) {
        logProbSizes("logProbGather", rows, vocab, logits, targets, "logp", logp, "lse", lse);
        if (rows == 0) return;
        int splits = logProbSplits(rows, vocab, rt.multiprocessors());
        long tasks = (long) rows * splits;
        try (StatusWord status = new StatusWord(rt);
             DeviceBuffer partial = rt.allocator().allocate(2 * tasks * Float.BYTES)) {
            rt.launch(LOG_PROB_PARTIAL, Dim3.of((int) Math.min(tasks, 64L * rt.multiprocessors())), rowBlock(vocab), 0,
                    rows, vocab, splits, logits, partial.segment());
            rt.launch(LOG_PROB_MERGE, rt.linearGrid(rows), Dim3.of(CudaRuntime.LINEAR_BLOCK), 0, rows, vocab, splits,
                    logits, partial.segment(), targets, ignoreIndex, logp, lse, status.segment());
            status.check("logProbGather", "targets", badTarget(vocab, ignoreIndex));
        }
    }

    @Override
    public void logProbGatherBackward(int rows, int vocab, MemorySegment logits, MemorySegment targets,
                                      int ignoreIndex, MemorySegment lse, MemorySegment dLogp,
                                      MemorySegment dLogits) {
        logProbSizes("logProbGatherBackward", rows, vocab, logits, targets, "lse", lse, "dLogp", dLogp);
        RowArgs.holds("logProbGatherBackward", "dLogits", dLogits, (long) rows * vocab);
        long total = (long) rows * vocab;
        if (total == 0) return;
        try (StatusWord status = new StatusWord(rt)) {
            // grid.x spans a row's float4s, grid.y its rows (the kernel walks both in grid-stride turns).
            long perBlock = (long) CudaRuntime.LINEAR_BLOCK * LOG_PROB_BACKWARD_VECTORS * 4;
            Dim3 grid = Dim3.of((int) Math.max(1, Math.ceilDiv(vocab, perBlock)), Math.min(rows, 65_535));
            rt.launch(LOG_PROB_BACKWARD, grid, Dim3.of(CudaRuntime.LINEAR_BLOCK), 0, rows, vocab, logits,
                    targets, ignoreIndex, lse, dLogp, dLogits, status.segment());
            status.check("logProbGatherBackward", "targets", badTarget(vocab, ignoreIndex));
        }
    }
}
