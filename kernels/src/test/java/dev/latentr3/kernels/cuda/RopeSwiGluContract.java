package dev.latentr3.kernels.cuda;

import dev.latentr3.kernels.RowKernels;
import dev.latentr3.kernels.cpu.ReferenceRows;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.latentr3.kernels.KernelCheck.F32_ATOL;
import static dev.latentr3.kernels.KernelCheck.F32_RTOL;
import static dev.latentr3.kernels.KernelCheck.assertClose;
import static dev.latentr3.kernels.KernelCheck.nanFloats;
import static dev.latentr3.kernels.KernelCheck.randomFloats;
import static dev.latentr3.kernels.KernelCheck.randomInts;
import static dev.latentr3.kernels.cuda.RowsLayoutContract.nanAt;
import static dev.latentr3.kernels.cuda.RowsLayoutContract.uploadAt;

/**
 * RoPE and SwiGLU (rope.cu, swiglu.cu) on every path their launchers and kernels choose by shape and layout, against
 * {@link ReferenceRows}: heads split into groups of up to {@link CudaRows#ROPE_MAX_HEADS_PER_THREAD} with a remainder,
 * float4 and scalar lanes, pass-through entries, frequencies past the shared table, views off a 16-byte boundary
 * (scalar heads and tails, or the all-scalar fallback when operands sit at different offsets), in place, and more
 * work than the largest grid so that threads take grid-stride turns. Outputs start as NaN, so an unwritten element
 * fails.
 */
abstract class RopeSwiGluContract {
    abstract CudaRuntime runtime();

    final RowKernels ref = new ReferenceRows();

    RowKernels cuda() {
        return new CudaRows(runtime());
    }

    /** Threads of the largest linear grid (CudaRuntime.linearGrid: 32 blocks of 256 per multiprocessor). */
    private long gridThreads() {
        return 32L * CudaRuntime.LINEAR_BLOCK * runtime().multiprocessors();
    }

    @Test
    void ropeOnHeadGroupsOddDimensionsPassThroughAndUnalignedViews() {
        // 14 heads x 64: 4 groups (4, 4, 4, 2) x 8 float4 lanes = 32 items per token; enough tokens for two turns.
        int manyTokens = (int) (gridThreads() / 32) + 3;
        // {tokens, heads, headDim, rotaryDim, x offset, y offset} (offsets in floats into the allocation)
        int[][] cases = {
                {manyTokens, 14, 64, 64, 0, 0},  // Qwen2.5-0.5B query heads, grid-stride turns
                {5, 12, 128, 128, 0, 0},         // Qwen2.5-1.5B: 3 groups of 4
                {3, 5, 80, 80, 0, 0},            // groups of 3 and 2, 40 pairs
                {9, 3, 80, 64, 0, 0},            // 16 pass-through entries as float4
                {11, 1, 2, 2, 0, 0},             // one pair per head: scalar lanes
                {4, 7, 24, 20, 0, 0},            // 10 pairs: scalar, with 4 pass-through entries
                {6, 2, 64, 64, 1, 1},            // views 4 bytes off 16: scalar
                {6, 3, 64, 64, 0, 2},            // y alone off 16 bytes: scalar
                {2, 9, 4, 0, 0, 0},              // nothing rotated: a float4 copy in groups of 3
                {1, 1, 4104, 4104, 0, 0}};       // 2052 pairs: those past the 2048-entry table compute their own
        try (DeviceScope d = new DeviceScope(runtime())) {
            for (int[] c : cases) {
                int tokens = c[0], heads = c[1], headDim = c[2], rotaryDim = c[3], xOff = c[4], yOff = c[5];
                long n = (long) tokens * heads * headDim;
                String shape = tokens + "x" + heads + "x" + headDim + " rotary " + rotaryDim + " at +" + xOff + "/+" + yOff;
                MemorySegment x = randomFloats(d.arena, n, n + headDim, -2, 2);
                // Positions as the API allows: any int; large ones (2^20 rad and more) and a negative one.
                MemorySegment positions = randomInts(d.arena, tokens, tokens + heads, 1 << 20);
                if (tokens > 1) positions.setAtIndex(ValueLayout.JAVA_INT, tokens - 1, -12_345);
                MemorySegment dX = uploadAt(d, x, xOff), dPos = d.upload(positions);
                for (boolean inverse : new boolean[] {false, true}) {
                    String what = "rope " + shape + (inverse ? " inverse" : "");
                    MemorySegment want = nanFloats(d.arena, n);
                    ref.rope(tokens, heads, headDim, rotaryDim, 1e6, positions, inverse, x, want);
                    MemorySegment got = nanAt(d, n, yOff);
                    cuda().rope(tokens, heads, headDim, rotaryDim, 1e6, dPos, inverse, dX, got);
                    assertClose(what, want, d.downloadFloats(got, n), n, 1e-6, 1e-5);
                    MemorySegment inPlace = uploadAt(d, x, xOff);
                    cuda().rope(tokens, heads, headDim, rotaryDim, 1e6, dPos, inverse, inPlace, inPlace);
                    assertClose(what + " in place", want, d.downloadFloats(inPlace, n), n, 1e-6, 1e-5);
                }
            }
        }
    }

    @Test
    void swigluOnUnalignedViewsTailsInPlaceAndGridStrideTurns() {
        long many = 4L * CudaRows.SWIGLU_UNROLL * gridThreads() + 3;  // past one grid of SWIGLU_UNROLL float4s each
        // {n, offsets of gate, up, dOut, out (and dGate), dUp}
        long[][] cases = {
                {many, 0, 0, 0, 0, 0},    // float4 body, 3-float tail, grid-stride turns
                {4099, 1, 1, 1, 1, 1},    // 3-float head, float4 body
                {4099, 2, 2, 2, 2, 2},    // 2-float head, 1-float tail
                {1001, 0, 1, 0, 0, 0},    // up at another offset: all scalar
                {1001, 0, 0, 0, 3, 0},    // an output at another offset: all scalar
                {3, 2, 2, 2, 2, 2},       // head and tail only
                {1, 3, 3, 3, 3, 3}};
        try (DeviceScope d = new DeviceScope(runtime())) {
            for (long[] c : cases) {
                long n = c[0];
                int gOff = (int) c[1], uOff = (int) c[2], dOff = (int) c[3], oOff = (int) c[4], duOff = (int) c[5];
                String shape = "n=" + n + " at +" + gOff + "/+" + uOff + "/+" + dOff + "/+" + oOff + "/+" + duOff;
                MemorySegment g = randomFloats(d.arena, n, n, -8, 8), u = randomFloats(d.arena, n, n + 1, -2, 2);
                MemorySegment dOut = randomFloats(d.arena, n, n + 2, -1, 1);
                MemorySegment want = nanFloats(d.arena, n), dG = nanFloats(d.arena, n), dU = nanFloats(d.arena, n);
                ref.swiglu(n, g, u, want);
                ref.swigluBackward(n, g, u, dOut, dG, dU);

                MemorySegment devG = uploadAt(d, g, gOff), devU = uploadAt(d, u, uOff), devD = uploadAt(d, dOut, dOff);
                MemorySegment out = nanAt(d, n, oOff);
                cuda().swiglu(n, devG, devU, out);
                assertClose("swiglu " + shape, want, d.downloadFloats(out, n), n, F32_ATOL, F32_RTOL);
                MemorySegment gotG = nanAt(d, n, oOff), gotU = nanAt(d, n, duOff);
                cuda().swigluBackward(n, devG, devU, devD, gotG, gotU);
                assertClose("swiglu dGate " + shape, dG, d.downloadFloats(gotG, n), n, F32_ATOL, F32_RTOL);
                assertClose("swiglu dUp " + shape, dU, d.downloadFloats(gotU, n), n, F32_ATOL, F32_RTOL);

                // In place: out over gate; dGate over gate and dUp over up.
                MemorySegment inG = uploadAt(d, g, gOff);
                cuda().swiglu(n, inG, devU, inG);
                assertClose("swiglu in place " + shape, want, d.downloadFloats(inG, n), n, F32_ATOL, F32_RTOL);
                MemorySegment inG2 = uploadAt(d, g, gOff), inU = uploadAt(d, u, uOff);
                cuda().swigluBackward(n, inG2, inU, devD, inG2, inU);
                assertClose("swiglu dGate in place " + shape, dG, d.downloadFloats(inG2, n), n, F32_ATOL, F32_RTOL);
                assertClose("swiglu dUp in place " + shape, dU, d.downloadFloats(inU, n), n, F32_ATOL, F32_RTOL);
            }
        }
    }
}
