package dev.latentr3.model.qwen2;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Comparisons of float tensors (as arrays) for the model's tests. */
public final class NumericAssertions {
    private NumericAssertions() {}

    /**
     * max |actual - expected| <= tolerance * max |expected|: relative to the tensor's largest magnitude, since an
     * element-wise relative error means nothing for entries near 0.
     */
    public static void assertClose(String what, float[] expected, float[] actual, double tolerance) {
        assertEquals(expected.length, actual.length, what + ": sizes");
        double scale = 0, worst = 0;
        int worstAt = -1;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            double err = Math.abs((double) expected[i] - actual[i]);
            if (err > worst || Double.isNaN(err)) {
                worst = err;
                worstAt = i;
            }
        }
        assertTrue(scale > 0, what + ": the expected values are all zeros, so the comparison would check nothing");
        if (!(worst <= tolerance * scale)) {
            throw new AssertionError(what + ": max |error| " + worst + " at " + worstAt + " (expected " + expected[worstAt]
                    + ", got " + actual[worstAt] + ") exceeds " + tolerance + " * max |expected| " + scale
                    + "; first values " + Arrays.toString(Arrays.copyOf(actual, Math.min(6, actual.length))));
        }
    }
}
