package dev.latentr3.bench.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportResumeTest {

    /** The test report with a note (commas and quotes in it) on one side and a failed side on another row. */
    private static Report stopped(RunMode mode) {
        Report r = ReportWriterTest.report(mode);
        List<RowResult> rows = new ArrayList<>(r.results());
        RowResult first = rows.get(0);
        rows.set(0, new RowResult(first.comparison(), first.ours(), Outcome.measured(first.reference().spread(),
                first.reference().command(), "peak memory 1.5 GiB, \"allocated\" by the side")));
        RowResult third = rows.get(2);
        rows.set(2, new RowResult(third.comparison(), third.ours(), Outcome.notRun("failed: out of memory, see log", "cmd")));
        return new Report(r.machine(), r.date(), mode, List.copyOf(rows), r.gpu(), null, 5);
    }

    private static List<Comparison> plan(Report r) {
        return r.results().stream().map(RowResult::comparison).toList();
    }

    @Test
    void rowsMeasuredOrSkippedComeBackAsTheyWereWrittenAndFailedRowsRunAgain(@TempDir Path dir) throws IOException {
        Report r = stopped(RunMode.DEVICE);
        Path csv = ReportWriter.write(dir, r).get(1);
        Map<Comparison, RowResult> kept = ReportResume.read(csv, plan(r), RunMode.DEVICE, "amd-epyc-2c", "abc1234");
        assertEquals(List.of(r.results().get(0), r.results().get(1)), List.copyOf(kept.values()),
                "the measured row (note included) and the row whose reference was skipped; not the failed one");
        assertEquals("peak memory 1.5 GiB, \"allocated\" by the side", kept.get(plan(r).get(0)).reference().note());
    }

    @Test
    void rowsOutsideThisRunsPlanAreIgnored(@TempDir Path dir) throws IOException {
        Report r = stopped(RunMode.DEVICE);
        Path csv = ReportWriter.write(dir, r).get(1);
        Map<Comparison, RowResult> kept = ReportResume.read(csv, plan(r).subList(1, 3), RunMode.DEVICE, "amd-epyc-2c", "abc1234");
        assertEquals(List.of(plan(r).get(1)), List.copyOf(kept.keySet()));
    }

    @Test
    void anotherMachineModeOrCommitIsRefusedNamingTheFileLineAndField(@TempDir Path dir) throws IOException {
        Report r = stopped(RunMode.DEVICE);
        Path csv = ReportWriter.write(dir, r).get(1);
        IllegalArgumentException mode = assertThrows(IllegalArgumentException.class,
                () -> ReportResume.read(csv, plan(r), RunMode.DEVICE_ONE_FORK, "amd-epyc-2c", "abc1234"));
        assertTrue(mode.getMessage().startsWith(csv + ": line 2: mode: measured with '-f 3 "), mode.getMessage());
        IllegalArgumentException commit = assertThrows(IllegalArgumentException.class,
                () -> ReportResume.read(csv, plan(r), RunMode.DEVICE, "amd-epyc-2c", "def5678"));
        assertTrue(commit.getMessage().contains(": line 2: commit: measured at abc1234, this tree is def5678"), commit.getMessage());
        IllegalArgumentException machine = assertThrows(IllegalArgumentException.class,
                () -> ReportResume.read(csv, plan(r), RunMode.DEVICE, "intel-xeon-16c", "abc1234"));
        assertTrue(machine.getMessage().contains(": line 2: machine: measured on amd-epyc-2c, this is intel-xeon-16c"), machine.getMessage());
    }

    @Test
    void aFileThatIsNotAReportOfThisVersionIsRefused(@TempDir Path dir) throws IOException {
        Path csv = dir.resolve("old.csv");
        Files.writeString(csv, "section,row,side\nGEMM,x,ours\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReportResume.read(csv, List.of(), RunMode.DEVICE, "amd-epyc-2c", "abc1234"));
        assertTrue(e.getMessage().startsWith(csv + ": line 1: expected the report header"), e.getMessage());
        Files.writeString(csv, ReportWriter.CSV_HEADER + "\nGEMM,\"unclosed\n");
        assertThrows(RuntimeException.class, () -> ReportResume.read(csv, List.of(), RunMode.DEVICE, "amd-epyc-2c", "abc1234"));
    }
}
