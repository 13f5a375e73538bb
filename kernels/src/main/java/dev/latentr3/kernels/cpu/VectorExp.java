package dev.latentr3.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * exp on float vectors for the row kernels (softmax, log-prob gather, SiLU): the one place that picks how.
 *
 * <p>Default: the JDK's {@code lanewise(VectorOperators.EXP)}, which on x86 calls the bundled SVML stubs (within
 * 1 ulp; overflow, underflow, NaN and infinities as Math.exp). With {@code -Dlatentr3.exp=polynomial}: our own
 * {@link #polynomial}, for JDKs or CPUs where the JDK op falls back to a scalar loop per lane.
 *
 * <p>Why the JDK op is the default although the polynomial is faster in isolation (AMD EPYC, AVX-512, JDK 25: 0.25
 * vs 0.37 ns per element when exp is all a loop does): each Vector API call expands to many C2 IR nodes while
 * parsing, so a kernel method with two or more inlined polynomial exps (e.g. an unrolled loop plus a rescale) hits
 * C2's NodeCountInliningCutoff; the remaining calls go out of line with boxed vectors and the kernel runs 2-3x
 * slower. The JDK op is a single node. Measured in the online log-sum-exp over 151936-wide rows, one thread: about
 * 9 GB/s with the JDK op whatever the loop shape, 8 GB/s with the polynomial in the best shape and 2-3.5 GB/s in
 * others.
 */
public final class VectorExp {
    private VectorExp() {}

    private static final boolean POLYNOMIAL = "polynomial".equals(System.getProperty("latentr3.exp"));

    public static FloatVector exp(FloatVector x) {
        return POLYNOMIAL ? polynomial(x) : x.lanewise(VectorOperators.EXP);
    }

    /** Largest x for which n = round(x / ln 2) stays at most 127, so that 2^n is a normal float. */
    static final float HI = 88.37f;
    /** Smallest x for which 2^n stays at least 2^-126 (the smallest normal exponent). */
    static final float LO = -87.6f;

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
     * bits.
     *
     * <p>Range: x above {@link #HI} gives +Infinity (true exp overflows only from 88.72), x below {@link #LO} gives 0
     * (true exp is subnormal there, below 1e-38), NaN gives NaN, -Infinity gives 0.
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
        // The low 9 bits of ROUNDER's bit pattern are zero, so after the shift only n + 127 remains, as the exponent.
        FloatVector scale = ((IntVector) shifted.reinterpretAsInts()).add(127).lanewise(VectorOperators.LSHL, 23)
                .reinterpretAsFloats();
        FloatVector y = p.mul(scale);
        y = y.blend(0f, x.compare(VectorOperators.LT, LO));
        return y.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, HI));
    }
}
