package dev.latentr3.kernels.cpu;

/**
 * An N-d iteration space over several strided operands, simplified for the fast kernels: size-1 dimensions are
 * dropped and neighbouring dimensions merged wherever every operand walks them as one (stride[d] == stride[d+1] *
 * shape[d+1]). A contiguous same-shape operation thus becomes one long row, a bias add [R, C] + [C] stays two
 * dimensions, and the innermost dimension is as long as it can be, which is what the vector loops want.
 *
 * <p>The CUDA kernels use it too, to bring a strided operation down to the rank their index math handles.
 *
 * <p>The result always has rank >= 1. Shapes here are long because merged dimensions can exceed an int.
 */
public final class StridedLayout {
    final long[] shape;
    /** strides[k][d]: operand k's stride (elements) along dimension d. */
    final long[][] strides;

    private StridedLayout(long[] shape, long[][] strides) {
        this.shape = shape;
        this.strides = strides;
    }

    public int rank() {
        return shape.length;
    }

    /** Size of dimension d. */
    public long dim(int d) {
        return shape[d];
    }

    /** Operand k's stride (elements) along dimension d. */
    public long stride(int operand, int d) {
        return strides[operand][d];
    }

    long inner() {
        return shape[shape.length - 1];
    }

    long innerStride(int operand) {
        return strides[operand][shape.length - 1];
    }

    /** Number of innermost rows: the product of all but the last dimension. */
    long rows() {
        long r = 1;
        for (int d = 0; d < shape.length - 1; d++) r *= shape[d];
        return r;
    }

    /** Row-major contiguous strides for a shape. */
    public static long[] contiguous(int[] shape) {
        long[] s = new long[shape.length];
        long step = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = step;
            step *= shape[d];
        }
        return s;
    }

    /** Assumes a non-empty shape (no zero dimension) and strides of the same rank. */
    public static StridedLayout of(int[] shape, long[]... operandStrides) {
        int ops = operandStrides.length;
        long[] sh = new long[Math.max(1, shape.length)];
        long[][] st = new long[ops][sh.length];
        int rank = 0;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) continue;
            if (rank > 0 && mergeable(st, rank - 1, shape[d], operandStrides, d)) {
                sh[rank - 1] *= shape[d];
                for (int k = 0; k < ops; k++) st[k][rank - 1] = operandStrides[k][d];
                continue;
            }
            sh[rank] = shape[d];
            for (int k = 0; k < ops; k++) st[k][rank] = operandStrides[k][d];
            rank++;
        }
        if (rank == 0) {
            // A single element: one row of length 1 (strides irrelevant).
            return new StridedLayout(new long[] {1}, new long[ops][1]);
        }
        long[] outShape = java.util.Arrays.copyOf(sh, rank);
        long[][] outStrides = new long[ops][];
        for (int k = 0; k < ops; k++) outStrides[k] = java.util.Arrays.copyOf(st[k], rank);
        return new StridedLayout(outShape, outStrides);
    }

    /** Whether the last dimension of the partial result and input dimension d (of that size) walk as one. */
    private static boolean mergeable(long[][] outerStrides, int outerDim, int size, long[][] in, int d) {
        for (int k = 0; k < in.length; k++) {
            if (outerStrides[k][outerDim] != in[k][d] * size) return false;
        }
        return true;
    }

    /**
     * Walks the leading (all but the last) dimensions in row-major order, keeping each operand's element offset of
     * the current row; used to visit a range of rows without a division per row.
     */
    final class RowCursor {
        private final long[] counter = new long[shape.length];
        final long[] offset = new long[strides.length];

        /** Positions the cursor on row {@code row} (0-based, row-major over the leading dimensions). */
        RowCursor(long row) {
            for (int d = shape.length - 2; d >= 0; d--) {
                counter[d] = row % shape[d];
                row /= shape[d];
                for (int k = 0; k < offset.length; k++) offset[k] += counter[d] * strides[k][d];
            }
        }

        void next() {
            for (int d = shape.length - 2; d >= 0; d--) {
                counter[d]++;
                for (int k = 0; k < offset.length; k++) offset[k] += strides[k][d];
                if (counter[d] < shape[d]) return;
                counter[d] = 0;
                for (int k = 0; k < offset.length; k++) offset[k] -= shape[d] * strides[k][d];
            }
        }
    }
}
