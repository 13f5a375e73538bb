package dev.latentr3.train.config;

import java.util.Collection;
import java.util.Collections;
import java.util.TreeSet;

/** The "did you mean" of a config error: the nearest known name by edit distance, if it is near enough to be a typo. */
final class Suggestion {
    private Suggestion() {}

    /**
     * The candidate closest to word by Levenshtein distance, or null when none is within max(1, |word| / 3) edits
     * (further than that it is more likely a different word than a typo). Ties go to the alphabetically first, so
     * the message does not depend on the order keys were read.
     */
    static String closest(String word, Collection<String> candidates) {
        String best = null;
        int bestDistance = Math.max(1, word.length() / 3) + 1;
        for (String c : new TreeSet<>(candidates)) {
            if (c.equals(word)) continue;
            int d = distance(word, c);
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return best;
    }

    /** " (did you mean X?)" or "". */
    static String didYouMean(String word, Collection<String> candidates, String prefix) {
        String c = closest(word, candidates == null ? Collections.emptyList() : candidates);
        return c == null ? "" : " (did you mean " + prefix + c + "?)";
    }

    /** Levenshtein distance with two rows (insert, delete, substitute each cost 1). */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(substitute, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
