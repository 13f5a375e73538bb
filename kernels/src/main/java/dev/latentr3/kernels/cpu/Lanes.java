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
 * permutation, the same float operations in every execution mode.
 *
 * <p>Cost, measured in the skinny GEMM (4096 x 64 x 256, AVX-512, C2; noisy shared machine): the intrinsic
 * reduceLanes about 49 GFLOP/s median, this permute-and-add about 32, lane extraction in the same tree about 31,
 * narrowing with reinterpretShape 5-15 (not intrinsified well), scalar loads from an array the kernel already holds
 * ({@link #sum(float[], int)}) about 40, which is what GemmSkinny uses.
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

    /**
     * The same sum, in the same order, of the N floats at a[off..]: for kernels that already hold their accumulators
     * in an array, where scalar loads beat re-loading a vector and permuting it (see the costs above).
     */
    static float sum(float[] a, int off) {
        if (N == 16) {
            return (((a[off] + a[off + 8]) + (a[off + 4] + a[off + 12]))
                    + ((a[off + 2] + a[off + 10]) + (a[off + 6] + a[off + 14])))
                    + (((a[off + 1] + a[off + 9]) + (a[off + 5] + a[off + 13]))
                    + ((a[off + 3] + a[off + 11]) + (a[off + 7] + a[off + 15])));
        }
        if (N == 8) {
            return ((a[off] + a[off + 4]) + (a[off + 2] + a[off + 6])) + ((a[off + 1] + a[off + 5]) + (a[off + 3] + a[off + 7]));
        }
        if (N == 4) return (a[off] + a[off + 2]) + (a[off + 1] + a[off + 3]);
        return sum(FloatVector.fromArray(S, a, off));
    }

    /** Lane 0 to lane n-1, for species wider than any above (none on current hardware). */
    private static float ordered(FloatVector v) {
        float s = 0f;
        for (int i = 0; i < N; i++) s += v.lane(i);
        return s;
    }
}
