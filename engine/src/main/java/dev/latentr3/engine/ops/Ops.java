package dev.latentr3.engine.ops;

import dev.latentr3.engine.DType;
import dev.latentr3.engine.Tensor;

/** Argument checks that every op shares, so that their messages read the same. */
public final class Ops {
    private Ops() {}

    public static void sameDevice(String op, Tensor... ts) {
        for (Tensor t : ts) {
            if (!t.device().equals(ts[0].device())) {
                throw new IllegalArgumentException(op + ": tensors on different devices: " + ts[0].describe() + " on "
                        + ts[0].device() + ", " + t.describe() + " on " + t.device());
            }
        }
    }

    public static void requireRank(String op, String what, Tensor t, int rank) {
        if (t.dim() != rank) {
            throw new IllegalArgumentException(op + ": " + what + " must have " + rank + " dimensions, got " + t.describe());
        }
    }

    public static void requireDim(String op, String what, Tensor t, int axis, int expected) {
        if (t.size(axis) != expected) {
            throw new IllegalArgumentException(op + ": " + what + " " + t.describe() + " must have size " + expected
                    + " in dimension " + axis + ", got " + t.size(axis));
        }
    }

    public static void requireDType(String op, String what, Tensor t, DType expected) {
        t.checkAlive(op);
        if (t.dtype() != expected) {
            throw new IllegalArgumentException(op + ": " + what + " must be " + expected + ", got " + t.describe());
        }
    }

    /**
     * Checks int32 indices in host memory: each must be in [0, bound) (the rows of {@code of}), or equal
     * {@code exempt} when that is not null (an ignore index). Checked here, before any kernel runs, so that the message
     * names the op, the position and both tensors. Indices in device memory are not read here (that would wait for
     * the device on every call): the device kernels check them and fail the call naming the bad entry.
     */
    public static void requireIndices(String op, String what, Tensor indices, int bound, Tensor of, Integer exempt) {
        requireDType(op, what + "s", indices, DType.I32);
        if (indices.device().isCpu()) hostIndices(op, what, indices, bound, of, exempt);
    }

    /**
     * The indices as host values, checked as {@link #requireIndices} does; a device tensor is copied to the host for
     * this (for ops that need the values themselves in Java).
     */
    public static int[] hostIndices(String op, String what, Tensor indices, int bound, Tensor of, Integer exempt) {
        requireDType(op, what + "s", indices, DType.I32);
        int[] values = indices.toIntArray();
        for (int i = 0; i < values.length; i++) {
            int v = values[i];
            if ((v < 0 || v >= bound) && (exempt == null || v != exempt)) {
                throw new IllegalArgumentException(op + ": " + what + " " + v + " at position " + i + " of "
                        + indices.describe() + " is outside [0, " + bound + ") for " + of.describe()
                        + (exempt == null ? "" : " (and is not the ignore index " + exempt + ")"));
            }
        }
        return values;
    }
}
