package dev.latentr3.train.report;

import java.awt.Rectangle;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A line chart as a PNG: one line per {@link Series} in the palette's colours, ticks at nice numbers with labels and a
 * grid, a legend to the right, title and axis labels. A NaN point breaks a line; a point with no drawn neighbour (a
 * series of one point, say) gets a dot so it stays visible, and short series get a dot at every point. A constant
 * series gets a small y range around its value.
 */
public final class LinePlot {
    private LinePlot() {}

    /** Series with at most this many points get a marker at each point (eval curves, a few seeds). */
    static final int MARKERS_UP_TO = 30;
    private static final double MARKER_RADIUS = 3.5;
    /** Pixels between the frame and the axis ends. */
    static final int INSET = 6;

    /** The drawn image, where its plot area is, and how data maps to pixels (the tests check pixels with it). */
    record Rendered(BufferedImage image, Rectangle plotArea, Scale x, Scale y, Ticks xTicks, Ticks yTicks) {}

    public static void write(Path png, String title, String xLabel, String yLabel, List<Series> series) {
        write(png, title, xLabel, yLabel, series, PlotOptions.defaults());
    }

    public static void write(Path png, String title, String xLabel, String yLabel, List<Series> series, PlotOptions options) {
        Canvas.writePng(png, pngBytes(title, xLabel, yLabel, series, options));
    }

    /** The PNG file's bytes, for callers that write it themselves (a report writes all its files at the end). */
    static byte[] pngBytes(String title, String xLabel, String yLabel, List<Series> series, PlotOptions options) {
        return Canvas.encode(render(title, xLabel, yLabel, series, options).image());
    }

    static Rendered render(String title, String xLabel, String yLabel, List<Series> series, PlotOptions options) {
        Objects.requireNonNull(title, "LinePlot: title");
        Objects.requireNonNull(xLabel, "LinePlot: xLabel");
        Objects.requireNonNull(yLabel, "LinePlot: yLabel");
        Objects.requireNonNull(options, "LinePlot: options");
        String chart = "LinePlot '" + title + "'";
        if (series == null || series.isEmpty()) throw new IllegalArgumentException(chart + ": no series to plot");
        return Canvas.drawing(chart, () -> draw(chart, title, xLabel, yLabel, List.copyOf(series), options));
    }

    private static Rendered draw(String chart, String title, String xLabel, String yLabel, List<Series> series,
                                 PlotOptions options) {
        double xLo = Double.POSITIVE_INFINITY, xHi = Double.NEGATIVE_INFINITY;
        double yLo = Double.POSITIVE_INFINITY, yHi = Double.NEGATIVE_INFINITY;
        boolean integralX = true;
        for (Series s : series) {
            for (int i = 0; i < s.size(); i++) {
                if (!drawable(s, i, options.logY())) continue;
                double x = s.xAt(i), y = s.yAt(i);
                xLo = Math.min(xLo, x);
                xHi = Math.max(xHi, x);
                yLo = Math.min(yLo, y);
                yHi = Math.max(yHi, y);
                integralX &= x == Math.rint(x) && Math.abs(x) < 0x1p53;
            }
        }
        if (xLo > xHi) {
            throw new IllegalArgumentException(chart + ": no series has a finite point" + (options.logY()
                    ? " with y > 0 (the y axis is logarithmic)" : "") + "; series: "
                    + String.join(", ", series.stream().map(s -> s.name() + " (" + s.size() + " points)").toList()));
        }
        Ticks yTicks = yTicks(yLo, yHi, options);

        Canvas c = new Canvas(options.width(), options.height());
        List<String> names = series.stream().map(Series::name).toList();
        Rectangle plot = c.plotArea(yTicks.labels(), !yLabel.isEmpty(), !xLabel.isEmpty(), c.legendWidth(names), chart);
        Ticks xTicks = xTicks(xLo, xHi, integralX, plot.width);
        // Data keep a few pixels off the frame, so a line along an axis's end is not hidden under the frame.
        Scale xs = Scale.of(xTicks, false, plot.x + INSET, plot.x + plot.width - INSET);
        Scale ys = Scale.of(yTicks, options.logY(), plot.y + plot.height - INSET, plot.y + INSET);

        c.yTicks(yTicks, ys, plot);
        c.xTicks(xTicks, xs, plot);
        c.frame(plot);
        var clip = c.g.getClip();
        c.g.clip(plot);
        for (int k = 0; k < series.size(); k++) drawSeries(c, series.get(k), k, xs, ys, options.logY());
        c.g.setClip(clip);
        c.frame(plot);
        c.title(title);
        c.xLabel(xLabel, plot);
        c.yLabel(yLabel, plot);
        c.legend(names, plot, false);
        c.g.dispose();
        return new Rendered(c.image, plot, xs, ys, xTicks, yTicks);
    }

    private static boolean drawable(Series s, int i, boolean logY) {
        return s.isPoint(i) && (!logY || s.yAt(i) > 0);
    }

    private static Ticks yTicks(double dataLo, double dataHi, PlotOptions o) {
        boolean fixedLo = !Double.isNaN(o.yMin()), fixedHi = !Double.isNaN(o.yMax());
        double lo = fixedLo ? o.yMin() : dataLo, hi = fixedHi ? o.yMax() : dataHi;
        if (lo >= hi && (fixedLo || fixedHi)) {
            // One end fixed and every point beyond it: keep the fixed end and give the axis some room.
            if (fixedLo) hi = o.logY() ? lo * 10 : lo + Math.max(1, Math.abs(lo));
            else lo = o.logY() ? hi / 10 : hi - Math.max(1, Math.abs(hi));
        }
        int intervals = Math.max(2, Math.min(8, o.height() / 100));
        Ticks t = o.logY() ? Ticks.log10(lo, hi) : Ticks.linear(lo, hi, intervals, false);
        if (fixedLo || fixedHi) t = t.clippedTo(fixedLo ? lo : t.min(), fixedHi ? hi : t.max());
        return t;
    }

    /** As many x intervals as fit without labels touching, at most six. */
    private static Ticks xTicks(double lo, double hi, boolean integral, int plotWidth) {
        Ticks t = null;
        for (int intervals = 6; intervals >= 1; intervals--) {
            t = Ticks.linear(lo, hi, intervals, integral);
            int n = t.values().length;
            double spacing = n > 1 ? (plotWidth - 2 * INSET) * (t.values()[1] - t.values()[0]) / (t.max() - t.min()) : plotWidth;
            if (Canvas.maxWidth(Canvas.TICK, t.labels()) + 10 <= spacing) break;
        }
        return t;
    }

    private static void drawSeries(Canvas c, Series s, int index, Scale xs, Scale ys, boolean logY) {
        c.g.setColor(Palette.colour(index));
        c.g.setStroke(Palette.stroke(index));
        int visible = 0;
        for (int i = 0; i < s.size(); i++) if (drawable(s, i, logY)) visible++;
        Path2D.Double line = new Path2D.Double();
        boolean open = false;
        for (int i = 0; i < s.size(); i++) {
            if (!drawable(s, i, logY)) {
                open = false;
                continue;
            }
            double px = xs.px(s.xAt(i)), py = ys.px(s.yAt(i));
            if (open) {
                line.lineTo(px, py);
            } else {
                line.moveTo(px, py);
                open = true;
            }
            boolean alone = (i == 0 || !drawable(s, i - 1, logY)) && (i == s.size() - 1 || !drawable(s, i + 1, logY));
            if (alone || visible <= MARKERS_UP_TO) {
                c.g.fill(new Ellipse2D.Double(px - MARKER_RADIUS, py - MARKER_RADIUS, 2 * MARKER_RADIUS, 2 * MARKER_RADIUS));
            }
        }
        c.g.draw(line);
    }
}
