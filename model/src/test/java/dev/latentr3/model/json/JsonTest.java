package dev.latentr3.model.json;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The strict JSON parser: RFC 8259 values in, and a located, specific error for everything RFC 8259 forbids. */
class JsonTest {
    @Test
    void parsesEveryKindOfValue() {
        Object v = Json.parse(" {\"a\": [1, -2, 3.5, 1e3, true, false, null, \"x\"], \"b\": {}, \"c\": []} ", "t.json");
        Map<?, ?> m = (Map<?, ?>) v;
        List<?> a = (List<?>) m.get("a");
        assertEquals(List.of(1L, -2L, 3.5, 1000.0, true, false), a.subList(0, 6));
        assertSame(Json.NULL, a.get(6));
        assertEquals("x", a.get(7));
        assertEquals(Map.of(), m.get("b"));
        assertEquals(List.of(), m.get("c"));
        assertEquals(List.of("a", "b", "c"), List.copyOf(m.keySet()), "keys keep file order");
    }

    @Test
    void integersThatFitALongStayExact() {
        assertEquals(Long.MAX_VALUE, Json.parse("9223372036854775807", "t.json"));
        assertEquals(Long.MIN_VALUE, Json.parse("-9223372036854775808", "t.json"));
        assertEquals(9223372036854775808.0, Json.parse("9223372036854775808", "t.json"), "one past a long becomes a double");
        assertEquals(1e20, Json.parse("100000000000000000000", "t.json"));
    }

    @Test
    void decodesEscapesIncludingSurrogatePairs() {
        assertEquals("\"\\/\b\f\n\r\t\u00e9\uD83D\uDE00", Json.parse("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\uDE00\"", "t.json"));
        assertEquals("Ġ你好", Json.parse("\"Ġ你好\"", "t.json"), "raw non-ASCII passes through");
    }

    @Test
    void refusesWhatRfc8259Forbids() {
        assertError("[1,]", "line 1, column 4: expected a value");
        assertError("{\"a\":1,}", "column 8: expected a string key");
        assertError("{'a':1}", "expected a string key");
        assertError("// c\n{}", "line 1, column 1: expected a value");
        assertError("[01]", "no leading zero");
        assertError("[1.]", "a digit after the decimal point");
        assertError("[.5]", "expected a value");
        assertError("[+1]", "expected a value");
        assertError("\"a\tb\"", "no raw control character U+0009");
        assertError("\"\\x41\"", "one of the escapes");
        assertError("\"\\u12G4\"", "a hex digit");
        assertError("\"\\u0663\\u0663\\u0663\\u0663\"", null); // valid: four escaped Arabic-Indic digits
        assertError("\"\\ud83d\"", "a \\uDC00-\\uDFFF escape after the high surrogate");
        assertError("\"\\ude00\"", "no lone low surrogate");
        assertError("{\"a\":1,\"a\":2}", "no duplicate key, but \"a\" appears twice");
        assertError("{} {}", "end of document after the top-level value");
        assertError("[1 2]", "',' or ']' in an array");
        assertError("tru", "'true'");
        assertError("", "expected a value, found end of document");
        assertError("\"abc", "a closing '\"'");
    }

    @Test
    void errorsCountLinesAndColumns() {
        assertError("{\n  \"a\": 1,\n  \"b\": x\n}", "t.json: invalid JSON at line 3, column 8: expected a value");
    }

    private static void assertError(String json, String fragment) {
        if (fragment == null) {
            Json.parse(json, "t.json");
            return;
        }
        FileFormatException e = assertThrows(FileFormatException.class, () -> Json.parse(json, "t.json"), json);
        assertTrue(e.getMessage().startsWith("t.json: invalid JSON at line "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), "missing <" + fragment + "> in: " + e.getMessage());
    }
}
