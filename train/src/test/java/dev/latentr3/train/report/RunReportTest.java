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
        assertThrows(IllegalArgumentException.class, () -> r.plot("empty", "t", "x", "y", List.of()));
        assertTrue(Files.notExists(run.resolve("report.md")), "nothing is written before write()");
    }
}
