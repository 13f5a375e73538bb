package dev.latentr3.train.dataset;

import java.util.List;

/**
 * A data file we refuse to use. The message lists the problems found (each naming the file, the line, the field and
 * what was expected), so the whole file can be fixed in one go rather than one error per run.
 */
public final class DataFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient List<String> problems;
    private final int total;

    DataFileException(String what, List<String> problems, int total) {
        super(message(what, problems, total));
        this.problems = List.copyOf(problems);
        this.total = total;
    }

    /** The problems kept for the message (the first ones found, in file order). */
    public List<String> problems() {
        return problems;
    }

    /** How many problems were found in all, including those left out of the message. */
    public int totalProblems() {
        return total;
    }

    private static String message(String what, List<String> problems, int total) {
        StringBuilder sb = new StringBuilder(what).append(": ").append(total)
                .append(total == 1 ? " problem" : " problems");
        if (total > problems.size()) sb.append(" (the first ").append(problems.size()).append(" listed)");
        for (String p : problems) sb.append("\n  ").append(p);
        return sb.toString();
    }
}
