package dev.latentr3.train.pipeline;

import java.util.Locale;

/** A value measured once per seed: mean, min and max. */
public record Spread(double mean, double min, double max, int n) {
    public static Spread of(double[] values) {
        if (values.length == 0) throw new IllegalArgumentException("spread: no values");
        double sum = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            sum += v;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return new Spread(sum / values.length, min, max, values.length);
    }

    /** "0.1234 (0.1000–0.1500)", or the bare mean for one value. */
    public String format(String number) {
        String mean = String.format(Locale.ROOT, number, this.mean);
        if (n == 1) return mean;
        return mean + " (" + String.format(Locale.ROOT, number, min) + "–" + String.format(Locale.ROOT, number, max) + ")";
    }
}
