package dev.latentr3.train.checkpoint;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.engine.ops.Views;
import dev.latentr3.engine.optim.AdamW;
import dev.latentr3.engine.random.Rng;
import dev.latentr3.model.checkpoint.SafetensorsFile;
import dev.latentr3.model.checkpoint.SafetensorsWriter;
import dev.latentr3.model.json.Json;
import dev.latentr3.model.json.JsonField;
import dev.latentr3.model.json.JsonWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;
import java.util.stream.Stream;

/**
 * Everything a training run needs to continue bit for bit, in one folder:
 * <ul>
 *   <li>{@code model.safetensors}: every trained parameter (LLM under Hugging Face names, LatentRATT under
 *       {@code latent_attention.*}), F32;</li>
 *   <li>{@code optimizer.safetensors}: AdamW's moments, {@code <name>.exp_avg} and {@code <name>.exp_avg_sq};</li>
 *   <li>{@code trainer_state.json}: the step, AdamW's update count, the data order's position and RNG state, the
 *       early-stopping state and a snapshot of the run's configuration (a resume refuses a different one).</li>
 * </ul>
 * Written atomically: the files go into a fresh sibling folder, which is renamed to the checkpoint's name only when
 * complete. An existing checkpoint of that name is first renamed to {@code <name>.previous} and deleted after, so a
 * crash at any point leaves either the old or the new checkpoint whole; {@link #resolve} finds the survivor.
 */
public final class TrainingCheckpoint {
    static final String MODEL = "model.safetensors";
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String STATE = "trainer_state.json";
    private static final String EXP_AVG = ".exp_avg";
    private static final String EXP_AVG_SQ = ".exp_avg_sq";

    private TrainingCheckpoint() {}

    /**
     * The trainer's own state.
     *
     * @param step                    optimizer steps done
     * @param epoch                   the data order's epoch
     * @param microBatch              micro-batches of that epoch already used
     * @param rngAtEpochStart         the shuffling stream's state before that epoch's shuffle
     * @param bestLoss                best validation loss so far (+infinity before the first validation)
     * @param bestStep                the step of that validation
     * @param evalsWithoutImprovement validations since then
     * @param config                  the run's configuration (JSON values)
     * @param streams                 further named random streams to resume exactly (e.g. RL's noise), by name;
     *                                empty for SFT
     */
    public record State(long step, int epoch, int microBatch, Rng.State rngAtEpochStart, double bestLoss,
                        long bestStep, int evalsWithoutImprovement, Map<String, Object> config,
                        Map<String, Rng.State> streams) {
        public State {
            streams = Map.copyOf(streams);
        }

        /** A state without further streams (SFT). */
        public State(long step, int epoch, int microBatch, Rng.State rngAtEpochStart, double bestLoss, long bestStep,
                     int evalsWithoutImprovement, Map<String, Object> config) {
            this(step, epoch, microBatch, rngAtEpochStart, bestLoss, bestStep, evalsWithoutImprovement, config, Map.of());
        }
    }

    /** Writes weights, optimizer and state as the checkpoint {@code dir} (replacing one already there). */
    public static void write(Path dir, SequencedMap<String, Tensor> weights, AdamW optimizer, State state) {
        Path parent = dir.toAbsolutePath().getParent();
        String name = dir.getFileName().toString();
        Path temp = parent.resolve("." + name + ".tmp-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        Path previous = parent.resolve(name + ".previous");
        try {
            Files.createDirectories(temp);
            SafetensorsWriter.write(temp.resolve(MODEL), weights, Map.of("format", "pt"));
            SequencedMap<String, Tensor> moments = new LinkedHashMap<>();
            optimizer.moments().forEach((n, m) -> {
                moments.put(n + EXP_AVG, m.m());
                moments.put(n + EXP_AVG_SQ, m.v());
            });
            SafetensorsWriter.write(temp.resolve(OPTIMIZER), moments,
                    Map.of("optimizer_steps", Long.toString(optimizer.stepCount())));
            Files.writeString(temp.resolve(STATE), JsonWriter.pretty(stateJson(state, optimizer.stepCount())),
                    StandardCharsets.UTF_8);
            deleteTree(previous);
            if (Files.exists(dir)) Files.move(dir, previous, StandardCopyOption.ATOMIC_MOVE);
            Files.move(temp, dir, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(previous);
        } catch (IOException e) {
            throw new UncheckedIOException("training checkpoint: cannot write " + dir, e);
        }
    }

    /** The folder to read for checkpoint {@code dir}: itself, or its previous version if a write was interrupted. */
    public static Path resolve(Path dir) {
        if (Files.isDirectory(dir)) return dir;
        Path previous = dir.toAbsolutePath().getParent().resolve(dir.getFileName() + ".previous");
        if (Files.isDirectory(previous)) return previous;
        throw new IllegalArgumentException("training checkpoint: no checkpoint at " + dir);
    }

    public static boolean exists(Path dir) {
        return Files.isDirectory(dir) || Files.isDirectory(dir.toAbsolutePath().getParent().resolve(dir.getFileName() + ".previous"));
    }

    /** The trainer state of checkpoint {@code dir}. */
    public static State readState(Path dir) {
        Path file = resolve(dir).resolve(STATE);
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            JsonField root = JsonField.root(Json.parse(text, file.toString()), file.toString());
            JsonField best = root.get("best_loss");
            @SuppressWarnings("unchecked")
            Map<String, Object> config = (Map<String, Object>) root.get("config").raw();
            Map<String, Rng.State> streams = new LinkedHashMap<>();
            JsonField saved = root.get("streams");
            if (!saved.isMissingOrNull()) {
                @SuppressWarnings("unchecked")
                Map<String, Object> names = (Map<String, Object>) saved.raw();
                for (String name : names.keySet()) {
                    JsonField s = saved.get(name);
                    streams.put(name, new Rng.State(Long.parseLong(s.get("key").string()),
                            Long.parseLong(s.get("counter").string())));
                }
            }
            return new State(root.get("step").nonNegativeLong(), root.get("epoch").nonNegativeInt(),
                    root.get("micro_batch").nonNegativeInt(),
                    new Rng.State(Long.parseLong(root.get("rng_key").string()), Long.parseLong(root.get("rng_counter").string())),
                    best.isMissingOrNull() ? Double.POSITIVE_INFINITY : best.finiteNumber(),
                    root.get("best_step").nonNegativeLong(), root.get("evals_without_improvement").nonNegativeInt(),
                    config, streams);
        } catch (IOException e) {
            throw new UncheckedIOException("training checkpoint: cannot read " + file, e);
        }
    }

    /** Copies the checkpoint's weights into {@code weights} (every one must be there, with its shape). */
    public static void loadWeights(Path dir, Map<String, Tensor> weights) {
        Path file = resolve(dir).resolve(MODEL);
        try (SafetensorsFile st = SafetensorsFile.open(file); TensorScope scope = TensorScope.open()) {
            for (var e : weights.entrySet()) copyInto(st, e.getKey(), e.getValue());
        } catch (IOException e) {
            throw new UncheckedIOException("training checkpoint: cannot read " + file, e);
        }
    }

    /** Restores AdamW's moments and update count from the checkpoint. */
    public static void loadOptimizer(Path dir, AdamW optimizer) {
        Path file = resolve(dir).resolve(OPTIMIZER);
        try (SafetensorsFile st = SafetensorsFile.open(file); TensorScope scope = TensorScope.open()) {
            Map<String, AdamW.Moments> saved = new LinkedHashMap<>();
            for (String name : optimizer.moments().keySet()) {
                saved.put(name, new AdamW.Moments(st.tensor(name + EXP_AVG), st.tensor(name + EXP_AVG_SQ)));
            }
            String steps = st.metadata().get("optimizer_steps");
            if (steps == null) throw new IllegalArgumentException(file + ": no optimizer_steps in the metadata");
            optimizer.restore(Long.parseLong(steps), saved);
        } catch (IOException e) {
            throw new UncheckedIOException("training checkpoint: cannot read " + file, e);
        }
    }

    private static void copyInto(SafetensorsFile st, String name, Tensor target) {
        Tensor saved = st.tensor(name);
        if (!Arrays.equals(saved.shape(), target.shape())) {
            throw new IllegalArgumentException(st.path() + ": tensor " + name + " " + saved.describe()
                    + " does not match the model's " + target.describe());
        }
        Views.copyInto(target, saved);
    }

    private static Map<String, Object> stateJson(State s, long optimizerSteps) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", s.step());
        m.put("optimizer_steps", optimizerSteps);
        m.put("epoch", s.epoch());
        m.put("micro_batch", s.microBatch());
        // Strings: the key is any 64-bit value, and JSON readers differ on integers beyond 2^53.
        m.put("rng_key", Long.toString(s.rngAtEpochStart().key()));
        m.put("rng_counter", Long.toString(s.rngAtEpochStart().counter()));
        m.put("best_loss", Double.isFinite(s.bestLoss()) ? (Object) s.bestLoss() : Json.NULL);
        m.put("best_step", s.bestStep());
        m.put("evals_without_improvement", s.evalsWithoutImprovement());
        m.put("config", s.config());
        if (!s.streams().isEmpty()) {
            Map<String, Object> streams = new java.util.TreeMap<>(); // sorted: the same state gives the same bytes
            s.streams().forEach((name, st) -> {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("key", Long.toString(st.key()));
                one.put("counter", Long.toString(st.counter()));
                streams.put(name, one);
            });
            m.put("streams", streams);
        }
        return m;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
