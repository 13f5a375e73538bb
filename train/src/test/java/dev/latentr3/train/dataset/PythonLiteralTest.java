package dev.latentr3.train.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Expected values are what Python's {@code ast.literal_eval} returns for the same text. */
class PythonLiteralTest {
    @Test
    void stringListsInBothQuoteStylesWithEscapes() {
        assertEquals(List.of("Freaks of Nature", "Kansas"), PythonLiteral.parseStrings("['Freaks of Nature', 'Kansas']"));
        assertEquals(List.of("Don't Explain", "Mother's Milk"), PythonLiteral.parseStrings("[\"Don't Explain\", \"Mother's Milk\"]"));
        assertEquals(List.of("Earth A.D.\\Die Die My Darling"), PythonLiteral.parseStrings("['Earth A.D.\\\\Die Die My Darling']"));
        assertEquals(List.of("both ' and \""), PythonLiteral.parseStrings("['both \\' and \"']"));
        assertEquals(List.of("\u0007\b\f\n\r\t\u000b\"'\\"), PythonLiteral.parseStrings("['\\a\\b\\f\\n\\r\\t\\v\\\"\\'\\\\']"));
        assertEquals(List.of("\u0000A\u00e9\u4e2d😀\u0001"), PythonLiteral.parseStrings("['\\x00\\x41\\u00e9\\u4E2D\\U0001f600\\1']"));
        assertEquals(List.of("ab"), PythonLiteral.parseStrings("['a\\\nb']"));
        assertEquals(List.of(), PythonLiteral.parseStrings("[ ]"));
        assertEquals(List.of("x", "y"), PythonLiteral.parseStrings(" [ 'x' ,\n'y', ] "));
    }

    @Test
    void numberLists() {
        assertEquals(List.of(5198L, 3227L, -1L, 0L), PythonLiteral.parseIntegers("[5198, 3227, -1, 0]"));
        assertEquals(List.of(3.0, 5.0, 4.5, 1e-05, 0.5, 5.0), PythonLiteral.parseFloats("[3.0, 5, 4.5, 1e-05, .5, 5.]"));
        assertEquals(1381L, PythonLiteral.parseInteger("1381"));
        assertEquals(5.0, PythonLiteral.parseFloat("5.0"));
    }

    @Test
    void rejectsWhatIsNotAFlatListOfTheExpectedKind() {
        String[][] cases = {
                {"'a'", "column 1: expected '[' opening a list, found '''"},
                {"['a' 'b']", "adjacent strings"},
                {"['a', b'x']", "column 7: expected a quoted string, found 'b'"},
                {"['a\\d']", "column 4: expected an escape sequence"},
                {"['a\\N{BULLET}']", "column 4: expected an escape sequence"},
                {"['abc", "expected the closing '"},
                {"['a\nb']", "before the line break"},
                {"['\\x4']", "2 hexadecimal digits"},
                {"['\\ud800']", "lone UTF-16 surrogate"},
                {"['a'] x", "expected the end of the literal"},
                {"['a',,]", "expected a quoted string, found ','"},
        };
        for (String[] c : cases) {
            PythonLiteral.SyntaxError e = assertThrows(PythonLiteral.SyntaxError.class, () -> PythonLiteral.parseStrings(c[0]), c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
        }
        String[][] numbers = {
                {"[1.0]", "an integer, not a float"},
                {"[007]", "without leading zeros"},
                {"[1_000]", "the end of the number"},
                {"[99999999999999999999]", "fits in 64 bits"},
                {"['1']", "an integer"},
                {"[1e]", "exponent digits"},
        };
        for (String[] c : numbers) {
            PythonLiteral.SyntaxError e = assertThrows(PythonLiteral.SyntaxError.class, () -> PythonLiteral.parseIntegers(c[0]), c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
        }
        assertEquals(List.of(0L), PythonLiteral.parseIntegers("[00]"));
        assertThrows(PythonLiteral.SyntaxError.class, () -> PythonLiteral.parseFloats("[nan]"));
        assertThrows(PythonLiteral.SyntaxError.class, () -> PythonLiteral.parseInteger("5.0"));
    }
}
