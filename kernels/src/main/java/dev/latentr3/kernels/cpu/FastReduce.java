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
 * <p>With inner > 1 the loops vectorise across inner, a block of a few vectors of columns per work item with the
 * accumulators in registers, walking down the reduced rows (an earlier version streamed whole rows into an
 * accumulator array: twice as slow, the per-row loop being too short). With inner == 1 they vectorise along the
 * reduced axis itself. Both are parallel over independent outputs, so results do not depend on the thread count.
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
    /** Vectors of columns per work item when inner > 1: four accumulators stay in registers. */
    private static final int BLOCK_VECTORS = 4;

    static void sum(int outer, int reduce, int inner, MemorySegment x, MemorySegment out) {
        if (inner == 1) {
            Parallel.forRange(outer, Math.max(1, reduce), (o0, o1) -> {
                for (int o = o0; o < o1; o++) setFloat(out, o, (float) sum(x, (long) o * reduce, reduce, false));
            });
            return;
        }
        int width = BLOCK_VECTORS * F.length(), blocks = (inner + width - 1) / width;
        Parallel.forRange(Math.multiplyExact(outer, blocks), (long) reduce * width, (from, to) -> {
            float[] part = new float[width];
            double[] total = new double[width];
            for (int item = from; item < to; item++) {
                int o = item / blocks, c0 = (item % blocks) * width, w = Math.min(width, inner - c0);
                long base = (long) o * reduce * inner + c0;
                java.util.Arrays.fill(total, 0.0);
                if (w == width) sumBlock(x, base, reduce, inner, part, total);
                else sumColumns(x, base, reduce, inner, w, part, total);
                long at = (long) o * inner + c0;
                for (int c = 0; c < w; c++) setFloat(out, at + c, (float) total[c]);
            }
        });
    }

    /**
     * Column sums of a block of BLOCK_VECTORS vectors of columns starting at element base, down reduce rows of
     * stride inner, into total (double). The accumulators live in registers; the rows are read as a strided stream.
     */
    private static void sumBlock(MemorySegment x, long base, int reduce, int inner, float[] part, double[] total) {
        int lanes = F.length();
        long vb = (long) lanes * Float.BYTES;
        for (int r0 = 0; r0 < reduce; r0 += ROWS_PER_FOLD) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int r = r0, r1 = Math.min(reduce, r0 + ROWS_PER_FOLD); r < r1; r++) {
                long off = (base + (long) r * inner) * Float.BYTES;
                a0 = a0.add(FloatVector.fromMemorySegment(F, x, off, NATIVE));
                a1 = a1.add(FloatVector.fromMemorySegment(F, x, off + vb, NATIVE));
                a2 = a2.add(FloatVector.fromMemorySegment(F, x, off + 2 * vb, NATIVE));
                a3 = a3.add(FloatVector.fromMemorySegment(F, x, off + 3 * vb, NATIVE));
            }
            a0.intoArray(part, 0);
            a1.intoArray(part, lanes);
            a2.intoArray(part, 2 * lanes);
            a3.intoArray(part, 3 * lanes);
            for (int c = 0; c < part.length; c++) total[c] += part[c];
        }
    }

    /** The same for a narrower block (the last one of a row): one vector of columns at a time, then scalar columns. */
    private static void sumColumns(MemorySegment x, long base, int reduce, int inner, int w, float[] part,
                                   double[] total) {
        int c = 0;
        for (; c + F.length() <= w; c += F.length()) {
            for (int r0 = 0; r0 < reduce; r0 += ROWS_PER_FOLD) {
                FloatVector acc = FloatVector.zero(F);
                for (int r = r0, r1 = Math.min(reduce, r0 + ROWS_PER_FOLD); r < r1; r++) {
                    acc = acc.add(FloatVector.fromMemorySegment(F, x, (base + (long) r * inner + c) * Float.BYTES, NATIVE));
                }
                acc.intoArray(part, 0);
                for (int l = 0; l < F.length(); l++) total[c + l] += part[l];
            }
        }
        for (; c < w; c++) {
            double t = 0;
            for (int r = 0; r < reduce; r++) t += getFloat(x, base + (long) r * inner + c);
            total[c] = t;
        }
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
        return Lanes.sum(acc);
    }

    private static float chunkSquares(MemorySegment x, long from, long to) {
        FloatVector acc = FloatVector.zero(F);
        for (long i = from; i < to; i += F.length()) {
            FloatVector v = FloatVector.fromMemorySegment(F, x, i * Float.BYTES, NATIVE);
            acc = v.fma(v, acc);
        }
        return Lanes.sum(acc);
    }

    static double sumOfSquares(long n, MemorySegment x) {
        long blocks = (n + WorkSplit.BLOCK - 1) / WorkSplit.BLOCK;
        double[] partial = new double[Math.toIntExact(blocks)];
        // One partial per fixed block (a task may get several), added in block order: the result does not depend
        // on the thread count.
        WorkSplit.range(n, 2, (from, to) -> {
            for (long b = from; b < to; b += WorkSplit.BLOCK) {
                partial[(int) (b / WorkSplit.BLOCK)] = sum(x, b, Math.min(to, b + WorkSplit.BLOCK) - b, true);
            }
        });
        double total = 0;
        for (double p : partial) total += p;
        return total;
    }

    static void max(int outer, int reduce, int inner, MemorySegment x, MemorySegment out, MemorySegment indices) {
        if (inner == 1) {
            Parallel.forRange(outer, reduce, (o0, o1) -> {
                for (int o = o0; o < o1; o++) maxAlong(x, (long) o * reduce, reduce, out, indices, o);
            });
            return;
        }
        int width = BLOCK_VECTORS * F.length(), blocks = (inner + width - 1) / width;
        Parallel.forRange(Math.multiplyExact(outer, blocks), (long) reduce * width, (from, to) -> {
            for (int item = from; item < to; item++) {
                int o = item / blocks, c0 = (item % blocks) * width, w = Math.min(width, inner - c0);
                long base = (long) o * reduce * inner + c0, at = (long) o * inner + c0;
                int c = 0;
                for (; c + F.length() <= w; c += F.length()) maxColumns(x, base + c, reduce, inner, out, indices, at + c);
                for (; c < w; c++) maxColumn(x, base + c, reduce, inner, out, indices, at + c);
            }
        });
    }

    /**
     * Max and argmax of one vector of columns (first element at base) down reduce rows of stride inner: larger wins,
     * NaN beats any number, ties keep the first.
     */
    private static void maxColumns(MemorySegment x, long base, int reduce, int inner, MemorySegment out,
                                   MemorySegment indices, long at) {
        FloatVector best = FloatVector.fromMemorySegment(F, x, base * Float.BYTES, NATIVE);
        IntVector arg = IntVector.zero(I);
        for (int r = 1; r < reduce; r++) {
            FloatVector v = FloatVector.fromMemorySegment(F, x, (base + (long) r * inner) * Float.BYTES, NATIVE);
            VectorMask<Float> take = v.compare(VectorOperators.GT, best)
                    .or(v.test(VectorOperators.IS_NAN).andNot(best.test(VectorOperators.IS_NAN)));
            best = best.blend(v, take);
            arg = arg.blend(IntVector.broadcast(I, r), take.cast(I));
        }
        best.intoMemorySegment(out, at * Float.BYTES, NATIVE);
        if (indices != null) arg.intoMemorySegment(indices, at * Integer.BYTES, NATIVE);
    }

    private static void maxColumn(MemorySegment x, long base, int reduce, int inner, MemorySegment out,
                                  MemorySegment indices, long at) {
        float best = getFloat(x, base);
        int arg = 0;
        for (int r = 1; r < reduce; r++) {
            float v = getFloat(x, base + (long) r * inner);
            if (beats(v, best)) {
                best = v;
                arg = r;
            }
        }
        setFloat(out, at, best);
        if (indices != null) indices.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, at, arg);
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
