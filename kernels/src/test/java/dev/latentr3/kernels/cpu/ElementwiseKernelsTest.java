package dev.latentr3.kernels.cpu;

import dev.latentr3.kernels.ElementwiseKernels;
import dev.latentr3.kernels.ElementwiseKernels.Binary;
import dev.latentr3.kernels.ElementwiseKernels.Reduce;
import dev.latentr3.kernels.ElementwiseKernels.Unary;
import dev.latentr3.kernels.KernelCheck;
import dev.latentr3.kernels.Segments;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;

import static dev.latentr3.kernels.Segments.getFloat;
import static dev.latentr3.kernels.Segments.setFloat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ReferenceElementwise} against formulas written out in double, and against finite differences. */
class ElementwiseKernelsTest {
    private static final double TIGHT = 1e-6;
    private final ElementwiseKernels ref = new ReferenceElementwise();
    // Shared, not confined: the fast kernels touch the segments from the worker threads of Parallel.
    private final Arena arena = Arena.ofShared();

    @AfterEach
    void close() {
        arena.close();
    }

    static double apply(Binary op, double x, double y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case MAX -> Math.max(x, y);
            case MIN -> Math.min(x, y);
        };
    }

    static DoubleUnaryOperator formula(Unary op) {
        return switch (op) {
            case NEG -> x -> -x;
            case EXP -> Math::exp;
            case LOG -> Math::log;
            case SQRT -> Math::sqrt;
            case RSQRT -> x -> Math.pow(x, -0.5);
            case ABS -> Math::abs;
            case SILU -> x -> x / (1 + Math.exp(-x));
            case SIGMOID -> x -> 1 / (1 + Math.exp(-x));
            case TANH -> Math::tanh;
            case RELU -> x -> Math.max(x, 0);
        };
    }

    /** Inputs inside each op's domain, kept away from the kinks of ABS and RELU at 0. */
    static MemorySegment domainInputs(Arena arena, Unary op, long n, long seed) {
        boolean positive = op == Unary.LOG || op == Unary.SQRT || op == Unary.RSQRT;
        MemorySegment x = KernelCheck.randomFloats(arena, n, seed, positive ? 0.05f : -4f, 4f);
        for (long i = 0; i < n; i++) {
            float v = getFloat(x, i);
            if (!positive && Math.abs(v) < 0.05f) setFloat(x, i, v < 0 ? v - 0.05f : v + 0.05f);
        }
        return x;
    }

    @ParameterizedTest
    @EnumSource(Binary.class)
    void binaryBroadcastsAsTheIndexFormulaSays(Binary op) {
        // [3,1,5] op [1,4,5] -> [3,4,5]; a is also read transposed in a second case ([5,3] storage viewed as [3,5]).
        MemorySegment a = KernelCheck.randomFloats(arena, 15, 1, 0.5f, 2f);
        MemorySegment b = KernelCheck.randomFloats(arena, 20, 2, 0.5f, 2f);
        MemorySegment out = KernelCheck.nanFloats(arena, 60);
        ref.binary(op, new int[] {3, 4, 5}, a, new long[] {5, 0, 1}, b, new long[] {0, 5, 1}, out);
        MemorySegment want = arena.allocate(60 * 4);
        for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) for (int k = 0; k < 5; k++) {
            setFloat(want, (i * 4 + j) * 5 + k, (float) apply(op, getFloat(a, i * 5 + k), getFloat(b, j * 5 + k)));
        }
        KernelCheck.assertClose("binary " + op + " broadcast", want, out, 60, 0, TIGHT);

        MemorySegment out2 = KernelCheck.nanFloats(arena, 15);
        ref.binary(op, new int[] {3, 5}, a, new long[] {1, 3}, b, new long[] {0, 0}, out2);
        MemorySegment want2 = arena.allocate(15 * 4);
        for (int i = 0; i < 3; i++) for (int k = 0; k < 5; k++) {
            setFloat(want2, i * 5 + k, (float) apply(op, getFloat(a, k * 3 + i), getFloat(b, 0)));
        }
        KernelCheck.assertClose("binary " + op + " transposed a, scalar b", want2, out2, 15, 0, TIGHT);
    }

    @Test
    void binaryOfRankZeroIsOneElement() {
        MemorySegment a = KernelCheck.randomFloats(arena, 1, 3, 1, 2), b = KernelCheck.randomFloats(arena, 1, 4, 1, 2);
        MemorySegment out = KernelCheck.nanFloats(arena, 1);
        ref.binary(Binary.MUL, new int[0], a, new long[0], b, new long[0], out);
        assertEquals(getFloat(a, 0) * getFloat(b, 0), getFloat(out, 0));
    }

    @Test
    void binaryRejectsViewsOutsideTheSegment() {
        MemorySegment a = KernelCheck.randomFloats(arena, 10, 3, 1, 2);
        var e = assertThrows(IllegalArgumentException.class, () -> ref.binary(Binary.ADD, new int[] {3, 4}, a,
                new long[] {4, 1}, a, new long[] {0, 1}, KernelCheck.nanFloats(arena, 12)));
        assertTrue(e.getMessage().contains("binary") && e.getMessage().contains("a"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Unary.class)
    void unaryMatchesDoubleFormula(Unary op) {
        int n = 33;
        MemorySegment x = domainInputs(arena, op, n, 5);
        MemorySegment out = KernelCheck.nanFloats(arena, n);
        ref.unary(op, n, x, out);
        MemorySegment want = arena.allocate(n * 4L);
        for (int i = 0; i < n; i++) setFloat(want, i, (float) formula(op).applyAsDouble(getFloat(x, i)));
        KernelCheck.assertClose("unary " + op, want, out, n, 0, TIGHT);
    }

    @ParameterizedTest
    @EnumSource(Unary.class)
    void unaryBackwardMatchesCentralDifferences(Unary op) {
        int n = 65;
        MemorySegment x = domainInputs(arena, op, n, 6);
        MemorySegment y = KernelCheck.nanFloats(arena, n);
        ref.unary(op, n, x, y);
        MemorySegment dy = KernelCheck.randomFloats(arena, n, 7, -2f, 2f);
        MemorySegment dx = KernelCheck.nanFloats(arena, n);
        ref.unaryBackward(op, n, x, y, dy, dx);
        MemorySegment want = arena.allocate(n * 4L);
        DoubleUnaryOperator f = formula(op);
        for (int i = 0; i < n; i++) {
            double xi = getFloat(x, i), h = 1e-4 * Math.max(0.05, Math.abs(xi));
            setFloat(want, i, (float) (getFloat(dy, i) * (f.applyAsDouble(xi + h) - f.applyAsDouble(xi - h)) / (2 * h)));
        }
        // Derivatives read from the fp32 y carry its rounding, which is large relative to 1 - y^2 where tanh
        // saturates; that error is below 1e-6 absolute (|dy| <= 2), hence the atol.
        KernelCheck.assertClose("unaryBackward " + op, want, dx, n, 1e-6, 1e-5);
    }

    @Test
    void kinksHaveZeroDerivative() {
        MemorySegment x = arena.allocate(8);
        setFloat(x, 0, 0f);
        setFloat(x, 1, -0f);
        MemorySegment dy = KernelCheck.randomFloats(arena, 2, 8, 1, 2), dx = KernelCheck.nanFloats(arena, 2);
        for (ElementwiseKernels k : new ElementwiseKernels[] {ref, new FastElementwise()}) {
            for (Unary op : new Unary[] {Unary.ABS, Unary.RELU}) {
                // y is not read for these ops, so it may be null.
                k.unaryBackward(op, 2, x, null, dy, dx);
                assertEquals(0f, Math.abs(getFloat(dx, 0)), op + "'(0)");
                assertEquals(0f, Math.abs(getFloat(dx, 1)), op + "'(-0)");
            }
        }
    }

    @Test
    void affineAxpyFill() {
        int n = 13;
        MemorySegment x = KernelCheck.randomFloats(arena, n, 9, -3, 3);
        MemorySegment y = KernelCheck.randomFloats(arena, n, 10, -3, 3);
        MemorySegment y0 = KernelCheck.copy(arena, y);
        MemorySegment out = KernelCheck.nanFloats(arena, n);
        MemorySegment want = arena.allocate(n * 4L);
        ref.affine(n, 1.5f, -0.25f, x, out);
        for (int i = 0; i < n; i++) setFloat(want, i, (float) (1.5 * getFloat(x, i) - 0.25));
        KernelCheck.assertClose("affine", want, out, n, 1e-7, TIGHT);
        ref.axpy(n, -0.75f, x, y);
        for (int i = 0; i < n; i++) setFloat(want, i, (float) (getFloat(y0, i) - 0.75 * getFloat(x, i)));
        KernelCheck.assertClose("axpy", want, y, n, 1e-7, TIGHT);
        ref.fill(n, 2.5f, out);
        for (int i = 0; i < n; i++) assertEquals(2.5f, getFloat(out, i));
    }

    @Test
    void copyStridedPermutesEveryWidth() {
        // dst [2,3,4] row-major reads src stored as [4,2,3] (a permutation): src offset = k*6 + i*3 + j.
        for (int eb : new int[] {2, 4, 8}) {
            MemorySegment src = randomBytes(24L * eb, eb);
            MemorySegment dst = arena.allocate(24L * eb);
            ref.copyStrided(eb, new int[] {2, 3, 4}, src, new long[] {3, 1, 6}, dst);
            for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++) {
                long d = (i * 3 + j) * 4 + k, s = k * 6 + i * 3 + j;
                assertEquals(-1, MemorySegment.mismatch(src, s * eb, s * eb + eb, dst, d * eb, d * eb + eb),
                        "width " + eb + " element " + d);
            }
        }
    }

    private MemorySegment randomBytes(long bytes, long seed) {
        MemorySegment s = arena.allocate(bytes, 8);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < bytes; i++) s.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt());
        return s;
    }

    @Test
    void reduceSumAndMaxOverTheMiddleAxis() {
        int outer = 3, reduce = 7, inner = 5;
        MemorySegment x = KernelCheck.randomFloats(arena, outer * reduce * inner, 11, -2, 2);
        // Ties and a NaN: the first maximum wins; NaN is the maximum.
        setFloat(x, (0 * reduce + 4) * inner + 1, 5f);
        setFloat(x, (0 * reduce + 2) * inner + 1, 5f);
        setFloat(x, (1 * reduce + 3) * inner + 2, Float.NaN);
        setFloat(x, (1 * reduce + 5) * inner + 2, 9f);
        MemorySegment sum = KernelCheck.nanFloats(arena, outer * inner), max = KernelCheck.nanFloats(arena, outer * inner);
        MemorySegment arg = arena.allocate(outer * inner * 4L);
        ref.reduce(Reduce.SUM, outer, reduce, inner, x, sum, null);
        ref.reduce(Reduce.MAX, outer, reduce, inner, x, max, arg);
        for (int o = 0; o < outer; o++) for (int c = 0; c < inner; c++) {
            double s = 0, best = Double.NEGATIVE_INFINITY;
            int at = -1;
            for (int r = 0; r < reduce; r++) {
                double v = getFloat(x, ((long) o * reduce + r) * inner + c);
                s += v;
                if (at < 0 || (Double.isNaN(v) && !Double.isNaN(best)) || v > best) { best = v; at = r; }
            }
            assertEquals((float) s, getFloat(sum, o * inner + c), 1e-6, "sum");
            assertEquals((float) best, getFloat(max, o * inner + c), "max");
            assertEquals(at, Segments.getInt(arg, o * inner + c), "argmax at " + o + "," + c);
        }
        assertEquals(2, Segments.getInt(arg, 1), "first of two equal maxima");
        assertEquals(3, Segments.getInt(arg, inner + 2), "NaN beats a later larger number");
        assertTrue(Float.isNaN(getFloat(max, inner + 2)));
    }

    @Test
    void sumOfSquaresInDouble() {
        int n = 1001;
        MemorySegment x = KernelCheck.randomFloats(arena, n, 12, -3, 3);
        double want = 0;
        for (int i = 0; i < n; i++) want += (double) getFloat(x, i) * getFloat(x, i);
        assertEquals(want, ref.sumOfSquares(n, x), 1e-12 * want);
    }

    @Test
    void rowGatherScatterPutFill() {
        int n = 7, dim = 5, rows = 4;
        MemorySegment table = KernelCheck.randomFloats(arena, rows * dim, 13, -1, 1);
        MemorySegment idx = arena.allocate(n * 4L);
        int[] ids = {2, 0, 2, 3, 2, 1, 0};
        for (int i = 0; i < n; i++) idx.setAtIndex(Segments.I32, i, ids[i]);
        MemorySegment rowsOut = KernelCheck.nanFloats(arena, n * dim);
        ref.gatherRows(n, dim, table, rows, idx, rowsOut);
        for (int i = 0; i < n; i++) for (int c = 0; c < dim; c++) {
            assertEquals(getFloat(table, ids[i] * dim + c), getFloat(rowsOut, i * dim + c));
        }
        MemorySegment d = KernelCheck.randomFloats(arena, n * dim, 14, -1, 1);
        MemorySegment acc = KernelCheck.copy(arena, table);
        ref.scatterAddRows(n, dim, d, idx, rows, acc);
        for (int r = 0; r < rows; r++) for (int c = 0; c < dim; c++) {
            double want = getFloat(table, r * dim + c);
            for (int i = 0; i < n; i++) if (ids[i] == r) want += getFloat(d, i * dim + c);
            assertEquals(want, getFloat(acc, r * dim + c), 1e-6);
        }
        MemorySegment put = KernelCheck.copy(arena, table);
        ref.putRows(n, dim, d, idx, rows, put);
        for (int c = 0; c < dim; c++) {
            assertEquals(getFloat(d, 4 * dim + c), getFloat(put, 2 * dim + c), "last write of row 2 wins");
            assertEquals(getFloat(d, 6 * dim + c), getFloat(put, 0 * dim + c), "last write of row 0 wins");
        }
        MemorySegment filled = KernelCheck.copy(arena, table);
        ref.fillRows(2, dim, -7f, idx, rows, filled);
        for (int c = 0; c < dim; c++) {
            assertEquals(-7f, getFloat(filled, 2 * dim + c));
            assertEquals(-7f, getFloat(filled, c));
            assertEquals(getFloat(table, 3 * dim + c), getFloat(filled, 3 * dim + c), "untouched row");
        }
    }

    @Test
    void badIndicesNameTheKernelPositionValueAndRows() {
        for (ElementwiseKernels k : new ElementwiseKernels[] {ref, new FastElementwise()}) {
            int n = 4, dim = 3, rows = 5;
            MemorySegment idx = arena.allocate(n * 4L);
            for (int bad : new int[] {-1, 5, 1000}) {
                for (int i = 0; i < n; i++) idx.setAtIndex(Segments.I32, i, i == 2 ? bad : i);
                MemorySegment t = KernelCheck.randomFloats(arena, rows * dim, 15, -1, 1);
                MemorySegment dense = KernelCheck.randomFloats(arena, n * dim, 16, -1, 1);
                check("gatherRows", bad, () -> k.gatherRows(n, dim, t, rows, idx, dense));
                check("scatterAddRows", bad, () -> k.scatterAddRows(n, dim, dense, idx, rows, t));
                check("putRows", bad, () -> k.putRows(n, dim, dense, idx, rows, t));
                check("fillRows", bad, () -> k.fillRows(n, dim, 1f, idx, rows, t));
            }
        }
    }

    private static void check(String kernel, int bad, Runnable call) {
        var e = assertThrows(IllegalArgumentException.class, call::run, kernel);
        String m = e.getMessage();
        assertTrue(m.contains(kernel) && m.contains("idx[2] = " + bad) && m.contains("5 rows"), m);
    }
}
