package dev.latentr3.engine;

import java.util.Arrays;

/** Shape arithmetic shared by the ops: element counts, strides, axis normalisation, broadcasting. */
public final class Shapes {
    private Shapes() {}

    public static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    public static long[] contiguousStrides(int[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= Math.max(1, shape[i]);
        }
        return s;
    }

    /** Normalises a possibly negative axis against a rank. */
    public static int axis(int d, int rank) {
        int a = d < 0 ? d + rank : d;
        if (a < 0 || a >= rank) throw new IllegalArgumentException("axis " + d + " is out of range for rank " + rank);
        return a;
    }

    public static int[] allAxes(int rank) {
        int[] a = new int[rank];
        for (int i = 0; i < rank; i++) a[i] = i;
        return a;
    }

    /** The broadcast of two shapes (numpy rules), or an error naming the op and both shapes. */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i - (rank - a.length) >= 0 ? a[i - (rank - a.length)] : 1;
            int db = i - (rank - b.length) >= 0 ? b[i - (rank - b.length)] : 1;
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " do not broadcast (dimension " + i + ": " + da + " vs " + db + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Strides that read tensor t as if it had the (broadcast) shape {@code target}: 0 where t is broadcast. */
    public static long[] broadcastStrides(Tensor t, int[] target) {
        int[] s = t.shape();
        long[] st = t.strides();
        long[] out = new long[target.length];
        int shift = target.length - s.length;
        for (int i = 0; i < target.length; i++) {
            int j = i - shift;
            out[i] = j < 0 || s[j] == 1 ? 0 : st[j];
        }
        return out;
    }

    public static String str(int[] shape) {
        return Arrays.toString(shape);
    }
}
