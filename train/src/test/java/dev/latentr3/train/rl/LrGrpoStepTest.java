package dev.latentr3.train.rl;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.random.Rng;
import dev.latentr3.model.latent.LatentModel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LrGrpoStepTest {
    private static final List<RlExample> EXAMPLES = TinyLatent.examples(3, 11);

    private static LatentModel model() {
        return TinyLatent.model(7, 0.3, 0.3);
    }

    @Test
    void oncePerGroupEqualsTheReferencesPerCopyRecomputation() {
        compareWithReference(LrGrpoConfig.reference().withGroupSize(4), EXAMPLES, 1);
        compareWithReference(new LrGrpoConfig(3, 0.7f, Advantages.Kind.BATCH_BASELINE, 2), EXAMPLES, 2);
        compareWithReference(new LrGrpoConfig(5, 1.5f, Advantages.Kind.GROUP_MEAN_STD, 0), EXAMPLES.subList(0, 1), 3);
        compareWithReference(LrGrpoConfig.reference().withGroupSize(1), EXAMPLES, 4);
        compareWithReference(LrGrpoConfig.reference(), EXAMPLES.subList(1, 2), 5);
    }

    @Test
    void severalLatentTokensEqualThePerCopyReference() {
        compareWithReference(LrGrpoConfig.reference().withGroupSize(3).withSigma(0.7f).withLatentTokens(2), EXAMPLES, 6);
        compareWithReference(new LrGrpoConfig(4, 1.5f, Advantages.Kind.GROUP_MEAN_STD, 0).withLatentTokens(3),
                EXAMPLES.subList(0, 2), 7);
        compareWithReference(new LrGrpoConfig(2, 0.5f, Advantages.Kind.BATCH_BASELINE, 2).withLatentTokens(2)
                .withSigmaLearning(SigmaLearning.learned(true)), EXAMPLES, 8);
    }

    @Test
    void aLearnedSigmaGivesTheSameLatentGradientsAsTheReferenceAtThatSigma() {
        compareWithReference(LrGrpoConfig.reference().withGroupSize(4).withSigma(0.7f)
                .withSigmaLearning(SigmaLearning.learned(false)), EXAMPLES, 9);
        compareWithReference(LrGrpoConfig.reference().withGroupSize(3).withSigma(0.7f)
                .withSigmaLearning(SigmaLearning.learned(true, 0.1f, 2f)), EXAMPLES.subList(0, 2), 10);
    }

    private static void compareWithReference(LrGrpoConfig config, List<RlExample> groups, long seed) {
        LatentModel model = model();
        LrGrpoStep step = new LrGrpoStep(model, config);
        Tensor eps = step.drawNoise(groups.size(), Rng.seeded(seed));
        LrGrpoStep.Result ours = step.run(groups, eps);
        List<float[]> ourGrads = gradients(model);
        zeroGrads(model);
        Tensor sigma = step.noiseScale().learned() ? Tensor.of(step.noiseScale().values(), TinyLatent.HIDDEN) : null;
        PerCopyReference.Outcome reference = PerCopyReference.step(model, config, groups, eps, sigma);
        List<float[]> referenceGrads = gradients(model);
        String what = config + " with " + groups.size() + " groups";
        for (int i = 0; i < groups.size(); i++) {
            assertArrayEquals(reference.rewards()[i], ours.rewards()[i], 1e-4 * Math.abs(reference.rewards()[i][0]),
                    "rewards of group " + i + ", " + what);
        }
        assertEquals(reference.loss(), ours.loss(), 1e-5 + 1e-4 * Math.abs(reference.loss()), "loss, " + what);
        double scale = 0;
        for (float[] g : referenceGrads) for (float v : g) scale = Math.max(scale, Math.abs(v));
        assertTrue(scale > 0, "the reference gradient is zero, so the comparison proves nothing: " + what);
        for (int p = 0; p < ourGrads.size(); p++) {
            assertArrayEquals(referenceGrads.get(p), ourGrads.get(p), (float) (2e-4 * scale),
                    "gradient of " + model.attention().namedParameters().sequencedKeySet().toArray()[p] + ", " + what);
        }
    }

    @Test
    void onlyLatentRattReceivesGradients() {
        LatentModel model = model();
        model.llm().requiresGrad(true); // the step must freeze it
        new LrGrpoStep(model, LrGrpoConfig.reference().withGroupSize(3)).run(EXAMPLES.subList(0, 2), Rng.seeded(1));
        model.llm().namedParameters().forEach((name, t) -> {
            assertTrue(!t.requiresGrad(), name + " still requires grad");
            assertNull(t.grad(), name + " got a gradient");
        });
        model.attention().namedParameters().forEach((name, t) -> {
            assertNotNull(t.grad(), name + " got no gradient");
            float max = 0;
            for (float v : t.grad().toFloatArray()) max = Math.max(max, Math.abs(v));
            assertTrue(max > 0, name + "'s gradient is zero");
        });
    }

    @Test
    void everyGroupSizeFromOneToEightAndOddGroupCountsWork() {
        LatentModel model = model();
        double[] clean = null;
        for (int g = 1; g <= 8; g++) {
            zeroGrads(model);
            int groups = g % 2 == 1 ? 3 : 1;
            LrGrpoStep step = new LrGrpoStep(model, LrGrpoConfig.reference().withGroupSize(g));
            LrGrpoStep.Result r = step.run(EXAMPLES.subList(0, groups), Rng.seeded(g));
            assertEquals(groups, r.rewards().length);
            assertTrue(Double.isFinite(r.loss()), "loss at G = " + g);
            for (double[] group : r.rewards()) {
                assertEquals(g, group.length);
                for (double s : group) assertTrue(s < 0 && Double.isFinite(s), "reward " + s + " at G = " + g);
            }
            double[][] expected = Advantages.compute(Advantages.Kind.BATCH_BASELINE, r.rewards(), 0);
            for (int i = 0; i < groups; i++) assertArrayEquals(expected[i], r.advantages()[i], 1e-12);
            // The clean copy does not depend on G or on the other copies.
            if (clean == null) clean = new double[]{r.rewards()[0][0]};
            else assertEquals(clean[0], r.rewards()[0][0], 1e-5 * Math.abs(clean[0]), "clean reward at G = " + g);
        }
    }

    @Test
    void theSameSeedGivesTheSameNoiseAndLoss() {
        LrGrpoConfig config = LrGrpoConfig.reference().withGroupSize(4);
        LrGrpoStep a = new LrGrpoStep(model(), config), b = new LrGrpoStep(model(), config);
        float[] epsA = a.drawNoise(2, Rng.seeded(99)).toFloatArray(), epsB = b.drawNoise(2, Rng.seeded(99)).toFloatArray();
        assertArrayEquals(epsA, epsB, 0);
        for (int p = 0; p < 2; p++) {
            for (int j = 0; j < TinyLatent.HIDDEN; j++) assertEquals(0f, epsA[p * 4 * TinyLatent.HIDDEN + j], "copy 0 is clean");
        }
        float[] other = a.drawNoise(2, Rng.seeded(100)).toFloatArray();
        assertTrue(!java.util.Arrays.equals(epsA, other), "another seed draws other noise");
        LrGrpoStep.Result ra = a.run(EXAMPLES.subList(0, 2), Rng.seeded(99));
        LrGrpoStep.Result rb = b.run(EXAMPLES.subList(0, 2), Rng.seeded(99));
        // Bitwise: the CPU kernels sum in a fixed order, whatever the JIT tier and the batch.
        assertEquals(ra.loss(), rb.loss(), 0);
        for (int i = 0; i < 2; i++) assertArrayEquals(ra.rewards()[i], rb.rewards()[i], 0);
        double[] otherSeed = a.run(EXAMPLES.subList(0, 1), Rng.seeded(100)).rewards()[0];
        assertEquals(ra.rewards()[0][0], otherSeed[0], 0, "the clean copy has no noise");
        assertTrue(Math.abs(ra.rewards()[0][1] - otherSeed[1]) > 1e-3 * Math.abs(otherSeed[1]), "another seed, another noisy reward");
    }

    @Test
    void malformedInputsAreRejected() {
        LrGrpoStep step = new LrGrpoStep(model(), LrGrpoConfig.reference().withGroupSize(2));
        var shape = assertThrows(IllegalArgumentException.class, () -> step.run(EXAMPLES.subList(0, 2), Tensor.zeros(1, 2, 32)));
        assertTrue(shape.getMessage().contains("must be [2, 2, 32]"), shape.getMessage());
        RlExample twoThoughts = new RlExample(new int[]{1, 2, TinyLatent.THOUGHT, 3}, new int[]{4});
        var thoughts = assertThrows(IllegalArgumentException.class, () -> step.run(List.of(twoThoughts), Rng.seeded(1)));
        assertTrue(thoughts.getMessage().contains("2 thought tokens"), thoughts.getMessage());
        assertThrows(IllegalArgumentException.class, () -> step.run(List.of(), Rng.seeded(1)));
    }

    private static List<float[]> gradients(LatentModel model) {
        List<float[]> out = new ArrayList<>();
        for (Tensor t : model.attention().parameters()) out.add(t.grad().toFloatArray());
        return out;
    }

    private static void zeroGrads(LatentModel model) {
        for (Tensor t : model.attention().parameters()) t.zeroGrad();
    }
}
