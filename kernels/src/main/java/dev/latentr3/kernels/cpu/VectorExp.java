package dev.latentr3.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp on float vectors for softmax-like uses, where arguments are at most a little above 0 and very negative ones
 * only matter as "about 0": about 2 ulp relative error on [-86, 88], and exactly 0 below -86 (so -inf gives 0).
 *
 * <p>Written out in vector operations (about 15 per vector) rather than using the Vector API's EXP, which is an
 * out-of-line math-library call where the JDK has one (SVML on x86 Linux; here it measured no faster than this) and
 * falls back to per-lane scalar code where it has none; this way the speed and the results are the same everywhere.
 *
 * <p>Method: exp(x) = 2^n e^r with n = round(x / ln 2) and r = x - n ln 2 in [-ln2/2, ln2/2] (ln 2 split in two so
 * that n ln 2 is exact enough); e^r by its degree-6 Taylor polynomial (truncation below 1.1e-7 relative); 2^n added
 * straight into the exponent bits. The rounding uses the 1.5 * 2^23 trick: adding it leaves n in the low mantissa
 * bits, which shifted left by 23 are n in the exponent field.
 */
final class VectorExp {
    private VectorExp() {}

    private static final VectorSpecies<Float> SP = AttentionTiles.SP;
    private static final float LOG2E = 1.44269504088896341f;
    private static final FloatVector MINUS_LN2_HI = FloatVector.broadcast(SP, -0.693145751953125f);
    private static final FloatVector MINUS_LN2_LO = FloatVector.broadcast(SP, -1.42860682030941723212e-6f);
    private static final FloatVector C2 = FloatVector.broadcast(SP, 1f / 2), C3 = FloatVector.broadcast(SP, 1f / 6);
    private static final FloatVector C4 = FloatVector.broadcast(SP, 1f / 24), ONE = FloatVector.broadcast(SP, 1f);
    private static final float ROUNDER = 12582912f; // 1.5 * 2^23
    /** Below this, 2^n would leave the normal range; the true value (< 4.5e-38) is returned as 0. */
    private static final float LOWEST = -86f, HIGHEST = 88f;

    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(LOWEST).min(HIGHEST);
        FloatVector t = xc.fma(LOG2E, ROUNDER);
        FloatVector n = t.sub(ROUNDER);
        FloatVector r = n.fma(MINUS_LN2_HI, xc);
        r = n.fma(MINUS_LN2_LO, r);
        FloatVector p = r.fma(1f / 720, 1f / 120);
        p = p.fma(r, C4);
        p = p.fma(r, C3);
        p = p.fma(r, C2);
        p = p.fma(r, ONE);
        p = p.fma(r, ONE);
        IntVector exponent = t.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23);
        FloatVector e = p.reinterpretAsInts().add(exponent).reinterpretAsFloats();
        return e.blend(0f, x.compare(VectorOperators.LT, LOWEST));
    }
}
