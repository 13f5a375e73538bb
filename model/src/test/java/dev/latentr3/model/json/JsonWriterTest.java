package dev.latentr3.model.json;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JsonWriter's output is read back by our strict parser to the same values, compact or indented. */
class JsonWriterTest {
    @Test
    void everyKindOfValueReadsBackEqual() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("empty object", Map.of());
        inner.put("empty array", List.of());
        inner.put("null", Json.NULL);
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("text", "quote \" backslash \\ slash / newline \n tab \t bell \u0007 nul \u0000 é 你好 \uD83D\uDE00");
        value.put("integers", List.of(0L, -1L, Long.MAX_VALUE, Long.MIN_VALUE + 1));
        value.put("doubles", List.of(1e-6, 1000000.0, -2.5, 6.02e23, Double.MIN_VALUE));
        value.put("booleans", List.of(true, false));
        value.put("nested", inner);
        assertEquals(value, Json.parse(JsonWriter.compact(value), "compact.json"));
        assertEquals(value, Json.parse(JsonWriter.pretty(value), "pretty.json"));
    }

    @Test
    void layoutMatchesHuggingFaceStyle() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", List.of("x"));
        m.put("b", 1);
        assertEquals("{\n  \"a\": [\n    \"x\"\n  ],\n  \"b\": 1\n}\n", JsonWriter.pretty(m));
        assertEquals("{\"a\":[\"x\"],\"b\":1}", JsonWriter.compact(m));
    }

    @Test
    void refusesWhatJsonCannotHold() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JsonWriter.compact(Double.NaN)).getMessage().contains("NaN"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JsonWriter.compact("a\uD800b")).getMessage().contains("lone surrogate U+D800"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JsonWriter.compact(List.of(new Object()))).getMessage().contains("cannot write"));
    }
}
