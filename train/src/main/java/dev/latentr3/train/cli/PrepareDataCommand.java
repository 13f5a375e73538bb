package dev.latentr3.train.cli;

import dev.latentr3.train.config.ConfigException;
import dev.latentr3.train.config.ConfigTree;
import dev.latentr3.train.dataset.ChronologicalSplit;
import dev.latentr3.train.dataset.DataFileException;
import dev.latentr3.train.dataset.Interaction;
import dev.latentr3.train.dataset.PrepareData;
import dev.latentr3.train.dataset.SyntheticDataset;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;

/**
 * {@code latentr3 prepare-data}: writes a dataset folder (info.txt, train.csv, valid.csv, test.csv) either from the raw
 * Amazon 2018 reviews and metadata ({@code source: amazon}, {@link PrepareData}) or from the seeded generator
 * ({@code source: synthetic}, {@link SyntheticDataset}). Every setting is in the YAML config; configs/prepare-data.yaml
 * documents each key. Both sections are read (and checked) whichever source is chosen, so one file serves both and
 * {@code --set source=amazon} switches between them.
 */
final class PrepareDataCommand {
    private PrepareDataCommand() {}

    static final String USAGE = "prepare-data [--config FILE] [--set key=value]...";

    /** The raw inputs and the pipeline options of {@code source: amazon}; files null when not given. */
    private record Amazon(Path reviews, Path metadata, PrepareData.Options options) {}

    static int run(String[] argv, InputStream in, PrintStream out, PrintStream err) {
        ConfigTree config = Args.withConfig(argv, Set.of(), Set.of()).config(null);
        String source = config.oneOf("source", "synthetic", "synthetic", "amazon");
        Path outDir = config.path("out", null);
        SyntheticDataset.Options synthetic = synthetic(config.section("synthetic"));
        Amazon amazon = amazon(config.section("amazon"));
        config.requireAllRead();
        if (outDir == null) {
            throw config.error("out", "expected the folder to write the dataset into, got nothing (add out: DIR, or --set out=DIR)");
        }
        if (source.equals("synthetic")) {
            SyntheticDataset.Generated g = SyntheticDataset.write(synthetic, outDir);
            List<List<Interaction>> parts = ChronologicalSplit.split(g.rows(), 0.8, 0.9); // as write() split them
            out.printf("prepare-data: wrote %s: synthetic dataset (seed %d), %d items, %d users, rows train %d / valid %d / test %d%n",
                    outDir, synthetic.seed(), g.catalog().size(), synthetic.users(), parts.get(0).size(), parts.get(1).size(),
                    parts.get(2).size());
            return 0;
        }
        ConfigTree section = config.section("amazon");
        if (amazon.reviews() == null) throw section.error("reviews", "expected the raw reviews file (JSON lines, may be .gz) for source: amazon, got nothing");
        if (amazon.metadata() == null) throw section.error("metadata", "expected the raw metadata file (JSON lines, may be .gz) for source: amazon, got nothing");
        PrepareData.Result r;
        try {
            r = PrepareData.run(amazon.reviews(), amazon.metadata(), outDir, amazon.options());
        } catch (IllegalStateException | DataFileException e) {
            // Too few items in every window, or malformed raw lines: the message says which and where.
            err.println("latentr3 prepare-data: " + e.getMessage());
            return Main.FAILURE;
        }
        out.printf("prepare-data: wrote %s: dataset %s (window %s … %s), %d items, %d users, rows train %d / valid %d / test %d%n",
                outDir, r.name(), r.start(), r.end(), r.items(), r.users(), r.train(), r.valid(), r.test());
        return 0;
    }

    private static SyntheticDataset.Options synthetic(ConfigTree c) {
        SyntheticDataset.Options d = SyntheticDataset.Options.of(1000, 1000, 42);
        int max = Integer.MAX_VALUE;
        try {
            return new SyntheticDataset.Options(c.intValue("items", d.items(), 1, max), c.intValue("users", d.users(), 1, max),
                    c.intValue("rows_per_user", d.rowsPerUser(), 1, max), c.intValue("min_history", d.minHistory(), 1, max),
                    c.intValue("max_history", d.maxHistory(), 1, max), c.intValue("categories", d.categories(), 2, 12),
                    c.intValue("volumes", d.volumes(), 2, max), c.intValue("attributes", d.attributes(), 1, 8),
                    c.longValue("seed", d.seed(), Long.MIN_VALUE, Long.MAX_VALUE));
        } catch (IllegalArgumentException e) { // a combination the generator refuses (e.g. max_history < min_history)
            throw sectionError(c, e);
        }
    }

    private static Amazon amazon(ConfigTree c) {
        PrepareData.Options d = PrepareData.Options.reference("CDs_and_Vinyl");
        Path reviews = c.path("reviews", null);
        Path metadata = c.path("metadata", null);
        String category = c.string("category", d.category());
        int minItems = c.intValue("min_items", d.minItems(), 1, Integer.MAX_VALUE);
        int core = c.intValue("core", d.core(), 1, Integer.MAX_VALUE);
        YearMonth start = month(c, "start", d.start());
        YearMonth end = month(c, "end", d.end());
        int step = c.intValue("step_months", d.stepMonths(), 1, 1200);
        int maxHistory = c.intValue("max_history", d.maxHistory(), 1, Integer.MAX_VALUE);
        ZoneId zone;
        String zoneName = c.string("time_zone", "UTC");
        try {
            zone = ZoneId.of(zoneName);
        } catch (DateTimeException e) {
            throw c.error("time_zone", "expected a time zone such as UTC or Europe/Berlin, got '" + zoneName + "'");
        }
        long seed = c.longValue("shuffle_seed", d.shuffleSeed(), 0, Long.MAX_VALUE);
        try {
            return new Amazon(reviews, metadata, new PrepareData.Options(category, minItems, core, start, end, step, maxHistory, zone, seed));
        } catch (IllegalArgumentException e) { // a blank category or a window that ends before it starts
            throw sectionError(c, e);
        }
    }

    /** "configs/prepare-data.yaml: synthetic: synthetic dataset: expected maxHistory >= minHistory (3), found 2". */
    private static ConfigException sectionError(ConfigTree section, IllegalArgumentException e) {
        String name = section.fullKey("");
        return new ConfigException(section.sourceName() + ": " + name.substring(0, name.length() - 1) + ": " + e.getMessage(), e);
    }

    private static YearMonth month(ConfigTree c, String key, YearMonth dflt) {
        String text = c.string(key, null);
        if (text == null) return dflt;
        try {
            return YearMonth.parse(text);
        } catch (DateTimeParseException e) {
            throw c.error(key, "expected a month as YYYY-MM, got '" + text + "'");
        }
    }
}
