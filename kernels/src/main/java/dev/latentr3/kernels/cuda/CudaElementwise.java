package dev.latentr3.kernels.cuda;

import dev.latentr3.kernels.ElementwiseKernels;
import dev.latentr3.kernels.cpu.ElementwiseArgs;
import dev.latentr3.kernels.cpu.StridedLayout;

import java.lang.foreign.MemorySegment;

/**
 * {@link ElementwiseKernels} on a CUDA device (native/kernels/elementwise.cu, casts.cu, reduce.cu, embedding.cu).
 * Every segment is a device segment (a {@link DeviceBuffer#segment()} or a slice of one); sizes are checked on the host
 * as the CPU kernels check them, index values on the device (a bad one fails the call after the launch, naming it).
 */
public final class CudaElementwise implements ElementwiseKernels {
    static final Kernel BINARY = new Kernel("ew_binary_f32", "ilppp");
    static final Kernel BINARY_STRIDED = new Kernel("ew_binary_strided_f32", "iliiipllllpllllp");
    static final Kernel COPY_STRIDED_B16 = new Kernel("copy_strided_b16", "liiipllllp");
    static final Kernel COPY_STRIDED_B32 = new Kernel("copy_strided_b32", "liiipllllp");
    static final Kernel COPY_STRIDED_B64 = new Kernel("copy_strided_b64", "liiipllllp");
    static final Kernel COPY_TO_STRIDED_B16 = new Kernel("copy_to_strided_b16", "liiippllll");
    static final Kernel COPY_TO_STRIDED_B32 = new Kernel("copy_to_strided_b32", "liiippllll");
    static final Kernel COPY_TO_STRIDED_B64 = new Kernel("copy_to_strided_b64", "liiippllll");
    static final Kernel UNARY = new Kernel("ew_unary_f32", "ilpp");
    static final Kernel UNARY_BACKWARD = new Kernel("ew_unary_backward_f32", "ilpppp");
    static final Kernel AFFINE = new Kernel("ew_affine_f32", "lffpp");
    static final Kernel AXPY = new Kernel("ew_axpy_f32", "lfpp");
    static final Kernel FILL = new Kernel("ew_fill_f32", "lfp");

    /** The strided kernels' index math handles this many dimensions (after merging). */
    static final int MAX_STRIDED_RANK = 4;

    private final CudaRuntime rt;
    private final CudaReductions reductions;
    private final CudaRowIndexing rowIndexing;

    public CudaElementwise(CudaRuntime rt) {
        this.rt = rt;
        this.reductions = new CudaReductions(rt);
        this.rowIndexing = new CudaRowIndexing(rt);
    }

    @Override
    public void binary(Binary op, int[] shape, MemorySegment a, long[] aStrides, MemorySegment b, long[] bStrides,
                       MemorySegment out) {
        long n = ElementwiseArgs.binary(shape, a, aStrides, b, bStrides, out);
        if (n == 0) return;
        StridedLayout layout = StridedLayout.of(shape, aStrides, bStrides);
        if (layout.rank() == 1 && layout.stride(0, 0) == 1 && layout.stride(1, 0) == 1) {
            rt.launch(BINARY, rt.linearGrid(n), Dim3.of(CudaRuntime.LINEAR_BLOCK), 0, op.ordinal(), n, a, b, out);
            return;
        }
        Padded p = Padded.of("binary", layout, 2);
        rt.launch(BINARY_STRIDED, rt.linearGrid(n), Dim3.of(CudaRuntime.LINEAR_BLOCK), 0, op.ordinal(), n,
                p.d1, p.d2, p.d3, a, p.s[0][0], p.s[0][1], p.s[0][2], p.s[0][3],
                b, p.s[1][0], p.s[1][1], p.s[1][2], p.s[1][3], out);
    }

    /**
     * A merged layout written as exactly four dimensions [d0, d1, d2, d3] (leading 1s added), d0 implied by the element
     * count, with each operand's four strides.
     */
    record Padded(int d1, int d2, int d3, long[][] s) {
        static Padded of(String kernel, StridedLayout layout, int operands) {
            int rank = layout.rank();
            if (rank > MAX_STRIDED_RANK) {
                throw new IllegalArgumentException(kernel + ": the strided view still has rank " + rank
                        + " after merging dimensions; the CUDA kernel handles at most " + MAX_STRIDED_RANK);
            }
            int[] dims = {1, 1, 1, 1};
            long[][] s = new long[operands][4];
            for (int d = 0; d < rank; d++) {
                int at = MAX_STRIDED_RANK - rank + d;
                long size = layout.dim(d);
                if (at > 0 && size > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException(kernel + ": merged dimension of " + size + " elements exceeds int range");
                }
                dims[at] = (int) Math.min(size, Integer.MAX_VALUE);
                for (int k = 0; k < operands; k++) s[k][at] = layout.stride(k, d);
            }
            return new Padded(dims[1], dims[2], dims[3], s);
        }
    }

    @Override
    public void unary(Unary op, long n, MemorySegment x, MemorySegment out) {
        ElementwiseArgs.nonNegative("unary", "n", n);
        ElementwiseArgs.holds("unary", "x", x, n, Float.BYTES);
        ElementwiseArgs.holds("unary", "out", out, n, Float.BYTES);
        if (n == 0) return;
        rt.launch(UNARY, rt.linearGrid(n), Dim3.of(CudaRuntime.LINEAR_BLOCK), 0, op.ordinal(), n, x, out);
    }

    @Override
    public void affine(long n, float alpha, float beta, MemorySegment x, MemorySegment out) {
        ElementwiseArgs.nonNegative("affine", "n", n);
        ElementwiseArgs.holds("affine", "x", x, n, Float.BYTES);
        ElementwiseArgs.holds("affine", "out", out, n, Float.BYTES);
        if (n == 0) return;
        rt.launch(AFFINE, rt.linearGrid(n), Dim3.of(CudaRuntime.LINEAR_BLOCK), 0, n, alpha, beta, x, out);
    }

    @Override
    public void axpy(long n, float alpha, MemorySegment x, MemorySegment y) {
        ElementwiseArgs.nonNegative("axpy", "n", n);
        ElementwiseArgs.holds("axpy", "x", x, n, Float.BYTES);
        ElementwiseArgs.holds("axpy", "y", y, n, Float.BYTES);
        if (n == 0) return;
        rt.launch(AXPY, rt.linearGrid(n), Dim3.of(CudaRuntime.LINEAR_BLOCK), 0, n, alpha, x, y);
    }

    @Override
    public void unaryBackward(Unary op, long n, MemorySegment x, MemorySegment y, MemorySegment dy, MemorySegment dx) {
        ElementwiseArgs.nonNegative("unaryBackward", "n", n);
        boolean readsX = op == Unary.LOG || op == Unary.ABS || op == Unary.SILU || op == Unary.RELU;
        boolean readsY = op == Unary.EXP || op == Unary.SQRT || op == Unary.RSQRT || op == Unary.SIGMOID || op == Unary.TANH;
        if (readsX) ElementwiseArgs.holds("unaryBackward", "x", x, n, Float.BYTES);
        if (readsY) ElementwiseArgs.holds("unaryBackward", "y", y, n, Float.BYTES);
        ElementwiseArgs.holds("unaryBackward", "dy", dy, n, Float.BYTES);
        ElementwiseArgs.holds("unaryBackward", "dx", dx, n, Float.BYTES);
        if (n == 0) return;
        rt.launch(UNARY_BACKWARD, rt.linearGrid(n), Dim3.of(CudaRuntime.LINEAR_BLOCK), 0, op.ordinal(), n,
                readsX ? x : null, readsY ? y : null, dy, dx);
    }

    @Override
    public void fill(long n, float value, MemorySegment out) {
        ElementwiseArgs.nonNegative("fill", "n", n);
        ElementwiseArgs.holds("fill", "out", out, n, Float.BYTES);
        if (n == 0) return;
        rt.launch(FILL, rt.linearGrid(n), Dim3.of(CudaRuntime.LINEAR_BLOCK), 0, n, value, out);
    }

    @Override
    public void copyStrided(int elementBytes, int[] shape, MemorySegment src, long[] srcStrides, MemorySegment dst) {
        Kernel kernel = switch (elementBytes) {
            case 2 -> COPY_STRIDED_B16;
            case 4 -> COPY_STRIDED_B32;
            case 8 -> COPY_STRIDED_B64;
            default -> throw new IllegalArgumentException("copyStrided: elementBytes must be 2, 4 or 8, got " + elementBytes);
        };
        long n = ElementwiseArgs.elementCount("copyStrided", shape, srcStrides);
        ElementwiseArgs.holds("copyStrided", "dst", dst, n, elementBytes);
        if (n == 0) return;
        ElementwiseArgs.stridedView("copyStrided", "src", shape, srcStrides, src, elementBytes);
        Padded p = Padded.of("copyStrided", StridedLayout.of(shape, srcStrides), 1);
        rt.launch(kernel, rt.linearGrid(n), Dim3.of(CudaRuntime.LINEAR_BLOCK), 0, n, p.d1, p.d2, p.d3, src,
                p.s[0][0], p.s[0][1], p.s[0][2], p.s[0][3], dst);
    }

    @Override
    public void copyToStrided(int elementBytes, int[] shape, MemorySegment src, MemorySegment dst, long[] dstStrides) {
        Kernel kernel = switch (elementBytes) {
            case 2 -> COPY_TO_STRIDED_B16;
            case 4 -> COPY_TO_STRIDED_B32;
            case 8 -> COPY_TO_STRIDED_B64;
            default -> throw new IllegalArgumentException("copyToStrided: elementBytes must be 2, 4 or 8, got " + elementBytes);
        };
        long n = ElementwiseArgs.elementCount("copyToStrided", shape, dstStrides);
        ElementwiseArgs.holds("copyToStrided", "src", src, n, elementBytes);
        if (n == 0) return;
        ElementwiseArgs.stridedView("copyToStrided", "dst", shape, dstStrides, dst, elementBytes);
        ElementwiseArgs.distinctAddresses("copyToStrided", "dst", shape, dstStrides);
        Padded p = Padded.of("copyToStrided", StridedLayout.of(shape, dstStrides), 1);
        rt.launch(kernel, rt.linearGrid(n), Dim3.of(CudaRuntime.LINEAR_BLOCK), 0, n, p.d1, p.d2, p.d3, src, dst,
                p.s[0][0], p.s[0][1], p.s[0][2], p.s[0][3]);
    }

    @Override
    public void reduce(Reduce op, int outer, int reduce, int inner, MemorySegment x, MemorySegment out,
                       MemorySegment indices) {
        reductions.reduce(op, outer, reduce, inner, x, out, indices);
    }

    @Override
    public void maxBackward(int outer, int reduce, int inner, MemorySegment dy, MemorySegment indices, MemorySegment dx) {
        reductions.maxBackward(outer, reduce, inner, dy, indices, dx);
    }

    @Override
    public double sumOfSquares(long n, MemorySegment x) {
        return reductions.sumOfSquares(n, x);
    }

    @Override
    public double[] sumsOfSquares(long[] n, MemorySegment[] x) {
        return reductions.sumsOfSquares(n, x);
    }

    @Override
    public void f32ToBf16(long n, MemorySegment src, MemorySegment dst) {
        reductions.f32ToBf16(n, src, dst);
    }

    @Override
    public void bf16ToF32(long n, MemorySegment src, MemorySegment dst) {
        reductions.bf16ToF32(n, src, dst);
    }

    @Override
    public void gatherRows(int n, int dim, MemorySegment table, int rows, MemorySegment idx, MemorySegment out) {
        rowIndexing.gatherRows(n, dim, table, rows, idx, out);
    }

    @Override
    public void scatterAddRows(int n, int dim, MemorySegment dOut, MemorySegment idx, int rows, MemorySegment dTable) {
        rowIndexing.scatterAddRows(n, dim, dOut, idx, rows, dTable);
    }

    @Override
    public void putRows(int n, int dim, MemorySegment src, MemorySegment idx, int rows, MemorySegment dst) {
        rowIndexing.putRows(n, dim, src, idx, rows, dst);
    }

    @Override
    public void fillRows(int n, int dim, float value, MemorySegment idx, int rows, MemorySegment dst) {
        rowIndexing.fillRows(n, dim, value, idx, rows, dst);
    }
}
