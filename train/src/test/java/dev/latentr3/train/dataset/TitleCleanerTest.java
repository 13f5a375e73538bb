package dev.latentr3.train.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TitleCleanerTest {
    @Test
    void unescapesThenStripsSpacesThenQuotes() {
        assertEquals("Kind of Blue", TitleCleaner.cleanOnce("  \"Kind of Blue\"  "));
        assertEquals("Heroes\" & Villains", TitleCleaner.cleanOnce("&quot;Heroes&quot; &amp; Villains"));
        assertEquals(" inner", TitleCleaner.cleanOnce("\" inner\""), "spaces inside the quotes survive one pass");
        assertEquals("\ttab\t", TitleCleaner.cleanOnce(" \ttab\t "), "only U+0020 is stripped");
        assertEquals("&lt;b&gt; &Ouml;", TitleCleaner.cleanOnce("&lt;b&gt; &Ouml;"), "other entities stay");
    }

    @Test
    void eachWindowAttemptCleansOnceMore() {
        assertEquals("&quot;Heroes&quot;", TitleCleaner.clean("&amp;quot;Heroes&amp;quot;", 1));
        assertEquals("Heroes", TitleCleaner.clean("&amp;quot;Heroes&amp;quot;", 2));
        assertEquals("inner", TitleCleaner.clean("\" inner\"", 2));
    }

    @Test
    void keepsTitlesOfTwoCharactersAndTwentyWords() {
        assertFalse(TitleCleaner.isUsable("X"));
        assertFalse(TitleCleaner.isUsable("😀"), "one code point, two UTF-16 units");
        assertTrue(TitleCleaner.isUsable("AB"));
        String twenty = "w ".repeat(19) + "w";
        assertTrue(TitleCleaner.isUsable(twenty));
        assertFalse(TitleCleaner.isUsable(twenty + " w"));
        String twentyWithDoubleSpace = "w  " + "w ".repeat(18) + "w"; // 20 words but 21 pieces of split(" ")
        assertFalse(TitleCleaner.isUsable(twentyWithDoubleSpace), "a double space adds an empty word, as split(\" \") does");
    }

    @Test
    void onlySpanIdIsMarkup() {
        assertTrue(TitleCleaner.isMarkup("Live <span id=\"x\">Foo</span>"));
        assertFalse(TitleCleaner.isMarkup("<span class=\"a-size-medium a-color-secondary a-text-normal"));
    }
}
