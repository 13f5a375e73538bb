package dev.latentr3.kernels.cuda;

import dev.latentr3.kernels.ElementwiseKernels.Reduce;
import dev.latentr3.kernels.cpu.ElementwiseArgs;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Reductions and casts of {@link dev.latentr3.kernels.ElementwiseKernels} on the device (reduce.cu, casts.cu). */
final class CudaReductions {
    static final Kernel SUM_ROWS = new Kernel("reduce_sum_rows_f32", "iipp");
    static final Kernel SUM_COLS = new Kernel("reduce_sum_cols_f32", "iiipp");
    static final Kernel MAX_ROWS = new Kernel("reduce_max_rows_f32", "iippp");
    static final Kernel MAX_COLS = new Kernel("reduce_max_cols_f32", "iiippp");
    static final Kernel SUM_SQUARES = new Kernel("sum_squares_partial_f64", "lpp");
    static final Kernel SUM_ROWS_IN_ORDER = new Kernel("sum_rows_in_order_f64", "iipp");
    static final Kernel MAX_BACKWARD = new Kernel("reduce_max_backward_f32", "iiippp");
    static final Kernel TO_BF16 = new Kernel("cast_f32_to_bf16", "lpp");
    static final Kernel FROM_BF16 = new Kernel("cast_bf16_to_f32", "lpp");

    /** Threads per block of the one-block-per-row kernels. */
    static final int ROW_BLOCK = 256;
    /** Blocks of the sum-of-squares partials: the host adds this many doubles. */
    static final int SUM_SQUARES_BLOCKS = 128;

    private final CudaRuntime rt;

    CudaReductions(CudaRuntime rt) {
        this.rt = rt;
    }

    void reduce(Reduce op, int outer, int reduce, int inner, MemorySegment x, MemorySegment out, MemorySegment indices) {
        ElementwiseArgs.nonNegative("reduce", "outer", outer);
        ElementwiseArgs.nonNegative("reduce", "reduce", reduce);
        ElementwiseArgs.nonNegative("reduce", "inner", inner);
        long results = (long) outer * inner;
        if (op == Reduce.MAX && reduce == 0 && results > 0) {
            throw new IllegalArgumentException("reduce: MAX over an empty axis (reduce = 0) has no value");
        }
        ElementwiseArgs.holds("reduce", "x", x, results * reduce, Float.BYTES);
        ElementwiseArgs.holds("reduce", "out", out, results, Float.BYTES);
        if (op == Reduce.MAX && indices != null) ElementwiseArgs.holds("reduce", "indices", indices, results, Integer.BYTES);
        if (results == 0) return;
        if (inner == 1) {
            Dim3 grid = Dim3.of((int) Math.min(outer, 64L * rt.multiprocessors()));
            Dim3 block = Dim3.of(rowBlock(reduce));
            if (op == Reduce.SUM) rt.launch(SUM_ROWS, grid, block, 0, outer, reduce, x, out);
            else rt.launch(MAX_ROWS, grid, block, 0, outer, reduce, x, out, indices);
        } else {
            Dim3 grid = rt.linearGrid(results), block = Dim3.of(CudaRuntime.LINEAR_BLOCK);
            if (op == Reduce.SUM) rt.launch(SUM_COLS, grid, block, 0, outer, reduce, inner, x, out);
            else rt.launch(MAX_COLS, grid, block, 0, outer, reduce, inner, x, out, indices);
        }
    }

    /** A multiple of 32 (the block reductions need whole warps), no more than the row needs, at most ROW_BLOCK. */
    static int rowBlock(int cols) {
        return (int) Math.min(ROW_BLOCK, Math.max(32, Math.ceilDiv((long) cols, 32) * 32));
    }

    double sumOfSquares(long n, MemorySegment x) {
        ElementwiseArgs.nonNegative("sumOfSquares", "n", n);
        ElementwiseArgs.holds("sumOfSquares", "x", x, n, Float.BYTES);
        if (n == 0) return 0;
        int blocks = (int) Math.min(SUM_SQUARES_BLOCKS, Math.ceilDiv(n, CudaRuntime.LINEAR_BLOCK));
        try (DeviceBuffer partials = rt.allocator().allocate((long) blocks * Double.BYTES); Arena arena = Arena.ofConfined()) {
            rt.launch(SUM_SQUARES, Dim3.of(blocks), Dim3.of(CudaRuntime.LINEAR_BLOCK), 0, n, x, partials.segment());
            MemorySegment host = arena.allocate((long) blocks * Double.BYTES, 8);
            rt.copyToHost(partials.segment().asSlice(0, host.byteSize()), host);
            double sum = 0;
            for (int b = 0; b < blocks; b++) sum += host.getAtIndex(ValueLayout.JAVA_DOUBLE, b);
            return sum;
        }
    }

    /**
     * sumOfSquares of every tensor, with one wait for the device in all: tensor i's block partials go to row i of one
     * [tensors, SUM_SQUARES_BLOCKS] buffer (zeroed first, so that a tensor with fewer blocks has trailing zeros, which
     * leave a double sum unchanged), one kernel adds each row left to right as {@link #sumOfSquares}'s host loop does,
     * and the row sums come back in one copy. Same kernels, same additions in the same order: the same bits.
     */
    double[] sumsOfSquares(long[] n, MemorySegment[] x) {
        if (n.length != x.length) {
            throw new IllegalArgumentException("sumsOfSquares: " + n.length + " sizes for " + x.length + " segments");
        }
        for (int i = 0; i < n.length; i++) {
            ElementwiseArgs.nonNegative("sumsOfSquares", "n[" + i + "]", n[i]);
            ElementwiseArgs.holds("sumsOfSquares", "x[" + i + "]", x[i], n[i], Float.BYTES);
        }
        int tensors = n.length;
        double[] sums = new double[tensors];
        if (tensors == 0) return sums;
        long rowBytes = (long) SUM_SQUARES_BLOCKS * Double.BYTES;
        try (DeviceBuffer partials = rt.allocator().allocate(tensors * rowBytes);
             DeviceBuffer rowSums = rt.allocator().allocate((long) tensors * Double.BYTES);
             Arena arena = Arena.ofConfined()) {
            rt.fill32(partials.segment(), 0, tensors * rowBytes / 4);
            for (int i = 0; i < tensors; i++) {
                if (n[i] == 0) continue;
                int blocks = (int) Math.min(SUM_SQUARES_BLOCKS, Math.ceilDiv(n[i], CudaRuntime.LINEAR_BLOCK));
                rt.launch(SUM_SQUARES, Dim3.of(blocks), Dim3.of(CudaRuntime.LINEAR_BLOCK), 0, n[i], x[i],
                        partials.segment().asSlice(i * rowBytes, rowBytes));
            }
            rt.launch(SUM_ROWS_IN_ORDER, rt.linearGrid(tensors), Dim3.of(CudaRuntime.LINEAR_BLOCK), 0, tensors,
                    SUM_SQUARES_BLOCKS, partials.segment(), rowSums.segment());
            MemorySegment host = arena.allocate((long) tensors * Double.BYTES, 8);
            rt.copyToHost(rowSums.segment().asSlice(0, host.byteSize()), host);
            for (int i = 0; i < tensors; i++) sums[i] = host.getAtIndex(ValueLayout.JAVA_DOUBLE, i);
            return sums;
        }
    }

    void f32ToBf16(long n, MemorySegment src, MemorySegment dst) {
        ElementwiseArgs.nonNegative("f32ToBf16", "n", n);
        ElementwiseArgs.holds("f32ToBf16", "src", src, n, Float.BYTES);
        ElementwiseArgs.holds("f32ToBf16", "dst", dst, n, Short.BYTES);
        if (n == 0) return;
        rt.launch(TO_BF16, rt.linearGrid(n), Dim3.of(CudaRuntime.LINEAR_BLOCK), 0, n, src, dst);
    }

    void bf16ToF32(long n, MemorySegment src, MemorySegment dst) {
        ElementwiseArgs.nonNegative("bf16ToF32", "n", n);
        ElementwiseArgs.holds("bf16ToF32", "src", src, n, Short.BYTES);
        ElementwiseArgs.holds("bf16ToF32", "dst", dst, n, Float.BYTES);
        if (n == 0) return;
        rt.launch(FROM_BF16, rt.linearGrid(n), Dim3.of(CudaRuntime.LINEAR_BLOCK), 0, n, src, dst);
    }

    void maxBackward(int outer, int reduce, int inner, MemorySegment dy, MemorySegment indices, MemorySegment dx) {
        long results = ElementwiseArgs.maxBackwardSizes(outer, reduce, inner, dy, indices, dx);
        if (results * reduce == 0) return;
        rt.launch(MAX_BACKWARD, rt.linearGrid(results), Dim3.of(CudaRuntime.LINEAR_BLOCK), 0, outer, reduce, inner, dy,
                indices, dx);
    }
}
