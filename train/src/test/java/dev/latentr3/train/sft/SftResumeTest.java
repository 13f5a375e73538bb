package dev.latentr3.train.sft;

import dev.latentr3.engine.Tensor;
import dev.latentr3.model.latent.LatentModel;
import dev.latentr3.train.checkpoint.TrainingCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Resuming: N steps in one go, versus N/2 steps, a checkpoint, a fresh model and trainer (as a new process would
 * build them, from a different random init) restored from it, then the rest.
 *
 * <p>Everything is exact: the restored state is bit for bit the saved one (weights, AdamW moments and step, data
 * position and RNG, early stopping: re-saving it gives byte-identical files), and the resumed run computes the same
 * losses, learning rates, gradient norms, validation losses and final weights as the uninterrupted one, compared
 * with == on the doubles and bit for bit on the floats. This holds because every CPU kernel sums in a fixed order
 * (vector lanes included), so a result does not depend on whether the code runs interpreted, under C1 or under C2:
 * the uninterrupted run here starts cold and the resumed one runs warm.
 */
class SftResumeTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private static final int STEPS = 8;
    // Micro-batches of 2, accumulation 2, an epoch of 10 micro-batches (the halfway point is mid-epoch and the second half crosses an
    // epoch boundary), validation every 3 steps (early-stopping state and a best checkpoint exist at the halfway
    // point), weight decay and clipping on.
    private static final SftConfig CONFIG = new SftConfig(2, 2, 8, 2e-3, 2, true, 0.01, 0.5, 3, 5, 96, 5);

    private final TinySft tiny = new TinySft(5);

    private SftTrainer trainer(LatentModel model, Path out) {
        return new SftTrainer(SftNetwork.latent(model), tiny.latentCollator(96), tiny.train, tiny.valid, CONFIG, out, QUIET);
    }

    @Test
    void aResumedTrainerHoldsExactlyTheSavedState(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        trainer(tiny.latentModel(21), out).run(STEPS / 2, r -> {});
        SftTrainer resumed = trainer(tiny.latentModel(99), out);
        resumed.resumeFrom(out.resolve(SftTrainer.LAST));
        assertEquals(STEPS / 2, resumed.step());
        Path again = dir.resolve("again");
        resumed.writeCheckpoint(again);
        for (String file : List.of("model.safetensors", "optimizer.safetensors", "trainer_state.json")) {
            assertArrayEquals(Files.readAllBytes(out.resolve(SftTrainer.LAST).resolve(file)),
                    Files.readAllBytes(again.resolve(file)), file);
        }
    }

    @Test
    void halfwayCheckpointThenResumeFollowsTheUninterruptedRun(@TempDir Path dir) throws Exception {
        assertEquals(20, tiny.train.size(), "10 micro-batches of 2 per epoch");
        LatentModel straight = tiny.latentModel(21);
        SftTrainer.Result whole = trainer(straight, dir.resolve("straight")).run(STEPS, r -> {});

        Path out = dir.resolve("resumed");
        SftTrainer.Result firstHalf = trainer(tiny.latentModel(21), out).run(STEPS / 2, r -> {});
        assertEquals(STEPS / 2, TrainingCheckpoint.readState(out.resolve(SftTrainer.LAST)).step());
        LatentModel fresh = tiny.latentModel(99); // different init: everything must come from the checkpoint
        SftTrainer second = trainer(fresh, out);
        second.resumeFrom(out.resolve(SftTrainer.LAST));
        SftTrainer.Result secondHalf = second.run(STEPS, r -> {});

        List<SftTrainer.StepRecord> joined = new ArrayList<>(firstHalf.steps());
        joined.addAll(secondHalf.steps());
        assertEquals(STEPS, whole.steps().size());
        assertEquals(STEPS, joined.size());
        for (int i = 0; i < STEPS; i++) {
            var a = whole.steps().get(i);
            var b = joined.get(i);
            assertEquals(a.step(), b.step());
            assertEquals(a.tokens(), b.tokens(), "the same micro-batches at step " + a.step());
            assertTrue(a.lr() == b.lr(), "lr of step " + a.step() + ": " + a.lr() + " vs " + b.lr());
            assertTrue(a.loss() == b.loss(), "loss of step " + a.step() + ": " + a.loss() + " vs " + b.loss());
            assertTrue(a.gradNorm() == b.gradNorm(), "gradient norm of step " + a.step() + ": " + a.gradNorm() + " vs " + b.gradNorm());
        }
        assertBitIdentical(straight.namedParameters(), fresh.namedParameters());
        List<SftTrainer.EvalRecord> evals = new ArrayList<>(firstHalf.evals());
        evals.addAll(secondHalf.evals());
        assertEquals(whole.evals().size(), evals.size());
        for (int i = 0; i < evals.size(); i++) {
            var a = whole.evals().get(i);
            var b = evals.get(i);
            assertEquals(a.step(), b.step());
            assertTrue(a.validationLoss() == b.validationLoss() && a.improved() == b.improved(),
                    "validation at step " + a.step() + ": " + a + " vs " + b);
        }
        assertEquals(STEPS + whole.evals().size(), Files.readAllLines(out.resolve(SftTrainer.METRICS)).size(),
                "the resumed run appends to the metrics log");
    }

    @Test
    void resumeRefusesACheckpointOfAnotherConfiguration(@TempDir Path dir) {
        trainer(tiny.latentModel(21), dir).run(1, r -> {});
        SftConfig other = new SftConfig(2, 2, 8, 1e-3, 2, true, 0.01, 0.5, 3, 5, 96, 5);
        SftTrainer trainer = new SftTrainer(SftNetwork.latent(tiny.latentModel(21)), tiny.latentCollator(96),
                tiny.train, tiny.valid, other, dir, QUIET);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> trainer.resumeFrom(dir.resolve(SftTrainer.LAST)));
        assertTrue(e.getMessage().contains("\"peak_lr\":0.001"), e.getMessage());
    }

    private static void assertBitIdentical(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        for (String name : expected.keySet()) {
            float[] a = expected.get(name).toFloatArray(), b = actual.get(name).toFloatArray();
            for (int i = 0; i < a.length; i++) {
                if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                    throw new AssertionError("weight " + name + "[" + i + "]: " + a[i] + " uninterrupted, " + b[i] + " resumed");
                }
            }
        }
    }
}
