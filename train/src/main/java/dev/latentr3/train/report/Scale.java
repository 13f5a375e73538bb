package dev.latentr3.train.report;

/**
 * Maps a data value to a pixel coordinate along one axis: {@code min} lands on pixel {@code from}, {@code max} on
 * {@code to} (for a y axis, from is the bottom row and to the top one, since image rows grow downwards).
 */
record Scale(double min, double max, boolean log, double from, double to) {
    /** Far outside the image, but small enough that Java2D's rasteriser stays exact; only the clipped-away part moves. */
    private static final double LIMIT = 1e6;

    Scale {
        if (!(min < max)) throw new IllegalArgumentException("Scale: min " + min + " must be below max " + max);
        if (log && !(min > 0)) throw new IllegalArgumentException("Scale: a log scale needs min > 0, got " + min);
    }

    static Scale of(Ticks ticks, boolean log, double from, double to) {
        return new Scale(ticks.min(), ticks.max(), log, from, to);
    }

    double px(double v) {
        double t = log ? (Math.log10(v) - Math.log10(min)) / (Math.log10(max) - Math.log10(min)) : (v - min) / (max - min);
        double p = from + t * (to - from);
        return Math.max(-LIMIT, Math.min(LIMIT, p));
    }

    /** Whether v can be placed on this scale at all (a log scale has no place for 0 or below). */
    boolean accepts(double v) {
        return Double.isFinite(v) && (!log || v > 0);
    }
}
