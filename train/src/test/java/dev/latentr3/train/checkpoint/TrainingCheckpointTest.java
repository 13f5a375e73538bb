package dev.latentr3.train.checkpoint;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.OwnedTensors;
import dev.latentr3.engine.ops.Views;
import dev.latentr3.engine.optim.AdamW;
import dev.latentr3.engine.random.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingCheckpointTest {
    private static SequencedMap<String, Tensor> params(float base) {
        SequencedMap<String, Tensor> m = new LinkedHashMap<>();
        Tensor w = OwnedTensors.zeros(2, 3), b = OwnedTensors.zeros(3);
        Views.copyInto(w, Tensor.of(new float[]{base, 1, -2, 3.5f, Float.MIN_VALUE, -0f}, 2, 3));
        Views.copyInto(b, Tensor.of(new float[]{base + 1, 0.25f, 7}, 3));
        m.put("layer.weight", w.requiresGrad(true));
        m.put("layer.bias", b.requiresGrad(true));
        return m;
    }

    /** An optimizer that has taken two steps, so its moments and count are not the initial ones. */
    private static AdamW stepped(SequencedMap<String, Tensor> params) {
        AdamW opt = new AdamW(params, AdamW.Hyper.defaults(), AdamW.MATRICES_ONLY);
        for (int s = 0; s < 2; s++) {
            for (Tensor p : params.values()) {
                float[] g = new float[Math.toIntExact(p.numel())];
                for (int i = 0; i < g.length; i++) g[i] = 0.1f * (i + 1) * (s + 1);
                p.zeroGradInPlace();
                p.accumulateGrad(Tensor.of(g, p.shape()));
            }
            opt.step(1e-2);
        }
        return opt;
    }

    private static TrainingCheckpoint.State state(long step, double best) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("peak_lr", 3e-4);
        config.put("seed", "-5");
        return new TrainingCheckpoint.State(step, 1, 3, new Rng.State(-1234567890123L, 77), best, 6, 1, config);
    }

    @Test
    void roundTripRestoresWeightsOptimizerAndStateExactly(@TempDir Path dir) {
        SequencedMap<String, Tensor> saved = params(0.5f);
        AdamW opt = stepped(saved);
        Path ckpt = dir.resolve("last");
        TrainingCheckpoint.write(ckpt, saved, opt, state(9, 1.2345678901234567));

        SequencedMap<String, Tensor> loaded = params(-9f);
        AdamW fresh = new AdamW(loaded, AdamW.Hyper.defaults(), AdamW.MATRICES_ONLY);
        TrainingCheckpoint.loadWeights(ckpt, loaded);
        TrainingCheckpoint.loadOptimizer(ckpt, fresh);
        for (String n : saved.keySet()) {
            assertArrayEquals(saved.get(n).toFloatArray(), loaded.get(n).toFloatArray(), n);
            assertArrayEquals(opt.moments().get(n).m().toFloatArray(), fresh.moments().get(n).m().toFloatArray(), n + " m");
            assertArrayEquals(opt.moments().get(n).v().toFloatArray(), fresh.moments().get(n).v().toFloatArray(), n + " v");
        }
        assertEquals(2, fresh.stepCount());
        assertEquals(state(9, 1.2345678901234567).toString().replace("0.0003", "3.0E-4"),
                TrainingCheckpoint.readState(ckpt).toString().replace("0.0003", "3.0E-4"));
    }

    @Test
    void noValidationYetIsAnInfiniteBestLoss(@TempDir Path dir) {
        SequencedMap<String, Tensor> p = params(1f);
        TrainingCheckpoint.write(dir.resolve("c"), p, stepped(p), state(1, Double.POSITIVE_INFINITY));
        assertEquals(Double.POSITIVE_INFINITY, TrainingCheckpoint.readState(dir.resolve("c")).bestLoss());
    }

    @Test
    void rewritingReplacesTheFolderWholeAndLeavesNoTemporaries(@TempDir Path dir) throws Exception {
        SequencedMap<String, Tensor> p = params(1f);
        AdamW opt = stepped(p);
        Path ckpt = dir.resolve("best");
        TrainingCheckpoint.write(ckpt, p, opt, state(3, 2.0));
        TrainingCheckpoint.write(ckpt, p, opt, state(6, 1.0));
        assertEquals(6, TrainingCheckpoint.readState(ckpt).step());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("best"), files.map(f -> f.getFileName().toString()).toList());
        }
        try (Stream<Path> files = Files.list(ckpt)) {
            assertEquals(3, files.count());
        }
    }

    @Test
    void aWriteInterruptedAfterMovingTheOldFolderAsideStillResolvesToIt(@TempDir Path dir) throws Exception {
        SequencedMap<String, Tensor> p = params(1f);
        AdamW opt = stepped(p);
        Path ckpt = dir.resolve("last");
        TrainingCheckpoint.write(ckpt, p, opt, state(4, 2.0));
        Files.move(ckpt, dir.resolve("last.previous")); // the state between the two renames of a rewrite
        assertTrue(TrainingCheckpoint.exists(ckpt));
        assertEquals(4, TrainingCheckpoint.readState(ckpt).step());
        assertFalse(TrainingCheckpoint.exists(dir.resolve("other")));
        assertThrows(IllegalArgumentException.class, () -> TrainingCheckpoint.readState(dir.resolve("other")));
    }

    @Test
    void loadingRefusesAMismatchedShape(@TempDir Path dir) {
        SequencedMap<String, Tensor> p = params(1f);
        TrainingCheckpoint.write(dir.resolve("c"), p, stepped(p), state(1, 1.0));
        SequencedMap<String, Tensor> other = new LinkedHashMap<>();
        other.put("layer.weight", OwnedTensors.zeros(3, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainingCheckpoint.loadWeights(dir.resolve("c"), other));
        assertTrue(e.getMessage().contains("layer.weight"), e.getMessage());
    }
}
