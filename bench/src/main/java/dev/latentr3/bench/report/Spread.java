package dev.latentr3.bench.report;

import java.util.Arrays;

/**
 * Median and spread of a benchmark's samples (one per measurement iteration, all forks together): the median
 * because a shared machine's outliers are one-sided, the quartiles and extremes to show how far to trust it.
 */
public record Spread(double median, double p25, double p75, double min, double max, int samples) {

    public static Spread of(double[] samples) {
        if (samples.length == 0) throw new IllegalArgumentException("Spread: no samples");
        double[] s = samples.clone();
        Arrays.sort(s);
        return new Spread(quantile(s, 0.5), quantile(s, 0.25), quantile(s, 0.75), s[0], s[s.length - 1], s.length);
    }

    /** The q-quantile of sorted values, interpolating linearly between closest ranks (the common "type 7"). */
    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
