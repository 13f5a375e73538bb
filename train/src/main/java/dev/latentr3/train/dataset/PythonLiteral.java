package dev.latentr3.train.dataset;

import java.util.ArrayList;
import java.util.List;

/**
 * A strict parser for the Python list literals the reference pipeline writes into its CSV files ({@code repr} of a
 * list): {@code ['a', "it's"]}, {@code [5198, 3227]}, {@code [3.0, 5.0]}. It accepts what Python's
 * {@code ast.literal_eval} accepts for a flat list of one element kind — either quote style, every standard escape
 * sequence, whitespace between tokens, a trailing comma, a leading minus on numbers — and rejects everything else
 * with the column and what was expected: other element kinds, string prefixes, adjacent strings (implicit
 * concatenation), escapes Python only keeps by accident ({@code \d}), and {@code \N{...}} names.
 */
final class PythonLiteral {
    /** A literal that is not a list of the expected kind; the message gives the 1-based column and what was expected. */
    static final class SyntaxError extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        SyntaxError(String message) {
            super(message);
        }
    }

    private enum Kind { STRING, INTEGER, FLOAT }

    private final String text;
    private int pos;

    private PythonLiteral(String text) {
        this.text = text;
    }

    static List<String> parseStrings(String text) {
        List<String> out = new ArrayList<>();
        for (Object o : new PythonLiteral(text).list(Kind.STRING)) out.add((String) o);
        return out;
    }

    static List<Long> parseIntegers(String text) {
        List<Long> out = new ArrayList<>();
        for (Object o : new PythonLiteral(text).list(Kind.INTEGER)) out.add((Long) o);
        return out;
    }

    /** Floats; integer elements are accepted too (Python's {@code 5} and {@code 5.0} are the same number). */
    static List<Double> parseFloats(String text) {
        List<Double> out = new ArrayList<>();
        for (Object o : new PythonLiteral(text).list(Kind.FLOAT)) out.add(((Number) o).doubleValue());
        return out;
    }

    /** A single integer literal such as {@code 1381} or {@code -3}. */
    static long parseInteger(String text) {
        PythonLiteral p = new PythonLiteral(text);
        long v = (Long) p.number(Kind.INTEGER);
        p.end();
        return v;
    }

    /** A single float literal such as {@code 5.0} (an integer literal is accepted as well). */
    static double parseFloat(String text) {
        PythonLiteral p = new PythonLiteral(text);
        double v = ((Number) p.number(Kind.FLOAT)).doubleValue();
        p.end();
        return v;
    }

    private List<Object> list(Kind kind) {
        List<Object> out = new ArrayList<>();
        skipSpace();
        expect('[', "'[' opening a list");
        skipSpace();
        if (peek() == ']') {
            pos++;
            end();
            return out;
        }
        while (true) {
            out.add(kind == Kind.STRING ? string() : number(kind));
            skipSpace();
            if (peek() == ',') {
                pos++;
                skipSpace();
                if (peek() == ']') break;
                continue;
            }
            if (peek() == ']') break;
            if (kind == Kind.STRING && (peek() == '\'' || peek() == '"')) {
                throw error("',' or ']' (adjacent strings, implicitly concatenated in Python, are not supported)");
            }
            throw error("',' or ']'");
        }
        pos++;
        end();
        return out;
    }

    private void end() {
        skipSpace();
        if (pos != text.length()) throw error("the end of the literal");
    }

    private String string() {
        char quote = peek();
        if (quote != '\'' && quote != '"') throw error("a quoted string");
        pos++;
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= text.length()) throw error("the closing " + quote);
            char c = text.charAt(pos);
            if (c == quote) {
                pos++;
                return sb.toString();
            }
            if (c == '\n' || c == '\r') throw error("the closing " + quote + " before the line break");
            if (c == '\\') {
                escape(sb);
            } else {
                sb.append(c);
                pos++;
            }
        }
    }

    private void escape(StringBuilder sb) {
        int start = pos;
        pos++; // the backslash
        if (pos >= text.length()) throw error("an escaped character after '\\'");
        char c = text.charAt(pos++);
        switch (c) {
            case '\\', '\'', '"' -> sb.append(c);
            case 'a' -> sb.append('\u0007');
            case 'b' -> sb.append('\b');
            case 'f' -> sb.append('\f');
            case 'n' -> sb.append('\n');
            case 'r' -> sb.append('\r');
            case 't' -> sb.append('\t');
            case 'v' -> sb.append('\u000B');
            case '\n' -> { } // a backslash before a line break continues the string
            case 'x' -> appendCodePoint(sb, hex(2), start);
            case 'u' -> appendCodePoint(sb, hex(4), start);
            case 'U' -> appendCodePoint(sb, hex(8), start);
            default -> {
                if (c >= '0' && c <= '7') {
                    int v = c - '0';
                    for (int k = 0; k < 2 && pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '7'; k++) {
                        v = v * 8 + (text.charAt(pos++) - '0');
                    }
                    appendCodePoint(sb, v, start);
                } else {
                    pos = start;
                    throw error("an escape sequence (\\\\ \\' \\\" \\a \\b \\f \\n \\r \\t \\v \\ooo \\xhh \\uhhhh \\Uhhhhhhhh)");
                }
            }
        }
    }

    private int hex(int digits) {
        if (pos + digits > text.length()) throw error(digits + " hexadecimal digits");
        long v = 0;
        for (int k = 0; k < digits; k++) {
            int d = Character.digit(text.charAt(pos), 16);
            if (d < 0) throw error(digits + " hexadecimal digits");
            v = v * 16 + d;
            pos++;
        }
        if (v > Character.MAX_CODE_POINT) {
            pos -= digits;
            throw error("a code point of at most \\U0010ffff");
        }
        return (int) v;
    }

    private void appendCodePoint(StringBuilder sb, int cp, int escapeStart) {
        if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
            pos = escapeStart;
            throw error("an escape of a character, not of a lone UTF-16 surrogate");
        }
        sb.appendCodePoint(cp);
    }

    private Object number(Kind kind) {
        skipSpace();
        int start = pos;
        if (peek() == '-') pos++;
        int digitsStart = pos;
        int intDigits = digits();
        boolean isFloat = false;
        if (peek() == '.') {
            isFloat = true;
            pos++;
            if (intDigits + digits() == 0) {
                pos = start;
                throw error(kind == Kind.INTEGER ? "an integer" : "a number");
            }
        } else if (intDigits == 0) {
            pos = start;
            throw error(kind == Kind.INTEGER ? "an integer" : "a number");
        }
        if (peek() == 'e' || peek() == 'E') {
            isFloat = true;
            pos++;
            if (peek() == '+' || peek() == '-') pos++;
            if (digits() == 0) throw error("exponent digits");
        }
        if (Character.isLetterOrDigit(peek()) || peek() == '_' || peek() == '.') throw error("the end of the number");
        String token = text.substring(start, pos);
        if (!isFloat) {
            // Python 3 rejects leading zeros in a decimal integer ("007"), except for zero itself ("00").
            if (text.charAt(digitsStart) == '0' && text.substring(digitsStart, pos).chars().anyMatch(ch -> ch != '0')) {
                pos = start;
                throw error("an integer without leading zeros");
            }
            try {
                long v = Long.parseLong(token);
                return kind == Kind.FLOAT ? (Object) (double) v : (Object) v;
            } catch (NumberFormatException e) {
                pos = start;
                throw error("an integer that fits in 64 bits");
            }
        }
        if (kind == Kind.INTEGER) {
            pos = start;
            throw new SyntaxError("column " + (start + 1) + ": expected an integer, not a float, found '" + token + "'");
        }
        return Double.parseDouble(token);
    }

    private int digits() {
        int start = pos;
        while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') pos++;
        return pos - start;
    }

    private void skipSpace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
            pos++;
        }
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void expect(char c, String what) {
        if (peek() != c) throw error(what);
        pos++;
    }

    private SyntaxError error(String expected) {
        String found = pos >= text.length() ? "the end" : "'" + new String(Character.toChars(text.codePointAt(pos))) + "'";
        return new SyntaxError("column " + (pos + 1) + ": expected " + expected + ", found " + found);
    }
}
