package dev.latentr3.bench.report;

import java.time.LocalDate;
import java.util.List;

/** Everything one run of BenchReport found, ready to write. {@code gpu} says why GPU rows did not run. */
public record Report(Machine machine, LocalDate date, RunMode mode, List<RowResult> results, String gpu) {

    /** The file name both outputs share: machine slug and ISO date. */
    public String fileStem() {
        return machine.slug() + "-" + date;
    }
}
