package dev.latentr3.train.rl;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdvantagesTest {
    private static final double TOL = 1e-12;

    @Test
    void batchBaselineIsTheMeanCleanRewardAndTheL2NormWithItsEpsilon() {
        // baseline = (-2 + -4) / 2 = -3; s - b = [[1, 0, 2], [-1, -1, -3]]; ||.|| = sqrt(1+0+4+1+1+9) = 4.
        double[][] a = Advantages.batchBaseline(new double[][]{{-2, -3, -1}, {-4, -4, -6}});
        double n = 4 + 1e-6;
        assertArrayEquals(new double[]{1 / n, 0, 2 / n}, a[0], TOL);
        assertArrayEquals(new double[]{-1 / n, -1 / n, -3 / n}, a[1], TOL);
    }

    @Test
    void equalRewardsGiveZeroAdvantagesNotNaN() {
        double[][] a = Advantages.batchBaseline(new double[][]{{-5, -5}, {-5, -5}, {-5, -5}});
        for (double[] g : a) assertArrayEquals(new double[]{0, 0}, g, 0);
        assertArrayEquals(new double[]{0, 0, 0}, Advantages.groupStandardized(new double[]{-2, -2, -2}), 0);
    }

    @Test
    void groupsOfOneCopyCompareCleanRewardsAcrossGroups() {
        // G = 1: every sample is clean; baseline -2, s - b = [1, -1], norm sqrt(2).
        double[][] a = Advantages.batchBaseline(new double[][]{{-1}, {-3}});
        assertEquals(1 / (Math.sqrt(2) + 1e-6), a[0][0], TOL);
        assertEquals(-1 / (Math.sqrt(2) + 1e-6), a[1][0], TOL);
        assertEquals(0, Advantages.batchBaseline(new double[][]{{-7}})[0][0], 0);
    }

    @Test
    void theBatchScopeSplitsConsecutiveGroupsAndAllowsAnOddCount() {
        double[][] rewards = {{-2, -3, -1}, {-4, -4, -6}, {-1, -2, -2}};
        double[][] a = Advantages.compute(Advantages.Kind.BATCH_BASELINE, rewards, 2);
        double n = 4 + 1e-6;
        assertArrayEquals(new double[]{1 / n, 0, 2 / n}, a[0], TOL);
        assertArrayEquals(new double[]{-1 / n, -1 / n, -3 / n}, a[1], TOL);
        // The third group alone: baseline -1, s - b = [0, -1, -1], norm sqrt(2).
        double m = Math.sqrt(2) + 1e-6;
        assertArrayEquals(new double[]{0, -1 / m, -1 / m}, a[2], TOL);
        // Scope 0 = every group in one batch: baseline (-2 - 4 - 1) / 3.
        double b = -7.0 / 3;
        double[][] all = Advantages.compute(Advantages.Kind.BATCH_BASELINE, rewards, 0);
        double sq = 0;
        for (double[] g : rewards) for (double s : g) sq += (s - b) * (s - b);
        assertEquals((-6 - b) / (Math.sqrt(sq) + 1e-6), all[1][2], TOL);
    }

    @Test
    void groupStandardizationIsTrlsUnbiasedStdPlusEpsilon() {
        // mean 3, deviations [-2, -1, 0, 3], unbiased variance 14 / 3.
        double std = Math.sqrt(14.0 / 3) + 1e-4;
        double[][] a = Advantages.compute(Advantages.Kind.GROUP_MEAN_STD, new double[][]{{1, 2, 3, 6}, {4, 3, 2, -1}}, 0);
        assertArrayEquals(new double[]{-2 / std, -1 / std, 0, 3 / std}, a[0], TOL);
        assertArrayEquals(new double[]{2 / std, 1 / std, 0, -3 / std}, a[1], TOL);
        assertArrayEquals(new double[]{0}, Advantages.groupStandardized(new double[]{-1}), 0, "one copy has no spread");
    }

    @Test
    void malformedRewardsAreRejectedWithTheReason() {
        var ragged = assertThrows(IllegalArgumentException.class,
                () -> Advantages.batchBaseline(new double[][]{{1, 2}, {1}}));
        assertTrue(ragged.getMessage().contains("group 1 has 1 rewards"), ragged.getMessage());
        var nan = assertThrows(IllegalArgumentException.class,
                () -> Advantages.batchBaseline(new double[][]{{1, Double.NaN}}));
        assertTrue(nan.getMessage().contains("non-finite"), nan.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Advantages.batchBaseline(new double[0][]));
    }
}
