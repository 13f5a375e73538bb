package dev.latentr3.train.rl;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.autograd.GradMode;
import dev.latentr3.engine.ops.Losses;
import dev.latentr3.engine.ops.Views;
import dev.latentr3.model.latent.LatentModel;
import dev.latentr3.model.latent.LatentNoise;
import dev.latentr3.model.qwen2.LogitPositions;

import java.util.List;

/**
 * The released code's LR-GRPO micro-step written out as it runs (method doc §10.2), for comparison with
 * {@link LrGrpoStep}: every copy recomputes the prompt pass and r (through {@link LatentModel#forward} with the
 * copy's noise), a no-grad pass gives the old log-probs and rewards, a second pass with grad gives the log-probs
 * whose clipped-ratio loss (old := new.detach(), num_iterations = 1) is token-averaged per group; the groups'
 * losses are averaged (gradient accumulation). Backward runs from that scalar.
 *
 * <p>With N &gt; 1 latent tokens each copy's N latents are drawn autoregressively with its own noise on each, by
 * {@link LatentModel#forward}, and the last thought position predicts the first target token. A sigma tensor (one
 * per dimension, or one value) replaces the scalar sigma when given; it is held fixed here (no gradient).
 */
final class PerCopyReference {
    static final double CLIP_LOW = 0.2, CLIP_HIGH = 0.28;

    private PerCopyReference() {}

    record Outcome(double loss, double[][] rewards) {}

    static Outcome step(LatentModel model, LrGrpoConfig config, List<RlExample> groups, Tensor eps) {
        return step(model, config, groups, eps, null);
    }

    /** The step with noise eps F32 [P, G, N * d] scaled by {@code sigma} F32 [1] or [d] (null: config's sigma). */
    static Outcome step(LatentModel model, LrGrpoConfig config, List<RlExample> groups, Tensor eps, Tensor sigma) {
        int p = groups.size(), g = config.groupSize(), d = model.attention().hiddenSize();
        double[][] rewards = new double[p][g];
        try (var noGrad = GradMode.noGrad()) {
            for (int i = 0; i < p; i++) {
                float[] lp = logProbs(model, config, groups.get(i), eps, sigma, i).toFloatArray();
                int len = groups.get(i).target().length;
                for (int k = 0; k < g; k++) {
                    double sum = 0;
                    for (int j = 0; j < len; j++) sum += lp[k * len + j];
                    rewards[i][k] = -Math.exp(-sum / len);
                }
            }
        }
        double[][] a = Advantages.compute(config.advantages(), rewards, config.groupsPerBatch());
        Tensor total = null;
        for (int i = 0; i < p; i++) {
            int len = groups.get(i).target().length;
            Tensor lp = logProbs(model, config, groups.get(i), eps, sigma, i);
            Tensor ratio = lp.sub(lp.detach()).exp();
            float[] ratios = ratio.toFloatArray();
            for (float r : ratios) {
                if (r < 1 - CLIP_LOW || r > 1 + CLIP_HIGH) throw new AssertionError("the clip would act at ratio " + r);
            }
            float[] adv = new float[g * len];
            for (int k = 0; k < g; k++) for (int j = 0; j < len; j++) adv[k * len + j] = (float) a[i][k];
            // -min(ratio A, clip(ratio) A) = -ratio A inside the clip range (checked above).
            Tensor groupLoss = ratio.mul(Tensor.of(adv, g * len)).sum().scale(-1f / (g * len));
            total = total == null ? groupLoss : total.add(groupLoss);
        }
        total = total.scale(1f / p);
        double loss = total.item();
        total.backward();
        return new Outcome(loss, rewards);
    }

    /** Per-token log-probs [G * |y|] of a group's target, every copy through the full latent forward. */
    static Tensor logProbs(LatentModel model, LrGrpoConfig config, RlExample example, Tensor eps, Tensor sigma,
                           int group) {
        int g = config.groupSize(), d = model.attention().hiddenSize(), n = config.latentTokens();
        int[] seq = example.sequence(model.thoughtId(), n);
        int l = seq.length, t = example.thoughtPosition() + n - 1, len = example.target().length;
        int[] ids = new int[g * l], rows = new int[g * len], pos = new int[g * len], targets = new int[g * len];
        for (int k = 0; k < g; k++) {
            System.arraycopy(seq, 0, ids, k * l, l);
            for (int j = 0; j < len; j++) {
                rows[k * len + j] = k;
                pos[k * len + j] = t + j;
                targets[k * len + j] = example.target()[j];
            }
        }
        Tensor groupEps = Views.slice(eps, 0, group, group + 1).reshape(g, n, d).contiguous();
        LatentNoise noise = sigma == null ? LatentNoise.given(config.sigma(), groupEps) : LatentNoise.scaled(sigma, groupEps);
        Tensor logits = model.forward(Tensor.ofInts(ids, g, l), null, LogitPositions.of(rows, pos), noise).output().logits();
        return Losses.logProbGather(logits, Tensor.ofInts(targets, g * len), -100);
    }
}
