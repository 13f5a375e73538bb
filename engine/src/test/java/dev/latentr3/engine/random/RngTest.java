package dev.latentr3.engine.random;

import dev.latentr3.engine.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RngTest {

    /** Known-answer vectors of Philox4x32-10 from the Random123 distribution (kat_vectors): counter, key -> output. */
    @Test
    void philoxMatchesRandom123KnownAnswers() {
        int[][][] cases = {
                {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
                {{-1, -1, -1, -1}, {-1, -1}, {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
                {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0},
                        {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
        };
        for (int[][] c : cases) {
            int[] out = new int[4];
            Philox.block(c[0][0], c[0][1], c[0][2], c[0][3], c[1][0], c[1][1], out);
            assertArrayEquals(c[2], out);
        }
    }

    @Test
    void sameSeedGivesSameNumbers() {
        assertArrayEquals(normals(Rng.seeded(7), 1001), normals(Rng.seeded(7), 1001));
        Rng a = Rng.seeded(7), b = Rng.seeded(7);
        for (int i = 0; i < 100; i++) assertEquals(a.nextInt(1000), b.nextInt(1000));
        for (int i = 0; i < 100; i++) assertEquals(a.nextLong(), b.nextLong());
        // Through the JDK interface too: the default methods draw from our nextLong/nextInt.
        java.util.random.RandomGenerator ga = Rng.seeded(9), gb = Rng.seeded(9);
        for (int i = 0; i < 100; i++) assertEquals(ga.nextFloat(), gb.nextFloat());
    }

    @Test
    void differentSeedsAndForksGiveDifferentNumbers() {
        assertFalse(java.util.Arrays.equals(normals(Rng.seeded(7), 64), normals(Rng.seeded(8), 64)));
        Rng root = Rng.seeded(7);
        assertFalse(java.util.Arrays.equals(normals(root.fork("a"), 64), normals(root.fork("b"), 64)));
        assertFalse(java.util.Arrays.equals(normals(root.fork("a"), 64), normals(Rng.seeded(7), 64)));
    }

    @Test
    void aNamedForkDoesNotDependOnWhatTheParentDrew() {
        Rng fresh = Rng.seeded(11);
        Rng used = Rng.seeded(11);
        normals(used, 999);
        used.nextInt();
        assertArrayEquals(normals(fresh.fork("init"), 100), normals(used.fork("init"), 100));
    }

    @Test
    void restoringAStateReplaysTheStream() {
        Rng rng = Rng.seeded(3);
        normals(rng, 10);
        Rng.State saved = rng.state();
        float[] expected = normals(rng, 50);
        double nextExpected = rng.nextDouble();
        Rng resumed = Rng.restore(saved);
        assertArrayEquals(expected, normals(resumed, 50));
        assertEquals(nextExpected, resumed.nextDouble());
    }

    /**
     * A fill large enough to run on several threads gives exactly the numbers of the sequential definition: element
     * i from block (first counter + i / 4), word i % 4. So the result cannot depend on the thread count.
     */
    @Test
    void parallelFillEqualsTheSequentialDefinition() {
        int n = 400_003; // not a multiple of 4: the last block is partly used
        Rng rng = Rng.seeded(99);
        normals(rng, 5); // the fill below starts at counter 2
        long base = rng.state().counter();
        Rng.State key = rng.state();
        float[] got = rng.uniform(Tensor.empty(n), 0f, 1f).toFloatArray();
        int[] w = new int[4];
        for (int i = 0; i < n; i++) {
            long c = base + i / 4;
            Philox.block((int) c, (int) (c >>> 32), 0, 0, (int) key.key(), (int) (key.key() >>> 32), w);
            float want = (w[i % 4] >>> 8) * 0x1.0p-24f;
            if (want != got[i]) throw new AssertionError("element " + i + ": " + got[i] + " != " + want);
        }
        assertEquals(base + (n + 3) / 4, rng.state().counter());
    }

    @Test
    void normalSamplesHaveTheRequestedMeanAndVariance() {
        int n = 200_000;
        float mean = 1.5f, std = 0.5f;
        float[] x = Rng.seeded(5).normal(Tensor.empty(n), mean, std).toFloatArray();
        double sum = 0, sumSq = 0;
        int withinOneStd = 0;
        for (float v : x) {
            sum += v;
            if (Math.abs(v - mean) <= std) withinOneStd++;
        }
        double m = sum / n;
        for (float v : x) sumSq += (v - m) * (v - m);
        double var = sumSq / (n - 1);
        // Standard error of the mean: std / sqrt(n) = 0.0011; of the variance: var * sqrt(2 / n) = 0.0008.
        assertEquals(mean, m, 0.006, "mean");
        assertEquals(std * std, var, 0.005, "variance");
        // A normal puts 68.27% of its mass within one standard deviation (binomial standard error 0.1%).
        assertEquals(0.6827, (double) withinOneStd / n, 0.005, "mass within one std");
    }

    @Test
    void uniformSamplesStayInRangeAndAverageToTheMiddle() {
        int n = 100_000;
        float[] x = Rng.seeded(6).uniform(Tensor.empty(n), -2f, 3f).toFloatArray();
        double sum = 0;
        for (float v : x) {
            assertTrue(v >= -2f && v < 3f, "value " + v + " outside [-2, 3)");
            sum += v;
        }
        assertEquals(0.5, sum / n, 0.03); // std of the mean: 5 / sqrt(12 n) = 0.0046
    }

    @Test
    void boundedIntsCoverTheRangeEvenly() {
        Rng rng = Rng.seeded(12);
        int bound = 7, n = 70_000;
        int[] counts = new int[bound];
        for (int i = 0; i < n; i++) counts[rng.nextInt(bound)]++;
        double chiSquare = 0, expected = (double) n / bound;
        for (int c : counts) chiSquare += (c - expected) * (c - expected) / expected;
        assertTrue(chiSquare < 22.46, "chi-square " + chiSquare + " over 6 degrees of freedom exceeds the 0.1% critical value");
        assertThrows(IllegalArgumentException.class, () -> rng.nextInt(0));
    }

    @Test
    void fillsRejectTensorsTheyCannotWrite() {
        Tensor t = Tensor.empty(4, 6);
        var e = assertThrows(IllegalArgumentException.class, () -> Rng.seeded(1).normal(t.transpose(0, 1), 0f, 1f));
        assertTrue(e.getMessage().contains("Rng.normal") && e.getMessage().contains("contiguous"), e.getMessage());
    }

    private static float[] normals(Rng rng, int n) {
        return rng.normal(Tensor.empty(n), 0f, 1f).toFloatArray();
    }
}
