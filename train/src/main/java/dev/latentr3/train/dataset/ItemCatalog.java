package dev.latentr3.train.dataset;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The item catalog of a dataset: item id → title, read from and written to the reference's info file, one line
 * {@code title<TAB>id} per item, in id order. Ids are 0..n-1. Titles are kept verbatim and need not be unique (real
 * data has "Greatest Hits" dozens of times), so identity is the id; {@link #idsWithTitle} maps back from a title,
 * which is what title-matching evaluation needs.
 */
public final class ItemCatalog {
    private final List<String> titles;
    private final Map<String, List<Integer>> idsByTitle;

    private ItemCatalog(List<String> titlesById) {
        this.titles = List.copyOf(titlesById);
        Map<String, List<Integer>> byTitle = new LinkedHashMap<>();
        for (int id = 0; id < titles.size(); id++) byTitle.computeIfAbsent(titles.get(id), t -> new ArrayList<>()).add(id);
        byTitle.replaceAll((t, ids) -> List.copyOf(ids));
        this.idsByTitle = Collections.unmodifiableMap(byTitle);
    }

    /** A catalog whose item {@code i} has title {@code titlesById.get(i)}; titles must be non-empty single lines. */
    public static ItemCatalog of(List<String> titlesById) {
        for (int id = 0; id < titlesById.size(); id++) {
            String problem = titleProblem(titlesById.get(id));
            if (problem != null) throw new IllegalArgumentException("item " + id + ": " + problem);
        }
        return new ItemCatalog(titlesById);
    }

    /**
     * Reads an info file. Every line must be {@code title<TAB>id} (split at the last tab) with a non-empty title and
     * a decimal id below the number of lines, each id once (so the ids are exactly 0..n-1, in any order). Lines
     * may end with LF or CRLF. All problems are collected and reported together.
     */
    public static ItemCatalog read(Path file) {
        String text = TextFiles.readUtf8(file);
        DataProblems problems = new DataProblems("cannot read item catalog " + file);
        String name = file.toString();
        String[] lines = text.split("\n", -1);
        int count = lines.length - (lines[lines.length - 1].isEmpty() ? 1 : 0);
        String[] byId = new String[count];
        long[] lineOfId = new long[count];
        for (int i = 0; i < count; i++) {
            long lineNo = i + 1;
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            int tab = line.lastIndexOf('\t');
            if (tab < 0) {
                problems.add(name, lineNo, null, "expected 'title<TAB>id', found no tab in '" + clip(line) + "'");
                continue;
            }
            String title = line.substring(0, tab);
            String idText = line.substring(tab + 1);
            int id = parseId(idText);
            if (id < 0) {
                problems.add(name, lineNo, "id", "expected a decimal item id, found '" + clip(idText) + "'");
                continue;
            }
            if (id >= count) {
                problems.add(name, lineNo, "id", "expected an id below the number of items (" + count + "), found " + id);
                continue;
            }
            String problem = titleProblem(title);
            if (problem != null) {
                problems.add(name, lineNo, "title", problem);
                continue;
            }
            if (byId[id] != null) {
                problems.add(name, lineNo, "id", "id " + id + " was already given on line " + lineOfId[id]);
                continue;
            }
            byId[id] = title;
            lineOfId[id] = lineNo;
        }
        if (count == 0) problems.add(name + ": expected at least one 'title<TAB>id' line, found an empty file");
        // n lines with distinct ids below n: every id 0..n-1 is present, nothing more to check.
        problems.throwIfAny();
        return new ItemCatalog(Arrays.asList(byId));
    }

    /** Writes the info file (atomically), one {@code title<TAB>id} line per item in id order. */
    public void write(Path file) {
        StringBuilder sb = new StringBuilder();
        for (int id = 0; id < titles.size(); id++) sb.append(titles.get(id)).append('\t').append(id).append('\n');
        AtomicFiles.writeUtf8(file, sb);
    }

    public int size() {
        return titles.size();
    }

    public String title(int id) {
        if (id < 0 || id >= titles.size()) {
            throw new IndexOutOfBoundsException("item id " + id + " is outside the catalog of " + titles.size() + " items");
        }
        return titles.get(id);
    }

    /** Titles in id order. */
    public List<String> titles() {
        return titles;
    }

    /** Ids of the items with exactly this title, ascending; empty when none has it. */
    public List<Integer> idsWithTitle(String title) {
        return idsByTitle.getOrDefault(title, List.of());
    }

    /** Every distinct title with the ids carrying it, in order of first id. */
    public Map<String, List<Integer>> idsByTitle() {
        return idsByTitle;
    }

    private static String titleProblem(String title) {
        if (title == null || title.isEmpty()) return "expected a non-empty title";
        if (title.indexOf('\n') >= 0 || title.indexOf('\r') >= 0) return "expected a title on one line, found a line break in it";
        return null;
    }

    private static int parseId(String s) {
        if (s.isEmpty() || s.length() > 9) return -1;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return -1;
        return Integer.parseInt(s);
    }

    static String clip(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
