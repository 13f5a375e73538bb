package dev.latentr3.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one horizontal float sum the fast kernels use, in a fixed order.
 *
 * <p>Why not {@code reduceLanes(VectorOperators.ADD)}: its order of additions is unspecified, and in practice the C2
 * intrinsic (a tree) and the Java fallback that runs in the interpreter and C1 (lane 0 to lane n-1) round
 * differently, so a kernel's result changed in the last bit once it got compiled, which broke bit-for-bit training
 * resume. Here the order is fixed: a pairwise halving, lane i + h added onto lane i for h = n/2, n/4, .., 1, so lane 0
 * ends with (((x0 + x8) + (x4 + x12)) + ...) for 16 lanes. Each step is a plain vector add plus a constant
 * permutation, the same float operations in every execution mode. Measured cost (C2, AVX-512, 16 lanes): on par with
 * the intrinsic, which also permutes and adds.
 */
final class Lanes {
    private Lanes() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int N = S.length();
    // Lane i takes lane i ^ h: for i < h that is i + h. Unused (null) when the species has too few lanes.
    private static final VectorShuffle<Float> X1 = xor(1), X2 = xor(2), X4 = xor(4), X8 = xor(8), X16 = xor(16),
            X32 = xor(32);

    private static VectorShuffle<Float> xor(int h) {
        return h < N ? VectorShuffle.fromOp(S, i -> i ^ h) : null;
    }

    /** Sum of the lanes of a SPECIES_PREFERRED vector in the fixed pairwise order above. */
    static float sum(FloatVector v) {
        if (N > 64) return ordered(v);
        // N is a constant: C2 keeps only the steps this species needs.
        if (N > 32) v = v.add(v.rearrange(X32));
        if (N > 16) v = v.add(v.rearrange(X16));
        if (N > 8) v = v.add(v.rearrange(X8));
        if (N > 4) v = v.add(v.rearrange(X4));
        if (N > 2) v = v.add(v.rearrange(X2));
        if (N > 1) v = v.add(v.rearrange(X1));
        return v.lane(0);
    }

    /** Lane 0 to lane n-1, for species wider than any above (none on current hardware). */
    private static float ordered(FloatVector v) {
        float s = 0f;
        for (int i = 0; i < N; i++) s += v.lane(i);
        return s;
    }
}
