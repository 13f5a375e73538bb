package dev.latentr3.train.dataset;

import java.util.ArrayList;
import java.util.List;

/**
 * A strict parser for comma-separated values as Python's {@code csv} module writes them (RFC 4180): a field is
 * either bare (no quote, comma or line break in it) or enclosed in double quotes, with a quote inside written twice.
 * Records end with CRLF or LF; line breaks inside quoted fields belong to the field. Anything else — a quote in a bare
 * field, text after a closing quote, a lone CR, an unterminated quote — is a problem naming the line and column.
 */
public final class CsvParser {
    /** One record and the line it starts on (1-based; a quoted line break makes a record span several lines). */
    record Row(long line, List<String> fields) {}

    private final String text;
    private final String file;
    private final DataProblems problems;
    private int pos;
    private long line = 1;
    private int lineStart;

    private CsvParser(String text, String file, DataProblems problems) {
        this.text = text;
        this.file = file;
        this.problems = problems;
    }

    /**
     * All records of a file that must be well-formed throughout (the project's own outputs, read back): the fields of
     * each record, or a {@link DataFileException} listing every malformed record by line and column.
     */
    public static List<List<String>> parseStrict(String text, String file) {
        DataProblems problems = new DataProblems("cannot read " + file);
        List<Row> rows = parse(text, file, problems);
        problems.throwIfAny();
        return rows.stream().map(Row::fields).toList();
    }

    /** All records; malformed records are reported to {@code problems} and left out. */
    static List<Row> parse(String text, String file, DataProblems problems) {
        return new CsvParser(text, file, problems).records();
    }

    private List<Row> records() {
        List<Row> rows = new ArrayList<>();
        while (pos < text.length()) {
            long startLine = line;
            List<String> fields = record();
            if (fields != null) rows.add(new Row(startLine, fields));
        }
        return rows;
    }

    /** One record including its terminator, or null after reporting a problem (the rest of the line is skipped). */
    private List<String> record() {
        List<String> fields = new ArrayList<>();
        while (true) {
            String field = pos < text.length() && text.charAt(pos) == '"' ? quoted() : bare();
            if (field == null) {
                skipLine();
                return null;
            }
            fields.add(field);
            if (pos >= text.length()) return fields;
            char c = text.charAt(pos);
            if (c == ',') {
                pos++;
                continue;
            }
            if (c == '\n' || (c == '\r' && pos + 1 < text.length() && text.charAt(pos + 1) == '\n')) {
                pos += c == '\n' ? 1 : 2;
                newLine();
                return fields;
            }
            problem(c == '\r' ? "a CR not followed by LF" : "',' or the end of the line after a quoted field");
            skipLine();
            return null;
        }
    }

    private String bare() {
        int start = pos;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == ',' || c == '\n' || c == '\r') break;
            if (c == '"') {
                problem("no '\"' inside a field that does not start with one (quote the whole field)");
                return null;
            }
            pos++;
        }
        return text.substring(start, pos);
    }

    private String quoted() {
        long openLine = line;
        int openColumn = pos - lineStart + 1;
        pos++;
        StringBuilder sb = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '"') {
                if (pos + 1 < text.length() && text.charAt(pos + 1) == '"') {
                    sb.append('"');
                    pos += 2;
                    continue;
                }
                pos++;
                return sb.toString();
            }
            sb.append(c);
            pos++;
            if (c == '\n') newLine();
        }
        problems.add(file, openLine, null, "column " + openColumn + ": the quoted field opened here is never closed");
        return null;
    }

    private void skipLine() {
        while (pos < text.length() && text.charAt(pos) != '\n') pos++;
        if (pos < text.length()) {
            pos++;
            newLine();
        }
    }

    private void newLine() {
        line++;
        lineStart = pos;
    }

    private void problem(String expected) {
        String found = pos >= text.length() ? "the end of the file" : describe(text.charAt(pos));
        problems.add(file, line, null, "column " + (pos - lineStart + 1) + ": expected " + expected + ", found " + found);
    }

    private static String describe(char c) {
        return switch (c) {
            case '\r' -> "CR";
            case '\n' -> "LF";
            default -> "'" + c + "'";
        };
    }
}
