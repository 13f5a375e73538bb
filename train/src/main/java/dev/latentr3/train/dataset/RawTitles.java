package dev.latentr3.train.dataset;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Titles from an Amazon 2018 metadata file (JSON lines with {@code asin} and usually {@code title}), for the items
 * that occur in the reviews. The file may list an item more than once; as in the reference, one record without a
 * usable title rules the item out, and otherwise the last record's title wins.
 */
final class RawTitles {
    /** Per item index: the raw titles of its records in file order; null when none was seen. */
    private final List<List<String>> rawTitles;
    /** Per item index: a record had no title or {@code <span id} markup. */
    private final boolean[] ruledOut;

    private RawTitles(int items) {
        rawTitles = new ArrayList<>(Collections.nCopies(items, (List<String>) null));
        ruledOut = new boolean[items];
    }

    /** Reads the metadata for the items of {@code itemIndex} (ASIN → index); other records are skipped. */
    static RawTitles read(Path file, Map<String, Integer> itemIndex) {
        RawTitles t = new RawTitles(itemIndex.size());
        DataProblems problems = new DataProblems("cannot read metadata " + file);
        String name = file.toString();
        TextFiles.forEachLine(file, problems, (line, number) -> {
            Map<String, Object> meta = JsonLines.object(line, name, number, problems);
            if (meta == null) return;
            String asin = JsonLines.string(meta, "asin", name, number, problems);
            Object title = meta.get("title");
            if (title != null && !(title instanceof String)) {
                problems.add(name, number, "title", "expected a string, found " + JsonLines.describe(title));
                return;
            }
            Integer item = asin == null ? null : itemIndex.get(asin);
            if (item == null) return;
            if (t.rawTitles.get(item) == null) t.rawTitles.set(item, new ArrayList<>(1));
            if (title == null || TitleCleaner.isMarkup((String) title)) t.ruledOut[item] = true;
            else t.rawTitles.get(item).add((String) title);
        });
        problems.throwIfAny();
        return t;
    }

    /**
     * The item's title as the window attempt {@code attempt} (1-based) of the reference would have it — cleaned
     * that many times, see {@link TitleCleaner} — or null when the item has no usable title in that attempt.
     */
    String title(int item, int attempt) {
        List<String> raws = rawTitles.get(item);
        if (raws == null || ruledOut[item]) return null;
        String last = null;
        for (String raw : raws) {
            last = TitleCleaner.clean(raw, attempt);
            if (!TitleCleaner.isUsable(last)) return null;
        }
        return last;
    }
}
