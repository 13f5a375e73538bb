package dev.latentr3.train.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.awt.GraphicsEnvironment;
import java.awt.Rectangle;
import java.awt.geom.Line2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LinePlotTest {
    private static final Color FIRST = Palette.colour(0);
    private static final Color SECOND = Palette.colour(1);

    private static Series line(String name, int n, double slope, double intercept) {
        double[] x = new double[n], y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
            y[i] = slope * i + intercept;
        }
        return new Series(name, x, y);
    }

    /** The plot area without its frame and the grid's outermost lines (which are grey, but stay clear of them). */
    private static Rectangle inside(Rectangle plot) {
        return new Rectangle(plot.x + 2, plot.y + 2, plot.width - 3, plot.height - 3);
    }

    @Test
    void aKnownLineIsDrawnWhereItMapsAndNowhereElse(@TempDir Path dir) throws IOException {
        Series s = line("loss", 101, 0.5, 3);
        Path png = dir.resolve("line.png");
        LinePlot.write(png, "A line", "step", "loss", List.of(s));
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, "ImageIO decodes the file as PNG");
        LinePlot.Rendered r = LinePlot.render("A line", "step", "loss", List.of(s), PlotOptions.defaults());
        assertEquals(900, image.getWidth());
        assertEquals(540, image.getHeight());
        // The file holds the same pixels as the rendering the mapping belongs to.
        for (int y = 0; y < image.getHeight(); y += 7) {
            for (int x = 0; x < image.getWidth(); x += 7) assertEquals(r.image().getRGB(x, y), image.getRGB(x, y));
        }

        double x0 = r.x().px(0), y0 = r.y().px(3), x1 = r.x().px(100), y1 = r.y().px(53);
        for (int i = 0; i <= 100; i += 5) {
            double px = r.x().px(i), py = r.y().px(0.5 * i + 3);
            assertTrue(PlotPixels.nearby(image, px, py, 1, FIRST, 30), "line pixel at x=" + i + " (" + px + ", " + py + ")");
        }
        Rectangle area = inside(r.plotArea());
        int coloured = 0;
        for (int y = area.y; y < area.y + area.height; y++) {
            for (int x = area.x; x < area.x + area.width; x++) {
                if (!PlotPixels.near(image, x, y, FIRST, 60)) continue;
                coloured++;
                double d = Line2D.ptSegDist(x0, y0, x1, y1, x, y);
                assertTrue(d <= 2.5, "pixel (" + x + ", " + y + ") has the series colour but is " + d + " px off the line");
            }
        }
        assertTrue(coloured >= area.width / 2, "the line covers the width: " + coloured + " pixels");
        // The axes: y from the nice number below 3 to the one above 53, x 0..100 in integral steps.
        assertEquals(0, r.yTicks().min());
        assertEquals(60, r.yTicks().max());
        assertArrayEquals(new String[] {"0", "20", "40", "60", "80", "100"}, r.xTicks().labels());
        assertEquals("true", System.getProperty("java.awt.headless"));
        assertTrue(GraphicsEnvironment.isHeadless());
    }

    @Test
    void aNanBreaksTheLineAndTheRestStillShows() {
        double[] x = new double[101], y = new double[101];
        for (int i = 0; i <= 100; i++) {
            x[i] = i;
            y[i] = i >= 40 && i <= 60 ? Double.NaN : 10;
        }
        Series s = new Series("reward", x, y);
        Series other = line("other", 101, 0.1, 0); // sets a y range in which the flat line sits mid-plot
        LinePlot.Rendered r = LinePlot.render("gap", "step", "", List.of(s, other), PlotOptions.defaults());
        double py = r.y().px(10);
        assertTrue(PlotPixels.nearby(r.image(), r.x().px(20), py, 1, FIRST, 30));
        assertTrue(PlotPixels.nearby(r.image(), r.x().px(80), py, 1, FIRST, 30));
        for (int i = 42; i <= 58; i++) {
            assertFalse(PlotPixels.nearby(r.image(), r.x().px(i), py, 2, FIRST, 60), "gap at x=" + i);
        }
        assertTrue(PlotPixels.nearby(r.image(), r.x().px(50), r.y().px(5), 1, SECOND, 30), "second series drawn");
    }

    @Test
    void aSinglePointAndAConstantSeriesRender() {
        LinePlot.Rendered one = LinePlot.render("one point", "step", "loss",
                List.of(new Series("final", new double[] {7}, new double[] {0.25})), PlotOptions.defaults());
        assertTrue(one.y().min() < 0.25 && one.y().max() > 0.25);
        assertTrue(PlotPixels.nearby(one.image(), one.x().px(7), one.y().px(0.25), 1, FIRST, 30), "the point has a dot");
        assertTrue(PlotPixels.count(one.image(), inside(one.plotArea()), FIRST, 30) > 10);

        LinePlot.Rendered flat = LinePlot.render("flat", "step", "lr", List.of(line("lr", 50, 0, 1e-4)),
                PlotOptions.defaults());
        assertTrue(flat.y().min() < 1e-4 && flat.y().max() > 1e-4);
        assertTrue(PlotPixels.nearby(flat.image(), flat.x().px(25), flat.y().px(1e-4), 1, FIRST, 30));
    }

    @Test
    void logYPlacesDecadesEvenly() {
        double[] x = new double[30], y = new double[30];
        for (int i = 0; i < 30; i++) {
            x[i] = i;
            y[i] = Math.pow(10, i / 10.0); // 1 .. ~800
        }
        LinePlot.Rendered r = LinePlot.render("log", "step", "loss", List.of(new Series("loss", x, y)),
                PlotOptions.defaults().withLogY());
        assertArrayEquals(new String[] {"1", "10", "100", "1000"}, r.yTicks().labels());
        double d1 = r.y().px(1) - r.y().px(10), d2 = r.y().px(10) - r.y().px(100);
        assertEquals(d1, d2, 1e-9);
        assertTrue(PlotPixels.nearby(r.image(), r.x().px(20), r.y().px(100), 1, FIRST, 30));
    }

    @Test
    void aFixedRangeClipsTheLineToThePlotArea() {
        Series s = line("reward", 101, 0.05, 0); // 0..5, but the plot shows 0..1
        LinePlot.Rendered r = LinePlot.render("clipped", "step", "reward", List.of(s),
                PlotOptions.defaults().withYRange(0, 1));
        assertEquals(0, r.yTicks().min());
        assertEquals(1, r.yTicks().max());
        Rectangle plot = r.plotArea();
        Rectangle above = new Rectangle(plot.x, 0, plot.width, plot.y - 1);
        assertEquals(0, PlotPixels.count(r.image(), above, FIRST, 60), "nothing drawn above the plot area");
        assertTrue(PlotPixels.nearby(r.image(), r.x().px(10), r.y().px(0.5), 1, FIRST, 30));
    }

    @Test
    void badInputIsRefusedClearly(@TempDir Path dir) throws IOException {
        Path png = dir.resolve("x.png");
        var empty = assertThrows(IllegalArgumentException.class, () -> LinePlot.write(png, "t", "x", "y", List.of()));
        assertTrue(empty.getMessage().contains("no series"), empty.getMessage());
        Series nan = new Series("nan", new double[] {1, 2}, new double[] {Double.NaN, Double.NaN});
        var noPoint = assertThrows(IllegalArgumentException.class, () -> LinePlot.write(png, "t", "x", "y", List.of(nan)));
        assertTrue(noPoint.getMessage().contains("no series has a finite point") && noPoint.getMessage().contains("nan"),
                noPoint.getMessage());
        var mismatch = assertThrows(IllegalArgumentException.class,
                () -> new Series("s", new double[] {1, 2}, new double[] {1}));
        assertTrue(mismatch.getMessage().contains("x has 2 values but y has 1"), mismatch.getMessage());
        var negativeLog = assertThrows(IllegalArgumentException.class, () -> LinePlot.write(png, "t", "x", "y",
                List.of(line("adv", 5, -1, 0)), PlotOptions.defaults().withLogY()));
        assertTrue(negativeLog.getMessage().contains("y > 0"), negativeLog.getMessage());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count(), "no file (or temporary file) is left behind by a failed plot");
        }
    }

    @Test
    void manySeriesCycleColoursWithDashes() {
        List<Series> many = new java.util.ArrayList<>();
        for (int k = 0; k < Palette.size() + 2; k++) many.add(line("s" + k, 20, 1, k));
        LinePlot.Rendered r = LinePlot.render("many", "step", "v", many, PlotOptions.defaults());
        assertTrue(PlotPixels.count(r.image(), inside(r.plotArea()), Palette.colour(3), 20) > 20);
    }
}
