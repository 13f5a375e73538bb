package dev.latentr3.train.pipeline;

import dev.latentr3.train.dataset.ChronologicalSplit;
import dev.latentr3.train.dataset.DatasetLayout;
import dev.latentr3.train.dataset.Interaction;
import dev.latentr3.train.dataset.ItemCatalog;
import dev.latentr3.train.dataset.RecCsvReader;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

/** A dataset as the stages use it: the catalog and the train, validation and test rows. */
public record DatasetSplits(ItemCatalog catalog, List<Interaction> train, List<Interaction> valid, List<Interaction> test) {
    public DatasetSplits {
        train = List.copyOf(train);
        valid = List.copyOf(valid);
        test = List.copyOf(test);
    }

    /** The three splits of a {@link DatasetLayout} folder (what prepare-data and the synthetic generator write). */
    public static DatasetSplits read(DatasetLayout layout) {
        ItemCatalog catalog = layout.readCatalog();
        return new DatasetSplits(catalog, layout.read(DatasetLayout.TRAIN, catalog), layout.read(DatasetLayout.VALID, catalog),
                layout.read(DatasetLayout.TEST, catalog));
    }

    /**
     * One CSV file split by target time into train / valid / test at the fractions {@code trainEnd} and
     * {@code validEnd} (the reference's global temporal split), after keeping only the rows of {@code maxUsers}
     * users drawn with {@code seed} (0: all users).
     */
    public static DatasetSplits splitOne(Path info, Path csv, double trainEnd, double validEnd, int maxUsers, long seed) {
        ItemCatalog catalog = ItemCatalog.read(info);
        List<Interaction> rows = RecCsvReader.read(csv, catalog);
        if (maxUsers > 0) rows = sampleUsers(rows, maxUsers, seed);
        List<List<Interaction>> parts = ChronologicalSplit.split(rows, trainEnd, validEnd);
        for (int i = 0; i < 3; i++) {
            if (parts.get(i).isEmpty()) {
                throw new IllegalArgumentException(csv + ": the " + List.of("train", "valid", "test").get(i) + " part of "
                        + rows.size() + " rows split at " + trainEnd + " / " + validEnd + " is empty; expected more rows");
            }
        }
        return new DatasetSplits(catalog, parts.get(0), parts.get(1), parts.get(2));
    }

    /** The rows of {@code n} users drawn without replacement (users sorted by id first, so the draw is reproducible). */
    static List<Interaction> sampleUsers(List<Interaction> rows, int n, long seed) {
        List<String> users = new ArrayList<>(new TreeSet<>(rows.stream().map(Interaction::userId).toList()));
        if (n >= users.size()) return rows;
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = users.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            users.set(i, users.set(j, users.get(i)));
        }
        var kept = new LinkedHashSet<>(users.subList(0, n));
        return rows.stream().filter(r -> kept.contains(r.userId())).toList();
    }

    /** The first {@code n} rows of a split (all when n is 0 or more than there are). */
    public static List<Interaction> head(List<Interaction> rows, int n) {
        return n <= 0 || n >= rows.size() ? rows : rows.subList(0, n);
    }
}
