package dev.latentr3.train.dataset;

import java.nio.file.Path;
import java.util.List;

/**
 * Writes interactions in the reference's CSV format, byte for byte as its Python pipeline would ({@code csv.writer}
 * over {@code str(list)} values): CRLF line ends, minimal quoting, list columns as Python {@code repr}.
 */
public final class RecCsvWriter {
    private RecCsvWriter() {}

    /** Writes the header and the rows to {@code file} atomically. */
    public static void write(Path file, List<Interaction> rows) {
        AtomicFiles.writeUtf8(file, format(rows));
    }

    static String format(List<Interaction> rows) {
        StringBuilder sb = new StringBuilder();
        CsvWriter.appendRecord(sb, Interaction.COLUMNS);
        for (Interaction it : rows) {
            if (!Double.isFinite(it.targetRating()) || it.historyRatings().stream().anyMatch(r -> !Double.isFinite(r))) {
                throw new IllegalArgumentException("user " + it.userId() + ", item " + it.targetItemId()
                        + ": ratings must be finite numbers (Python cannot read nan or inf back from the list)");
            }
            CsvWriter.appendRecord(sb, List.of(
                    it.userId(),
                    PythonRepr.stringList(it.historyAsins()),
                    it.targetAsin(),
                    PythonRepr.integerList(it.historyItemIds()),
                    Integer.toString(it.targetItemId()),
                    PythonRepr.stringList(it.historyTitles()),
                    it.targetTitle(),
                    PythonRepr.floatList(it.historyRatings()),
                    PythonRepr.floating(it.targetRating()),
                    PythonRepr.integerList(it.historyTimestamps()),
                    Long.toString(it.targetTimestamp())));
        }
        return sb.toString();
    }
}
