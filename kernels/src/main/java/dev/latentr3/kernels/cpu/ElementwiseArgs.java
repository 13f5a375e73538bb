package dev.latentr3.kernels.cpu;

import dev.latentr3.kernels.Segments;

import java.lang.foreign.MemorySegment;

/**
 * Argument checks shared by the reference and fast element-wise kernels, so that both reject the same inputs with the
 * same messages (the fast kernels would otherwise fail deep inside a worker thread, or not at all). The CUDA kernels
 * use the size checks too (a device segment carries its size); index checks read host memory and stay CPU-only.
 */
public final class ElementwiseArgs {
    private ElementwiseArgs() {}

    public static void nonNegative(String kernel, String arg, long value) {
        if (value < 0) throw new IllegalArgumentException(kernel + ": " + arg + " must be >= 0, got " + value);
    }

    /** The segment must hold at least {@code elements} elements of {@code elementBytes} each. */
    public static void holds(String kernel, String arg, MemorySegment s, long elements, long elementBytes) {
        if (s == null) throw new IllegalArgumentException(kernel + ": " + arg + " is null");
        long need = elements * elementBytes;
        if (s.byteSize() < need) {
            throw new IllegalArgumentException(kernel + ": " + arg + " holds " + s.byteSize() + " bytes, needs "
                    + need + " (" + elements + " elements of " + elementBytes + " bytes)");
        }
    }

    /**
     * The checks every binary kernel makes, in one place: returns the element count; when it is nonzero, out holds it
     * and both strided operands stay inside their segments.
     */
    public static long binary(int[] shape, MemorySegment a, long[] aStrides, MemorySegment b, long[] bStrides,
                              MemorySegment out) {
        long n = elementCount("binary", shape, aStrides, bStrides);
        holds("binary", "out", out, n, Float.BYTES);
        if (n == 0) return 0;
        stridedView("binary", "a", shape, aStrides, a, Float.BYTES);
        stridedView("binary", "b", shape, bStrides, b, Float.BYTES);
        return n;
    }

    /** Checks the shape and that every strides array matches its rank; returns the element count. */
    public static long elementCount(String kernel, int[] shape, long[]... strides) {
        if (shape == null) throw new IllegalArgumentException(kernel + ": shape is null");
        long n = 1;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] < 0) throw new IllegalArgumentException(kernel + ": shape[" + d + "] is " + shape[d] + ", must be >= 0");
            n = Math.multiplyExact(n, shape[d]);
        }
        for (int k = 0; k < strides.length; k++) {
            if (strides[k] == null || strides[k].length != shape.length) {
                throw new IllegalArgumentException(kernel + ": strides of operand " + k + " have rank "
                        + (strides[k] == null ? "null" : strides[k].length) + ", shape has rank " + shape.length);
            }
        }
        return n;
    }

    /**
     * A strided view of a non-empty shape must address only elements inside its segment: the lowest offset reached is
     * at least 0 and the highest is below the segment's element count.
     */
    /** The size checks of maxBackward; returns outer * inner. */
    public static long maxBackwardSizes(int outer, int reduce, int inner, MemorySegment dy, MemorySegment indices,
                                        MemorySegment dx) {
        nonNegative("maxBackward", "outer", outer);
        nonNegative("maxBackward", "reduce", reduce);
        nonNegative("maxBackward", "inner", inner);
        long results = (long) outer * inner;
        holds("maxBackward", "dy", dy, results, Float.BYTES);
        holds("maxBackward", "indices", indices, results, Integer.BYTES);
        holds("maxBackward", "dx", dx, results * reduce, Float.BYTES);
        return results;
    }

    /**
     * Checks that a view written element by element gives each element its own address: no stride 0 over a dimension
     * of more than one element (an expanded view), where parallel writes would race. (Other aliasing strides are not
     * produced by the engine's views and are not searched for.)
     */
    public static void distinctAddresses(String kernel, String arg, int[] shape, long[] strides) {
        for (int d = 0; d < shape.length; d++) {
            if (strides[d] == 0 && shape[d] > 1) {
                throw new IllegalArgumentException(kernel + ": " + arg + " has stride 0 in dimension " + d + " of size "
                        + shape[d] + " (a broadcast view), so its elements share addresses and cannot be written");
            }
        }
    }

    public static void stridedView(String kernel, String arg, int[] shape, long[] strides, MemorySegment s, long elementBytes) {
        if (s == null) throw new IllegalArgumentException(kernel + ": " + arg + " is null");
        long lo = 0, hi = 0;
        for (int d = 0; d < shape.length; d++) {
            long reach = (shape[d] - 1L) * strides[d];
            if (reach < 0) lo += reach; else hi += reach;
        }
        long capacity = s.byteSize() / elementBytes;
        if (lo < 0 || hi >= capacity) {
            throw new IllegalArgumentException(kernel + ": " + arg + " view reaches elements [" + lo + ", " + hi
                    + "], segment holds " + capacity);
        }
    }

    /** Every idx[i], i < n, must lie in [0, rows). */
    static void indices(String kernel, MemorySegment idx, int n, int rows) {
        holds(kernel, "idx", idx, n, Integer.BYTES);
        for (int i = 0; i < n; i++) {
            int r = Segments.getInt(idx, i);
            if (r < 0 || r >= rows) {
                throw new IllegalArgumentException(kernel + ": idx[" + i + "] = " + r + " is out of range for "
                        + rows + " rows (expected 0 <= idx < " + rows + ")");
            }
        }
    }

    /** The common checks of the row gather/scatter kernels: sizes, then every index. */
    static void rowOp(String kernel, int n, int dim, int rows, MemorySegment idx, String rowsArg, MemorySegment rowsSeg,
                      String denseArg, MemorySegment denseSeg) {
        nonNegative(kernel, "n", n);
        nonNegative(kernel, "dim", dim);
        nonNegative(kernel, "rows", rows);
        holds(kernel, rowsArg, rowsSeg, (long) rows * dim, Float.BYTES);
        if (denseArg != null) holds(kernel, denseArg, denseSeg, (long) n * dim, Float.BYTES);
        indices(kernel, idx, n, rows);
    }
}
