package dev.latentr3.train.report;

/**
 * How a plot is drawn: image size in pixels, a logarithmic y axis, and a fixed y range (either end may be fixed,
 * NaN leaves it to the data). Start from {@link #defaults()} and change what you need:
 * {@code PlotOptions.defaults().withLogY()} or {@code .withYRange(0, 1)}.
 */
public record PlotOptions(int width, int height, boolean logY, double yMin, double yMax) {
    public static final int MIN_SIZE = 240;
    public static final int MAX_SIZE = 8000;

    public PlotOptions {
        if (width < MIN_SIZE || width > MAX_SIZE || height < MIN_SIZE || height > MAX_SIZE) {
            throw new IllegalArgumentException("PlotOptions: size " + width + "x" + height + " px is outside "
                    + MIN_SIZE + ".." + MAX_SIZE + " per side");
        }
        if (Double.isInfinite(yMin) || Double.isInfinite(yMax)) {
            throw new IllegalArgumentException("PlotOptions: a fixed y end must be finite (NaN = from the data), got ["
                    + yMin + ", " + yMax + "]");
        }
        if (!Double.isNaN(yMin) && !Double.isNaN(yMax) && !(yMin < yMax)) {
            throw new IllegalArgumentException("PlotOptions: the y range needs min < max, got [" + yMin + ", " + yMax + "]");
        }
        if (logY && (yMin <= 0 || yMax <= 0)) {
            throw new IllegalArgumentException("PlotOptions: a log y axis needs a range above 0, got [" + yMin + ", " + yMax + "]");
        }
    }

    /** 900 × 540 pixels, linear y, range from the data. */
    public static PlotOptions defaults() {
        return new PlotOptions(900, 540, false, Double.NaN, Double.NaN);
    }

    public PlotOptions withSize(int width, int height) {
        return new PlotOptions(width, height, logY, yMin, yMax);
    }

    public PlotOptions withLogY() {
        return new PlotOptions(width, height, true, yMin, yMax);
    }

    /** Fixes both ends of the y axis; points outside are cut off at the edge of the plot. */
    public PlotOptions withYRange(double min, double max) {
        return new PlotOptions(width, height, logY, min, max);
    }

    /** Fixes the lower end only (0 for a loss or a reward rate, say); the upper end follows the data. */
    public PlotOptions withYMin(double min) {
        return new PlotOptions(width, height, logY, min, yMax);
    }
}
