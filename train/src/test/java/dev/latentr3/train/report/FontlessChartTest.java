package dev.latentr3.train.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Charts are drawn on a host without fonts: a GPU server without fontconfig's fonts trained a whole demo and then died
 * in {@code getFontMetrics} with "Fontconfig head is null". A child JVM is given a fontconfig file that lists no font
 * folder and a fresh user.home (the JDK otherwise reuses the font list it cached in ~/.java/fonts), first to show that
 * java.awt text fails there, then that our report's charts are drawn there all the same.
 */
class FontlessChartTest {

    @Test
    void chartsAreDrawnWhereFontconfigFindsNoFonts(@TempDir Path dir) throws Exception {
        // fontconfig is how the JDK finds fonts on Linux; elsewhere this environment would prove nothing.
        assumeTrue(System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux"), "fontconfig is Linux's");
        Path conf = dir.resolve("fonts.conf");
        Files.writeString(conf, "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n<fontconfig></fontconfig>\n");
        Path home = Files.createDirectories(dir.resolve("home"));

        Result awt = child(conf, home, "awt");
        assertNotEquals(0, awt.exit, "java.awt text must fail in the fontless child, or this test shows nothing:\n" + awt.output);
        assertTrue(awt.output.contains("Fontconfig head is null") || awt.output.toLowerCase(Locale.ROOT).contains("font"),
                "the control fails for lack of fonts:\n" + awt.output);

        Path run = Files.createDirectories(dir.resolve("run"));
        Result charts = child(conf, home, "charts", run.toString());
        assertEquals(0, charts.exit, "charts in the fontless child:\n" + charts.output);
        assertTrue(charts.output.contains("plots 2 failures []"), charts.output);
        String md = Files.readString(run.resolve(RunReport.REPORT_FILE));
        assertFalse(md.contains("Plot not drawn"), md);
        for (String name : List.of("loss", "final")) {
            BufferedImage image = ImageIO.read(run.resolve(RunReport.PLOTS_DIR).resolve(name + ".png").toFile());
            assertNotNull(image, name + ".png decodes");
            // The title's band above the plot holds dark text pixels: the text was drawn, not left out.
            int dark = PlotPixels.count(image, new Rectangle(0, 0, image.getWidth(), Canvas.PAD + Canvas.height(Canvas.TITLE)),
                    Canvas.TEXT, 40);
            assertTrue(dark > 50, name + ".png: " + dark + " text pixels in the title band");
        }
    }

    private record Result(int exit, String output) {}

    private static Result child(Path conf, Path home, String... args) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>(List.of(java, "-Djava.awt.headless=true", "-Duser.home=" + home,
                "-cp", System.getProperty("java.class.path"), FontlessChartProgram.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("FONTCONFIG_FILE", conf.toString());
        pb.environment().put("FONTCONFIG_PATH", conf.getParent().toString());
        pb.environment().put("HOME", home.toString());
        pb.environment().put("XDG_CACHE_HOME", home.resolve("cache").toString());
        Process p = pb.start();
        byte[] bytes = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("FontlessChartProgram " + String.join(" ", args) + " did not finish");
        }
        return new Result(p.exitValue(), new String(bytes, StandardCharsets.UTF_8));
    }
}
