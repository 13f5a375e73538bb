package dev.latentr3.train.dataset;

import java.nio.file.Files;
import java.nio.file.Path;

/** The real CDs data under ../shared (surefire passes its folder as latentr3.shared); tests skip when it is absent. */
final class SharedData {
    private SharedData() {}

    static Path cdsDir() {
        String shared = System.getProperty("latentr3.shared", "../shared");
        return Path.of(shared, "data", "amazon-cds-2018");
    }

    static boolean cdsPresent() {
        return Files.isRegularFile(cdsDir().resolve("info.txt")) && Files.isRegularFile(cdsDir().resolve("valid.csv"));
    }

    static final String ABSENT = "the real CDs data (shared/data/amazon-cds-2018) is not on this machine";
}
