package dev.latentr3.train.dataset;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The reference's global temporal split: rows sorted (stably) by the target's timestamp and cut at fractions of the
 * row count, e.g. {@code split(rows, 0.8, 0.9)} for 80 / 10 / 10 with boundaries {@code int(0.8·n)} and
 * {@code int(0.9·n)} as Python computes them. Users overlap across parts; rows with equal timestamps may fall on
 * both sides of a boundary, exactly as in the reference.
 */
public final class ChronologicalSplit {
    private ChronologicalSplit() {}

    /** The rows ordered by target timestamp; ties keep their input order. */
    public static List<Interaction> byTargetTime(List<Interaction> rows) {
        List<Interaction> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingLong(Interaction::targetTimestamp)); // List.sort is stable
        return sorted;
    }

    /**
     * Splits the time-ordered rows into {@code cuts.length + 1} consecutive parts; {@code cuts} must be strictly
     * increasing fractions in (0, 1).
     */
    public static List<List<Interaction>> split(List<Interaction> rows, double... cuts) {
        if (cuts.length == 0) throw new IllegalArgumentException("chronological split: expected at least one cut fraction");
        for (int i = 0; i < cuts.length; i++) {
            if (!(cuts[i] > 0 && cuts[i] < 1) || (i > 0 && cuts[i] <= cuts[i - 1])) {
                throw new IllegalArgumentException("chronological split: expected strictly increasing fractions in (0, 1), found "
                        + Arrays.toString(cuts));
            }
        }
        List<Interaction> sorted = byTargetTime(rows);
        List<List<Interaction>> parts = new ArrayList<>();
        int from = 0;
        for (double cut : cuts) {
            int to = (int) (sorted.size() * cut); // the same double product and truncation as Python's int(n * 0.8)
            parts.add(List.copyOf(sorted.subList(from, to)));
            from = to;
        }
        parts.add(List.copyOf(sorted.subList(from, sorted.size())));
        return parts;
    }
}
