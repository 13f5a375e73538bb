package dev.latentr3.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static dev.latentr3.kernels.Segments.getFloat;
import static dev.latentr3.kernels.Segments.setFloat;

/**
 * fp32 <-> bf16 for {@link FastElementwise}: the rounding of {@link Bf16Rounding} done with integer lanes on the
 * float bits, then narrowed (or widened) between int lanes and short lanes of half the vector size.
 */
final class FastCasts {
    private FastCasts() {}

    private static final VectorSpecies<Integer> I = FloatVector.SPECIES_PREFERRED.withLanes(int.class);
    private static final VectorSpecies<Short> S =
            VectorSpecies.of(short.class, VectorShape.forBitSize(I.vectorBitSize() / 2));
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    static void toBf16(MemorySegment src, MemorySegment dst, long from, long to) {
        long i = from, bound = from + I.loopBound(to - from);
        for (; i < bound; i += I.length()) {
            IntVector bits = IntVector.fromMemorySegment(I, src, i * Float.BYTES, NATIVE);
            IntVector high = bits.lanewise(VectorOperators.LSHR, 16);
            IntVector rounded = bits.add(0x7FFF).add(high.and(1)).lanewise(VectorOperators.LSHR, 16);
            VectorMask<Integer> nan = bits.and(0x7FFF_FFFF).compare(VectorOperators.GT, 0x7F80_0000);
            IntVector h = rounded.blend(high.or(Bf16Rounding.QUIET_NAN_BIT), nan);
            // I2S keeps the low 16 bits, which is all a bf16 is.
            h.convertShape(VectorOperators.I2S, S, 0).reinterpretAsShorts()
                    .intoMemorySegment(dst, i * Short.BYTES, NATIVE);
        }
        for (; i < to; i++) dst.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Bf16Rounding.fromFloat(getFloat(src, i)));
    }

    static void toF32(MemorySegment src, MemorySegment dst, long from, long to) {
        long i = from, bound = from + I.loopBound(to - from);
        for (; i < bound; i += I.length()) {
            ShortVector h = ShortVector.fromMemorySegment(S, src, i * Short.BYTES, NATIVE);
            // S2I sign-extends; the shift pushes those extension bits out of the word.
            h.convertShape(VectorOperators.S2I, I, 0).reinterpretAsInts().lanewise(VectorOperators.LSHL, 16)
                    .intoMemorySegment(dst, i * Float.BYTES, NATIVE);
        }
        for (; i < to; i++) setFloat(dst, i, Bf16Rounding.toFloat(src.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i)));
    }
}
