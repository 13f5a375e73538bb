package dev.latentr3.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Lanes.sum adds in its documented order, the same from a vector and from an array. */
class LanesTest {
    /** The documented order written out: lane i + lane i + h for h = n/2 .. 1, then lane 0. */
    private static float pairwise(float[] a, int off, int n) {
        float[] t = java.util.Arrays.copyOfRange(a, off, off + n);
        for (int h = n / 2; h >= 1; h /= 2) {
            for (int i = 0; i < h; i++) t[i] = t[i] + t[i + h];
        }
        return t[0];
    }

    @Test
    void vectorAndArraySumsFollowThePairwiseOrderBitForBit() {
        int n = FloatVector.SPECIES_PREFERRED.length();
        SplittableRandom r = new SplittableRandom(7);
        float[] a = new float[3 * n];
        for (int rep = 0; rep < 2000; rep++) {
            // Mixed magnitudes, so that a different order would round differently.
            for (int i = 0; i < a.length; i++) a[i] = (float) ((r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(8)));
            int off = r.nextInt(2 * n + 1);
            float want = pairwise(a, off, n);
            float fromVector = Lanes.sum(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, a, off));
            float fromArray = Lanes.sum(a, off);
            assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(fromVector), "Lanes.sum(vector) at " + off);
            assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(fromArray), "Lanes.sum(array) at " + off);
        }
    }
}
