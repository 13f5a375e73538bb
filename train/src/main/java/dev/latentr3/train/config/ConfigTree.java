package dev.latentr3.train.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A YAML configuration read through typed getters that each state their default and their valid range, so the code
 * that reads a setting documents it, and a wrong value fails at start-up with one line that names the file, the
 * dotted key, what was expected and what was found.
 *
 * <p>Every key a reader asks for is remembered; {@link #requireAllRead()} then refuses any key present in the file
 * or given with {@code --set} that nobody asked for, so a misspelt key is an error (with a "did you mean"), not a
 * silently ignored setting. A tree and its sections share that record: call {@code requireAllRead()} once on the root
 * after every component has read its section.
 *
 * <p>Not thread-safe; read the configuration on one thread at start-up.
 */
public final class ConfigTree {

    /** One section's entries and what readers asked of it; sections read twice share the same Level. */
    private static final class Level {
        final Map<String, ConfigNode> entries;
        final Set<String> asked = new LinkedHashSet<>();
        final Map<String, Level> children = new HashMap<>();

        Level(Map<String, ConfigNode> entries) {
            this.entries = entries;
        }
    }

    private final String source;
    /** Folder that relative paths from the file resolve against; null when there is no file (they stay relative). */
    private final Path baseDir;
    /** Dotted key of this section with a trailing dot ("sft.") or "" at the root. */
    private final String prefix;
    private final Level level;

    private ConfigTree(String source, Path baseDir, String prefix, Level level) {
        this.source = source;
        this.baseDir = baseDir;
        this.prefix = prefix;
        this.level = level;
    }

    // ---- building ----

    /**
     * Reads a YAML file (UTF-8, one document whose top level is a section, or empty) and applies overrides in order,
     * each {@code "a.b=value"} with the value parsed as YAML ({@code lr=1e-4} is a number, {@code x=true} a boolean,
     * {@code x="5"} a string, {@code l=[1,2]} a list); a later override of the same key wins.
     */
    public static ConfigTree load(Path file, List<String> overrides) {
        String source = file.toString();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(source + ": no such config file");
        } catch (CharacterCodingException e) {
            throw new ConfigException(source + ": not UTF-8 text");
        } catch (IOException e) {
            throw new ConfigException(source + ": cannot read the config file: " + e.getMessage(), e);
        }
        ConfigNode root = YamlReader.parse(text, source, "", null);
        LinkedHashMap<String, ConfigNode> entries = switch (root) {
            case null -> new LinkedHashMap<>();
            case ConfigNode.Scalar s when s.isNull() -> new LinkedHashMap<>();
            case ConfigNode.Mapping m -> m.entries();
            default -> throw new ConfigException(source + ": expected key: value lines at the top level, got "
                    + describe(root));
        };
        applyOverrides(entries, overrides, source);
        return new ConfigTree(source, file.toAbsolutePath().getParent(), "", new Level(entries));
    }

    /**
     * A tree built in code (tests, or settings assembled by a program): values are Maps with String keys, Lists,
     * Strings, Numbers, Booleans or null. Relative paths stay relative (to the working directory).
     */
    public static ConfigTree of(Map<String, ?> values, String sourceName) {
        ConfigNode root = fromJava(values, sourceName, "");
        return new ConfigTree(sourceName, null, "", new Level(((ConfigNode.Mapping) root).entries()));
    }

    /** A tree with no keys: every reader returns its default. */
    public static ConfigTree empty(String sourceName) {
        return empty(sourceName, List.of());
    }

    /** A tree with only the given {@code "a.b=value"} overrides (a command run without a config file). */
    public static ConfigTree empty(String sourceName, List<String> overrides) {
        LinkedHashMap<String, ConfigNode> entries = new LinkedHashMap<>();
        applyOverrides(entries, overrides, sourceName);
        return new ConfigTree(sourceName, null, "", new Level(entries));
    }

    // ---- reading ----

    /** The name used in messages (the file as given, or the name passed to of/empty). */
    public String sourceName() {
        return source;
    }

    /** The full dotted name of key in this section, as messages spell it ("sft.learning_rate"). */
    public String fullKey(String key) {
        return prefix + key;
    }

    /**
     * An error about key in this section worded like the readers' own, for checks that span several keys:
     * {@code error("batch_size", "must divide 64, got 10")} gives {@code file: sft.batch_size: must divide 64, got 10}.
     */
    public ConfigException error(String key, String problem) {
        return new ConfigException(source + ": " + prefix + key + ": " + problem);
    }

    /** A nested section; a missing (or empty, {@code key:} with nothing under it) section is an empty tree. */
    public ConfigTree section(String key) {
        ConfigNode node = ask(key);
        Level child = level.children.get(key);
        if (child == null) {
            Map<String, ConfigNode> entries = switch (node) {
                case null -> new LinkedHashMap<>();
                case ConfigNode.Scalar s when s.isNull() -> new LinkedHashMap<>();
                case ConfigNode.Mapping m -> m.entries();
                default -> throw mismatch(key, "a section (indented key: value lines)", node, "");
            };
            child = new Level(entries);
            level.children.put(key, child);
        }
        return new ConfigTree(source, baseDir, prefix + key + ".", child);
    }

    public int intValue(String key, int dflt, int min, int max) {
        ConfigNode node = ask(key);
        if (node == null) return dflt;
        return (int) wholeNumber(key, node, min, max, "a whole number" + range(min, max, Integer.MIN_VALUE, Integer.MAX_VALUE));
    }

    public long longValue(String key, long dflt, long min, long max) {
        ConfigNode node = ask(key);
        if (node == null) return dflt;
        return wholeNumber(key, node, min, max, "a whole number" + range(min, max, Long.MIN_VALUE, Long.MAX_VALUE));
    }

    /** A number in [min, max] (an integer such as {@code 1} is a number too); NaN is never in range. */
    public double doubleValue(String key, double dflt, double min, double max) {
        ConfigNode node = ask(key);
        if (node == null) return dflt;
        String expected = "a number" + range(min, max);
        Number n = number(key, node, expected);
        double d = n.doubleValue();
        if (!(d >= min && d <= max)) throw mismatch(key, expected, node, "");
        return d;
    }

    /** true or false (also True/TRUE/False/FALSE); YAML 1.1's yes/no/on/off are refused as ambiguous. */
    public boolean bool(String key, boolean dflt) {
        ConfigNode node = ask(key);
        if (node == null) return dflt;
        String expected = "true or false";
        ConfigNode.Scalar s = scalar(key, node, expected);
        Boolean b = s.plain() ? ScalarText.bool(s.text()) : null;
        if (b == null) throw mismatch(key, expected, node, "");
        return b;
    }

    /** Any scalar, as written ({@code version: 1.10} reads as "1.10"); dflt may be null. */
    public String string(String key, String dflt) {
        ConfigNode node = ask(key);
        if (node == null) return dflt;
        return scalar(key, node, "a string").text();
    }

    /** One of the allowed strings (case-sensitive); dflt must be one of them. */
    public String oneOf(String key, String dflt, String... allowed) {
        List<String> options = Arrays.asList(allowed);
        if (dflt != null && !options.contains(dflt)) {
            throw new IllegalArgumentException("default '" + dflt + "' of " + prefix + key + " is not one of " + options);
        }
        ConfigNode node = ask(key);
        if (node == null) return dflt;
        String expected = "one of " + String.join(", ", options);
        String text = scalar(key, node, expected).text();
        if (!options.contains(text)) throw mismatch(key, expected, node, Suggestion.didYouMean(text, options, ""));
        return text;
    }

    /**
     * A file or folder path. Relative paths written in the file resolve against the file's folder (so a config can
     * name its data next to itself wherever it is run from); relative paths from {@code --set} resolve against the
     * working directory, as any other command-line path does. dflt is returned as given and may be null.
     */
    public Path path(String key, Path dflt) {
        ConfigNode node = ask(key);
        if (node == null) return dflt;
        String expected = "a path";
        ConfigNode.Scalar s = scalar(key, node, expected);
        if (s.text().isEmpty()) throw mismatch(key, expected, node, "");
        Path p;
        try {
            p = Path.of(s.text());
        } catch (InvalidPathException e) {
            throw mismatch(key, expected, node, " (" + e.getReason() + ")");
        }
        if (p.isAbsolute() || baseDir == null || s.origin().isOverride()) return p;
        return baseDir.resolve(p);
    }

    /** A list of whole numbers each in [min, max], written {@code [1, 2]} or as "- 1" lines; may be empty. */
    public List<Integer> intList(String key, List<Integer> dflt, int min, int max) {
        ConfigNode node = ask(key);
        if (node == null) return dflt;
        String element = "a whole number" + range(min, max, Integer.MIN_VALUE, Integer.MAX_VALUE);
        if (!(node instanceof ConfigNode.Sequence seq)) {
            throw mismatch(key, "a list of whole numbers" + range(min, max, Integer.MIN_VALUE, Integer.MAX_VALUE)
                    + " (e.g. [1, 2])", node, "");
        }
        List<Integer> values = new ArrayList<>(seq.items().size());
        for (ConfigNode item : seq.items()) {
            values.add((int) wholeNumber(key + "[" + values.size() + "]", item, min, max, element));
        }
        return List.copyOf(values);
    }

    /**
     * Refuses keys present in this tree (file or {@code --set}) that no reader asked for, naming each with the nearest
     * key that was asked for at the same level. Call it after all components have read their settings.
     */
    public void requireAllRead() {
        List<String> unread = new ArrayList<>();
        collectUnread(level, prefix, unread);
        if (unread.isEmpty()) return;
        throw new ConfigException(source + ": unknown key" + (unread.size() == 1 ? "" : "s")
                + " (nothing reads " + (unread.size() == 1 ? "it" : "them") + "): " + String.join("; ", unread));
    }

    private static void collectUnread(Level lv, String prefix, List<String> out) {
        for (Map.Entry<String, ConfigNode> e : lv.entries.entrySet()) {
            String key = e.getKey();
            if (!lv.asked.contains(key)) {
                ConfigNode.Origin o = e.getValue().origin();
                out.add(prefix + key + Suggestion.didYouMean(key, lv.asked, prefix)
                        + (o.isOverride() ? " (from --set " + o.override() + ")" : ""));
            } else if (lv.children.containsKey(key)) {
                collectUnread(lv.children.get(key), prefix + key + ".", out);
            }
        }
    }

    // ---- helpers ----

    private ConfigNode ask(String key) {
        if (key == null || key.isEmpty() || key.contains(".")) {
            throw new IllegalArgumentException("a config key is one name without dots; use section() for nesting: '" + key + "'");
        }
        level.asked.add(key);
        return level.entries.get(key);
    }

    private ConfigNode.Scalar scalar(String key, ConfigNode node, String expected) {
        if (node instanceof ConfigNode.Scalar s && !s.isNull()) return s;
        throw mismatch(key, expected, node, "");
    }

    private Number number(String key, ConfigNode node, String expected) {
        ConfigNode.Scalar s = scalar(key, node, expected);
        Number n = s.plain() ? ScalarText.number(s.text()) : null;
        if (n == null) throw mismatch(key, expected, node, "");
        return n;
    }

    private long wholeNumber(String key, ConfigNode node, long min, long max, String expected) {
        Number n = number(key, node, expected);
        long v;
        if (n instanceof Long l) {
            v = l;
        } else {
            double d = n.doubleValue();
            // 1e3 is a fine way to write 1000; 1.5 or 1e-3 is not a whole number and must not be rounded silently.
            if (Double.isFinite(d) && d != Math.rint(d)) throw mismatch(key, expected, node, " (not a whole number)");
            if (!(d >= min && d <= max)) throw mismatch(key, expected, node, "");
            v = (long) d;
        }
        if (v < min || v > max) throw mismatch(key, expected, node, "");
        return v;
    }

    private ConfigException mismatch(String key, String expected, ConfigNode found, String note) {
        return new ConfigException(source + ": " + prefix + key + ": expected " + expected + ", got "
                + describe(found) + note + (found.origin().isOverride() ? " (from --set " + found.origin().override() + ")" : ""));
    }

    /** How a found value reads in a message: 5, 'abc' (a string), 'x' (a quoted string), a section with keys a, b. */
    static String describe(ConfigNode node) {
        return switch (node) {
            case ConfigNode.Scalar s when s.isNull() -> "nothing (an empty value; leave the key out to use the default)";
            case ConfigNode.Scalar s when s.plain() && (ScalarText.number(s.text()) != null || ScalarText.bool(s.text()) != null) -> s.text();
            case ConfigNode.Scalar s -> "'" + abbreviate(s.text()) + "' (" + (s.plain() ? "a string" : "a quoted string") + ")";
            case ConfigNode.Sequence q -> q.items().isEmpty() ? "an empty list" : "a list of " + q.items().size() + " item"
                    + (q.items().size() == 1 ? "" : "s");
            case ConfigNode.Mapping m -> m.entries().isEmpty() ? "an empty section"
                    : "a section with keys " + abbreviate(String.join(", ", m.entries().keySet()));
        };
    }

    private static String abbreviate(String text) {
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }

    private static String range(long min, long max, long lowest, long highest) {
        if (min == lowest && max == highest) return "";
        if (max == highest) return " >= " + min;
        if (min == lowest) return " <= " + max;
        return " in [" + min + ", " + max + "]";
    }

    private static String range(double min, double max) {
        boolean noMin = min == Double.NEGATIVE_INFINITY || min == -Double.MAX_VALUE;
        boolean noMax = max == Double.POSITIVE_INFINITY || max == Double.MAX_VALUE;
        if (noMin && noMax) return "";
        if (noMax) return " >= " + min;
        if (noMin) return " <= " + max;
        return " in [" + min + ", " + max + "]";
    }

    private static void applyOverrides(LinkedHashMap<String, ConfigNode> root, List<String> overrides, String source) {
        for (String override : overrides) applyOverride(root, override, source);
    }

    private static void applyOverride(LinkedHashMap<String, ConfigNode> root, String override, String source) {
        int eq = override.indexOf('=');
        String key = eq < 0 ? "" : override.substring(0, eq);
        String[] parts = key.split("\\.", -1);
        for (String part : parts) {
            if (part.isEmpty() || !part.strip().equals(part)) {
                throw new ConfigException(source + ": --set " + override
                        + ": expected key=value with a dotted key, e.g. sft.learning_rate=1e-4");
            }
        }
        ConfigNode.Origin origin = ConfigNode.Origin.override(override);
        ConfigNode value = YamlReader.parse(override.substring(eq + 1), source, key, origin);
        if (value == null) value = new ConfigNode.Scalar("", true, origin);
        LinkedHashMap<String, ConfigNode> at = root;
        for (int i = 0; i < parts.length - 1; i++) {
            ConfigNode child = at.get(parts[i]);
            if (child == null || child instanceof ConfigNode.Scalar s && s.isNull()) {
                LinkedHashMap<String, ConfigNode> created = new LinkedHashMap<>();
                at.put(parts[i], new ConfigNode.Mapping(created, origin));
                at = created;
            } else if (child instanceof ConfigNode.Mapping m) {
                at = m.entries();
            } else {
                throw new ConfigException(source + ": --set " + override + ": "
                        + String.join(".", Arrays.copyOf(parts, i + 1)) + " is not a section, it is " + describe(child));
            }
        }
        at.put(parts[parts.length - 1], value);
    }

    private static ConfigNode fromJava(Object value, String source, String key) {
        ConfigNode.Origin o = ConfigNode.Origin.CODE;
        return switch (value) {
            case null -> new ConfigNode.Scalar("", true, o);
            case String s -> new ConfigNode.Scalar(s, false, o);
            case Boolean b -> new ConfigNode.Scalar(b.toString(), true, o);
            case Double d when d.isNaN() -> new ConfigNode.Scalar(".nan", true, o);
            case Double d when d.isInfinite() -> new ConfigNode.Scalar(d > 0 ? ".inf" : "-.inf", true, o);
            case Float f -> fromJava(f.doubleValue(), source, key);
            case Number n -> new ConfigNode.Scalar(n.toString(), true, o);
            case List<?> list -> {
                List<ConfigNode> items = new ArrayList<>(list.size());
                for (Object item : list) items.add(fromJava(item, source, key + "[" + items.size() + "]"));
                yield new ConfigNode.Sequence(List.copyOf(items), o);
            }
            case Map<?, ?> map -> {
                LinkedHashMap<String, ConfigNode> entries = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (!(e.getKey() instanceof String k) || k.isEmpty() || k.contains(".")) {
                        throw new ConfigException(source + ": " + key + ": a key must be a non-empty String without '.', got " + e.getKey());
                    }
                    entries.put(k, fromJava(e.getValue(), source, key.isEmpty() ? k : key + "." + k));
                }
                yield new ConfigNode.Mapping(entries, o);
            }
            default -> throw new ConfigException(source + ": " + key + ": unsupported value type "
                    + value.getClass().getSimpleName() + " (use Map, List, String, Number, Boolean or null)");
        };
    }
}
