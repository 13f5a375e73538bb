package dev.latentr3.train.cli;

import dev.latentr3.train.config.ConfigTree;
import dev.latentr3.train.pipeline.DemoDefaults;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The configs/*.yaml files the repository ships: every key is read, and demo.yaml is the demo's embedded default. */
class ShippedConfigsTest {
    private static final Path CONFIGS = Path.of("..", "configs");

    @Test
    void demoYamlSpellsOutTheEmbeddedSettings() {
        ConfigTree tree = ConfigTree.load(CONFIGS.resolve("demo.yaml"), List.of());
        assertEquals(DemoDefaults.settings(), DemoDefaults.read(tree));
        assertEquals(dev.latentr3.engine.Device.CPU, dev.latentr3.train.pipeline.PipelineConfig.device(tree));
        tree.requireAllRead();
    }

    @Test
    void everyStageConfigIsReadWholeAndFailsOnlyAtTheMissingData(@TempDir Path dir) {
        String missing = dir.resolve("no-such-data").toString();
        for (String command : List.of("sft", "rl", "eval")) {
            CliRun r = CliRun.of(command, "--config", CONFIGS.resolve(command + ".yaml").toString(), "--set", "data.dir=" + missing,
                    "--set", "out=" + dir.resolve(command));
            assertEquals(Main.FAILURE, r.status(), command + ": " + r.err());
            assertFalse(r.err().contains("unknown key"), command + ": " + r.err());
            assertTrue(r.err().contains("no-such-data") || r.err().contains("model"), command + ": " + r.err());
        }
        CliRun amazon = CliRun.of("demo", "--config", CONFIGS.resolve("amazon-cds.yaml").toString(),
                "--set", "data.info=" + missing + "/info.txt", "--set", "data.csv=" + missing + "/valid.csv", "--out", dir.resolve("a").toString());
        assertEquals(Main.FAILURE, amazon.status(), amazon.err());
        assertTrue(amazon.err().contains("no-such-data") && !amazon.err().contains("unknown key"), amazon.err());
    }
}
