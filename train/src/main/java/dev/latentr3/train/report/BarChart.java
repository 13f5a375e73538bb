package dev.latentr3.train.report;

import java.awt.BasicStroke;
import java.awt.Rectangle;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Grouped bars as a PNG: one group per label along the x axis (methods, say), one bar per {@link Bars} in each group
 * (metrics, say) in the palette's colours, optional error bars with caps, a y axis from 0 (or below, for negative
 * values) with nice ticks and a grid, a legend to the right.
 */
public final class BarChart {
    private BarChart() {}

    /** Bars take this share of their group's width; the rest separates groups. */
    private static final double GROUP_FILL = 0.75;

    record Rendered(BufferedImage image, Rectangle plotArea, Scale y) {}

    public static void write(Path png, String title, String yLabel, List<String> groups, List<Bars> bars) {
        write(png, title, yLabel, groups, bars, PlotOptions.defaults());
    }

    public static void write(Path png, String title, String yLabel, List<String> groups, List<Bars> bars, PlotOptions options) {
        Canvas.writePng(png, pngBytes(title, yLabel, groups, bars, options));
    }

    static byte[] pngBytes(String title, String yLabel, List<String> groups, List<Bars> bars, PlotOptions options) {
        return Canvas.encode(render(title, yLabel, groups, bars, options).image());
    }

    static Rendered render(String title, String yLabel, List<String> groups, List<Bars> bars, PlotOptions options) {
        Objects.requireNonNull(title, "BarChart: title");
        Objects.requireNonNull(yLabel, "BarChart: yLabel");
        Objects.requireNonNull(options, "BarChart: options");
        String chart = "BarChart '" + title + "'";
        if (groups == null || groups.isEmpty()) throw new IllegalArgumentException(chart + ": no groups");
        if (bars == null || bars.isEmpty()) throw new IllegalArgumentException(chart + ": no bars");
        if (options.logY()) throw new IllegalArgumentException(chart + ": bars start at 0, which a log axis cannot show");
        for (Bars b : bars) {
            if (b.values().length != groups.size()) {
                throw new IllegalArgumentException(chart + ": bars '" + b.name() + "' have " + b.values().length
                        + " values for " + groups.size() + " groups");
            }
        }
        return Canvas.drawing(chart, () -> draw(chart, title, yLabel, List.copyOf(groups), List.copyOf(bars), options));
    }

    private static Rendered draw(String chart, String title, String yLabel, List<String> groups, List<Bars> bars,
                                 PlotOptions options) {
        // The axis always shows 0, where bars start.
        double lo = 0, hi = 0;
        boolean any = false;
        for (Bars b : bars) {
            for (int i = 0; i < groups.size(); i++) {
                double v = b.valueAt(i);
                if (Double.isNaN(v)) continue;
                any = true;
                lo = Math.min(lo, b.hasErrorBars() ? b.lowAt(i) : v);
                hi = Math.max(hi, b.hasErrorBars() ? b.highAt(i) : v);
            }
        }
        if (!any) throw new IllegalArgumentException(chart + ": every value is missing (NaN)");
        boolean fixedLo = !Double.isNaN(options.yMin()), fixedHi = !Double.isNaN(options.yMax());
        if (fixedLo) lo = options.yMin();
        if (fixedHi) hi = options.yMax();
        if (lo >= hi) hi = lo + 1;
        Ticks ticks = Ticks.linear(lo, hi, Math.max(2, Math.min(8, options.height() / 100)), false);
        if (fixedLo || fixedHi) ticks = ticks.clippedTo(fixedLo ? lo : ticks.min(), fixedHi ? hi : ticks.max());

        Canvas c = new Canvas(options.width(), options.height());
        List<String> names = bars.stream().map(Bars::name).toList();
        Rectangle plot = c.plotArea(ticks.labels(), !yLabel.isEmpty(), false, c.legendWidth(names), chart);
        Scale ys = Scale.of(ticks, false, plot.y + plot.height, plot.y);
        c.yTicks(ticks, ys, plot);

        double groupWidth = (double) plot.width / groups.size();
        double barWidth = groupWidth * GROUP_FILL / bars.size();
        double zero = ys.px(Math.max(ticks.min(), Math.min(ticks.max(), 0)));
        var clip = c.g.getClip();
        c.g.clip(plot);
        for (int g = 0; g < groups.size(); g++) {
            double left = plot.x + g * groupWidth + groupWidth * (1 - GROUP_FILL) / 2;
            for (int k = 0; k < bars.size(); k++) {
                Bars b = bars.get(k);
                double v = b.valueAt(g);
                if (Double.isNaN(v)) continue;
                double x = left + k * barWidth, top = ys.px(v);
                c.g.setColor(Palette.colour(k));
                c.g.fill(new Rectangle2D.Double(x + 1, Math.min(top, zero), barWidth - 2, Math.abs(zero - top)));
                if (b.hasErrorBars()) errorBar(c, x + barWidth / 2, ys.px(b.lowAt(g)), ys.px(b.highAt(g)), barWidth);
            }
        }
        c.g.setClip(clip);
        c.frame(plot);
        groupLabels(c, groups, plot, groupWidth);
        c.title(title);
        c.yLabel(yLabel, plot);
        c.legend(names, plot, true);
        c.g.dispose();
        return new Rendered(c.image, plot, ys);
    }

    private static void errorBar(Canvas c, double x, double low, double high, double barWidth) {
        double cap = Math.min(8, barWidth / 4);
        c.g.setColor(Canvas.TEXT);
        c.g.setStroke(new BasicStroke(1.5f));
        c.g.draw(new Line2D.Double(x, low, x, high));
        c.g.draw(new Line2D.Double(x - cap, low, x + cap, low));
        c.g.draw(new Line2D.Double(x - cap, high, x + cap, high));
    }

    private static void groupLabels(Canvas c, List<String> groups, Rectangle plot, double groupWidth) {
        int top = plot.y + plot.height + Canvas.TICK_LENGTH + 4;
        for (int g = 0; g < groups.size(); g++) {
            String label = Canvas.fit(Canvas.LABEL, groups.get(g), (int) groupWidth - 6);
            double mid = plot.x + (g + 0.5) * groupWidth;
            c.text(Canvas.LABEL, label, (int) Math.round(mid - Canvas.width(Canvas.LABEL, label) / 2.0), top);
        }
    }
}
