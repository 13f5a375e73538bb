package dev.latentr3.kernels.cpu;

import dev.latentr3.kernels.Parallel;

/**
 * Splits element ranges into work items for {@link Parallel}: a contiguous range into blocks, and the rows of a
 * {@link StridedLayout} (long rows into blocks too) so that many short rows and a few very long ones both spread over
 * the cores.
 */
final class WorkSplit {
    private WorkSplit() {}

    /** Longest stretch of one row handed to one call of the body: big enough to amortise, small enough to split. */
    static final long BLOCK = 1 << 14;

    @FunctionalInterface
    interface RowBody {
        /**
         * Handles elements [start, start + len) of the row whose operands begin at {@code rowOffsets} (elements; the
         * array is reused between calls and must not be kept).
         */
        void run(long[] rowOffsets, long start, long len);
    }

    @FunctionalInterface
    interface RangeBody {
        void run(long from, long to);
    }

    /** Runs body over [0, n) in blocks; {@code workPerElement} is the rough cost of one element. */
    static void range(long n, long workPerElement, RangeBody body) {
        if (n <= 0) return;
        int blocks = Math.toIntExact((n + BLOCK - 1) / BLOCK);
        Parallel.forRange(blocks, Math.min(n, BLOCK) * workPerElement,
                (from, to) -> body.run(from * BLOCK, Math.min(n, to * BLOCK)));
    }

    /** Runs body over every (row, block) of the layout; {@code workPerElement} is the rough cost of one element. */
    static void rows(StridedLayout layout, long workPerElement, RowBody body) {
        long inner = layout.inner();
        long blocks = (inner + BLOCK - 1) / BLOCK;
        // Beyond 2^31 items (rows of ~1 element each, > 8 GiB of floats) Parallel's int range cannot index them.
        int items = Math.toIntExact(layout.rows() * blocks);
        Parallel.forRange(items, Math.min(inner, BLOCK) * workPerElement, (from, to) -> {
            long blk = from % blocks;
            StridedLayout.RowCursor cursor = layout.new RowCursor(from / blocks);
            for (int item = from; item < to; item++) {
                long start = blk * BLOCK;
                body.run(cursor.offset, start, Math.min(BLOCK, inner - start));
                if (++blk == blocks) {
                    blk = 0;
                    if (item + 1 < to) cursor.next();
                }
            }
        });
    }
}
