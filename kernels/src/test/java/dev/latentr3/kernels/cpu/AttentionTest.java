package dev.latentr3.kernels.cpu;

import dev.latentr3.kernels.AttentionKernels;
import dev.latentr3.kernels.KernelCheck;
import dev.latentr3.kernels.Segments;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AttentionTest {
    private static final ReferenceAttention REF = new ReferenceAttention();
    /**
     * Default tiles; then tiles far smaller than the shapes (not multiples of the vector width) with each backward plan
     * and forced split-K; then default tiles with each backward plan forced.
     */
    private static final List<FastAttention> FAST = List.of(
            new FastAttention(), new FastAttention(5, 4, 0, true), new FastAttention(3, 7, 3, false),
            new FastAttention(64, 64, 0, true), new FastAttention(64, 64, 0, false));

    enum Mask { NONE, LEFT_PAD, RANDOM, ALL_MASKED_BATCH }

    record Case(int batch, int lq, int lk, int hq, int hkv, int d, boolean causal, Mask mask, float scale, long seed) {
        long qn() { return (long) batch * lq * hq * d; }
        long kvn() { return (long) batch * lk * hkv * d; }
        long lsen() { return (long) batch * hq * lq; }
    }

    /** Inputs (random, never zero) and NaN-filled outputs of one forward + backward. */
    record Io(Case c, MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment mask, MemorySegment dOut,
              MemorySegment out, MemorySegment lse, MemorySegment dq, MemorySegment dk, MemorySegment dv) {}

    private static Io inputs(Arena arena, Case c) {
        long s = c.seed() * 16;
        return new Io(c, KernelCheck.gaussianFloats(arena, c.qn(), s, 1.0), KernelCheck.gaussianFloats(arena, c.kvn(), s + 1, 1.0),
                KernelCheck.gaussianFloats(arena, c.kvn(), s + 2, 1.0), mask(arena, c), KernelCheck.gaussianFloats(arena, c.qn(), s + 3, 1.0),
                null, null, null, null, null);
    }

    private static MemorySegment mask(Arena arena, Case c) {
        if (c.mask() == Mask.NONE) return null;
        MemorySegment m = arena.allocate((long) c.batch() * c.lk() * Integer.BYTES, 64);
        SplittableRandom r = new SplittableRandom(c.seed() + 77);
        for (int b = 0; b < c.batch(); b++) {
            int pad = r.nextInt(c.lk()); // left padding keeps at least the last key
            for (int j = 0; j < c.lk(); j++) {
                boolean on = switch (c.mask()) {
                    case LEFT_PAD -> j >= pad;
                    case RANDOM -> r.nextInt(10) >= 3;
                    case ALL_MASKED_BATCH -> b != 0 && r.nextInt(10) >= 2;
                    case NONE -> true;
                };
                m.setAtIndex(Segments.I32, (long) b * c.lk() + j, on ? 1 : 0);
            }
        }
        return m;
    }

    /** Runs forward then backward (dOut as given) into fresh NaN-filled outputs. */
    private static Io run(AttentionKernels kern, Arena arena, Io in) {
        Case c = in.c();
        Io io = new Io(c, in.q(), in.k(), in.v(), in.mask(), in.dOut(), KernelCheck.nanFloats(arena, c.qn()),
                KernelCheck.nanFloats(arena, c.lsen()), KernelCheck.nanFloats(arena, c.qn()),
                KernelCheck.nanFloats(arena, c.kvn()), KernelCheck.nanFloats(arena, c.kvn()));
        kern.attention(c.batch(), c.lq(), c.lk(), c.hq(), c.hkv(), c.d(), c.scale(), c.causal(),
                io.q(), io.k(), io.v(), io.mask(), io.out(), io.lse());
        kern.attentionBackward(c.batch(), c.lq(), c.lk(), c.hq(), c.hkv(), c.d(), c.scale(), c.causal(),
                io.q(), io.k(), io.v(), io.mask(), io.out(), io.lse(), io.dOut(), io.dq(), io.dk(), io.dv());
        return io;
    }

    // ---- (a) the reference against an independent float64 computation and finite differences ----

    private static List<Case> tinyCases() {
        List<Case> cases = new ArrayList<>();
        long seed = 1;
        for (boolean causal : new boolean[] {false, true}) {
            for (Mask mask : Mask.values()) {
                cases.add(new Case(2, 3, 5, 4, 2, 3, causal, mask, 0.6f, seed++));
                cases.add(new Case(1, 4, 4, 3, 3, 2, causal, mask, 0.9f, seed++));
                cases.add(new Case(2, 5, 3, 2, 1, 4, causal, mask, 0.5f, seed++)); // lq > lk: early rows see nothing
                cases.add(new Case(1, 1, 6, 6, 1, 3, causal, mask, 0.7f, seed++)); // decode
            }
        }
        return cases;
    }

    @ParameterizedTest
    @MethodSource("tinyCases")
    void referenceMatchesFloat64Oracle(Case c) {
        try (Arena arena = Arena.ofShared()) {
            Io io = run(REF, arena, inputs(arena, c));
            AttentionOracle.Problem p = problem(io);
            AttentionOracle.Forward f = AttentionOracle.forward(p);
            AttentionOracle.Grads g = AttentionOracle.backward(p, doubles(io.dOut(), c.qn()));
            // The reference rounds double results to float once: a few ulps.
            KernelCheck.assertClose("out " + c, floats(arena, f.out()), io.out(), c.qn(), 1e-6, 1e-6);
            KernelCheck.assertClose("lse " + c, floats(arena, f.lse()), io.lse(), c.lsen(), 1e-6, 1e-6);
            KernelCheck.assertClose("dq " + c, floats(arena, g.dq()), io.dq(), c.qn(), 1e-6, 1e-5);
            KernelCheck.assertClose("dk " + c, floats(arena, g.dk()), io.dk(), c.kvn(), 1e-6, 1e-5);
            KernelCheck.assertClose("dv " + c, floats(arena, g.dv()), io.dv(), c.kvn(), 1e-6, 1e-5);
        }
    }

    @ParameterizedTest
    @MethodSource("tinyCases")
    void referenceGradientsMatchFiniteDifferences(Case c) {
        try (Arena arena = Arena.ofShared()) {
            Io io = run(REF, arena, inputs(arena, c));
            AttentionOracle.Problem p = problem(io);
            double[] r = doubles(io.dOut(), c.qn());
            // Differences of a float64 loss: truncation ~eps^2, rounding ~1e-16/eps, both far below fp32 rounding.
            AttentionOracle.Grads fd = AttentionOracle.finiteDifferences(p, r, 1e-5);
            AttentionOracle.Grads exact = AttentionOracle.backward(p, r);
            KernelCheck.assertClose("oracle dq vs FD " + c, floats(arena, fd.dq()), floats(arena, exact.dq()), c.qn(), 1e-7, 1e-6);
            KernelCheck.assertClose("oracle dk vs FD " + c, floats(arena, fd.dk()), floats(arena, exact.dk()), c.kvn(), 1e-7, 1e-6);
            KernelCheck.assertClose("reference dq vs FD " + c, floats(arena, fd.dq()), io.dq(), c.qn(), 1e-6, 1e-5);
            KernelCheck.assertClose("reference dk vs FD " + c, floats(arena, fd.dk()), io.dk(), c.kvn(), 1e-6, 1e-5);
            KernelCheck.assertClose("reference dv vs FD " + c, floats(arena, fd.dv()), io.dv(), c.kvn(), 1e-6, 1e-5);
        }
    }

    // ---- (b) the fast kernel against the reference ----

    private static List<Case> sweep() {
        int[] lengths = {1, 5, 17, 33, 70};
        int[][] heads = {{1, 1}, {4, 2}, {6, 1}, {3, 3}};
        int[] dims = {1, 7, 16, 64};
        List<Case> cases = new ArrayList<>();
        long seed = 1000;
        for (int lq : lengths) {
            for (int lk : lengths) {
                for (int[] h : heads) {
                    for (int d : dims) {
                        // Batch, causality and mask vary pseudo-randomly so the sweep covers them without a full product.
                        SplittableRandom r = new SplittableRandom(seed);
                        Mask mask = Mask.values()[r.nextInt(Mask.values().length)];
                        float scale = (float) ((r.nextInt(4) == 0 ? 2.0 : 1.0) / Math.sqrt(d));
                        cases.add(new Case(1 + r.nextInt(2), lq, lk, h[0], h[1], d, r.nextBoolean(), mask, scale, seed++));
                    }
                }
            }
        }
        return cases;
    }

    @ParameterizedTest
    @MethodSource("sweep")
    void fastMatchesReference(Case c) {
        compareFastWithReference(c);
    }

    @Test
    void fastMatchesReferenceAtQwenShapesAcrossManyDefaultTiles() {
        compareFastWithReference(new Case(1, 150, 150, 14, 2, 64, true, Mask.LEFT_PAD, 0.125f, 5));
        compareFastWithReference(new Case(2, 130, 200, 4, 2, 128, false, Mask.RANDOM, 0.088f, 6));
    }

    @Test
    void fastDecodeWithLongCacheMatchesReference() {
        compareFastWithReference(new Case(1, 1, 700, 14, 2, 64, true, Mask.LEFT_PAD, 0.125f, 7));
        compareFastWithReference(new Case(2, 1, 333, 8, 1, 128, false, Mask.NONE, 0.088f, 8));
        compareFastWithReference(new Case(2, 3, 257, 6, 2, 16, true, Mask.ALL_MASKED_BATCH, 0.25f, 9));
    }

    private static void compareFastWithReference(Case c) {
        try (Arena arena = Arena.ofShared()) {
            Io in = inputs(arena, c);
            Io want = run(REF, arena, in);
            assertMaskedRowsInert(want);
            for (FastAttention fast : FAST) {
                Io got = run(fast, arena, in);
                // Scores and sums in fp32 (reordered, tiled) against a float64 oracle: fp32 tolerances.
                KernelCheck.assertClose("out " + c, want.out(), got.out(), c.qn(), 1e-5, 1e-4);
                KernelCheck.assertClose("lse " + c, want.lse(), got.lse(), c.lsen(), 1e-5, 1e-5);
                KernelCheck.assertClose("dq " + c, want.dq(), got.dq(), c.qn(), 2e-5, 2e-4);
                KernelCheck.assertClose("dk " + c, want.dk(), got.dk(), c.kvn(), 2e-5, 2e-4);
                KernelCheck.assertClose("dv " + c, want.dv(), got.dv(), c.kvn(), 2e-5, 2e-4);
                assertMaskedRowsInert(got);
            }
        }
    }

    /** Rows that see no key: out exactly 0, lse -inf, dq exactly 0; masked keys: dk and dv exactly 0. */
    private static void assertMaskedRowsInert(Io io) {
        Case c = io.c();
        for (int b = 0; b < c.batch(); b++) {
            for (int i = 0; i < c.lq(); i++) {
                boolean none = true;
                for (int j = 0; j < c.lk(); j++) {
                    boolean timeOk = !c.causal() || j <= i + c.lk() - c.lq();
                    none &= !(timeOk && (io.mask() == null || io.mask().getAtIndex(Segments.I32, (long) b * c.lk() + j) != 0));
                }
                for (int h = 0; h < c.hq(); h++) {
                    float l = Segments.getFloat(io.lse(), ((long) b * c.hq() + h) * c.lq() + i);
                    assertEquals(none, l == Float.NEGATIVE_INFINITY, "lse -inf exactly for rows that see nothing " + c);
                    if (!none) continue;
                    long at = (((long) b * c.lq() + i) * c.hq() + h) * c.d();
                    for (int x = 0; x < c.d(); x++) {
                        assertEquals(0f, Segments.getFloat(io.out(), at + x), "out of a fully masked row " + c);
                        assertEquals(0f, Segments.getFloat(io.dq(), at + x), "dq of a fully masked row " + c);
                    }
                }
            }
            for (int j = 0; j < c.lk() && io.mask() != null; j++) {
                if (io.mask().getAtIndex(Segments.I32, (long) b * c.lk() + j) != 0) continue;
                for (int g = 0; g < c.hkv(); g++) {
                    long at = (((long) b * c.lk() + j) * c.hkv() + g) * c.d();
                    for (int x = 0; x < c.d(); x++) {
                        assertEquals(0f, Segments.getFloat(io.dk(), at + x), "dk of a masked key " + c);
                        assertEquals(0f, Segments.getFloat(io.dv(), at + x), "dv of a masked key " + c);
                    }
                }
            }
        }
    }

    @Test
    void sweepCoversFullyMaskedRowsAndDecode() {
        int masked = 0, decode = 0;
        for (Case c : sweep()) {
            if (c.mask() == Mask.ALL_MASKED_BATCH || (c.causal() && c.mask() == Mask.LEFT_PAD) || c.lq() > c.lk() && c.causal()) masked++;
            if (c.lq() == 1 && c.lk() > 1) decode++;
        }
        assertTrue(masked > 20 && decode > 20, "masked " + masked + ", decode " + decode);
    }

    // ---- bad arguments ----

    @Test
    void badArgumentsNameTheArgument() {
        for (AttentionKernels kern : List.of(REF, FAST.get(0))) {
            String name = kern.getClass().getSimpleName();
            try (Arena arena = Arena.ofShared()) {
                Case c = new Case(1, 3, 4, 4, 2, 8, true, Mask.RANDOM, 0.3f, 3);
                Io io = run(kern, arena, inputs(arena, c)); // valid call, for segments of the right sizes
                MemorySegment small = arena.allocate(4);
                expect(name, "hq", () -> kern.attention(1, 3, 4, 6, 4, 8, 0.3f, true, io.q(), io.k(), io.v(), null, io.out(), io.lse()));
                expect(name, "batch", () -> kern.attention(0, 3, 4, 4, 2, 8, 0.3f, true, io.q(), io.k(), io.v(), null, io.out(), io.lse()));
                expect(name, "lq", () -> kern.attention(1, 0, 4, 4, 2, 8, 0.3f, true, io.q(), io.k(), io.v(), null, io.out(), io.lse()));
                expect(name, "lk", () -> kern.attention(1, 3, -1, 4, 2, 8, 0.3f, true, io.q(), io.k(), io.v(), null, io.out(), io.lse()));
                expect(name, "headDim", () -> kern.attention(1, 3, 4, 4, 2, 0, 0.3f, true, io.q(), io.k(), io.v(), null, io.out(), io.lse()));
                expect(name, "hkv", () -> kern.attention(1, 3, 4, 4, 0, 8, 0.3f, true, io.q(), io.k(), io.v(), null, io.out(), io.lse()));
                expect(name, "scale", () -> kern.attention(1, 3, 4, 4, 2, 8, Float.NaN, true, io.q(), io.k(), io.v(), null, io.out(), io.lse()));
                expect(name, "q holds", () -> kern.attention(1, 3, 4, 4, 2, 8, 0.3f, true, small, io.k(), io.v(), null, io.out(), io.lse()));
                expect(name, "v holds", () -> kern.attention(1, 3, 4, 4, 2, 8, 0.3f, true, io.q(), io.k(), small, null, io.out(), io.lse()));
                expect(name, "keyMask", () -> kern.attention(1, 3, 4, 4, 2, 8, 0.3f, true, io.q(), io.k(), io.v(), small, io.out(), io.lse()));
                expect(name, "lse holds", () -> kern.attention(1, 3, 4, 4, 2, 8, 0.3f, true, io.q(), io.k(), io.v(), null, io.out(), small));
                expect(name, "out must not be null", () -> kern.attention(1, 3, 4, 4, 2, 8, 0.3f, true, io.q(), io.k(), io.v(), null, null, io.lse()));
                expect(name, "dk holds", () -> kern.attentionBackward(1, 3, 4, 4, 2, 8, 0.3f, true, io.q(), io.k(), io.v(), null,
                        io.out(), io.lse(), io.dOut(), io.dq(), small, io.dv()));
                expect(name, "dOut holds", () -> kern.attentionBackward(1, 3, 4, 4, 2, 8, 0.3f, true, io.q(), io.k(), io.v(), null,
                        io.out(), io.lse(), small, io.dq(), io.dk(), io.dv()));
            }
        }
    }

    private static void expect(String kernel, String fragment, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(kernel) && e.getMessage().contains(fragment),
                "message should name " + kernel + " and '" + fragment + "': " + e.getMessage());
    }

    // ---- conversions ----

    private static AttentionOracle.Problem problem(Io io) {
        Case c = io.c();
        boolean[][] mask = null;
        if (io.mask() != null) {
            mask = new boolean[c.batch()][c.lk()];
            for (int b = 0; b < c.batch(); b++) {
                for (int j = 0; j < c.lk(); j++) mask[b][j] = io.mask().getAtIndex(Segments.I32, (long) b * c.lk() + j) != 0;
            }
        }
        return new AttentionOracle.Problem(c.batch(), c.lq(), c.lk(), c.hq(), c.hkv(), c.d(), c.scale(), c.causal(), mask,
                doubles(io.q(), c.qn()), doubles(io.k(), c.kvn()), doubles(io.v(), c.kvn()));
    }

    private static double[] doubles(MemorySegment s, long n) {
        double[] x = new double[Math.toIntExact(n)];
        for (int i = 0; i < x.length; i++) x[i] = Segments.getFloat(s, i);
        return x;
    }

    private static MemorySegment floats(Arena arena, double[] x) {
        MemorySegment s = arena.allocate((long) x.length * Float.BYTES, 64);
        for (int i = 0; i < x.length; i++) Segments.setFloat(s, i, (float) x[i]);
        return s;
    }
}
