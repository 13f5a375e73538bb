package dev.latentr3.bench.report;

/**
 * How long each benchmark runs. {@code warmupTime}/{@code measureTime} are JMH durations ("300ms"), or null to keep
 * each benchmark's own iteration time.
 */
public record RunMode(String name, int forks, int warmups, int iterations, String warmupTime, String measureTime) {

    /** Figures worth reporting: >= 5 warm-ups, >= 3 forks, each benchmark's own iteration time. */
    public static final RunMode REPORTED = new RunMode("reported", 3, 5, 5, null, null);
    /** A smoke run: checks that everything runs and the report is written; its numbers are not for comparison. */
    public static final RunMode QUICK = new RunMode("quick", 1, 2, 3, "300ms", "300ms");

    /** The same settings as JMH command-line flags. */
    public String jmhFlags() {
        return "-f " + forks + " -wi " + warmups + " -i " + iterations
                + (warmupTime == null ? "" : " -w " + warmupTime) + (measureTime == null ? "" : " -r " + measureTime);
    }
}
