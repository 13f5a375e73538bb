package dev.latentr3.bench.report;

/** One side of a comparison: a JMH benchmark ({@link BenchRun}) or an external script ({@link ScriptRun}). */
public sealed interface Side permits BenchRun, ScriptRun {
    /** Short name and parameters, for logs, the CSV and {@code --only}. */
    String describe();

    /** The exact command that runs this side alone with the mode's repetitions. */
    String command(RunMode mode);
}
