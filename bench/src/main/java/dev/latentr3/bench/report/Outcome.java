package dev.latentr3.bench.report;

/**
 * One side of a comparison: its rate samples' spread, or why it did not run; how to run it alone; and a note on
 * what ran (an external reference's version and settings), or null.
 */
public record Outcome(Spread spread, String notRun, String command, String note) {

    public static Outcome measured(Spread spread, String command) {
        return new Outcome(spread, null, command, null);
    }

    public static Outcome measured(Spread spread, String command, String note) {
        return new Outcome(spread, null, command, note);
    }

    public static Outcome notRun(String why, String command) {
        return new Outcome(null, why, command, null);
    }

    public boolean ran() {
        return spread != null;
    }
}
