package dev.latentr3.train.sft;

import dev.latentr3.engine.Tensor;
import dev.latentr3.model.latent.LatentModel;
import dev.latentr3.train.dataset.SequenceTokens;
import dev.latentr3.train.checkpoint.TrainingCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SftTrainerTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private final TinySft tiny = new TinySft(24);

    private SftTrainer trainer(LatentModel model, SftConfig config, Path out) {
        return new SftTrainer(SftNetwork.latent(model), tiny.latentCollator(96), tiny.train, tiny.valid, config, out, QUIET);
    }

    @Test
    void lossDecreasesOverAFewDozenSteps(@TempDir Path out) throws Exception {
        LatentModel model = tiny.latentModel(11);
        SftConfig config = new SftConfig(4, 1, 5, 3e-3, 5, true, 0.01, 1.0, 1000, 1, 96, 3);
        SftTrainer trainer = trainer(model, config, out);
        double before = trainer.validationLoss();
        SftTrainer.Result result = trainer.run(40, r -> {});
        List<SftTrainer.StepRecord> steps = result.steps();
        assertEquals(40, steps.size());
        double first = meanLoss(steps.subList(0, 5)), last = meanLoss(steps.subList(35, 40));
        double after = trainer.validationLoss();
        double[] late = steps.subList(20, 40).stream().mapToDouble(SftTrainer.StepRecord::seconds).sorted().toArray();
        double tokens = steps.subList(20, 40).stream().mapToLong(SftTrainer.StepRecord::tokens).average().orElseThrow();
        System.out.printf("SFT tiny: train loss %.4f -> %.4f, validation %.4f -> %.4f; steps 21-40: median %.1f ms/step"
                + " (%.0f tokens/step, two passes + backward)%n", first, last, before, after, 1000 * late[10], tokens);
        assertTrue(last < first - 1.0, "train loss of the last 5 steps " + last + " vs the first 5 " + first);
        assertTrue(after < before - 1.0, "validation loss " + after + " vs " + before + " before training");
        List<String> lines = Files.readAllLines(out.resolve(SftTrainer.METRICS));
        assertEquals(40, lines.stream().filter(l -> l.contains("\"type\":\"step\"")).count());
    }

    @Test
    void theBaselineTrainsTheLlmAloneWithoutAThoughtToken(@TempDir Path out) {
        var llm = TinySft.randomLlm(tiny.tokenizer.vocabSize(), 16);
        SftCollator collator = new SftCollator(new SequenceTokens(tiny.tokenizer, TinySft.TEMPLATE, false), 96);
        SftConfig config = new SftConfig(4, 1, 5, 3e-3, 5, true, 0.01, 1.0, 1000, 1, 96, 3);
        SftTrainer trainer = new SftTrainer(SftNetwork.baseline(llm), collator, tiny.train, tiny.valid, config, out, QUIET);
        assertEquals(llm.namedParameters().keySet(), SftNetwork.baseline(llm).namedParameters().keySet());
        double before = trainer.validationLoss();
        trainer.run(20, r -> {});
        double after = trainer.validationLoss();
        System.out.printf("SFT tiny baseline: validation %.4f -> %.4f after 20 steps%n", before, after);
        assertTrue(after < before - 1.0, "validation loss " + after + " vs " + before);
        assertThrows(IllegalArgumentException.class, () -> new SftTrainer(SftNetwork.latent(tiny.latentModel(1)),
                collator, tiny.train, tiny.valid, config, out, QUIET), "a latent network needs thought-token prompts");
    }

    @Test
    void earlyStoppingEndsAPlateauAndKeepsTheBestCheckpoint(@TempDir Path out) {
        // A learning rate of 1e-30 moves no float32 weight by even one ulp: every validation loss equals the first,
        // so the first validation stays the best and each later one counts against the patience of 2.
        SftConfig config = new SftConfig(4, 1, 50, 1e-30, 0, false, 0.0, 1.0, 2, 2, 96, 3);
        SftTrainer trainer = trainer(tiny.latentModel(12), config, out);
        SftTrainer.Result result = trainer.run();
        assertTrue(trainer.totalSteps() > 6);
        assertTrue(result.stoppedEarly());
        assertEquals(6, result.lastStep(), "validations at steps 2 (best), 4 and 6 (no improvement): stop at 6");
        assertEquals(List.of(2L, 4L, 6L), result.evals().stream().map(SftTrainer.EvalRecord::step).toList());
        assertEquals(List.of(true, false, false), result.evals().stream().map(SftTrainer.EvalRecord::improved).toList());
        double firstLoss = result.evals().get(0).validationLoss();
        for (var e : result.evals()) assertEquals(firstLoss, e.validationLoss(), 0.0);
        assertEquals(2, result.bestStep());
        assertEquals(2, TrainingCheckpoint.readState(out.resolve(SftTrainer.BEST)).step());
        assertEquals(6, TrainingCheckpoint.readState(out.resolve(SftTrainer.LAST)).step());
        assertEquals(2, TrainingCheckpoint.readState(out.resolve(SftTrainer.LAST)).evalsWithoutImprovement());
    }

    @Test
    void aNanLossStopsTheRunNamingTheStep(@TempDir Path out) {
        LatentModel model = tiny.latentModel(13);
        SftConfig config = new SftConfig(2, 1, 5, 1e-3, 0, false, 0.0, 1.0, 1000, 1, 96, 3);
        SftTrainer trainer = trainer(model, config, out);
        Tensor norm = model.llm().namedParameters().get("model.norm.weight");
        NonFiniteTrainingException e = assertThrows(NonFiniteTrainingException.class, () -> trainer.run(10, r -> {
            if (r.step() == 2) norm.data().setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, 5, Float.NaN);
        }));
        assertEquals(3, e.step());
        assertEquals("loss", e.tensor());
        assertTrue(e.getMessage().startsWith("SFT step 3: loss is not finite"), e.getMessage());
        assertEquals(2, trainer.step(), "the poisoned step made no update");
    }

    @Test
    void aNanGradientIsNamedByItsParameter() {
        LatentModel model = tiny.latentModel(14);
        var params = model.namedParameters();
        params.values().forEach(p -> p.requiresGrad(true));
        String name = "latent_attention.key.bias";
        for (var e : params.entrySet()) {
            float[] g = new float[Math.toIntExact(e.getValue().numel())];
            if (e.getKey().equals(name)) g[3] = Float.POSITIVE_INFINITY;
            e.getValue().accumulateGrad(Tensor.of(g, e.getValue().shape()));
        }
        NonFiniteTrainingException e = assertThrows(NonFiniteTrainingException.class, () -> FiniteGuard.checkGradients(7, params));
        assertEquals(7, e.step());
        assertEquals(name, e.tensor());
        assertTrue(e.getMessage().contains("sum of squares of Infinity"), e.getMessage());
        // The trainers' form checks and clips from one measurement: it names the same parameter and scales nothing.
        e = assertThrows(NonFiniteTrainingException.class, () -> FiniteGuard.checkAndClip(8, params, 1e-3));
        assertEquals(8, e.step());
        assertEquals(name, e.tensor());
        assertEquals(Float.POSITIVE_INFINITY, params.get(name).grad().toFloatArray()[3], "not scaled");
        params.get(name).zeroGradInPlace();
        FiniteGuard.checkGradients(7, params);
    }

    @Test
    void checkAndClipClipsLikeGradClip() {
        var params = tiny.latentModel(16).namedParameters();
        java.util.Random r = new java.util.Random(3);
        java.util.Map<String, float[]> grads = new java.util.LinkedHashMap<>();
        for (var e : params.entrySet()) {
            float[] g = new float[Math.toIntExact(e.getValue().numel())];
            for (int i = 0; i < g.length; i++) g[i] = (float) r.nextGaussian();
            grads.put(e.getKey(), g);
            e.getValue().requiresGrad(true).zeroGrad();
            e.getValue().accumulateGrad(Tensor.of(g, e.getValue().shape()));
        }
        double want = 0;
        for (float[] g : grads.values()) for (float v : g) want += (double) v * v;
        want = Math.sqrt(want);
        assertEquals(want, FiniteGuard.checkAndClip(1, params, 0.5), 1e-6 * want, "the norm before clipping");
        double after = 0;
        for (var e : params.entrySet()) {
            float[] got = e.getValue().grad().toFloatArray(), g = grads.get(e.getKey());
            for (int i = 0; i < g.length; i++) {
                assertEquals(g[i] * 0.5 / (want + 1e-6), got[i], 1e-6 * Math.abs(g[i]) + 1e-12, e.getKey() + "[" + i + "]");
                after += (double) got[i] * got[i];
            }
        }
        assertEquals(0.5, Math.sqrt(after), 1e-5);
        params.values().forEach(Tensor::zeroGrad);
    }

    @Test
    void nativeMemoryReturnsToTheSameLevelAfterEveryStep(@TempDir Path out) throws InterruptedException {
        SftConfig config = new SftConfig(2, 2, 5, 1e-3, 2, false, 0.01, 1.0, 3, 5, 96, 3);
        SftTrainer trainer = trainer(tiny.latentModel(15), config, out);
        // Tensors of earlier tests made outside any scope are freed when the GC finds them, which would lower the
        // level mid-run; collect them first. The run itself allocates only inside scopes and owned memory.
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        SftTrainer.Result result = trainer.run(8, r -> {});
        // Step 1 allocates the parameters' gradients (owned, kept); every step after must end where it did.
        long level = result.steps().get(0).liveBytesAfter();
        for (var r : result.steps()) assertEquals(level, r.liveBytesAfter(), "live native bytes after step " + r.step());
    }

    private static double meanLoss(List<SftTrainer.StepRecord> steps) {
        return steps.stream().mapToDouble(SftTrainer.StepRecord::loss).average().orElseThrow();
    }
}
