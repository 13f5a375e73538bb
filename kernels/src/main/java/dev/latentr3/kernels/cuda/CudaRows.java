package dev.latentr3.kernels.cuda;

import dev.latentr3.kernels.RowKernels;
import dev.latentr3.kernels.cpu.RowArgs;

import java.lang.foreign.MemorySegment;

/**
 * {@link RowKernels} on a CUDA device (native/kernels/rows.cu, log_prob.cu, and the SwiGLU kernels of elementwise.cu).
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
    static final Kernel ROPE = new Kernel("rope_f32", "iiiidpipp");
    static final Kernel SWIGLU = new Kernel("swiglu_f32", "lppp");
    static final Kernel SWIGLU_BACKWARD = new Kernel("swiglu_backward_f32", "lppppp");
    static final Kernel LOG_PROB = new Kernel("log_prob_gather_f32", "iippippp");
    static final Kernel LOG_PROB_BACKWARD = new Kernel("log_prob_gather_backward_f32", "iippipppp");

    /** Rows per chunk of the RMSNorm weight-gradient partials are chosen so that there are at most this many chunks. */
    static final int MAX_DW_CHUNKS = 128;

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
        rt.launch(RMS_NORM, rowGrid(rows), rowBlock(dim), 0, rows, dim, x, weight, eps, y, rstd);
    }

    @Override
    public void rmsNormBackward(int rows, int dim, MemorySegment x, MemorySegment weight, MemorySegment rstd,
                                MemorySegment dy, MemorySegment dx, MemorySegment dWeight) {
        RowArgs.rmsNorm("rmsNormBackward", rows, dim, x, weight, rstd, "dy", dy);
        RowArgs.holds("rmsNormBackward", "dx", dx, (long) rows * dim);
        RowArgs.holds("rmsNormBackward", "dWeight", dWeight, dim);
        if ((long) rows * dim == 0) return;
        rt.launch(RMS_NORM_DX, rowGrid(rows), rowBlock(dim), 0, rows, dim, x, weight, rstd, dy, dx);
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
        long work = (long) tokens * heads * (rotaryDim / 2 + headDim - rotaryDim);
        if (work == 0) return;
        rt.launch(ROPE, rt.linearGrid(work), Dim3.of(CudaRuntime.LINEAR_BLOCK), 0, tokens, heads, headDim, rotaryDim,
                theta, positions, inverse ? 1 : 0, x, y);
    }

    @Override
    public void swiglu(long n, MemorySegment gate, MemorySegment up, MemorySegment out) {
        RowArgs.flat("swiglu", n, "gate", gate, "up", up, "out", out);
        if (n == 0) return;
        rt.launch(SWIGLU, rt.linearGrid(n), Dim3.of(CudaRuntime.LINEAR_BLOCK), 0, n, gate, up, out);
    }

    @Override
    public void swigluBackward(long n, MemorySegment gate, MemorySegment up, MemorySegment dOut, MemorySegment dGate,
                               MemorySegment dUp) {
        RowArgs.flat("swigluBackward", n, "gate", gate, "up", up, "dOut", dOut);
        RowArgs.flat("swigluBackward", n, "dGate", dGate, "dUp", dUp, "dOut", dOut);
        if (n == 0) return;
        rt.launch(SWIGLU_BACKWARD, rt.linearGrid(n), Dim3.of(CudaRuntime.LINEAR_BLOCK), 0, n, gate, up, dOut, dGate, dUp);
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
        try (StatusWord status = new StatusWord(rt)) {
            rt.launch(LOG_PROB, rowGrid(rows), rowBlock(vocab), 0, rows, vocab, logits, targets, ignoreIndex, logp, lse,
                    status.segment());
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
            rt.launch(LOG_PROB_BACKWARD, rt.linearGrid(total), Dim3.of(CudaRuntime.LINEAR_BLOCK), 0, rows, vocab, logits,
                    targets, ignoreIndex, lse, dLogp, dLogits, status.segment());
            status.check("logProbGatherBackward", "targets", badTarget(vocab, ignoreIndex));
        }
    }
}
