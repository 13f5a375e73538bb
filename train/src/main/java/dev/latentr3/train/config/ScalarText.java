package dev.latentr3.train.config;

import java.util.regex.Pattern;

/**
 * Numbers and booleans from a plain YAML scalar's text. We read them ourselves rather than through SnakeYAML's
 * YAML 1.1 resolver so that the rules are few and unsurprising: decimal numbers with an optional exponent and
 * {@code _} separators ({@code 1e-4}, {@code 1_000}), {@code .inf}/{@code .nan}, and only {@code true}/{@code false}
 * as booleans (YAML 1.1 would also turn {@code yes}, {@code no}, {@code on}, {@code off} into booleans and
 * {@code 010} into 8).
 */
final class ScalarText {
    private ScalarText() {}

    private static final Pattern INTEGER = Pattern.compile("[-+]?[0-9][0-9_]*");
    private static final Pattern DECIMAL = Pattern.compile("[-+]?([0-9][0-9_]*(\\.[0-9_]*)?|\\.[0-9][0-9_]*)([eE][-+]?[0-9]+)?");
    private static final Pattern INFINITY = Pattern.compile("[-+]?\\.(inf|Inf|INF)");
    private static final Pattern NAN = Pattern.compile("\\.(nan|NaN|NAN)");

    /** A Long for an integer that fits, a Double for any other number, null when the text is not a number. */
    static Number number(String text) {
        if (INTEGER.matcher(text).matches()) {
            try {
                return Long.parseLong(text.replace("_", ""));
            } catch (NumberFormatException tooLarge) {
                return Double.parseDouble(text.replace("_", ""));
            }
        }
        if (DECIMAL.matcher(text).matches()) return Double.parseDouble(text.replace("_", ""));
        if (INFINITY.matcher(text).matches()) return text.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        if (NAN.matcher(text).matches()) return Double.NaN;
        return null;
    }

    /** TRUE, FALSE, or null when the text is not one of YAML's spellings of true and false. */
    static Boolean bool(String text) {
        return switch (text) {
            case "true", "True", "TRUE" -> Boolean.TRUE;
            case "false", "False", "FALSE" -> Boolean.FALSE;
            default -> null;
        };
    }
}
