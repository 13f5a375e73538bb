package dev.latentr3.train.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Expected strings are CPython 3.11's own {@code repr} output for the same values. */
class PythonReprTest {
    @Test
    void floatsAsPythonWritesThem() {
        double[] values = {5.0, 4.5, 0.1, 1e16, 1e15, 123456789.0, 0.0001, 0.00001, 1.5e-7, -2.5, -0.0, 1.0 / 3,
                Math.pow(2, 60), 1e22, 123456789012345678.0};
        String[] python = {"5.0", "4.5", "0.1", "1e+16", "1000000000000000.0", "123456789.0", "0.0001", "1e-05",
                "1.5e-07", "-2.5", "-0.0", "0.3333333333333333", "1.152921504606847e+18", "1e+22", "1.2345678901234568e+17"};
        for (int i = 0; i < values.length; i++) assertEquals(python[i], PythonRepr.floating(values[i]), "repr(" + values[i] + ")");
    }

    @Test
    void stringsAsPythonWritesThem() {
        String[] values = {"plain", "Don't Explain", "say \"hi\"", "both ' and \"", "back\\slash", "tab\there", "nl\nx",
                "cr\rx", "\u0000\u001f\u007f", "\u0085\u00a0é", "\u200b\u2028\u3000中", "😀", new String(Character.toChars(0xE0001)), "\ue000"};
        String[] python = {"'plain'", "\"Don't Explain\"", "'say \"hi\"'", "'both \\' and \"'", "'back\\\\slash'",
                "'tab\\there'", "'nl\\nx'", "'cr\\rx'", "'\\x00\\x1f\\x7f'", "'\\x85\\xa0é'", "'\\u200b\\u2028\\u3000中'",
                "'😀'", "'\\U000e0001'", "'\\ue000'"};
        for (int i = 0; i < values.length; i++) assertEquals(python[i], PythonRepr.string(values[i]));
    }

    @Test
    void listsAsPythonStrWritesThem() {
        assertEquals("['a', \"it's\", 'x\"y', 'Earth A.D.\\\\Die']",
                PythonRepr.stringList(List.of("a", "it's", "x\"y", "Earth A.D.\\Die")));
        assertEquals("[5198, 3227]", PythonRepr.integerList(List.of(5198, 3227)));
        assertEquals("[3.0, 4.5]", PythonRepr.floatList(List.of(3.0, 4.5)));
        assertEquals("[]", PythonRepr.stringList(List.of()));
    }

    @Test
    void whatWeWriteOurParserReadsBack() {
        SplittableRandom rnd = new SplittableRandom(11);
        String pool = "ab'\"\\ \t\n\r\u0000\u007fé中😀\u2028\u00a0,[]";
        for (int trial = 0; trial < 500; trial++) {
            List<String> strings = new java.util.ArrayList<>();
            for (int n = rnd.nextInt(4); n > 0; n--) {
                StringBuilder sb = new StringBuilder();
                for (int k = rnd.nextInt(12); k > 0; k--) sb.appendCodePoint(pool.codePointAt(pool.offsetByCodePoints(0, rnd.nextInt(pool.codePointCount(0, pool.length())))));
                strings.add(sb.toString());
            }
            assertEquals(strings, PythonLiteral.parseStrings(PythonRepr.stringList(strings)));
            List<Double> doubles = List.of(Double.longBitsToDouble(rnd.nextLong() >>> 2), rnd.nextDouble() * 1e-6, -rnd.nextDouble() * 1e20);
            assertEquals(doubles, PythonLiteral.parseFloats(PythonRepr.floatList(doubles)));
        }
    }
}
