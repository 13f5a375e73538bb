package dev.latentr3.train.config;

import java.util.LinkedHashMap;
import java.util.List;

/**
 * The parsed configuration before anyone reads it: sections, lists and scalars, each scalar kept as the text that was
 * written (so a reader asking for a string gets {@code 1.10}, not {@code 1.1}) and whether it was quoted (a quoted
 * {@code "5"} is a string, never a number). Each node remembers where it came from for error messages.
 */
sealed interface ConfigNode {

    Origin origin();

    /**
     * Where a value was given: a line of the file (1-based; 0 when the tree was built in code) or a {@code --set}
     * override, whose relative paths resolve against the working directory instead of the file's folder.
     */
    record Origin(int line, String override) {
        static final Origin CODE = new Origin(0, null);

        static Origin line(int line) {
            return new Origin(line, null);
        }

        static Origin override(String text) {
            return new Origin(0, text);
        }

        boolean isOverride() {
            return override != null;
        }
    }

    /** A scalar: text as written; plain is false when it was quoted (or given as a Java string). */
    record Scalar(String text, boolean plain, Origin origin) implements ConfigNode {
        /** YAML's spellings of "no value" (an empty plain scalar, {@code ~}, {@code null}). */
        boolean isNull() {
            return plain && (text.isEmpty() || text.equals("~") || text.equals("null") || text.equals("Null")
                    || text.equals("NULL"));
        }
    }

    /** A section: keys in the order written, mutable only while overrides are applied. */
    record Mapping(LinkedHashMap<String, ConfigNode> entries, Origin origin) implements ConfigNode {}

    record Sequence(List<ConfigNode> items, Origin origin) implements ConfigNode {}
}
