package dev.latentr3.train.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunReportTest {
    private static final Pattern IMAGE_LINK = Pattern.compile("!\\[[^\\]]*]\\(([^)]+)\\)");

    private static Series curve(String name) {
        return new Series(name, new double[] {1, 2, 3, 4}, new double[] {4, 3, 2.5, 2});
    }

    @Test
    void theReportHoldsTheTableAndLinksToImagesThatExist(@TempDir Path run) throws IOException {
        Path report = new RunReport(run, "SFT run 7")
                .section("Setup", "Qwen2 tiny, **3** seeds.")
                .table("Results", List.of("method", "HR@5", "note"), List.of(
                        List.of("baseline", "0.1200", "a|b"),
                        List.of("LatentR3", "0.2200", "path C:\\tmp\nsecond line")))
                .plot("loss", "Training loss", "step", "loss", List.of(curve("train"), curve("validation")))
                .plot("lr", "Learning rate", "step", "lr", List.of(curve("lr")), PlotOptions.defaults().withLogY())
                .barChart("final", "Final metrics", "score", List.of("baseline", "LatentR3"),
                        List.of(Bars.meanWithRange("HR@5", new double[][] {{0.1, 0.14}, {0.2, 0.24}})))
                .write();
        assertEquals(run.resolve("report.md"), report);
        String md = Files.readString(report);
        assertTrue(md.startsWith("# SFT run 7\n"), md);
        assertTrue(md.contains("## Setup\n\nQwen2 tiny, **3** seeds.\n"), md);
        assertTrue(md.contains("| method | HR@5 | note |\n| --- | --- | --- |\n| baseline | 0.1200 | a\\|b |\n"
                + "| LatentR3 | 0.2200 | path C:\\\\tmp second line |\n"), md);
        List<String> links = new ArrayList<>();
        Matcher m = IMAGE_LINK.matcher(md);
        while (m.find()) links.add(m.group(1));
        assertEquals(List.of("plots/loss.png", "plots/lr.png", "plots/final.png"), links);
        for (String link : links) {
            Path png = report.getParent().resolve(link);
            BufferedImage image = ImageIO.read(png.toFile());
            assertNotNull(image, link + " decodes as an image");
            assertEquals(900, image.getWidth());
        }
        try (Stream<Path> files = Files.walk(run)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary files left");
        }
        // Writing again replaces the files in place.
        new RunReport(run, "again").section("x", "y").write();
        assertTrue(Files.readString(report).startsWith("# again\n"));
    }

    @Test
    void badStemsAndRaggedRowsAreRefused(@TempDir Path run) {
        RunReport r = new RunReport(run, "t").plot("loss", "t", "x", "y", List.of(curve("a")));
        assertThrows(IllegalArgumentException.class, () -> r.plot("Loss", "t", "x", "y", List.of(curve("a"))));
        var slash = assertThrows(IllegalArgumentException.class, () -> r.plot("../up", "t", "x", "y", List.of(curve("a"))));
        assertTrue(slash.getMessage().contains("'../up'"), slash.getMessage());
        var ragged = assertThrows(IllegalArgumentException.class,
                () -> r.table("T", List.of("a", "b"), List.of(List.of("1", "2"), List.of("3"))));
        assertEquals("RunReport table 'T': row 1 has 1 cells for 2 columns", ragged.getMessage());
        assertTrue(Files.notExists(run.resolve("report.md")), "nothing is written before write()");
    }

    /**
     * A plot that cannot be drawn (no finite point: a diverged run) or whose series cannot be read (a metrics file
     * missing) is noted in its place and listed; the tables and the other plots are written as usual.
     */
    @Test
    void aFailedPlotIsNotedAndTheRestIsWritten(@TempDir Path run) throws IOException {
        Series diverged = new Series("loss", new double[] {1, 2}, new double[] {Double.NaN, Double.NaN});
        Path missing = run.resolve("sft").resolve("metrics.jsonl");
        RunReport r = new RunReport(run, "demo")
                .table("Results", List.of("method", "HR@5"), List.of(List.of("baseline", "0.1200")))
                .plot("loss", "SFT loss", "step", "loss", List.of(diverged))
                .plot("reward", "RL reward", "step", "reward", () -> List.of(MetricsCurves.read(missing).series("step", "reward")))
                .plot("empty", "Nothing", "step", "y", List.of())
                .plot("ok", "Validation [loss]", "step", "loss", List.of(curve("validation")));
        assertEquals(1, r.plotCount());
        List<String> failures = r.plotFailures();
        assertEquals(3, failures.size(), failures.toString());
        assertTrue(failures.get(0).startsWith("plots/loss.png (SFT loss): IllegalArgumentException: LinePlot 'SFT loss': "
                + "no series has a finite point"), failures.get(0));
        assertTrue(failures.get(1).startsWith("plots/reward.png (RL reward): UncheckedIOException: cannot read metrics file "
                + missing), failures.get(1));
        assertTrue(failures.get(2).contains("no series to plot"), failures.get(2));
        Path report = r.write();
        String md = Files.readString(report);
        assertTrue(md.contains("| baseline | 0.1200 |"), md);
        assertTrue(md.contains("## SFT loss\n\n*Plot not drawn (plots/loss.png): IllegalArgumentException: LinePlot 'SFT "
                + "loss': no series has a finite point; series: loss (2 points)*\n"), md);
        assertTrue(md.contains("## Validation [loss]\n\n![Validation \\[loss\\]](plots/ok.png)\n"), md);
        try (Stream<Path> pngs = Files.list(run.resolve(RunReport.PLOTS_DIR))) {
            assertEquals(List.of("ok.png"), pngs.map(p -> p.getFileName().toString()).toList(), "only the drawn plot's file");
        }
        // The stem of a failed plot stays taken: a second plot of that name would be a second section.
        assertThrows(IllegalArgumentException.class, () -> r.plot("LOSS", "again", "x", "y", List.of(curve("a"))));
    }
}
