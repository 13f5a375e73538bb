package dev.latentr3.train.rl;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.autograd.GradMode;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.engine.random.Rng;
import dev.latentr3.model.latent.LatentModel;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gradient of a learned log sigma against central finite differences. With the advantages A held fixed (they
 * are constants of the GRPO loss, as in the reference), the step's loss as a function of log sigma is
 * <pre>
 *   J(log sigma) = -(1/(P G)) sum_{i,k} A_ik m_ik,   m_ik = mean_j log p(y_j | x, latents r + exp(log sigma) eps_ik)
 * </pre>
 * J is evaluated independently of {@link LrGrpoStep} (through {@link PerCopyReference#logProbs}, the full latent
 * forward with the noise scaled by the perturbed sigma), the m_ik summed in double, and
 * fd = (J(s + h) - J(s - h)) / 2h compared with the autograd gradient the step accumulated.
 *
 * <p>Tolerance: the L2-normalised advantages over P G = 8 copies make J small (|dJ/d log sigma| ~ 4e-3 here), so
 * the check is relative: |ad - fd| <= 1e-2 |fd| + 1e-6. The forward is F32, so J carries ~1e-7 of rounding, ~1e-5
 * after dividing by 2h, and truncation adds h^2/6 f'''. Measured: relative differences 1.1e-3 and 3e-3 (scalar, N = 1, 2),
 * 6e-5 .. 6e-4 (per dimension); a wrong chain rule (a missing sigma factor, eps not multiplied in, a sign) is off by
 * 30 % or more.
 */
class LearnedSigmaTest {
    private static final List<RlExample> EXAMPLES = TinyLatent.examples(2, 11);
    private static final double H = 1e-2;

    @Test
    void scalarLogSigmaGradientMatchesCentralDifferencesForOneAndTwoLatents() {
        for (int n = 1; n <= 2; n++) {
            LrGrpoConfig config = new LrGrpoConfig(4, 0.7f, Advantages.Kind.BATCH_BASELINE, 0, n, SigmaLearning.learned(false));
            Checked c = check(config, new int[]{0});
            System.out.printf("learned sigma, N=%d scalar: autograd %.6g, central difference %.6g%n", n, c.autograd[0], c.fd[0]);
            assertTrue(Math.abs(c.fd[0]) > 1e-3, "a gradient this small is lost in rounding: " + c.fd[0]);
            assertEquals(c.fd[0], c.autograd[0], 1e-2 * Math.abs(c.fd[0]) + 1e-6, "N = " + n);
        }
    }

    @Test
    void perDimensionLogSigmaGradientMatchesCentralDifferencesAndSumsToTheScalarOne() {
        int[] dims = {0, 5, 17, 31};
        LrGrpoConfig config = new LrGrpoConfig(4, 0.7f, Advantages.Kind.BATCH_BASELINE, 0, 2, SigmaLearning.learned(true));
        Checked c = check(config, dims);
        for (int i = 0; i < dims.length; i++) {
            System.out.printf("learned sigma, per dimension %d: autograd %.6g, central difference %.6g%n", dims[i], c.autograd[i], c.fd[i]);
            assertTrue(Math.abs(c.fd[i]) > 1e-3, "a gradient this small is lost in rounding: " + c.fd[i]);
            assertEquals(c.fd[i], c.autograd[i], 1e-2 * Math.abs(c.fd[i]) + 1e-6, "dimension " + dims[i]);
        }
        // At equal sigmas, d J / d log sigma (one scalar) = sum over dimensions of the per-dimension gradients.
        Checked scalar = check(config.withSigmaLearning(SigmaLearning.learned(false)), new int[]{0});
        double sum = 0;
        for (float g : c.all) sum += g;
        assertEquals(scalar.autograd[0], sum, 1e-4 * Math.abs(sum));
    }

    @Test
    void boundsHoldTheLearnedSigmaAfterEveryStep() {
        LatentModel model = TinyLatent.model(7, 0.3, 0.3);
        var settings = new RlTrainer.Settings(4, 2, 0.5, 0, 1e9, 0.0, 42,
                new LrGrpoConfig(4, 0.5f, Advantages.Kind.BATCH_BASELINE, 0, 1, SigmaLearning.learned(true, 0.45f, 0.55f)));
        RlTrainer trainer = new RlTrainer(model, EXAMPLES, settings);
        boolean moved = false;
        for (int s = 0; s < 4; s++) {
            trainer.step();
            for (float sigma : trainer.grpo().noiseScale().values()) {
                assertTrue(sigma >= 0.45f * (1 - 1e-6) && sigma <= 0.55f * (1 + 1e-6), "sigma " + sigma + " after step " + (s + 1));
                moved |= Math.abs(sigma - 0.5f) > 1e-3;
            }
        }
        assertTrue(moved, "with lr 0.5 sigma should have moved");
        assertThrows(IllegalArgumentException.class, () -> LrGrpoConfig.reference().withSigma(0.1f)
                .withSigmaLearning(SigmaLearning.learned(false, 0.2f, 1f)), "the initial sigma must be within the bounds");
        assertThrows(IllegalArgumentException.class, () -> SigmaLearning.learned(false, 2f, 1f));
    }

    private record Checked(double[] autograd, double[] fd, float[] all) {}

    private static Checked check(LrGrpoConfig config, int[] dims) {
        LatentModel model = TinyLatent.model(7, 0.3, 0.3);
        LrGrpoStep step = new LrGrpoStep(model, config);
        Tensor logSigma = step.noiseScale().namedParameters().get(NoiseScale.NAME);
        try (TensorScope scope = TensorScope.open()) {
            Tensor eps = step.drawNoise(EXAMPLES.size(), Rng.seeded(3));
            double[][] a = step.run(EXAMPLES, eps).advantages();
            float[] grad = logSigma.grad().toFloatArray();
            float[] base = logSigma.toFloatArray();
            double[] autograd = new double[dims.length], fd = new double[dims.length];
            for (int i = 0; i < dims.length; i++) {
                autograd[i] = grad[dims[i]];
                fd[i] = (objective(model, config, eps, a, base, dims[i], H) - objective(model, config, eps, a, base, dims[i], -H)) / (2 * H);
            }
            return new Checked(autograd, fd, grad);
        }
    }

    /** J at log sigma = base with entry {@code dim} moved by {@code delta}. */
    private static double objective(LatentModel model, LrGrpoConfig config, Tensor eps, double[][] a, float[] base,
                                    int dim, double delta) {
        int d = TinyLatent.HIDDEN, p = EXAMPLES.size(), g = config.groupSize();
        float[] sigma = new float[d];
        for (int j = 0; j < d; j++) {
            double log = base.length == 1 ? base[0] : base[j];
            if (base.length == 1 || j == dim) log += delta;
            sigma[j] = (float) Math.exp(log);
        }
        double j = 0;
        try (var noGrad = GradMode.noGrad()) {
            for (int i = 0; i < p; i++) {
                float[] lp = PerCopyReference.logProbs(model, config, EXAMPLES.get(i), eps, Tensor.of(sigma, d), i).toFloatArray();
                int len = EXAMPLES.get(i).target().length;
                for (int k = 0; k < g; k++) {
                    double m = 0;
                    for (int t = 0; t < len; t++) m += lp[k * len + t];
                    j -= a[i][k] / ((double) p * g) * (m / len);
                }
            }
        }
        return j;
    }
}
