package dev.latentr3.kernels.cpu;

import dev.latentr3.kernels.ElementwiseKernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.latentr3.kernels.Segments.getFloat;
import static dev.latentr3.kernels.Segments.getInt;
import static dev.latentr3.kernels.Segments.setFloat;

/**
 * The oracle for {@link ElementwiseKernels}: one plain scalar loop per method, written to be obviously right rather
 * than fast. Reductions accumulate in double.
 *
 * <p>Conventions the fast kernels must match: MAX/MIN follow {@link Math#max(float, float)} (NaN wins, +0 above -0);
 * RELU is {@code max(x, 0)} in that sense, so NaN stays NaN; the reduce MAX treats NaN as the largest value (the
 * first NaN is the max and its index the argmax), otherwise the first maximum by {@code >} wins.
 *
 * <p>unaryBackward reads the forward input x for LOG, ABS, SILU and RELU and the forward output y for EXP, SQRT,
 * RSQRT, SIGMOID and TANH; NEG reads neither. The operand not read may be null.
 */
public final class ReferenceElementwise implements ElementwiseKernels {

    @Override
    public void binary(Binary op, int[] shape, MemorySegment a, long[] aStrides, MemorySegment b, long[] bStrides,
                       MemorySegment out) {
        long n = ElementwiseArgs.binary(shape, a, aStrides, b, bStrides, out);
        if (n == 0) return;
        int rank = shape.length;
        int[] counter = new int[rank];
        long ia = 0, ib = 0;
        for (long i = 0; i < n; i++) {
            setFloat(out, i, apply(op, getFloat(a, ia), getFloat(b, ib)));
            // Odometer: bump the last dimension, carrying into earlier ones.
            for (int d = rank - 1; d >= 0; d--) {
                counter[d]++;
                ia += aStrides[d];
                ib += bStrides[d];
                if (counter[d] < shape[d]) break;
                counter[d] = 0;
                ia -= shape[d] * aStrides[d];
                ib -= shape[d] * bStrides[d];
            }
        }
    }

    static float apply(Binary op, float x, float y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case MAX -> Math.max(x, y);
            case MIN -> Math.min(x, y);
        };
    }

    @Override
    public void unary(Unary op, long n, MemorySegment x, MemorySegment out) {
        ElementwiseArgs.nonNegative("unary", "n", n);
        ElementwiseArgs.holds("unary", "x", x, n, Float.BYTES);
        ElementwiseArgs.holds("unary", "out", out, n, Float.BYTES);
        for (long i = 0; i < n; i++) setFloat(out, i, apply(op, getFloat(x, i)));
    }

    static float apply(Unary op, float x) {
        return switch (op) {
            case NEG -> -x;
            case EXP -> (float) Math.exp(x);
            case LOG -> (float) Math.log(x);
            case SQRT -> (float) Math.sqrt(x);
            case RSQRT -> (float) (1.0 / Math.sqrt(x));
            case ABS -> Math.abs(x);
            case SILU -> (float) (x / (1.0 + Math.exp(-x)));
            case SIGMOID -> (float) (1.0 / (1.0 + Math.exp(-x)));
            case TANH -> (float) Math.tanh(x);
            case RELU -> Math.max(x, 0f);
        };
    }

    @Override
    public void affine(long n, float alpha, float beta, MemorySegment x, MemorySegment out) {
        ElementwiseArgs.nonNegative("affine", "n", n);
        ElementwiseArgs.holds("affine", "x", x, n, Float.BYTES);
        ElementwiseArgs.holds("affine", "out", out, n, Float.BYTES);
        for (long i = 0; i < n; i++) setFloat(out, i, alpha * getFloat(x, i) + beta);
    }

    @Override
    public void axpy(long n, float alpha, MemorySegment x, MemorySegment y) {
        ElementwiseArgs.nonNegative("axpy", "n", n);
        ElementwiseArgs.holds("axpy", "x", x, n, Float.BYTES);
        ElementwiseArgs.holds("axpy", "y", y, n, Float.BYTES);
        for (long i = 0; i < n; i++) setFloat(y, i, getFloat(y, i) + alpha * getFloat(x, i));
    }

    @Override
    public void unaryBackward(Unary op, long n, MemorySegment x, MemorySegment y, MemorySegment dy, MemorySegment dx) {
        ElementwiseArgs.nonNegative("unaryBackward", "n", n);
        if (readsInput(op)) ElementwiseArgs.holds("unaryBackward", "x", x, n, Float.BYTES);
        if (readsOutput(op)) ElementwiseArgs.holds("unaryBackward", "y", y, n, Float.BYTES);
        ElementwiseArgs.holds("unaryBackward", "dy", dy, n, Float.BYTES);
        ElementwiseArgs.holds("unaryBackward", "dx", dx, n, Float.BYTES);
        for (long i = 0; i < n; i++) {
            float xi = readsInput(op) ? getFloat(x, i) : 0f;
            float yi = readsOutput(op) ? getFloat(y, i) : 0f;
            setFloat(dx, i, getFloat(dy, i) * derivative(op, xi, yi));
        }
    }

    /** Whether unaryBackward of op reads the forward input x. */
    static boolean readsInput(Unary op) {
        return op == Unary.LOG || op == Unary.ABS || op == Unary.SILU || op == Unary.RELU;
    }

    /** Whether unaryBackward of op reads the forward output y. */
    static boolean readsOutput(Unary op) {
        return op == Unary.EXP || op == Unary.SQRT || op == Unary.RSQRT || op == Unary.SIGMOID || op == Unary.TANH;
    }

    /** op'(x), from x or y = op(x) as {@link #readsInput}/{@link #readsOutput} say. */
    static float derivative(Unary op, float x, float y) {
        return switch (op) {
            case NEG -> -1f;
            case EXP -> y;
            case LOG -> 1f / x;
            case SQRT -> 0.5f / y;
            case RSQRT -> -0.5f * y * y * y; // d/dx x^(-1/2) = -x^(-3/2) / 2 = -y^3 / 2
            case ABS -> x > 0 ? 1f : x < 0 ? -1f : 0f;
            case SILU -> {
                double s = 1.0 / (1.0 + Math.exp(-x));
                yield (float) (s * (1.0 + x * (1.0 - s)));
            }
            case SIGMOID -> y * (1f - y);
            case TANH -> 1f - y * y;
            case RELU -> x > 0 ? 1f : 0f;
        };
    }

    @Override
    public void fill(long n, float value, MemorySegment out) {
        ElementwiseArgs.nonNegative("fill", "n", n);
        ElementwiseArgs.holds("fill", "out", out, n, Float.BYTES);
        for (long i = 0; i < n; i++) setFloat(out, i, value);
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
        int rank = shape.length;
        int[] counter = new int[rank];
        long is = 0;
        for (long i = 0; i < n; i++) {
            // Bytes are copied as integers of the element's width so that NaN payloads survive unchanged.
            MemorySegment.copy(src, is * elementBytes, dst, i * elementBytes, elementBytes);
            for (int d = rank - 1; d >= 0; d--) {
                counter[d]++;
                is += srcStrides[d];
                if (counter[d] < shape[d]) break;
                counter[d] = 0;
                is -= shape[d] * srcStrides[d];
            }
        }
    }

    @Override
    public void reduce(Reduce op, int outer, int reduce, int inner, MemorySegment x, MemorySegment out,
                       MemorySegment indices) {
        checkReduce(op, outer, reduce, inner, x, out, indices);
        for (int o = 0; o < outer; o++) {
            for (int c = 0; c < inner; c++) {
                long base = (long) o * reduce * inner + c;
                long at = (long) o * inner + c;
                if (op == Reduce.SUM) {
                    double sum = 0;
                    for (int r = 0; r < reduce; r++) sum += getFloat(x, base + (long) r * inner);
                    setFloat(out, at, (float) sum);
                } else {
                    float best = getFloat(x, base);
                    int arg = 0;
                    for (int r = 1; r < reduce; r++) {
                        float v = getFloat(x, base + (long) r * inner);
                        if (v > best || (Float.isNaN(v) && !Float.isNaN(best))) {
                            best = v;
                            arg = r;
                        }
                    }
                    setFloat(out, at, best);
                    if (indices != null) indices.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, at, arg);
                }
            }
        }
    }

    static void checkReduce(Reduce op, int outer, int reduce, int inner, MemorySegment x, MemorySegment out,
                            MemorySegment indices) {
        ElementwiseArgs.nonNegative("reduce", "outer", outer);
        ElementwiseArgs.nonNegative("reduce", "reduce", reduce);
        ElementwiseArgs.nonNegative("reduce", "inner", inner);
        if (op == Reduce.MAX && reduce == 0 && (long) outer * inner > 0) {
            throw new IllegalArgumentException("reduce: MAX over an empty axis (reduce = 0) has no value");
        }
        ElementwiseArgs.holds("reduce", "x", x, (long) outer * reduce * inner, Float.BYTES);
        ElementwiseArgs.holds("reduce", "out", out, (long) outer * inner, Float.BYTES);
        if (op == Reduce.MAX && indices != null) {
            ElementwiseArgs.holds("reduce", "indices", indices, (long) outer * inner, Integer.BYTES);
        }
    }

    @Override
    public double sumOfSquares(long n, MemorySegment x) {
        ElementwiseArgs.nonNegative("sumOfSquares", "n", n);
        ElementwiseArgs.holds("sumOfSquares", "x", x, n, Float.BYTES);
        double sum = 0;
        for (long i = 0; i < n; i++) {
            double v = getFloat(x, i);
            sum += v * v;
        }
        return sum;
    }

    @Override
    public void f32ToBf16(long n, MemorySegment src, MemorySegment dst) {
        ElementwiseArgs.nonNegative("f32ToBf16", "n", n);
        ElementwiseArgs.holds("f32ToBf16", "src", src, n, Float.BYTES);
        ElementwiseArgs.holds("f32ToBf16", "dst", dst, n, Short.BYTES);
        for (long i = 0; i < n; i++) {
            dst.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Bf16Rounding.fromFloat(getFloat(src, i)));
        }
    }

    @Override
    public void bf16ToF32(long n, MemorySegment src, MemorySegment dst) {
        ElementwiseArgs.nonNegative("bf16ToF32", "n", n);
        ElementwiseArgs.holds("bf16ToF32", "src", src, n, Short.BYTES);
        ElementwiseArgs.holds("bf16ToF32", "dst", dst, n, Float.BYTES);
        for (long i = 0; i < n; i++) {
            setFloat(dst, i, Bf16Rounding.toFloat(src.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i)));
        }
    }

    @Override
    public void gatherRows(int n, int dim, MemorySegment table, int rows, MemorySegment idx, MemorySegment out) {
        ElementwiseArgs.rowOp("gatherRows", n, dim, rows, idx, "table", table, "out", out);
        for (int i = 0; i < n; i++) {
            long from = (long) getInt(idx, i) * dim, to = (long) i * dim;
            for (int c = 0; c < dim; c++) setFloat(out, to + c, getFloat(table, from + c));
        }
    }

    @Override
    public void scatterAddRows(int n, int dim, MemorySegment dOut, MemorySegment idx, int rows, MemorySegment dTable) {
        ElementwiseArgs.rowOp("scatterAddRows", n, dim, rows, idx, "dTable", dTable, "dOut", dOut);
        for (int i = 0; i < n; i++) {
            long from = (long) i * dim, to = (long) getInt(idx, i) * dim;
            for (int c = 0; c < dim; c++) setFloat(dTable, to + c, getFloat(dTable, to + c) + getFloat(dOut, from + c));
        }
    }

    @Override
    public void putRows(int n, int dim, MemorySegment src, MemorySegment idx, int rows, MemorySegment dst) {
        ElementwiseArgs.rowOp("putRows", n, dim, rows, idx, "dst", dst, "src", src);
        for (int i = 0; i < n; i++) {
            long from = (long) i * dim, to = (long) getInt(idx, i) * dim;
            for (int c = 0; c < dim; c++) setFloat(dst, to + c, getFloat(src, from + c));
        }
    }

    @Override
    public void fillRows(int n, int dim, float value, MemorySegment idx, int rows, MemorySegment dst) {
        ElementwiseArgs.rowOp("fillRows", n, dim, rows, idx, "dst", dst, null, null);
        for (int i = 0; i < n; i++) {
            long to = (long) getInt(idx, i) * dim;
            for (int c = 0; c < dim; c++) setFloat(dst, to + c, value);
        }
    }
}
