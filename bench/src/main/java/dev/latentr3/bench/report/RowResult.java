package dev.latentr3.bench.report;

/** A comparison as measured: both sides, in the section's unit (higher is better). */
public record RowResult(Comparison comparison, Outcome ours, Outcome reference) {

    /** Ours over the reference, medians; NaN when either side did not run. */
    public double ratio() {
        return ours.ran() && reference.ran() ? ours.spread().median() / reference.spread().median() : Double.NaN;
    }
}
