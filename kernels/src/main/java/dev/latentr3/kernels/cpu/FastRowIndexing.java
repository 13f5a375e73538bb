package dev.latentr3.kernels.cpu;

import dev.latentr3.kernels.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static dev.latentr3.kernels.Segments.getFloat;
import static dev.latentr3.kernels.Segments.setFloat;

/**
 * Row gathers and scatters for {@link FastElementwise}; indices are already checked. Writes into the table are
 * partitioned by destination row: each task scans all indices (cheap: n ints) and handles only those in its own row
 * range, in order. So repeated indices need no atomics, accumulate in the reference's order (bit-identical results)
 * and "later entries win" holds for putRows.
 */
final class FastRowIndexing {
    private FastRowIndexing() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    static int[] indices(MemorySegment idx, int n) {
        return idx.asSlice(0, (long) n * Integer.BYTES).toArray(ValueLayout.JAVA_INT_UNALIGNED);
    }

    static void gather(int n, int dim, MemorySegment table, int[] idx, MemorySegment out) {
        long rowBytes = (long) dim * Float.BYTES;
        Parallel.forRange(n, dim, (i0, i1) -> {
            for (int i = i0; i < i1; i++) MemorySegment.copy(table, idx[i] * rowBytes, out, i * rowBytes, rowBytes);
        });
    }

    @FunctionalInterface
    private interface RowWrite {
        /** Handles entry i, whose destination row is {@code row}. */
        void run(int i, int row);
    }

    private static void byDestination(int n, int dim, int rows, int[] idx, RowWrite write) {
        if (n == 0 || rows == 0) return;
        // Cost per destination row: its share of the row writes plus its share of the index scan.
        long work = Math.max(1, ((long) n * dim + n) / rows);
        Parallel.forRange(rows, work, (r0, r1) -> {
            for (int i = 0; i < n; i++) {
                int r = idx[i];
                if (r >= r0 && r < r1) write.run(i, r);
            }
        });
    }

    static void scatterAdd(int n, int dim, MemorySegment dOut, int[] idx, int rows, MemorySegment dTable) {
        byDestination(n, dim, rows, idx, (i, r) -> addRow(dOut, (long) i * dim, dTable, (long) r * dim, dim));
    }

    static void put(int n, int dim, MemorySegment src, int[] idx, int rows, MemorySegment dst) {
        long rowBytes = (long) dim * Float.BYTES;
        byDestination(n, dim, rows, idx, (i, r) -> MemorySegment.copy(src, i * rowBytes, dst, r * rowBytes, rowBytes));
    }

    static void fill(int n, int dim, float value, int[] idx, int rows, MemorySegment dst) {
        byDestination(n, dim, rows, idx, (i, r) -> FastFill.fill(dst, (long) r * dim, (long) r * dim + dim, value));
    }

    /** dst[to + c] += src[from + c] for c < len. */
    private static void addRow(MemorySegment src, long from, MemorySegment dst, long to, int len) {
        int c = 0, bound = F.loopBound(len);
        for (; c < bound; c += F.length()) {
            long d = (to + c) * Float.BYTES;
            FloatVector.fromMemorySegment(F, dst, d, NATIVE)
                    .add(FloatVector.fromMemorySegment(F, src, (from + c) * Float.BYTES, NATIVE))
                    .intoMemorySegment(dst, d, NATIVE);
        }
        for (; c < len; c++) setFloat(dst, to + c, getFloat(dst, to + c) + getFloat(src, from + c));
    }
}
