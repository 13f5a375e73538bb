package dev.latentr3.train.dataset;

import static dev.latentr3.train.dataset.RawFixture.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A raw fixture that exercises every rule of the pipeline, with outputs worked out by hand:
 * <ul>
 *   <li>users U1..U5 review items K1..K8 weekly from 2018-07-01 (hour = user number) and K9 in April/May 2018;</li>
 *   <li>window: 2018-07 … 2018-11 holds 8 items, fewer than the 9 required, so it grows once by 3 months to
 *       2018-04, where K9 joins (U1's K9 review is at exactly 2018-04-01T00:00Z: without it K9 has 4 reviews);</li>
 *   <li>window ends are included (U2's review at exactly 2018-11-01T00:00Z) and nothing outside is
 *       (U1 at 2018-03-31T23:59:59Z, U2 at 2018-11-01T00:00:01Z, user U7 in January);</li>
 *   <li>titles: K1 quoted and padded, K2 {@code <span class=} kept, K3 numeric, K4 two characters, K5 twenty words,
 *       K6 entities, K7 an entity that needs the second cleaning pass, K8 listed twice (last title wins);
 *       dropped: D1 no title, D2 {@code <span id}, D3 one character, D4 21 words by split(" "), D5 no metadata,
 *       D6 a second record without title;</li>
 *   <li>5-core: D7 has 3 reviews; U6 has 4 and goes first, which leaves D8 with 4 in the second iteration;</li>
 *   <li>U3's K6 and K5 reviews share a second; the file lists K6 first (it is the file's first line), so K6 comes
 *       first in U3's history: ties keep file order;</li>
 *   <li>U1 reviews K2, K3, K4 again in October: 12 reviews, so its last history is cut to the 10 latest;</li>
 *   <li>44 rows split 35 / 4 / 5 at int(44·0.8) and int(44·0.9).</li>
 * </ul>
 */
class PrepareDataTest {
    private static final long DAY = 86_400;
    private static final String TWENTY = "One Two Three Four Five Six Seven Eight Nine Ten Eleven Twelve Thirteen Fourteen "
            + "Fifteen Sixteen Seventeen Eighteen Nineteen Twenty";
    private static final String SPAN = "<span class=\"a-size-medium a-color-secondary a-text-normal";
    private static final PrepareData.Options OPTIONS = new PrepareData.Options("CDs_and_Vinyl", 9, 5,
            YearMonth.of(2018, 7), YearMonth.of(2018, 11), 3, 10, ZoneOffset.UTC, 42);

    @TempDir
    Path dir;
    private Path reviews;
    private Path metadata;

    private static long t(int user, int item) {
        return at("2018-07-01T00:00:00Z") + (item - 1) * 7 * DAY + user * 3600L;
    }

    private static String rating(int user, int item) {
        return (1 + (user + item) % 5) + ".0";
    }

    @BeforeEach
    void writeFixture() throws IOException {
        RawFixture f = new RawFixture();
        f.review("U3", "K6", rating(3, 6), t(3, 5));
        for (int j = 1; j <= 8; j++) {
            for (int u = 1; u <= 5; u++) if (!(u == 3 && j == 6)) f.review("U" + u, "K" + j, rating(u, j), t(u, j));
        }
        for (int j = 1; j <= 3; j++) f.review("U6", "K" + j, "5.0", at("2018-08-01T06:00:00Z") + j * 3600L);
        f.review("U6", "D8", "5.0", at("2018-08-02T00:00:00Z"));
        for (int u = 1; u <= 4; u++) f.review("U" + u, "D8", "4.0", at("2018-09-20T00:00:00Z") + u * 3600L);
        for (int u = 1; u <= 3; u++) f.review("U" + u, "D7", "4.0", at("2018-09-21T00:00:00Z") + u * 3600L);
        for (int d = 1; d <= 6; d++) {
            for (int u = 1; u <= 5; u++) f.review("U" + u, "D" + d, "3.0", at("2018-08-15T00:00:00Z") + d * DAY + u * 3600L);
        }
        f.review("U1", "K9", "5.0", at("2018-04-01T00:00:00Z"));
        for (int u = 2; u <= 5; u++) f.review("U" + u, "K9", "4.0", at("2018-05-01T00:00:00Z") + u * 3600L);
        f.review("U1", "K2", "2.0", at("2018-10-10T01:00:00Z"));
        f.review("U1", "K3", "3.0", at("2018-10-11T01:00:00Z"));
        f.review("U1", "K4", "4", at("2018-10-12T01:00:00Z")); // an integer rating, written back as 4.0
        f.review("U2", "K1", "5.0", at("2018-11-01T00:00:00Z"));
        f.review("U2", "K2", "5.0", at("2018-11-01T00:00:01Z"));
        f.review("U1", "K1", "5.0", at("2018-03-31T23:59:59Z"));
        for (int j = 1; j <= 5; j++) f.review("U7", "K" + j, "5.0", at("2018-01-0" + j + "T00:00:00Z"));
        reviews = f.writeReviews(dir.resolve("CDs_and_Vinyl.json.gz"), true);

        f.meta("K1", "  \"Kind of Blue\"  ").meta("K2", SPAN).meta("K3", "1989").meta("K4", "AB").meta("K5", TWENTY)
                .meta("K6", "&quot;Heroes&quot; &amp; Villains").meta("K7", "&amp;quot;Heroes&amp;quot;")
                .meta("K8", "Old Title").meta("K8", "New Title").meta("K9", "Spring Album")
                .meta("D1", null).meta("D2", "Live <span id=\"x\">Foo</span>").meta("D3", " \"X\" ")
                .meta("D4", TWENTY.replaceFirst(" ", "  ")).meta("D6", "Good Title").meta("D6", null)
                .meta("D7", "Rare Item").meta("D8", "Cascade Item").meta("Z9", "Never Reviewed");
        metadata = f.writeMetadata(dir.resolve("meta_CDs_and_Vinyl.json"), false);
    }

    @Test
    void writesTheCatalogAndSplitsExactly() throws IOException {
        Path out = dir.resolve("out");
        PrepareData.Result result = PrepareData.run(reviews, metadata, out, OPTIONS);
        assertEquals(new PrepareData.Result("CDs_and_Vinyl_5_2018-4-2018-11", YearMonth.of(2018, 4), YearMonth.of(2018, 11),
                9, 5, 35, 4, 5), result);

        try (var files = Files.list(out)) { // atomic writes leave no temporary files behind
            assertEquals(Set.of("info.txt", "train.csv", "valid.csv", "test.csv"),
                    files.map(p -> p.getFileName().toString()).collect(Collectors.toSet()));
        }

        // First use in the file: K6 K1 K2 K3 K4 K5 K7 K8 K9; Python's random.seed(42) shuffle of 9 gives
        // [3, 6, 7, 4, 8, 2, 5, 0, 1], i.e. ids K3 K7 K8 K4 K9 K2 K5 K6 K1.
        DatasetLayout layout = new DatasetLayout(out);
        ItemCatalog catalog = layout.readCatalog();
        assertEquals(List.of("1989", "Heroes", "New Title", "AB", "Spring Album", SPAN, TWENTY, "Heroes\" & Villains",
                "Kind of Blue"), catalog.titles());

        String h5 = "K9 K1 K2 K3 K4";
        List<String> train = new ArrayList<>();
        for (String target : List.of("K1", "K2", "K3", "K4")) {
            String history = h5.substring(0, h5.indexOf(target) < 0 ? h5.length() : h5.indexOf(target)).trim();
            for (int u = 1; u <= 5; u++) train.add("U" + u + ": " + history + " > " + target);
        }
        train.addAll(List.of("U1: " + h5 + " > K5", "U2: " + h5 + " > K5", "U3: " + h5 + " > K6", "U3: " + h5 + " K6 > K5",
                "U4: " + h5 + " > K5", "U5: " + h5 + " > K5"));
        for (int u : new int[] {1, 2, 4, 5}) train.add("U" + u + ": " + h5 + " K5 > K6");
        for (int u = 1; u <= 5; u++) train.add("U" + u + ": " + h5 + (u == 3 ? " K6 K5" : " K5 K6") + " > K7");
        assertEquals(train, compact(layout.read(DatasetLayout.TRAIN, catalog)));

        assertEquals(List.of("U1: " + h5 + " K5 K6 K7 > K8", "U2: " + h5 + " K5 K6 K7 > K8", "U3: " + h5 + " K6 K5 K7 > K8",
                "U4: " + h5 + " K5 K6 K7 > K8"), compact(layout.read(DatasetLayout.VALID, catalog)));

        List<Interaction> test = layout.read(DatasetLayout.TEST, catalog);
        assertEquals(List.of("U5: " + h5 + " K5 K6 K7 > K8", "U1: " + h5 + " K5 K6 K7 K8 > K2", "U1: " + h5 + " K5 K6 K7 K8 K2 > K3",
                "U1: K1 K2 K3 K4 K5 K6 K7 K8 K2 K3 > K4", "U2: " + h5 + " K5 K6 K7 K8 > K1"), compact(test));

        // The row whose history was cut to the 10 latest items, every field.
        List<Long> times = new ArrayList<>();
        for (int j = 1; j <= 8; j++) times.add(t(1, j));
        times.add(at("2018-10-10T01:00:00Z"));
        times.add(at("2018-10-11T01:00:00Z"));
        assertEquals(new Interaction("U1", List.of("K1", "K2", "K3", "K4", "K5", "K6", "K7", "K8", "K2", "K3"), "K4",
                List.of(8, 5, 0, 3, 6, 7, 1, 2, 5, 0), 3,
                List.of("Kind of Blue", SPAN, "1989", "AB", TWENTY, "Heroes\" & Villains", "Heroes", "New Title", SPAN, "1989"),
                "AB", List.of(3.0, 4.0, 5.0, 1.0, 2.0, 3.0, 4.0, 5.0, 2.0, 3.0), 4.0, times, at("2018-10-12T01:00:00Z")),
                test.get(3));
    }

    @Test
    void stopsWithAClearErrorWhenNoWindowHoldsEnoughItems() {
        PrepareData.Options tooMany = new PrepareData.Options("CDs_and_Vinyl", 10, 5, YearMonth.of(2018, 7),
                YearMonth.of(2018, 11), 3, 10, ZoneOffset.UTC, 42);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> PrepareData.run(reviews, metadata, dir.resolve("none"), tooMany));
        // 2018-07, -04, -01: the third window holds U7's January reviews, yet K1..K9 are still all there is.
        assertTrue(e.getMessage().startsWith("prepare-data: only 9 items survive 5-core filtering with the window 2018-01 … 2018-11"),
                e.getMessage());
        assertTrue(Files.notExists(dir.resolve("none")), "nothing is written when the run fails");
    }

    @Test
    void reportsEveryMalformedRawLine() throws IOException {
        Path bad = new RawFixture()
                .review("U1", "K1", "5.0", 1)
                .rawReview("{\"reviewerID\": \"U2\", \"asin\": \"K1\", \"overall\": 5.0, \"unixReviewTime\": 1")
                .rawReview("{\"asin\": \"K1\", \"overall\": 5.0, \"unixReviewTime\": 1}")
                .rawReview("{\"reviewerID\": \"U3\", \"asin\": \"K1\", \"overall\": \"5\", \"unixReviewTime\": \"1\"}")
                .rawReview("[1, 2]")
                .writeReviews(dir.resolve("bad.json"), false);
        DataFileException e = assertThrows(DataFileException.class, () -> PrepareData.run(bad, metadata, dir.resolve("x"), OPTIONS));
        String f = bad.toString();
        // The JSON parser's own wording is its business; the position (file line, column in it) is ours to give.
        assertTrue(e.problems().getFirst().startsWith(f + ":2: invalid JSON at line 1, column 71: expected "), e.problems().getFirst());
        assertEquals(List.of(
                f + ":3: reviewerID: expected a string, found no such field",
                f + ":4: overall: expected a number, found the string \"5\"",
                f + ":4: unixReviewTime: expected an integer (Unix seconds), found the string \"1\"",
                f + ":5: expected a JSON object, found an array"), e.problems().subList(1, 5));

        Path badMeta = new RawFixture().meta("K1", "Fine").rawMeta("{\"asin\": \"K2\", \"title\": 7}")
                .writeMetadata(dir.resolve("bad_meta.json.gz"), true);
        e = assertThrows(DataFileException.class, () -> PrepareData.run(reviews, badMeta, dir.resolve("x"), OPTIONS));
        assertEquals(List.of(badMeta + ":2: title: expected a string, found 7"), e.problems());
    }

    private static List<String> compact(List<Interaction> rows) {
        return rows.stream().map(r -> r.userId() + ": " + String.join(" ", r.historyAsins()) + " > " + r.targetAsin()).toList();
    }
}
