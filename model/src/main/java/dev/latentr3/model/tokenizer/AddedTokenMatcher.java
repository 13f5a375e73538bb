package dev.latentr3.model.tokenizer;

import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * Finds added tokens in text the way Hugging Face tokenizers does: first all non-overlapping leftmost-longest
 * occurrences (what its Aho-Corasick automaton in LeftmostLongest mode yields), then, per occurrence, the token's
 * flags: a single-word token glued to a word character is dropped (its characters stay plain text, and no other
 * token is searched for inside them), lstrip/rstrip widen the match over adjacent whitespace.
 */
final class AddedTokenMatcher {
    /** Receives the text between tokens and the tokens, in order. */
    interface Sink {
        void text(int start, int end);

        void token(AddedToken token, int start, int end);
    }

    private static final class Node {
        char[] keys = new char[0];
        Node[] kids = new Node[0];
        AddedToken token;

        Node child(char c) {
            for (int k = 0; k < keys.length; k++) if (keys[k] == c) return kids[k];
            return null;
        }

        Node childOrNew(char c) {
            Node n = child(c);
            if (n != null) return n;
            keys = Arrays.copyOf(keys, keys.length + 1);
            kids = Arrays.copyOf(kids, kids.length + 1);
            keys[keys.length - 1] = c;
            return kids[kids.length - 1] = new Node();
        }
    }

    private final Node root = new Node();
    /** Characters that start some token: only there can a match begin, so other positions are skipped quickly. */
    private final BitSet firstChars = new BitSet(0x10000);
    private final boolean empty;

    /** {@code patterns[i]} is the text matched for {@code tokens.get(i)} (its content, normalized if it should be). */
    AddedTokenMatcher(List<AddedToken> tokens, List<String> patterns) {
        for (int i = 0; i < tokens.size(); i++) {
            String p = patterns.get(i);
            if (p.isEmpty()) continue; // HF never matches an empty token either
            Node n = root;
            for (int k = 0; k < p.length(); k++) n = n.childOrNew(p.charAt(k));
            // Two tokens with the same text: HF's automaton reports the first pattern added, which is the first
            // in added_tokens order.
            if (n.token == null) n.token = tokens.get(i);
            firstChars.set(p.charAt(0));
        }
        empty = firstChars.isEmpty();
    }

    boolean isEmpty() {
        return empty;
    }

    void split(CharSequence s, int from, int to, Sink sink) {
        if (empty) {
            if (from < to) sink.text(from, to);
            return;
        }
        int startOffset = from;
        int i = from;
        while (i < to) {
            if (!firstChars.get(s.charAt(i))) {
                i++;
                continue;
            }
            // Longest token starting at i.
            Node n = root;
            AddedToken best = null;
            int bestEnd = -1;
            for (int j = i; j < to; j++) {
                n = n.child(s.charAt(j));
                if (n == null) break;
                if (n.token != null) {
                    best = n.token;
                    bestEnd = j + 1;
                }
            }
            if (best == null) {
                i++;
                continue;
            }
            int start = i;
            int stop = bestEnd;
            i = bestEnd; // the automaton resumes after the match, whether or not the flags keep it
            if (best.singleWord()) {
                boolean wordBefore = start > from && isWordChar(Character.codePointBefore(s, start));
                boolean wordAfter = stop < to && isWordChar(Character.codePointAt(s, stop));
                if (wordBefore || wordAfter) continue;
            }
            if (best.lstrip()) {
                int k = start;
                while (k > from && QwenPreTokenizer.isWhiteSpace(s.charAt(k - 1))) k--;
                // Whitespace already taken by the previous token's rstrip stays with it.
                start = Math.max(k, startOffset);
            }
            if (best.rstrip()) {
                while (stop < to && QwenPreTokenizer.isWhiteSpace(s.charAt(stop))) stop++;
                // HF would still report a token that starts inside the swallowed whitespace and emit overlapping
                // pieces; we resume after it so pieces stay disjoint (only matters for tokens starting with spaces).
                i = Math.max(i, stop);
            }
            if (startOffset < start) sink.text(startOffset, start);
            sink.token(best, start, stop);
            startOffset = stop;
        }
        if (startOffset < to) sink.text(startOffset, to);
    }

    /**
     * HF tests the neighbours with the Rust regex {@code \w}, whose Unicode meaning is: Alphabetic, a mark, a decimal
     * digit, connector punctuation (such as '_') or a joiner (ZWNJ, ZWJ).
     */
    private static boolean isWordChar(int cp) {
        if (Character.isAlphabetic(cp) || cp == 0x200C || cp == 0x200D) return true;
        return switch (Character.getType(cp)) {
            case Character.NON_SPACING_MARK, Character.COMBINING_SPACING_MARK, Character.ENCLOSING_MARK,
                 Character.DECIMAL_DIGIT_NUMBER, Character.CONNECTOR_PUNCTUATION -> true;
            default -> false;
        };
    }
}
