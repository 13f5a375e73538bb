package dev.latentr3.kernels.cpu;

import dev.latentr3.kernels.Parallel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * copyStrided for {@link FastElementwise}. After merging dimensions:
 * <ul>
 *   <li>innermost dimension contiguous in src: each row is one bulk copy;</li>
 *   <li>the second-innermost contiguous instead (a transpose of the last two dimensions): square tiles, each read as
 *       bulk column runs into a heap scratch array, transposed there and written out as bulk row runs. Element-wise
 *       segment access in a tile measured 3-4x slower than this;</li>
 *   <li>anything else (stepped slices): element by element, row-major.</li>
 * </ul>
 */
final class FastStridedCopy {
    private FastStridedCopy() {}

    /** Tile edge in elements: a 32 x 32 tile of 8-byte elements is 8 KiB, so tile and source lines stay in L1. */
    private static final int TILE = 32;

    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;

    static void copy(int eb, int[] shape, MemorySegment src, long[] srcStrides, MemorySegment dst) {
        StridedLayout layout = StridedLayout.of(shape, srcStrides, StridedLayout.contiguous(shape));
        int rank = layout.rank();
        if (layout.innerStride(0) == 1) {
            WorkSplit.rows(layout, 1, (off, start, len) ->
                    MemorySegment.copy(src, (off[0] + start) * eb, dst, (off[1] + start) * eb, len * eb));
        } else if (rank >= 2 && layout.strides[0][rank - 2] == 1) {
            transposed(eb, layout, src, dst);
        } else {
            long stride = layout.innerStride(0);
            WorkSplit.rows(layout, 2, (off, start, len) -> {
                for (long i = 0; i < len; i++) element(eb, src, off[0] + (start + i) * stride, dst, off[1] + start + i);
            });
        }
    }

    /** The last two dimensions [rows, cols] have src strides [1, sc]: tiles of TILE rows x TILE columns. */
    private static void transposed(int eb, StridedLayout layout, MemorySegment src, MemorySegment dst) {
        int rank = layout.rank();
        long rowsPerPlane = layout.shape[rank - 2], cols = layout.inner(), sc = layout.innerStride(0);
        long planes = layout.rows() / rowsPerPlane;
        long bands = (rowsPerPlane + TILE - 1) / TILE;
        Parallel.forRange(Math.toIntExact(planes * bands), TILE * cols * 2, (from, to) -> {
            Tile tile = new Tile(eb);
            for (int item = from; item < to; item++) {
                long plane = item / bands, r0 = (item % bands) * TILE;
                int h = (int) Math.min(TILE, rowsPerPlane - r0);
                long srcBase = planeOffset(layout, plane) + r0;
                long dstBase = (plane * rowsPerPlane + r0) * cols;
                for (long c0 = 0; c0 < cols; c0 += TILE) {
                    int w = (int) Math.min(TILE, cols - c0);
                    tile.load(src, srcBase + c0 * sc, sc, h, w);
                    tile.store(dst, dstBase + c0, cols, h, w);
                }
            }
        });
    }

    /**
     * Scratch for one tile of one element width, held column-major (column c's h elements at [c * TILE, c * TILE + h)),
     * as the source delivers it, plus one row for the transposed write.
     */
    private static final class Tile {
        private final int eb;
        private final short[] s, sRow;
        private final int[] i, iRow;
        private final long[] l, lRow;

        Tile(int eb) {
            this.eb = eb;
            s = eb == 2 ? new short[TILE * TILE] : null;
            sRow = eb == 2 ? new short[TILE] : null;
            i = eb == 4 ? new int[TILE * TILE] : null;
            iRow = eb == 4 ? new int[TILE] : null;
            l = eb == 8 ? new long[TILE * TILE] : null;
            lRow = eb == 8 ? new long[TILE] : null;
        }

        /** Reads w columns of h contiguous elements; column c starts at src element {@code at + c * stride}. */
        void load(MemorySegment src, long at, long stride, int h, int w) {
            for (int c = 0; c < w; c++) {
                long off = (at + c * stride) * eb;
                switch (eb) {
                    case 2 -> MemorySegment.copy(src, I16, off, s, c * TILE, h);
                    case 4 -> MemorySegment.copy(src, I32, off, i, c * TILE, h);
                    default -> MemorySegment.copy(src, I64, off, l, c * TILE, h);
                }
            }
        }

        /** Writes h rows of w elements; row r starts at dst element {@code at + r * stride}. */
        void store(MemorySegment dst, long at, long stride, int h, int w) {
            for (int r = 0; r < h; r++) {
                long off = (at + r * stride) * eb;
                switch (eb) {
                    case 2 -> {
                        for (int c = 0; c < w; c++) sRow[c] = s[c * TILE + r];
                        MemorySegment.copy(sRow, 0, dst, I16, off, w);
                    }
                    case 4 -> {
                        for (int c = 0; c < w; c++) iRow[c] = i[c * TILE + r];
                        MemorySegment.copy(iRow, 0, dst, I32, off, w);
                    }
                    default -> {
                        for (int c = 0; c < w; c++) lRow[c] = l[c * TILE + r];
                        MemorySegment.copy(lRow, 0, dst, I64, off, w);
                    }
                }
            }
        }
    }

    /** src element offset of plane p: a row-major index over all dimensions but the last two. */
    private static long planeOffset(StridedLayout layout, long p) {
        long off = 0;
        for (int d = layout.rank() - 3; d >= 0; d--) {
            off += (p % layout.shape[d]) * layout.strides[0][d];
            p /= layout.shape[d];
        }
        return off;
    }

    /** Copies one element as an integer of its width, so NaN payloads survive. */
    private static void element(int eb, MemorySegment src, long from, MemorySegment dst, long to) {
        switch (eb) {
            case 2 -> dst.setAtIndex(I16, to, src.getAtIndex(I16, from));
            case 4 -> dst.setAtIndex(I32, to, src.getAtIndex(I32, from));
            default -> dst.setAtIndex(I64, to, src.getAtIndex(I64, from));
        }
    }
}
