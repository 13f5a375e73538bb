package dev.latentr3.train.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecCsvTest {
    @TempDir
    Path dir;

    private static final String HEADER = String.join(",", Interaction.COLUMNS) + "\r\n";

    static Interaction row(String user, List<Integer> ids, List<String> titles, int target, String title, long time) {
        List<String> asins = ids.stream().map(i -> "B%08d".formatted(i)).toList();
        List<Double> ratings = ids.stream().map(i -> 1.0 + i % 5).toList();
        List<Long> times = ids.stream().map(i -> time - 86_400L * (ids.size() - ids.indexOf(i))).toList();
        return new Interaction(user, asins, "B%08d".formatted(target), ids, target, titles, title, ratings, 4.5, times, time);
    }

    @Test
    void writesThenReadsBackTrickyTitles() {
        List<Interaction> rows = List.of(
                row("U1", List.of(0, 1, 2), List.of("Don't Explain", "say \"hi\", twice", "both ' and \""), 3, "1989", 1_500_000_000L),
                row("U2", List.of(4, 5), List.of("Earth A.D.\\Die Die My Darling", "<span class=\"a-size-medium"), 6,
                        "line\nbreak, \"quoted\"", 1_500_086_400L),
                row("U1", List.of(3), List.of("1989"), 0, "Don't Explain", 1_500_172_800L));
        Path file = dir.resolve("rows.csv");
        RecCsvWriter.write(file, rows);
        assertEquals(rows, RecCsvReader.read(file));
    }

    @Test
    void writesPythonsBytesForARealRow() throws IOException {
        // The first row of the reference's CDs valid.csv, which Python's csv.writer wrote.
        String python = HEADER + "A3KWI8FRECW7QE,\"['B000000BRY', 'B00000252H']\",B0000025B5,\"[5198, 3227]\",1381,"
                + "\"['Freaks of Nature', \"\"Don't Explain\"\"]\",Point of Know Return,\"[3.0, 5.0]\",5.0,"
                + "\"[1504656000, 1504656000]\",1504656000\r\n";
        Path file = dir.resolve("real.csv");
        Files.writeString(file, python);
        List<Interaction> rows = RecCsvReader.read(file);
        assertEquals(List.of(new Interaction("A3KWI8FRECW7QE", List.of("B000000BRY", "B00000252H"), "B0000025B5",
                List.of(5198, 3227), 1381, List.of("Freaks of Nature", "Don't Explain"), "Point of Know Return",
                List.of(3.0, 5.0), 5.0, List.of(1504656000L, 1504656000L), 1504656000L)), rows);
        assertEquals(python, RecCsvWriter.format(rows));
    }

    @Test
    void reportsEveryBadRowWithFileLineAndColumn() throws IOException {
        String text = HEADER
                + "U1,\"['a']\",b,[1],2,\"['t']\",T,[5.0],5.0,[1],2\r\n"            // fine
                + "U2,\"['a']\",b,[1],2,\"['t']\",T,[5.0],5.0,[1]\r\n"              // 10 fields
                + "U3,\"['a']\",b,[1.5],x,\"['t']\",T,[5.0],5.0,[1],2\r\n"          // float id, bad target id
                + "U4,\"['a', 'b']\",b,[1],2,\"['t']\",T,[5.0],5.0,[1],2\r\n"       // list lengths differ
                + "U5,\"[]\",b,[],2,\"[]\",T,[],5.0,[],2\r\n"                       // empty history
                + ",\"['a']\",b,[1],2,\"['t\\d']\",,[5.0],5.0,[1],2\r\n";           // empty user, bad escape, empty title
        Path file = dir.resolve("bad.csv");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        DataFileException e = assertThrows(DataFileException.class, () -> RecCsvReader.read(file));
        String f = file.toString();
        assertEquals(List.of(
                f + ":3: expected 11 fields, found 10",
                f + ":4: history_item_id: column 2: expected an integer, not a float, found '1.5' in '[1.5]'",
                f + ":4: item_id: column 1: expected an integer, found 'x' in 'x'",
                f + ":5: user U4: history lists differ in length (asins 2, ids 1, titles 1, ratings 1, timestamps 1); expected equal lengths",
                f + ":6: user U5: the history is empty; expected at least one item",
                f + ":7: user_id: expected a non-empty value",
                f + ":7: history_item_title: column 4: expected an escape sequence (\\\\ \\' \\\" \\a \\b \\f \\n \\r \\t \\v \\ooo \\xhh \\uhhhh \\Uhhhhhhhh), found '\\' in '['t\\d']'",
                f + ":7: item_title: expected a non-empty value"), e.problems());
        assertTrue(e.getMessage().startsWith("cannot read interactions " + f + ": 8 problems"), e.getMessage());
    }

    @Test
    void refusesAWrongHeader() throws IOException {
        Path file = dir.resolve("header.csv");
        Files.writeString(file, "user_id,item_id\r\nU1,2\r\n");
        DataFileException e = assertThrows(DataFileException.class, () -> RecCsvReader.read(file));
        assertEquals(List.of(file + ":1: expected the header " + String.join(",", Interaction.COLUMNS) + ", found user_id,item_id"),
                e.problems());
    }

    @Test
    void checksIdsAndTitlesAgainstTheCatalog() throws IOException {
        ItemCatalog catalog = ItemCatalog.of(List.of("Zero", "One", "Two"));
        Path file = dir.resolve("ids.csv");
        RecCsvWriter.write(file, List.of(
                row("U1", List.of(0, 1), List.of("Zero", "One"), 2, "Two", 1_500_000_000L),
                row("U2", List.of(0, 5), List.of("Zero", "Five"), 1, "Uno", 1_500_000_000L)));
        assertEquals(2, RecCsvReader.read(file).size(), "without a catalog only the format is checked");
        DataFileException e = assertThrows(DataFileException.class, () -> RecCsvReader.read(file, catalog));
        assertEquals(List.of(
                file + ":3: history_item_id[1]: expected an id of the catalog (0..2), found 5",
                file + ":3: item_id: item 1 is titled 'One' in the catalog but 'Uno' here"), e.problems());
    }

    @Test
    void refusesInvalidUtf8NamingTheLine() throws IOException {
        Path file = dir.resolve("latin1.csv");
        byte[] head = (HEADER + "U1,").getBytes(StandardCharsets.UTF_8);
        byte[] bytes = java.util.Arrays.copyOf(head, head.length + 1);
        bytes[head.length] = (byte) 0xE9; // 'é' in Latin-1
        Files.write(file, bytes);
        DataFileException e = assertThrows(DataFileException.class, () -> RecCsvReader.read(file));
        assertEquals(List.of(file + ":2: invalid UTF-8 at byte offset " + head.length), e.problems());
    }
}
