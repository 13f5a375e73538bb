package dev.latentr3.train.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads the reference pipeline's real CDs files; expected counts are those stated in shared/data's README and the
 * method doc §5.4, written there from the reference's own files.
 */
class RealCdsDataTest {
    private static ItemCatalog catalog;
    private static List<Interaction> valid;

    @TempDir
    Path dir;

    @BeforeAll
    static void read() {
        Assumptions.assumeTrue(SharedData.cdsPresent(), SharedData.ABSENT);
        catalog = ItemCatalog.read(SharedData.cdsDir().resolve("info.txt"));
        valid = RecCsvReader.read(SharedData.cdsDir().resolve("valid.csv"), catalog);
    }

    @Test
    void catalogKeepsEveryItemAndItsQuirks() {
        assertEquals(5841, catalog.size());
        long sharedTitles = catalog.idsByTitle().values().stream().filter(ids -> ids.size() > 1).count();
        long itemsWithSharedTitles = catalog.idsByTitle().values().stream().filter(ids -> ids.size() > 1).mapToInt(List::size).sum();
        assertEquals(185, sharedTitles);
        assertEquals(649, itemsWithSharedTitles);
        assertEquals(54, catalog.idsWithTitle("Greatest Hits").size());
        assertEquals(33, catalog.idsWithTitle("The Definitive Collection").size());
        assertEquals(29, catalog.idsWithTitle("<span class=\"a-size-medium a-color-secondary a-text-normal").size());
        assertEquals(19, catalog.titles().stream().filter(t -> t.matches("[0-9.]+")).count());
        // Numeric titles stay strings (a type-inferring reader would turn "3.0" into a float).
        assertEquals(List.of(3383, 3406), catalog.idsWithTitle("90125"));
        assertEquals(List.of(1162), catalog.idsWithTitle("3.0"));
    }

    @Test
    void validSplitReadsWholeAndMatchesTheCatalog() {
        assertEquals(6156, valid.size());
        assertEquals(1907, valid.stream().map(Interaction::userId).distinct().count());
        assertEquals(LocalDate.of(2017, 9, 6), day(valid.getFirst().targetTimestamp()));
        assertEquals(LocalDate.of(2018, 2, 9), day(valid.getLast().targetTimestamp()));
        assertTrue(valid.stream().allMatch(r -> r.historyLength() >= 1 && r.historyLength() <= 10));
        Interaction first = valid.getFirst();
        assertEquals(List.of("Freaks of Nature", "Kansas"), first.historyTitles());
        assertEquals("Point of Know Return", first.targetTitle());
        assertEquals(1381, first.targetItemId());
        // Titles written with double quotes inside the list, and with escaped backslashes.
        assertTrue(valid.stream().anyMatch(r -> r.historyTitles().contains("Don't Explain")));
        assertTrue(valid.stream().anyMatch(r -> r.historyTitles().contains("Earth A.D.\\Die Die My Darling")));
    }

    @Test
    void rewritingGivesTheReferenceBytes() throws IOException {
        Path csv = dir.resolve("valid.csv");
        RecCsvWriter.write(csv, valid);
        assertArrayEquals(Files.readAllBytes(SharedData.cdsDir().resolve("valid.csv")), Files.readAllBytes(csv));
        Path info = dir.resolve("info.txt");
        catalog.write(info);
        assertArrayEquals(Files.readAllBytes(SharedData.cdsDir().resolve("info.txt")), Files.readAllBytes(info));
    }

    @Test
    void chronologicalSplitIntoTrainAndTest() {
        List<List<Interaction>> parts = ChronologicalSplit.split(valid, 0.8);
        List<Interaction> train = parts.get(0);
        List<Interaction> test = parts.get(1);
        assertEquals(4924, train.size()); // int(6156 * 0.8)
        assertEquals(6156 - 4924, test.size());
        assertTrue(train.getLast().targetTimestamp() <= test.getFirst().targetTimestamp());
        assertEquals(valid, concat(train, test), "valid.csv is already in target-time order; the stable sort keeps it");
    }

    private static List<Interaction> concat(List<Interaction> a, List<Interaction> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    private static LocalDate day(long unixSeconds) {
        return Instant.ofEpochSecond(unixSeconds).atZone(ZoneOffset.UTC).toLocalDate();
    }
}
