package dev.latentr3.kernels.cpu;

import dev.latentr3.kernels.Segments;

import java.lang.foreign.MemorySegment;

/** Argument checks shared by the row kernels, so that every implementation (CPU and CUDA) rejects the same bad calls the same way. */
public final class RowArgs {
    private RowArgs() {}

    public static void nonNegative(String kernel, String name, long value) {
        if (value < 0) throw new IllegalArgumentException(kernel + ": " + name + " must be >= 0, got " + value);
    }

    /** The segment must hold at least {@code count} fp32 (or int32: same width) elements. */
    public static void holds(String kernel, String name, MemorySegment s, long count) {
        if (s == null) throw new IllegalArgumentException(kernel + ": " + name + " is null");
        long need = count * Float.BYTES;
        if (s.byteSize() < need) {
            throw new IllegalArgumentException(kernel + ": " + name + " holds " + s.byteSize() / Float.BYTES
                    + " elements, expected at least " + count);
        }
    }

    public static void rope(int tokens, int heads, int headDim, int rotaryDim, double theta, MemorySegment positions,
                     MemorySegment x, MemorySegment y) {
        nonNegative("rope", "tokens", tokens);
        nonNegative("rope", "heads", heads);
        nonNegative("rope", "headDim", headDim);
        if (rotaryDim < 0 || rotaryDim > headDim || (rotaryDim & 1) != 0) {
            throw new IllegalArgumentException("rope: rotaryDim must be even and in [0, headDim=" + headDim
                    + "], got " + rotaryDim);
        }
        if (!(theta > 0) || Double.isInfinite(theta)) {
            throw new IllegalArgumentException("rope: theta must be a positive finite base, got " + theta);
        }
        long n = (long) tokens * heads * headDim;
        holds("rope", "positions", positions, tokens);
        holds("rope", "x", x, n);
        holds("rope", "y", y, n);
    }

    /**
     * Checks every target before any work starts: a bad label is a data bug, and reporting its row beats a NaN loss
     * (or a read outside the row) later.
     */
    static void targets(String kernel, int rows, int vocab, MemorySegment targets, int ignoreIndex) {
        for (int r = 0; r < rows; r++) {
            int t = Segments.getInt(targets, r);
            if (t != ignoreIndex && (t < 0 || t >= vocab)) {
                throw new IllegalArgumentException(kernel + ": row " + r + " has target " + t
                        + ", outside [0, vocab=" + vocab + ") and not the ignore index " + ignoreIndex);
            }
        }
    }

    /** logits [rows, vocab], targets [rows] all valid, and two more [rows] operands. */
    static void logProb(String kernel, int rows, int vocab, MemorySegment logits, MemorySegment targets,
                        int ignoreIndex, String aName, MemorySegment a, String bName, MemorySegment b) {
        nonNegative(kernel, "rows", rows);
        nonNegative(kernel, "vocab", vocab);
        holds(kernel, "logits", logits, (long) rows * vocab);
        holds(kernel, "targets", targets, rows);
        holds(kernel, aName, a, rows);
        holds(kernel, bName, b, rows);
        targets(kernel, rows, vocab, targets, ignoreIndex);
    }

    public static void matrix(String kernel, int rows, int cols, String aName, MemorySegment a, String bName,
                       MemorySegment b) {
        nonNegative(kernel, "rows", rows);
        nonNegative(kernel, "cols", cols);
        holds(kernel, aName, a, (long) rows * cols);
        holds(kernel, bName, b, (long) rows * cols);
    }

    public static void matrix(String kernel, int rows, int cols, String aName, MemorySegment a, String bName,
                       MemorySegment b, String cName, MemorySegment c) {
        matrix(kernel, rows, cols, aName, a, bName, b);
        holds(kernel, cName, c, (long) rows * cols);
    }

    /** x [rows, dim], weight [dim], rstd [rows] and one more [rows, dim] operand. */
    public static void rmsNorm(String kernel, int rows, int dim, MemorySegment x, MemorySegment weight, MemorySegment rstd,
                        String otherName, MemorySegment other) {
        matrix(kernel, rows, dim, "x", x, otherName, other);
        holds(kernel, "weight", weight, dim);
        holds(kernel, "rstd", rstd, rows);
    }

    public static void flat(String kernel, long n, String aName, MemorySegment a, String bName, MemorySegment b,
                     String cName, MemorySegment c) {
        nonNegative(kernel, "n", n);
        holds(kernel, aName, a, n);
        holds(kernel, bName, b, n);
        holds(kernel, cName, c, n);
    }
}
