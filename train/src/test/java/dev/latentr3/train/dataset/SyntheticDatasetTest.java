package dev.latentr3.train.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticDatasetTest {
    private static final Pattern TITLE = Pattern.compile("(.+) Vol\\. (\\d+) \\((\\w+), (\\w+)\\)");
    private static final List<String> FILES = List.of("info.txt", "train.csv", "valid.csv", "test.csv");

    @TempDir
    Path dir;

    /** A title split into its parts, parsed from the text alone. */
    private record Parsed(String series, int volume, String category, String attribute) {
        static Parsed of(String title) {
            Matcher m = TITLE.matcher(title);
            assertTrue(m.matches(), "not a synthetic title: " + title);
            return new Parsed(m.group(1), Integer.parseInt(m.group(2)), m.group(3), m.group(4));
        }
    }

    @Test
    void sameSeedSameBytesOtherSeedOtherData() throws IOException {
        SyntheticDataset.Options options = SyntheticDataset.Options.of(300, 40, 7);
        SyntheticDataset.write(options, dir.resolve("a"));
        SyntheticDataset.write(options, dir.resolve("b"));
        SyntheticDataset.write(SyntheticDataset.Options.of(300, 40, 8), dir.resolve("c"));
        for (String f : FILES) {
            assertArrayEquals(Files.readAllBytes(dir.resolve("a").resolve(f)), Files.readAllBytes(dir.resolve("b").resolve(f)), f);
            assertFalse(Arrays.equals(Files.readAllBytes(dir.resolve("a").resolve(f)), Files.readAllBytes(dir.resolve("c").resolve(f))), f);
        }
    }

    @Test
    void everyRowFollowsTheRuleAndReadsBack() {
        SyntheticDataset.Options options = new SyntheticDataset.Options(500, 120, 5, 1, 10, 6, 6, 4, 3);
        SyntheticDataset.Generated generated = SyntheticDataset.write(options, dir);
        DatasetLayout layout = new DatasetLayout(dir);
        ItemCatalog catalog = layout.readCatalog();
        assertEquals(generated.catalog().titles(), catalog.titles());
        assertEquals(504, catalog.size(), "500 items rounded up to whole series of 6 volumes x 4 attributes");
        assertEquals(catalog.size(), catalog.idsByTitle().size(), "synthetic titles are unique");

        List<Interaction> rows = new ArrayList<>();
        for (String split : List.of(DatasetLayout.TRAIN, DatasetLayout.VALID, DatasetLayout.TEST)) rows.addAll(layout.read(split, catalog));
        assertEquals(generated.rows(), rows, "the splits are the generated rows in time order");
        assertEquals(600, rows.size());
        assertEquals(120, rows.stream().map(Interaction::userId).distinct().count());

        int lastIsDominant = 0;
        int majority = 0;
        for (Interaction row : rows) {
            assertTrue(row.historyLength() >= 1 && row.historyLength() <= 10);
            assertEquals(expectedNext(row.historyTitles()), row.targetTitle(), row.toString());
            assertEquals(row.historyLength(), new HashSet<>(row.historyItemIds()).size(), "history items are distinct");
            assertFalse(row.historyItemIds().contains(row.targetItemId()), "the target is not in the history");
            for (int j = 0; j < row.historyLength(); j++) {
                assertTrue(row.historyTimestamps().get(j) < (j + 1 < row.historyLength() ? row.historyTimestamps().get(j + 1) : row.targetTimestamp()));
            }
            String dominant = Parsed.of(row.targetTitle()).category();
            if (Parsed.of(row.historyTitles().getLast()).category().equals(dominant)) lastIsDominant++;
            long count = row.historyTitles().stream().filter(t -> Parsed.of(t).category().equals(dominant)).count();
            if (2 * count > row.historyLength()) majority++;
        }
        // Shortcuts fail often: the last item is often of another category, and the winner often has no majority.
        assertTrue(lastIsDominant < 0.7 * rows.size(), "last item of the dominant category in " + lastIsDominant + " rows");
        assertTrue(majority < 0.8 * rows.size(), "a majority (not just a plurality) in " + majority + " rows");
    }

    /** The documented rule, from titles alone. */
    private static String expectedNext(List<String> history) {
        List<Parsed> items = history.stream().map(Parsed::of).toList();
        Map<String, Integer> counts = new HashMap<>();
        for (Parsed p : items) counts.merge(p.category(), 1, Integer::sum);
        int best = counts.values().stream().max(Integer::compare).orElseThrow();
        List<String> winners = counts.entrySet().stream().filter(e -> e.getValue() == best).map(Map.Entry::getKey).toList();
        assertEquals(1, winners.size(), "the most frequent category must be unique in " + history);
        Parsed anchor = null;
        for (Parsed p : items) if (p.category().equals(winners.getFirst())) anchor = p;
        return anchor.series() + " Vol. " + (anchor.volume() + 1) + " (" + anchor.category() + ", " + items.getLast().attribute() + ")";
    }

    @Test
    void refusesOptionsItCannotHonour() {
        assertEquals("synthetic dataset: expected maxHistory >= minHistory (3), found 2", assertThrows(IllegalArgumentException.class,
                () -> new SyntheticDataset.Options(100, 10, 1, 3, 2, 6, 6, 4, 1)).getMessage());
        assertEquals("synthetic dataset: expected categories in 2..12, found 13", assertThrows(IllegalArgumentException.class,
                () -> new SyntheticDataset.Options(100, 10, 1, 3, 5, 13, 6, 4, 1)).getMessage());
        IllegalArgumentException tooSmall = assertThrows(IllegalArgumentException.class,
                () -> SyntheticDataset.generate(new SyntheticDataset.Options(1, 1, 1, 30, 30, 2, 2, 1, 1)));
        assertTrue(tooSmall.getMessage().contains("cannot draw 30 distinct history items"), tooSmall.getMessage());
    }
}
