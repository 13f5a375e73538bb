package dev.latentr3.bench.report;

import dev.latentr3.train.dataset.CsvParser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads back the rows an earlier, stopped run of the same report measured ({@code --resume}), so a run cut short by
 * a device lease or a time limit continues where it stopped instead of starting over. Only rows measured on the same
 * machine, at the same commit and in the same mode are taken (a report mixes none of them), and only rows whose sides
 * did not fail; the rest run again.
 */
final class ReportResume {
    private ReportResume() {}

    /** The rows of {@code plan} that {@code csv} already holds, by comparison. */
    static Map<Comparison, RowResult> read(Path csv, List<Comparison> plan, RunMode mode, String machine, String commit)
            throws IOException {
        String file = csv.toString();
        List<List<String>> records = CsvParser.parseStrict(Files.readString(csv), file);
        List<String> header = List.of(ReportWriter.CSV_HEADER.split(","));
        if (records.isEmpty() || !records.getFirst().equals(header)) {
            throw new IllegalArgumentException(file + ": line 1: expected the report header '" + ReportWriter.CSV_HEADER
                    + "' (a report written by this version), found " + (records.isEmpty() ? "an empty file" : "'" + String.join(",", records.getFirst()) + "'"));
        }
        Map<String, Comparison> byKey = new HashMap<>();
        for (Comparison c : plan) byKey.put(key(c.section().name(), c.label()), c);
        Map<String, Outcome[]> sides = new LinkedHashMap<>();
        for (int i = 1; i < records.size(); i++) {
            List<String> r = records.get(i);
            String where = file + ": line " + (i + 1) + ": ";
            if (r.size() != header.size()) {
                throw new IllegalArgumentException(where + "expected " + header.size() + " fields, found " + r.size());
            }
            if (r.get(0).equals("GPU")) continue;
            String rowMode = r.get(header.indexOf("mode")), rowCommit = r.get(header.indexOf("commit"));
            String rowMachine = r.get(header.indexOf("machine"));
            if (!rowMachine.equals(machine)) {
                throw new IllegalArgumentException(where + "machine: measured on " + rowMachine + ", this is " + machine
                        + " (a report holds one machine's figures; start a new report)");
            }
            if (!rowMode.equals(mode.jmhFlags())) {
                throw new IllegalArgumentException(where + "mode: measured with '" + rowMode + "', this run is '"
                        + mode.jmhFlags() + "' (resume with the same mode, or start a new report)");
            }
            if (!rowCommit.equals(commit)) {
                throw new IllegalArgumentException(where + "commit: measured at " + rowCommit + ", this tree is " + commit
                        + " (a report holds one commit's figures; start a new report)");
            }
            String side = r.get(2);
            int index = switch (side) {
                case "ours" -> 0;
                case "reference" -> 1;
                default -> throw new IllegalArgumentException(where + "side: expected 'ours' or 'reference', found '" + side + "'");
            };
            sides.computeIfAbsent(key(r.get(0), r.get(1)), k -> new Outcome[2])[index] = outcome(r, header, where);
        }
        Map<Comparison, RowResult> kept = new LinkedHashMap<>();
        sides.forEach((k, pair) -> {
            Comparison c = byKey.get(k);
            if (c != null && pair[0] != null && pair[1] != null && !failed(pair[0]) && !failed(pair[1])) {
                kept.put(c, new RowResult(c, pair[0], pair[1]));
            }
        });
        return kept;
    }

    private static String key(String section, String label) {
        return section + "\u0000" + label;
    }

    private static boolean failed(Outcome o) {
        return !o.ran() && o.notRun().startsWith("failed");
    }

    private static Outcome outcome(List<String> r, List<String> header, String where) {
        String status = r.get(header.indexOf("status"));
        String command = emptyToNull(r.get(header.indexOf("command")));
        if (!status.equals("ok")) return Outcome.notRun(status, command);
        try {
            Spread s = new Spread(number(r, header, "median"), number(r, header, "p25"), number(r, header, "p75"),
                    number(r, header, "min"), number(r, header, "max"), Integer.parseInt(r.get(header.indexOf("samples"))));
            return Outcome.measured(s, command, emptyToNull(r.get(header.indexOf("note"))));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + "a measured side's median, quartiles, extremes and samples must be numbers: " + e.getMessage());
        }
    }

    private static double number(List<String> r, List<String> header, String column) {
        return Double.parseDouble(r.get(header.indexOf(column)));
    }

    private static String emptyToNull(String s) {
        return s.isEmpty() ? null : s;
    }
}
