package dev.latentr3.kernels.cpu;

import dev.latentr3.kernels.ElementwiseKernels;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static dev.latentr3.kernels.Segments.getFloat;
import static dev.latentr3.kernels.Segments.setFloat;

/**
 * {@link ElementwiseKernels} with the Vector API and {@link dev.latentr3.kernels.Parallel}; checked element-wise
 * against {@link ReferenceElementwise}, whose conventions (NaN handling, which of x/y unaryBackward reads) it shares.
 * The argument checks are the reference's, done up front on the calling thread.
 *
 * <p>binary and copyStrided first merge dimensions ({@link StridedLayout}), so contiguous same-shape operands, a
 * broadcast row (bias add) and a broadcast scalar all become long vectorisable rows; anything else iterates over the
 * leading dimensions and vectorises the innermost one where its stride is 1.
 */
public final class FastElementwise implements ElementwiseKernels {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    @Override
    public void binary(Binary op, int[] shape, MemorySegment a, long[] aStrides, MemorySegment b, long[] bStrides,
                       MemorySegment out) {
        long n = ElementwiseArgs.binary(shape, a, aStrides, b, bStrides, out);
        if (n == 0) return;
        StridedLayout layout = StridedLayout.of(shape, aStrides, bStrides, StridedLayout.contiguous(shape));
        long sa = layout.innerStride(0), sb = layout.innerStride(1);
        WorkSplit.rows(layout, op == Binary.DIV ? 4 : 1, (off, start, len) ->
                FastBinary.row(op, a, off[0] + start * sa, sa, b, off[1] + start * sb, sb, out, off[2] + start, len));
    }

    @Override
    public void unary(Unary op, long n, MemorySegment x, MemorySegment out) {
        ElementwiseArgs.nonNegative("unary", "n", n);
        ElementwiseArgs.holds("unary", "x", x, n, Float.BYTES);
        ElementwiseArgs.holds("unary", "out", out, n, Float.BYTES);
        WorkSplit.range(n, cost(op), (from, to) -> FastUnary.forward(op, x, out, from, to));
    }

    /** Rough cost per element: the transcendental ops are many times a load and a store. */
    private static long cost(Unary op) {
        return switch (op) {
            case EXP, LOG, SILU, SIGMOID, TANH -> 16;
            case SQRT, RSQRT -> 4;
            default -> 1;
        };
    }

    @Override
    public void affine(long n, float alpha, float beta, MemorySegment x, MemorySegment out) {
        ElementwiseArgs.nonNegative("affine", "n", n);
        ElementwiseArgs.holds("affine", "x", x, n, Float.BYTES);
        ElementwiseArgs.holds("affine", "out", out, n, Float.BYTES);
        WorkSplit.range(n, 1, (from, to) -> {
            FloatVector va = FloatVector.broadcast(F, alpha), vb = FloatVector.broadcast(F, beta);
            long i = from, bound = from + F.loopBound(to - from);
            for (; i < bound; i += F.length()) {
                // mul then add, not fma: the same two roundings as the reference.
                FloatVector.fromMemorySegment(F, x, i * Float.BYTES, NATIVE).mul(va).add(vb)
                        .intoMemorySegment(out, i * Float.BYTES, NATIVE);
            }
            for (; i < to; i++) setFloat(out, i, alpha * getFloat(x, i) + beta);
        });
    }

    @Override
    public void axpy(long n, float alpha, MemorySegment x, MemorySegment y) {
        ElementwiseArgs.nonNegative("axpy", "n", n);
        ElementwiseArgs.holds("axpy", "x", x, n, Float.BYTES);
        ElementwiseArgs.holds("axpy", "y", y, n, Float.BYTES);
        WorkSplit.range(n, 1, (from, to) -> {
            FloatVector va = FloatVector.broadcast(F, alpha);
            long i = from, bound = from + F.loopBound(to - from);
            for (; i < bound; i += F.length()) {
                long at = i * Float.BYTES;
                FloatVector.fromMemorySegment(F, y, at, NATIVE)
                        .add(FloatVector.fromMemorySegment(F, x, at, NATIVE).mul(va))
                        .intoMemorySegment(y, at, NATIVE);
            }
            for (; i < to; i++) setFloat(y, i, getFloat(y, i) + alpha * getFloat(x, i));
        });
    }

    @Override
    public void unaryBackward(Unary op, long n, MemorySegment x, MemorySegment y, MemorySegment dy, MemorySegment dx) {
        ElementwiseArgs.nonNegative("unaryBackward", "n", n);
        if (ReferenceElementwise.readsInput(op)) ElementwiseArgs.holds("unaryBackward", "x", x, n, Float.BYTES);
        if (ReferenceElementwise.readsOutput(op)) ElementwiseArgs.holds("unaryBackward", "y", y, n, Float.BYTES);
        ElementwiseArgs.holds("unaryBackward", "dy", dy, n, Float.BYTES);
        ElementwiseArgs.holds("unaryBackward", "dx", dx, n, Float.BYTES);
        WorkSplit.range(n, op == Unary.SILU ? 16 : 2, (from, to) -> FastUnary.backward(op, x, y, dy, dx, from, to));
    }

    @Override
    public void fill(long n, float value, MemorySegment out) {
        ElementwiseArgs.nonNegative("fill", "n", n);
        ElementwiseArgs.holds("fill", "out", out, n, Float.BYTES);
        WorkSplit.range(n, 1, (from, to) -> FastFill.fill(out, from, to, value));
    }

    @Override
    public void copyStrided(int elementBytes, int[] shape, MemorySegment src, long[] srcStrides, MemorySegment dst) {
        if (elementBytes != 2 && elementBytes != 4 && elementBytes != 8) {
            throw new IllegalArgumentException("copyStrided: elementBytes must be 2, 4 or 8, got " + elementBytes);
        }
        long n = ElementwiseArgs.elementCount("copyStrided", shape, srcStrides);
        ElementwiseArgs.holds("copyStrided", "dst", dst, n, elementBytes);
        if (n == 0) return;
        ElementwiseArgs.stridedView("copyStrided", "src", shape, srcStrides, src, elementBytes);
        FastStridedCopy.copy(elementBytes, shape, src, srcStrides, dst);
    }

    @Override
    public void reduce(Reduce op, int outer, int reduce, int inner, MemorySegment x, MemorySegment out,
                       MemorySegment indices) {
        ReferenceElementwise.checkReduce(op, outer, reduce, inner, x, out, indices);
        if ((long) outer * inner == 0) return;
        if (op == Reduce.SUM) FastReduce.sum(outer, reduce, inner, x, out);
        else FastReduce.max(outer, reduce, inner, x, out, indices);
    }

    @Override
    public double sumOfSquares(long n, MemorySegment x) {
        ElementwiseArgs.nonNegative("sumOfSquares", "n", n);
        ElementwiseArgs.holds("sumOfSquares", "x", x, n, Float.BYTES);
        return FastReduce.sumOfSquares(n, x);
    }

    @Override
    public void f32ToBf16(long n, MemorySegment src, MemorySegment dst) {
        ElementwiseArgs.nonNegative("f32ToBf16", "n", n);
        ElementwiseArgs.holds("f32ToBf16", "src", src, n, Float.BYTES);
        ElementwiseArgs.holds("f32ToBf16", "dst", dst, n, Short.BYTES);
        WorkSplit.range(n, 2, (from, to) -> FastCasts.toBf16(src, dst, from, to));
    }

    @Override
    public void bf16ToF32(long n, MemorySegment src, MemorySegment dst) {
        ElementwiseArgs.nonNegative("bf16ToF32", "n", n);
        ElementwiseArgs.holds("bf16ToF32", "src", src, n, Short.BYTES);
        ElementwiseArgs.holds("bf16ToF32", "dst", dst, n, Float.BYTES);
        WorkSplit.range(n, 1, (from, to) -> FastCasts.toF32(src, dst, from, to));
    }

    @Override
    public void gatherRows(int n, int dim, MemorySegment table, int rows, MemorySegment idx, MemorySegment out) {
        ElementwiseArgs.rowOp("gatherRows", n, dim, rows, idx, "table", table, "out", out);
        FastRowIndexing.gather(n, dim, table, FastRowIndexing.indices(idx, n), out);
    }

    @Override
    public void scatterAddRows(int n, int dim, MemorySegment dOut, MemorySegment idx, int rows, MemorySegment dTable) {
        ElementwiseArgs.rowOp("scatterAddRows", n, dim, rows, idx, "dTable", dTable, "dOut", dOut);
        FastRowIndexing.scatterAdd(n, dim, dOut, FastRowIndexing.indices(idx, n), rows, dTable);
    }

    @Override
    public void putRows(int n, int dim, MemorySegment src, MemorySegment idx, int rows, MemorySegment dst) {
        ElementwiseArgs.rowOp("putRows", n, dim, rows, idx, "dst", dst, "src", src);
        FastRowIndexing.put(n, dim, src, FastRowIndexing.indices(idx, n), rows, dst);
    }

    @Override
    public void fillRows(int n, int dim, float value, MemorySegment idx, int rows, MemorySegment dst) {
        ElementwiseArgs.rowOp("fillRows", n, dim, rows, idx, "dst", dst, null, null);
        FastRowIndexing.fill(n, dim, value, FastRowIndexing.indices(idx, n), rows, dst);
    }
}
