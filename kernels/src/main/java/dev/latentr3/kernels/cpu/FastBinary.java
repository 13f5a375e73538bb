package dev.latentr3.kernels.cpu;

import dev.latentr3.kernels.ElementwiseKernels.Binary;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static dev.latentr3.kernels.Segments.getFloat;
import static dev.latentr3.kernels.Segments.setFloat;

/**
 * The inner loops of {@link FastElementwise#binary}: one contiguous output row against operands that are contiguous
 * (stride 1), broadcast (stride 0) or arbitrarily strided (scalar loop).
 *
 * <p>Each loop switches on the op per vector with the store inside each case: the Vector API only compiles to vector
 * instructions when the operator is a constant at the call, and keeping the result out of a merge point avoids
 * boxing the vector. The switch itself is a well-predicted branch.
 */
final class FastBinary {
    private FastBinary() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    /** out[oo + i] = op(a[ao + i*sa], b[bo + i*sb]) for i < len (offsets and strides in elements). */
    static void row(Binary op, MemorySegment a, long ao, long sa, MemorySegment b, long bo, long sb,
                    MemorySegment out, long oo, long len) {
        if (sa == 1 && sb == 1) both(op, a, ao, b, bo, out, oo, len);
        else if (sa == 1 && sb == 0) withScalar(op, a, ao, getFloat(b, bo), false, out, oo, len);
        else if (sa == 0 && sb == 1) withScalar(op, b, bo, getFloat(a, ao), true, out, oo, len);
        else scalar(op, a, ao, sa, b, bo, sb, out, oo, len);
    }

    private static void both(Binary op, MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment out,
                             long oo, long len) {
        long i = 0, bound = F.loopBound(len);
        for (; i < bound; i += F.length()) {
            FloatVector x = FloatVector.fromMemorySegment(F, a, (ao + i) * Float.BYTES, NATIVE);
            FloatVector y = FloatVector.fromMemorySegment(F, b, (bo + i) * Float.BYTES, NATIVE);
            long at = (oo + i) * Float.BYTES;
            switch (op) {
                case ADD -> x.add(y).intoMemorySegment(out, at, NATIVE);
                case SUB -> x.sub(y).intoMemorySegment(out, at, NATIVE);
                case MUL -> x.mul(y).intoMemorySegment(out, at, NATIVE);
                case DIV -> x.div(y).intoMemorySegment(out, at, NATIVE);
                case MAX -> x.max(y).intoMemorySegment(out, at, NATIVE);
                case MIN -> x.min(y).intoMemorySegment(out, at, NATIVE);
            }
        }
        for (; i < len; i++) setFloat(out, oo + i, ReferenceElementwise.apply(op, getFloat(a, ao + i), getFloat(b, bo + i)));
    }

    /**
     * One vector operand v against a broadcast scalar s; {@code scalarFirst} says whether s is the left operand (so
     * that SUB and DIV keep their order).
     */
    private static void withScalar(Binary op, MemorySegment v, long vo, float s, boolean scalarFirst,
                                   MemorySegment out, long oo, long len) {
        FloatVector sv = FloatVector.broadcast(F, s);
        long i = 0, bound = F.loopBound(len);
        for (; i < bound; i += F.length()) {
            FloatVector x = FloatVector.fromMemorySegment(F, v, (vo + i) * Float.BYTES, NATIVE);
            long at = (oo + i) * Float.BYTES;
            // ADD, MUL, MAX and MIN commute (also for NaN and signed zeros); only SUB and DIV care about the order.
            switch (op) {
                case ADD -> x.add(sv).intoMemorySegment(out, at, NATIVE);
                case SUB -> {
                    if (scalarFirst) sv.sub(x).intoMemorySegment(out, at, NATIVE);
                    else x.sub(sv).intoMemorySegment(out, at, NATIVE);
                }
                case MUL -> x.mul(sv).intoMemorySegment(out, at, NATIVE);
                case DIV -> {
                    if (scalarFirst) sv.div(x).intoMemorySegment(out, at, NATIVE);
                    else x.div(sv).intoMemorySegment(out, at, NATIVE);
                }
                case MAX -> x.max(sv).intoMemorySegment(out, at, NATIVE);
                case MIN -> x.min(sv).intoMemorySegment(out, at, NATIVE);
            }
        }
        for (; i < len; i++) {
            float x = getFloat(v, vo + i);
            setFloat(out, oo + i, scalarFirst ? ReferenceElementwise.apply(op, s, x) : ReferenceElementwise.apply(op, x, s));
        }
    }

    private static void scalar(Binary op, MemorySegment a, long ao, long sa, MemorySegment b, long bo, long sb,
                               MemorySegment out, long oo, long len) {
        for (long i = 0; i < len; i++) {
            setFloat(out, oo + i, ReferenceElementwise.apply(op, getFloat(a, ao + i * sa), getFloat(b, bo + i * sb)));
        }
    }
}
