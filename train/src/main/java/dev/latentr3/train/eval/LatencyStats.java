package dev.latentr3.train.eval;

import java.util.Arrays;

/**
 * Wall time per test row in milliseconds: mean, median and 95th percentile (nearest rank). With batched decoding a
 * row's time is its batch's time divided by the batch's rows, so these are throughput-based per-row costs; with
 * batch size 1 they are true latencies.
 */
public record LatencyStats(int rows, double meanMillis, double p50Millis, double p95Millis) {
    public static LatencyStats of(double[] millisPerRow) {
        if (millisPerRow.length == 0) return new LatencyStats(0, 0, 0, 0);
        double[] sorted = millisPerRow.clone();
        Arrays.sort(sorted);
        double sum = 0;
        for (double v : sorted) sum += v;
        return new LatencyStats(sorted.length, sum / sorted.length, nearestRank(sorted, 0.50), nearestRank(sorted, 0.95));
    }

    /** The smallest value with at least fraction q of the values at or below it. */
    static double nearestRank(double[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }
}
