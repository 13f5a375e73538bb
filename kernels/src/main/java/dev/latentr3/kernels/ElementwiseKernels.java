package dev.latentr3.kernels;

import java.lang.foreign.MemorySegment;

/**
 * Element-wise maps, strided copies, reductions, casts and row gathers/scatters on fp32 unless stated.
 * Index arrays are int32. Output segments may alias an input only where a method says so.
 */
public interface ElementwiseKernels {

    enum Binary { ADD, SUB, MUL, DIV, MAX, MIN }

    enum Unary { NEG, EXP, LOG, SQRT, RSQRT, ABS, SILU, SIGMOID, TANH, RELU }

    /**
     * out[i] = op(a[ia], b[ib]) over a row-major iteration of {@code shape}; out is contiguous with that shape.
     * Strides (elements) describe a and b; a stride of 0 broadcasts. out may alias a or b when that operand is
     * contiguous with the same shape (in-place accumulate: out == a).
     */
    void binary(Binary op, int[] shape, MemorySegment a, long[] aStrides, MemorySegment b, long[] bStrides,
                MemorySegment out);

    /** out[i] = op(x[i]) for i < n, contiguous; out may alias x. */
    void unary(Unary op, long n, MemorySegment x, MemorySegment out);

    /** out[i] = alpha * x[i] + beta, contiguous; out may alias x. */
    void affine(long n, float alpha, float beta, MemorySegment x, MemorySegment out);

    /** y[i] += alpha * x[i], contiguous (gradient accumulation). */
    void axpy(long n, float alpha, MemorySegment x, MemorySegment y);

    /**
     * Backward of a unary op: dx[i] = dy[i] * op'(x[i]), given the forward input x and output y (whichever is cheaper).
     */
    void unaryBackward(Unary op, long n, MemorySegment x, MemorySegment y, MemorySegment dy, MemorySegment dx);

    /** out[i] = value for i < n. */
    void fill(long n, float value, MemorySegment out);

    /**
     * Copies a strided view into a contiguous (row-major) destination: dst[i] = src[offset(i)].
     * {@code elementBytes} is 2, 4 or 8: copies any dtype of that width (bf16, f32/i32, i64).
     */
    void copyStrided(int elementBytes, int[] shape, MemorySegment src, long[] srcStrides, MemorySegment dst);

    /**
     * The inverse of {@link #copyStrided}: writes contiguous (row-major) src into the strided view dst:
     * dst[offset(i)] = src[i]. dst's strides must give every element its own address (no stride 0 over a dimension
     * larger than 1); elements outside the view are untouched (dst is typically a slice of a larger array).
     *
     * <p>The default runs on the host: one bulk copy per contiguous innermost run of dst. Device backends override it
     * (their segments cannot be read from Java).
     */
    default void copyToStrided(int elementBytes, int[] shape, MemorySegment src, MemorySegment dst, long[] dstStrides) {
        if (elementBytes != 2 && elementBytes != 4 && elementBytes != 8) {
            throw new IllegalArgumentException("copyToStrided: elementBytes must be 2, 4 or 8, got " + elementBytes);
        }
        long n = dev.latentr3.kernels.cpu.ElementwiseArgs.elementCount("copyToStrided", shape, dstStrides);
        dev.latentr3.kernels.cpu.ElementwiseArgs.holds("copyToStrided", "src", src, n, elementBytes);
        if (n == 0) return;
        dev.latentr3.kernels.cpu.ElementwiseArgs.stridedView("copyToStrided", "dst", shape, dstStrides, dst, elementBytes);
        dev.latentr3.kernels.cpu.ElementwiseArgs.distinctAddresses("copyToStrided", "dst", shape, dstStrides);
        int rank = shape.length;
        if (rank == 0) {
            MemorySegment.copy(src, 0, dst, 0, elementBytes);
            return;
        }
        int inner = shape[rank - 1];
        boolean innerContiguous = dstStrides[rank - 1] == 1;
        long rows = n / inner;
        int[] idx = new int[rank - 1];
        for (long r = 0; r < rows; r++) {
            long at = 0;
            for (int i = 0; i < rank - 1; i++) at += idx[i] * dstStrides[i];
            if (innerContiguous) {
                MemorySegment.copy(src, r * inner * elementBytes, dst, at * elementBytes, (long) inner * elementBytes);
            } else {
                for (int j = 0; j < inner; j++) {
                    MemorySegment.copy(src, (r * inner + j) * elementBytes, dst,
                            (at + j * dstStrides[rank - 1]) * elementBytes, elementBytes);
                }
            }
            for (int i = rank - 2; i >= 0; i--) {
                if (++idx[i] < shape[i]) break;
                idx[i] = 0;
            }
        }
    }

    /**
     * Reduction over the middle axis of a contiguous [outer, reduce, inner] array into [outer, inner].
     * SUM: out = sum. MAX: out = max and argmax (int32, the first maximum) into {@code indices} when it is not null.
     */
    enum Reduce { SUM, MAX }

    void reduce(Reduce op, int outer, int reduce, int inner, MemorySegment x, MemorySegment out, MemorySegment indices);

    /**
     * Backward of {@link Reduce#MAX}: for contiguous dx [outer, reduce, inner], dx = 0 except
     * dx[o, indices[o, i], i] = dy[o, i], where dy and indices are [outer, inner] (indices as {@link #reduce} wrote
     * them). Overwrites dx. The default runs on the host; device backends override it.
     */
    default void maxBackward(int outer, int reduce, int inner, MemorySegment dy, MemorySegment indices, MemorySegment dx) {
        long results = dev.latentr3.kernels.cpu.ElementwiseArgs.maxBackwardSizes(outer, reduce, inner, dy, indices, dx);
        dx.asSlice(0, results * reduce * Float.BYTES).fill((byte) 0);
        for (long j = 0; j < results; j++) {
            long o = j / inner, i = j % inner;
            int k = indices.getAtIndex(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, j);
            if (k < 0 || k >= reduce) {
                throw new IllegalArgumentException("maxBackward: indices[" + j + "] = " + k + " is outside [0, " + reduce + ")");
            }
            dx.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, (o * reduce + k) * inner + i,
                    dy.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, j));
        }
    }

    /** Sum of squares of n contiguous elements, accumulated in double (global-norm clipping). */
    double sumOfSquares(long n, MemorySegment x);

    /**
     * {@code sums[i] = sumOfSquares(n[i], x[i])} for every i, with the same bits: the sums of squares of many tensors in
     * one call, so that a device backend can compute them all and wait for the device once instead of once per tensor
     * (global-norm clipping over every gradient of a model). The default calls {@link #sumOfSquares} in turn.
     */
    default double[] sumsOfSquares(long[] n, MemorySegment[] x) {
        if (n.length != x.length) {
            throw new IllegalArgumentException("sumsOfSquares: " + n.length + " sizes for " + x.length + " segments");
        }
        double[] sums = new double[n.length];
        for (int i = 0; i < n.length; i++) sums[i] = sumOfSquares(n[i], x[i]);
        return sums;
    }

    /** fp32 -> bf16 with round-to-nearest-even (NaN stays NaN). */
    void f32ToBf16(long n, MemorySegment src, MemorySegment dst);

    /** bf16 -> fp32 (exact). */
    void bf16ToF32(long n, MemorySegment src, MemorySegment dst);

    /** out[i, :] = table[idx[i], :] for i < n; table is [rows, dim]. Indices are checked against rows. */
    void gatherRows(int n, int dim, MemorySegment table, int rows, MemorySegment idx, MemorySegment out);

    /** dTable[idx[i], :] += dOut[i, :] for i < n (repeated indices accumulate). */
    void scatterAddRows(int n, int dim, MemorySegment dOut, MemorySegment idx, int rows, MemorySegment dTable);

    /** dst[idx[i], :] = src[i, :] for i < n (later entries win on repeats). */
    void putRows(int n, int dim, MemorySegment src, MemorySegment idx, int rows, MemorySegment dst);

    /** dst[idx[i], :] = value for i < n. */
    void fillRows(int n, int dim, float value, MemorySegment idx, int rows, MemorySegment dst);
}
