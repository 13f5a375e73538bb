package dev.latentr3.train.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigTreeTest {
    @TempDir
    Path tmp;

    private Path write(String name, String yaml) throws IOException {
        Path file = tmp.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, yaml);
        return file;
    }

    private ConfigTree load(String yaml, String... overrides) throws IOException {
        return ConfigTree.load(write("sft.yaml", yaml), List.of(overrides));
    }

    /** The message of the ConfigException that reading throws. */
    private static String error(ConfigTree tree, Consumer<ConfigTree> read) {
        return assertThrows(ConfigException.class, () -> read.accept(tree)).getMessage();
    }

    @Test
    void readsTypedValuesFromNestedSections() throws IOException {
        ConfigTree root = load("""
                seed: 7
                sft:
                  learning_rate: 1e-4      # a YAML 1.1 resolver would call this a string
                  steps: 1_000
                  max_tokens: 1e3
                  warmup: 0.0
                  shuffle: false
                  name: 1.10
                  style: latent
                  layers: [1, 2, 3]
                  heads:
                    - 4
                    - 8
                  nested:
                    deep: -3
                """);
        ConfigTree sft = root.section("sft");
        assertEquals(7, root.intValue("seed", 0, 0, 100));
        assertEquals(1e-4, sft.doubleValue("learning_rate", 0, 0, 1));
        assertEquals(1000L, sft.longValue("steps", 0, 0, Long.MAX_VALUE));
        assertEquals(1000, sft.intValue("max_tokens", 0, 1, 4096));
        assertEquals(0.0, sft.doubleValue("warmup", 1, 0, 1));
        assertFalse(sft.bool("shuffle", true));
        assertEquals("1.10", sft.string("name", null), "strings keep the text as written");
        assertEquals("latent", sft.oneOf("style", "plain", "plain", "latent"));
        assertEquals(List.of(1, 2, 3), sft.intList("layers", List.of(), 1, 10));
        assertEquals(List.of(4, 8), sft.intList("heads", List.of(), 1, 64));
        assertEquals(-3, sft.section("nested").intValue("deep", 0, -10, 10));
        root.requireAllRead();
    }

    @Test
    void absentKeysAndMissingSectionsGiveDefaults() throws IOException {
        ConfigTree root = load("# only a comment\n");
        ConfigTree rl = root.section("rl").section("inner");
        assertEquals(5, rl.intValue("group", 5, 1, 10));
        assertEquals(2.5, rl.doubleValue("beta", 2.5, 0, 10));
        assertTrue(rl.bool("flag", true));
        assertEquals(null, rl.string("name", null));
        assertEquals(List.of(1), rl.intList("l", List.of(1), 0, 9));
        assertEquals(Path.of("x"), rl.path("p", Path.of("x")));
        root.requireAllRead();
        ConfigTree.empty("nothing").requireAllRead();
        assertEquals(3, ConfigTree.empty("nothing").section("a").intValue("b", 3, 0, 5));
        // "section:" with every key commented out is an empty section, not an error.
        assertEquals(4, load("sft:\n  # lr: 1\n").section("sft").intValue("x", 4, 0, 5));
    }

    @Test
    void outOfRangeNamesFileKeyExpectationAndValue() throws IOException {
        Path file = write("configs/sft.yaml", "sft:\n  learning_rate: 5\n");
        ConfigTree sft = ConfigTree.load(file, List.of()).section("sft");
        assertEquals(file + ": sft.learning_rate: expected a number in [0.0, 1.0], got 5",
                error(sft, t -> t.doubleValue("learning_rate", 0.1, 0, 1)));
        assertEquals(file + ": sft.learning_rate: expected a whole number in [6, 9], got 5",
                error(sft, t -> t.intValue("learning_rate", 7, 6, 9)));
        assertEquals(file + ": sft.learning_rate: expected a whole number >= 6, got 5",
                error(sft, t -> t.longValue("learning_rate", 7, 6, Long.MAX_VALUE)));
    }

    @Test
    void wrongKindsAreNamed() throws IOException {
        ConfigTree t = load("""
                text: abc
                quoted: "5"
                section: {a: 1, b: 2}
                list: [1, 2]
                empty:
                half: 1.5
                small: 1e-3
                yes_flag: yes
                big: 99999999999
                nan: .nan
                """);
        String f = tmp.resolve("sft.yaml").toString();
        assertEquals(f + ": text: expected a number, got 'abc' (a string)",
                error(t, c -> c.doubleValue("text", 0, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY)));
        assertEquals(f + ": quoted: expected a whole number >= 0, got '5' (a quoted string)",
                error(t, c -> c.intValue("quoted", 0, 0, Integer.MAX_VALUE)));
        assertEquals(f + ": section: expected a number <= 1.0, got a section with keys a, b",
                error(t, c -> c.doubleValue("section", 0, Double.NEGATIVE_INFINITY, 1)));
        assertEquals(f + ": list: expected a string, got a list of 2 items", error(t, c -> c.string("list", "")));
        assertEquals(f + ": text: expected a section (indented key: value lines), got 'abc' (a string)",
                error(t, c -> c.section("text")));
        assertTrue(error(t, c -> c.intValue("empty", 0, 0, 9))
                .endsWith("empty: expected a whole number in [0, 9], got nothing (an empty value; leave the key out to use the default)"));
        assertEquals(f + ": half: expected a whole number in [0, 9], got 1.5 (not a whole number)",
                error(t, c -> c.intValue("half", 0, 0, 9)));
        assertEquals(f + ": small: expected a whole number in [0, 9], got 1e-3 (not a whole number)",
                error(t, c -> c.intValue("small", 0, 0, 9)));
        assertEquals(f + ": yes_flag: expected true or false, got 'yes' (a string)", error(t, c -> c.bool("yes_flag", false)));
        assertEquals(f + ": big: expected a whole number, got 99999999999",
                error(t, c -> c.intValue("big", 0, Integer.MIN_VALUE, Integer.MAX_VALUE)));
        assertEquals(f + ": nan: expected a number in [0.0, 1.0], got .nan", error(t, c -> c.doubleValue("nan", 0, 0, 1)));
        assertEquals(f + ": text: expected one of abd, xyz, got 'abc' (a string) (did you mean abd?)",
                error(t, c -> c.oneOf("text", "xyz", "abd", "xyz")));
        assertEquals(f + ": section.a: expected a list of whole numbers in [2, 3] (e.g. [1, 2]), got 1",
                error(t.section("section"), c -> c.intList("a", List.of(), 2, 3)));
        assertEquals(f + ": list[0]: expected a whole number in [2, 3], got 1", error(t, c -> c.intList("list", List.of(), 2, 3)));
    }

    @Test
    void syntaxErrorsGiveLineAndColumn() throws IOException {
        String m = assertThrows(ConfigException.class, () -> load("a: 1\nb: [1, 2\nc: 3\n")).getMessage();
        assertTrue(m.startsWith(tmp.resolve("sft.yaml") + ": YAML syntax error at line "), m);
        assertTrue(m.matches(".*line \\d+, column \\d+: .*"), m);
        String indent = assertThrows(ConfigException.class, () -> load("a: 1\n  b: 2\n")).getMessage();
        assertTrue(indent.contains("line 2, column 4"), indent);
    }

    @Test
    void refusesDuplicatesSeveralDocumentsTagsAndOddKeys() throws IOException {
        String dup = assertThrows(ConfigException.class, () -> load("sft:\n  lr: 1\n  lr: 2\n")).getMessage();
        assertEquals(tmp.resolve("sft.yaml") + ": line 3: sft.lr: duplicate key (first given on line 2)", dup);
        String docs = assertThrows(ConfigException.class, () -> load("a: 1\n---\nb: 2\n")).getMessage();
        assertTrue(docs.contains("expected a single document") && docs.contains("line 2"), docs);
        String tag = assertThrows(ConfigException.class,
                () -> load("a: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[]]]\n")).getMessage();
        assertTrue(tag.contains("line 1: a: unsupported YAML tag"), tag);
        String local = assertThrows(ConfigException.class, () -> load("a: 1\nb: !thing 2\n")).getMessage();
        assertEquals(tmp.resolve("sft.yaml") + ": line 2: b: unsupported YAML tag !thing (only plain strings, numbers, "
                + "booleans, lists and sections are allowed)", local);
        String dot = assertThrows(ConfigException.class, () -> load("sft.lr: 1\n")).getMessage();
        assertTrue(dot.contains("sft.lr: a key must be a non-empty name without '.'"), dot);
        String merge = assertThrows(ConfigException.class, () -> load("base: &b {x: 1}\nc:\n  <<: *b\n")).getMessage();
        assertTrue(merge.contains("merge keys"), merge);
        String top = assertThrows(ConfigException.class, () -> load("- 1\n- 2\n")).getMessage();
        assertTrue(top.endsWith("expected key: value lines at the top level, got a list of 2 items"), top);
        String missing = assertThrows(ConfigException.class,
                () -> ConfigTree.load(tmp.resolve("nope.yaml"), List.of())).getMessage();
        assertEquals(tmp.resolve("nope.yaml") + ": no such config file", missing);
    }

    @Test
    void unknownKeysAreRefusedWithSuggestions() throws IOException {
        ConfigTree root = load("""
                seed: 1
                sft:
                  lerning_rate: 0.1
                  steps: 3
                  extra: {a: 1}
                rl: {beta: 1}
                """);
        root.intValue("seed", 0, 0, 9);
        ConfigTree sft = root.section("sft");
        sft.doubleValue("learning_rate", 0.5, 0, 1);
        sft.intValue("steps", 0, 0, 9);
        String f = tmp.resolve("sft.yaml").toString();
        assertEquals(f + ": unknown keys (nothing reads them): sft.lerning_rate (did you mean sft.learning_rate?); "
                + "sft.extra; rl", assertThrows(ConfigException.class, root::requireAllRead).getMessage());
        // Reading the rest (a section read but not its keys still counts as unread keys inside it).
        root.section("rl");
        sft.section("extra").intValue("a", 0, 0, 9);
        sft.doubleValue("lerning_rate", 0, 0, 1);
        assertEquals(f + ": unknown key (nothing reads it): rl.beta",
                assertThrows(ConfigException.class, root::requireAllRead).getMessage());
    }

    @Test
    void overridesReplaceAddAndAreTypedAsYaml() throws IOException {
        ConfigTree root = load("sft:\n  lr: 0.1\n  name: a\n", "sft.lr=1e-4", "sft.shuffle=true", "sft.name=\"5\"",
                "rl.group=8", "rl.layers=[2, 4]", "sft.lr=2e-4");
        ConfigTree sft = root.section("sft");
        assertEquals(2e-4, sft.doubleValue("lr", 0, 0, 1), "the later override wins");
        assertTrue(sft.bool("shuffle", false));
        assertEquals("5", sft.string("name", null));
        ConfigTree rl = root.section("rl");
        assertEquals(8, rl.intValue("group", 1, 1, 64));
        assertEquals(List.of(2, 4), rl.intList("layers", List.of(), 1, 8));
        root.requireAllRead();

        ConfigTree bad = load("sft:\n  lr: 0.1\n", "sft.lr=5");
        assertEquals(tmp.resolve("sft.yaml") + ": sft.lr: expected a number in [0.0, 1.0], got 5 (from --set sft.lr=5)",
                error(bad.section("sft"), t -> t.doubleValue("lr", 0, 0, 1)));

        ConfigTree unknown = load("sft: {lr: 0.1}\n", "sft.lrr=0.2");
        unknown.section("sft").doubleValue("lr", 0, 0, 1);
        assertEquals(tmp.resolve("sft.yaml") + ": unknown key (nothing reads it): sft.lrr (did you mean sft.lr?) "
                + "(from --set sft.lrr=0.2)", assertThrows(ConfigException.class, unknown::requireAllRead).getMessage());
    }

    @Test
    void malformedOverridesAreRefused() throws IOException {
        String f = tmp.resolve("sft.yaml").toString();
        assertEquals(f + ": --set lr: expected key=value with a dotted key, e.g. sft.learning_rate=1e-4",
                assertThrows(ConfigException.class, () -> load("a: 1\n", "lr")).getMessage());
        assertTrue(assertThrows(ConfigException.class, () -> load("a: 1\n", "sft..lr=1")).getMessage()
                .contains("expected key=value with a dotted key"));
        assertEquals(f + ": --set a.b=1: a is not a section, it is 1",
                assertThrows(ConfigException.class, () -> load("a: 1\n", "a.b=1")).getMessage());
        String syntax = assertThrows(ConfigException.class, () -> load("a: 1\n", "a=[1, 2")).getMessage();
        assertTrue(syntax.startsWith(f + ": --set a=[1, 2: YAML syntax error"), syntax);
        // Without a file, overrides alone make the tree.
        ConfigTree only = ConfigTree.empty("command line", List.of("x.y=3"));
        assertEquals(3, only.section("x").intValue("y", 0, 0, 9));
        only.requireAllRead();
    }

    @Test
    void pathsResolveAgainstTheFileFolderOrTheWorkingDirectory() throws IOException {
        Path file = write("configs/run.yaml", "data: data/cds\nout: /abs/out\nname: ../x\n");
        ConfigTree t = ConfigTree.load(file, List.of("name=rel/y"));
        Path folder = file.toAbsolutePath().getParent();
        assertEquals(folder.resolve("data/cds"), t.path("data", null));
        assertEquals(Path.of("/abs/out"), t.path("out", null));
        assertEquals(Path.of("rel/y"), t.path("name", null), "an override is relative to the working directory");
        assertEquals(Path.of("given"), t.path("absent", Path.of("given")));
        assertEquals(Path.of("code/rel"), ConfigTree.of(Map.of("p", "code/rel"), "code").path("p", null));
        assertTrue(error(ConfigTree.of(Map.of("p", ""), "code"), c -> c.path("p", null))
                .equals("code: p: expected a path, got '' (a quoted string)"));
    }

    @Test
    void treesBuiltInCodeReadLikeFiles() {
        Map<String, Object> sft = new LinkedHashMap<>();
        sft.put("lr", 0.001);
        sft.put("steps", 10);
        sft.put("layers", List.of(1, 2));
        sft.put("name", "5");
        sft.put("flag", true);
        ConfigTree root = ConfigTree.of(Map.of("sft", sft), "test");
        ConfigTree s = root.section("sft");
        assertEquals(0.001, s.doubleValue("lr", 0, 0, 1));
        assertEquals(10, s.intValue("steps", 0, 0, 100));
        assertEquals(List.of(1, 2), s.intList("layers", List.of(), 0, 9));
        assertTrue(s.bool("flag", false));
        assertEquals("test: sft.name: expected a whole number >= 0, got '5' (a quoted string)",
                error(s, c -> c.intValue("name", 0, 0, Integer.MAX_VALUE)));
        s.string("name", null);
        root.requireAllRead();
        assertEquals("test: sft.steps: must divide 64", s.error("steps", "must divide 64").getMessage());
        assertEquals("sft.steps", s.fullKey("steps"));
    }

    @Test
    void suggestionsPickTheNearestKnownName() {
        assertEquals("learning_rate", Suggestion.closest("lerning_rate", List.of("steps", "learning_rate")));
        assertEquals(null, Suggestion.closest("completely_else", List.of("steps", "learning_rate")));
        assertEquals(3, Suggestion.distance("kitten", "sitting"));
    }
}
