package dev.latentr3.model.json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict RFC 8259 JSON parser, small enough to read in one sitting, so the model module needs no JSON library.
 *
 * <p>Values map to plain Java: objects to an insertion-ordered {@code Map<String, Object>}, arrays to
 * {@code List<Object>}, strings to {@code String}, integers that fit to {@code Long}, other numbers to
 * {@code Double}, booleans to {@code Boolean}, and null to {@link #NULL} (a sentinel, so that "absent" and "null"
 * stay distinguishable in a map). Strict means: no comments, no trailing commas, no single quotes, no leading zeros,
 * no control characters inside strings, no lone surrogate escapes, no duplicate keys, nothing after the value.
 * Errors name the file, the line and column, and what was expected there.
 */
public final class Json {
    /** The JSON {@code null}. */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    private final String text;
    private final String file;
    private int pos;

    private Json(String text, String file) {
        this.text = text;
        this.file = file;
    }

    /** Parses one JSON document; {@code file} is only used in error messages. */
    public static Object parse(String text, String file) {
        Json p = new Json(text, file);
        p.skipWhitespace();
        Object value = p.value();
        p.skipWhitespace();
        if (p.pos != text.length()) throw p.error("end of document after the top-level value");
        return value;
    }

    private Object value() {
        if (pos >= text.length()) throw error("a value");
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", NULL);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) yield number();
                throw error("a value (object, array, string, number, true, false or null)");
            }
        };
    }

    private Map<String, Object> object() {
        pos++; // '{'
        Map<String, Object> map = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return map;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') throw error("a string key");
            int keyPos = pos;
            String key = string();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            Object v = value();
            if (map.putIfAbsent(key, v) != null) {
                pos = keyPos;
                throw error("no duplicate key, but \"" + key + "\" appears twice in this object");
            }
            skipWhitespace();
            char c = peek();
            if (c == ',') {
                pos++;
            } else if (c == '}') {
                pos++;
                return map;
            } else {
                throw error("',' or '}' in an object");
            }
        }
    }

    private List<Object> array() {
        pos++; // '['
        List<Object> list = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return list;
        }
        while (true) {
            skipWhitespace();
            list.add(value());
            skipWhitespace();
            char c = peek();
            if (c == ',') {
                pos++;
            } else if (c == ']') {
                pos++;
                return list;
            } else {
                throw error("',' or ']' in an array");
            }
        }
    }

    private String string() {
        pos++; // opening quote
        int start = pos;
        // Fast path: most strings have no escapes, so take a substring directly.
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '"') return text.substring(start, pos++);
            if (c == '\\' || c < 0x20) break;
            pos++;
        }
        StringBuilder sb = new StringBuilder(text.length() - start < 64 ? 16 : 64).append(text, start, pos);
        while (true) {
            if (pos >= text.length()) throw error("a closing '\"' before the end of the document");
            char c = text.charAt(pos);
            if (c == '"') {
                pos++;
                return sb.toString();
            }
            if (c < 0x20) throw error("no raw control character U+%04X inside a string (escape it)".formatted((int) c));
            if (c != '\\') {
                sb.append(c);
                pos++;
                continue;
            }
            pos++;
            if (pos >= text.length()) throw error("an escape character after '\\'");
            char e = text.charAt(pos++);
            switch (e) {
                case '"' -> sb.append('"');
                case '\\' -> sb.append('\\');
                case '/' -> sb.append('/');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    char u = hex4();
                    if (Character.isHighSurrogate(u)) {
                        // A high surrogate must be followed by an escaped low surrogate: otherwise the string
                        // would not be valid Unicode text.
                        if (!text.startsWith("\\u", pos)) throw error("a \\uDC00-\\uDFFF escape after the high surrogate \\u%04X".formatted((int) u));
                        pos += 2;
                        char low = hex4();
                        if (!Character.isLowSurrogate(low)) throw error("a low surrogate \\uDC00-\\uDFFF after \\u%04X".formatted((int) u));
                        sb.append(u).append(low);
                    } else if (Character.isLowSurrogate(u)) {
                        throw error("no lone low surrogate \\u%04X".formatted((int) u));
                    } else {
                        sb.append(u);
                    }
                }
                default -> {
                    pos--;
                    throw error("one of the escapes \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX");
                }
            }
        }
    }

    private char hex4() {
        if (pos + 4 > text.length()) throw error("four hex digits after \\u");
        int v = 0;
        for (int i = 0; i < 4; i++) {
            char c = text.charAt(pos);
            // Only ASCII hex digits: Character.digit would also accept e.g. Arabic-Indic digits.
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0) throw error("a hex digit in a \\u escape");
            v = v * 16 + d;
            pos++;
        }
        return (char) v;
    }

    private Object number() {
        int start = pos;
        if (peek() == '-') pos++;
        if (peek() == '0') {
            pos++;
            if (isDigit(peek())) throw error("no leading zero in a number");
        } else if (isDigit(peek())) {
            while (isDigit(peek())) pos++;
        } else {
            throw error("a digit");
        }
        boolean integral = true;
        if (peek() == '.') {
            integral = false;
            pos++;
            if (!isDigit(peek())) throw error("a digit after the decimal point");
            while (isDigit(peek())) pos++;
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            pos++;
            if (peek() == '+' || peek() == '-') pos++;
            if (!isDigit(peek())) throw error("a digit in the exponent");
            while (isDigit(peek())) pos++;
        }
        String s = text.substring(start, pos);
        // Every integer of up to 18 digits fits a long; of 19 (20 with a sign), most do, and byte offsets need them exact.
        if (integral && pos - start <= 18) return Long.parseLong(s);
        if (integral && pos - start <= 20) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException beyondLong) {
                // falls through to a double, like any integer too large for a long
            }
        }
        return Double.parseDouble(s);
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, pos)) throw error("'" + word + "'");
        pos += word.length();
        return value;
    }

    private void expect(char c) {
        if (peek() != c) throw error("'" + c + "'");
        pos++;
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
            pos++;
        }
    }

    private FileFormatException error(String expected) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < Math.min(pos, text.length()); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        String found = pos >= text.length() ? "end of document"
                : "'" + new String(Character.toChars(text.codePointAt(pos))) + "'";
        return new FileFormatException("%s: invalid JSON at line %d, column %d: expected %s, found %s"
                .formatted(file, line, pos - lineStart + 1, expected, found));
    }
}
