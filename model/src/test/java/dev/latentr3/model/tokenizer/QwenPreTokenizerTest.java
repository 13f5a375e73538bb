package dev.latentr3.model.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The hand-written scanner against a real backtracking regex engine (java.util.regex) running Qwen2's pattern,
 * with the two places where Java's defaults differ from Oniguruma's spelled out: {@code \s} as Unicode White_Space
 * and the case-insensitive contractions with Unicode's extra fold of 'ſ' to 's'.
 */
class QwenPreTokenizerTest {
    private static final String WS = "\\t\\n\\x0B\\f\\r\\x20\\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000";
    private static final Pattern QWEN_IN_JAVA = Pattern.compile(
            "'[sS\\u017F]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD]"
                    + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
                    + "|\\p{N}"
                    + "| ?[^" + WS + "\\p{L}\\p{N}]+[\\r\\n]*"
                    + "|[" + WS + "]*[\\r\\n]+"
                    + "|[" + WS + "]+(?![^" + WS + "])"
                    + "|[" + WS + "]+");

    private static List<String> ours(String s) {
        List<String> out = new ArrayList<>();
        QwenPreTokenizer.split(s, 0, s.length(), (a, b) -> out.add(s.substring(a, b)));
        return out;
    }

    private static List<String> regex(String s) {
        List<String> out = new ArrayList<>();
        Matcher m = QWEN_IN_JAVA.matcher(s);
        int end = 0;
        while (m.find()) {
            // Isolated splitting keeps unmatched gaps as pieces too; with this pattern there are none.
            if (m.start() > end) out.add(s.substring(end, m.start()));
            out.add(m.group());
            end = m.end();
        }
        if (end < s.length()) out.add(s.substring(end));
        return out;
    }

    @Test
    void splitsLikeTheRegexOnHandPickedText() {
        assertEquals(List.of("Hello", " world"), ours("Hello world"));
        assertEquals(List.of("I", "'m", " fine", ",", " isn", "'t", " it", "?"), ours("I'm fine, isn't it?"));
        assertEquals(List.of("'S", "'LL", "'s", "x"), ours("'S'LL'sx"));
        assertEquals(List.of(" ", " hello"), ours("  hello"));
        assertEquals(List.of("a", "\n\n", " b"), ours("a\n\n b"));
        assertEquals(List.of("x", "  \n"), ours("x  \n"));
        assertEquals(List.of("1", "2", "3"), ours("123"));
        assertEquals(List.of(" ", "1"), ours(" 1"));
        assertEquals(List.of("!!", "hi"), ours("!!hi"));
        assertEquals(List.of("(hi", ")"), ours("(hi)"));
        assertEquals(List.of("a", "   "), ours("a   "));
        assertEquals(List.of(" ?\n\n", "x"), ours(" ?\n\nx"));
        assertEquals(List.of("\thello"), ours("\thello"));
        assertEquals(List.of("😀hello"), ours("😀hello"));
        for (String s : ParityCorpus.handPicked()) assertEquals(regex(s), ours(s), s);
    }

    @Test
    void splitsLikeTheRegexOnRandomText() {
        for (String s : ParityCorpus.random(5000, 12345L)) assertEquals(regex(s), ours(s), s);
    }

    @Test
    void piecesTileTheText() {
        for (String s : ParityCorpus.random(500, 3L)) assertEquals(s, String.join("", ours(s)));
    }
}
