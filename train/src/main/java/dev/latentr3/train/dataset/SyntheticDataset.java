package dev.latentr3.train.dataset;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A seeded synthetic dataset in the reference's formats, where the next item follows from the history by a rule that
 * takes a few steps of reasoning over the titles, so a small model can learn it from text alone and a model that
 * learned it is measurably better than one that only copies the last item.
 *
 * <p><b>Catalog.</b> Series (an adjective and a noun, e.g. "Midnight Echoes") each belong to one category (a music
 * genre); every series has volumes 1..V, and every volume exists in each of A attributes (edition styles). An item
 * is one (series, volume, attribute), titled {@code "Midnight Echoes Vol. 3 (Jazz, Live)"}. Item ids are a seeded
 * shuffle, so ids carry no structure.
 *
 * <p><b>The rule.</b> Given the history titles, oldest first:
 * <ol>
 *   <li>the <i>dominant category</i> is the category that occurs most often in the history (always unique);</li>
 *   <li>the <i>anchor</i> is the most recent history item of the dominant category — series S, volume v (always
 *       below V);</li>
 *   <li>the next item is series S, volume v + 1, in the category of S, with the attribute of the <i>most recent</i>
 *       history item (whatever its category).</li>
 * </ol>
 * It needs counting (step 1), a search back through the history (step 2), an increment (step 3) and a copy from a
 * different item than the anchor. Shortcuts fail often: the last item is of the dominant category only in some rows,
 * the dominant category has a plurality rather than a majority (with 6 categories, 3 to 5 of 10 items), and other
 * items of the same category come from other series and volumes.
 *
 * <p><b>Rows.</b> Each user gets {@code rowsPerUser} independent rows (the user id only groups them, as in the
 * reference a user has several rows) with history lengths uniform in [minHistory, maxHistory], day-granular
 * timestamps increasing per user, history items distinct and never the target. Rows are split 80 / 10 / 10 by target
 * time like the real data. The same options and seed give byte-identical files.
 */
public final class SyntheticDataset {
    static final List<String> CATEGORIES = List.of("Jazz", "Rock", "Blues", "Folk", "Soul", "Metal", "Reggae", "Funk",
            "Country", "Gospel", "Disco", "Techno");
    static final List<String> ATTRIBUTES = List.of("Live", "Acoustic", "Remastered", "Deluxe", "Instrumental",
            "Unplugged", "Mono", "Extended");
    private static final List<String> ADJECTIVES = List.of("Midnight", "Golden", "Silver", "Electric", "Velvet",
            "Crimson", "Hollow", "Neon", "Silent", "Wild", "Broken", "Distant", "Burning", "Frozen", "Hidden", "Lonely",
            "Restless", "Scarlet", "Shadow", "Sunny", "Twilight", "Wandering", "Northern", "Endless");
    private static final List<String> NOUNS = List.of("Echoes", "Rivers", "Highways", "Dreams", "Hearts", "Roads",
            "Skies", "Horizons", "Waves", "Lights", "Stories", "Gardens", "Voices", "Mirrors", "Storms", "Shores",
            "Bridges", "Fires", "Winds", "Streets", "Harbors", "Canyons", "Lanterns", "Tides");
    /** 2017-01-01T00:00Z: the synthetic timeline starts here, one review per day at most per user and row. */
    private static final long FIRST_DAY = 1_483_228_800L;
    private static final long DAY = 86_400L;

    /**
     * @param items       the least number of catalog items; the catalog is rounded up to whole series
     *                    (a multiple of volumes × attributes)
     * @param users       number of users
     * @param rowsPerUser rows per user
     * @param minHistory  shortest history (≥ 1)
     * @param maxHistory  longest history
     * @param categories  how many categories (2..12)
     * @param volumes     volumes per series (≥ 2)
     * @param attributes  attributes per volume (1..8)
     * @param seed        the seed; equal options and seed give equal files
     */
    public record Options(int items, int users, int rowsPerUser, int minHistory, int maxHistory, int categories,
                          int volumes, int attributes, long seed) {
        public Options {
            require(items >= 1, "items >= 1", items);
            require(users >= 1, "users >= 1", users);
            require(rowsPerUser >= 1, "rowsPerUser >= 1", rowsPerUser);
            require(minHistory >= 1, "minHistory >= 1", minHistory);
            require(maxHistory >= minHistory, "maxHistory >= minHistory (" + minHistory + ")", maxHistory);
            require(categories >= 2 && categories <= CATEGORIES.size(), "categories in 2.." + CATEGORIES.size(), categories);
            require(volumes >= 2, "volumes >= 2", volumes);
            require(attributes >= 1 && attributes <= ATTRIBUTES.size(), "attributes in 1.." + ATTRIBUTES.size(), attributes);
            int series = seriesCount(items, categories, volumes, attributes);
            require(series <= ADJECTIVES.size() * NOUNS.size(), "at most " + ADJECTIVES.size() * NOUNS.size()
                    + " series (items / (volumes × attributes))", series);
        }

        /** Defaults: 6 categories, 6 volumes, 4 attributes, 5 rows per user, histories of 3..10 items. */
        public static Options of(int items, int users, long seed) {
            return new Options(items, users, 5, 3, 10, 6, 6, 4, seed);
        }

        private static void require(boolean ok, String expected, int found) {
            if (!ok) throw new IllegalArgumentException("synthetic dataset: expected " + expected + ", found " + found);
        }
    }

    /** A generated dataset: the catalog and all rows in target-time order. */
    public record Generated(ItemCatalog catalog, List<Interaction> rows) {}

    private record Item(int series, int volume, int attribute) {}

    private final Options options;
    private final SplittableRandom random;
    private final List<String> seriesNames;
    private final int[][][] idOf; // [series][volume - 1][attribute]
    private final List<String> titles;

    private SyntheticDataset(Options options) {
        this.options = options;
        this.random = new SplittableRandom(options.seed());
        int series = seriesCount(options.items(), options.categories(), options.volumes(), options.attributes());
        List<String> names = new ArrayList<>();
        for (String adjective : ADJECTIVES) for (String noun : NOUNS) names.add(adjective + " " + noun);
        shuffle(names);
        this.seriesNames = List.copyOf(names.subList(0, series));
        List<Item> items = new ArrayList<>();
        for (int s = 0; s < series; s++) {
            for (int v = 1; v <= options.volumes(); v++) for (int a = 0; a < options.attributes(); a++) items.add(new Item(s, v, a));
        }
        shuffle(items);
        idOf = new int[series][options.volumes()][options.attributes()];
        String[] byId = new String[items.size()];
        for (int id = 0; id < items.size(); id++) {
            Item it = items.get(id);
            idOf[it.series()][it.volume() - 1][it.attribute()] = id;
            byId[id] = title(it);
        }
        this.titles = List.of(byId);
    }

    public static Generated generate(Options options) {
        return new SyntheticDataset(options).rows();
    }

    /** Generates and writes {@link DatasetLayout} files into {@code dir}; returns what was written. */
    public static Generated write(Options options, Path dir) {
        Generated g = generate(options);
        List<List<Interaction>> parts = ChronologicalSplit.split(g.rows(), 0.8, 0.9);
        new DatasetLayout(dir).write(g.catalog(), parts.get(0), parts.get(1), parts.get(2));
        return g;
    }

    private Generated rows() {
        List<Interaction> rows = new ArrayList<>();
        long span = Math.max(30, 2L * options.rowsPerUser() * (options.maxHistory() + 1));
        for (int u = 0; u < options.users(); u++) {
            String user = "SU%08d".formatted(u);
            long[] days = new long[options.rowsPerUser()];
            for (int r = 0; r < days.length; r++) days[r] = options.maxHistory() + random.nextLong(span);
            Arrays.sort(days);
            for (long day : days) rows.add(row(user, FIRST_DAY + day * DAY));
        }
        return new Generated(ItemCatalog.of(titles), ChronologicalSplit.byTargetTime(rows));
    }

    private Interaction row(String user, long targetTime) {
        for (int attempt = 0; attempt < 1000; attempt++) {
            Interaction it = tryRow(user, targetTime);
            if (it != null) return it;
        }
        throw new IllegalArgumentException("synthetic dataset: cannot draw " + options.maxHistory() + " distinct history items "
                + "around a target from a catalog of " + titles.size() + " items; expected a larger catalog or shorter histories");
    }

    /** One row following the rule, or null when the draw repeated an item (the caller draws again). */
    private Interaction tryRow(String user, long targetTime) {
        int length = options.minHistory() + random.nextInt(options.maxHistory() - options.minHistory() + 1);
        int dominant = random.nextInt(options.categories());
        int[] category = historyCategories(length, dominant);
        Item[] history = new Item[length];
        int anchor = -1;
        for (int j = length - 1; j >= 0 && anchor < 0; j--) if (category[j] == dominant) anchor = j;
        for (int j = 0; j < length; j++) {
            int maxVolume = j == anchor ? options.volumes() - 1 : options.volumes();
            history[j] = new Item(seriesOf(category[j]), 1 + random.nextInt(maxVolume), random.nextInt(options.attributes()));
        }
        Item target = new Item(history[anchor].series(), history[anchor].volume() + 1, history[length - 1].attribute());
        Set<Item> seen = new HashSet<>(Arrays.asList(history));
        if (seen.size() < length || seen.contains(target)) return null;

        List<String> asins = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        List<String> historyTitles = new ArrayList<>();
        List<Double> ratings = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        for (int j = 0; j < length; j++) {
            int id = id(history[j]);
            asins.add(asin(id));
            ids.add(id);
            historyTitles.add(titles.get(id));
            ratings.add(rating());
            times.add(targetTime - (long) (length - j) * DAY);
        }
        int targetId = id(target);
        return new Interaction(user, asins, asin(targetId), ids, targetId, historyTitles, titles.get(targetId), ratings,
                rating(), times, targetTime);
    }

    /**
     * Categories of the history slots in a random order: {@code k} of the dominant one and the rest from the other
     * categories, each fewer than {@code k} times, so the dominant category is the unique most frequent. {@code k}
     * is the least count that allows this, or up to two more, so the dominance is usually a bare plurality.
     */
    private int[] historyCategories(int length, int dominant) {
        int others = options.categories() - 1;
        int least = 1;
        while (others * (least - 1) < length - least) least++;
        int k = Math.min(length, least + random.nextInt(3));
        int[] uses = new int[options.categories()];
        int[] category = new int[length];
        for (int j = 0; j < k; j++) category[j] = dominant;
        for (int j = k; j < length; j++) {
            int c;
            do {
                c = random.nextInt(options.categories());
            } while (c == dominant || uses[c] >= k - 1);
            uses[c]++;
            category[j] = c;
        }
        for (int j = length - 1; j > 0; j--) { // Fisher–Yates
            int r = random.nextInt(j + 1);
            int t = category[j];
            category[j] = category[r];
            category[r] = t;
        }
        return category;
    }

    /** A random series of the category; series {@code s} has category {@code s mod categories}. */
    private int seriesOf(int category) {
        int perCategory = (seriesNames.size() - category + options.categories() - 1) / options.categories();
        return category + options.categories() * random.nextInt(perCategory);
    }

    private double rating() {
        return 3 + random.nextInt(3);
    }

    private int id(Item item) {
        return idOf[item.series()][item.volume() - 1][item.attribute()];
    }

    private String title(Item item) {
        return seriesNames.get(item.series()) + " Vol. " + item.volume() + " ("
                + CATEGORIES.get(item.series() % options.categories()) + ", " + ATTRIBUTES.get(item.attribute()) + ")";
    }

    private static String asin(int id) {
        return "S%09d".formatted(id);
    }

    private <T> void shuffle(List<T> list) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            list.set(i, list.set(j, list.get(i)));
        }
    }

    static int seriesCount(int items, int categories, int volumes, int attributes) {
        int perSeries = volumes * attributes;
        return Math.max(categories, (items + perSeries - 1) / perSeries);
    }
}
