package dev.latentr3.train.report;

import dev.latentr3.model.json.FileFormatException;
import dev.latentr3.model.json.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The curves in a {@code metrics.jsonl} file (one JSON object per line), as {@link Series} of one key against another.
 *
 * <p>The files our trainers write (keys as of this writing):
 * <ul>
 *   <li>SFT ({@code SftTrainer}, through {@code MetricsLog}): lines with {@code "type":"step"} carry {@code step, loss,
 *       lr, grad_norm, tokens, seconds, tokens_per_s}; lines with {@code "type":"eval"} carry {@code step,
 *       validation_loss, improved} (a boolean). Select one kind with {@code where("type", "eval")}.</li>
 *   <li>RL ({@code RlTrainer.StepMetrics.toJson}): every line is a step, no type field: {@code step, loss,
 *       reward_mean, clean_reward_mean, advantage_mean, advantage_std, advantage_min, advantage_max, grad_norm,
 *       learning_rate, seconds}.</li>
 * </ul>
 *
 * <p>Points are ordered by x, and when x repeats the line later in the file wins: a resumed run appends the steps
 * after its checkpoint again, and those are the ones its weights went on from. A line without the y key is skipped
 * (SFT's eval lines have no {@code loss}); a y of JSON null is a gap. A last line cut short without its newline (a
 * crash mid-write) is left out and reported by {@link #truncatedLastLine()}; any other line that is not a JSON object
 * is an error naming the file and line.
 */
public final class MetricsCurves {
    private record Line(long number, Map<String, Object> values) {}

    private final String file;
    private final List<Line> lines;
    private final boolean truncatedLastLine;
    /** The filters applied so far, for messages ("type = eval"). */
    private final String filter;

    private MetricsCurves(String file, List<Line> lines, boolean truncatedLastLine, String filter) {
        this.file = file;
        this.lines = lines;
        this.truncatedLastLine = truncatedLastLine;
        this.filter = filter;
    }

    public static MetricsCurves read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read metrics file " + file + ": " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    /** Parses JSON Lines text; {@code file} names it in error messages. */
    public static MetricsCurves parse(String text, String file) {
        List<Line> lines = new ArrayList<>();
        boolean truncated = false;
        String[] raw = text.split("\n", -1);
        for (int i = 0; i < raw.length; i++) {
            String line = raw[i].endsWith("\r") ? raw[i].substring(0, raw[i].length() - 1) : raw[i];
            if (line.isBlank()) continue;
            long number = i + 1;
            boolean last = i == raw.length - 1; // no newline after it: the writer may have stopped mid-line
            Object value;
            try {
                // Json names the column inside the line; the prefix names the file's line.
                value = Json.parse(line, file + ":" + number);
            } catch (FileFormatException e) {
                if (last) {
                    truncated = true;
                    continue;
                }
                throw e;
            }
            if (!(value instanceof Map<?, ?> map)) {
                throw new FileFormatException(file + ":" + number + ": expected a JSON object per line, found "
                        + describe(value));
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> object = (Map<String, Object>) map;
            lines.add(new Line(number, object));
        }
        return new MetricsCurves(file, List.copyOf(lines), truncated, "");
    }

    /** Only the lines whose {@code key} is the string {@code value} (for SFT: type = step or type = eval). */
    public MetricsCurves where(String key, String value) {
        Objects.requireNonNull(key);
        Objects.requireNonNull(value);
        List<Line> kept = lines.stream().filter(l -> value.equals(l.values().get(key))).toList();
        return new MetricsCurves(file, kept, truncatedLastLine, filter + (filter.isEmpty() ? "" : ", ") + key + " = " + value);
    }

    /** Only the lines where {@code key} holds a number (the lines that have a place on a curve against it). */
    public MetricsCurves having(String key) {
        Objects.requireNonNull(key);
        List<Line> kept = lines.stream().filter(l -> l.values().get(key) instanceof Number).toList();
        return new MetricsCurves(file, kept, truncatedLastLine, filter + (filter.isEmpty() ? "" : ", ") + "a number in " + key);
    }

    /** The curve of yKey against xKey, named yKey. */
    public Series series(String xKey, String yKey) {
        return series(yKey, xKey, yKey);
    }

    /** The curve of yKey against xKey, named {@code name} in the legend. */
    public Series series(String name, String xKey, String yKey) {
        // TreeMap: ordered by x, and a later line with the same x replaces the earlier one.
        TreeMap<Double, Double> points = new TreeMap<>(Comparator.naturalOrder());
        for (Line l : lines) {
            if (!l.values().containsKey(yKey)) continue;
            Object xv = l.values().get(xKey);
            if (!(xv instanceof Number xn) || !Double.isFinite(xn.doubleValue())) {
                throw new FileFormatException(file + ":" + l.number() + ": field '" + xKey + "': expected a number "
                        + "(the x of '" + yKey + "'), found " + describe(xv));
            }
            Object yv = l.values().get(yKey);
            double y;
            if (yv == Json.NULL) {
                y = Double.NaN;
            } else if (yv instanceof Number yn) {
                y = yn.doubleValue();
            } else {
                throw new FileFormatException(file + ":" + l.number() + ": field '" + yKey + "': expected a number or "
                        + "null, found " + describe(yv));
            }
            points.put(xn.doubleValue(), y);
        }
        if (points.isEmpty()) {
            throw new IllegalArgumentException(file + ": no line" + (filter.isEmpty() ? "" : " with " + filter)
                    + " has the key '" + yKey + "' (numeric keys there: " + String.join(", ", numericKeys()) + ")");
        }
        double[] x = new double[points.size()], y = new double[points.size()];
        int i = 0;
        for (var e : points.entrySet()) {
            x[i] = e.getKey();
            y[i++] = e.getValue();
        }
        return new Series(name, x, y);
    }

    /** Keys holding a number in at least one line, in the order they first appear. */
    public List<String> numericKeys() {
        Set<String> keys = new LinkedHashSet<>();
        for (Line l : lines) {
            for (var e : l.values().entrySet()) if (e.getValue() instanceof Number) keys.add(e.getKey());
        }
        return List.copyOf(keys);
    }

    /** The distinct string values of {@code key}, in the order they first appear (SFT: step, eval). */
    public List<String> valuesOf(String key) {
        Set<String> values = new LinkedHashSet<>();
        for (Line l : lines) if (l.values().get(key) instanceof String s) values.add(s);
        return List.copyOf(values);
    }

    /** The value of {@code key} in the last line that has it as a number, NaN when none does. */
    public double last(String key) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).values().get(key) instanceof Number n) return n.doubleValue();
        }
        return Double.NaN;
    }

    /** How many lines (after filters) were read. */
    public int lineCount() {
        return lines.size();
    }

    /** True when the file's last line was cut short (no newline, not valid JSON) and was left out. */
    public boolean truncatedLastLine() {
        return truncatedLastLine;
    }

    public String file() {
        return file;
    }

    private static String describe(Object v) {
        if (v == null) return "nothing (the field is missing)";
        if (v == Json.NULL) return "null";
        if (v instanceof String s) return "the string \"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
        if (v instanceof Map<?, ?>) return "an object";
        if (v instanceof List<?> l) return "an array of " + l.size();
        return v.toString();
    }
}
