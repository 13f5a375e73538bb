package dev.latentr3.model.json;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Writes the values {@link Json#parse} produces back as JSON text: {@code Map<String, ?>} (in its iteration order),
 * {@code List<?>}, {@code String}, {@code Integer}/{@code Long}, finite {@code Double}, {@code Boolean} and
 * {@link Json#NULL}. Whatever it writes, {@link Json#parse} reads back to equal values, so files we write pass our
 * own strict reader.
 */
public final class JsonWriter {
    private final StringBuilder out = new StringBuilder();
    private final boolean pretty;

    private JsonWriter(boolean pretty) {
        this.pretty = pretty;
    }

    /** One line, no spaces: for embedded headers such as a safetensors file's. */
    public static String compact(Object value) {
        JsonWriter w = new JsonWriter(false);
        w.value(value, 0);
        return w.out.toString();
    }

    /** Two-space indentation and a final newline, as Hugging Face writes config.json. */
    public static String pretty(Object value) {
        JsonWriter w = new JsonWriter(true);
        w.value(value, 0);
        return w.out.append('\n').toString();
    }

    private void value(Object v, int depth) {
        switch (v) {
            case Map<?, ?> map -> object(map, depth);
            case List<?> list -> array(list, depth);
            case String s -> string(s);
            case Integer i -> out.append(i);
            case Long l -> out.append(l);
            case Double d -> {
                // JSON has no NaN or infinities; writing them would produce a file no strict reader accepts.
                if (!Double.isFinite(d)) throw new IllegalArgumentException("JsonWriter: " + d + " is not a JSON number");
                out.append(d); // Double.toString: "1000000.0", "1.0E-6": both valid JSON numbers
            }
            case Boolean b -> out.append(b);
            case null -> throw new IllegalArgumentException("JsonWriter: Java null is not a value; use Json.NULL for JSON null");
            default -> {
                if (v != Json.NULL) throw new IllegalArgumentException("JsonWriter: cannot write a " + v.getClass().getName());
                out.append("null");
            }
        }
    }

    private void object(Map<?, ?> map, int depth) {
        if (map.isEmpty()) {
            out.append("{}");
            return;
        }
        out.append('{');
        Iterator<? extends Map.Entry<?, ?>> it = map.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<?, ?> e = it.next();
            if (!(e.getKey() instanceof String key)) throw new IllegalArgumentException("JsonWriter: object keys must be strings, got " + e.getKey());
            newline(depth + 1);
            string(key);
            out.append(pretty ? ": " : ":");
            value(e.getValue(), depth + 1);
            if (it.hasNext()) out.append(',');
        }
        newline(depth);
        out.append('}');
    }

    private void array(List<?> list, int depth) {
        if (list.isEmpty()) {
            out.append("[]");
            return;
        }
        out.append('[');
        for (int i = 0; i < list.size(); i++) {
            newline(depth + 1);
            value(list.get(i), depth + 1);
            if (i + 1 < list.size()) out.append(',');
        }
        newline(depth);
        out.append(']');
    }

    private void newline(int depth) {
        if (pretty) out.append('\n').append("  ".repeat(depth));
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u%04x".formatted((int) c));
                    } else if (Character.isSurrogate(c)) {
                        // A lone surrogate has no UTF-8 form: the file would hold '?' instead of the caller's text.
                        boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
                        if (!pair) throw new IllegalArgumentException("JsonWriter: string has a lone surrogate U+%04X at index %d".formatted((int) c, i));
                        out.append(c).append(s.charAt(++i));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
