package dev.latentr3.train.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CsvTest {
    /** What CPython 3.11's {@code csv.writer} writes for these two rows. */
    private static final String PYTHON_OUTPUT = "a b, x,,\"a\"\"b\",\"a,b\",\"a\nb\",\"a\rb\",it's,tab\there,\\\r\n\"\"\r\n";
    private static final List<String> ROW = List.of("a b", " x", "", "a\"b", "a,b", "a\nb", "a\rb", "it's", "tab\there", "\\");

    @Test
    void writesWhatPythonsCsvWriterWrites() {
        StringBuilder sb = new StringBuilder();
        CsvWriter.appendRecord(sb, ROW);
        CsvWriter.appendRecord(sb, List.of(""));
        assertEquals(PYTHON_OUTPUT, sb.toString());
    }

    @Test
    void readsItBackWithLineNumbersOfRecordStarts() {
        // The LF inside the first record makes it span lines 1 and 2; a CR inside a quoted field is no line break.
        DataProblems problems = new DataProblems("test");
        List<CsvParser.Row> rows = CsvParser.parse(PYTHON_OUTPUT + "x,y\n", "f.csv", problems);
        assertTrue(problems.isEmpty());
        assertEquals(List.of(new CsvParser.Row(1, ROW), new CsvParser.Row(3, List.of("")), new CsvParser.Row(4, List.of("x", "y"))),
                rows);
    }

    @Test
    void reportsEveryMalformedRecordWithLineAndColumn() {
        String text = "h1,h2\nok,\"fine\"\nbad\"quote,x\n\"closed\"junk,x\nlone\rcr,x\nstill,ok\n\"never closed,x\n";
        DataProblems problems = new DataProblems("cannot read f.csv");
        List<CsvParser.Row> rows = CsvParser.parse(text, "f.csv", problems);
        assertEquals(List.of(List.of("h1", "h2"), List.of("ok", "fine"), List.of("still", "ok")),
                rows.stream().map(CsvParser.Row::fields).toList());
        DataFileException e = assertThrows(DataFileException.class, problems::throwIfAny);
        assertEquals(List.of(
                "f.csv:3: column 4: expected no '\"' inside a field that does not start with one (quote the whole field), found '\"'",
                "f.csv:4: column 9: expected ',' or the end of the line after a quoted field, found 'j'",
                "f.csv:5: column 5: expected a CR not followed by LF, found CR",
                "f.csv:7: column 1: the quoted field opened here is never closed"), e.problems());
        assertTrue(e.getMessage().startsWith("cannot read f.csv: 4 problems"), e.getMessage());
        assertFalse(e.getMessage().contains("first"), "all problems are listed when there are few");
    }

    @Test
    void listsOnlyTheFirstProblemsButCountsAll() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 30; i++) text.append("a\"b\n");
        DataProblems problems = new DataProblems("cannot read g.csv");
        CsvParser.parse(text.toString(), "g.csv", problems);
        DataFileException e = assertThrows(DataFileException.class, problems::throwIfAny);
        assertEquals(30, e.totalProblems());
        assertEquals(DataProblems.LISTED, e.problems().size());
        assertTrue(e.getMessage().contains("30 problems (the first 20 listed)"), e.getMessage());
    }
}
