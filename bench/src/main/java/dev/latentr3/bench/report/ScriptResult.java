package dev.latentr3.bench.report;

import dev.latentr3.model.json.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a bench/torch script printed: its last line that starts with '{', a JSON object with {@code seconds} (seconds
 * per call of each measured round, all > 0) and whatever else it reports (shapes, parameter count, torch version).
 */
public record ScriptResult(List<Double> seconds, Map<String, Object> fields) {

    /** Parses a script's standard output; {@code source} names the script in errors. */
    @SuppressWarnings("unchecked")
    public static ScriptResult parse(String stdout, String source) {
        String line = null;
        for (String l : stdout.split("\n")) if (l.strip().startsWith("{")) line = l.strip();
        if (line == null) throw new IllegalArgumentException(source + ": printed no JSON line (a line starting with '{')");
        Object root;
        try {
            root = Json.parse(line, source);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(source + ": its JSON line does not parse: " + e.getMessage(), e);
        }
        if (!(root instanceof Map<?, ?> map)) throw new IllegalArgumentException(source + ": its JSON line is not an object");
        Object s = map.get("seconds");
        if (!(s instanceof List<?> list) || list.isEmpty()) {
            throw new IllegalArgumentException(source + ": field 'seconds' must be a non-empty array of numbers, found " + s);
        }
        List<Double> seconds = new ArrayList<>();
        for (Object v : list) {
            if (!(v instanceof Number n) || !(n.doubleValue() > 0) || Double.isInfinite(n.doubleValue())) {
                throw new IllegalArgumentException(source + ": field 'seconds' holds " + v + ", expected seconds > 0");
            }
            seconds.add(n.doubleValue());
        }
        return new ScriptResult(List.copyOf(seconds), (Map<String, Object>) map);
    }

    /**
     * Null when every expected field has its value, else what differs. A number must be the same integer (a script
     * that reports 4096.5 for 4096 differs); anything else (text, a boolean) must be equal.
     */
    public String mismatch(Map<String, ?> expect) {
        List<String> problems = new ArrayList<>();
        expect.forEach((k, v) -> {
            Object got = fields.get(k);
            boolean same = v instanceof Number want
                    ? got instanceof Number n && n.longValue() == want.longValue() && n.doubleValue() == n.longValue()
                    : v.equals(got);
            if (!same) problems.add(k + " = " + got + ", ours " + v);
        });
        return problems.isEmpty() ? null : String.join("; ", problems);
    }

    /** A field as text, or "?" when absent. */
    public String field(String name) {
        Object v = fields.get(name);
        return v == null ? "?" : v.toString();
    }
}
