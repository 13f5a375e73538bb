package dev.latentr3.kernels.cpu;

import dev.latentr3.kernels.ElementwiseKernels;
import dev.latentr3.kernels.KernelCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import static dev.latentr3.kernels.Segments.getFloat;
import static dev.latentr3.kernels.Segments.setFloat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * fp32 <-> bf16: hand-derived bit patterns from the IEEE definition (round to nearest, ties to even, on the 16 bits
 * dropped), special values, exhaustive round trips of all 65536 bf16 patterns, and Fast == Reference bit for bit.
 */
class CastTest {
    private final ElementwiseKernels ref = new ReferenceElementwise();
    private final ElementwiseKernels fast = new FastElementwise();
    // Shared, not confined: the fast kernels touch the segments from the worker threads of Parallel.
    private final Arena arena = Arena.ofShared();

    @AfterEach
    void close() {
        arena.close();
    }

    /** {f32 bits, expected bf16 bits}. */
    private static final int[][] HAND_DERIVED = {
            {0x3F80_0000, 0x3F80}, // 1.0
            {0xC000_0000, 0xC000}, // -2.0
            {0x3F80_8000, 0x3F80}, // 1.00390625 = 1 + 2^-8: exactly half an ulp, kept half even -> down
            {0x3F81_8000, 0x3F82}, // 1 + 3 * 2^-8: half an ulp, kept half odd -> up to even
            {0x3F80_8001, 0x3F81}, // just above half -> up
            {0x3F80_7FFF, 0x3F80}, // just below half -> down
            {0xBF81_8000, 0xBF82}, // the sign does not change the rounding of the magnitude
            {0x3FFF_8000, 0x4000}, // mantissa carry bumps the exponent: 1.99609375 -> 2.0
            {0x7F80_0000, 0x7F80}, // +Inf
            {0xFF80_0000, 0xFF80}, // -Inf
            {0x7F7F_FFFF, 0x7F80}, // Float.MAX_VALUE is above the largest bf16 + half an ulp -> +Inf
            {0x7F7F_7FFF, 0x7F7F}, // below that halfway point -> the largest finite bf16
            {0x7F7F_8000, 0x7F80}, // exactly halfway to 2^128, kept half odd -> rounds to +Inf as IEEE says
            {0x8000_0000, 0x8000}, // -0.0
            {0x0000_0001, 0x0000}, // smallest subnormal rounds to +0
            {0x0000_8000, 0x0000}, // half of the smallest bf16 subnormal, even -> 0
            {0x0001_8000, 0x0002}, // 1.5 bf16 subnormal ulps, odd -> up
            {0x7FC0_0000, 0x7FC0}, // quiet NaN
            {0x7F80_0001, 0x7FC0}, // NaN with payload only in the dropped bits: stays NaN (quiet), not Inf
            {0xFF80_0001, 0xFFC0}, // negative NaN keeps its sign
            {0x7FA0_0000, 0x7FE0}, // signalling NaN with a kept payload is quieted, payload kept
    };

    @Test
    void handDerivedPatterns() {
        int n = HAND_DERIVED.length;
        MemorySegment src = arena.allocate(n * 4L);
        for (int i = 0; i < n; i++) src.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i, HAND_DERIVED[i][0]);
        for (ElementwiseKernels k : new ElementwiseKernels[] {ref, fast}) {
            MemorySegment dst = arena.allocate(n * 2L);
            k.f32ToBf16(n, src, dst);
            for (int i = 0; i < n; i++) {
                int got = dst.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i) & 0xFFFF;
                assertEquals(HAND_DERIVED[i][1], got, String.format("%s: f32 %08X -> bf16 %04X, expected %04X",
                        k.getClass().getSimpleName(), HAND_DERIVED[i][0], got, HAND_DERIVED[i][1]));
            }
        }
    }

    @Test
    void widensExactly() {
        short[] bf = {0x3F80, (short) 0xC040, 0x7F80, (short) 0xFF80, 0x0001, (short) 0x8000, 0x7F7F};
        float[] want = {1f, -3f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.intBitsToFloat(0x0001_0000),
                -0f, Float.intBitsToFloat(0x7F7F_0000)};
        MemorySegment src = arena.allocate(bf.length * 2L);
        for (int i = 0; i < bf.length; i++) src.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, bf[i]);
        for (ElementwiseKernels k : new ElementwiseKernels[] {ref, fast}) {
            MemorySegment dst = KernelCheck.nanFloats(arena, bf.length);
            k.bf16ToF32(bf.length, src, dst);
            for (int i = 0; i < bf.length; i++) {
                assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(getFloat(dst, i)),
                        k.getClass().getSimpleName() + " bf16 " + Integer.toHexString(bf[i] & 0xFFFF));
            }
        }
    }

    @Test
    void everyBf16PatternRoundTrips() {
        int n = 1 << 16;
        MemorySegment bf = arena.allocate(n * 2L);
        for (int i = 0; i < n; i++) bf.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, (short) i);
        for (ElementwiseKernels k : new ElementwiseKernels[] {ref, fast}) {
            MemorySegment f = KernelCheck.nanFloats(arena, n);
            MemorySegment back = arena.allocate(n * 2L);
            k.bf16ToF32(n, bf, f);
            k.f32ToBf16(n, f, back);
            for (int i = 0; i < n; i++) {
                int got = back.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i) & 0xFFFF;
                boolean nan = (i & 0x7FFF) > 0x7F80;
                // Every finite and infinite bf16 is exact in fp32; NaNs come back quiet with their sign and payload.
                int want = nan ? i | 0x0040 : i;
                assertEquals(want, got, k.getClass().getSimpleName() + String.format(" bf16 %04X", i));
            }
        }
    }

    @Test
    void fastMatchesReferenceBitForBit() {
        SplittableRandom r = new SplittableRandom(1234);
        for (long n : new long[] {1, 7, 13, 33, 1001, 100_003}) {
            MemorySegment src = arena.allocate(n * 4);
            // Random bit patterns cover every exponent, subnormals, infinities and NaNs; half are plain normals.
            for (long i = 0; i < n; i++) {
                if (r.nextBoolean()) src.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i, r.nextInt());
                else setFloat(src, i, (float) r.nextGaussian());
            }
            MemorySegment want = arena.allocate(n * 2), got = arena.allocate(n * 2);
            ref.f32ToBf16(n, src, want);
            fast.f32ToBf16(n, src, got);
            assertEquals(-1, want.mismatch(got), "f32ToBf16 n=" + n);
            MemorySegment wf = KernelCheck.nanFloats(arena, n), gf = KernelCheck.nanFloats(arena, n);
            ref.bf16ToF32(n, want, wf);
            fast.bf16ToF32(n, want, gf);
            assertEquals(-1, wf.mismatch(gf), "bf16ToF32 n=" + n);
        }
    }

    @Test
    void roundingErrorIsAtMostHalfAnUlp() {
        int n = 1001;
        MemorySegment src = KernelCheck.gaussianFloats(arena, n, 77, 10.0);
        MemorySegment bf = arena.allocate(n * 2L), back = KernelCheck.nanFloats(arena, n);
        fast.f32ToBf16(n, src, bf);
        fast.bf16ToF32(n, bf, back);
        for (int i = 0; i < n; i++) {
            float x = getFloat(src, i), y = getFloat(back, i);
            // A bf16 ulp at |x| is 2^(exponent - 7); round to nearest is within half of it.
            double halfUlp = Math.scalb(1.0, Math.getExponent(x) - 8);
            assertTrue(Math.abs(x - y) <= halfUlp, "x=" + x + " -> " + y);
        }
    }
}
