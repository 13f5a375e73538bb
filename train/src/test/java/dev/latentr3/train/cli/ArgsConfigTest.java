package dev.latentr3.train.cli;

import dev.latentr3.train.config.ConfigException;
import dev.latentr3.train.config.ConfigTree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArgsConfigTest {
    @TempDir
    Path tmp;

    @Test
    void configFileWithRepeatedOverrides() throws IOException {
        Path file = Files.writeString(tmp.resolve("c.yaml"), "sft:\n  lr: 0.1\n  steps: 5\n");
        Args args = Args.withConfig(new String[] {"--config", file.toString(), "--set", "sft.lr=0.2", "--out", "o",
                "--set", "sft.steps=7"}, Set.of("--out"), Set.of());
        assertEquals(List.of("sft.lr=0.2", "sft.steps=7"), args.all("--set"));
        assertEquals("o", args.required("--out"));
        ConfigTree sft = args.config(null).section("sft");
        assertEquals(0.2, sft.doubleValue("lr", 0, 0, 1));
        assertEquals(7, sft.intValue("steps", 0, 0, 9));
    }

    @Test
    void defaultConfigOrEmptyTreeWhenNoConfigIsGiven() throws IOException {
        Path file = Files.writeString(tmp.resolve("default.yaml"), "seed: 3\n");
        assertEquals(3, Args.withConfig(new String[0], Set.of(), Set.of()).config(file).intValue("seed", 0, 0, 9));
        ConfigTree empty = Args.withConfig(new String[] {"--set", "seed=4"}, Set.of(), Set.of()).config(null);
        assertEquals(4, empty.intValue("seed", 0, 0, 9));
        ConfigTree defaults = Args.withConfig(new String[0], Set.of(), Set.of()).config(null);
        assertEquals(9, defaults.intValue("seed", 9, 0, 9));
        String unknown = assertThrows(ConfigException.class, () -> {
            ConfigTree t = Args.withConfig(new String[] {"--set", "sed=4"}, Set.of(), Set.of()).config(null);
            t.intValue("seed", 0, 0, 9);
            t.requireAllRead();
        }).getMessage();
        assertEquals("command line: unknown key (nothing reads it): sed (did you mean seed?) (from --set sed=4)", unknown);
    }

    @Test
    void badCommandLinesAreUsageErrors() {
        Args noEquals = Args.withConfig(new String[] {"--set", "seed"}, Set.of(), Set.of());
        assertTrue(assertThrows(Args.UsageException.class, () -> noEquals.config(null)).getMessage()
                .contains("--set needs key=value"));
        assertEquals("--set needs a value", assertThrows(Args.UsageException.class,
                () -> Args.withConfig(new String[] {"--set"}, Set.of(), Set.of())).getMessage());
        assertEquals("--config is given twice", assertThrows(Args.UsageException.class,
                () -> Args.withConfig(new String[] {"--config", "a", "--config", "b"}, Set.of(), Set.of())).getMessage());
        assertEquals("unexpected argument '--set'", assertThrows(Args.UsageException.class,
                () -> new Args(new String[] {"--set", "a=1"}, Set.of(), Set.of())).getMessage());
    }
}
