package dev.latentr3.train.rl;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.engine.optim.AdamW;
import dev.latentr3.engine.optim.GradClip;
import dev.latentr3.engine.optim.LrSchedule;
import dev.latentr3.engine.random.Rng;
import dev.latentr3.model.json.JsonWriter;
import dev.latentr3.model.latent.LatentModel;
import dev.latentr3.train.cli.ProgressBar;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The LR-GRPO training loop (method doc §3.2): each optimiser step takes the next {@code groupsPerStep} examples of
 * a shuffled pass over the data, runs {@link LrGrpoStep}, clips the gradient norm and updates LatentRATT with AdamW
 * on a warm-up + cosine schedule. Metrics go to a progress bar and, one JSON object per step, to a JSONL file.
 *
 * <p>Randomness comes from named forks of one seeded {@link Rng} ("order" for the data order, "noise" for eps), so
 * a run is reproducible and its state is two (key, counter) pairs. Not yet done: checkpoint and resume (to be built
 * on the SFT side's TrainingCheckpoint: LatentRATT weights, AdamW moments and step, both Rng states, data cursor).
 */
public final class RlTrainer {
    /**
     * @param steps         optimiser steps
     * @param groupsPerStep prompts (groups) per step; the reference uses 32 (256 rows of 8 copies)
     * @param learningRate  peak learning rate (the reference sweeps 1e-5 .. 5e-4)
     * @param warmupSteps   linear warm-up steps before the cosine decay (reference: 200)
     * @param maxGradNorm   global gradient-norm clip (Hugging Face's default 1.0)
     * @param weightDecay   AdamW decay of LatentRATT's matrices (Hugging Face's default 0.0)
     * @param seed          seeds data order and noise
     * @param grpo          the step's settings
     */
    public record Settings(int steps, int groupsPerStep, double learningRate, long warmupSteps, double maxGradNorm,
                           double weightDecay, long seed, LrGrpoConfig grpo) {
        public Settings {
            if (steps < 1 || groupsPerStep < 1) {
                throw new IllegalArgumentException("RlTrainer: steps " + steps + " and groupsPerStep " + groupsPerStep
                        + " must be >= 1");
            }
        }

        /** The released recipe's settings (lr 1e-5 of its sweep, 200 warm-up steps capped to the run) for steps. */
        public static Settings reference(int steps) {
            return new Settings(steps, 32, 1e-5, Math.min(200, steps - 1), 1.0, 0.0, 42, LrGrpoConfig.reference());
        }
    }

    /** One step's metrics, as written to the JSONL file. */
    public record StepMetrics(long step, double loss, double rewardMean, double cleanRewardMean, double advantageMean,
                              double advantageStd, double advantageMin, double advantageMax, double gradNorm,
                              double learningRate, double seconds) {
        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("step", step);
            m.put("loss", loss);
            m.put("reward_mean", rewardMean);
            m.put("clean_reward_mean", cleanRewardMean);
            m.put("advantage_mean", advantageMean);
            m.put("advantage_std", advantageStd);
            m.put("advantage_min", advantageMin);
            m.put("advantage_max", advantageMax);
            m.put("grad_norm", gradNorm);
            m.put("learning_rate", learningRate);
            m.put("seconds", seconds);
            return m;
        }
    }

    private final List<RlExample> examples;
    private final Settings settings;
    private final LrGrpoStep grpo;
    private final AdamW optimizer;
    private final LrSchedule schedule;
    private final List<Tensor> parameters;
    private final Rng order, noise;
    private int[] permutation;
    private int cursor;
    private long step;

    public RlTrainer(LatentModel model, List<RlExample> examples, Settings settings) {
        if (examples.isEmpty()) throw new IllegalArgumentException("RlTrainer: no training examples");
        this.examples = List.copyOf(examples);
        this.settings = settings;
        this.grpo = new LrGrpoStep(model, settings.grpo());
        this.parameters = model.attention().parameters();
        this.optimizer = new AdamW(model.attention().namedParameters(),
                AdamW.Hyper.defaults().withWeightDecay(settings.weightDecay()), AdamW.MATRICES_ONLY);
        this.schedule = LrSchedule.warmupCosine(settings.learningRate(), settings.warmupSteps(),
                Math.max(settings.steps(), settings.warmupSteps() + 1), 0.0);
        Rng root = Rng.seeded(settings.seed());
        this.order = root.fork("order");
        this.noise = root.fork("noise");
    }

    public LrGrpoStep grpo() {
        return grpo;
    }

    /** One optimiser step on the next groups of the data. */
    public StepMetrics step() {
        long start = System.nanoTime();
        List<RlExample> batch = new ArrayList<>(settings.groupsPerStep());
        for (int i = 0; i < settings.groupsPerStep(); i++) batch.add(examples.get(next()));
        try (TensorScope scope = TensorScope.open()) {
            optimizer.zeroGrad();
            LrGrpoStep.Result r = grpo.run(batch, noise);
            double gradNorm = GradClip.clipGlobalNorm(parameters, settings.maxGradNorm());
            double lr = schedule.at(step);
            optimizer.step(lr);
            double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            for (double[] g : r.advantages()) for (double a : g) { min = Math.min(min, a); max = Math.max(max, a); }
            step++;
            return new StepMetrics(step, r.loss(), r.rewardMean(), r.cleanRewardMean(), r.advantageMean(),
                    r.advantageStd(), min, max, gradNorm, lr, (System.nanoTime() - start) / 1e9);
        }
    }

    /**
     * All remaining steps; each step's metrics appended to {@code metricsJsonl} (null: none) and shown on
     * {@code progress} (null: none). Returns the metrics of the steps run.
     */
    public List<StepMetrics> run(Path metricsJsonl, PrintStream progress) {
        List<StepMetrics> all = new ArrayList<>();
        ProgressBar bar = progress == null ? null : ProgressBar.on(progress, "LR-GRPO", settings.steps());
        try (BufferedWriter out = metricsJsonl == null ? null : Files.newBufferedWriter(metricsJsonl)) {
            while (step < settings.steps()) {
                StepMetrics m = step();
                all.add(m);
                if (out != null) {
                    out.write(JsonWriter.compact(m.toJson()));
                    out.newLine();
                    out.flush();
                }
                if (bar != null) {
                    bar.update(m.step(), "reward %.3f clean %.3f loss %.4f".formatted(m.rewardMean(), m.cleanRewardMean(), m.loss()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("RlTrainer: cannot write metrics to " + metricsJsonl, e);
        }
        if (bar != null) bar.finish();
        return all;
    }

    /** The next example index of a shuffled pass over the data, reshuffling at each pass's end. */
    private int next() {
        if (permutation == null || cursor == permutation.length) {
            permutation = new int[examples.size()];
            for (int i = 0; i < permutation.length; i++) permutation[i] = i;
            for (int i = permutation.length - 1; i > 0; i--) {
                int j = order.nextInt(i + 1);
                int t = permutation[i];
                permutation[i] = permutation[j];
                permutation[j] = t;
            }
            cursor = 0;
        }
        return permutation[cursor++];
    }
}
