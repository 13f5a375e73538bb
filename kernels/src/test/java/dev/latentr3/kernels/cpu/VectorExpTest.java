package dev.latentr3.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VectorExpTest {

    private static float[] exp(float[] x) {
        int vl = AttentionTiles.VL;
        float[] padded = new float[(x.length + vl - 1) / vl * vl], y = new float[padded.length];
        System.arraycopy(x, 0, padded, 0, x.length);
        for (int i = 0; i < padded.length; i += vl) {
            VectorExp.exp(FloatVector.fromArray(AttentionTiles.SP, padded, i)).intoArray(y, i);
        }
        return y;
    }

    @Test
    void matchesMathExpToAFewUlpsOverTheNormalRange() {
        SplittableRandom r = new SplittableRandom(11);
        float[] x = new float[100_003];
        for (int i = 0; i < x.length; i++) {
            // Dense near 0 (where softmax arguments live), spread out to the range ends.
            x[i] = i % 2 == 0 ? (float) (-86 + 174 * r.nextDouble()) : (float) (-10 * r.nextDouble() + 0.1);
        }
        x[0] = -86f;
        x[1] = 88f;
        x[2] = 0f;
        float[] y = exp(x);
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            double want = Math.exp(x[i]);
            worst = Math.max(worst, Math.abs(y[i] - want) / want);
        }
        assertTrue(worst < 3.5e-7, "worst relative error " + worst);
        assertEquals(1f, y[2]);
    }

    @Test
    void underflowsToExactZeroAndPropagatesNaN() {
        float[] y = exp(new float[] {Float.NEGATIVE_INFINITY, -86.5f, -1000f, -Float.MAX_VALUE, Float.NaN});
        assertEquals(0f, y[0]);
        assertEquals(0f, y[1]);
        assertEquals(0f, y[2]);
        assertEquals(0f, y[3]);
        assertTrue(Float.isNaN(y[4]));
    }
}
