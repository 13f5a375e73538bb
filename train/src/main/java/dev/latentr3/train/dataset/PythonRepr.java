package dev.latentr3.train.dataset;

import java.math.BigDecimal;
import java.util.List;

/**
 * Python's {@code repr} of strings, floats and lists, so the files we write are byte-for-byte what the reference
 * pipeline would write for the same data ({@code str(list)} inside {@code csv.writer}).
 */
final class PythonRepr {
    private PythonRepr() {}

    /**
     * {@code repr(str)}: single quotes unless the text holds a single quote and no double quote; backslash, the
     * chosen quote, tab, LF and CR escaped; other characters Python deems unprintable as {@code \xhh},
     * a backslash with u and 4 or U and 8 hex digits. Printability follows Java's Unicode tables, which may lag or lead
     * Python's for code points assigned in recent Unicode versions.
     */
    static String string(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder sb = new StringBuilder(s.length() + 2).append(quote);
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == quote || cp == '\\') sb.append('\\').appendCodePoint(cp);
            else if (cp == '\t') sb.append("\\t");
            else if (cp == '\n') sb.append("\\n");
            else if (cp == '\r') sb.append("\\r");
            else if (cp < ' ' || cp == 0x7f) sb.append("\\x").append(hex(cp, 2));
            else if (cp < 0x7f || isPrintable(cp)) sb.appendCodePoint(cp);
            else if (cp <= 0xff) sb.append("\\x").append(hex(cp, 2));
            else if (cp <= 0xffff) sb.append("\\u").append(hex(cp, 4));
            else sb.append("\\U").append(hex(cp, 8));
        }
        return sb.append(quote).toString();
    }

    /**
     * {@code repr(float)}: the shortest digits that read back to the same double, in positional notation when the
     * decimal exponent is in [-4, 16) (with ".0" added to whole numbers), otherwise as {@code 1.5e+16} /
     * {@code 1e-05}.
     */
    static String floating(double v) {
        if (Double.isNaN(v)) return "nan";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        if (v == 0) return (1 / v < 0) ? "-0.0" : "0.0";
        // Double.toString gives the shortest round-tripping digits (JDK 19+), as Python's repr does.
        BigDecimal d = new BigDecimal(Double.toString(v)).stripTrailingZeros();
        String digits = d.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - d.scale(); // v = ±d.ddd × 10^exponent
        String sign = v < 0 ? "-" : "";
        if (exponent >= -4 && exponent < 16) {
            String plain = d.abs().toPlainString();
            return sign + (plain.indexOf('.') < 0 ? plain + ".0" : plain);
        }
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        String exp = String.valueOf(Math.abs(exponent));
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (exp.length() < 2 ? "0" + exp : exp);
    }

    static String stringList(List<String> values) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < values.size(); i++) sb.append(i > 0 ? ", " : "").append(string(values.get(i)));
        return sb.append(']').toString();
    }

    static String integerList(List<? extends Number> values) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < values.size(); i++) sb.append(i > 0 ? ", " : "").append(values.get(i).longValue());
        return sb.append(']').toString();
    }

    static String floatList(List<Double> values) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < values.size(); i++) sb.append(i > 0 ? ", " : "").append(floating(values.get(i)));
        return sb.append(']').toString();
    }

    /** Python's {@code str.isprintable} for one code point: not a control, format, surrogate, private-use, unassigned or separator other than the space. */
    private static boolean isPrintable(int cp) {
        if (cp == ' ') return true;
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED,
                 Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }

    private static String hex(int v, int width) {
        String h = Integer.toHexString(v);
        return "0".repeat(Math.max(0, width - h.length())) + h;
    }
}
