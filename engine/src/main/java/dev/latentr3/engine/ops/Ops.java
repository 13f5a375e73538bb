package dev.latentr3.engine.ops;

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
}
