package dev.latentr3.train.report;

import dev.latentr3.train.dataset.AtomicFiles;

import java.awt.AWTError;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.geom.Line2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import javax.imageio.ImageIO;

/**
 * What every chart shares: a white image with anti-aliased lines, the text sizes and greys, the title, axis labels,
 * tick labels and grid, the legend, and writing the PNG. Charts compute their layout from the sizes of their labels,
 * so long tick labels widen the margin instead of running off the image. All text is drawn with {@link BitmapFont},
 * never with java.awt fonts, which need the host's fontconfig and font files.
 */
final class Canvas {
    static {
        // Charts are drawn on servers and in CI with no display: headless mode keeps AWT from looking for one. Only
        // when nobody chose: a desktop application embedding us keeps its own setting (BufferedImage works in both).
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    /** A text size: the bitmap font's pixels scaled by a whole factor, optionally bold. */
    record Text(int scale, boolean bold) {}

    static final Text TITLE = new Text(2, true);
    static final Text LABEL = new Text(2, false);
    static final Text TICK = new Text(2, false);
    static final Color TEXT = new Color(30, 30, 30);
    static final Color AXIS = new Color(110, 110, 110);
    static final Color GRID = new Color(228, 228, 228);
    static final int PAD = 14;
    static final int TICK_LENGTH = 5;
    static final int SWATCH = 26;
    private static final int LEGEND_GAP = 16;
    /** At the tick size a glyph advances 12 px: 30 of them leave the plot most of a 900 px image. */
    private static final int MAX_LEGEND_CHARS = 30;

    final BufferedImage image;
    final Graphics2D g;

    Canvas(int width, int height) {
        image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
    }

    /**
     * Runs a drawing; a JDK whose Java2D cannot work (no java.desktop module, no libawt) fails deep inside AWT with an
     * Error that names no cause a user could act on, so it is turned into one that does.
     */
    static <T> T drawing(String what, Supplier<T> draw) {
        try {
            return draw.get();
        } catch (InternalError | AWTError | UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new IllegalStateException(what + ": Java2D could not draw (headless="
                    + System.getProperty("java.awt.headless") + "); a JDK with the java.desktop module is needed: " + e, e);
        }
    }

    static int width(Text text, String s) {
        return BitmapFont.width(s, text.scale());
    }

    /** A line's height: the glyph's rows (descenders included) and a blank row. */
    static int height(Text text) {
        return BitmapFont.LINE * text.scale();
    }

    static int maxWidth(Text text, String[] texts) {
        int w = 0;
        for (String s : texts) w = Math.max(w, width(text, s));
        return w;
    }

    /** Draws the text in the TEXT colour with the top of its line at {@code top}. */
    void text(Text text, String s, int x, int top) {
        g.setColor(TEXT);
        BitmapFont.draw(g, s, x, top, text.scale(), text.bold(), false);
    }

    /** Draws the text centred vertically on {@code mid} (the middle of its capitals). */
    void textMiddle(Text text, String s, int x, double mid) {
        text(text, s, x, (int) Math.round(mid - BitmapFont.ASCENT * text.scale() / 2.0));
    }

    /**
     * The plot area: what is left after the title above, the y tick labels and y axis label on the left, the x tick
     * labels and x axis label below, and the legend on the right.
     */
    Rectangle plotArea(String[] yTickLabels, boolean yLabel, boolean xLabel, int legendWidth, String chart) {
        int left = PAD + (yLabel ? height(LABEL) + 6 : 0) + maxWidth(TICK, yTickLabels) + TICK_LENGTH + 4;
        int top = PAD + height(TITLE) + 8;
        int bottom = PAD + (xLabel ? height(LABEL) + 4 : 0) + height(TICK) + TICK_LENGTH + 4;
        int right = PAD + (legendWidth > 0 ? legendWidth + LEGEND_GAP : 0);
        Rectangle r = new Rectangle(left, top, image.getWidth() - left - right, image.getHeight() - top - bottom);
        if (r.width < 60 || r.height < 60) {
            throw new IllegalArgumentException(chart + ": the image " + image.getWidth() + "x" + image.getHeight()
                    + " px leaves only " + r.width + "x" + r.height + " px for the plot after labels and legend; "
                    + "make it larger or the names shorter");
        }
        return r;
    }

    void title(String title) {
        String t = fit(TITLE, title, image.getWidth() - 2 * PAD);
        text(TITLE, t, (image.getWidth() - width(TITLE, t)) / 2, PAD);
    }

    void xLabel(String label, Rectangle plot) {
        if (label.isEmpty()) return;
        String t = fit(LABEL, label, plot.width);
        int top = plot.y + plot.height + TICK_LENGTH + 4 + height(TICK) + 4;
        text(LABEL, t, plot.x + (plot.width - width(LABEL, t)) / 2, top);
    }

    /** The y axis label, reading bottom to top along the left edge, centred on the plot's height. */
    void yLabel(String label, Rectangle plot) {
        if (label.isEmpty()) return;
        String t = fit(LABEL, label, plot.height);
        int start = plot.y + (plot.height + width(LABEL, t)) / 2;
        g.setColor(TEXT);
        BitmapFont.draw(g, t, PAD, start, LABEL.scale(), LABEL.bold(), true);
    }

    /** Horizontal grid lines and labelled ticks on the left edge. */
    void yTicks(Ticks ticks, Scale scale, Rectangle plot) {
        double[] v = ticks.values();
        String[] l = ticks.labels();
        for (int i = 0; i < v.length; i++) {
            double y = scale.px(v[i]);
            g.setColor(GRID);
            g.setStroke(new BasicStroke(1f));
            g.draw(new Line2D.Double(plot.x, y, plot.x + plot.width, y));
            g.setColor(AXIS);
            g.draw(new Line2D.Double(plot.x - TICK_LENGTH, y, plot.x, y));
            textMiddle(TICK, l[i], plot.x - TICK_LENGTH - 4 - width(TICK, l[i]), y);
        }
    }

    /** Vertical grid lines and labelled ticks on the bottom edge. */
    void xTicks(Ticks ticks, Scale scale, Rectangle plot) {
        double[] v = ticks.values();
        String[] l = ticks.labels();
        int bottom = plot.y + plot.height;
        for (int i = 0; i < v.length; i++) {
            double x = scale.px(v[i]);
            g.setColor(GRID);
            g.setStroke(new BasicStroke(1f));
            g.draw(new Line2D.Double(x, plot.y, x, bottom));
            g.setColor(AXIS);
            g.draw(new Line2D.Double(x, bottom, x, bottom + TICK_LENGTH));
            text(TICK, l[i], (int) Math.round(x - width(TICK, l[i]) / 2.0), bottom + TICK_LENGTH + 4);
        }
    }

    void frame(Rectangle plot) {
        g.setColor(AXIS);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(plot.x, plot.y, plot.width, plot.height);
    }

    /** The width the legend needs for these names (0 for none). */
    int legendWidth(List<String> names) {
        if (names.isEmpty()) return 0;
        int w = 0;
        for (String n : names) w = Math.max(w, width(TICK, clip(n)));
        return SWATCH + 6 + w;
    }

    /** The legend to the right of the plot area, outside it, so it never hides data. */
    void legend(List<String> names, Rectangle plot, boolean filled) {
        int x = plot.x + plot.width + LEGEND_GAP;
        int row = height(TICK) + 4;
        for (int i = 0; i < names.size(); i++) {
            int mid = plot.y + 4 + i * row + row / 2;
            g.setColor(Palette.colour(i));
            if (filled) {
                g.fillRect(x + SWATCH / 2 - 6, mid - 6, 12, 12);
            } else {
                g.setStroke(Palette.stroke(i));
                g.draw(new Line2D.Double(x, mid, x + SWATCH, mid));
            }
            textMiddle(TICK, clip(names.get(i)), x + SWATCH + 6, mid);
        }
    }

    /** At most MAX_LEGEND_CHARS glyphs, the last an ellipsis when cut. */
    private static String clip(String s) {
        return s.codePointCount(0, s.length()) <= MAX_LEGEND_CHARS ? s : prefix(s, MAX_LEGEND_CHARS - 1) + "…";
    }

    /** The text, shortened with an ellipsis (one glyph of the bitmap font) until it fits maxWidth pixels. */
    static String fit(Text text, String s, int maxWidth) {
        int glyphs = s.codePointCount(0, s.length());
        int room = maxWidth / (BitmapFont.ADVANCE * text.scale());
        if (glyphs <= room) return s;
        return prefix(s, Math.max(1, room - 1)) + "…";
    }

    /** The first n code points (never half of a surrogate pair). */
    private static String prefix(String s, int n) {
        return s.substring(0, s.offsetByCodePoints(0, n));
    }

    /** The image as PNG bytes. */
    static byte[] encode(BufferedImage image) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", bytes)) throw new IllegalStateException("ImageIO has no PNG writer in this JDK");
        } catch (IOException e) {
            throw new UncheckedIOException("PNG encoding failed: " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }

    /** Writes the PNG so that a reader sees the old image or the new one, never half of one. */
    static void writePng(Path file, byte[] png) {
        AtomicFiles.write(file, png);
    }
}
