package dev.latentr3.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static dev.latentr3.kernels.Segments.setFloat;

/** Vector stores of one value over a float range; zero (the common case) goes to the segment's own byte fill. */
final class FastFill {
    private FastFill() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    /** out[i] = value for from <= i < to. */
    static void fill(MemorySegment out, long from, long to, float value) {
        if (Float.floatToRawIntBits(value) == 0) {
            out.asSlice(from * Float.BYTES, (to - from) * Float.BYTES).fill((byte) 0);
            return;
        }
        FloatVector v = FloatVector.broadcast(F, value);
        long i = from, bound = from + F.loopBound(to - from);
        for (; i < bound; i += F.length()) v.intoMemorySegment(out, i * Float.BYTES, NATIVE);
        for (; i < to; i++) setFloat(out, i, value);
    }
}
