package dev.latentr3.train.dataset;

import java.nio.file.Path;
import java.util.List;

/**
 * Where a dataset's files live in its folder: {@code info.txt} (the catalog) and {@code train.csv},
 * {@code valid.csv}, {@code test.csv} (the splits), the layout of {@code shared/data/amazon-cds-2018}. Both
 * {@link PrepareData} and {@link SyntheticDataset} write it, so every command reads one layout.
 */
public record DatasetLayout(Path dir) {
    public static final String TRAIN = "train";
    public static final String VALID = "valid";
    public static final String TEST = "test";

    public Path info() {
        return dir.resolve("info.txt");
    }

    /** The CSV file of a split, e.g. {@code split(VALID)} → {@code valid.csv}. */
    public Path split(String name) {
        return dir.resolve(name + ".csv");
    }

    public ItemCatalog readCatalog() {
        return ItemCatalog.read(info());
    }

    /** Reads a split and checks its ids and titles against the catalog. */
    public List<Interaction> read(String split, ItemCatalog catalog) {
        return RecCsvReader.read(split(split), catalog);
    }

    /** Writes the catalog and the three splits, each file atomically. */
    public void write(ItemCatalog catalog, List<Interaction> train, List<Interaction> valid, List<Interaction> test) {
        catalog.write(info());
        RecCsvWriter.write(split(TRAIN), train);
        RecCsvWriter.write(split(VALID), valid);
        RecCsvWriter.write(split(TEST), test);
    }
}
