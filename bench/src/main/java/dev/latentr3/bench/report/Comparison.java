package dev.latentr3.bench.report;

/**
 * One row of the report: our kernel and the reference it is measured against (a JMH benchmark or an external
 * script), both doing the same work per call.
 * A side that cannot run on this machine carries the reason instead ({@code skipOurs}, {@code skipReference});
 * {@code reference} is null where there is none at this size, and {@code skipReference} then says why.
 */
public record Comparison(Section section, String label, BenchRun ours, Side reference, double workPerCall,
                         String skipOurs, String skipReference) {

    public Comparison {
        if (reference == null && skipReference == null) {
            throw new IllegalArgumentException("Comparison '" + label + "': no reference and no reason why");
        }
    }

    /** The text {@code --only} matches against: section, label and both benchmark names. */
    public String searchText() {
        return section.name() + " " + label + " " + ours.describe() + (reference == null ? "" : " " + reference.describe());
    }
}
