package dev.latentr3.train.dataset;

import java.util.List;

/**
 * Formats records exactly as Python's {@code csv.writer} does with its defaults (the reference pipeline's writer):
 * a field is quoted only when it holds a comma, a double quote, CR or LF; quotes inside are doubled; records end
 * with CRLF. A record of one empty field is written as {@code ""} so that it is not read back as an empty line.
 */
final class CsvWriter {
    private CsvWriter() {}

    static void appendRecord(StringBuilder out, List<String> fields) {
        if (fields.size() == 1 && fields.getFirst().isEmpty()) {
            out.append("\"\"\r\n");
            return;
        }
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) out.append(',');
            appendField(out, fields.get(i));
        }
        out.append("\r\n");
    }

    private static void appendField(StringBuilder out, String field) {
        boolean quote = false;
        for (int i = 0; i < field.length() && !quote; i++) {
            char c = field.charAt(i);
            quote = c == ',' || c == '"' || c == '\r' || c == '\n';
        }
        if (!quote) {
            out.append(field);
            return;
        }
        out.append('"');
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '"') out.append('"');
            out.append(c);
        }
        out.append('"');
    }
}
