package dev.latentr3.train.dataset;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects what is wrong with a data file while reading all of it, so one run reports every kind of mistake at once
 * and a run never starts on a file it could only partly read.
 */
final class DataProblems {
    /** Problems kept for the exception message; the rest are only counted. */
    static final int LISTED = 20;

    private final String what;
    private final List<String> listed = new ArrayList<>();
    private int total;

    /** {@code what} says what was being done, e.g. "cannot read /data/valid.csv". */
    DataProblems(String what) {
        this.what = what;
    }

    /** One problem at a line of a file, about a field ({@code null} when it concerns the whole line). */
    void add(String file, long line, String field, String problem) {
        add(file + ":" + line + ": " + (field == null ? "" : field + ": ") + problem);
    }

    void add(String message) {
        total++;
        if (listed.size() < LISTED) listed.add(message);
    }

    boolean isEmpty() {
        return total == 0;
    }

    void throwIfAny() {
        if (total > 0) throw new DataFileException(what, listed, total);
    }
}
