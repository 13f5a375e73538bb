package dev.latentr3.train.report;

import dev.latentr3.model.json.Json;
import dev.latentr3.model.json.JsonField;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A report rebuilt from whatever a run folder holds, without knowing its layout in advance:
 * <ul>
 *   <li>every {@code metrics.jsonl} up to {@value #MAX_DEPTH} folders down (sft/, rl/, seed-1/rl/, ...) gives a
 *       summary table and one plot per numeric key against {@code step}; files with a {@code type} field (SFT's
 *       step and eval lines) get one set per type; keys named {@code X_mean}, {@code X_std}, {@code X_min},
 *       {@code X_max} share one plot (RL's advantage statistics);</li>
 *   <li>every {@code *.json} evaluation summary (the {@code hit_rate} and {@code ndcg} objects of
 *       {@code EvaluationReport.toJson}) gives a row of the HR/NDCG table and a group of the bar chart.</li>
 * </ul>
 * The report goes to {@value #REPORT_FILE}, not {@code report.md}, so rebuilding never replaces the report a
 * pipeline wrote with what it alone knew.
 */
public final class RunFolderReport {
    private RunFolderReport() {}

    public static final String REPORT_FILE = "metrics-report.md";
    static final String METRICS_FILE = "metrics.jsonl";
    static final int MAX_DEPTH = 4;
    private static final Set<String> STATISTICS = Set.of("mean", "std", "min", "max");
    /** Evaluation summaries are small; a large .json is a tokenizer or a config, not worth reading. */
    private static final long MAX_SUMMARY_BYTES = 1 << 20;

    /** What was written, and what was left out and why (a truncated last line, a key with no values). */
    public record Summary(Path report, int metricsFiles, int evaluationFiles, int plots, List<String> warnings) {}

    public static Summary write(Path runDir, String title, String reportFile) {
        if (!Files.isDirectory(runDir)) throw new IllegalArgumentException(runDir + " is not a folder");
        List<Path> metrics = find(runDir, p -> p.getFileName().toString().equals(METRICS_FILE));
        List<Path> evaluations = new ArrayList<>();
        for (Path p : find(runDir, p -> p.getFileName().toString().endsWith(".json"))) {
            if (isEvaluationSummary(p)) evaluations.add(p);
        }
        if (metrics.isEmpty() && evaluations.isEmpty()) {
            throw new IllegalArgumentException(runDir + ": no " + METRICS_FILE + " and no evaluation summary (*.json with "
                    + "hit_rate and ndcg) within " + MAX_DEPTH + " folders");
        }
        RunReport report = new RunReport(runDir, title, reportFile);
        List<String> warnings = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        for (Path p : metrics) sources.add("- `" + relative(runDir, p) + "`");
        for (Path p : evaluations) sources.add("- `" + relative(runDir, p) + "` (evaluation)");
        report.section("Sources", "Rebuilt by `latentr3 report` from:\n\n" + String.join("\n", sources));
        if (!evaluations.isEmpty()) evaluationSection(report, runDir, evaluations);
        Set<String> stems = new HashSet<>(Set.of("evaluation"));
        for (Path p : metrics) metricsSection(report, runDir, p, stems, warnings);
        Path written = report.write();
        for (String f : report.plotFailures()) warnings.add("plot not drawn: " + f);
        return new Summary(written, metrics.size(), evaluations.size(), report.plotCount(), List.copyOf(warnings));
    }

    private record Plot(String stem, String title, String yLabel, List<Series> series) {}

    private static void metricsSection(RunReport report, Path runDir, Path file, Set<String> stems, List<String> warnings) {
        String rel = relative(runDir, file);
        MetricsCurves all = MetricsCurves.read(file);
        if (all.truncatedLastLine()) warnings.add(rel + ": the last line is cut short (a crash mid-write?); left out");
        String folder = runDir.relativize(file.toAbsolutePath().getParent()).toString();
        String prefix = folder.isEmpty() ? "run" : stemPart(folder);
        List<String> types = all.valuesOf("type");
        List<List<String>> rows = new ArrayList<>();
        List<Plot> plots = new ArrayList<>();
        for (String type : types.isEmpty() ? Collections.<String>singletonList(null) : types) {
            MetricsCurves curves = (type == null ? all : all.where("type", type)).having("step");
            String where = rel + (type == null ? "" : " (type " + type + ")");
            if (curves.lineCount() == 0) {
                warnings.add(where + ": no line has a numeric 'step'; not plotted");
                continue;
            }
            for (var group : groups(curves.numericKeys()).entrySet()) {
                List<Series> series = new ArrayList<>();
                for (String key : group.getValue()) {
                    Series s = curves.series(key, "step", key);
                    rows.add(summaryRow(type, key, s));
                    if (hasPoint(s)) series.add(s);
                    else warnings.add(where + ": '" + key + "' has no finite value; not plotted");
                }
                if (series.isEmpty()) continue;
                String stem = unique(prefix + (type == null ? "" : "-" + stemPart(type)) + "-" + stemPart(group.getKey()), stems);
                plots.add(new Plot(stem, where + ": " + group.getKey(), group.getKey(), series));
            }
        }
        List<String> header = List.of("type", "key", "points", "first step", "last step", "last", "min", "max");
        if (types.isEmpty()) {
            // No type field in this file: the column would stay empty.
            header = header.subList(1, header.size());
            rows = rows.stream().map(r -> r.subList(1, r.size())).toList();
        }
        report.table(rel, header, rows);
        for (Plot p : plots) report.plot(p.stem(), p.title(), "step", p.yLabel(), p.series());
    }

    /** The stem, or stem-2, stem-3, ... when folders such as a/b and a-b would give the same one. */
    private static String unique(String stem, Set<String> used) {
        String s = stem;
        for (int n = 2; !used.add(s.toLowerCase(Locale.ROOT)); n++) s = stem + "-" + n;
        return s;
    }

    /**
     * The keys to plot (all numeric ones but step), each alone, except that X_mean, X_std, X_min and X_max share
     * the plot X when at least two of them are there.
     */
    static Map<String, List<String>> groups(List<String> keys) {
        Map<String, List<String>> byStem = new LinkedHashMap<>();
        for (String k : keys) {
            if (k.equals("step")) continue;
            int cut = k.lastIndexOf('_');
            boolean statistic = cut > 0 && STATISTICS.contains(k.substring(cut + 1));
            byStem.computeIfAbsent(statistic ? k.substring(0, cut) : k, s -> new ArrayList<>()).add(k);
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        // A statistic alone keeps its own name (reward_mean); two or more share their stem's (advantage).
        for (var e : byStem.entrySet()) out.put(e.getValue().size() >= 2 ? e.getKey() : e.getValue().getFirst(), e.getValue());
        return out;
    }

    private static List<String> summaryRow(String type, String key, Series s) {
        double[] x = s.x(), y = s.y();
        double min = Double.NaN, max = Double.NaN, last = Double.NaN;
        int points = 0;
        for (int i = 0; i < y.length; i++) {
            if (!Double.isFinite(y[i])) continue;
            points++;
            min = points == 1 ? y[i] : Math.min(min, y[i]);
            max = points == 1 ? y[i] : Math.max(max, y[i]);
            last = y[i];
        }
        return List.of(type == null ? "" : type, key, Integer.toString(points), number(x[0]), number(x[x.length - 1]),
                number(last), number(min), number(max));
    }

    private static void evaluationSection(RunReport report, Path runDir, List<Path> files) {
        List<String> metricNames = new ArrayList<>();
        List<Map<String, Double>> perFile = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Long> rowCounts = new ArrayList<>();
        for (Path p : files) {
            String file = p.toString();
            JsonField root = JsonField.root(Json.parse(readSmall(p), file), file);
            Map<String, Double> values = new LinkedHashMap<>();
            for (String block : List.of("hit_rate", "ndcg")) {
                for (var e : root.get(block).members()) {
                    values.put(e.getKey(), e.getValue().finiteNumber());
                    if (!metricNames.contains(e.getKey())) metricNames.add(e.getKey());
                }
            }
            perFile.add(values);
            names.add(relative(runDir, p));
            rowCounts.add(root.get("rows").isMissing() ? -1L : root.get("rows").nonNegativeLong());
        }
        List<String> header = new ArrayList<>(List.of("evaluation", "rows"));
        header.addAll(metricNames);
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            List<String> row = new ArrayList<>(List.of(names.get(i), rowCounts.get(i) < 0 ? "" : rowCounts.get(i).toString()));
            for (String m : metricNames) {
                Double v = perFile.get(i).get(m);
                row.add(v == null ? "" : String.format(Locale.ROOT, "%.4f", v));
            }
            rows.add(row);
        }
        report.table("Evaluation", header, rows);
        List<Bars> bars = new ArrayList<>();
        for (String m : metricNames) {
            double[] v = new double[files.size()];
            for (int i = 0; i < v.length; i++) {
                Double d = perFile.get(i).get(m);
                v[i] = d == null ? Double.NaN : d;
            }
            bars.add(Bars.of(m, v));
        }
        report.barChart("evaluation", "Evaluation: HR and NDCG", "score", names, bars);
    }

    private static boolean isEvaluationSummary(Path p) {
        try {
            if (Files.size(p) > MAX_SUMMARY_BYTES) return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
        }
        String text = readSmall(p);
        // Cheap test first: checkpoint configs and tokenizers are .json too, and are not ours to judge.
        if (!text.contains("\"hit_rate\"") || !text.contains("\"ndcg\"")) return false;
        // It names hit_rate and ndcg, so it means to be a summary: if it does not parse, the user should hear of it.
        return Json.parse(text, p.toString()) instanceof Map<?, ?> m && m.get("hit_rate") instanceof Map<?, ?>
                && m.get("ndcg") instanceof Map<?, ?>;
    }

    private static String readSmall(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    private static List<Path> find(Path runDir, Predicate<Path> match) {
        Path plots = runDir.resolve(RunReport.PLOTS_DIR);
        try (Stream<Path> walk = Files.walk(runDir, MAX_DEPTH)) {
            return walk.filter(Files::isRegularFile).filter(p -> !p.startsWith(plots)).filter(match)
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + runDir + ": " + e.getMessage(), e);
        }
    }

    private static boolean hasPoint(Series s) {
        for (int i = 0; i < s.size(); i++) if (s.isPoint(i)) return true;
        return false;
    }

    private static String relative(Path runDir, Path p) {
        return runDir.relativize(p).toString().replace('\\', '/');
    }

    /** A piece of a plot file stem: anything but letters, digits, '.', '_' and '-' becomes '-'. */
    static String stemPart(String s) {
        String t = s.replace('\\', '/').replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("^[-.]+", "");
        return t.isEmpty() ? "x" : t;
    }

    /** Whole numbers as such (steps, token counts), others to four significant digits. */
    static String number(double v) {
        if (Double.isNaN(v)) return "";
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
