package dev.latentr3.train.rl;

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
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RL checkpoints and determinism, exact: the CPU kernels give the same bits in every JIT tier, so a run is a pure
 * function of its seed and a resumed run computes what the uninterrupted one computes, double for double.
 * 6 steps of 2 groups over 3 examples (the data order crosses passes, so reshuffles happen after a resume too).
 */
class RlResumeTest {
    private static final List<RlExample> EXAMPLES = TinyLatent.examples(3, 11);
    private static final int STEPS = 6;
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    /** Warm-up then cosine, so the schedule position matters; group-standardised and batch advantages both covered. */
    private static RlTrainer.Settings settings(LrGrpoConfig grpo) {
        return new RlTrainer.Settings(STEPS, 2, 3e-3, 2, 1.0, 0.01, 42, grpo);
    }

    private static final LrGrpoConfig ONE_LATENT = new LrGrpoConfig(3, 0.3f, Advantages.Kind.GROUP_MEAN_STD, 0);
    /** Two latents and a learned per-dimension sigma: the log sigma parameter and its moments must come back too. */
    private static final LrGrpoConfig TWO_LATENTS_LEARNED_SIGMA = new LrGrpoConfig(3, 0.3f, Advantages.Kind.BATCH_BASELINE,
            0, 2, SigmaLearning.learned(true, 0.05f, 3f));

    /** The uninterrupted run of each configuration, computed once (runs are pure functions of their settings). */
    private static final Map<LrGrpoConfig, List<RlTrainer.StepMetrics>> WHOLE = new ConcurrentHashMap<>();

    private static List<RlTrainer.StepMetrics> whole(LrGrpoConfig grpo) {
        return WHOLE.computeIfAbsent(grpo, g -> new RlTrainer(model(0), EXAMPLES, settings(g)).run(null, null));
    }

    private static LatentModel model(long latentSeed) {
        return TinyLatent.model(7, 0.3, latentSeed == 0 ? 0.3 : 0.05 * latentSeed);
    }

    @Test
    void resumingFromTheEndOfAnInterruptedRunGivesExactlyTheUninterruptedMetrics(@TempDir Path dir) throws Exception {
        for (LrGrpoConfig grpo : List.of(ONE_LATENT, TWO_LATENTS_LEARNED_SIGMA)) {
            Path sub = Files.createDirectories(dir.resolve("n" + grpo.latentTokens()));
            List<RlTrainer.StepMetrics> whole = whole(grpo);

            Path checkpoint = sub.resolve("rl-checkpoint"), metrics = sub.resolve("rl.jsonl");
            RlTrainer first = new RlTrainer(model(0), EXAMPLES, settings(grpo).withCheckpoints(checkpoint, 0));
            List<RlTrainer.StepMetrics> joined = new ArrayList<>(first.run(4, metrics, null));
            assertEquals(4, TrainingCheckpoint.readState(checkpoint).step(), "the checkpoint written when run returned");

            // A fresh model whose LatentRATT starts elsewhere: everything trained must come from the checkpoint.
            RlTrainer second = new RlTrainer(model(3), EXAMPLES, settings(grpo).withCheckpoints(checkpoint, 0));
            second.resumeFrom(checkpoint);
            assertEquals(4, second.stepsDone());
            joined.addAll(second.run(metrics, null));
            assertSameComputation(whole, joined, grpo.toString());
            assertEquals(STEPS, Files.readAllLines(metrics).size(), "the resumed run appends to the metrics file");
            assertEquals(STEPS, TrainingCheckpoint.readState(checkpoint).step());
        }
    }

    @Test
    void thePeriodicCheckpointOfARunThatDiedResumesExactly(@TempDir Path dir) {
        List<RlTrainer.StepMetrics> whole = whole(TWO_LATENTS_LEARNED_SIGMA);
        Path checkpoint = dir.resolve("rl-checkpoint");
        RlTrainer.Settings every2 = settings(TWO_LATENTS_LEARNED_SIGMA).withCheckpoints(checkpoint, 2);
        RlTrainer dying = new RlTrainer(model(0), EXAMPLES, every2);
        // The process "dies" in step 4's progress report: after the checkpoint of step 2, before that of step 4.
        PrintStream crashing = new PrintStream(OutputStream.nullOutputStream()) {
            @Override
            public void println(String line) {
                if (line.contains(" 4/" + STEPS)) throw new IllegalStateException("simulated crash");
            }

            @Override
            public void print(String text) {
                println(text);
            }
        };
        assertThrows(IllegalStateException.class, () -> dying.run(null, crashing));
        assertEquals(2, TrainingCheckpoint.readState(checkpoint).step());

        RlTrainer resumed = new RlTrainer(model(3), EXAMPLES, every2);
        resumed.resumeFrom(checkpoint);
        assertSameComputation(whole.subList(2, STEPS), resumed.run(null, QUIET), "steps 3.. after the periodic checkpoint");
    }

    @Test
    void theSameSeedGivesIdenticalMetricsAndAnotherSeedOthers() {
        for (LrGrpoConfig grpo : List.of(ONE_LATENT, TWO_LATENTS_LEARNED_SIGMA)) {
            List<RlTrainer.StepMetrics> a = whole(grpo);
            List<RlTrainer.StepMetrics> b = new RlTrainer(model(0), EXAMPLES, settings(grpo)).run(null, null);
            assertSameComputation(a, b, "same seed, " + grpo);
            List<RlTrainer.StepMetrics> c = new RlTrainer(model(0), EXAMPLES, settings(grpo).withSeed(43)).run(3, null, null);
            for (int i = 0; i < c.size(); i++) {
                assertTrue(a.get(i).rewardMean() != c.get(i).rewardMean() && a.get(i).gradNorm() != c.get(i).gradNorm(),
                        "another seed, other noise and data order at step " + (i + 1) + ", " + grpo);
            }
        }
    }

    @Test
    void resumeRefusesACheckpointOfOtherSettings(@TempDir Path dir) {
        Path checkpoint = dir.resolve("ck");
        new RlTrainer(model(0), EXAMPLES, settings(ONE_LATENT).withCheckpoints(checkpoint, 0)).run(1, null, null);
        RlTrainer other = new RlTrainer(model(0), EXAMPLES, settings(ONE_LATENT.withSigma(0.4f)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> other.resumeFrom(checkpoint));
        assertTrue(e.getMessage().contains("\"sigma\":0.4"), e.getMessage());
        RlTrainer fewer = new RlTrainer(model(0), EXAMPLES.subList(0, 2), settings(ONE_LATENT));
        assertThrows(IllegalArgumentException.class, () -> fewer.resumeFrom(checkpoint), "other examples");
    }

    @Test
    void aResumedTrainerRewritesTheSameCheckpointBytes(@TempDir Path dir) throws Exception {
        Path checkpoint = dir.resolve("ck"), again = dir.resolve("again");
        new RlTrainer(model(0), EXAMPLES, settings(TWO_LATENTS_LEARNED_SIGMA).withCheckpoints(checkpoint, 0)).run(3, null, null);
        RlTrainer resumed = new RlTrainer(model(3), EXAMPLES, settings(TWO_LATENTS_LEARNED_SIGMA));
        resumed.resumeFrom(checkpoint);
        resumed.writeCheckpoint(again);
        for (String file : List.of("model.safetensors", "optimizer.safetensors", "trainer_state.json")) {
            assertArrayEquals(Files.readAllBytes(checkpoint.resolve(file)), Files.readAllBytes(again.resolve(file)), file);
        }
        String state = Files.readString(checkpoint.resolve("trainer_state.json"));
        assertTrue(state.contains("\"streams\"") && state.contains("\"noise\""), state);
    }

    private static void assertSameComputation(List<RlTrainer.StepMetrics> expected, List<RlTrainer.StepMetrics> actual,
                                              String what) {
        assertEquals(expected.size(), actual.size(), what);
        for (int i = 0; i < expected.size(); i++) {
            assertTrue(expected.get(i).sameComputation(actual.get(i)),
                    what + ", step " + expected.get(i).step() + ":\n  expected " + expected.get(i) + "\n  actual   " + actual.get(i));
        }
    }
}
