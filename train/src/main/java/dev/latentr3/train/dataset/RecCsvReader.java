package dev.latentr3.train.dataset;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Reads the reference's processed CSV files (train / valid / test) into {@link Interaction}s. The header must be
 * exactly {@link Interaction#COLUMNS}; list columns are Python list literals. The whole file is read and every
 * malformed row reported (file, line, column, what was expected) in one {@link DataFileException}: a run never
 * starts on a file it could only partly read.
 */
public final class RecCsvReader {
    private RecCsvReader() {}

    public static List<Interaction> read(Path file) {
        return read(file, null);
    }

    /**
     * Reads the file and also checks every item id against {@code catalog}: the id must exist and the title in the
     * row must be the catalog's title for it.
     */
    public static List<Interaction> read(Path file, ItemCatalog catalog) {
        String name = file.toString();
        DataProblems problems = new DataProblems("cannot read interactions " + file);
        List<CsvParser.Row> rows = CsvParser.parse(TextFiles.readUtf8(file), name, problems);
        List<Interaction> out = new ArrayList<>(Math.max(0, rows.size() - 1));
        if (rows.isEmpty()) {
            problems.add(name, 1, null, "expected the header " + String.join(",", Interaction.COLUMNS) + ", found an empty file");
        } else if (!rows.getFirst().fields().equals(Interaction.COLUMNS)) {
            problems.add(name, rows.getFirst().line(), null, "expected the header " + String.join(",", Interaction.COLUMNS)
                    + ", found " + String.join(",", rows.getFirst().fields()));
        } else {
            for (CsvParser.Row row : rows.subList(1, rows.size())) {
                Interaction interaction = new RowReader(name, row, problems).interaction();
                if (interaction != null) {
                    if (catalog != null) checkAgainst(catalog, interaction, name, row.line(), problems);
                    out.add(interaction);
                }
            }
        }
        problems.throwIfAny();
        return out;
    }

    private static void checkAgainst(ItemCatalog catalog, Interaction it, String file, long line, DataProblems problems) {
        for (int k = 0; k <= it.historyLength(); k++) {
            boolean target = k == it.historyLength();
            int id = target ? it.targetItemId() : it.historyItemIds().get(k);
            String title = target ? it.targetTitle() : it.historyTitles().get(k);
            String field = target ? "item_id" : "history_item_id[" + k + "]";
            if (id < 0 || id >= catalog.size()) {
                problems.add(file, line, field, "expected an id of the catalog (0.." + (catalog.size() - 1) + "), found " + id);
            } else if (!catalog.title(id).equals(title)) {
                problems.add(file, line, field, "item " + id + " is titled '" + ItemCatalog.clip(catalog.title(id))
                        + "' in the catalog but '" + ItemCatalog.clip(title) + "' here");
            }
        }
    }

    /** Parses one record's fields, reporting each bad field; {@link #interaction} is null if any was bad. */
    private static final class RowReader {
        private final String file;
        private final CsvParser.Row row;
        private final DataProblems problems;
        private boolean failed;

        RowReader(String file, CsvParser.Row row, DataProblems problems) {
            this.file = file;
            this.row = row;
            this.problems = problems;
        }

        Interaction interaction() {
            if (row.fields().size() != Interaction.COLUMNS.size()) {
                problems.add(file, row.line(), null, "expected " + Interaction.COLUMNS.size() + " fields, found " + row.fields().size());
                return null;
            }
            String user = nonEmpty(0);
            List<String> asins = field(1, PythonLiteral::parseStrings);
            String asin = nonEmpty(2);
            List<Long> ids = field(3, PythonLiteral::parseIntegers);
            Long id = field(4, PythonLiteral::parseInteger);
            List<String> titles = field(5, PythonLiteral::parseStrings);
            String title = nonEmpty(6);
            List<Double> ratings = field(7, PythonLiteral::parseFloats);
            Double rating = field(8, PythonLiteral::parseFloat);
            List<Long> times = field(9, PythonLiteral::parseIntegers);
            Long time = field(10, PythonLiteral::parseInteger);
            List<Integer> intIds = ids == null ? null : itemIds(ids);
            if (id != null && (id < 0 || id > Integer.MAX_VALUE)) fail(4, "expected a non-negative item id, found " + id);
            if (failed) return null;
            try {
                return new Interaction(user, asins, asin, intIds, id.intValue(), titles, title, ratings, rating, times, time);
            } catch (IllegalArgumentException e) {
                problems.add(file, row.line(), null, e.getMessage());
                return null;
            }
        }

        private List<Integer> itemIds(List<Long> ids) {
            List<Integer> out = new ArrayList<>(ids.size());
            for (long v : ids) {
                if (v < 0 || v > Integer.MAX_VALUE) {
                    fail(3, "expected non-negative item ids, found " + v);
                    return null;
                }
                out.add((int) v);
            }
            return out;
        }

        private String nonEmpty(int column) {
            String v = row.fields().get(column);
            if (v.isEmpty()) fail(column, "expected a non-empty value");
            return v;
        }

        private <T> T field(int column, Function<String, T> parser) {
            try {
                return parser.apply(row.fields().get(column));
            } catch (PythonLiteral.SyntaxError e) {
                fail(column, e.getMessage() + " in '" + ItemCatalog.clip(row.fields().get(column)) + "'");
                return null;
            }
        }

        private void fail(int column, String problem) {
            failed = true;
            problems.add(file, row.line(), Interaction.COLUMNS.get(column), problem);
        }
    }
}
