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
import java.util.Arrays;
import java.util.SplittableRandom;

import static dev.latentr3.kernels.Segments.getFloat;
import static dev.latentr3.kernels.Segments.setFloat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link FastElementwise} against {@link ReferenceElementwise}, element by element, on fresh random inputs with odd
 * sizes (not multiples of the vector width or of the parallel block), broadcast and transposed strides, and sizes
 * large enough to run on several threads. Maps made only of IEEE basic operations (binary, affine, axpy, copies,
 * casts, row ops) must agree exactly; transcendental maps and reordered sums within fp32 tolerances.
 */
class FastElementwiseTest {
    private static final long[] SIZES = {1, 7, 13, 33, 1001, 100_003};

    private final ElementwiseKernels ref = new ReferenceElementwise();
    private final ElementwiseKernels fast = new FastElementwise();
    // Shared, not confined: the fast kernels touch the segments from the worker threads of Parallel.
    private final Arena arena = Arena.ofShared();

    @AfterEach
    void close() {
        arena.close();
    }

    /** One binary problem: the iteration shape and each operand's strides and storage size (elements). */
    record Case(String name, int[] shape, long[] aStrides, long aSize, long[] bStrides, long bSize) {}

    /** Broadcasting as numpy does it: an operand of shape opShape (1 where it broadcasts), stored contiguously. */
    static long[] broadcastStrides(int[] shape, int[] opShape) {
        long[] s = StridedLayout.contiguous(opShape);
        for (int d = 0; d < shape.length; d++) if (opShape[d] == 1 && shape[d] != 1) s[d] = 0;
        return s;
    }

    static long size(int[] shape) {
        return Arrays.stream(shape).asLongStream().reduce(1, (x, y) -> x * y);
    }

    static Case broadcast(String name, int[] shape, int[] aShape, int[] bShape) {
        return new Case(name, shape, broadcastStrides(shape, aShape), size(aShape), broadcastStrides(shape, bShape), size(bShape));
    }

    static Case[] cases() {
        var list = new java.util.ArrayList<Case>();
        for (long n : SIZES) list.add(broadcast("contiguous " + n, new int[] {(int) n}, new int[] {(int) n}, new int[] {(int) n}));
        list.add(broadcast("bias 13x33", new int[] {13, 33}, new int[] {13, 33}, new int[] {1, 33}));
        list.add(broadcast("bias 257x129", new int[] {257, 129}, new int[] {257, 129}, new int[] {1, 129}));
        list.add(broadcast("bias 3x20001 (rows split into blocks)", new int[] {3, 20001}, new int[] {3, 20001}, new int[] {1, 20001}));
        list.add(broadcast("scalar b", new int[] {1001}, new int[] {1001}, new int[] {1}));
        list.add(broadcast("scalar b 2-d", new int[] {7, 13}, new int[] {7, 13}, new int[] {1, 1}));
        list.add(broadcast("scalar a", new int[] {33}, new int[] {1}, new int[] {33}));
        list.add(broadcast("column a 65x33", new int[] {65, 33}, new int[] {65, 1}, new int[] {65, 33}));
        list.add(broadcast("[3,1,5] op [1,4,5]", new int[] {3, 4, 5}, new int[] {3, 1, 5}, new int[] {1, 4, 5}));
        list.add(broadcast("[2,3,1,7] op [1,3,5,1]", new int[] {2, 3, 5, 7}, new int[] {2, 3, 1, 7}, new int[] {1, 3, 5, 1}));
        list.add(broadcast("[1,1,1] op [1,1,1]", new int[] {1, 1, 1}, new int[] {1, 1, 1}, new int[] {1, 1, 1}));
        list.add(new Case("transposed a 33x13", new int[] {33, 13}, new long[] {1, 33}, 33 * 13, new long[] {13, 1}, 33 * 13));
        list.add(new Case("stepped b 7x13", new int[] {7, 13}, new long[] {13, 1}, 7 * 13, new long[] {26, 2}, 7 * 26));
        list.add(new Case("transposed a 300x129", new int[] {300, 129}, new long[] {1, 300}, 300 * 129,
                new long[] {0, 1}, 129));
        return list.toArray(Case[]::new);
    }

    @ParameterizedTest
    @EnumSource(Binary.class)
    void binaryMatchesReference(Binary op) {
        long seed = 100;
        for (Case c : cases()) {
            long n = size(c.shape());
            MemorySegment a = KernelCheck.randomFloats(arena, c.aSize(), seed++, -2f, 2f);
            MemorySegment b = KernelCheck.randomFloats(arena, c.bSize(), seed++, 0.25f, 2f);
            MemorySegment want = KernelCheck.nanFloats(arena, n), got = KernelCheck.nanFloats(arena, n);
            ref.binary(op, c.shape(), a, c.aStrides(), b, c.bStrides(), want);
            fast.binary(op, c.shape(), a, c.aStrides(), b, c.bStrides(), got);
            KernelCheck.assertClose(op + " " + c.name(), want, got, n, 0, 0);
        }
    }

    @ParameterizedTest
    @EnumSource(Binary.class)
    void binaryInPlace(Binary op) {
        var names = java.util.Set.of("contiguous 1001", "contiguous 100003", "bias 257x129", "column a 65x33");
        Case[] chosen = Arrays.stream(cases()).filter(c -> names.contains(c.name())).toArray(Case[]::new);
        assertEquals(names.size(), chosen.length);
        for (Case c : chosen) {
            // out == a where a is contiguous with the output's shape, else out == b (the column case).
            boolean aContiguous = c.aSize() == size(c.shape()) && Arrays.equals(c.aStrides(), StridedLayout.contiguous(c.shape()));
            long n = size(c.shape());
            MemorySegment a = KernelCheck.randomFloats(arena, c.aSize(), 7, -2f, 2f);
            MemorySegment b = KernelCheck.randomFloats(arena, c.bSize(), 8, 0.25f, 2f);
            MemorySegment want = KernelCheck.nanFloats(arena, n);
            ref.binary(op, c.shape(), a, c.aStrides(), b, c.bStrides(), want);
            MemorySegment out = aContiguous ? a : b;
            fast.binary(op, c.shape(), a, c.aStrides(), b, c.bStrides(), out);
            KernelCheck.assertClose(op + " in place " + c.name(), want, out, n, 0, 0);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Binary.class, names = {"MAX", "MIN"})
    void maxMinOnNaNAndSignedZeros(Binary op) {
        int n = 37;
        float[] special = {Float.NaN, 0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1f};
        MemorySegment a = arena.allocate(n * 4L), b = arena.allocate(n * 4L);
        for (int i = 0; i < n; i++) {
            setFloat(a, i, special[i % special.length]);
            setFloat(b, i, special[(i / special.length) % special.length]);
        }
        for (long[] bs : new long[][] {{1}, {0}}) {
            MemorySegment want = KernelCheck.nanFloats(arena, n), got = KernelCheck.nanFloats(arena, n);
            ref.binary(op, new int[] {n}, a, new long[] {1}, b, bs, want);
            fast.binary(op, new int[] {n}, a, new long[] {1}, b, bs, got);
            for (int i = 0; i < n; i++) {
                assertEquals(Float.floatToIntBits(getFloat(want, i)), Float.floatToIntBits(getFloat(got, i)),
                        op + " element " + i + ": " + getFloat(a, i) + ", " + getFloat(b, bs[0] * i));
            }
        }
    }

    static float[] range(Unary op) {
        return switch (op) {
            case LOG, SQRT, RSQRT -> new float[] {1e-3f, 50f};
            case EXP -> new float[] {-20f, 20f};
            case SILU, SIGMOID, TANH -> new float[] {-30f, 30f};
            default -> new float[] {-5f, 5f};
        };
    }

    @ParameterizedTest
    @EnumSource(Unary.class)
    void unaryMatchesReference(Unary op) {
        float[] r = range(op);
        long seed = 200;
        for (long n : SIZES) {
            MemorySegment x = KernelCheck.randomFloats(arena, n, seed++, r[0], r[1]);
            MemorySegment want = KernelCheck.nanFloats(arena, n), got = KernelCheck.nanFloats(arena, n);
            ref.unary(op, n, x, want);
            fast.unary(op, n, x, got);
            KernelCheck.assertClose(op + " n=" + n, want, got, n, KernelCheck.F32_ATOL, KernelCheck.F32_RTOL);
            fast.unary(op, n, x, x); // out aliases x
            KernelCheck.assertClose(op + " in place n=" + n, want, x, n, KernelCheck.F32_ATOL, KernelCheck.F32_RTOL);
        }
    }

    @ParameterizedTest
    @EnumSource(Unary.class)
    void unaryOnSpecialValues(Unary op) {
        float[] special = {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 1e30f, -1e30f,
                88.7f, -103f, 1e-40f, -1e-40f, 1f, -1f};
        int reps = 3; // enough to fill whole vectors, not just the scalar tail
        int n = special.length * reps;
        MemorySegment x = arena.allocate(n * 4L);
        for (int i = 0; i < n; i++) setFloat(x, i, special[i % special.length]);
        MemorySegment want = KernelCheck.nanFloats(arena, n), got = KernelCheck.nanFloats(arena, n);
        ref.unary(op, n, x, want);
        fast.unary(op, n, x, got);
        KernelCheck.assertClose(op + " special values", want, got, n, KernelCheck.F32_ATOL, KernelCheck.F32_RTOL);
    }

    @ParameterizedTest
    @EnumSource(Unary.class)
    void unaryBackwardMatchesReference(Unary op) {
        float[] r = range(op);
        long seed = 300;
        for (long n : SIZES) {
            MemorySegment x = KernelCheck.randomFloats(arena, n, seed++, r[0], r[1]);
            MemorySegment y = KernelCheck.nanFloats(arena, n);
            ref.unary(op, n, x, y);
            MemorySegment dy = KernelCheck.randomFloats(arena, n, seed++, -2f, 2f);
            MemorySegment want = KernelCheck.nanFloats(arena, n), got = KernelCheck.nanFloats(arena, n);
            ref.unaryBackward(op, n, x, y, dy, want);
            fast.unaryBackward(op, n, x, y, dy, got);
            KernelCheck.assertClose(op + "' n=" + n, want, got, n, KernelCheck.F32_ATOL, KernelCheck.F32_RTOL);
        }
    }

    @Test
    void affineAxpyFillMatchReference() {
        long seed = 400;
        for (long n : SIZES) {
            MemorySegment x = KernelCheck.randomFloats(arena, n, seed++, -3f, 3f);
            MemorySegment want = KernelCheck.nanFloats(arena, n), got = KernelCheck.nanFloats(arena, n);
            ref.affine(n, 0.7f, -1.3f, x, want);
            fast.affine(n, 0.7f, -1.3f, x, got);
            KernelCheck.assertClose("affine n=" + n, want, got, n, 0, 0);
            MemorySegment inPlace = KernelCheck.copy(arena, x);
            fast.affine(n, 0.7f, -1.3f, inPlace, inPlace);
            KernelCheck.assertClose("affine in place n=" + n, want, inPlace, n, 0, 0);

            MemorySegment y = KernelCheck.randomFloats(arena, n, seed++, -3f, 3f), y2 = KernelCheck.copy(arena, y);
            ref.axpy(n, -0.37f, x, y);
            fast.axpy(n, -0.37f, x, y2);
            KernelCheck.assertClose("axpy n=" + n, y, y2, n, 0, 0);

            for (float v : new float[] {0f, -2.5f}) {
                MemorySegment f = KernelCheck.nanFloats(arena, n + 1);
                fast.fill(n, v, f);
                for (long i = 0; i < n; i++) assertEquals(v, getFloat(f, i), "fill n=" + n);
                assertEquals(Float.NaN, getFloat(f, n), "fill wrote past n");
            }
        }
    }

    @Test
    void copyStridedMatchesReference() {
        record Copy(String name, int[] shape, long[] strides, long srcSize) {}
        Copy[] copies = {
                new Copy("contiguous", new int[] {1001}, new long[] {1}, 1001),
                new Copy("transpose 33x65", new int[] {33, 65}, new long[] {1, 33}, 33 * 65),
                new Copy("transpose 257x129", new int[] {257, 129}, new long[] {1, 257}, 257 * 129),
                new Copy("permute 3-d", new int[] {7, 13, 5}, new long[] {13, 1, 91}, 5 * 7 * 13),
                new Copy("permute 4-d", new int[] {2, 3, 5, 7}, new long[] {15, 1, 3, 30}, 2 * 3 * 5 * 7),
                new Copy("row slice", new int[] {13, 7}, new long[] {20, 1}, 13 * 20),
                new Copy("stepped slice", new int[] {13, 7}, new long[] {20, 2}, 13 * 20),
                new Copy("batched transpose", new int[] {3, 40, 33}, new long[] {40 * 33, 1, 40}, 3 * 40 * 33),
                new Copy("1-d stride 3", new int[] {33}, new long[] {3}, 99),
                new Copy("broadcast rows", new int[] {5, 7}, new long[] {0, 1}, 7),
                new Copy("rank 0", new int[0], new long[0], 1),
        };
        long seed = 500;
        for (int eb : new int[] {2, 4, 8}) {
            for (Copy c : copies) {
                long n = size(c.shape());
                MemorySegment src = randomBytes(c.srcSize() * eb, seed++);
                MemorySegment want = randomBytes(n * eb, seed++), got = randomBytes(n * eb, seed++);
                ref.copyStrided(eb, c.shape(), src, c.strides(), want);
                fast.copyStrided(eb, c.shape(), src, c.strides(), got);
                assertEquals(-1, want.mismatch(got), c.name() + " width " + eb);
            }
        }
    }

    private MemorySegment randomBytes(long bytes, long seed) {
        MemorySegment s = arena.allocate(bytes, 8);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < bytes; i++) s.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt());
        return s;
    }

    static int[][] reduceShapes() {
        return new int[][] {{1, 1, 1}, {7, 13, 1}, {3, 1001, 1}, {5, 33, 7}, {2, 13, 1030}, {13, 65, 33},
                {1, 70_001, 1}, {300, 129, 1}, {4, 1, 13}, {2, 2050, 17}};
    }

    @Test
    void reduceSumMatchesReference() {
        long seed = 600;
        for (int[] s : reduceShapes()) {
            int outer = s[0], reduce = s[1], inner = s[2];
            MemorySegment x = KernelCheck.randomFloats(arena, (long) outer * reduce * inner, seed++, -1f, 1f);
            MemorySegment want = KernelCheck.nanFloats(arena, (long) outer * inner), got = KernelCheck.nanFloats(arena, (long) outer * inner);
            ref.reduce(Reduce.SUM, outer, reduce, inner, x, want, null);
            fast.reduce(Reduce.SUM, outer, reduce, inner, x, got, null);
            KernelCheck.assertClose("sum " + Arrays.toString(s), want, got, (long) outer * inner,
                    KernelCheck.F32_ATOL, KernelCheck.F32_RTOL);
        }
    }

    @Test
    void reduceMaxMatchesReferenceWithTiesAndNaN() {
        long seed = 700;
        for (int[] s : reduceShapes()) {
            int outer = s[0], reduce = s[1], inner = s[2];
            long total = (long) outer * reduce * inner, outs = (long) outer * inner;
            for (boolean ties : new boolean[] {false, true}) {
                MemorySegment x = KernelCheck.randomFloats(arena, total, seed++, -1f, 1f);
                if (ties) {
                    // Few distinct values, so maxima repeat; and a sprinkling of NaN in some rows.
                    SplittableRandom r = new SplittableRandom(seed++);
                    for (long i = 0; i < total; i++) {
                        setFloat(x, i, Math.round(getFloat(x, i) * 3) / 3f);
                        if (r.nextInt(400) == 0) setFloat(x, i, Float.NaN);
                    }
                }
                MemorySegment want = KernelCheck.nanFloats(arena, outs), got = KernelCheck.nanFloats(arena, outs);
                MemorySegment wantArg = arena.allocate(outs * 4), gotArg = arena.allocate(outs * 4);
                ref.reduce(Reduce.MAX, outer, reduce, inner, x, want, wantArg);
                fast.reduce(Reduce.MAX, outer, reduce, inner, x, got, gotArg);
                String what = "max " + Arrays.toString(s) + (ties ? " ties+NaN" : "");
                KernelCheck.assertClose(what, want, got, outs, 0, 0);
                for (long i = 0; i < outs; i++) {
                    assertEquals(Segments.getInt(wantArg, i), Segments.getInt(gotArg, i), what + " argmax " + i);
                }
                MemorySegment noIdx = KernelCheck.nanFloats(arena, outs);
                fast.reduce(Reduce.MAX, outer, reduce, inner, x, noIdx, null);
                KernelCheck.assertClose(what + " without indices", want, noIdx, outs, 0, 0);
            }
        }
    }

    @Test
    void sumOfSquaresMatchesReference() {
        long seed = 800;
        for (long n : new long[] {0, 1, 7, 33, 1001, 100_003, 1_000_003}) {
            MemorySegment x = KernelCheck.randomFloats(arena, Math.max(1, n), seed++, -3f, 3f);
            double want = ref.sumOfSquares(n, x), got = fast.sumOfSquares(n, x);
            assertEquals(want, got, 1e-6 * want, "n=" + n);
        }
    }

    @Test
    void rowOpsMatchReference() {
        int[][] shapes = {{1, 1, 1}, {33, 13, 7}, {1001, 65, 50}, {7, 33, 1000}, {40, 1001, 3}};
        long seed = 900;
        for (int[] s : shapes) {
            int n = s[0], dim = s[1], rows = s[2];
            String what = "n=" + n + " dim=" + dim + " rows=" + rows;
            MemorySegment idx = KernelCheck.randomInts(arena, n, seed++, rows);
            MemorySegment table = KernelCheck.randomFloats(arena, (long) rows * dim, seed++, -1f, 1f);
            MemorySegment dense = KernelCheck.randomFloats(arena, (long) n * dim, seed++, -1f, 1f);

            MemorySegment want = KernelCheck.nanFloats(arena, (long) n * dim), got = KernelCheck.nanFloats(arena, (long) n * dim);
            ref.gatherRows(n, dim, table, rows, idx, want);
            fast.gatherRows(n, dim, table, rows, idx, got);
            KernelCheck.assertClose("gatherRows " + what, want, got, (long) n * dim, 0, 0);

            MemorySegment tw = KernelCheck.copy(arena, table), tg = KernelCheck.copy(arena, table);
            ref.scatterAddRows(n, dim, dense, idx, rows, tw);
            fast.scatterAddRows(n, dim, dense, idx, rows, tg);
            KernelCheck.assertClose("scatterAddRows " + what, tw, tg, (long) rows * dim, 0, 0);

            tw = KernelCheck.copy(arena, table);
            tg = KernelCheck.copy(arena, table);
            ref.putRows(n, dim, dense, idx, rows, tw);
            fast.putRows(n, dim, dense, idx, rows, tg);
            KernelCheck.assertClose("putRows " + what, tw, tg, (long) rows * dim, 0, 0);

            tw = KernelCheck.copy(arena, table);
            tg = KernelCheck.copy(arena, table);
            ref.fillRows(n, dim, 3.5f, idx, rows, tw);
            fast.fillRows(n, dim, 3.5f, idx, rows, tg);
            KernelCheck.assertClose("fillRows " + what, tw, tg, (long) rows * dim, 0, 0);
        }
    }
}
