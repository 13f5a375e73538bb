package dev.latentr3.train.cli;

import dev.latentr3.train.config.ConfigTree;

import java.nio.file.Files;
import java.nio.file.Path;

/** What the stage commands share in their configs. */
final class StageConfigs {
    private StageConfigs() {}

    /** configs/NAME.yaml under the working directory when it exists (run from the repository), else none. */
    static Path defaultFile(String name) {
        Path p = Path.of("configs", name + ".yaml");
        return Files.isRegularFile(p) ? p : null;
    }

    /** {@code out}: the folder the stage writes, required. */
    static Path out(ConfigTree config) {
        Path out = config.path("out", null);
        if (out == null) throw config.error("out", "expected the folder to write (set it in the config or with --set out=DIR)");
        return out;
    }
}
