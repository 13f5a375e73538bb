package dev.latentr3.model.checkpoint;

import dev.latentr3.engine.Tensor;
import dev.latentr3.model.json.FileFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Folders as Hugging Face saves models: one model.safetensors, or shards listed by model.safetensors.index.json. */
class SafetensorsCheckpointTest {
    @TempDir
    Path dir;

    private static final String SHARD_1 = "model-00001-of-00002.safetensors";
    private static final String SHARD_2 = "model-00002-of-00002.safetensors";

    private void shard(String file, String... namesAndFirstValues) throws Exception {
        LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
        for (int i = 0; i < namesAndFirstValues.length; i += 2) {
            float v = Float.parseFloat(namesAndFirstValues[i + 1]);
            tensors.put(namesAndFirstValues[i], Tensor.of(new float[]{v, v + 1}, 2));
        }
        SafetensorsWriter.write(dir.resolve(file), tensors, Map.of("format", "pt"));
    }

    private void index(String weightMap) throws Exception {
        Files.writeString(dir.resolve(SafetensorsCheckpoint.INDEX_FILE),
                "{\"metadata\": {\"total_size\": 32}, \"weight_map\": {" + weightMap + "}}");
    }

    private void twoShards() throws Exception {
        shard(SHARD_1, "a", "1", "b", "3");
        shard(SHARD_2, "c", "5", "d", "7");
    }

    @Test
    void readsShardsThroughTheIndex() throws Exception {
        twoShards();
        index("\"d\": \"" + SHARD_2 + "\", \"a\": \"" + SHARD_1 + "\", \"b\": \"" + SHARD_1 + "\", \"c\": \"" + SHARD_2 + "\"");
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir)) {
            assertEquals(List.of("d", "a", "b", "c"), List.copyOf(c.names()), "index order");
            assertArrayEquals(new float[]{1, 2}, c.tensor("a").toFloatArray());
            assertArrayEquals(new float[]{7, 8}, c.tensor("d").toFloatArray());
            assertEquals(SafetensorsDType.F32, c.entry("c").dtype());
            assertTrue(c.contains("b"));
            assertFalse(c.contains("e"));
            FileFormatException missing = assertThrows(FileFormatException.class, () -> c.tensor("e"));
            assertTrue(missing.getMessage().startsWith(dir + ": tensor \"e\": no such tensor in this checkpoint"), missing.getMessage());
        }
    }

    @Test
    void readsASingleFileAndPrefersItOverAnIndex() throws Exception {
        shard(SafetensorsCheckpoint.SINGLE_FILE, "x", "9");
        index("\"gone\": \"nowhere.safetensors\"");
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir)) {
            assertEquals(List.of("x"), List.copyOf(c.names()));
            assertArrayEquals(new float[]{9, 10}, c.tensor("x").toFloatArray());
        }
    }

    @Test
    void closingTheCheckpointUnmapsEveryShard() throws Exception {
        twoShards();
        index("\"a\": \"" + SHARD_1 + "\", \"b\": \"" + SHARD_1 + "\", \"c\": \"" + SHARD_2 + "\", \"d\": \"" + SHARD_2 + "\"");
        Tensor a;
        Tensor d;
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir)) {
            a = c.tensor("a");
            d = c.tensor("d");
        }
        assertThrows(IllegalStateException.class, a::toFloatArray);
        assertThrows(IllegalStateException.class, d::toFloatArray);
    }

    @Test
    void missingShardIsNamed() throws Exception {
        shard(SHARD_1, "a", "1", "b", "3");
        index("\"a\": \"" + SHARD_1 + "\", \"b\": \"" + SHARD_1 + "\", \"c\": \"" + SHARD_2 + "\"");
        FileFormatException e = assertThrows(FileFormatException.class, () -> SafetensorsCheckpoint.open(dir));
        assertEquals(dir.resolve(SafetensorsCheckpoint.INDEX_FILE) + ": weight_map.c: shard file " + SHARD_2 + " does not exist in " + dir,
                e.getMessage());
    }

    @Test
    void tensorListedButAbsentFromItsShardIsNamed() throws Exception {
        twoShards();
        index("\"a\": \"" + SHARD_1 + "\", \"b\": \"" + SHARD_2 + "\", \"c\": \"" + SHARD_2 + "\", \"d\": \"" + SHARD_2 + "\"");
        FileFormatException e = assertThrows(FileFormatException.class, () -> SafetensorsCheckpoint.open(dir));
        assertTrue(e.getMessage().contains("weight_map.b: the index puts tensor \"b\" in shard " + SHARD_2 + ", which does not hold it"),
                e.getMessage());
    }

    @Test
    void tensorInAShardButNotInTheIndexIsNamed() throws Exception {
        twoShards();
        index("\"a\": \"" + SHARD_1 + "\", \"c\": \"" + SHARD_2 + "\", \"d\": \"" + SHARD_2 + "\"");
        FileFormatException e = assertThrows(FileFormatException.class, () -> SafetensorsCheckpoint.open(dir));
        assertTrue(e.getMessage().contains("weight_map: shard " + SHARD_1 + " holds tensor \"b\" but the index does not list it"),
                e.getMessage());
    }

    @Test
    void shardNamesMustStayInTheFolder() throws Exception {
        Path inner = Files.createDirectory(dir.resolve("inner"));
        shard(SHARD_1, "a", "1");
        Files.writeString(inner.resolve(SafetensorsCheckpoint.INDEX_FILE), "{\"weight_map\": {\"a\": \"../" + SHARD_1 + "\"}}");
        FileFormatException e = assertThrows(FileFormatException.class, () -> SafetensorsCheckpoint.open(inner));
        assertTrue(e.getMessage().contains("weight_map.a: shard \"../" + SHARD_1 + "\" must be a file name in the checkpoint folder"),
                e.getMessage());
    }

    @Test
    void malformedIndexIsNamed() throws Exception {
        shard(SHARD_1, "a", "1");
        Files.writeString(dir.resolve(SafetensorsCheckpoint.INDEX_FILE), "{\"weight_map\": {\"a\": 1}}");
        FileFormatException e = assertThrows(FileFormatException.class, () -> SafetensorsCheckpoint.open(dir));
        assertTrue(e.getMessage().endsWith("weight_map.a: expected a string, found the number 1"), e.getMessage());
        Files.writeString(dir.resolve(SafetensorsCheckpoint.INDEX_FILE), "{\"weights\": {}}");
        e = assertThrows(FileFormatException.class, () -> SafetensorsCheckpoint.open(dir));
        assertTrue(e.getMessage().contains("weights: this field is not supported"), e.getMessage());
    }

    @Test
    void emptyFolderSaysWhatIsMissing() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> SafetensorsCheckpoint.open(dir));
        assertTrue(e.getMessage().contains("holds neither model.safetensors nor model.safetensors.index.json"), e.getMessage());
    }
}
