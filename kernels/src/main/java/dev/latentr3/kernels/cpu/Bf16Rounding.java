package dev.latentr3.kernels.cpu;

/**
 * Scalar bf16 conversions on raw bits. bf16 is the top half of an IEEE binary32, so widening is a shift and narrowing
 * is a rounding of the low 16 bits.
 */
final class Bf16Rounding {
    private Bf16Rounding() {}

    /** Quiet bit of a bf16 NaN (the top mantissa bit). */
    static final int QUIET_NAN_BIT = 0x0040;

    /**
     * Round to nearest, ties to even: adding 0x7FFF plus the lowest kept bit carries into the kept half exactly when
     * the dropped half is above one half, or equal to it with an odd kept half. A carry out of the mantissa bumps the
     * exponent, which is the right answer (also for overflow: the largest finite values round up to infinity, and
     * infinities pass through because their dropped half is zero). NaN is handled apart so that a NaN whose payload
     * lives only in the dropped half cannot become infinity; it keeps its sign and top payload and is made quiet.
     */
    static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7FFF_FFFF) > 0x7F80_0000) return (short) ((bits >>> 16) | QUIET_NAN_BIT);
        int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }

    static float toFloat(short h) {
        return Float.intBitsToFloat((h & 0xFFFF) << 16);
    }
}
