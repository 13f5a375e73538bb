package dev.latentr3.bench.report;

/** One side of a comparison: its rate samples' spread, or why it did not run; and how to run it alone. */
public record Outcome(Spread spread, String notRun, String command) {

    public static Outcome measured(Spread spread, String command) {
        return new Outcome(spread, null, command);
    }

    public static Outcome notRun(String why, String command) {
        return new Outcome(null, why, command);
    }

    public boolean ran() {
        return spread != null;
    }
}
