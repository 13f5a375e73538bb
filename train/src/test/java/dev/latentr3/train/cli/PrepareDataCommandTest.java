package dev.latentr3.train.cli;

import dev.latentr3.train.dataset.PrepareData;
import dev.latentr3.train.dataset.RawFixture;
import dev.latentr3.train.dataset.SyntheticDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** prepare-data writes exactly what the library calls write, for both sources, and refuses bad configs by key. */
class PrepareDataCommandTest {
    /** The documented config shipped with the project (tests run in the train module's folder). */
    private static final Path SHIPPED = Path.of("..", "configs", "prepare-data.yaml");
    private static final List<String> FILES = List.of("info.txt", "train.csv", "valid.csv", "test.csv");

    @TempDir
    Path tmp;

    private static void assertSameFiles(Path expected, Path actual) throws IOException {
        for (String f : FILES) {
            assertArrayEquals(Files.readAllBytes(expected.resolve(f)), Files.readAllBytes(actual.resolve(f)), f);
        }
    }

    @Test
    void syntheticFromTheShippedConfigMatchesTheGenerator() throws IOException {
        Path out = tmp.resolve("synthetic");
        CliRun r = CliRun.of("prepare-data", "--config", SHIPPED.toString(), "--set", "out=" + out,
                "--set", "synthetic.items=100", "--set", "synthetic.users=20", "--set", "synthetic.seed=5");
        assertEquals(0, r.status(), r.err());
        Path expected = tmp.resolve("expected");
        SyntheticDataset.write(new SyntheticDataset.Options(100, 20, 5, 3, 10, 6, 6, 4, 5), expected);
        assertSameFiles(expected, out);
        assertTrue(r.out().startsWith("prepare-data: wrote " + out + ": synthetic dataset (seed 5), 144 items, 20 users, "
                + "rows train 80 / valid 10 / test 10"), r.out());
    }

    /** 6 users review 7 titled items weekly; D1 (3 reviews) falls to the 5-core, D2 has no title. */
    private Path[] rawFiles() throws IOException {
        RawFixture f = new RawFixture();
        long start = RawFixture.at("2018-07-02T00:00:00Z");
        for (int j = 1; j <= 7; j++) {
            for (int u = 1; u <= 6; u++) f.review("U" + u, "K" + j, (1 + (u + j) % 5) + ".0", start + (j * 7L * 24 + u) * 3600);
            f.meta("K" + j, "Album " + j);
        }
        for (int u = 1; u <= 3; u++) f.review("U" + u, "D1", "4.0", start + (60L * 24 + u) * 3600);
        for (int u = 1; u <= 6; u++) f.review("U" + u, "D2", "4.0", start + (61L * 24 + u) * 3600);
        f.meta("D1", "Rare").meta("D2", null);
        return new Path[] {f.writeReviews(tmp.resolve("reviews.json.gz"), true), f.writeMetadata(tmp.resolve("meta.json"), false)};
    }

    @Test
    void amazonFromAConfigFileMatchesThePipeline() throws IOException {
        Path[] raw = rawFiles();
        // Relative paths in the file resolve against the file's folder (tmp), not the working directory.
        Path config = Files.writeString(tmp.resolve("prep.yaml"), """
                source: amazon
                out: data/cds
                amazon:
                  reviews: reviews.json.gz
                  metadata: meta.json
                  min_items: 7
                  start: 2018-07
                """);
        CliRun r = CliRun.of("prepare-data", "--config", config.toString());
        assertEquals(0, r.status(), r.err());
        Path expected = tmp.resolve("expected");
        PrepareData.run(raw[0], raw[1], expected, new PrepareData.Options("CDs_and_Vinyl", 7, 5, YearMonth.of(2018, 7),
                YearMonth.of(2018, 11), 3, 10, ZoneOffset.UTC, 42));
        assertSameFiles(expected, tmp.resolve("data/cds"));
        assertEquals("prepare-data: wrote " + tmp.resolve("data/cds") + ": dataset CDs_and_Vinyl_5_2018-7-2018-11 "
                + "(window 2018-07 … 2018-11), 7 items, 6 users, rows train 28 / valid 4 / test 4", r.out().strip());

        CliRun tooFew = CliRun.of("prepare-data", "--config", config.toString(), "--set", "amazon.min_items=8");
        assertEquals(Main.FAILURE, tooFew.status());
        assertTrue(tooFew.err().startsWith("latentr3 prepare-data: prepare-data: only 7 items survive 5-core filtering"), tooFew.err());
    }

    @Test
    void badConfigsFailNamingTheKey() throws IOException {
        String out = "out=" + tmp.resolve("x");
        assertFailure("latentr3 prepare-data: command line: unknown key (nothing reads it): synthetic.itemz "
                + "(did you mean synthetic.items?) (from --set synthetic.itemz=5)", "--set", out, "--set", "synthetic.itemz=5");
        assertFailure("latentr3 prepare-data: command line: synthetic.categories: expected a whole number in [2, 12], got 20 "
                + "(from --set synthetic.categories=20)", "--set", out, "--set", "synthetic.categories=20");
        assertFailure("latentr3 prepare-data: command line: synthetic: synthetic dataset: expected maxHistory >= minHistory (5), found 4",
                "--set", out, "--set", "synthetic.min_history=5", "--set", "synthetic.max_history=4");
        assertFailure("latentr3 prepare-data: command line: out: expected the folder to write the dataset into, got nothing "
                + "(add out: DIR, or --set out=DIR)");
        assertFailure("latentr3 prepare-data: command line: amazon.reviews: expected the raw reviews file (JSON lines, may be .gz) "
                + "for source: amazon, got nothing", "--set", out, "--set", "source=amazon");
        assertFailure("latentr3 prepare-data: command line: amazon.start: expected a month as YYYY-MM, got '2018-13'",
                "--set", out, "--set", "amazon.start=2018-13");
        assertFailure("latentr3 prepare-data: command line: source: expected one of synthetic, amazon, got 'amazn' (a string) "
                + "(did you mean amazon?) (from --set source=amazn)", "--set", out, "--set", "source=amazn");
        Path broken = Files.writeString(tmp.resolve("broken.yaml"), "source: synthetic\nout: [\n");
        CliRun r = CliRun.of("prepare-data", "--config", broken.toString());
        assertEquals(Main.FAILURE, r.status());
        assertTrue(r.err().startsWith("latentr3 prepare-data: " + broken + ": YAML syntax error at line 3"), r.err());
        CliRun.of("prepare-data", "--set", "out").assertUsageError("--set needs key=value");
        assertTrue(Files.notExists(tmp.resolve("x")), "nothing is written when the config is refused");
    }

    private static void assertFailure(String expectedErr, String... args) {
        String[] argv = new String[args.length + 1];
        argv[0] = "prepare-data";
        System.arraycopy(args, 0, argv, 1, args.length);
        CliRun r = CliRun.of(argv);
        assertEquals(Main.FAILURE, r.status(), r.err());
        assertEquals(expectedErr, r.err().strip());
    }
}
