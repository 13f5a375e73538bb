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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The paths the vectorised row kernels choose by layout, against {@link ReferenceRows}: rows split across blocks
 * (log-prob forward), views that start off a 16-byte boundary (scalar heads, or the scalar fallback where two
 * operands sit at different offsets), widths off multiples of 4 and past the RMSNorm register budget, NaN and
 * masked (-inf) logits, and ignored targets.
 */
abstract class RowsLayoutContract {
    abstract CudaRuntime runtime();

    final RowKernels ref = new ReferenceRows();

    RowKernels cuda() {
        return new CudaRows(runtime());
    }

    /** A device copy of {@code host} that starts {@code offset} floats into its allocation. */
    static MemorySegment uploadAt(DeviceScope d, MemorySegment host, int offset) {
        MemorySegment padded = nanFloats(d.arena, host.byteSize() / Float.BYTES + offset);
        padded.asSlice((long) offset * Float.BYTES).copyFrom(host);
        return d.upload(padded).asSlice((long) offset * Float.BYTES, host.byteSize());
    }

    /** n NaN floats on the device, {@code offset} floats into their allocation. */
    static MemorySegment nanAt(DeviceScope d, long n, int offset) {
        return d.nanFloats(n + offset).asSlice((long) offset * Float.BYTES, n * Float.BYTES);
    }

    private void checkLogProb(DeviceScope d, String what, int rows, int vocab, MemorySegment logits,
                              MemorySegment targets, int ignore, int logitsOffset, int gradOffset) {
        long n = (long) rows * vocab;
        MemorySegment dLogp = randomFloats(d.arena, rows, rows + 7L, -1, 1);
        MemorySegment logp = nanFloats(d.arena, rows), lse = nanFloats(d.arena, rows), dLogits = nanFloats(d.arena, n);
        ref.logProbGather(rows, vocab, logits, targets, ignore, logp, lse);
        ref.logProbGatherBackward(rows, vocab, logits, targets, ignore, lse, dLogp, dLogits);

        MemorySegment dL = uploadAt(d, logits, logitsOffset), dT = d.upload(targets);
        MemorySegment gotLogp = d.nanFloats(rows), gotLse = d.nanFloats(rows);
        cuda().logProbGather(rows, vocab, dL, dT, ignore, gotLogp, gotLse);
        assertClose("logp " + what, logp, d.downloadFloats(gotLogp, rows), rows, F32_ATOL, F32_RTOL);
        assertClose("lse " + what, lse, d.downloadFloats(gotLse, rows), rows, F32_ATOL, F32_RTOL);
        MemorySegment gotD = nanAt(d, n, gradOffset);
        cuda().logProbGatherBackward(rows, vocab, dL, dT, ignore, d.upload(lse), d.upload(dLogp), gotD);
        assertClose("dLogits " + what, dLogits, d.downloadFloats(gotD, n), n, F32_ATOL, F32_RTOL);
    }

    @Test
    void logProbGatherOnSplitRowsAndUnalignedViews() {
        int ignore = -100, sms = runtime().multiprocessors();
        // {rows, vocab, logits offset, dLogits offset}: odd vocab makes every row start at another alignment.
        int[][] cases = {{2, 40_003, 1, 1}, {3, 65_536, 0, 0}, {5, 4099, 3, 2}, {2, 40_000, 2, 0}, {1, 1, 1, 0}};
        try (DeviceScope d = new DeviceScope(runtime())) {
            for (int[] c : cases) {
                int rows = c[0], vocab = c[1];
                String what = rows + "x" + vocab + " at +" + c[2] + "/+" + c[3];
                if (vocab >= 40_000) {
                    assertTrue(CudaRows.logProbSplits(rows, vocab, sms) > 1, "rows of " + what + " are split");
                }
                MemorySegment logits = gaussianFloats(d.arena, (long) rows * vocab, vocab + rows, 4.0);
                MemorySegment targets = randomInts(d.arena, rows, rows + 1L, vocab);
                if (rows > 2) targets.setAtIndex(ValueLayout.JAVA_INT, 1, ignore);
                checkLogProb(d, what, rows, vocab, logits, targets, ignore, c[2], c[3]);
            }
        }
    }

    @Test
    void logProbGatherPropagatesNaNSkipsMaskedLogitsAndZeroesIgnoredRows() {
        int rows = 5, vocab = 40_011, ignore = -1;
        long n = (long) rows * vocab;
        try (DeviceScope d = new DeviceScope(runtime())) {
            MemorySegment logits = gaussianFloats(d.arena, n, 11, 3.0);
            MemorySegment targets = randomInts(d.arena, rows, 12, vocab);
            Segments.setFloat(logits, 12_345, Float.NaN);                      // row 0: NaN mid-row
            for (int j = 0; j < vocab; j += 2) Segments.setFloat(logits, vocab + j, Float.NEGATIVE_INFINITY);
            targets.setAtIndex(ValueLayout.JAVA_INT, 1, 7);                     // row 1: half masked, target kept
            Segments.setFloat(logits, 2L * vocab + 3, Float.NaN);               // row 2: NaN, but ignored
            targets.setAtIndex(ValueLayout.JAVA_INT, 2, ignore);
            Segments.setFloat(logits, 3L * vocab, Float.NaN);                   // row 3: NaN in the scalar head
            for (int offset : new int[] {0, 1}) {
                checkLogProb(d, "special rows at +" + offset, rows, vocab, logits, targets, ignore, offset, offset);
            }
        }
    }

    @Test
    void rmsNormOnOddWidthsLongRowsUnalignedViewsAndNaNRows() {
        // {rows, dim, offset of x, y and dy}: registers (1536), past the register budget (2052), dim % 4 != 0,
        // a view off 16 bytes, one row, one column.
        int[][] cases = {{5, 1536, 0}, {6, 2052, 0}, {9, 899, 0}, {4, 896, 1}, {1, 3, 2}, {33, 1, 0}};
        try (DeviceScope d = new DeviceScope(runtime())) {
            for (int[] c : cases) {
                int rows = c[0], dim = c[1], off = c[2];
                long n = (long) rows * dim;
                String what = rows + "x" + dim + " at +" + off;
                MemorySegment x = randomFloats(d.arena, n, n + dim, -2, 2), w = randomFloats(d.arena, dim, dim, 0.5f, 1.5f);
                if (rows > 2) Segments.setFloat(x, (long) dim + dim / 2, Float.NaN);  // row 1 is NaN throughout
                MemorySegment dy = randomFloats(d.arena, n, n + 3, -1, 1), dw0 = randomFloats(d.arena, dim, 5, -1, 1);
                MemorySegment y = nanFloats(d.arena, n), rstd = nanFloats(d.arena, rows);
                ref.rmsNorm(rows, dim, x, w, 1e-6f, y, rstd);
                MemorySegment dX = uploadAt(d, x, off), dW = d.upload(w), dY = nanAt(d, n, off), dRstd = d.nanFloats(rows);
                cuda().rmsNorm(rows, dim, dX, dW, 1e-6f, dY, dRstd);
                assertClose("rmsNorm " + what, y, d.downloadFloats(dY, n), n, F32_ATOL, F32_RTOL);
                assertClose("rmsNorm rstd " + what, rstd, d.downloadFloats(dRstd, rows), rows, F32_ATOL, F32_RTOL);

                MemorySegment dx = nanFloats(d.arena, n), dw = copy(d.arena, dw0);
                ref.rmsNormBackward(rows, dim, x, w, rstd, dy, dx, dw);
                MemorySegment dDx = nanAt(d, n, off), dDw = d.upload(dw0);
                cuda().rmsNormBackward(rows, dim, dX, dW, d.upload(rstd), uploadAt(d, dy, off), dDx, dDw);
                assertClose("rmsNormBackward dx " + what, dx, d.downloadFloats(dDx, n), n, F32_ATOL, F32_RTOL);
                assertClose("rmsNormBackward dWeight " + what, dw, d.downloadFloats(dDw, dim), dim, F32_ATOL, F32_RTOL);
            }
        }
    }
}
