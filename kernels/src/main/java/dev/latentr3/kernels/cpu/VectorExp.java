package dev.latentr3.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * exp on float vectors for the row, unary and attention kernels: the one place that picks how.
 *
 * <p>Default: our own {@link #polynomial}, built only from fma, add, mul, compares, blends and integer bit operations,
 * each exactly specified, so it gives the same bits interpreted, under C1 (the Vector API's Java fallback) and under
 * C2 (intrinsics). This is what makes a training run resumed from a checkpoint repeat bit for bit.
 *
 * <p>Opt-in with {@code -Dlatentr3.exp=jdk}: the JDK's {@code lanewise(VectorOperators.EXP)}. It is NOT deterministic
 * across JIT tiers: compiled by C2 it calls the bundled SVML stubs (within 1 ulp), while the Java fallback calls
 * Math.exp per lane, so results change in the last bit once a kernel gets compiled.
 *
 * <p>Cost of the polynomial: each Vector API call expands to many C2 IR nodes while parsing, so a method with two or
 * more inlined polynomial exps (e.g. an unrolled loop plus a rescale) hits C2's NodeCountInliningCutoff; the remaining
 * calls go out of line with boxed vectors and the kernel runs 2-3x slower. Hence the kernels keep one exp call site
 * per hot method (a loop over a block, or a small method per tile row); C2 unrolls such a loop after inlining, so the
 * unrolled copies cost no inlining budget.
 */
public final class VectorExp {
    private VectorExp() {}

    private static final boolean JDK = "jdk".equals(System.getProperty("latentr3.exp"));

    public static FloatVector exp(FloatVector x) {
        return JDK ? x.lanewise(VectorOperators.EXP) : polynomial(x);
    }

    /** Above this, exp(x) overflows (ln(Float.MAX_VALUE) = 88.7228); n stays small enough for two normal factors. */
    static final float HI = 88.8f;
    /** Below this, exp(x) rounds to 0 (half the smallest subnormal is e^-103.97). */
    static final float LO = -104f;

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693145751953125f;          // 0x3f317200: 16 significant bits
    private static final float LN2_LO = 1.42860682030941723212e-6f;  // ln 2 - LN2_HI
    private static final float ROUNDER = 12582912f;                  // 1.5 * 2^23

    private static final float C2 = 1f / 2, C3 = 1f / 6, C4 = 1f / 24, C5 = 1f / 120, C6 = 1f / 720,
            C7 = 1f / 5040;

    /**
     * exp(x) = 2^n * exp(r) with n = round(x / ln 2) and r = x - n ln 2 in [-ln2/2, ln2/2]; ln 2 is split in a high
     * part (n * hi is exact) and a low part, so r carries no cancellation error. exp(r) is the degree-7 Taylor
     * polynomial, whose truncation error on that interval is below 0.3466^8 / 8! = 5.3e-9 relative, so the result is
     * limited by fp32 rounding: measured max relative error 7.7e-8 over [-87, 88] (asserted in RowKernelsTest;
     * degree 6 measured 2.3e-7). 2^n is built in the exponent bits: adding 1.5 * 2^23 leaves n in the low mantissa
     * bits. It is applied as two factors 2^(n >> 1) and 2^(n - (n >> 1)), each a normal float, so that results near
     * overflow (x up to 88.72) stay finite and results below 2^-126 (x down to -104) come out as correctly scaled
     * subnormals, as Math.exp gives them: the first product is exact and the second rounds once.
     *
     * <p>Range: x above {@link #HI} gives +Infinity, x below {@link #LO} gives 0, NaN gives NaN, -Infinity gives 0.
     */
    public static FloatVector polynomial(FloatVector x) {
        FloatVector shifted = x.fma(LOG2E, ROUNDER);
        FloatVector n = shifted.sub(ROUNDER);
        FloatVector r = n.fma(x.broadcast(-LN2_HI), x);
        r = n.fma(x.broadcast(-LN2_LO), r);
        FloatVector p = r.fma(C7, C6);
        p = p.fma(r, x.broadcast(C5));
        p = p.fma(r, x.broadcast(C4));
        p = p.fma(r, x.broadcast(C3));
        p = p.fma(r, x.broadcast(C2));
        FloatVector one = x.broadcast(1f);
        p = p.fma(r, one);
        p = p.fma(r, one);
        // shifted's bit pattern is ROUNDER's plus n.
        IntVector n2 = ((IntVector) shifted.reinterpretAsInts()).sub(Float.floatToRawIntBits(ROUNDER));
        IntVector n1 = n2.lanewise(VectorOperators.ASHR, 1);
        n2 = n2.sub(n1);
        FloatVector y = p.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                .mul(n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
        y = y.blend(0f, x.compare(VectorOperators.LT, LO));
        return y.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, HI));
    }
}
