package dev.latentr3.train.rl;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.autograd.GradMode;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.engine.ops.Indexing;
import dev.latentr3.engine.ops.Losses;
import dev.latentr3.engine.ops.Views;
import dev.latentr3.engine.random.Rng;
import dev.latentr3.model.latent.LatentModel;
import dev.latentr3.model.latent.LatentNoise;
import dev.latentr3.model.qwen2.LogitPositions;
import dev.latentr3.model.qwen2.Qwen2ForCausalLM;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;

/**
 * One LR-GRPO micro-step (method doc §3, §10.2) over any number of groups: each example is a group of G copies, copy
 * 0 with the clean latent r, copy k with r + sigma * eps_k. The LLM (embeddings and LM head included) is frozen;
 * only LatentRATT gets gradients, accumulated into its parameters' {@code grad()} (zero them between steps).
 *
 * <p><b>What is computed</b>, exactly as the released code: the reward of a copy is s = -exp(-(1/|y|) sum_i log
 * p(y_i | x, r_k, y_&lt;i)) = -PPL of the ground-truth target (no decoding); advantages from {@link Advantages}; the
 * loss is the reference's clipped-ratio GRPO loss, token-mean over a group and mean over the groups (the reference
 * averages its one-group micro-batches). With num_iterations = 1 the reference's old log-probs are the new ones
 * detached, so the ratio is 1, the clip never acts, and per group
 * <pre>
 *   L_group = -(1/G) sum_k A_k (1/|y|) sum_i log p(y_i | x, r_k, y_&lt;i),   r_k = LatentRATT_theta(H) + sigma eps_k
 * </pre>
 * The differentiated "policy log-prob" is the LLM likelihood of the target given the re-parameterised latent, the
 * gradient reaching theta through r_k; no Gaussian density is used (doc §3.2, §9.8). No reference model, no KL.
 *
 * <p><b>How</b> (doc §11.1, §11.2, §11.3, §11.4, §11.9), equal in value to the reference's per-copy recomputation:
 * <ol>
 *   <li>per group, one prompt pass and r, by {@link LatentModel#inject} on the single example (the reference runs
 *       it for each of the G copies, twice);</li>
 *   <li>one pass over the G copies (batched as G rows) with the injected latents x_k = r + sigma eps_k as a leaf,
 *       logits only at the |y| target positions; its per-copy mean log-likelihood m_k gives the reward (detached:
 *       the reference's second, no-grad pass computes the same numbers) and, by one backward of sum_k m_k, the
 *       gradients g_k = dm_k/dx_k (rows are independent, so one backward gives all of them); the group's LLM graph
 *       is freed before the next group;</li>
 *   <li>after all groups, the advantages, then dL/dr_group = -(1/(P G)) sum_k A_k g_k is back-propagated through
 *       LatentRATT once per group.</li>
 * </ol>
 * Not yet done: sharing the frozen prompt prefix's KV cache between the r pass and the G continuations (doc §11.7,
 * §11.8): the model's cached forward is inference-only, so the copies' pass still runs over the whole sequence.
 *
 * <p><b>N &gt; 1 latent tokens</b> ({@link LrGrpoConfig#latentTokens}): copy k's trajectory is autoregressive,
 * x_{k,i} = LatentRATT(H(x_{k,&lt;i})) + sigma eps_{k,i} (each latent gets its own noise; copy 0 none), so from the
 * second latent on the copies differ and r cannot be shared. The reward is unchanged (-PPL of the target after the N
 * latents). The gradient reaches theta through every latent and through the frozen LLM passes between them, so
 * the decoupling above does not apply: a no-grad pass over each group's G copies gives the rewards, then, with the
 * advantages known, a second pass per group with gradients is back-propagated and freed (the reference's own two
 * passes, with memory bounded by one group's graph).
 *
 * <p><b>Learned sigma</b> ({@link SigmaLearning}): x = r + sigma eps with sigma = exp(log sigma) an autograd node, so
 * dL/d log sigma = sigma * sum over copies and latents of dL/dx * eps (the re-parameterisation gradient), reached by
 * the same backward as theta's.
 */
public final class LrGrpoStep {
    /**
     * What a step computed.
     *
     * @param loss       the reference's loss value: mean over groups of the token-mean clipped-ratio loss. With the
     *                   ratio identically 1 its value is -(1/(P G)) sum A (0 for the group-standardised advantage);
     *                   its gradient is that of -(1/(P G)) sum_k A_k m_k, which is what is back-propagated
     * @param rewards    [groups][G] rewards, -PPL of the target; copy 0 clean
     * @param advantages [groups][G]
     */
    public record Result(double loss, double[][] rewards, double[][] advantages) {
        /** Mean of the clean copies' rewards (copy 0), the quantity RL should raise. */
        public double cleanRewardMean() {
            double s = 0;
            for (double[] g : rewards) s += g[0];
            return s / rewards.length;
        }

        public double rewardMean() {
            return mean(rewards);
        }

        public double advantageMean() {
            return mean(advantages);
        }

        public double advantageStd() {
            double m = advantageMean(), sq = 0;
            int n = 0;
            for (double[] g : advantages) for (double a : g) { sq += (a - m) * (a - m); n++; }
            return Math.sqrt(sq / n);
        }

        private static double mean(double[][] values) {
            double s = 0;
            int n = 0;
            for (double[] g : values) for (double v : g) { s += v; n++; }
            return s / n;
        }
    }

    private final LatentModel model;
    private final LrGrpoConfig config;
    private final NoiseScale noiseScale;

    /**
     * Freezes the model's LLM (every weight, embeddings and LM head) and makes LatentRATT trainable; with a learned
     * sigma, creates its log sigma parameter at the configured sigma.
     */
    public LrGrpoStep(LatentModel model, LrGrpoConfig config) {
        this.model = model;
        this.config = config;
        this.noiseScale = new NoiseScale(config, model.attention().hiddenSize());
        model.llm().requiresGrad(false);
        model.attention().requiresGrad(true);
    }

    public LrGrpoConfig config() {
        return config;
    }

    /** sigma, fixed or learned. */
    public NoiseScale noiseScale() {
        return noiseScale;
    }

    /** What the step trains, by name: LatentRATT's parameters, then log sigma when sigma is learned. */
    public SequencedMap<String, Tensor> namedParameters() {
        SequencedMap<String, Tensor> all = new LinkedHashMap<>(model.attention().namedParameters());
        all.putAll(noiseScale.namedParameters());
        return all;
    }

    /**
     * Noise for {@code groups} groups: F32 [groups, G, N * d] (copy k's eps for latent i at [.., k, i * d ..]), copy 0
     * of each group zero, the others N(0, 1) from rng.
     */
    public Tensor drawNoise(int groups, Rng rng) {
        int g = config.groupSize(), d = model.attention().hiddenSize() * config.latentTokens();
        float[] eps = new float[Math.multiplyExact(Math.multiplyExact(groups, g), d)];
        if (g > 1) {
            float[] draws = rng.normal(Tensor.empty(groups * (g - 1) * d), 0f, 1f).toFloatArray();
            for (int p = 0; p < groups; p++) {
                System.arraycopy(draws, p * (g - 1) * d, eps, (p * g + 1) * d, (g - 1) * d);
            }
        }
        return Tensor.of(eps, groups, g, d);
    }

    /** {@link #run(List, Tensor)} with noise drawn from rng. */
    public Result run(List<RlExample> groups, Rng rng) {
        return run(groups, drawNoise(groups.size(), rng));
    }

    /**
     * The step over {@code groups} (one example each) with the given noise F32 [groups, G, N * d] (copy 0 should be
     * zero to keep the reference's clean copy); accumulates the gradients of LatentRATT (and of log sigma when
     * learned) and returns the loss, rewards and advantages.
     */
    public Result run(List<RlExample> groups, Tensor eps) {
        int p = groups.size(), g = config.groupSize(), n = config.latentTokens(), d = model.attention().hiddenSize();
        if (p == 0) throw new IllegalArgumentException("LrGrpoStep: expected at least one group");
        if (eps.dim() != 3 || eps.size(0) != p || eps.size(1) != g || eps.size(2) != n * d) {
            throw new IllegalArgumentException("LrGrpoStep: noise " + eps.describe() + " must be [" + p + ", " + g + ", "
                    + n * d + "] for " + p + " groups of " + g + " copies" + (n > 1 ? " of " + n + " latents" : ""));
        }
        return n == 1 ? runOneLatent(groups, eps) : runSeveralLatents(groups, eps);
    }

    /** N = 1: r once per group, one pass with gradients over the copies, decoupled backward (class doc). */
    private Result runOneLatent(List<RlExample> groups, Tensor eps) {
        int p = groups.size(), g = config.groupSize(), d = model.attention().hiddenSize();
        float[] noise = eps.toFloatArray();
        float[] sigma = noiseScale.values();
        Tensor[] latents = new Tensor[p];
        double[][] meanLogp = new double[p][];
        float[][][] gradients = new float[p][][];
        for (int i = 0; i < p; i++) {
            RlExample example = groups.get(i);
            int[] sequence = example.sequence(model.thoughtId());
            requireThoughts(sequence, i, 1);
            // Step 1: the prompt pass and r, once per group; r keeps its graph into LatentRATT for step 3.
            latents[i] = model.inject(Tensor.ofInts(sequence, 1, sequence.length), null, LatentNoise.none()).latents();
            float[] r = latents[i].toFloatArray();
            CopyPass pass = copies(example, sequence, r, sigma, noise, i * g * d);
            meanLogp[i] = pass.meanLogp();
            gradients[i] = pass.gradients();
        }
        double[][] rewards = new double[p][g];
        for (int i = 0; i < p; i++) for (int k = 0; k < g; k++) rewards[i][k] = -Math.exp(-meanLogp[i][k]);
        double[][] advantages = Advantages.compute(config.advantages(), rewards, config.groupsPerBatch());

        for (int i = 0; i < p; i++) {
            if (!noiseScale.learned()) {
                float[] dLdr = new float[d];
                for (int k = 0; k < g; k++) {
                    float c = (float) (-advantages[i][k] / ((double) p * g));
                    for (int j = 0; j < d; j++) dLdr[j] += c * gradients[i][k][j];
                }
                latents[i].backward(Tensor.of(dLdr, 1, 1, d));
            } else {
                // x_k = r + eps_k * sigma in the graph, so one backward of dL/dx reaches both theta and log sigma.
                float[] dLdx = new float[g * d];
                for (int k = 0; k < g; k++) {
                    float c = (float) (-advantages[i][k] / ((double) p * g));
                    for (int j = 0; j < d; j++) dLdx[k * d + j] = c * gradients[i][k][j];
                }
                Tensor groupEps = Tensor.of(java.util.Arrays.copyOfRange(noise, i * g * d, (i + 1) * g * d), g, d);
                Tensor x = latents[i].reshape(1, d).add(groupEps.mul(noiseScale.sigmaNode()));
                x.backward(Tensor.of(dLdx, g, d));
            }
        }
        return new Result(referenceLoss(advantages), rewards, advantages);
    }

    /**
     * N > 1: per group, the G copies' autoregressive trajectories without gradients for the rewards; after the
     * advantages, the same trajectories with gradients, back-propagated group by group (class doc).
     */
    private Result runSeveralLatents(List<RlExample> groups, Tensor eps) {
        int p = groups.size(), g = config.groupSize();
        double[][] rewards = new double[p][];
        try (var noGrad = GradMode.noGrad()) {
            for (int i = 0; i < p; i++) {
                try (TensorScope scope = TensorScope.open()) {
                    float[] m = trajectories(groups.get(i), i, eps).toFloatArray();
                    rewards[i] = new double[g];
                    for (int k = 0; k < g; k++) rewards[i][k] = -Math.exp(-(double) m[k]);
                }
            }
        }
        double[][] advantages = Advantages.compute(config.advantages(), rewards, config.groupsPerBatch());
        for (int i = 0; i < p; i++) {
            try (TensorScope scope = TensorScope.open()) {
                float[] c = new float[g];
                for (int k = 0; k < g; k++) c[k] = (float) (-advantages[i][k] / ((double) p * g));
                trajectories(groups.get(i), i, eps).mul(Tensor.of(c, g)).sum().backward();
            }
        }
        return new Result(referenceLoss(advantages), rewards, advantages);
    }

    /**
     * Group i's G copies (one row each) through {@link LatentModel#forward} with their N noisy latents: the mean
     * target log-likelihood m_k of each copy, F32 [G], recorded for autograd unless grad mode is off.
     */
    private Tensor trajectories(RlExample example, int group, Tensor eps) {
        int g = config.groupSize(), n = config.latentTokens(), d = model.attention().hiddenSize();
        int[] sequence = example.sequence(model.thoughtId(), n);
        requireThoughts(sequence, group, n);
        int l = sequence.length, first = example.thoughtPosition() + n - 1, len = example.target().length;
        int[] ids = new int[g * l], rows = new int[g * len], positions = new int[g * len], targets = new int[g * len];
        for (int k = 0; k < g; k++) {
            System.arraycopy(sequence, 0, ids, k * l, l);
            for (int j = 0; j < len; j++) {
                rows[k * len + j] = k;
                positions[k * len + j] = first + j; // the last thought position predicts the first target token
                targets[k * len + j] = example.target()[j];
            }
        }
        Tensor groupEps = Views.slice(eps, 0, group, group + 1).reshape(g, n, d).contiguous();
        LatentNoise noise = noiseScale.learned() ? LatentNoise.scaled(noiseScale.sigmaNode(), groupEps)
                : LatentNoise.given(config.sigma(), groupEps);
        Tensor logits = model.forward(Tensor.ofInts(ids, g, l), null, LogitPositions.of(rows, positions), noise)
                .output().logits();
        return Losses.logProbGather(logits, Tensor.ofInts(targets, g * len), -100).reshape(g, len).mean(false, 1);
    }

    /**
     * The reference's loss value, the mean over groups of the token-mean clipped-ratio loss: with the ratio
     * identically 1 it is -(1/(P G)) sum A.
     */
    private double referenceLoss(double[][] advantages) {
        double loss = 0;
        for (double[] group : advantages) {
            double groupLoss = 0;
            for (double a : group) groupLoss -= a / group.length;
            loss += groupLoss / advantages.length;
        }
        return loss;
    }

    /**
     * The clean reward -PPL of each example's target with the noise-free latent (no gradients): what RL should
     * raise, for evaluation.
     */
    public double[] cleanRewards(List<RlExample> examples) {
        double[] out = new double[examples.size()];
        try (var noGrad = GradMode.noGrad()) {
            for (int i = 0; i < out.length; i++) {
                RlExample example = examples.get(i);
                int n = config.latentTokens();
                int[] sequence = example.sequence(model.thoughtId(), n);
                requireThoughts(sequence, i, n);
                int len = example.target().length, t = example.thoughtPosition() + n - 1;
                try (TensorScope scope = TensorScope.open()) {
                    int[] rows = new int[len], positions = new int[len];
                    for (int j = 0; j < len; j++) positions[j] = t + j;
                    Tensor logits = model.forward(Tensor.ofInts(sequence, 1, sequence.length), null,
                            LogitPositions.of(rows, positions), LatentNoise.none()).output().logits();
                    float m = Losses.logProbGather(logits, Tensor.ofInts(example.target(), len), -100).mean().item();
                    out[i] = -Math.exp(-m);
                }
            }
        }
        return out;
    }

    /** A group's per-copy mean target log-likelihoods m_k and gradients dm_k/dx_k, [G][d]. */
    private record CopyPass(double[] meanLogp, float[][] gradients) {}

    /** Step 2: the G copies with x_k = r + sigma eps_k injected, as one batch of G rows. */
    private CopyPass copies(RlExample example, int[] sequence, float[] r, float[] sigma, float[] noise, int noiseOffset) {
        Qwen2ForCausalLM llm = model.llm();
        int g = config.groupSize(), d = r.length, l = sequence.length, t = example.thoughtPosition();
        int[] target = example.target();
        int len = target.length;
        try (TensorScope scope = TensorScope.open()) {
            int[] ids = new int[g * l], thoughtRows = new int[g], rows = new int[g * len], positions = new int[g * len];
            int[] targets = new int[g * len];
            float[] injected = new float[g * d];
            for (int k = 0; k < g; k++) {
                System.arraycopy(sequence, 0, ids, k * l, l);
                thoughtRows[k] = k * l + t;
                for (int j = 0; j < d; j++) injected[k * d + j] = r[j] + sigma[j] * noise[noiseOffset + k * d + j];
                for (int i = 0; i < len; i++) {
                    rows[k * len + i] = k;
                    positions[k * len + i] = t + i; // the thought position predicts the first target token
                    targets[k * len + i] = target[i];
                }
            }
            Tensor x = Tensor.of(injected, g, d).requiresGrad(true);
            Tensor embeds = Indexing.indexPut(llm.embed(Tensor.ofInts(ids, g, l)).reshape(g * l, d),
                    Tensor.ofInts(thoughtRows, g), x).reshape(g, l, d);
            Tensor logits = llm.forwardEmbeddings(embeds, null, null, LogitPositions.of(rows, positions)).logits();
            Tensor mean = Losses.logProbGather(logits, Tensor.ofInts(targets, g * len), -100).reshape(g, len)
                    .mean(false, 1);
            float[] m = mean.toFloatArray();
            mean.sum().backward();
            float[] grad = x.grad().toFloatArray();
            double[] meanLogp = new double[g];
            float[][] gradients = new float[g][];
            for (int k = 0; k < g; k++) {
                meanLogp[k] = m[k];
                gradients[k] = java.util.Arrays.copyOfRange(grad, k * d, (k + 1) * d);
            }
            return new CopyPass(meanLogp, gradients);
        }
    }

    private void requireThoughts(int[] sequence, int group, int expected) {
        int n = 0;
        for (int id : sequence) if (id == model.thoughtId()) n++;
        if (n != expected) {
            throw new IllegalArgumentException("LrGrpoStep: example " + group + " holds " + n + " thought tokens (id "
                    + model.thoughtId() + "); LR-GRPO with N = " + expected + " needs exactly " + expected
                    + ", before the target (the prompt and target must not contain the thought id)");
        }
    }
}
