package dev.latentr3.bench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Writes a Report as Markdown (for people) and CSV (one row per measured side, for tools), each atomically. */
public final class ReportWriter {
    private ReportWriter() {}

    static final String CSV_HEADER = "section,row,side,benchmark,unit,median,p25,p75,min,max,samples,"
            + "ratio_ours_to_reference,percent_of_peak,status,command,note,machine,date,commit,jdk,os,threads,mode";

    /** Writes {@code <stem>.md} and {@code <stem>.csv} into {@code dir}; returns their paths (md first). */
    public static List<Path> write(Path dir, Report report) throws IOException {
        Files.createDirectories(dir);
        Path md = dir.resolve(report.fileStem() + ".md");
        Path csv = dir.resolve(report.fileStem() + ".csv");
        writeAtomically(md, markdown(report));
        writeAtomically(csv, csv(report));
        return List.of(md, csv);
    }

    /** Writes to a temporary file beside the target, then renames it over: readers see the old file or the new, never half. */
    static void writeAtomically(Path target, String content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static String markdown(Report r) {
        Machine m = r.machine();
        StringBuilder b = new StringBuilder();
        b.append("# Benchmark report: ").append(r.fileStem()).append("\n\n");
        if (r.mode().equals(RunMode.QUICK)) {
            b.append("**").append(r.mode().name()).append(" run (").append(r.mode().jmhFlags())
                    .append("): a smoke test of the harness; its figures are not for comparison.**\n\n");
        }
        if (r.mode().equals(RunMode.DEVICE_ONE_FORK)) {
            b.append("**").append(r.mode().name()).append(" (").append(r.mode().jmhFlags())
                    .append("): >= 5 warm-ups, but one fork instead of the >= 3 of reported figures, to fit the GPU rows ")
                    .append("into one short device lease; the spread shown is within one process, fork-to-fork spread ")
                    .append("was not sampled.**\n\n");
        }
        if (r.partial()) {
            b.append("**Partial: ").append(r.results().size()).append(" of ").append(r.plannedRows())
                    .append(" rows measured (the run was stopped, or is still running).**\n\n");
        }
        b.append("| | |\n|---|---|\n");
        b.append("| CPU | ").append(m.cpuModel()).append(", ").append(m.cores()).append(" cores |\n");
        b.append("| fp32 peak | ").append(m.peakFormula()).append(" |\n");
        b.append("| kernel threads | ").append(m.threads()).append(" (-Dlatentr3.threads=N to change) |\n");
        b.append("| JDK | ").append(m.jdk()).append(" |\n");
        b.append("| OS | ").append(m.os()).append(" |\n");
        b.append("| commit | ").append(m.commit()).append(" |\n");
        b.append("| date | ").append(r.date()).append(" |\n");
        b.append("| JMH | ").append(r.mode().jmhFlags()).append(" (forks, warm-ups, measured iterations")
                .append(r.mode().warmupTime() == null ? "; each benchmark's own iteration time" : "").append(") |\n\n");
        b.append("Each cell is the median rate over all measured iterations of all forks, [min - max] beside it; ")
                .append("higher is better. Each row's two sides run one after the other (ours first) in the same run, ")
                .append("so a change in machine load hits both alike. The CSV twin has the quartiles too.\n");
        for (Section s : Section.values()) section(b, r, s);
        b.append("\n## GPU\n\n").append(r.gpu()).append("\n");
        return b.toString();
    }

    private static void section(StringBuilder b, Report r, Section s) {
        List<RowResult> rows = r.results().stream().filter(x -> x.comparison().section() == s).toList();
        if (rows.isEmpty()) return;
        double peak = r.machine().peakGflops();
        b.append("\n## ").append(s.title).append(" (").append(s.unit.label).append(")\n\n");
        b.append("Reference: ").append(s.reference).append(".\n\n");
        b.append("| row | ours | reference | ours / reference |").append(s.peakApplies ? " ours % of peak | reference % of peak |" : "")
                .append("\n|---|---:|---:|---:|").append(s.peakApplies ? "---:|---:|" : "").append("\n");
        List<String> reasons = new ArrayList<>(), abovePeak = new ArrayList<>(), notes = new ArrayList<>();
        StringBuilder commands = new StringBuilder();
        for (RowResult x : rows) {
            String label = x.comparison().label();
            b.append("| ").append(label).append(" | ").append(cell(x.ours())).append(" | ").append(cell(x.reference()))
                    .append(" | ").append(Double.isNaN(x.ratio()) ? "-" : fmt(x.ratio())).append(" |");
            if (s.peakApplies) {
                b.append(" ").append(percent(x.ours(), peak)).append(" | ").append(percent(x.reference(), peak)).append(" |");
                if (abovePeak(x.ours(), peak)) abovePeak.add(label + ", ours: " + fmt(x.ours().spread().median()));
                if (abovePeak(x.reference(), peak)) abovePeak.add(label + ", reference: " + fmt(x.reference().spread().median()));
            }
            b.append("\n");
            if (x.ours().note() != null) notes.add(label + ", ours: " + x.ours().note());
            if (x.reference().note() != null) notes.add(label + ", reference: " + x.reference().note());
            if (!x.ours().ran()) reasons.add(label + ", ours: " + x.ours().notRun());
            if (!x.reference().ran()) reasons.add(label + ", reference: " + x.reference().notRun());
            commands.append(label).append(", ours:\n  ").append(x.ours().command()).append("\n");
            if (x.reference().command() != null) commands.append(label).append(", reference:\n  ").append(x.reference().command()).append("\n");
        }
        if (!abovePeak.isEmpty()) {
            b.append("\nAbove the stated ").append(r.machine().peakKind()).append(" of ").append(fmt(peak)).append(" ")
                    .append(s.unit.label).append(" (").append(String.join("; ", abovePeak))
                    .append("): the peak's clock or FMA-unit assumption is below what this machine did during the run; ")
                    .append("read those percentages as relative only, or pass --ghz / --fma-units.\n");
        }
        if (!notes.isEmpty()) {
            b.append("\nWhat ran:\n\n");
            for (String n : notes) b.append("- ").append(n).append("\n");
        }
        if (!reasons.isEmpty()) {
            b.append("\nNot run:\n\n");
            for (String why : reasons) b.append("- ").append(why).append("\n");
        }
        b.append("\nTo reproduce a row:\n\n```\n").append(commands).append("```\n");
    }

    private static String cell(Outcome o) {
        if (!o.ran()) return "not run";
        Spread s = o.spread();
        return fmt(s.median()) + " [" + fmt(s.min()) + " - " + fmt(s.max()) + "]";
    }

    /** The median as a share of the peak; a share above 100% is flagged and explained under the table. */
    private static String percent(Outcome o, double peak) {
        if (!o.ran() || !(peak > 0)) return "-";
        return String.format(Locale.ROOT, "%.0f%%", 100 * o.spread().median() / peak) + (abovePeak(o, peak) ? " (above peak)" : "");
    }

    static boolean abovePeak(Outcome o, double peak) {
        return o.ran() && peak > 0 && o.spread().median() > peak;
    }

    /** Three significant digits or more: 0.123, 1.23, 12.3, 123, 1234. */
    static String fmt(double v) {
        double a = Math.abs(v);
        String pattern = a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f";
        return String.format(Locale.ROOT, pattern, v);
    }

    public static String csv(Report r) {
        Machine m = r.machine();
        List<String> tail = List.of(m.slug(), r.date().toString(), m.commit(), m.jdk(), m.os(), Integer.toString(m.threads()), r.mode().jmhFlags());
        StringBuilder b = new StringBuilder(CSV_HEADER).append("\n");
        double peak = m.peakGflops();
        for (RowResult x : r.results()) {
            Comparison c = x.comparison();
            side(b, c, "ours", c.ours(), x.ours(), x.ratio(), peak, tail);
            side(b, c, "reference", c.reference(), x.reference(), x.ratio(), peak, tail);
        }
        List<String> gpu = new ArrayList<>(List.of("GPU", "", "", "", "", "", "", "", "", "", "", "", "", r.gpu(), "", ""));
        gpu.addAll(tail);
        line(b, gpu);
        return b.toString();
    }

    private static void side(StringBuilder b, Comparison c, String side, Side bench, Outcome o, double ratio, double peak,
                             List<String> tail) {
        List<String> f = new ArrayList<>();
        f.add(c.section().name());
        f.add(c.label());
        f.add(side);
        f.add(bench == null ? "" : bench.describe());
        f.add(c.section().unit.label);
        Spread s = o.spread();
        for (double v : s == null ? new double[0] : new double[] {s.median(), s.p25(), s.p75(), s.min(), s.max()}) {
            f.add(String.format(Locale.ROOT, "%.6g", v));
        }
        if (s == null) f.addAll(List.of("", "", "", "", "", ""));
        else f.add(Integer.toString(s.samples()));
        f.add(Double.isNaN(ratio) ? "" : String.format(Locale.ROOT, "%.4f", ratio));
        f.add(s != null && c.section().peakApplies && peak > 0 ? String.format(Locale.ROOT, "%.2f", 100 * s.median() / peak) : "");
        f.add(o.ran() ? "ok" : o.notRun());
        f.add(o.command() == null ? "" : o.command());
        f.add(o.note() == null ? "" : o.note());
        f.addAll(tail);
        line(b, f);
    }

    private static void line(StringBuilder b, List<String> fields) {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) b.append(',');
            b.append(csvField(fields.get(i)));
        }
        b.append('\n');
    }

    /** RFC 4180: quote a field holding a comma, quote or line break, doubling its quotes. */
    static String csvField(String v) {
        if (v.indexOf(',') < 0 && v.indexOf('"') < 0 && v.indexOf('\n') < 0 && v.indexOf('\r') < 0) return v;
        return '"' + v.replace("\"", "\"\"") + '"';
    }
}
