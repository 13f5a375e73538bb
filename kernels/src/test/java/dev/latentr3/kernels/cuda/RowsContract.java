package dev.latentr3.kernels.cuda;

import dev.latentr3.kernels.RowKernels;
import dev.latentr3.kernels.Segments;
import dev.latentr3.kernels.cpu.ReferenceRows;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.latentr3.kernels.KernelCheck.F32_ATOL;
import static dev.latentr3.kernels.KernelCheck.F32_RTOL;
import static dev.latentr3.kernels.KernelCheck.assertClose;
import static dev.latentr3.kernels.KernelCheck.copy;
import static dev.latentr3.kernels.KernelCheck.gaussianFloats;
import static dev.latentr3.kernels.KernelCheck.nanFloats;
import static dev.latentr3.kernels.KernelCheck.randomFloats;
import static dev.latentr3.kernels.KernelCheck.randomInts;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link CudaRows} against {@link ReferenceRows} on odd shapes (rows and columns off warp and block multiples). */
abstract class RowsContract {
    /** {rows, cols}: a single element, partial warps, a row longer than a block, and a vocabulary-like row. */
    static final int[][] SHAPES = {{1, 1}, {7, 33}, {37, 100}, {5, 1000}, {3, 5003}};

    abstract CudaRuntime runtime();

    final RowKernels ref = new ReferenceRows();

    RowKernels cuda() {
        return new CudaRows(runtime());
    }

    @Test
    void softmaxAndLogSoftmaxWithTheirBackwardMatchTheReference() {
        try (DeviceScope d = new DeviceScope(runtime())) {
            for (int[] s : SHAPES) {
                int rows = s[0], cols = s[1];
                long n = (long) rows * cols;
                String shape = rows + "x" + cols;
                MemorySegment x = randomFloats(d.arena, n, n, -8, 8), dy = randomFloats(d.arena, n, n + 1, -1, 1);
                MemorySegment dX = d.upload(x), dDy = d.upload(dy);

                MemorySegment y = nanFloats(d.arena, n), dOut = d.nanFloats(n);
                ref.softmax(rows, cols, x, y);
                cuda().softmax(rows, cols, dX, dOut);
                assertClose("softmax " + shape, y, d.downloadFloats(dOut, n), n, F32_ATOL, F32_RTOL);

                MemorySegment dx = nanFloats(d.arena, n), dDx = d.nanFloats(n);
                ref.softmaxBackward(rows, cols, y, dy, dx);
                cuda().softmaxBackward(rows, cols, d.upload(y), dDy, dDx);
                assertClose("softmaxBackward " + shape, dx, d.downloadFloats(dDx, n), n, F32_ATOL, F32_RTOL);

                ref.logSoftmax(rows, cols, x, y);
                cuda().logSoftmax(rows, cols, dX, dOut);
                assertClose("logSoftmax " + shape, y, d.downloadFloats(dOut, n), n, F32_ATOL, F32_RTOL);

                ref.logSoftmaxBackward(rows, cols, y, dy, dx);
                cuda().logSoftmaxBackward(rows, cols, d.upload(y), dDy, dDx);
                assertClose("logSoftmaxBackward " + shape, dx, d.downloadFloats(dDx, n), n, F32_ATOL, F32_RTOL);
            }
        }
    }

    @Test
    void rmsNormAndItsBackwardMatchTheReference() {
        try (DeviceScope d = new DeviceScope(runtime())) {
            for (int[] s : new int[][] {{1, 1}, {7, 33}, {300, 65}, {3, 1000}}) {
                int rows = s[0], dim = s[1];
                long n = (long) rows * dim;
                String shape = rows + "x" + dim;
                MemorySegment x = randomFloats(d.arena, n, n, -2, 2), w = randomFloats(d.arena, dim, dim, 0.5f, 1.5f);
                MemorySegment dy = randomFloats(d.arena, n, n + 3, -1, 1), dw0 = randomFloats(d.arena, dim, 5, -1, 1);
                MemorySegment y = nanFloats(d.arena, n), rstd = nanFloats(d.arena, rows);
                ref.rmsNorm(rows, dim, x, w, 1e-6f, y, rstd);
                MemorySegment dX = d.upload(x), dW = d.upload(w), dY = d.nanFloats(n), dRstd = d.nanFloats(rows);
                cuda().rmsNorm(rows, dim, dX, dW, 1e-6f, dY, dRstd);
                assertClose("rmsNorm " + shape, y, d.downloadFloats(dY, n), n, F32_ATOL, F32_RTOL);
                assertClose("rmsNorm rstd " + shape, rstd, d.downloadFloats(dRstd, rows), rows, F32_ATOL, F32_RTOL);

                MemorySegment dx = nanFloats(d.arena, n), dw = copy(d.arena, dw0);
                ref.rmsNormBackward(rows, dim, x, w, rstd, dy, dx, dw);
                MemorySegment dDx = d.nanFloats(n), dDw = d.upload(dw0);
                cuda().rmsNormBackward(rows, dim, dX, dW, d.upload(rstd), d.upload(dy), dDx, dDw);
                assertClose("rmsNormBackward dx " + shape, dx, d.downloadFloats(dDx, n), n, F32_ATOL, F32_RTOL);
                assertClose("rmsNormBackward dWeight (accumulated) " + shape, dw, d.downloadFloats(dDw, dim), dim,
                        F32_ATOL, F32_RTOL);
            }
        }
    }

    @Test
    void ropeForwardInverseAndInPlaceMatchTheReference() {
        int tokens = 19, heads = 3, headDim = 24;
        long n = (long) tokens * heads * headDim;
        try (DeviceScope d = new DeviceScope(runtime())) {
            MemorySegment x = randomFloats(d.arena, n, 1, -1, 1);
            MemorySegment positions = randomInts(d.arena, tokens, 2, 32_768);
            MemorySegment dX = d.upload(x), dPos = d.upload(positions);
            for (int rotaryDim : new int[] {24, 16, 0}) {
                for (boolean inverse : new boolean[] {false, true}) {
                    String what = "rope rotaryDim=" + rotaryDim + (inverse ? " inverse" : "");
                    MemorySegment want = nanFloats(d.arena, n), dOut = d.nanFloats(n);
                    ref.rope(tokens, heads, headDim, rotaryDim, 1e6, positions, inverse, x, want);
                    cuda().rope(tokens, heads, headDim, rotaryDim, 1e6, dPos, inverse, dX, dOut);
                    assertClose(what, want, d.downloadFloats(dOut, n), n, 1e-6, 1e-5);
                    MemorySegment inPlace = d.upload(x);
                    cuda().rope(tokens, heads, headDim, rotaryDim, 1e6, dPos, inverse, inPlace, inPlace);
                    assertClose(what + " in place", want, d.downloadFloats(inPlace, n), n, 1e-6, 1e-5);
                }
            }
        }
    }

    @Test
    void swigluAndItsBackwardMatchTheReference() {
        try (DeviceScope d = new DeviceScope(runtime())) {
            for (long n : new long[] {1, 33, 4099}) {
                MemorySegment g = randomFloats(d.arena, n, n, -6, 6), u = randomFloats(d.arena, n, n + 1, -2, 2);
                MemorySegment dOut = randomFloats(d.arena, n, n + 2, -1, 1);
                MemorySegment want = nanFloats(d.arena, n), dG = nanFloats(d.arena, n), dU = nanFloats(d.arena, n);
                ref.swiglu(n, g, u, want);
                ref.swigluBackward(n, g, u, dOut, dG, dU);
                MemorySegment devG = d.upload(g), devU = d.upload(u), out = d.nanFloats(n);
                MemorySegment gotG = d.nanFloats(n), gotU = d.nanFloats(n);
                cuda().swiglu(n, devG, devU, out);
                cuda().swigluBackward(n, devG, devU, d.upload(dOut), gotG, gotU);
                assertClose("swiglu n=" + n, want, d.downloadFloats(out, n), n, F32_ATOL, F32_RTOL);
                assertClose("swiglu dGate n=" + n, dG, d.downloadFloats(gotG, n), n, F32_ATOL, F32_RTOL);
                assertClose("swiglu dUp n=" + n, dU, d.downloadFloats(gotU, n), n, F32_ATOL, F32_RTOL);
            }
        }
    }

    @Test
    void logProbGatherAndItsBackwardMatchTheReference() {
        int ignore = -100;
        try (DeviceScope d = new DeviceScope(runtime())) {
            for (int[] s : new int[][] {{1, 1}, {9, 33}, {13, 1000}, {4, 7001}}) {
                int rows = s[0], vocab = s[1];
                long n = (long) rows * vocab;
                String shape = rows + "x" + vocab;
                MemorySegment logits = gaussianFloats(d.arena, n, n, 4.0);
                MemorySegment targets = randomInts(d.arena, rows, rows, vocab);
                if (rows > 2) targets.setAtIndex(ValueLayout.JAVA_INT, 1, ignore);
                MemorySegment dLogp = randomFloats(d.arena, rows, 3, -1, 1);
                MemorySegment logp = nanFloats(d.arena, rows), lse = nanFloats(d.arena, rows), dLogits = nanFloats(d.arena, n);
                ref.logProbGather(rows, vocab, logits, targets, ignore, logp, lse);
                ref.logProbGatherBackward(rows, vocab, logits, targets, ignore, lse, dLogp, dLogits);

                MemorySegment dL = d.upload(logits), dT = d.upload(targets), gotLogp = d.nanFloats(rows), gotLse = d.nanFloats(rows);
                cuda().logProbGather(rows, vocab, dL, dT, ignore, gotLogp, gotLse);
                assertClose("logp " + shape, logp, d.downloadFloats(gotLogp, rows), rows, F32_ATOL, F32_RTOL);
                assertClose("lse " + shape, lse, d.downloadFloats(gotLse, rows), rows, F32_ATOL, F32_RTOL);
                MemorySegment gotD = d.nanFloats(n);
                cuda().logProbGatherBackward(rows, vocab, dL, dT, ignore, d.upload(lse), d.upload(dLogp), gotD);
                assertClose("dLogits " + shape, dLogits, d.downloadFloats(gotD, n), n, F32_ATOL, F32_RTOL);
            }
        }
    }

    @Test
    void aTargetOutsideTheVocabularyFailsNamingItsRow() {
        try (DeviceScope d = new DeviceScope(runtime())) {
            MemorySegment targets = d.arena.allocateFrom(ValueLayout.JAVA_INT, 0, 3, 10, -100);
            MemorySegment logits = d.upload(randomFloats(d.arena, 40, 1, -1, 1));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> cuda().logProbGather(4, 10, logits, d.upload(targets), -100, d.nanFloats(4), d.nanFloats(4)));
            assertTrue(e.getMessage().contains("targets[2] = 10"), e.getMessage());
        }
    }

    /** The online max/sum must not overflow where a naive sum of exp would: logits in the thousands. */
    @Test
    void logProbGatherIsStableForHugeLogits() {
        int rows = 3, vocab = 300;
        try (DeviceScope d = new DeviceScope(runtime())) {
            MemorySegment logits = randomFloats(d.arena, (long) rows * vocab, 9, 1000, 3000);
            MemorySegment targets = randomInts(d.arena, rows, 4, vocab);
            MemorySegment logp = nanFloats(d.arena, rows), lse = nanFloats(d.arena, rows);
            ref.logProbGather(rows, vocab, logits, targets, -1, logp, lse);
            MemorySegment gotLogp = d.nanFloats(rows), gotLse = d.nanFloats(rows);
            cuda().logProbGather(rows, vocab, d.upload(logits), d.upload(targets), -1, gotLogp, gotLse);
            MemorySegment got = d.downloadFloats(gotLogp, rows);
            for (int r = 0; r < rows; r++) assertTrue(Float.isFinite(Segments.getFloat(got, r)), "finite logp in row " + r);
            assertClose("logp (huge logits)", logp, got, rows, 1e-3, 1e-5);
        }
    }
}
