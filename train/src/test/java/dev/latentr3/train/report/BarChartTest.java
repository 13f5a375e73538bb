package dev.latentr3.train.report;

import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BarChartTest {

    @Test
    void barsReachTheirValuesAndErrorBarsTheirRange() {
        // Two methods, HR@5 and NDCG@5 over three seeds each.
        Bars hr = Bars.meanWithRange("HR@5", new double[][] {{0.10, 0.12, 0.14}, {0.20, 0.22, 0.24}});
        Bars ndcg = Bars.meanWithRange("NDCG@5", new double[][] {{0.06, 0.07, 0.08}, {0.15, 0.16, 0.17}});
        assertArrayEquals(new double[] {0.12, 0.22}, hr.values(), 1e-12);
        BarChart.Rendered r = BarChart.render("final metrics", "score", List.of("baseline", "LatentR3"),
                List.of(hr, ndcg), PlotOptions.defaults());
        var plot = r.plotArea();
        double groupWidth = plot.width / 2.0, barWidth = groupWidth * 0.75 / 2;
        // LatentR3's HR@5 bar: the first bar of the second group.
        double left = plot.x + groupWidth + groupWidth * 0.125;
        double quarter = left + barWidth / 4; // off the error bar in the middle
        Color blue = Palette.colour(0);
        assertTrue(PlotPixels.near(r.image(), (int) quarter, (int) r.y().px(0.11), blue, 10), "inside the bar");
        assertTrue(PlotPixels.near(r.image(), (int) quarter, (int) Math.round(r.y().px(0.22)) + 2, blue, 10), "just below its top");
        assertFalse(PlotPixels.near(r.image(), (int) quarter, (int) Math.round(r.y().px(0.22)) - 3, blue, 60), "above its top");
        double mid = left + barWidth / 2;
        assertTrue(PlotPixels.nearby(r.image(), mid, r.y().px(0.24), 1, Canvas.TEXT, 60), "error bar reaches the max");
        assertTrue(PlotPixels.nearby(r.image(), mid, r.y().px(0.235), 1, Canvas.TEXT, 60), "error bar line below the max");
        assertFalse(PlotPixels.nearby(r.image(), mid, r.y().px(0.26), 2, Canvas.TEXT, 60), "nothing above the max");
        // NDCG@5 of the baseline: second colour, second bar of the first group.
        double ndcgX = plot.x + groupWidth * 0.125 + barWidth * 1.25;
        assertTrue(PlotPixels.near(r.image(), (int) ndcgX, (int) r.y().px(0.03), Palette.colour(1), 10));
    }

    @Test
    void inconsistentBarsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Bars("HR", new double[] {0.5}, new double[] {0.6}, new double[] {0.7}));
        assertThrows(IllegalArgumentException.class, () -> new Bars("HR", new double[] {0.5}, new double[] {0.4}, null));
        var groups = assertThrows(IllegalArgumentException.class, () -> BarChart.render("t", "y", List.of("a", "b"),
                List.of(Bars.of("HR", 0.5)), PlotOptions.defaults()));
        assertTrue(groups.getMessage().contains("1 values for 2 groups"), groups.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BarChart.render("t", "y", List.of(), List.of(Bars.of("HR")),
                PlotOptions.defaults()));
    }
}
