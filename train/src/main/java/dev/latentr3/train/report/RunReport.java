package dev.latentr3.train.report;

import dev.latentr3.train.dataset.AtomicFiles;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * A run folder's {@code report.md}: a title, then sections, tables and plots in the order they were added. Plots are
 * drawn when added (so a bad series fails at the call that passed it) and written by {@link #write()} as
 * {@code plots/<stem>.png} next to the report, linked relatively so the folder can be moved or published as is.
 * Every file is written to a temporary file and renamed, the images before the report, so a reader never finds a
 * report linking to an image that is not there yet.
 *
 * <p>A plot that cannot be drawn (series without a finite point after a diverged run, a JDK whose Java2D fails) costs
 * that plot only: the report says in its place why it is missing, {@link #plotFailures()} lists it for the caller to
 * print, and the tables and the other plots are written as usual. A run must not lose its report to one image.
 */
public final class RunReport {
    public static final String REPORT_FILE = "report.md";
    public static final String PLOTS_DIR = "plots";
    private static final Pattern STEM = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private final Path runDir;
    private final String fileName;
    private final StringBuilder markdown = new StringBuilder();
    private final Map<String, byte[]> plots = new LinkedHashMap<>();
    private final Set<String> stemsLowerCase = new HashSet<>();
    private final List<String> plotFailures = new ArrayList<>();

    public RunReport(Path runDir, String title) {
        this(runDir, title, REPORT_FILE);
    }

    /** A report under another name than {@value #REPORT_FILE} (one that must not replace the run's own report). */
    public RunReport(Path runDir, String title, String fileName) {
        this.runDir = Objects.requireNonNull(runDir, "RunReport: runDir");
        if (fileName == null || !fileName.endsWith(".md") || !STEM.matcher(fileName).matches()) {
            throw new IllegalArgumentException("RunReport: the report file name '" + fileName + "' must be a plain "
                    + "file name ending in .md");
        }
        this.fileName = fileName;
        markdown.append("# ").append(oneLine(title)).append("\n");
    }

    /** A heading and free markdown under it (written as given). */
    public RunReport section(String heading, String body) {
        heading(heading);
        markdown.append(body.strip()).append("\n");
        return this;
    }

    /** A heading and a table; every row needs one cell per header column. Cells are text: '|' and '\' are escaped. */
    public RunReport table(String heading, List<String> header, List<List<String>> rows) {
        if (header.isEmpty()) throw new IllegalArgumentException("RunReport table '" + heading + "': no columns");
        for (int r = 0; r < rows.size(); r++) {
            if (rows.get(r).size() != header.size()) {
                throw new IllegalArgumentException("RunReport table '" + heading + "': row " + r + " has "
                        + rows.get(r).size() + " cells for " + header.size() + " columns");
            }
        }
        heading(heading);
        row(header);
        markdown.append('|');
        for (int i = 0; i < header.size(); i++) markdown.append(" --- |");
        markdown.append('\n');
        for (List<String> r : rows) row(r);
        return this;
    }

    public RunReport plot(String fileStem, String title, String xLabel, String yLabel, List<Series> series) {
        return plot(fileStem, title, xLabel, yLabel, series, PlotOptions.defaults());
    }

    public RunReport plot(String fileStem, String title, String xLabel, String yLabel, List<Series> series,
                          PlotOptions options) {
        return plot(fileStem, title, xLabel, yLabel, () -> series, options);
    }

    /**
     * A line plot whose series are gathered inside the plot's boundary: when reading them fails (a metrics file
     * missing or malformed), the report notes it in the plot's place as it does a failed drawing.
     */
    public RunReport plot(String fileStem, String title, String xLabel, String yLabel, Supplier<List<Series>> series) {
        return plot(fileStem, title, xLabel, yLabel, series, PlotOptions.defaults());
    }

    private RunReport plot(String fileStem, String title, String xLabel, String yLabel, Supplier<List<Series>> series,
                           PlotOptions options) {
        checkStem(fileStem);
        return image(fileStem, title, () -> LinePlot.pngBytes(title, xLabel, yLabel, series.get(), options));
    }

    /** Grouped bars (a final metric per method, with min–max over seeds as error bars). */
    public RunReport barChart(String fileStem, String title, String yLabel, List<String> groups, List<Bars> bars) {
        checkStem(fileStem);
        return image(fileStem, title, () -> BarChart.pngBytes(title, yLabel, groups, bars, PlotOptions.defaults()));
    }

    /** How many plots were drawn so far (failed ones not counted). */
    public int plotCount() {
        return plots.size();
    }

    /** One line per plot that could not be drawn: its file and why; the report says the same in its place. */
    public List<String> plotFailures() {
        return List.copyOf(plotFailures);
    }

    /** The markdown so far (what {@link #write()} will write). */
    public String markdown() {
        return markdown.toString();
    }

    /** Writes the plots, then the report ({@code report.md} unless named otherwise); returns the report's path. */
    public Path write() {
        Path plotDir = runDir.resolve(PLOTS_DIR);
        for (var e : plots.entrySet()) Canvas.writePng(plotDir.resolve(e.getKey() + ".png"), e.getValue());
        Path report = runDir.resolve(fileName);
        AtomicFiles.writeUtf8(report, markdown);
        return report;
    }

    private RunReport image(String stem, String title, Supplier<byte[]> draw) {
        stemsLowerCase.add(stem.toLowerCase(java.util.Locale.ROOT));
        heading(title);
        String file = PLOTS_DIR + "/" + stem + ".png";
        byte[] png;
        try {
            png = draw.get();
        } catch (RuntimeException | LinkageError e) {
            // LinkageError: a JDK without java.desktop fails to load the chart classes themselves. Other Errors
            // (out of memory, a JVM fault) are not a plot's business and go on up.
            String why = e.getClass().getSimpleName() + ": " + oneLine(String.valueOf(e.getMessage()));
            plotFailures.add(file + " (" + oneLine(title) + "): " + why);
            markdown.append("*Plot not drawn (").append(file).append("): ").append(escapeText(why)).append("*\n");
            return this;
        }
        plots.put(stem, png);
        markdown.append("![").append(altText(title)).append("](").append(file).append(")\n");
        return this;
    }

    /** Text inside emphasis: markdown's emphasis and link characters escaped, so a message shows as written. */
    private static String escapeText(String s) {
        return s.replaceAll("([\\\\`*_\\[\\]<>|])", "\\\\$1");
    }

    private void checkStem(String stem) {
        if (stem == null || !STEM.matcher(stem).matches()) {
            throw new IllegalArgumentException("RunReport: plot file stem '" + stem + "' must be letters, digits, "
                    + "'.', '_' or '-' (it becomes plots/<stem>.png and a link in the report)");
        }
        // Case-insensitive: two stems differing in case would be one file on macOS and Windows.
        if (stemsLowerCase.contains(stem.toLowerCase(java.util.Locale.ROOT))) {
            throw new IllegalArgumentException("RunReport: plot file stem '" + stem + "' is used twice");
        }
    }

    private void heading(String heading) {
        markdown.append("\n## ").append(oneLine(heading)).append("\n\n");
    }

    private void row(List<String> cells) {
        markdown.append('|');
        for (String c : cells) markdown.append(' ').append(cell(c)).append(" |");
        markdown.append('\n');
    }

    /** A table cell's text: a '|' would end the cell and a newline the row; '\' is escaped so "\|" stays text. */
    static String cell(String text) {
        if (text == null) return "";
        String s = oneLine(text).replace("\\", "\\\\").replace("|", "\\|");
        return s;
    }

    private static String altText(String title) {
        return oneLine(title).replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]");
    }

    private static String oneLine(String s) {
        Objects.requireNonNull(s, "RunReport: null text");
        List<String> parts = new ArrayList<>();
        for (String p : s.split("\\R")) if (!p.isBlank()) parts.add(p.strip());
        return String.join(" ", parts);
    }
}
