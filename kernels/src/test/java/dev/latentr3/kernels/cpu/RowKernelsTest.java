package dev.latentr3.kernels.cpu;

import dev.latentr3.kernels.RowKernels;
import dev.latentr3.kernels.Segments;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import static dev.latentr3.kernels.KernelCheck.assertClose;
import static dev.latentr3.kernels.KernelCheck.copy;
import static dev.latentr3.kernels.KernelCheck.nanFloats;
import static dev.latentr3.kernels.KernelCheck.randomFloats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Three layers: ReferenceRows against float64 formulas written here (forwards) and against float64 central finite
 * differences of sum(forward * R) (backwards); FastRows against ReferenceRows element-wise on odd shapes, including
 * logits large enough that a naive exp overflows; VectorExp against Math.exp.
 */
class RowKernelsTest {

    /** Reference vs a float64 formula on the same inputs: only the final rounding to fp32 (plus fp32 rstd/lse). */
    private static final double REF_ATOL = 1e-6, REF_RTOL = 1e-5;
    /**
     * Reference backward vs central differences (step FD_STEP in float64): the FD error is O(h^2) ~ 1e-10, so the
     * tolerance covers the fp32 inputs the backward is given (the forward's rounded y, rstd, lse).
     */
    private static final double GRAD_ATOL = 1e-5, GRAD_RTOL = 1e-4;
    private static final double FD_STEP = 1e-5;
    /**
     * Fast vs reference: reordered fp32 sums, fp32 instead of double intermediates, VectorExp instead of Math.exp.
     * Log-probs of +-80 logits reach -160, where an fp32 lse carries ~1e-5 absolute rounding: FAST_RTOL covers it.
     */
    private static final double FAST_ATOL = 1e-5, FAST_RTOL = 1e-4;
    /**
     * VectorExp vs Math.exp over [-87, 88]. The JDK op promises 1 ulp (up to 1.2e-7 relative); our polynomial measured
     * 7.7e-8 (its degree-6 variant 2.3e-7 would fail).
     */
    private static final double JDK_EXP_MAX_REL_ERR = 1.3e-7, POLY_EXP_MAX_REL_ERR = 1.0e-7;

    private static final int IGNORE = -100;
    private static final int[] ROWS = {1, 3, 17};
    private static final int[] COLS = {1, 7, 33, 1001};
    private static final int QWEN_VOCAB = 151936;

    private final RowKernels ref = new ReferenceRows();
    private final RowKernels fast = new FastRows();

    // =============================================================== reference vs float64 formulas

    @Test
    void referenceSoftmaxAndLogSoftmaxMatchFloat64() {
        try (Arena arena = Arena.ofShared()) {
            for (int rows : ROWS) for (int cols : COLS) for (float mag : new float[]{3, 80}) {
                MemorySegment x = randomFloats(arena, (long) rows * cols, seed(rows, cols), -mag, mag);
                MemorySegment y = nanFloats(arena, (long) rows * cols);
                String shape = " rows=" + rows + " cols=" + cols + " mag=" + mag;
                ref.softmax(rows, cols, x, y);
                assertNear("softmax" + shape, softmax64(doubles(x, rows * cols), rows, cols), y, REF_ATOL, REF_RTOL);
                ref.logSoftmax(rows, cols, x, y);
                assertNear("logSoftmax" + shape, logSoftmax64(doubles(x, rows * cols), rows, cols), y, REF_ATOL,
                        REF_RTOL);
            }
        }
    }

    @Test
    void referenceRmsNormMatchesFloat64() {
        try (Arena arena = Arena.ofShared()) {
            float eps = 1e-6f;
            for (int rows : ROWS) for (int dim : COLS) {
                MemorySegment x = randomFloats(arena, (long) rows * dim, seed(rows, dim), -2, 2);
                MemorySegment w = randomFloats(arena, dim, seed(dim, rows), 0.5f, 1.5f);
                MemorySegment y = nanFloats(arena, (long) rows * dim), rstd = nanFloats(arena, rows);
                ref.rmsNorm(rows, dim, x, w, eps, y, rstd);
                double[] xd = doubles(x, rows * dim), wd = doubles(w, dim);
                double[] want = rmsNorm64(xd, wd, rows, dim, eps);
                String shape = " rows=" + rows + " dim=" + dim;
                assertNear("rmsNorm y" + shape, want, y, REF_ATOL, REF_RTOL);
                double[] wantRstd = new double[rows];
                for (int r = 0; r < rows; r++) wantRstd[r] = rstd64(xd, r * dim, dim, eps);
                assertNear("rmsNorm rstd" + shape, wantRstd, rstd, REF_ATOL, REF_RTOL);
            }
        }
    }

    @Test
    void referenceRopeMatchesFloat64() {
        try (Arena arena = Arena.ofShared()) {
            int[][] dims = {{8, 8}, {14, 10}, {66, 34}, {12, 0}};
            for (int tokens : ROWS) for (int heads : new int[]{1, 3, 7}) for (int[] d : dims) for (boolean inv :
                    new boolean[]{false, true}) {
                int headDim = d[0], rotaryDim = d[1];
                int n = tokens * heads * headDim;
                MemorySegment x = randomFloats(arena, n, seed(tokens, heads, headDim), -2, 2);
                MemorySegment pos = positions(arena, tokens, seed(tokens, 7));
                MemorySegment y = nanFloats(arena, n);
                ref.rope(tokens, heads, headDim, rotaryDim, 1e6, pos, inv, x, y);
                double[] want = rope64(doubles(x, n), ints(pos, tokens), heads, headDim, rotaryDim, 1e6, inv);
                assertNear("rope tokens=" + tokens + " heads=" + heads + " headDim=" + headDim + " rotaryDim="
                        + rotaryDim + " inverse=" + inv, want, y, REF_ATOL, REF_RTOL);
            }
        }
    }

    @Test
    void referenceSwigluMatchesFloat64() {
        try (Arena arena = Arena.ofShared()) {
            int n = 1001;
            MemorySegment g = randomFloats(arena, n, 11, -30, 30), u = randomFloats(arena, n, 12, -3, 3);
            MemorySegment out = nanFloats(arena, n);
            ref.swiglu(n, g, u, out);
            assertNear("swiglu", swiglu64(doubles(g, n), doubles(u, n)), out, REF_ATOL, REF_RTOL);
        }
    }

    @Test
    void referenceLogProbGatherMatchesFloat64() {
        try (Arena arena = Arena.ofShared()) {
            for (int rows : ROWS) for (int vocab : new int[]{1, 7, 33, 1001, QWEN_VOCAB}) {
                if (vocab == QWEN_VOCAB && rows > 3) continue;
                MemorySegment logits = randomFloats(arena, (long) rows * vocab, seed(rows, vocab), -80, 80);
                MemorySegment targets = targets(arena, rows, vocab, seed(vocab, rows));
                MemorySegment logp = nanFloats(arena, rows), lse = nanFloats(arena, rows);
                ref.logProbGather(rows, vocab, logits, targets, IGNORE, logp, lse);
                double[] ld = doubles(logits, (long) rows * vocab);
                double[] wantLse = new double[rows], wantLogp = new double[rows];
                for (int r = 0; r < rows; r++) {
                    wantLse[r] = logSumExp64(ld, (long) r * vocab, vocab);
                    int t = Segments.getInt(targets, r);
                    wantLogp[r] = t == IGNORE ? 0 : ld[(int) ((long) r * vocab + t)] - wantLse[r];
                }
                String shape = " rows=" + rows + " vocab=" + vocab;
                assertNear("logProbGather lse" + shape, wantLse, lse, REF_ATOL, REF_RTOL);
                assertNear("logProbGather logp" + shape, wantLogp, logp, REF_ATOL, REF_RTOL);
            }
        }
    }

    // =============================================================== reference backwards vs finite differences

    @Test
    void referenceSoftmaxBackwardsMatchFiniteDifferences() {
        try (Arena arena = Arena.ofShared()) {
            for (int[] s : new int[][]{{1, 7}, {3, 5}, {2, 33}}) {
                int rows = s[0], cols = s[1], n = rows * cols;
                MemorySegment x = randomFloats(arena, n, seed(rows, cols, 1), -4, 4);
                MemorySegment r = randomFloats(arena, n, seed(rows, cols, 2), -1, 1);
                MemorySegment y = nanFloats(arena, n), dx = nanFloats(arena, n);
                double[] xd = doubles(x, n), rd = doubles(r, n);
                String shape = " rows=" + rows + " cols=" + cols;

                ref.softmax(rows, cols, x, y);
                ref.softmaxBackward(rows, cols, y, r, dx);
                assertNear("softmaxBackward" + shape, gradient(xd, v -> softmax64(v, rows, cols), rd), dx,
                        GRAD_ATOL, GRAD_RTOL);

                ref.logSoftmax(rows, cols, x, y);
                ref.logSoftmaxBackward(rows, cols, y, r, dx);
                assertNear("logSoftmaxBackward" + shape, gradient(xd, v -> logSoftmax64(v, rows, cols), rd), dx,
                        GRAD_ATOL, GRAD_RTOL);
            }
        }
    }

    @Test
    void referenceRmsNormBackwardMatchesFiniteDifferencesAndAccumulatesDWeight() {
        try (Arena arena = Arena.ofShared()) {
            float eps = 1e-5f;
            for (int[] s : new int[][]{{1, 7}, {3, 5}, {4, 33}}) {
                int rows = s[0], dim = s[1], n = rows * dim;
                MemorySegment x = randomFloats(arena, n, seed(rows, dim, 3), -2, 2);
                MemorySegment w = randomFloats(arena, dim, seed(rows, dim, 4), 0.5f, 1.5f);
                MemorySegment r = randomFloats(arena, n, seed(rows, dim, 5), -1, 1);
                MemorySegment dw0 = randomFloats(arena, dim, seed(rows, dim, 6), -1, 1);
                MemorySegment y = nanFloats(arena, n), rstd = nanFloats(arena, rows), dx = nanFloats(arena, n);
                MemorySegment dw = copy(arena, dw0);
                ref.rmsNorm(rows, dim, x, w, eps, y, rstd);
                ref.rmsNormBackward(rows, dim, x, w, rstd, r, dx, dw);

                double[] xd = doubles(x, n), wd = doubles(w, dim), rd = doubles(r, n);
                String shape = " rows=" + rows + " dim=" + dim;
                assertNear("rmsNormBackward dx" + shape, gradient(xd, v -> rmsNorm64(v, wd, rows, dim, eps), rd), dx,
                        GRAD_ATOL, GRAD_RTOL);
                double[] gw = gradient(wd, v -> rmsNorm64(xd, v, rows, dim, eps), rd);
                for (int j = 0; j < dim; j++) gw[j] += Segments.getFloat(dw0, j);
                assertNear("rmsNormBackward dWeight (initial + gradient)" + shape, gw, dw, GRAD_ATOL, GRAD_RTOL);
            }
        }
    }

    @Test
    void referenceRopeInverseIsTheGradient() {
        try (Arena arena = Arena.ofShared()) {
            int tokens = 3, heads = 3;
            for (int[] d : new int[][]{{8, 8}, {14, 10}, {10, 6}}) {
                int headDim = d[0], rotaryDim = d[1], n = tokens * heads * headDim;
                MemorySegment x = randomFloats(arena, n, seed(headDim, 1), -2, 2);
                MemorySegment r = randomFloats(arena, n, seed(headDim, 2), -1, 1);
                MemorySegment pos = positions(arena, tokens, seed(headDim, 3));
                MemorySegment dx = nanFloats(arena, n);
                ref.rope(tokens, heads, headDim, rotaryDim, 10000, pos, true, r, dx);
                int[] p = ints(pos, tokens);
                assertNear("rope backward headDim=" + headDim + " rotaryDim=" + rotaryDim,
                        gradient(doubles(x, n), v -> rope64(v, p, heads, headDim, rotaryDim, 10000, false),
                                doubles(r, n)), dx, GRAD_ATOL, GRAD_RTOL);
            }
        }
    }

    @Test
    void referenceSwigluBackwardMatchesFiniteDifferences() {
        try (Arena arena = Arena.ofShared()) {
            int n = 33;
            MemorySegment g = randomFloats(arena, n, 21, -6, 6), u = randomFloats(arena, n, 22, -2, 2);
            MemorySegment r = randomFloats(arena, n, 23, -1, 1);
            MemorySegment dg = nanFloats(arena, n), du = nanFloats(arena, n);
            ref.swigluBackward(n, g, u, r, dg, du);
            double[] gd = doubles(g, n), ud = doubles(u, n), rd = doubles(r, n);
            assertNear("swigluBackward dGate", gradient(gd, v -> swiglu64(v, ud), rd), dg, GRAD_ATOL, GRAD_RTOL);
            assertNear("swigluBackward dUp", gradient(ud, v -> swiglu64(gd, v), rd), du, GRAD_ATOL, GRAD_RTOL);
        }
    }

    @Test
    void referenceLogProbGatherBackwardMatchesFiniteDifferences() {
        try (Arena arena = Arena.ofShared()) {
            int rows = 4, vocab = 7, n = rows * vocab;
            MemorySegment logits = randomFloats(arena, n, 31, -5, 5);
            MemorySegment targets = arena.allocate((long) rows * Integer.BYTES);
            int[] t = {3, IGNORE, 0, 6};
            for (int i = 0; i < rows; i++) targets.setAtIndex(Segments.I32, i, t[i]);
            MemorySegment dLogp = randomFloats(arena, rows, 32, -1, 1);
            MemorySegment logp = nanFloats(arena, rows), lse = nanFloats(arena, rows), dLogits = nanFloats(arena, n);
            ref.logProbGather(rows, vocab, logits, targets, IGNORE, logp, lse);
            ref.logProbGatherBackward(rows, vocab, logits, targets, IGNORE, lse, dLogp, dLogits);
            double[] want = gradient(doubles(logits, n), v -> logProb64(v, t, rows, vocab), doubles(dLogp, rows));
            assertNear("logProbGatherBackward", want, dLogits, GRAD_ATOL, GRAD_RTOL);
            for (int j = 0; j < vocab; j++) assertEquals(0f, Segments.getFloat(dLogits, vocab + j), "ignored row");
        }
    }

    // =============================================================== fast vs reference

    @Test
    void fastSoftmaxAndLogSoftmaxMatchReference() {
        try (Arena arena = Arena.ofShared()) {
            for (int rows : ROWS) for (int cols : COLS) for (float mag : new float[]{3, 80}) {
                long n = (long) rows * cols;
                String shape = " rows=" + rows + " cols=" + cols + " mag=" + mag;
                MemorySegment x = randomFloats(arena, n, seed(rows, cols, 8), -mag, mag);
                MemorySegment dy = randomFloats(arena, n, seed(rows, cols, 9), -1, 1);

                MemorySegment want = nanFloats(arena, n), got = nanFloats(arena, n);
                ref.softmax(rows, cols, x, want);
                fast.softmax(rows, cols, x, got);
                assertClose("softmax" + shape, want, got, n, FAST_ATOL, FAST_RTOL);
                MemorySegment y = want;
                want = nanFloats(arena, n);
                got = nanFloats(arena, n);
                ref.softmaxBackward(rows, cols, y, dy, want);
                fast.softmaxBackward(rows, cols, y, dy, got);
                assertClose("softmaxBackward" + shape, want, got, n, FAST_ATOL, FAST_RTOL);

                want = nanFloats(arena, n);
                got = nanFloats(arena, n);
                ref.logSoftmax(rows, cols, x, want);
                fast.logSoftmax(rows, cols, x, got);
                assertClose("logSoftmax" + shape, want, got, n, FAST_ATOL, FAST_RTOL);
                y = want;
                want = nanFloats(arena, n);
                got = nanFloats(arena, n);
                ref.logSoftmaxBackward(rows, cols, y, dy, want);
                fast.logSoftmaxBackward(rows, cols, y, dy, got);
                assertClose("logSoftmaxBackward" + shape, want, got, n, FAST_ATOL, FAST_RTOL);
            }
        }
    }

    @Test
    void fastRmsNormMatchesReference() {
        try (Arena arena = Arena.ofShared()) {
            float eps = 1e-6f;
            for (int rows : ROWS) for (int dim : new int[]{1, 7, 33, 1001, 896}) {
                long n = (long) rows * dim;
                String shape = " rows=" + rows + " dim=" + dim;
                MemorySegment x = randomFloats(arena, n, seed(rows, dim, 10), -3, 3);
                MemorySegment w = randomFloats(arena, dim, seed(rows, dim, 11), 0.5f, 1.5f);
                MemorySegment dy = randomFloats(arena, n, seed(rows, dim, 12), -1, 1);
                MemorySegment dw0 = randomFloats(arena, dim, seed(rows, dim, 13), -1, 1);

                MemorySegment yWant = nanFloats(arena, n), yGot = nanFloats(arena, n);
                MemorySegment rsWant = nanFloats(arena, rows), rsGot = nanFloats(arena, rows);
                ref.rmsNorm(rows, dim, x, w, eps, yWant, rsWant);
                fast.rmsNorm(rows, dim, x, w, eps, yGot, rsGot);
                assertClose("rmsNorm y" + shape, yWant, yGot, n, FAST_ATOL, FAST_RTOL);
                assertClose("rmsNorm rstd" + shape, rsWant, rsGot, rows, FAST_ATOL, FAST_RTOL);

                MemorySegment dxWant = nanFloats(arena, n), dxGot = nanFloats(arena, n);
                MemorySegment dwWant = copy(arena, dw0), dwGot = copy(arena, dw0);
                ref.rmsNormBackward(rows, dim, x, w, rsWant, dy, dxWant, dwWant);
                fast.rmsNormBackward(rows, dim, x, w, rsWant, dy, dxGot, dwGot);
                assertClose("rmsNormBackward dx" + shape, dxWant, dxGot, n, FAST_ATOL, FAST_RTOL);
                assertClose("rmsNormBackward dWeight" + shape, dwWant, dwGot, dim, FAST_ATOL, FAST_RTOL);
            }
        }
    }

    @Test
    void fastRopeMatchesReferenceIncludingPartialRotaryAndInPlace() {
        try (Arena arena = Arena.ofShared()) {
            // {headDim, rotaryDim}: full, partial, odd half (17 pairs), wide head, no rotation at all.
            int[][] dims = {{8, 8}, {14, 10}, {66, 34}, {128, 96}, {64, 64}, {12, 0}};
            for (int tokens : ROWS) for (int heads : new int[]{1, 3, 7}) for (int[] d : dims) for (boolean inv :
                    new boolean[]{false, true}) {
                int headDim = d[0], rotaryDim = d[1];
                long n = (long) tokens * heads * headDim;
                String shape = " tokens=" + tokens + " heads=" + heads + " headDim=" + headDim + " rotaryDim="
                        + rotaryDim + " inverse=" + inv;
                MemorySegment x = randomFloats(arena, n, seed(tokens, heads, headDim, rotaryDim), -2, 2);
                MemorySegment pos = positions(arena, tokens, seed(tokens, heads, 14));
                MemorySegment want = nanFloats(arena, n), got = nanFloats(arena, n);
                ref.rope(tokens, heads, headDim, rotaryDim, 1e6, pos, inv, x, want);
                fast.rope(tokens, heads, headDim, rotaryDim, 1e6, pos, inv, x, got);
                assertClose("rope" + shape, want, got, n, FAST_ATOL, FAST_RTOL);

                MemorySegment refInPlace = copy(arena, x), fastInPlace = copy(arena, x);
                ref.rope(tokens, heads, headDim, rotaryDim, 1e6, pos, inv, refInPlace, refInPlace);
                fast.rope(tokens, heads, headDim, rotaryDim, 1e6, pos, inv, fastInPlace, fastInPlace);
                assertClose("rope in place (reference)" + shape, want, refInPlace, n, 0, 0);
                assertClose("rope in place (fast)" + shape, want, fastInPlace, n, FAST_ATOL, FAST_RTOL);
            }
        }
    }

    @Test
    void fastRopeForwardThenInverseRestoresInput() {
        try (Arena arena = Arena.ofShared()) {
            int tokens = 17, heads = 3, headDim = 66, rotaryDim = 34;
            long n = (long) tokens * heads * headDim;
            MemorySegment x = randomFloats(arena, n, 15, -2, 2), pos = positions(arena, tokens, 16);
            MemorySegment y = copy(arena, x);
            fast.rope(tokens, heads, headDim, rotaryDim, 1e6, pos, false, y, y);
            fast.rope(tokens, heads, headDim, rotaryDim, 1e6, pos, true, y, y);
            assertClose("rope then inverse rope", x, y, n, FAST_ATOL, FAST_RTOL);
        }
    }

    @Test
    void fastSwigluMatchesReference() {
        try (Arena arena = Arena.ofShared()) {
            // 100003 spans several parallel blocks and ends mid-vector.
            for (long n : new long[]{1, 7, 33, 1001, 100_003}) {
                MemorySegment g = randomFloats(arena, n, seed((int) n, 17), -20, 20);
                if (n > 7) { // saturated gates, where exp(-g) overflows or vanishes
                    Segments.setFloat(g, 3, -100f);
                    Segments.setFloat(g, 5, 100f);
                }
                MemorySegment u = randomFloats(arena, n, seed((int) n, 18), -3, 3);
                MemorySegment d = randomFloats(arena, n, seed((int) n, 19), -1, 1);
                MemorySegment want = nanFloats(arena, n), got = nanFloats(arena, n);
                ref.swiglu(n, g, u, want);
                fast.swiglu(n, g, u, got);
                assertClose("swiglu n=" + n, want, got, n, FAST_ATOL, FAST_RTOL);

                MemorySegment dgWant = nanFloats(arena, n), duWant = nanFloats(arena, n);
                MemorySegment dgGot = nanFloats(arena, n), duGot = nanFloats(arena, n);
                ref.swigluBackward(n, g, u, d, dgWant, duWant);
                fast.swigluBackward(n, g, u, d, dgGot, duGot);
                assertClose("swigluBackward dGate n=" + n, dgWant, dgGot, n, FAST_ATOL, FAST_RTOL);
                assertClose("swigluBackward dUp n=" + n, duWant, duGot, n, FAST_ATOL, FAST_RTOL);
            }
        }
    }

    @Test
    void fastLogProbGatherMatchesReference() {
        try (Arena arena = Arena.ofShared()) {
            for (int rows : ROWS) for (int vocab : new int[]{1, 7, 33, 1001, QWEN_VOCAB}) for (float mag :
                    new float[]{3, 80}) {
                if (vocab == QWEN_VOCAB && rows > 3) continue;
                String shape = " rows=" + rows + " vocab=" + vocab + " mag=" + mag;
                long n = (long) rows * vocab;
                MemorySegment logits = randomFloats(arena, n, seed(rows, vocab, (int) mag), -mag, mag);
                MemorySegment targets = targets(arena, rows, vocab, seed(rows, vocab, 20));
                MemorySegment lpWant = nanFloats(arena, rows), lpGot = nanFloats(arena, rows);
                MemorySegment lseWant = nanFloats(arena, rows), lseGot = nanFloats(arena, rows);
                ref.logProbGather(rows, vocab, logits, targets, IGNORE, lpWant, lseWant);
                fast.logProbGather(rows, vocab, logits, targets, IGNORE, lpGot, lseGot);
                assertClose("logProbGather lse" + shape, lseWant, lseGot, rows, FAST_ATOL, FAST_RTOL);
                assertClose("logProbGather logp" + shape, lpWant, lpGot, rows, FAST_ATOL, FAST_RTOL);

                MemorySegment dLogp = randomFloats(arena, rows, seed(rows, vocab, 21), -1, 1);
                MemorySegment want = nanFloats(arena, n), got = nanFloats(arena, n);
                ref.logProbGatherBackward(rows, vocab, logits, targets, IGNORE, lseWant, dLogp, want);
                fast.logProbGatherBackward(rows, vocab, logits, targets, IGNORE, lseWant, dLogp, got);
                assertClose("logProbGatherBackward" + shape, want, got, n, FAST_ATOL, FAST_RTOL);
            }
        }
    }

    /** Ascending logits raise every lane's max on every vector: the online rescale path runs each time. */
    @Test
    void fastLogSumExpSurvivesAMaxThatRisesEveryVector() {
        try (Arena arena = Arena.ofShared()) {
            int vocab = 5003;
            MemorySegment logits = arena.allocate((long) vocab * Float.BYTES);
            for (int j = 0; j < vocab; j++) Segments.setFloat(logits, j, -80f + 160f * j / vocab);
            MemorySegment targets = arena.allocate(Integer.BYTES);
            targets.setAtIndex(Segments.I32, 0, 17);
            MemorySegment lpWant = nanFloats(arena, 1), lpGot = nanFloats(arena, 1);
            MemorySegment lseWant = nanFloats(arena, 1), lseGot = nanFloats(arena, 1);
            ref.logProbGather(1, vocab, logits, targets, IGNORE, lpWant, lseWant);
            fast.logProbGather(1, vocab, logits, targets, IGNORE, lpGot, lseGot);
            assertClose("logProbGather lse, ascending", lseWant, lseGot, 1, FAST_ATOL, FAST_RTOL);
            assertClose("logProbGather logp, ascending", lpWant, lpGot, 1, FAST_ATOL, FAST_RTOL);
        }
    }

    @Test
    void fastHandlesSegmentsThatAreNotVectorAligned() {
        try (Arena arena = Arena.ofShared()) {
            int rows = 3, cols = 37;
            long n = (long) rows * cols;
            MemorySegment x = randomFloats(arena, n + 1, 22, -5, 5).asSlice(Float.BYTES);
            MemorySegment want = nanFloats(arena, n), got = nanFloats(arena, n + 1).asSlice(Float.BYTES);
            ref.logSoftmax(rows, cols, x, want);
            fast.logSoftmax(rows, cols, x, got);
            assertClose("logSoftmax on a 4-byte-offset slice", want, got, n, FAST_ATOL, FAST_RTOL);
        }
    }

    // =============================================================== errors

    @Test
    void outOfRangeTargetsAreRejectedNamingRowTargetAndVocab() {
        try (Arena arena = Arena.ofShared()) {
            int rows = 3, vocab = 11;
            MemorySegment logits = randomFloats(arena, rows * vocab, 40, -1, 1);
            MemorySegment out = nanFloats(arena, rows * vocab), a = nanFloats(arena, rows), b = nanFloats(arena, rows);
            for (int bad : new int[]{vocab, -1, 1 << 20}) {
                MemorySegment targets = arena.allocate((long) rows * Integer.BYTES);
                targets.setAtIndex(Segments.I32, 0, 2);
                targets.setAtIndex(Segments.I32, 1, IGNORE);
                targets.setAtIndex(Segments.I32, 2, bad);
                for (RowKernels k : new RowKernels[]{ref, fast}) {
                    String name = k.getClass().getSimpleName();
                    var e = assertThrows(IllegalArgumentException.class,
                            () -> k.logProbGather(rows, vocab, logits, targets, IGNORE, a, b), name);
                    assertMentions(e.getMessage(), "logProbGather", "row 2", "target " + bad, "vocab=" + vocab);
                    e = assertThrows(IllegalArgumentException.class,
                            () -> k.logProbGatherBackward(rows, vocab, logits, targets, IGNORE, a, b, out), name);
                    assertMentions(e.getMessage(), "logProbGatherBackward", "row 2", "target " + bad);
                }
            }
        }
    }

    @Test
    void badSizesAreRejected() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment small = nanFloats(arena, 10), big = nanFloats(arena, 100), pos = positions(arena, 2, 1);
            for (RowKernels k : new RowKernels[]{ref, fast}) {
                var e = assertThrows(IllegalArgumentException.class, () -> k.softmax(3, 7, small, big));
                assertMentions(e.getMessage(), "softmax", "x", "21");
                e = assertThrows(IllegalArgumentException.class, () -> k.rope(2, 1, 8, 5, 1e4, pos, false, big, big));
                assertMentions(e.getMessage(), "rope", "rotaryDim", "5");
                e = assertThrows(IllegalArgumentException.class, () -> k.rmsNorm(2, 7, big, small.asSlice(0, 8), 1e-6f,
                        big, big));
                assertMentions(e.getMessage(), "rmsNorm", "weight");
            }
        }
    }

    // =============================================================== VectorExp

    @Test
    void vectorExpIsAccurateOverTheWholeFloatRange() {
        checkExp("VectorExp.exp", VectorExp::exp, JDK_EXP_MAX_REL_ERR);
        checkExp("VectorExp.polynomial", VectorExp::polynomial, POLY_EXP_MAX_REL_ERR);
    }

    /** Near overflow and in the subnormal range, where 2^n is applied as two factors: as Math.exp, to the last bit. */
    @Test
    void vectorExpPolynomialHandlesTheRangeEnds() {
        var species = FloatVector.SPECIES_PREFERRED;
        float[] in = new float[species.length()], out = new float[species.length()];
        SplittableRandom rnd = new SplittableRandom(51);
        for (int k = 0; k < 20_000; k++) {
            for (int i = 0; i < in.length; i++) {
                in[i] = k % 2 == 0 ? (float) (87 + 1.8 * rnd.nextDouble()) : (float) (-105 + 19 * rnd.nextDouble());
            }
            VectorExp.polynomial(FloatVector.fromArray(species, in, 0)).intoArray(out, 0);
            for (int i = 0; i < in.length; i++) {
                double want = Math.exp(in[i]);
                float wantF = (float) want;
                if (Float.isInfinite(wantF) || Math.abs(wantF) < Float.MIN_NORMAL) {
                    // Overflow must give infinity; a subnormal result has an absolute rounding error of one step.
                    if (Float.isInfinite(wantF)) assertEquals(wantF, out[i], 0f, "exp(" + in[i] + ")");
                    else assertEquals(want, out[i], Float.MIN_VALUE, "exp(" + in[i] + ")");
                } else {
                    assertEquals(want, out[i], want * POLY_EXP_MAX_REL_ERR, "exp(" + in[i] + ")");
                }
            }
        }
    }

    private static void checkExp(String name, UnaryOperator<FloatVector> exp, double maxRelErr) {
        var species = FloatVector.SPECIES_PREFERRED;
        int lanes = species.length();
        float[] in = new float[lanes], out = new float[lanes];
        double worst = 0;
        float worstAt = 0;
        SplittableRandom rnd = new SplittableRandom(50);
        for (int k = 0; k < 100_000; k++) {
            for (int i = 0; i < lanes; i++) in[i] = (float) (-87 + 175 * rnd.nextDouble());
            exp.apply(FloatVector.fromArray(species, in, 0)).intoArray(out, 0);
            for (int i = 0; i < lanes; i++) {
                double e = Math.exp(in[i]), rel = Math.abs(out[i] - e) / e;
                if (rel > worst) {
                    worst = rel;
                    worstAt = in[i];
                }
            }
        }
        assertTrue(worst <= maxRelErr, name + " max relative error " + worst + " at x=" + worstAt);

        // Edges: exact at 0, 0 at -Infinity, +Infinity past overflow, NaN kept, tiny (0 or subnormal) far below.
        float[] special = {0f, -0f, Float.NEGATIVE_INFINITY, Float.NaN, 100f, -100f, 88f, -87.5f};
        for (float v : special) {
            java.util.Arrays.fill(in, v);
            exp.apply(FloatVector.fromArray(species, in, 0)).intoArray(out, 0);
            float want = (float) Math.exp(v);
            String what = name + "(" + v + ")";
            if (Float.isNaN(want)) assertTrue(Float.isNaN(out[0]), what);
            else if (Float.isInfinite(want) || want == 0 || want == 1) assertEquals(want, out[0], what);
            else assertEquals(want, out[0], Math.max(1e-38f, want * 1e-5f), what);
        }
    }

    // =============================================================== float64 formulas

    private static double[] softmax64(double[] x, int rows, int cols) {
        double[] y = new double[x.length];
        for (int r = 0; r < rows; r++) {
            double lse = logSumExp64(x, (long) r * cols, cols);
            for (int j = 0; j < cols; j++) y[r * cols + j] = Math.exp(x[r * cols + j] - lse);
        }
        return y;
    }

    private static double[] logSoftmax64(double[] x, int rows, int cols) {
        double[] y = new double[x.length];
        for (int r = 0; r < rows; r++) {
            double lse = logSumExp64(x, (long) r * cols, cols);
            for (int j = 0; j < cols; j++) y[r * cols + j] = x[r * cols + j] - lse;
        }
        return y;
    }

    private static double logSumExp64(double[] x, long base, int n) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int j = 0; j < n; j++) max = Math.max(max, x[(int) (base + j)]);
        for (int j = 0; j < n; j++) sum += Math.exp(x[(int) (base + j)] - max);
        return max + Math.log(sum);
    }

    private static double rstd64(double[] x, int base, int dim, float eps) {
        double ss = 0;
        for (int j = 0; j < dim; j++) ss += x[base + j] * x[base + j];
        return 1 / Math.sqrt(ss / dim + eps);
    }

    private static double[] rmsNorm64(double[] x, double[] w, int rows, int dim, float eps) {
        double[] y = new double[x.length];
        for (int r = 0; r < rows; r++) {
            double rs = rstd64(x, r * dim, dim, eps);
            for (int j = 0; j < dim; j++) y[r * dim + j] = x[r * dim + j] * rs * w[j];
        }
        return y;
    }

    /** Written as a complex rotation of the pair (x_i, x_{i+half}) to be independent of the kernels' form. */
    private static double[] rope64(double[] x, int[] pos, int heads, int headDim, int rotaryDim, double theta,
                                   boolean inverse) {
        double[] y = x.clone();
        int half = rotaryDim / 2;
        for (int t = 0; t < pos.length; t++) {
            for (int h = 0; h < heads; h++) {
                int base = (t * heads + h) * headDim;
                for (int i = 0; i < half; i++) {
                    double freq = Math.exp(-Math.log(theta) * (2.0 * i) / rotaryDim);
                    double angle = (inverse ? -1 : 1) * pos[t] * freq;
                    double re = x[base + i], im = x[base + half + i];
                    y[base + i] = re * Math.cos(angle) - im * Math.sin(angle);
                    y[base + half + i] = re * Math.sin(angle) + im * Math.cos(angle);
                }
            }
        }
        return y;
    }

    private static double[] swiglu64(double[] g, double[] u) {
        double[] out = new double[g.length];
        for (int i = 0; i < g.length; i++) out[i] = g[i] / (1 + Math.exp(-g[i])) * u[i];
        return out;
    }

    private static double[] logProb64(double[] logits, int[] targets, int rows, int vocab) {
        double[] logp = new double[rows];
        for (int r = 0; r < rows; r++) {
            if (targets[r] == IGNORE) continue;
            logp[r] = logits[r * vocab + targets[r]] - logSumExp64(logits, (long) r * vocab, vocab);
        }
        return logp;
    }

    /** d/dx of sum(f(x) * weights) by central differences in float64. */
    private static double[] gradient(double[] x, Function<double[], double[]> f, double[] weights) {
        double[] g = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double keep = x[i];
            x[i] = keep + FD_STEP;
            double plus = dotProduct(f.apply(x), weights);
            x[i] = keep - FD_STEP;
            double minus = dotProduct(f.apply(x), weights);
            x[i] = keep;
            g[i] = (plus - minus) / (2 * FD_STEP);
        }
        return g;
    }

    private static double dotProduct(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    // =============================================================== helpers

    private static long seed(int... parts) {
        long s = 0x9E3779B97F4A7C15L;
        for (int p : parts) s = s * 31 + p;
        return s;
    }

    private static double[] doubles(MemorySegment s, long n) {
        double[] d = new double[Math.toIntExact(n)];
        for (int i = 0; i < d.length; i++) d[i] = Segments.getFloat(s, i);
        return d;
    }

    private static int[] ints(MemorySegment s, int n) {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) v[i] = Segments.getInt(s, i);
        return v;
    }

    private static MemorySegment positions(Arena arena, int tokens, long seed) {
        MemorySegment s = arena.allocate((long) tokens * Integer.BYTES);
        SplittableRandom r = new SplittableRandom(seed);
        for (int t = 0; t < tokens; t++) s.setAtIndex(Segments.I32, t, r.nextInt(4096));
        return s;
    }

    /** Random targets in [0, vocab) with every third row (from the second) set to the ignore index. */
    private static MemorySegment targets(Arena arena, int rows, int vocab, long seed) {
        MemorySegment s = arena.allocate((long) rows * Integer.BYTES);
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < rows; i++) s.setAtIndex(Segments.I32, i, i % 3 == 1 ? IGNORE : r.nextInt(vocab));
        return s;
    }

    private static void assertNear(String what, double[] want, MemorySegment got, double atol, double rtol) {
        for (int i = 0; i < want.length; i++) {
            double g = Segments.getFloat(got, i);
            if (!(Math.abs(g - want[i]) <= atol + rtol * Math.abs(want[i]))) {
                fail(String.format("%s: element %d is %s, expected %s (atol %.1e, rtol %.1e)", what, i, g, want[i],
                        atol, rtol));
            }
        }
    }

    private static void assertMentions(String message, String... parts) {
        for (String p : parts) assertTrue(message.contains(p), "message '" + message + "' should mention '" + p + "'");
    }
}
