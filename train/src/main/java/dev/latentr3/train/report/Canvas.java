package dev.latentr3.train.report;

import dev.latentr3.train.dataset.AtomicFiles;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
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
 * What every chart shares: a white anti-aliased image, the fonts and greys, the title, axis labels, tick labels and
 * grid, the legend, and writing the PNG. Charts compute their layout from the sizes of their labels, so long tick
 * labels widen the margin instead of running off the image.
 */
final class Canvas {
    static {
        // Charts are drawn on servers and in CI with no display: headless mode keeps AWT from looking for one. Only
        // when nobody chose: a desktop application embedding us keeps its own setting (BufferedImage works in both).
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 16);
    static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    static final Font TICK = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    static final Color TEXT = new Color(30, 30, 30);
    static final Color AXIS = new Color(110, 110, 110);
    static final Color GRID = new Color(228, 228, 228);
    static final int PAD = 14;
    static final int TICK_LENGTH = 5;
    static final int SWATCH = 26;
    private static final int LEGEND_GAP = 16;
    private static final int MAX_LEGEND_CHARS = 40;

    final BufferedImage image;
    final Graphics2D g;

    Canvas(int width, int height) {
        image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
    }

    /**
     * Runs a drawing; a JDK without usable fonts fails deep inside AWT with an Error that names no cause a user could
     * act on, so it is turned into one that does.
     */
    static <T> T drawing(String what, Supplier<T> draw) {
        try {
            return draw.get();
        } catch (InternalError | UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new IllegalStateException(what + ": Java2D could not draw (headless="
                    + System.getProperty("java.awt.headless") + "); a JDK with java.desktop and the fontconfig and "
                    + "font packages is needed: " + e, e);
        }
    }

    int width(Font font, String s) {
        return g.getFontMetrics(font).stringWidth(s);
    }

    int height(Font font) {
        return g.getFontMetrics(font).getHeight();
    }

    int maxWidth(Font font, String[] texts) {
        int w = 0;
        for (String s : texts) w = Math.max(w, width(font, s));
        return w;
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
        g.setFont(TITLE);
        g.setColor(TEXT);
        String t = fit(TITLE, title, image.getWidth() - 2 * PAD);
        g.drawString(t, (image.getWidth() - width(TITLE, t)) / 2, PAD + g.getFontMetrics().getAscent());
    }

    void xLabel(String label, Rectangle plot) {
        if (label.isEmpty()) return;
        g.setFont(LABEL);
        g.setColor(TEXT);
        String t = fit(LABEL, label, plot.width);
        int y = plot.y + plot.height + TICK_LENGTH + 4 + height(TICK) + 4 + g.getFontMetrics().getAscent();
        g.drawString(t, plot.x + (plot.width - width(LABEL, t)) / 2, y);
    }

    void yLabel(String label, Rectangle plot) {
        if (label.isEmpty()) return;
        g.setFont(LABEL);
        g.setColor(TEXT);
        String t = fit(LABEL, label, plot.height);
        AffineTransform saved = g.getTransform();
        int x = PAD + g.getFontMetrics().getAscent();
        int y = plot.y + (plot.height + width(LABEL, t)) / 2;
        g.rotate(-Math.PI / 2, x, y);
        g.drawString(t, x, y);
        g.setTransform(saved);
    }

    /** Horizontal grid lines and labelled ticks on the left edge. */
    void yTicks(Ticks ticks, Scale scale, Rectangle plot) {
        double[] v = ticks.values();
        String[] l = ticks.labels();
        g.setFont(TICK);
        FontMetrics fm = g.getFontMetrics();
        for (int i = 0; i < v.length; i++) {
            double y = scale.px(v[i]);
            g.setColor(GRID);
            g.setStroke(new BasicStroke(1f));
            g.draw(new Line2D.Double(plot.x, y, plot.x + plot.width, y));
            g.setColor(AXIS);
            g.draw(new Line2D.Double(plot.x - TICK_LENGTH, y, plot.x, y));
            g.setColor(TEXT);
            g.drawString(l[i], plot.x - TICK_LENGTH - 4 - fm.stringWidth(l[i]),
                    (float) (y + (fm.getAscent() - fm.getDescent()) / 2.0));
        }
    }

    /** Vertical grid lines and labelled ticks on the bottom edge. */
    void xTicks(Ticks ticks, Scale scale, Rectangle plot) {
        double[] v = ticks.values();
        String[] l = ticks.labels();
        g.setFont(TICK);
        FontMetrics fm = g.getFontMetrics();
        int bottom = plot.y + plot.height;
        for (int i = 0; i < v.length; i++) {
            double x = scale.px(v[i]);
            g.setColor(GRID);
            g.setStroke(new BasicStroke(1f));
            g.draw(new Line2D.Double(x, plot.y, x, bottom));
            g.setColor(AXIS);
            g.draw(new Line2D.Double(x, bottom, x, bottom + TICK_LENGTH));
            g.setColor(TEXT);
            g.drawString(l[i], (float) (x - fm.stringWidth(l[i]) / 2.0), bottom + TICK_LENGTH + 4 + fm.getAscent());
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
        g.setFont(TICK);
        FontMetrics fm = g.getFontMetrics();
        int x = plot.x + plot.width + LEGEND_GAP;
        int row = fm.getHeight() + 4;
        for (int i = 0; i < names.size(); i++) {
            int mid = plot.y + 4 + i * row + row / 2;
            g.setColor(Palette.colour(i));
            if (filled) {
                g.fillRect(x + SWATCH / 2 - 6, mid - 6, 12, 12);
            } else {
                g.setStroke(Palette.stroke(i));
                g.draw(new Line2D.Double(x, mid, x + SWATCH, mid));
            }
            g.setColor(TEXT);
            g.drawString(clip(names.get(i)), x + SWATCH + 6, mid + (fm.getAscent() - fm.getDescent()) / 2);
        }
    }

    private static String clip(String s) {
        return s.length() <= MAX_LEGEND_CHARS ? s : s.substring(0, MAX_LEGEND_CHARS - 1) + "…";
    }

    /** The text, shortened with an ellipsis until it fits maxWidth pixels. */
    String fit(Font font, String s, int maxWidth) {
        if (width(font, s) <= maxWidth) return s;
        int n = s.length();
        while (n > 1 && width(font, s.substring(0, n) + "…") > maxWidth) n--;
        return s.substring(0, n) + "…";
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
