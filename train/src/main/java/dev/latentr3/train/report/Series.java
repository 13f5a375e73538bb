package dev.latentr3.train.report;

import java.util.Objects;

/**
 * One named line of a plot: points (x[i], y[i]) drawn in order. A NaN or infinite coordinate is a gap: the line
 * stops before it and starts again after it (a metric missing at some steps, or a value a log axis cannot show).
 * The arrays are copied in and out, so a series cannot change after it was checked.
 */
public record Series(String name, double[] x, double[] y) {
    public Series {
        Objects.requireNonNull(name, "Series: name is null");
        if (name.isBlank()) throw new IllegalArgumentException("Series: the name is blank (the legend shows it)");
        Objects.requireNonNull(x, () -> "Series '" + name + "': x is null");
        Objects.requireNonNull(y, () -> "Series '" + name + "': y is null");
        if (x.length != y.length) {
            throw new IllegalArgumentException("Series '" + name + "': x has " + x.length + " values but y has "
                    + y.length + " (they must pair up)");
        }
        x = x.clone();
        y = y.clone();
    }

    @Override
    public double[] x() {
        return x.clone();
    }

    @Override
    public double[] y() {
        return y.clone();
    }

    public int size() {
        return x.length;
    }

    /** The point's x, without copying the array (renderers read every point). */
    double xAt(int i) {
        return x[i];
    }

    double yAt(int i) {
        return y[i];
    }

    /** True when point i can be drawn: both coordinates finite. */
    boolean isPoint(int i) {
        return Double.isFinite(x[i]) && Double.isFinite(y[i]);
    }
}
