package dev.latentr3.bench.report;

import java.time.LocalDate;
import java.util.List;

/**
 * Everything one run of BenchReport found, ready to write. {@code gpu} says why GPU rows did not run, or describes
 * the GPU; {@code gpuSlug} names the GPU in the file name when GPU rows ran (null otherwise); {@code plannedRows} is
 * how many rows the run set out to measure, more than {@code results} while it is under way (the report is rewritten
 * after every row, so a run that is stopped still leaves what it measured, marked partial).
 */
public record Report(Machine machine, LocalDate date, RunMode mode, List<RowResult> results, String gpu,
                     String gpuSlug, int plannedRows) {

    /** A finished report of CPU rows (or GPU rows that did not run). */
    public Report(Machine machine, LocalDate date, RunMode mode, List<RowResult> results, String gpu) {
        this(machine, date, mode, results, gpu, null, results.size());
    }

    /** Whether the run stopped (or has not yet finished) before all its rows were measured. */
    public boolean partial() {
        return results.size() < plannedRows;
    }

    /** The file name both outputs share: the GPU's slug when GPU rows ran, the machine slug and the ISO date. */
    public String fileStem() {
        return (gpuSlug == null ? "" : gpuSlug + "-") + machine.slug() + "-" + date;
    }
}
