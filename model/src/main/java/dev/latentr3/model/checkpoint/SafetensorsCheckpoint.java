package dev.latentr3.model.checkpoint;

import dev.latentr3.engine.Tensor;
import dev.latentr3.model.json.FileFormatException;
import dev.latentr3.model.json.Json;
import dev.latentr3.model.json.JsonField;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;
import java.util.SequencedSet;
import java.util.Set;

/**
 * A model's weights as Hugging Face stores them in a folder: either one {@value #SINGLE_FILE}, or shards listed by
 * {@value #INDEX_FILE} ({@code {"metadata": {...}, "weight_map": {tensor name: shard file name}}}). Each shard is
 * opened (mapped) once; tensors are read without copying, as {@link SafetensorsFile} reads them.
 *
 * <p>When both files are present the single file wins, as in Hugging Face's loader. The index and the shards must
 * agree exactly: a shard the index names must exist in the folder, every tensor the index lists must be in its
 * shard, and every tensor of a shard must be listed for that shard; otherwise opening fails naming the index, the
 * shard and the tensor.
 */
public final class SafetensorsCheckpoint implements AutoCloseable {
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final Path folder;
    private final Map<String, SafetensorsFile> fileOfTensor;
    private final SequencedSet<String> names;
    private final Arena ownArena; // null when the caller's arena holds the mappings

    private SafetensorsCheckpoint(Path folder, SequencedMap<String, SafetensorsFile> fileOfTensor, Arena ownArena) {
        this.folder = folder;
        this.fileOfTensor = fileOfTensor;
        this.names = Collections.unmodifiableSequencedSet(fileOfTensor.sequencedKeySet());
        this.ownArena = ownArena;
    }

    /** Opens the checkpoint in {@code folder}, mapping its files into a shared arena that {@link #close()} closes. */
    public static SafetensorsCheckpoint open(Path folder) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            return open(folder, arena, arena);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** Opens the checkpoint in {@code folder}, mapping its files into the caller's arena. */
    public static SafetensorsCheckpoint open(Path folder, Arena arena) throws IOException {
        return open(folder, arena, null);
    }

    private static SafetensorsCheckpoint open(Path folder, Arena arena, Arena ownArena) throws IOException {
        Path single = folder.resolve(SINGLE_FILE);
        if (Files.isRegularFile(single)) {
            SafetensorsFile file = SafetensorsFile.open(single, arena);
            SequencedMap<String, SafetensorsFile> map = new LinkedHashMap<>();
            for (String name : file.names()) map.put(name, file);
            return new SafetensorsCheckpoint(folder, map, ownArena);
        }
        Path index = folder.resolve(INDEX_FILE);
        if (!Files.isRegularFile(index)) {
            throw new NoSuchFileException(folder.toString(), null, "holds neither " + SINGLE_FILE + " nor " + INDEX_FILE);
        }
        return openSharded(folder, index, arena, ownArena);
    }

    private static SafetensorsCheckpoint openSharded(Path folder, Path index, Arena arena, Arena ownArena) throws IOException {
        String indexName = index.toString();
        JsonField root = JsonField.root(Json.parse(Files.readString(index, StandardCharsets.UTF_8), indexName), indexName);
        root.requireOnlyKeys(Set.of("metadata", "weight_map"));
        JsonField metadata = root.get("metadata");
        if (!metadata.isMissing()) metadata.object(); // free-form (total_size, ...) and unused, but it must be an object
        SequencedMap<String, SafetensorsFile> shards = new LinkedHashMap<>();
        SequencedMap<String, SafetensorsFile> fileOfTensor = new LinkedHashMap<>();
        Map<String, String> shardOfTensor = new LinkedHashMap<>();
        for (Map.Entry<String, JsonField> e : root.get("weight_map").members()) {
            String tensor = e.getKey();
            JsonField shardField = e.getValue();
            String shardName = shardField.string();
            SafetensorsFile shard = shards.get(shardName);
            if (shard == null) {
                shard = SafetensorsFile.open(shardPath(folder, shardName, shardField), arena);
                shards.put(shardName, shard);
            }
            if (!shard.contains(tensor)) {
                throw shardField.unsupported("the index puts tensor \"" + tensor + "\" in shard " + shardName + ", which does not hold it");
            }
            fileOfTensor.put(tensor, shard);
            shardOfTensor.put(tensor, shardName);
        }
        for (Map.Entry<String, SafetensorsFile> s : shards.entrySet()) {
            for (String tensor : s.getValue().names()) {
                if (!s.getKey().equals(shardOfTensor.get(tensor))) {
                    String listed = shardOfTensor.containsKey(tensor) ? "the index puts it in " + shardOfTensor.get(tensor) : "the index does not list it";
                    throw new FileFormatException(indexName, "weight_map", "shard " + s.getKey() + " holds tensor \""
                            + tensor + "\" but " + listed);
                }
            }
        }
        return new SafetensorsCheckpoint(folder, fileOfTensor, ownArena);
    }

    /** A shard is a plain file name inside the folder: an index must not reach elsewhere on disk. */
    private static Path shardPath(Path folder, String shardName, JsonField field) {
        Path name = Path.of(shardName);
        if (shardName.isEmpty() || name.getNameCount() != 1 || name.isAbsolute() || shardName.equals(".") || shardName.equals("..")) {
            throw field.unsupported("shard \"" + shardName + "\" must be a file name in the checkpoint folder, not a path");
        }
        Path shard = folder.resolve(name);
        if (!Files.isRegularFile(shard)) {
            throw field.unsupported("shard file " + shardName + " does not exist in " + folder);
        }
        return shard;
    }

    public Path folder() {
        return folder;
    }

    /** Every tensor name: the index's order for a sharded checkpoint, the header's for a single file. */
    public SequencedSet<String> names() {
        return names;
    }

    public boolean contains(String name) {
        return fileOfTensor.containsKey(name);
    }

    public SafetensorsEntry entry(String name) {
        return fileOf(name).entry(name);
    }

    /** The tensor {@code name}, wrapped without copying (see {@link SafetensorsFile#tensor}). */
    public Tensor tensor(String name) {
        return fileOf(name).tensor(name);
    }

    /** The F16 tensor {@code name} converted to a new F32 tensor (see {@link SafetensorsFile#loadF16AsF32}). */
    public Tensor loadF16AsF32(String name) {
        return fileOf(name).loadF16AsF32(name);
    }

    private SafetensorsFile fileOf(String name) {
        SafetensorsFile f = fileOfTensor.get(name);
        if (f == null) {
            throw new FileFormatException(folder.toString(), "tensor \"" + name + "\"", "no such tensor in this checkpoint (it holds "
                    + fileOfTensor.size() + " tensors)");
        }
        return f;
    }

    /** Unmaps every file if this object owns the mappings (its files share its arena); tensors read from them become unusable. Idempotent. */
    @Override
    public void close() {
        if (ownArena != null && ownArena.scope().isAlive()) ownArena.close();
    }
}
