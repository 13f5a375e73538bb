package dev.latentr3.train.dataset;

import dev.latentr3.model.json.FileFormatException;
import dev.latentr3.model.json.Json;

import java.util.List;
import java.util.Map;

/** Reading JSON-lines records (Amazon reviews and metadata): one object per line, typed fields, problems collected. */
final class JsonLines {
    private JsonLines() {}

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(String line, String file, long number, DataProblems problems) {
        try {
            Object v = Json.parse(line, file + ":" + number);
            if (v instanceof Map<?, ?> m) return (Map<String, Object>) m;
            problems.add(file, number, null, "expected a JSON object, found " + describe(v));
        } catch (FileFormatException e) {
            // Json names the position inside the line ("line 1, column 17"); the prefix names the file's line.
            problems.add(e.getMessage());
        }
        return null;
    }

    static String string(Map<String, Object> object, String key, String file, long number, DataProblems problems) {
        Object v = object.get(key);
        if (v instanceof String s) return s;
        problems.add(file, number, key, "expected a string, found " + describe(v));
        return null;
    }

    static String describe(Object v) {
        if (v == null) return "no such field";
        if (v instanceof String s) return "the string \"" + ItemCatalog.clip(s) + "\"";
        if (v instanceof Map<?, ?>) return "an object";
        if (v instanceof List<?>) return "an array";
        return v.toString();
    }
}
