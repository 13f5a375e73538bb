package dev.latentr3.train.cli;

import java.io.Console;
import java.io.PrintStream;
import java.util.function.LongSupplier;

/**
 * The progress display of every long-running command: a bar, the count, the caller's metrics and the time left.
 * On a terminal it redraws one line in place (carriage return, at most ten times a second); when output goes to a
 * file or a pipe, where carriage returns would pile up, it prints a plain line at every tenth of the way instead.
 */
public final class ProgressBar {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final String label;
    private final long total;
    private final PrintStream out;
    private final boolean interactive;
    private final LongSupplier nanoClock;
    private final long startNanos;

    private long lastDrawNanos;
    private boolean drawn;
    private int lastLineLength;
    private long lastTenth;

    public ProgressBar(String label, long total, PrintStream out, boolean interactive, LongSupplier nanoClock) {
        if (total <= 0) throw new IllegalArgumentException("ProgressBar: total must be positive, got " + total);
        this.label = label;
        this.total = total;
        this.out = out;
        this.interactive = interactive;
        this.nanoClock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
    }

    /** A bar on out, redrawn in place only when out is the standard output and that is a terminal. */
    public static ProgressBar on(PrintStream out, String label, long total) {
        Console console = System.console();
        boolean terminal = out == System.out && console != null && console.isTerminal();
        return new ProgressBar(label, total, out, terminal, System::nanoTime);
    }

    /** Reports that done of total units are finished; metrics (may be empty) is shown after the count. */
    public void update(long done, String metrics) {
        long now = nanoClock.getAsLong();
        boolean finished = done >= total;
        if (interactive) {
            if (drawn && !finished && now - lastDrawNanos < REDRAW_NANOS) return;
            String line = render(done, metrics, now);
            out.print("\r" + line + " ".repeat(Math.max(0, lastLineLength - line.length())));
            out.flush();
            lastLineLength = line.length();
        } else {
            long tenth = Math.min(10, done * 10 / total);
            if (tenth <= lastTenth) return;
            lastTenth = tenth;
            out.println(render(done, metrics, now));
        }
        drawn = true;
        lastDrawNanos = now;
    }

    /** Ends the in-place line so that later output starts on a fresh one. */
    public void finish() {
        if (interactive && drawn) out.println();
        out.flush();
    }

    String render(long done, String metrics, long now) {
        long clamped = Math.clamp(done, 0, total);
        int filled = (int) (WIDTH * clamped / total);
        double elapsed = (now - startNanos) / 1e9;
        String time = clamped >= total ? "done in " + duration(elapsed)
                : "ETA " + (clamped == 0 ? duration(-1) : duration(elapsed * (total - clamped) / clamped));
        return label + " [" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + clamped + "/" + total
                + (metrics.isEmpty() ? "" : " " + metrics) + " | " + time;
    }

    /** m:ss, or h:mm:ss from an hour on; "--:--" for an unknown (negative) time. */
    static String duration(double seconds) {
        if (seconds < 0 || Double.isNaN(seconds)) return "--:--";
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String.format("%d:%02d", s / 60, s % 60);
    }
}
