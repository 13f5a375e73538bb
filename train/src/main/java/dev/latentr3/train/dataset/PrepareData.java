package dev.latentr3.train.dataset;

import java.nio.file.Path;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code prepare-data} pipeline (method doc §5.2): raw Amazon 2018 reviews + metadata → catalog and
 * train / valid / test CSV files, reproducing the reference's processing step by step:
 * <ol>
 *   <li>keep reviews with {@code start <= unixReviewTime <= end}, the bounds being month starts in a time zone;</li>
 *   <li>keep items with a usable title ({@link TitleCleaner});</li>
 *   <li>iterative 5-core on users and items ({@link FiveCore});</li>
 *   <li>if fewer than {@code minItems} items survive, move the window start back 3 months and redo all of it;</li>
 *   <li>number the surviving items by shuffling them (in order of first appearance) with Python's
 *       {@code random.seed(42)} ({@link PythonRandom}), so ids match the reference's for the same input;</li>
 *   <li>per user, sort the reviews by time (stably) and emit one row per position i ≥ 1, the history being the
 *       previous ≤ 10 items;</li>
 *   <li>split all rows 80 / 10 / 10 by target time ({@link ChronologicalSplit}).</li>
 * </ol>
 * The reference takes month starts in the machine's local time zone; here the zone is an option (UTC by default) so
 * the output does not depend on the machine.
 */
public final class PrepareData {
    /**
     * @param category     the Amazon category name, used in the dataset name (e.g. "CDs_and_Vinyl")
     * @param minItems     grow the window until at least this many items survive (5,000 in the reference)
     * @param core         the k of the k-core (5)
     * @param start        the first window start (2017-10)
     * @param end          the window end (2018-11; its first second is included)
     * @param stepMonths   how far each retry moves the start back (3)
     * @param maxHistory   the longest history (10)
     * @param zone         the time zone of the month starts
     * @param shuffleSeed  the Python seed numbering the items (42)
     */
    public record Options(String category, int minItems, int core, YearMonth start, YearMonth end, int stepMonths,
                          int maxHistory, ZoneId zone, long shuffleSeed) {
        public Options {
            Objects.requireNonNull(category, "category");
            Objects.requireNonNull(zone, "zone");
            if (category.isBlank()) throw new IllegalArgumentException("prepare-data: expected a category name, found a blank one");
            if (minItems < 1 || core < 1 || stepMonths < 1 || maxHistory < 1 || shuffleSeed < 0) {
                throw new IllegalArgumentException("prepare-data: expected minItems, core, stepMonths, maxHistory >= 1 and "
                        + "shuffleSeed >= 0, found " + minItems + ", " + core + ", " + stepMonths + ", " + maxHistory + ", " + shuffleSeed);
            }
            if (!start.isBefore(end)) throw new IllegalArgumentException("prepare-data: expected the window start " + start + " before its end " + end);
        }

        /** The reference's settings for a category: 5,000 items, 5-core, 2017-10 … 2018-11 growing by 3 months. */
        public static Options reference(String category) {
            return new Options(category, 5000, 5, YearMonth.of(2017, 10), YearMonth.of(2018, 11), 3, 10, ZoneOffset.UTC, 42);
        }
    }

    /** What was written: the dataset name (which records the final window) and the sizes. */
    public record Result(String name, YearMonth start, YearMonth end, int items, int users, int train, int valid, int test) {}

    private PrepareData() {}

    /** Runs the pipeline and writes {@link DatasetLayout} files into {@code outDir}. */
    public static Result run(Path reviewsFile, Path metadataFile, Path outDir, Options options) {
        RawReviews reviews = RawReviews.read(reviewsFile);
        RawTitles titles = RawTitles.read(metadataFile, reviews.itemIndex);
        long earliestReview = Arrays.stream(reviews.time, 0, reviews.size).min().orElse(Long.MAX_VALUE);
        long end = monthStart(options.end(), options.zone());
        YearMonth start = options.start();
        for (int attempt = 1; ; attempt++, start = start.minusMonths(options.stepMonths())) {
            long from = monthStart(start, options.zone());
            String[] title = new String[reviews.asins.size()];
            boolean[] usable = new boolean[title.length];
            for (int item = 0; item < title.length; item++) {
                title[item] = titles.title(item, attempt);
                usable[item] = title[item] != null;
            }
            int[] kept = FiveCore.survivors(reviews, from, end, usable, options.core());
            List<Integer> items = inOrderOfFirstUse(kept, reviews.item);
            if (items.size() >= options.minItems()) {
                return write(reviews, kept, items, title, start, outDir, options);
            }
            if (from <= earliestReview) {
                throw new IllegalStateException("prepare-data: only " + items.size() + " items survive " + options.core()
                        + "-core filtering with the window " + start + " … " + options.end() + ", which already holds every review of "
                        + reviewsFile + "; expected at least " + options.minItems() + " (lower the minimum number of items)");
            }
        }
    }

    private static Result write(RawReviews reviews, int[] kept, List<Integer> items, String[] title, YearMonth start,
                                Path outDir, Options options) {
        List<Integer> shuffled = new ArrayList<>(items);
        new PythonRandom(options.shuffleSeed()).shuffle(shuffled);
        int[] idOf = new int[reviews.asins.size()];
        List<String> catalogTitles = new ArrayList<>(shuffled.size());
        for (int id = 0; id < shuffled.size(); id++) {
            idOf[shuffled.get(id)] = id;
            catalogTitles.add(title[shuffled.get(id)]);
        }
        ItemCatalog catalog = ItemCatalog.of(catalogTitles);

        Map<Integer, List<Integer>> byUser = new LinkedHashMap<>(); // users in order of first surviving review
        for (int r : kept) byUser.computeIfAbsent(reviews.user[r], u -> new ArrayList<>()).add(r);
        List<Interaction> rows = new ArrayList<>();
        for (List<Integer> seq : byUser.values()) {
            seq.sort(Comparator.comparingLong(r -> reviews.time[r])); // stable: same-day reviews keep file order
            for (int i = 1; i < seq.size(); i++) {
                List<Integer> history = seq.subList(Math.max(0, i - options.maxHistory()), i);
                rows.add(row(reviews, history, seq.get(i), idOf, title));
            }
        }
        List<List<Interaction>> parts = ChronologicalSplit.split(rows, 0.8, 0.9);
        new DatasetLayout(outDir).write(catalog, parts.get(0), parts.get(1), parts.get(2));
        String name = options.category() + "_" + options.core() + "_" + start.getYear() + "-" + start.getMonthValue()
                + "-" + options.end().getYear() + "-" + options.end().getMonthValue();
        return new Result(name, start, options.end(), catalog.size(), byUser.size(),
                parts.get(0).size(), parts.get(1).size(), parts.get(2).size());
    }

    private static Interaction row(RawReviews reviews, List<Integer> history, int target, int[] idOf, String[] title) {
        List<String> asins = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        List<String> titles = new ArrayList<>();
        List<Double> ratings = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        for (int r : history) {
            int item = reviews.item[r];
            asins.add(reviews.asins.get(item));
            ids.add(idOf[item]);
            titles.add(title[item]);
            ratings.add(reviews.rating[r]);
            times.add(reviews.time[r]);
        }
        int item = reviews.item[target];
        return new Interaction(reviews.userNames.get(reviews.user[target]), asins, reviews.asins.get(item), ids,
                idOf[item], titles, title[item], ratings, reviews.rating[target], times, reviews.time[target]);
    }

    private static List<Integer> inOrderOfFirstUse(int[] rows, int[] itemOfRow) {
        List<Integer> order = new ArrayList<>();
        java.util.BitSet seen = new java.util.BitSet();
        for (int r : rows) {
            int item = itemOfRow[r];
            if (!seen.get(item)) {
                seen.set(item);
                order.add(item);
            }
        }
        return order;
    }

    static long monthStart(YearMonth month, ZoneId zone) {
        return month.atDay(1).atStartOfDay(zone).toEpochSecond();
    }
}
