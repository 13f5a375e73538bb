package dev.latentr3.train.report;

import java.awt.Font;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

/**
 * Run by {@link FontlessChartTest} in a child JVM whose fontconfig finds no fonts. {@code awt}: measures text with a
 * java.awt font, the call that killed a demo run's report (it must fail there, or the environment proves nothing).
 * {@code charts DIR}: writes a report with a line plot and a bar chart into DIR and prints its plot failures.
 */
final class FontlessChartProgram {
    private FontlessChartProgram() {}

    public static void main(String[] args) {
        if (args[0].equals("awt")) {
            BufferedImage image = new BufferedImage(10, 10, BufferedImage.TYPE_INT_RGB);
            int w = image.createGraphics().getFontMetrics(new Font(Font.SANS_SERIF, Font.PLAIN, 12)).stringWidth("loss");
            System.out.println("awt text width " + w);
            return;
        }
        RunReport report = new RunReport(Path.of(args[1]), "fontless")
                .plot("loss", "SFT training loss", "step", "cross-entropy", List.of(
                        new Series("baseline s1", new double[] {0, 10, 20, 30}, new double[] {3, 2, 1.5, 1.2})))
                .barChart("final", "HR@K", "score", List.of("baseline", "LatentR3"),
                        List.of(Bars.of("HR@5", 0.12, 0.22), Bars.of("NDCG@5", 0.07, 0.16)));
        report.write();
        System.out.println("plots " + report.plotCount() + " failures " + report.plotFailures());
    }
}
