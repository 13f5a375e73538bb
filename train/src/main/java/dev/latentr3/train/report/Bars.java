package dev.latentr3.train.report;

import java.util.Objects;

/**
 * One bar per group for a {@link BarChart}, all in one colour: a metric (HR@5, say) over methods. {@code low} and
 * {@code high}, when given, are the ends of an error bar (the min and max over seeds); null for none. A NaN value
 * leaves its group without this bar (a method not run), and then its low and high must be NaN too.
 */
public record Bars(String name, double[] values, double[] low, double[] high) {
    public Bars {
        Objects.requireNonNull(name, "Bars: name is null");
        if (name.isBlank()) throw new IllegalArgumentException("Bars: the name is blank (the legend shows it)");
        Objects.requireNonNull(values, () -> "Bars '" + name + "': values is null");
        if ((low == null) != (high == null)) {
            throw new IllegalArgumentException("Bars '" + name + "': give both low and high for error bars, or neither");
        }
        values = values.clone();
        if (low != null) {
            if (low.length != values.length || high.length != values.length) {
                throw new IllegalArgumentException("Bars '" + name + "': " + values.length + " values but " + low.length
                        + " lows and " + high.length + " highs");
            }
            low = low.clone();
            high = high.clone();
        }
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (Double.isInfinite(v)) throw new IllegalArgumentException("Bars '" + name + "': value " + i + " is " + v);
            if (low == null) continue;
            if (Double.isNaN(v)) {
                if (!Double.isNaN(low[i]) || !Double.isNaN(high[i])) {
                    throw new IllegalArgumentException("Bars '" + name + "': value " + i + " is missing (NaN) but its "
                            + "error bar is not");
                }
            } else if (!(low[i] <= v && v <= high[i]) || Double.isInfinite(low[i]) || Double.isInfinite(high[i])) {
                throw new IllegalArgumentException("Bars '" + name + "': value " + i + " = " + v + " is outside its "
                        + "error bar [" + low[i] + ", " + high[i] + "] (expected finite low <= value <= high)");
            }
        }
    }

    /** Bars without error bars. */
    public static Bars of(String name, double... values) {
        return new Bars(name, values, null, null);
    }

    /** The mean of each group's samples as the bar, their min and max as the error bar; an empty group is NaN. */
    public static Bars meanWithRange(String name, double[][] samplesPerGroup) {
        int n = samplesPerGroup.length;
        double[] mean = new double[n], lo = new double[n], hi = new double[n];
        for (int i = 0; i < n; i++) {
            double[] s = samplesPerGroup[i];
            if (s.length == 0) {
                mean[i] = lo[i] = hi[i] = Double.NaN;
                continue;
            }
            double sum = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            for (double v : s) {
                if (!Double.isFinite(v)) throw new IllegalArgumentException("Bars '" + name + "': group " + i + " has a sample " + v);
                sum += v;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            // Clamped: the rounded mean of equal samples can land an ulp outside [min, max].
            mean[i] = Math.max(min, Math.min(max, sum / s.length));
            lo[i] = min;
            hi[i] = max;
        }
        return new Bars(name, mean, lo, hi);
    }

    @Override
    public double[] values() {
        return values.clone();
    }

    @Override
    public double[] low() {
        return low == null ? null : low.clone();
    }

    @Override
    public double[] high() {
        return high == null ? null : high.clone();
    }

    boolean hasErrorBars() {
        return low != null;
    }

    double valueAt(int i) {
        return values[i];
    }

    double lowAt(int i) {
        return low[i];
    }

    double highAt(int i) {
        return high[i];
    }
}
