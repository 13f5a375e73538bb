package dev.latentr3.model.json;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One value of a parsed JSON document together with where it came from (file and JSON path), so every accessor can
 * fail with a message naming the file, the field and what was expected. A missing key is a field whose value is
 * {@code null} (Java null); a JSON null is {@link Json#NULL}.
 */
public final class JsonField {
    private final String file;
    /** The path is built only when an error needs it: vocab and merges have ~150k fields each. */
    private final JsonField parent;
    private final String key;
    private final int index;
    private final Object value;

    private JsonField(String file, JsonField parent, String key, int index, Object value) {
        this.file = file;
        this.parent = parent;
        this.key = key;
        this.index = index;
        this.value = value;
    }

    public static JsonField root(Object value, String file) {
        return new JsonField(file, null, null, -1, value);
    }

    /** The JSON path of this field, such as {@code model.merges[3]} or {@code model.vocab["a b"]}. */
    public String path() {
        if (parent == null) return "";
        String up = parent.path();
        if (key == null) return up + "[" + index + "]";
        boolean plain = !key.isEmpty() && key.chars().allMatch(c -> c == '_' || (c < 128 && Character.isLetterOrDigit(c)));
        if (plain) return up.isEmpty() ? key : up + "." + key;
        return up + "[\"" + key + "\"]";
    }

    public boolean isMissing() {
        return value == null;
    }

    /** True when the key is absent or its value is JSON null: both mean "not set" in tokenizer.json. */
    public boolean isMissingOrNull() {
        return value == null || value == Json.NULL;
    }

    public JsonField get(String key) {
        return new JsonField(file, this, key, -1, object().get(key));
    }

    /** The object's entries, keyed by name; fails unless this is an object. */
    public Map<String, Object> object() {
        if (value instanceof Map<?, ?> m) {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = (Map<String, Object>) m;
            return map;
        }
        throw fail("an object");
    }

    /** Each member of this object as a field, in file order. */
    public List<Map.Entry<String, JsonField>> members() {
        List<Map.Entry<String, JsonField>> out = new ArrayList<>();
        for (Map.Entry<String, Object> e : object().entrySet()) {
            out.add(Map.entry(e.getKey(), new JsonField(file, this, e.getKey(), -1, e.getValue())));
        }
        return out;
    }

    public List<JsonField> elements() {
        if (!(value instanceof List<?> list)) throw fail("an array");
        List<JsonField> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) out.add(new JsonField(file, this, null, i, list.get(i)));
        return out;
    }

    public String string() {
        if (value instanceof String s) return s;
        throw fail("a string");
    }

    public boolean bool() {
        if (value instanceof Boolean b) return b;
        throw fail("true or false");
    }

    public boolean bool(boolean whenMissing) {
        return isMissing() ? whenMissing : bool();
    }

    public int nonNegativeInt() {
        if (value instanceof Long l && l >= 0 && l <= Integer.MAX_VALUE) return (int) (long) l;
        throw fail("an integer from 0 to " + Integer.MAX_VALUE);
    }

    public int positiveInt() {
        if (value instanceof Long l && l > 0 && l <= Integer.MAX_VALUE) return (int) (long) l;
        throw fail("an integer from 1 to " + Integer.MAX_VALUE);
    }

    /** Byte offsets and sizes: a JSON integer from 0 to 2^63 - 1 (larger ones parse as doubles and fail here). */
    public long nonNegativeLong() {
        if (value instanceof Long l && l >= 0) return l;
        throw fail("an integer from 0 to " + Long.MAX_VALUE);
    }

    /** Any finite JSON number, integral or not: {@code 1000000} and {@code 1000000.0} mean the same here. */
    public double finiteNumber() {
        if (value instanceof Long l) return l;
        if (value instanceof Double d && Double.isFinite(d)) return d;
        throw fail("a finite number");
    }

    public Object raw() {
        return value;
    }

    /**
     * Refuses every key of this object that is not in {@code known}: a key we do not know could change what the
     * tokenizer does, and silently ignoring it would give wrong ids.
     */
    public void requireOnlyKeys(Set<String> known) {
        for (String key : object().keySet()) {
            if (!known.contains(key)) {
                throw get(key).unsupported("this field is not supported (known fields here: " + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    public FileFormatException fail(String expected) {
        return new FileFormatException(file, path(), "expected " + expected + ", found " + describe());
    }

    public FileFormatException unsupported(String why) {
        return new FileFormatException(file, path(), why);
    }

    public String describe() {
        if (value == null) return "nothing (the field is missing)";
        if (value == Json.NULL) return "null";
        if (value instanceof String s) return "the string \"" + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + "\"";
        if (value instanceof Boolean b) return b.toString();
        if (value instanceof Number n) return "the number " + n;
        if (value instanceof List<?> l) return "an array of " + l.size();
        return "an object";
    }
}
