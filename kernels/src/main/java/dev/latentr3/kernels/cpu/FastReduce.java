package dev.latentr3.kernels.cpu;

import dev.latentr3.kernels.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static dev.latentr3.kernels.Segments.getFloat;
import static dev.latentr3.kernels.Segments.setFloat;

/**
 * reduce and sumOfSquares for {@link FastElementwise}. Sums add vectors of floats for a short stretch and then fold
 * the partial into a double, which keeps the float error of any one partial to a few dozen terms while the bulk of
 * the work stays in float lanes.
 *
 * <p>With inner > 1 the loops stream each [reduce] row of x contiguously into a per-chunk accumulator row (vectorised
 * across inner); with inner == 1 they vectorise along the reduced axis itself. Both are parallel over independent
 * outputs, so results do not depend on the thread count.
 */
final class FastReduce {
    private FastReduce() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = F.withLanes(int.class);
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    /** Elements summed in float before folding into double (inner == 1 and sumOfSquares). */
    private static final int CHUNK = 512;
    /** Reduced rows summed in float before folding into double (inner > 1). */
    private static final int ROWS_PER_FOLD = 64;
    /** Columns of inner handled by one work item: accumulators of this width stay in L1. */
    private static final int COLS = 1024;

    static void sum(int outer, int reduce, int inner, MemorySegment x, MemorySegment out) {
        if (inner == 1) {
            Parallel.forRange(outer, Math.max(1, reduce), (o0, o1) -> {
                for (int o = o0; o < o1; o++) setFloat(out, o, (float) sum(x, (long) o * reduce, reduce, false));
            });
            return;
        }
        int colChunks = (inner + COLS - 1) / COLS;
        Parallel.forRange(Math.multiplyExact(outer, colChunks), (long) reduce * Math.min(inner, COLS), (from, to) -> {
            float[] part = new float[Math.min(inner, COLS)];
            double[] total = new double[part.length];
            for (int item = from; item < to; item++) {
                int o = item / colChunks, c0 = (item % colChunks) * COLS, width = Math.min(COLS, inner - c0);
                long base = (long) o * reduce * inner + c0;
                java.util.Arrays.fill(total, 0, width, 0.0);
                for (int r0 = 0; r0 < reduce; r0 += ROWS_PER_FOLD) {
                    java.util.Arrays.fill(part, 0, width, 0f);
                    for (int r = r0, r1 = Math.min(reduce, r0 + ROWS_PER_FOLD); r < r1; r++) {
                        addRow(x, base + (long) r * inner, part, width);
                    }
                    for (int c = 0; c < width; c++) total[c] += part[c];
                }
                long at = (long) o * inner + c0;
                for (int c = 0; c < width; c++) setFloat(out, at + c, (float) total[c]);
            }
        });
    }

    private static void addRow(MemorySegment x, long off, float[] acc, int width) {
        int c = 0, bound = F.loopBound(width);
        for (; c < bound; c += F.length()) {
            FloatVector.fromArray(F, acc, c)
                    .add(FloatVector.fromMemorySegment(F, x, (off + c) * Float.BYTES, NATIVE))
                    .intoArray(acc, c);
        }
        for (; c < width; c++) acc[c] += getFloat(x, off + c);
    }

    /** Sum (or sum of squares) of len contiguous floats from element off. */
    static double sum(MemorySegment x, long off, long len, boolean squares) {
        double total = 0;
        long i = 0;
        while (len - i >= F.length()) {
            long end = i + Math.min(CHUNK, F.loopBound(len - i));
            total += squares ? chunkSquares(x, off + i, off + end) : chunkSum(x, off + i, off + end);
            i = end;
        }
        for (; i < len; i++) {
            double v = getFloat(x, off + i);
            total += squares ? v * v : v;
        }
        return total;
    }

    /** Float sum of elements [from, to), a whole number of vectors. */
    private static float chunkSum(MemorySegment x, long from, long to) {
        FloatVector acc = FloatVector.zero(F);
        for (long i = from; i < to; i += F.length()) {
            acc = acc.add(FloatVector.fromMemorySegment(F, x, i * Float.BYTES, NATIVE));
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    private static float chunkSquares(MemorySegment x, long from, long to) {
        FloatVector acc = FloatVector.zero(F);
        for (long i = from; i < to; i += F.length()) {
            FloatVector v = FloatVector.fromMemorySegment(F, x, i * Float.BYTES, NATIVE);
            acc = v.fma(v, acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    static double sumOfSquares(long n, MemorySegment x) {
        long blocks = (n + WorkSplit.BLOCK - 1) / WorkSplit.BLOCK;
        double[] partial = new double[Math.toIntExact(blocks)];
        WorkSplit.range(n, 2, (from, to) -> partial[(int) (from / WorkSplit.BLOCK)] = sum(x, from, to - from, true));
        double total = 0;
        for (double p : partial) total += p; // fixed order: the result does not depend on the thread count
        return total;
    }

    static void max(int outer, int reduce, int inner, MemorySegment x, MemorySegment out, MemorySegment indices) {
        if (inner == 1) {
            Parallel.forRange(outer, reduce, (o0, o1) -> {
                for (int o = o0; o < o1; o++) maxAlong(x, (long) o * reduce, reduce, out, indices, o);
            });
            return;
        }
        int colChunks = (inner + COLS - 1) / COLS;
        Parallel.forRange(Math.multiplyExact(outer, colChunks), (long) reduce * Math.min(inner, COLS), (from, to) -> {
            float[] best = new float[Math.min(inner, COLS)];
            int[] arg = new int[best.length];
            for (int item = from; item < to; item++) {
                int o = item / colChunks, c0 = (item % colChunks) * COLS, width = Math.min(COLS, inner - c0);
                long base = (long) o * reduce * inner + c0;
                MemorySegment.copy(x, ValueLayout.JAVA_FLOAT_UNALIGNED, base * Float.BYTES, best, 0, width);
                java.util.Arrays.fill(arg, 0, width, 0);
                for (int r = 1; r < reduce; r++) maxRow(x, base + (long) r * inner, r, best, arg, width);
                long at = (long) o * inner + c0;
                MemorySegment.copy(best, 0, out, ValueLayout.JAVA_FLOAT_UNALIGNED, at * Float.BYTES, width);
                if (indices != null) MemorySegment.copy(arg, 0, indices, ValueLayout.JAVA_INT_UNALIGNED, at * Integer.BYTES, width);
            }
        });
    }

    /** Folds row r (at element off) into the running best/arg: larger wins, NaN beats any number, ties keep the first. */
    private static void maxRow(MemorySegment x, long off, int r, float[] best, int[] arg, int width) {
        IntVector rv = IntVector.broadcast(I, r);
        int c = 0, bound = F.loopBound(width);
        for (; c < bound; c += F.length()) {
            FloatVector v = FloatVector.fromMemorySegment(F, x, (off + c) * Float.BYTES, NATIVE);
            FloatVector b = FloatVector.fromArray(F, best, c);
            VectorMask<Float> take = v.compare(VectorOperators.GT, b)
                    .or(v.test(VectorOperators.IS_NAN).andNot(b.test(VectorOperators.IS_NAN)));
            b.blend(v, take).intoArray(best, c);
            IntVector.fromArray(I, arg, c).blend(rv, take.cast(I)).intoArray(arg, c);
        }
        for (; c < width; c++) {
            float v = getFloat(x, off + c);
            if (beats(v, best[c])) {
                best[c] = v;
                arg[c] = r;
            }
        }
    }

    private static boolean beats(float v, float best) {
        return v > best || (Float.isNaN(v) && !Float.isNaN(best));
    }

    /** Max and first argmax of len (>= 1) contiguous floats at element off, written to out[at] and indices[at]. */
    private static void maxAlong(MemorySegment x, long off, int len, MemorySegment out, MemorySegment indices, long at) {
        float best;
        int arg;
        int r;
        if (len >= F.length()) {
            // Each lane keeps its own first maximum; lanes hold disjoint, interleaved indices.
            FloatVector b = FloatVector.fromMemorySegment(F, x, off * Float.BYTES, NATIVE);
            IntVector iota = IntVector.zero(I).addIndex(1);
            IntVector a = iota;
            int bound = F.loopBound(len);
            for (r = F.length(); r < bound; r += F.length()) {
                FloatVector v = FloatVector.fromMemorySegment(F, x, (off + r) * Float.BYTES, NATIVE);
                VectorMask<Float> take = v.compare(VectorOperators.GT, b)
                        .or(v.test(VectorOperators.IS_NAN).andNot(b.test(VectorOperators.IS_NAN)));
                b = b.blend(v, take);
                a = a.blend(iota.add(r), take.cast(I));
            }
            // Across lanes: the best value, and among lanes holding it (or any NaN) the smallest index.
            best = b.lane(0);
            arg = a.lane(0);
            for (int l = 1; l < F.length(); l++) {
                float v = b.lane(l);
                int i = a.lane(l);
                if (beats(v, best) || ((v == best || (Float.isNaN(v) && Float.isNaN(best))) && i < arg)) {
                    best = v;
                    arg = i;
                }
            }
        } else {
            best = getFloat(x, off);
            arg = 0;
            r = 1;
        }
        for (; r < len; r++) {
            float v = getFloat(x, off + r);
            if (beats(v, best)) {
                best = v;
                arg = r;
            }
        }
        setFloat(out, at, best);
        if (indices != null) indices.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, at, arg);
    }
}
