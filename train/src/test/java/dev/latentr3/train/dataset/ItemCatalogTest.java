package dev.latentr3.train.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ItemCatalogTest {
    @TempDir
    Path dir;

    @Test
    void keepsDuplicateAndOddTitlesWithIdIdentity() throws IOException {
        Path file = dir.resolve("info.txt");
        String text = "Greatest Hits\t2\n1989\t0\n<span class=\"a-size-medium a-color-secondary a-text-normal\t3\n"
                + "Greatest Hits\t1\nTab\tInside\t4\r\n";
        Files.writeString(file, text);
        ItemCatalog c = ItemCatalog.read(file);
        assertEquals(List.of("1989", "Greatest Hits", "Greatest Hits", "<span class=\"a-size-medium a-color-secondary a-text-normal",
                "Tab\tInside"), c.titles());
        assertEquals(List.of(1, 2), c.idsWithTitle("Greatest Hits"));
        assertEquals(List.of(0), c.idsWithTitle("1989"));
        assertEquals(List.of(), c.idsWithTitle("Nothing"));
        assertEquals(4, c.idsByTitle().size());

        Path copy = dir.resolve("copy.txt");
        c.write(copy);
        assertEquals("1989\t0\nGreatest Hits\t1\nGreatest Hits\t2\n<span class=\"a-size-medium a-color-secondary a-text-normal\t3\n"
                + "Tab\tInside\t4\n", Files.readString(copy));
        assertEquals(c.titles(), ItemCatalog.read(copy).titles());
    }

    @Test
    void reportsEveryBadLine() throws IOException {
        Path file = dir.resolve("bad.txt");
        Files.writeString(file, "A\t0\nno tab here\nB\tx1\n\t2\nC\t0\nD\t9\n");
        DataFileException e = assertThrows(DataFileException.class, () -> ItemCatalog.read(file));
        assertEquals(List.of(
                file + ":2: expected 'title<TAB>id', found no tab in 'no tab here'",
                file + ":3: id: expected a decimal item id, found 'x1'",
                file + ":4: title: expected a non-empty title",
                file + ":5: id: id 0 was already given on line 1",
                file + ":6: id: expected an id below the number of items (6), found 9"), e.problems());
    }

    @Test
    void refusesAnEmptyFile() throws IOException {
        Path file = dir.resolve("empty.txt");
        Files.writeString(file, "");
        DataFileException e = assertThrows(DataFileException.class, () -> ItemCatalog.read(file));
        assertEquals(List.of(file + ": expected at least one 'title<TAB>id' line, found an empty file"), e.problems());
    }

    @Test
    void refusesTitlesThatCannotBeWrittenOnOneLine() {
        assertEquals("item 1: expected a non-empty title",
                assertThrows(IllegalArgumentException.class, () -> ItemCatalog.of(List.of("A", ""))).getMessage());
        assertEquals("item 0: expected a title on one line, found a line break in it",
                assertThrows(IllegalArgumentException.class, () -> ItemCatalog.of(List.of("A\nB"))).getMessage());
    }
}
