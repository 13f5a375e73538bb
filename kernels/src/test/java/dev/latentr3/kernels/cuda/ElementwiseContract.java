package dev.latentr3.kernels.cuda;

import dev.latentr3.kernels.ElementwiseKernels;
import dev.latentr3.kernels.ElementwiseKernels.Binary;
import dev.latentr3.kernels.ElementwiseKernels.Reduce;
import dev.latentr3.kernels.ElementwiseKernels.Unary;
import dev.latentr3.kernels.Segments;
import dev.latentr3.kernels.cpu.ReferenceElementwise;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.latentr3.kernels.KernelCheck.F32_ATOL;
import static dev.latentr3.kernels.KernelCheck.F32_RTOL;
import static dev.latentr3.kernels.KernelCheck.assertClose;
import static dev.latentr3.kernels.KernelCheck.copy;
import static dev.latentr3.kernels.KernelCheck.nanFloats;
import static dev.latentr3.kernels.KernelCheck.randomFloats;
import static dev.latentr3.kernels.KernelCheck.randomInts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CudaElementwise} against {@link ReferenceElementwise} on fresh random inputs and sizes that are not multiples
 * of a warp or a block. Runs on the emulator and, in the GPU-tagged subclass, on a real device.
 */
abstract class ElementwiseContract {
    /** Sizes around warp and block boundaries, plus one that takes several grid-stride rounds. */
    static final long[] SIZES = {1, 31, 33, 257, 1000, 40_003};

    abstract CudaRuntime runtime();

    final ElementwiseKernels ref = new ReferenceElementwise();

    ElementwiseKernels cuda() {
        return new CudaElementwise(runtime());
    }

    @Test
    void contiguousBinaryOpsMatchTheReferenceExactly() {
        try (DeviceScope d = new DeviceScope(runtime())) {
            for (long n : SIZES) {
                MemorySegment a = randomFloats(d.arena, n, n, -3, 3), b = randomFloats(d.arena, n, n + 1, 0.5f, 3);
                MemorySegment da = d.upload(a), db = d.upload(b);
                for (Binary op : Binary.values()) {
                    MemorySegment want = nanFloats(d.arena, n), dOut = d.nanFloats(n);
                    long[] st = {1};
                    ref.binary(op, new int[] {(int) n}, a, st, b, st, want);
                    cuda().binary(op, new int[] {(int) n}, da, st, db, st, dOut);
                    assertClose(op + " n=" + n, want, d.downloadFloats(dOut, n), n, 0, 0);
                }
            }
        }
    }

    @Test
    void maxAndMinFollowJavaOnNaNAndSignedZeros() {
        float[] xs = {Float.NaN, -0f, 0f, 1f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, -2f, Float.NaN};
        float[] ys = {1f, 0f, -0f, Float.NaN, -1f, 3f, -2f, Float.NaN};
        try (DeviceScope d = new DeviceScope(runtime())) {
            MemorySegment a = d.arena.allocateFrom(ValueLayout.JAVA_FLOAT, xs), b = d.arena.allocateFrom(ValueLayout.JAVA_FLOAT, ys);
            for (Binary op : new Binary[] {Binary.MAX, Binary.MIN}) {
                MemorySegment want = nanFloats(d.arena, xs.length), dOut = d.nanFloats(xs.length);
                long[] st = {1};
                ref.binary(op, new int[] {xs.length}, a, st, b, st, want);
                cuda().binary(op, new int[] {xs.length}, d.upload(a), st, d.upload(b), st, dOut);
                MemorySegment got = d.downloadFloats(dOut, xs.length);
                for (int i = 0; i < xs.length; i++) {
                    assertEquals(Float.floatToIntBits(Segments.getFloat(want, i)), Float.floatToIntBits(Segments.getFloat(got, i)),
                            op + "(" + xs[i] + ", " + ys[i] + ")");
                }
            }
        }
    }

    /** Broadcasts and views of several ranks: a bias row, a column, a transpose, rank 5 that merges to 4 or fewer. */
    @Test
    void stridedAndBroadcastBinaryOpsMatchTheReference() {
        record Case(int[] shape, long[] aStrides, long aSize, long[] bStrides, long bSize) {}
        Case[] cases = {
                new Case(new int[] {7, 33}, new long[] {33, 1}, 7 * 33, new long[] {0, 1}, 33),
                new Case(new int[] {7, 33}, new long[] {33, 1}, 7 * 33, new long[] {1, 0}, 7),
                new Case(new int[] {9, 13}, new long[] {1, 9}, 9 * 13, new long[] {13, 1}, 9 * 13),
                new Case(new int[] {3, 5, 1, 7, 2}, new long[] {70, 14, 0, 2, 1}, 210, new long[] {0, 7, 0, 1, 0}, 35),
                new Case(new int[] {2, 3, 4, 5}, new long[] {1, 2, 6, 24}, 120, new long[] {0, 0, 5, 1}, 20),
        };
        try (DeviceScope d = new DeviceScope(runtime())) {
            int seed = 0;
            for (Case c : cases) {
                long n = 1;
                for (int s : c.shape) n *= s;
                MemorySegment a = randomFloats(d.arena, c.aSize, ++seed, -2, 2), b = randomFloats(d.arena, c.bSize, ++seed, 0.5f, 2);
                for (Binary op : new Binary[] {Binary.ADD, Binary.DIV, Binary.MAX}) {
                    MemorySegment want = nanFloats(d.arena, n), dOut = d.nanFloats(n);
                    ref.binary(op, c.shape, a, c.aStrides, b, c.bStrides, want);
                    cuda().binary(op, c.shape, d.upload(a), c.aStrides, d.upload(b), c.bStrides, dOut);
                    assertClose(op + " " + java.util.Arrays.toString(c.shape), want, d.downloadFloats(dOut, n), n, 0, 0);
                }
            }
        }
    }

    @Test
    void aViewThatStaysAboveRankFourIsRejectedWithTheReason() {
        int[] shape = {2, 2, 2, 2, 2};
        long[] scattered = {1, 4, 16, 64, 256};  // no two neighbours merge
        try (DeviceScope d = new DeviceScope(runtime())) {
            MemorySegment a = d.nanFloats(512), out = d.nanFloats(32);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> cuda().binary(Binary.ADD, shape, a, scattered, a, scattered, out));
            assertTrue(e.getMessage().contains("rank 5"), e.getMessage());
        }
    }

    @Test
    void unaryOpsAndTheirBackwardMatchTheReference() {
        try (DeviceScope d = new DeviceScope(runtime())) {
            for (long n : new long[] {1, 33, 1000}) {
                for (Unary op : Unary.values()) {
                    boolean positive = op == Unary.LOG || op == Unary.SQRT || op == Unary.RSQRT;
                    MemorySegment x = randomFloats(d.arena, n, op.ordinal() + n, positive ? 0.1f : -4f, 4f);
                    MemorySegment dy = randomFloats(d.arena, n, 7 * n, -1, 1);
                    MemorySegment y = nanFloats(d.arena, n), dx = nanFloats(d.arena, n);
                    ref.unary(op, n, x, y);
                    ref.unaryBackward(op, n, x, y, dy, dx);
                    MemorySegment dX = d.upload(x), dY = d.nanFloats(n), dDx = d.nanFloats(n);
                    cuda().unary(op, n, dX, dY);
                    assertClose(op + " n=" + n, y, d.downloadFloats(dY, n), n, F32_ATOL, F32_RTOL);
                    cuda().unaryBackward(op, n, dX, d.upload(y), d.upload(dy), dDx);
                    assertClose(op + " backward n=" + n, dx, d.downloadFloats(dDx, n), n, F32_ATOL, F32_RTOL);
                }
            }
        }
    }

    @Test
    void affineAxpyAndFillMatchTheReference() {
        try (DeviceScope d = new DeviceScope(runtime())) {
            for (long n : SIZES) {
                MemorySegment x = randomFloats(d.arena, n, n, -2, 2), y = randomFloats(d.arena, n, n + 5, -2, 2);
                MemorySegment want = nanFloats(d.arena, n), dOut = d.nanFloats(n);
                ref.affine(n, 1.5f, -0.25f, x, want);
                cuda().affine(n, 1.5f, -0.25f, d.upload(x), dOut);
                assertClose("affine n=" + n, want, d.downloadFloats(dOut, n), n, 1e-7, 1e-6);

                MemorySegment dY = d.upload(y);
                MemorySegment wantY = copy(d.arena, y);
                ref.axpy(n, -0.75f, x, wantY);
                cuda().axpy(n, -0.75f, d.upload(x), dY);
                assertClose("axpy n=" + n, wantY, d.downloadFloats(dY, n), n, 1e-7, 1e-6);

                cuda().fill(n, 3.25f, dOut);
                ref.fill(n, 3.25f, want);
                assertClose("fill n=" + n, want, d.downloadFloats(dOut, n), n, 0, 0);
            }
        }
    }

    @Test
    void stridedCopiesMoveEveryWidthLikeTheReference() {
        int[] shape = {5, 7, 3};
        long[] transposed = {1, 15, 5};  // a permuted view of a [7, 3, 5] array
        long elements = 105;
        try (DeviceScope d = new DeviceScope(runtime())) {
            for (int width : new int[] {2, 4, 8}) {
                MemorySegment src = randomFloats(d.arena, elements * width / 4 + 1, width, -5, 5).asSlice(0, elements * width);
                MemorySegment want = d.arena.allocate(elements * width), dDst = d.bytes(elements * width, -1);
                ref.copyStrided(width, shape, src, transposed, want);
                cuda().copyStrided(width, shape, d.upload(src), transposed, dDst);
                MemorySegment got = d.download(dDst, elements * width);
                assertEquals(-1L, want.mismatch(got), "copyStrided width " + width);
            }
        }
    }

    @Test
    void copiesIntoStridedViewsLikeTheReference() {
        // Slices of a [6, 9, 5] array: along the middle axis (runs of 5), along the last (runs of 2), and a transposed
        // destination (stride 1 nowhere innermost).
        int[][] shapes = {{6, 4, 5}, {6, 9, 2}, {5, 9}};
        long[][] strides = {{45, 5, 1}, {45, 5, 1}, {1, 5}};
        long[] offsets = {2 * 5, 3, 0};
        long base = 6 * 9 * 5;
        try (DeviceScope d = new DeviceScope(runtime())) {
            for (int c = 0; c < shapes.length; c++) {
                for (int width : new int[] {2, 4, 8}) {
                    long n = 1;
                    for (int x : shapes[c]) n *= x;
                    MemorySegment src = randomFloats(d.arena, n * width / 4 + 1, width, -5, 5).asSlice(0, n * width);
                    MemorySegment before = randomFloats(d.arena, base * width / 4 + 1, width + 10, -5, 5).asSlice(0, base * width);
                    MemorySegment want = d.arena.allocate(base * width);
                    want.copyFrom(before);
                    ref.copyToStrided(width, shapes[c], src, want.asSlice(offsets[c] * width), strides[c]);
                    MemorySegment dDst = d.upload(before);
                    cuda().copyToStrided(width, shapes[c], d.upload(src), dDst.asSlice(offsets[c] * width), strides[c]);
                    assertEquals(-1L, want.mismatch(d.download(dDst, base * width)), "copyToStrided case " + c + " width " + width);
                }
            }
            MemorySegment dst = d.bytes(64, 0);
            assertThrows(IllegalArgumentException.class,
                    () -> cuda().copyToStrided(4, new int[] {3, 2}, d.bytes(24, 0), dst, new long[] {0, 1}));
        }
    }

    @Test
    void maxBackwardScattersLikeTheReference() {
        int[][] shapes = {{1, 7, 1}, {5, 9, 1}, {3, 4, 6}, {2, 1, 3}};
        int seed = 40;
        try (DeviceScope d = new DeviceScope(runtime())) {
            for (int[] s : shapes) {
                int outer = s[0], reduce = s[1], inner = s[2];
                long results = (long) outer * inner;
                MemorySegment x = randomFloats(d.arena, results * reduce, ++seed, -3, 3);
                MemorySegment max = d.arena.allocate(results * 4), idx = d.arena.allocate(results * 4);
                ref.reduce(Reduce.MAX, outer, reduce, inner, x, max, idx);
                MemorySegment dy = randomFloats(d.arena, results, ++seed, -2, 2);
                MemorySegment want = d.arena.allocate(results * reduce * 4);
                ref.maxBackward(outer, reduce, inner, dy, idx, want);
                MemorySegment dDx = d.nanFloats(results * reduce);
                cuda().maxBackward(outer, reduce, inner, d.upload(dy), d.upload(idx), dDx);
                assertEquals(-1L, want.mismatch(d.download(dDx, results * reduce * 4)), "maxBackward " + java.util.Arrays.toString(s));
            }
        }
    }

    @Test
    void reductionsMatchTheReference() {
        int[][] shapes = {{1, 1, 1}, {3, 1000, 1}, {37, 33, 1}, {2, 257, 5}, {4, 9, 70}, {1, 4099, 1}};
        try (DeviceScope d = new DeviceScope(runtime())) {
            for (int[] s : shapes) {
                int outer = s[0], reduce = s[1], inner = s[2];
                long in = (long) outer * reduce * inner, outN = (long) outer * inner;
                MemorySegment x = randomFloats(d.arena, in, in, -3, 3);
                if (in > 10) {
                    Segments.setFloat(x, 5, Float.NaN);  // the first NaN of its column wins the max
                    Segments.setFloat(x, in - 2, 7f);     // a repeated maximum: the first one's index is the argmax
                    Segments.setFloat(x, in - 2 - inner, 7f);
                }
                MemorySegment dX = d.upload(x);
                for (Reduce op : Reduce.values()) {
                    MemorySegment want = nanFloats(d.arena, outN), wantIdx = d.arena.allocate(outN * 4);
                    MemorySegment dOut = d.nanFloats(outN), dIdx = d.bytes(outN * 4, -7);
                    ref.reduce(op, outer, reduce, inner, x, want, wantIdx);
                    cuda().reduce(op, outer, reduce, inner, dX, dOut, op == Reduce.MAX ? dIdx : null);
                    String what = op + " " + java.util.Arrays.toString(s);
                    assertClose(what, want, d.downloadFloats(dOut, outN), outN, F32_ATOL, F32_RTOL);
                    if (op == Reduce.MAX) assertEquals(-1L, wantIdx.mismatch(d.download(dIdx, outN * 4)), what + " argmax");
                }
            }
        }
    }

    @Test
    void sumOfSquaresMatchesTheReference() {
        try (DeviceScope d = new DeviceScope(runtime())) {
            for (long n : SIZES) {
                MemorySegment x = randomFloats(d.arena, n, n, -2, 2);
                double want = ref.sumOfSquares(n, x), got = cuda().sumOfSquares(n, d.upload(x));
                assertEquals(want, got, 1e-12 * want + 1e-30, "sumOfSquares n=" + n);
            }
        }
    }

    /**
     * The batched form gives each tensor's sumOfSquares bit for bit (the same partials added in the same order), and
     * waits for the device once for all of them; an empty tensor sums to 0, a NaN or an infinity shows in its own sum only.
     */
    @Test
    void sumsOfSquaresEqualsSumOfSquaresPerTensorWithOneWait() {
        long[] n = {257, 0, 1, 40_003, 33, 1000, 31, 70_001};
        try (DeviceScope d = new DeviceScope(runtime())) {
            MemorySegment[] x = new MemorySegment[n.length];
            for (int i = 0; i < n.length; i++) {
                MemorySegment host = randomFloats(d.arena, Math.max(1, n[i]), 100 + i, -3, 3);
                if (i == 5) Segments.setFloat(host, 999, Float.NaN);
                if (i == 6) Segments.setFloat(host, 7, Float.POSITIVE_INFINITY);
                x[i] = d.upload(host).asSlice(0, n[i] * Float.BYTES);
            }
            long waits = runtime().hostWaits();
            double[] got = cuda().sumsOfSquares(n, x);
            assertEquals(1, runtime().hostWaits() - waits, "host waits for " + n.length + " tensors");
            for (int i = 0; i < n.length; i++) {
                assertEquals(Double.doubleToLongBits(cuda().sumOfSquares(n[i], x[i])), Double.doubleToLongBits(got[i]),
                        "tensor " + i + " (n=" + n[i] + "): " + got[i]);
            }
            assertEquals(0.0, got[1]);
            assertTrue(Double.isNaN(got[5]) && got[6] == Double.POSITIVE_INFINITY && Double.isFinite(got[7]));
            assertEquals(0, cuda().sumsOfSquares(new long[0], new MemorySegment[0]).length);
            assertThrows(IllegalArgumentException.class, () -> cuda().sumsOfSquares(new long[] {4, 4}, new MemorySegment[] {x[0]}));
            assertThrows(IllegalArgumentException.class, () -> cuda().sumsOfSquares(new long[] {300}, new MemorySegment[] {x[0]}));
        }
    }

    @Test
    void bf16CastsRoundLikeTheReference() {
        try (DeviceScope d = new DeviceScope(runtime())) {
            long n = 4099;
            MemorySegment x = randomFloats(d.arena, n, 11, -1e4f, 1e4f);
            float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, -0f, Float.MAX_VALUE, 1.00390625f, 1.01171875f, 1e-40f};
            for (int i = 0; i < specials.length; i++) Segments.setFloat(x, i, specials[i]);
            MemorySegment want = d.arena.allocate(n * 2), dB = d.bytes(n * 2, 0);
            ref.f32ToBf16(n, x, want);
            cuda().f32ToBf16(n, d.upload(x), dB);
            MemorySegment got = d.download(dB, n * 2);
            for (long i = 0; i < n; i++) {
                short w = want.getAtIndex(ValueLayout.JAVA_SHORT, i), g = got.getAtIndex(ValueLayout.JAVA_SHORT, i);
                boolean wNaN = (w & 0x7f80) == 0x7f80 && (w & 0x7f) != 0, gNaN = (g & 0x7f80) == 0x7f80 && (g & 0x7f) != 0;
                if (wNaN || gNaN) assertTrue(wNaN && gNaN, "NaN stays NaN at " + i);
                else assertEquals(w, g, "bf16 bits of " + Segments.getFloat(x, i));
            }
            MemorySegment wantF = nanFloats(d.arena, n), dF = d.nanFloats(n);
            ref.bf16ToF32(n, want, wantF);
            cuda().bf16ToF32(n, d.upload(want), dF);
            assertEquals(-1L, wantF.mismatch(d.downloadFloats(dF, n)), "bf16ToF32 is exact");
        }
    }

    @Test
    void rowGathersAndScattersMatchTheReference() {
        int rows = 37, dim = 33, n = 100;  // n > rows: indices repeat
        try (DeviceScope d = new DeviceScope(runtime())) {
            MemorySegment table = randomFloats(d.arena, (long) rows * dim, 1, -1, 1);
            MemorySegment dense = randomFloats(d.arena, (long) n * dim, 2, -1, 1);
            MemorySegment idx = randomInts(d.arena, n, 3, rows);
            MemorySegment dTable = d.upload(table), dDense = d.upload(dense), dIdx = d.upload(idx);

            MemorySegment want = nanFloats(d.arena, (long) n * dim), dOut = d.nanFloats((long) n * dim);
            ref.gatherRows(n, dim, table, rows, idx, want);
            cuda().gatherRows(n, dim, dTable, rows, dIdx, dOut);
            assertClose("gatherRows", want, d.downloadFloats(dOut, (long) n * dim), (long) n * dim, 0, 0);

            MemorySegment wantT = copy(d.arena, table), dT = d.upload(table);
            ref.scatterAddRows(n, dim, dense, idx, rows, wantT);
            cuda().scatterAddRows(n, dim, dDense, dIdx, rows, dT);
            assertClose("scatterAddRows", wantT, d.downloadFloats(dT, (long) rows * dim), (long) rows * dim, 1e-6, 1e-5);

            wantT = copy(d.arena, table);
            dT = d.upload(table);
            ref.putRows(n, dim, dense, idx, rows, wantT);
            cuda().putRows(n, dim, dDense, dIdx, rows, dT);
            assertClose("putRows (later entries win)", wantT, d.downloadFloats(dT, (long) rows * dim), (long) rows * dim, 0, 0);

            wantT = copy(d.arena, table);
            dT = d.upload(table);
            ref.fillRows(n, dim, -9f, idx, rows, wantT);
            cuda().fillRows(n, dim, -9f, dIdx, rows, dT);
            assertClose("fillRows", wantT, d.downloadFloats(dT, (long) rows * dim), (long) rows * dim, 0, 0);
        }
    }

    @Test
    void anOutOfRangeRowIndexFailsNamingItsPosition() {
        int rows = 5, dim = 3;
        try (DeviceScope d = new DeviceScope(runtime())) {
            MemorySegment idx = d.arena.allocateFrom(ValueLayout.JAVA_INT, 0, 4, 5, 1);
            MemorySegment table = d.nanFloats((long) rows * dim), out = d.nanFloats(4L * dim);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> cuda().gatherRows(4, dim, table, rows, d.upload(idx), out));
            assertTrue(e.getMessage().contains("idx[2] = 5"), e.getMessage());
        }
    }
}
