package dev.latentr3.kernels.cpu;

import dev.latentr3.kernels.GemmKernels;
import dev.latentr3.kernels.KernelCheck;
import dev.latentr3.kernels.Segments;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** FastGemm against ReferenceGemm element by element, and ReferenceGemm against a direct double computation. */
class GemmTest {
    private static final GemmKernels FAST = new FastGemm();
    /** The default cut-overs, then the packed path and the skinny kernels forced on every shape. */
    private static final List<GemmKernels> VARIANTS = List.of(FAST, new FastGemm(0, 0),
            new FastGemm(Integer.MAX_VALUE, Integer.MAX_VALUE));
    private static final List<String> VARIANT_NAMES = List.of("default", "packed", "skinny");
    private static final GemmKernels REF = new ReferenceGemm();
    private static Arena arena;
    private static long seed = 1;

    @BeforeAll
    static void open() {
        arena = Arena.ofShared(); // FastGemm reads and writes from several threads
    }

    @AfterAll
    static void close() {
        arena.close();
    }

    /** Summation order differs between the kernels: the error grows like sqrt(k) for random-sign terms. */
    private static double atol(int k) {
        return 1e-5 * Math.sqrt(Math.max(1, k));
    }

    @Test
    void referenceMatchesDirectDoubleComputation() {
        int m = 5, n = 4, k = 3;
        float alpha = 1.5f, beta = -0.5f;
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                int lda = (ta ? m : k) + 2, ldb = (tb ? k : n) + 1, ldc = n + 3;
                float[] a = values(ta ? k * lda : m * lda, 11), b = values(tb ? n * ldb : k * ldb, 12);
                float[] c = values(m * ldc, 13);
                MemorySegment sc = heapToNative(c);
                REF.sgemm(ta, tb, m, n, k, alpha, heapToNative(a), lda, heapToNative(b), ldb, beta, sc, ldc);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < ldc; j++) {
                        double want = c[i * ldc + j]; // padding columns stay as they were
                        if (j < n) {
                            double sum = 0;
                            for (int p = 0; p < k; p++) {
                                double av = ta ? a[p * lda + i] : a[i * lda + p];
                                double bv = tb ? b[j * ldb + p] : b[p * ldb + j];
                                sum += av * bv;
                            }
                            want = alpha * sum + beta * (double) c[i * ldc + j];
                        }
                        float got = Segments.getFloat(sc, (long) i * ldc + j);
                        assertEquals((float) want, got, 1e-6 * Math.max(1, Math.abs(want)),
                                "transA=" + ta + " transB=" + tb + " C[" + i + "," + j + "]");
                    }
                }
            }
        }
    }

    @Test
    void oddShapesAllTransposes() {
        int[] mn = {1, 2, 7, 13, 31, 65};
        int[] ks = {1, 7, 33, 130};
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                for (int m : mn) {
                    for (int n : mn) {
                        for (int k : ks) {
                            compare(ta, tb, m, n, k, 0.75f, 0.5f, 0, false);
                        }
                    }
                }
            }
        }
    }

    @Test
    void largerShapesCrossBlockAndThreadBoundaries() {
        // Past KC (depth blocks), MC (row blocks) and NC (column blocks), big enough to split over threads,
        // and the skinny paths with long rows.
        int[][] shapes = {
                {130, 257, 300}, {257, 130, 65}, {97, 300, 513}, {7, 2100, 20}, {150, 45, 260},
                {1, 1000, 300}, {5, 777, 129}, {3, 40, 1000}, {300, 3, 200}, {513, 1, 70}, {6, 6, 6}, {6, 8, 5},
                {5, 70, 1100}, {70, 5, 1100}, {33, 29, 2100}, {100, 60, 40}, {60, 100, 40}, {7, 3000, 200},
                {3000, 5, 200},
        };
        for (int[] s : shapes) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    compare(ta, tb, s[0], s[1], s[2], -1.25f, 0.3f, 3, false);
                }
            }
        }
    }

    @Test
    void betaZeroOverwritesNaN() {
        int[][] shapes = {{1, 9, 17}, {13, 65, 33}, {65, 2, 31}, {150, 70, 300}, {4, 300, 50}};
        for (int[] s : shapes) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    compare(ta, tb, s[0], s[1], s[2], 1.5f, 0f, 1, true);
                }
            }
        }
    }

    @Test
    void emptyDepthScalesC() {
        compare(false, false, 7, 13, 0, 2f, 0.5f, 2, false);
        compare(true, true, 7, 13, 0, 2f, 0f, 2, true);
    }

    @Test
    void batchedWithStridesAndBroadcast() {
        // {m, n, k}: small entries run one per thread; the last is big enough to be split instead.
        int[][] shapes = {{7, 13, 33}, {65, 31, 17}, {1, 40, 64}, {16, 3, 9}, {200, 200, 210}};
        for (int[] s : shapes) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    compareBatched(3, ta, tb, s[0], s[1], s[2], false, false);
                    compareBatched(4, ta, tb, s[0], s[1], s[2], true, false);
                    compareBatched(2, ta, tb, s[0], s[1], s[2], false, true);
                }
            }
        }
    }

    @Test
    void batchedManySmallMatrices() {
        // Attention-like: many heads, each a small product, with a gap between entries.
        compareBatched(24, false, true, 32, 32, 16, false, false);
        compareBatched(24, false, false, 32, 16, 32, false, false);
    }

    @Test
    void badSizesNameTheArgument() {
        for (GemmKernels g : List.of(FAST, REF)) {
            String name = g.getClass().getSimpleName();
            MemorySegment a = KernelCheck.randomFloats(arena, 64, 1, -1, 1);
            MemorySegment b = KernelCheck.randomFloats(arena, 64, 2, -1, 1);
            MemorySegment c = KernelCheck.randomFloats(arena, 64, 3, -1, 1);
            expect(name, "m", () -> g.sgemm(false, false, -1, 4, 4, 1, a, 4, b, 4, 0, c, 4));
            expect(name, "n", () -> g.sgemm(false, false, 4, -2, 4, 1, a, 4, b, 4, 0, c, 4));
            expect(name, "k", () -> g.sgemm(false, false, 4, 4, -3, 1, a, 4, b, 4, 0, c, 4));
            expect(name, "lda", () -> g.sgemm(false, false, 4, 4, 5, 1, a, 4, b, 4, 0, c, 4));
            expect(name, "lda", () -> g.sgemm(true, false, 5, 4, 4, 1, a, 4, b, 4, 0, c, 4));
            expect(name, "ldb", () -> g.sgemm(false, false, 4, 5, 4, 1, a, 4, b, 4, 0, c, 5));
            expect(name, "ldb", () -> g.sgemm(false, true, 4, 4, 5, 1, a, 5, b, 4, 0, c, 4));
            expect(name, "ldc", () -> g.sgemm(false, false, 4, 4, 4, 1, a, 4, b, 4, 0, c, 3));
            expect(name, "segment a", () -> g.sgemm(false, false, 9, 4, 8, 1, a, 8, b, 4, 0, c, 4));
            expect(name, "segment b", () -> g.sgemm(false, false, 4, 8, 9, 1, a, 9, b, 8, 0, c, 8));
            expect(name, "segment c", () -> g.sgemm(false, false, 9, 8, 4, 1, a, 4, b, 8, 0, c, 8));
            expect(name, "batch", () -> g.sgemmBatched(-1, false, false, 2, 2, 2, 1, a, 4, 2, b, 4, 2, 0, c, 4, 2));
            expect(name, "strideA", () -> g.sgemmBatched(2, false, false, 2, 2, 2, 1, a, -4, 2, b, 4, 2, 0, c, 4, 2));
            expect(name, "strideC", () -> g.sgemmBatched(2, false, false, 2, 2, 2, 1, a, 4, 2, b, 4, 2, 0, c, 0, 2));
            expect(name, "segment c", () -> g.sgemmBatched(20, false, false, 2, 2, 2, 1, a, 0, 2, b, 0, 2, 0, c, 4, 2));
        }
    }

    private static void expect(String kernel, String argument, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call, kernel + " " + argument);
        assertTrue(e.getMessage().contains(argument) && e.getMessage().contains(kernel),
                kernel + ": message should name " + argument + ": " + e.getMessage());
    }

    /**
     * One GEMM on both kernels from identical inputs, with every leading dimension padded past its minimum; checks C
     * element-wise and that the padding columns of C keep their values. {@code nanC} fills C with NaN (beta 0).
     */
    private static void compare(boolean ta, boolean tb, int m, int n, int k, float alpha, float beta, int pad, boolean nanC) {
        int lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad + 1, ldc = n + pad;
        long aSize = Math.max(1, (long) (ta ? k : m) * lda), bSize = Math.max(1, (long) (tb ? n : k) * ldb);
        long cSize = (long) m * ldc;
        MemorySegment a = KernelCheck.randomFloats(arena, aSize, seed++, -1, 1);
        MemorySegment b = KernelCheck.randomFloats(arena, bSize, seed++, -1, 1);
        MemorySegment c0 = nanC ? nanWithPadding(m, n, ldc) : KernelCheck.randomFloats(arena, cSize, seed++, -1, 1);
        MemorySegment want = KernelCheck.copy(arena, c0);
        REF.sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, want, ldc);
        for (int v = 0; v < VARIANTS.size(); v++) {
            MemorySegment got = KernelCheck.copy(arena, c0);
            VARIANTS.get(v).sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, got, ldc);
            String what = String.format("%s sgemm transA=%b transB=%b m=%d n=%d k=%d lda=%d ldb=%d ldc=%d alpha=%s beta=%s",
                    VARIANT_NAMES.get(v), ta, tb, m, n, k, lda, ldb, ldc, alpha, beta);
            KernelCheck.assertClose(what, want, got, cSize, atol(k), KernelCheck.F32_RTOL);
            assertPaddingKept(what, c0, got, 0, m, n, ldc);
        }
    }

    private static void compareBatched(int batch, boolean ta, boolean tb, int m, int n, int k,
                                       boolean broadcastA, boolean broadcastB) {
        int lda = (ta ? m : k) + 1, ldb = (tb ? k : n) + 2, ldc = n + 3;
        long aOne = (long) (ta ? k : m) * lda, bOne = (long) (tb ? n : k) * ldb, cOne = (long) m * ldc;
        long strideA = broadcastA ? 0 : aOne + 5, strideB = broadcastB ? 0 : bOne + 7, strideC = cOne + 9;
        MemorySegment a = KernelCheck.randomFloats(arena, (batch - 1) * strideA + aOne, seed++, -1, 1);
        MemorySegment b = KernelCheck.randomFloats(arena, (batch - 1) * strideB + bOne, seed++, -1, 1);
        long cSize = (batch - 1) * strideC + cOne;
        MemorySegment c0 = KernelCheck.randomFloats(arena, cSize, seed++, -1, 1);
        MemorySegment want = KernelCheck.copy(arena, c0);
        REF.sgemmBatched(batch, ta, tb, m, n, k, 0.5f, a, strideA, lda, b, strideB, ldb, -2f, want, strideC, ldc);
        for (int v = 0; v < VARIANTS.size(); v++) {
            MemorySegment got = KernelCheck.copy(arena, c0);
            VARIANTS.get(v).sgemmBatched(batch, ta, tb, m, n, k, 0.5f, a, strideA, lda, b, strideB, ldb, -2f, got, strideC, ldc);
            String what = String.format("%s sgemmBatched batch=%d transA=%b transB=%b m=%d n=%d k=%d strides %d/%d/%d",
                    VARIANT_NAMES.get(v), batch, ta, tb, m, n, k, strideA, strideB, strideC);
            KernelCheck.assertClose(what, want, got, cSize, atol(k), KernelCheck.F32_RTOL);
            for (int i = 0; i < batch; i++) {
                assertPaddingKept(what + " entry " + i, c0, got, i * strideC, m, n, ldc);
                // The gap between entries belongs to no matrix.
                for (long g = i * strideC + cOne; g < Math.min(cSize, (i + 1) * strideC); g++) {
                    if (Float.floatToRawIntBits(Segments.getFloat(c0, g)) != Float.floatToRawIntBits(Segments.getFloat(got, g))) {
                        fail(what + ": element " + g + " between batch entries changed");
                    }
                }
            }
        }
    }

    private static void assertPaddingKept(String what, MemorySegment before, MemorySegment after, long off, int m, int n, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = n; j < ldc; j++) {
                long idx = off + (long) i * ldc + j;
                if (Float.floatToRawIntBits(Segments.getFloat(before, idx)) != Float.floatToRawIntBits(Segments.getFloat(after, idx))) {
                    fail(what + ": padding C[" + i + "," + j + "] changed from " + Segments.getFloat(before, idx)
                            + " to " + Segments.getFloat(after, idx));
                }
            }
        }
    }

    /** C for a beta = 0 call: NaN in the matrix, finite random values in the padding (which must survive). */
    private static MemorySegment nanWithPadding(int m, int n, int ldc) {
        MemorySegment c = KernelCheck.randomFloats(arena, (long) m * ldc, seed++, -1, 1);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) Segments.setFloat(c, (long) i * ldc + j, Float.NaN);
        }
        return c;
    }

    private static float[] values(int n, long s) {
        Random r = new Random(s);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
        return v;
    }

    private static MemorySegment heapToNative(float[] v) {
        MemorySegment s = arena.allocate((long) v.length * Float.BYTES, 64);
        for (int i = 0; i < v.length; i++) Segments.setFloat(s, i, v[i]);
        return s;
    }
}
