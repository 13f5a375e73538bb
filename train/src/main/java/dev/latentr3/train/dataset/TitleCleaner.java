package dev.latentr3.train.dataset;

/**
 * The reference's title rules for Amazon metadata (method doc §5.2 step 2). An item is dropped when its title is
 * missing or contains {@code <span id}; otherwise {@code &quot;} and {@code &amp;} are unescaped, spaces (only
 * U+0020) are stripped from both ends, then double quotes from both ends; the result must be longer than one
 * character and have at most 20 words, where words are what Python's {@code split(" ")} returns (so a double space
 * adds an empty word). Only {@code <span id} is caught: titles starting {@code <span class=} pass, as in the
 * reference.
 *
 * <p>The reference cleans the metadata in place and re-runs everything for each wider time window, so the title of
 * the attempt with window number {@code k} (1 for the first) has been cleaned {@code k} times. For almost all titles
 * one pass is a fixed point; the exceptions (e.g. {@code &amp;quot;}, or quotes inside spaces) come out as the
 * reference writes them only with {@link #clean(String, int)} applied the same number of times.
 */
final class TitleCleaner {
    static final int MAX_WORDS = 20;

    private TitleCleaner() {}

    /** Whether the raw title rules the item out before any cleaning ({@code <span id} markup). */
    static boolean isMarkup(String rawTitle) {
        return rawTitle.contains("<span id");
    }

    /** One cleaning pass: unescape the two entities, strip spaces, then strip double quotes. */
    static String cleanOnce(String title) {
        String t = title.replace("&quot;", "\"").replace("&amp;", "&");
        return strip(strip(t, ' '), '"');
    }

    /** {@code passes} cleaning passes. */
    static String clean(String rawTitle, int passes) {
        String t = rawTitle;
        for (int i = 0; i < passes; i++) t = cleanOnce(t);
        return t;
    }

    /** Whether a cleaned title is kept: more than one character (code point) and at most 20 words. */
    static boolean isUsable(String cleaned) {
        if (cleaned.codePointCount(0, cleaned.length()) <= 1) return false;
        int words = 1;
        for (int i = 0; i < cleaned.length(); i++) if (cleaned.charAt(i) == ' ') words++;
        return words <= MAX_WORDS;
    }

    private static String strip(String s, char c) {
        int from = 0;
        int to = s.length();
        while (from < to && s.charAt(from) == c) from++;
        while (to > from && s.charAt(to - 1) == c) to--;
        return s.substring(from, to);
    }
}
