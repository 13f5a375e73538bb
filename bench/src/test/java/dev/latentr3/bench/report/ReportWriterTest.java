package dev.latentr3.bench.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportWriterTest {
    private static final Machine MACHINE = new Machine("AMD EPYC", 2, 2.5, "test", false, 16, 2, "assumed", 2, "Eclipse Adoptium 25", "Linux 6 amd64", "abc1234");

    /** Two GEMM rows (one with OpenBLAS missing) and an element-wise row, with hand-picked spreads. */
    static Report report(RunMode mode) {
        BenchRun fast = new BenchRun("GemmBenchmark.fastGemm", Map.of("shape", "512x512x512"));
        BenchRun blas = new BenchRun("GemmBenchmark.openBlas", Map.of("shape", "512x512x512"));
        Comparison both = new Comparison(Section.GEMM, "512x512x512", fast, blas, 2.0 * 512 * 512 * 512, null, null);
        Comparison noBlas = new Comparison(Section.GEMM, "1x4864x896/NT", fast, blas, 1, null, "not run: OpenBLAS not found, tried: a, b");
        BenchRun addFast = new BenchRun("ElementwiseBenchmark.addContiguous", Map.of("impl", "fast"));
        BenchRun addRef = new BenchRun("ElementwiseBenchmark.addContiguous", Map.of("impl", "reference"));
        Comparison add = new Comparison(Section.ELEMENTWISE, "addContiguous", addFast, addRef, 1, null, null);
        String flags = mode.jmhFlags();
        return new Report(MACHINE, LocalDate.of(2026, 11, 25), mode, List.of(
                new RowResult(both, Outcome.measured(new Spread(80, 78, 82, 75, 90, 15), fast.command(flags)),
                        Outcome.measured(new Spread(100, 99, 101, 95, 110, 15), blas.command(flags))),
                new RowResult(noBlas, Outcome.measured(new Spread(12, 11, 13, 10, 14, 15), fast.command(flags)),
                        Outcome.notRun(noBlas.skipReference(), blas.command(flags))),
                new RowResult(add, Outcome.measured(new Spread(20, 19, 21, 18, 22, 15), addFast.command(flags)),
                        Outcome.measured(new Spread(5, 4.9, 5.1, 4.8, 5.2, 15), addRef.command(flags)))),
                "not run: no GPU on this machine");
    }

    @Test
    void markdownHasFactsRowsRatiosPeakReasonsAndCommands() {
        String md = ReportWriter.markdown(report(RunMode.REPORTED));
        assertTrue(md.startsWith("# Benchmark report: amd-epyc-2c-2026-11-25\n"), md);
        assertTrue(md.contains("| CPU | AMD EPYC, 2 cores |"), md);
        assertTrue(md.contains("| commit | abc1234 |"), md);
        assertTrue(md.contains("| kernel threads | 2 "), md);
        assertTrue(md.contains("| JDK | Eclipse Adoptium 25 |"), md);
        assertTrue(md.contains("| OS | Linux 6 amd64 |"), md);
        // Peak: 2 x 2 x 16 x 2 x 2.5 = 320 GFLOP/s; ours 80 is 25%, OpenBLAS 100 is 31%.
        assertTrue(md.contains("= 320.0 GFLOP/s"), md);
        assertTrue(md.contains("| 512x512x512 | 80.0 [75.0 - 90.0] | 100 [95.0 - 110] | 0.800 | 25% | 31% |"), md);
        assertTrue(md.contains("| 1x4864x896/NT | 12.0 [10.0 - 14.0] | not run | - | 4% | - |"), md);
        assertTrue(md.contains("- 1x4864x896/NT, reference: not run: OpenBLAS not found, tried: a, b"), md);
        // Byte-rate sections have no peak columns.
        assertTrue(md.contains("| addContiguous | 20.0 [18.0 - 22.0] | 5.00 [4.80 - 5.20] | 4.00 |\n"), md);
        assertTrue(md.contains("our own plain-loop oracles, not external references"), md);
        assertTrue(md.contains("./latentr3 bench '^dev.latentr3.bench.GemmBenchmark.openBlas$' -p shape=512x512x512 -f 3 -wi 5 -i 5"), md);
        assertTrue(md.contains("## GPU\n\nnot run: no GPU on this machine"), md);
        assertFalse(md.contains("not for comparison"), md);
        assertFalse(md.contains("## Tokenizer"), "sections without rows are left out: " + md);
    }

    @Test
    void ratesAboveThePeakAreFlaggedAndExplained() {
        // Peak 320 GFLOP/s; a GEMM at 400 is above it.
        BenchRun fast = new BenchRun("GemmBenchmark.fastGemm", Map.of("shape", "1024x1024x1024"));
        BenchRun blas = new BenchRun("GemmBenchmark.openBlas", Map.of("shape", "1024x1024x1024"));
        Comparison c = new Comparison(Section.GEMM, "1024x1024x1024", fast, blas, 1, null, null);
        Report r = new Report(MACHINE, LocalDate.of(2026, 11, 25), RunMode.REPORTED, List.of(new RowResult(c,
                Outcome.measured(new Spread(400, 390, 410, 380, 420, 15), "x"),
                Outcome.measured(new Spread(300, 290, 310, 280, 320, 15), "y"))), "none");
        String md = ReportWriter.markdown(r);
        assertTrue(md.contains("| 125% (above peak) | 94% |"), md);
        assertTrue(md.contains("Above the stated peak (nominal) of 320 GFLOP/s (1024x1024x1024, ours: 400)"), md);
        assertFalse(ReportWriter.markdown(report(RunMode.REPORTED)).contains("above peak"), "no note when all rows are below");
    }

    @Test
    void aStoppedRunIsMarkedPartialAndAGpuRunIsNamedAfterTheGpu() throws IOException {
        Report full = report(RunMode.DEVICE_ONE_FORK);
        Report partial = new Report(full.machine(), full.date(), full.mode(), full.results().subList(0, 2), full.gpu(),
                "nvidia-h200", 3);
        assertTrue(partial.partial());
        assertFalse(full.partial());
        String md = ReportWriter.markdown(partial);
        assertTrue(md.startsWith("# Benchmark report: nvidia-h200-amd-epyc-2c-2026-11-25\n"), md);
        assertTrue(md.contains("**Partial: 2 of 3 rows measured"), md);
        assertTrue(md.contains("one fork instead of the >= 3 of reported figures"), md);
        assertFalse(ReportWriter.markdown(full).contains("Partial"), "a finished run is not partial");
        assertEquals("nvidia-h200", BenchReport.slugOf("NVIDIA H200"));
        assertEquals("nvidia-h100-80gb-hbm3", BenchReport.slugOf("NVIDIA H100 80GB HBM3"));
        assertEquals("gpu", BenchReport.slugOf(" ? "));
    }

    @Test
    void quickRunsSayTheirFiguresAreNotForComparison() {
        String md = ReportWriter.markdown(report(RunMode.QUICK));
        assertTrue(md.contains("**quick run (-f 1 -wi 2 -i 3 -w 300ms -r 300ms): a smoke test of the harness; its figures are not for comparison.**"), md);
    }

    @Test
    void csvHasOneRowPerSideAndTheGpuWithConsistentColumns() {
        String csv = ReportWriter.csv(report(RunMode.REPORTED));
        List<List<String>> rows = parseCsv(csv);
        List<String> header = rows.getFirst();
        assertEquals(List.of(ReportWriter.CSV_HEADER.split(",")), header);
        assertEquals(1 + 6 + 1, rows.size(), csv);
        for (List<String> r : rows) assertEquals(header.size(), r.size(), "columns of " + r);
        List<String> ours = rows.get(1);
        assertEquals(List.of("GEMM", "512x512x512", "ours", "GemmBenchmark.fastGemm shape=512x512x512", "GFLOP/s",
                "80.0000", "78.0000", "82.0000", "75.0000", "90.0000", "15", "0.8000", "25.00", "ok"), ours.subList(0, 14));
        assertEquals("amd-epyc-2c", ours.get(header.indexOf("machine")));
        assertEquals("abc1234", ours.get(header.indexOf("commit")));
        assertEquals("2", ours.get(header.indexOf("threads")));
        List<String> missing = rows.get(4);
        assertEquals("reference", missing.get(2));
        assertEquals("", missing.get(header.indexOf("median")));
        assertEquals("not run: OpenBLAS not found, tried: a, b", missing.get(header.indexOf("status")), "a comma-holding field survives quoting");
        assertEquals(List.of("GPU", "not run: no GPU on this machine"), List.of(rows.getLast().get(0), rows.getLast().get(header.indexOf("status"))));
        assertEquals("", rows.get(5).get(header.indexOf("percent_of_peak")), "no peak for byte rates");
    }

    @Test
    void csvQuotingDoublesQuotes() {
        assertEquals("plain", ReportWriter.csvField("plain"));
        assertEquals("\"a,b\"", ReportWriter.csvField("a,b"));
        assertEquals("\"say \"\"hi\"\"\"", ReportWriter.csvField("say \"hi\""));
        assertEquals("\"two\nlines\"", ReportWriter.csvField("two\nlines"));
    }

    @Test
    void writesBothFilesNamedByMachineAndDateReplacingOldOnesAndLeavingNoTemporaries(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("results");
        Files.createDirectories(out);
        Files.writeString(out.resolve("amd-epyc-2c-2026-11-25.md"), "an older report of the same day");
        Report r = report(RunMode.REPORTED);
        List<Path> written = ReportWriter.write(out, r);
        assertEquals(List.of(out.resolve("amd-epyc-2c-2026-11-25.md"), out.resolve("amd-epyc-2c-2026-11-25.csv")), written);
        assertEquals(ReportWriter.markdown(r), Files.readString(written.get(0)));
        assertEquals(ReportWriter.csv(r), Files.readString(written.get(1)));
        try (var files = Files.list(out)) {
            assertEquals(2, files.count(), "only the two reports, no temporary files");
        }
    }

    @Test
    void atomicWriteCreatesTheFolderItWritesIn(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("a/b");
        List<Path> written = ReportWriter.write(out, report(RunMode.QUICK));
        assertTrue(Files.isRegularFile(written.get(0)));
    }

    /** RFC 4180 reader, independent of the writer's code: quoted fields may hold commas, quotes and newlines. */
    private static List<List<String>> parseCsv(String text) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                row.add(cur.toString());
                cur.setLength(0);
            } else if (c == '\n') {
                row.add(cur.toString());
                cur.setLength(0);
                rows.add(row);
                row = new ArrayList<>();
            } else {
                cur.append(c);
            }
        }
        return rows;
    }
}
