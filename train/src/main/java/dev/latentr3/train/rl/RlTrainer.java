package dev.latentr3.train.rl;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.engine.optim.AdamW;
import dev.latentr3.engine.optim.LrSchedule;
import dev.latentr3.engine.random.Rng;
import dev.latentr3.model.json.JsonWriter;
import dev.latentr3.model.latent.LatentModel;
import dev.latentr3.train.checkpoint.TrainingCheckpoint;
import dev.latentr3.train.cli.ProgressBar;
import dev.latentr3.train.sft.DataOrder;
import dev.latentr3.train.sft.FiniteGuard;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

/**
 * The LR-GRPO training loop (method doc §3.2): each optimiser step takes the next {@code groupsPerStep} examples of
 * a shuffled pass over the data, runs {@link LrGrpoStep}, clips the gradient norm and updates LatentRATT with AdamW
 * on a warm-up + cosine schedule. Metrics go to a progress bar and, one JSON object per step, to a JSONL file.
 *
 * <p>Randomness comes from named forks of one seeded {@link Rng} ("order" for the data order, "noise" for eps), so
 * a run is reproducible and its state is two (key, counter) pairs.
 *
 * <p>Checkpoints ({@link Settings#withCheckpoints}): every {@code checkpointEvery} steps and when {@link #run}
 * ends, the whole state is written atomically with {@link TrainingCheckpoint} (one folder, replaced): LatentRATT's
 * weights (and log sigma when learned; the frozen LLM is not saved, it is the SFT checkpoint's), AdamW's moments and
 * update count, the step (which is also the schedule's position), the data order's epoch, position and stream state,
 * the noise stream's state and the run's settings. {@link #resumeFrom} continues so that every later step computes
 * exactly what the uninterrupted run computes (the CPU kernels give the same bits in every JIT tier).
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
     * @param checkpoint      the checkpoint folder {@link #run} writes (replaced each time), or null for none
     * @param checkpointEvery write it every this many steps (0: only when {@link #run} ends)
     */
    public record Settings(int steps, int groupsPerStep, double learningRate, long warmupSteps, double maxGradNorm,
                           double weightDecay, long seed, LrGrpoConfig grpo, Path checkpoint, int checkpointEvery) {
        public Settings {
            if (steps < 1 || groupsPerStep < 1) {
                throw new IllegalArgumentException("RlTrainer: steps " + steps + " and groupsPerStep " + groupsPerStep
                        + " must be >= 1");
            }
            if (grpo == null) throw new IllegalArgumentException("RlTrainer: grpo settings are null");
            if (checkpointEvery < 0) {
                throw new IllegalArgumentException("RlTrainer: checkpointEvery must be >= 0, got " + checkpointEvery);
            }
        }

        /** Settings without checkpoints. */
        public Settings(int steps, int groupsPerStep, double learningRate, long warmupSteps, double maxGradNorm,
                        double weightDecay, long seed, LrGrpoConfig grpo) {
            this(steps, groupsPerStep, learningRate, warmupSteps, maxGradNorm, weightDecay, seed, grpo, null, 0);
        }

        /** The released recipe's settings (lr 1e-5 of its sweep, 200 warm-up steps capped to the run) for steps. */
        public static Settings reference(int steps) {
            return new Settings(steps, 32, 1e-5, Math.min(200, steps - 1), 1.0, 0.0, 42, LrGrpoConfig.reference());
        }

        /** These settings writing checkpoint folder {@code dir} every {@code every} steps (0: at the end only). */
        public Settings withCheckpoints(Path dir, int every) {
            return new Settings(steps, groupsPerStep, learningRate, warmupSteps, maxGradNorm, weightDecay, seed, grpo,
                    dir, every);
        }

        public Settings withGrpo(LrGrpoConfig g) {
            return new Settings(steps, groupsPerStep, learningRate, warmupSteps, maxGradNorm, weightDecay, seed, g,
                    checkpoint, checkpointEvery);
        }

        public Settings withSeed(long s) {
            return new Settings(steps, groupsPerStep, learningRate, warmupSteps, maxGradNorm, weightDecay, s, grpo,
                    checkpoint, checkpointEvery);
        }

        /** What a checkpoint must have been written with to be resumed (not where or how often it is written). */
        Map<String, Object> snapshot() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("steps", steps);
            m.put("groups_per_step", groupsPerStep);
            m.put("learning_rate", learningRate);
            m.put("warmup_steps", warmupSteps);
            m.put("max_grad_norm", maxGradNorm);
            m.put("weight_decay", weightDecay);
            m.put("seed", Long.toString(seed));
            m.put("group_size", grpo.groupSize());
            m.put("sigma", (double) grpo.sigma());
            m.put("advantages", grpo.advantages().name());
            m.put("groups_per_batch", grpo.groupsPerBatch());
            m.put("latent_tokens", grpo.latentTokens());
            SigmaLearning sl = grpo.sigmaLearning();
            m.put("sigma_learning", !sl.learned() ? "fixed" : sl.perDimension() ? "per_dimension" : "scalar");
            if (sl.learned()) {
                m.put("sigma_min", (double) sl.min());
                m.put("sigma_max", Float.isInfinite(sl.max()) ? "inf" : (Object) (double) sl.max());
            }
            return m;
        }
    }

    /**
     * One step's metrics, as written to the JSONL file; {@code sigmaMean} is the mean noise scale the step used (the
     * fixed sigma, or the learned one's mean over dimensions before the update).
     */
    public record StepMetrics(long step, double loss, double rewardMean, double cleanRewardMean, double advantageMean,
                              double advantageStd, double advantageMin, double advantageMax, double gradNorm,
                              double learningRate, double seconds, double sigmaMean) {
        /** Metrics without the noise scale (NaN). */
        public StepMetrics(long step, double loss, double rewardMean, double cleanRewardMean, double advantageMean,
                           double advantageStd, double advantageMin, double advantageMax, double gradNorm,
                           double learningRate, double seconds) {
            this(step, loss, rewardMean, cleanRewardMean, advantageMean, advantageStd, advantageMin, advantageMax,
                    gradNorm, learningRate, seconds, Double.NaN);
        }

        /** Every field but the wall-clock seconds, which differ between runs that compute the same thing. */
        public boolean sameComputation(StepMetrics o) {
            return step == o.step && loss == o.loss && rewardMean == o.rewardMean && cleanRewardMean == o.cleanRewardMean
                    && advantageMean == o.advantageMean && advantageStd == o.advantageStd
                    && advantageMin == o.advantageMin && advantageMax == o.advantageMax && gradNorm == o.gradNorm
                    && learningRate == o.learningRate && Double.compare(sigmaMean, o.sigmaMean) == 0;
        }

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
            if (!Double.isNaN(sigmaMean)) m.put("sigma_mean", sigmaMean);
            return m;
        }
    }

    private static final String NOISE_STREAM = "noise";

    private final List<RlExample> examples;
    private final Settings settings;
    private final LrGrpoStep grpo;
    private final AdamW optimizer;
    private final LrSchedule schedule;
    private final SequencedMap<String, Tensor> parameters;
    private final DataOrder order;
    private Rng noise;
    private long step;

    public RlTrainer(LatentModel model, List<RlExample> examples, Settings settings) {
        if (examples.isEmpty()) throw new IllegalArgumentException("RlTrainer: no training examples");
        this.examples = List.copyOf(examples);
        this.settings = settings;
        this.grpo = new LrGrpoStep(model, settings.grpo());
        this.parameters = grpo.namedParameters();
        this.optimizer = new AdamW(parameters, AdamW.Hyper.defaults().withWeightDecay(settings.weightDecay()),
                AdamW.MATRICES_ONLY);
        this.schedule = LrSchedule.warmupCosine(settings.learningRate(), settings.warmupSteps(),
                Math.max(settings.steps(), settings.warmupSteps() + 1), 0.0);
        Rng root = Rng.seeded(settings.seed());
        // A shuffled pass over the examples, one example (group) at a time, reshuffled at each pass's end.
        this.order = new DataOrder(this.examples.size(), 1, root.fork("order"));
        this.noise = root.fork(NOISE_STREAM);
    }

    public LrGrpoStep grpo() {
        return grpo;
    }

    /** Optimizer steps done so far. */
    public long stepsDone() {
        return step;
    }

    /** One optimiser step on the next groups of the data. */
    public StepMetrics step() {
        long start = System.nanoTime(), number = step + 1;
        List<RlExample> batch = new ArrayList<>(settings.groupsPerStep());
        for (int i = 0; i < settings.groupsPerStep(); i++) batch.add(examples.get(order.next()[0]));
        try (TensorScope scope = TensorScope.open()) {
            optimizer.zeroGrad();
            double sigmaMean = mean(grpo.noiseScale().values());
            LrGrpoStep.Result r = grpo.run(batch, noise);
            FiniteGuard.checkLoss(number, 0, r.loss());
            double gradNorm = FiniteGuard.checkAndClip(number, parameters, settings.maxGradNorm());
            double lr = schedule.at(step);
            optimizer.step(lr);
            grpo.noiseScale().project();
            double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            for (double[] g : r.advantages()) for (double a : g) { min = Math.min(min, a); max = Math.max(max, a); }
            step = number;
            return new StepMetrics(step, r.loss(), r.rewardMean(), r.cleanRewardMean(), r.advantageMean(),
                    r.advantageStd(), min, max, gradNorm, lr, (System.nanoTime() - start) / 1e9, sigmaMean);
        }
    }

    /** What a checkpoint must have been written with to be resumed by this trainer. */
    public Map<String, Object> configSnapshot() {
        Map<String, Object> m = new LinkedHashMap<>(settings.snapshot());
        m.put("stage", "lr-grpo");
        m.put("train_examples", examples.size());
        return m;
    }

    /** Writes this trainer's whole state as checkpoint folder {@code dir} (atomically, replacing one there). */
    public void writeCheckpoint(Path dir) {
        DataOrder.Position p = order.position();
        TrainingCheckpoint.write(dir, parameters, optimizer, new TrainingCheckpoint.State(step, p.epoch(),
                p.microBatch(), p.rngAtEpochStart(), Double.POSITIVE_INFINITY, 0, 0, configSnapshot(),
                Map.of(NOISE_STREAM, noise.state())));
    }

    /**
     * Continues from a checkpoint written by a trainer with the same settings and examples (on a model with the same
     * frozen LLM): restores LatentRATT (and log sigma), AdamW, the step, the data order and the noise stream.
     */
    public void resumeFrom(Path checkpoint) {
        TrainingCheckpoint.State state = TrainingCheckpoint.readState(checkpoint);
        String saved = JsonWriter.compact(state.config()), now = JsonWriter.compact(configSnapshot());
        if (!saved.equals(now)) {
            throw new IllegalArgumentException("RlTrainer.resumeFrom: checkpoint " + checkpoint + " was written with "
                    + saved + ", this run has " + now);
        }
        Rng.State noiseState = state.streams().get(NOISE_STREAM);
        if (noiseState == null) {
            throw new IllegalArgumentException("RlTrainer.resumeFrom: checkpoint " + checkpoint
                    + " has no \"" + NOISE_STREAM + "\" stream state (not an RL checkpoint?)");
        }
        TrainingCheckpoint.loadWeights(checkpoint, parameters);
        TrainingCheckpoint.loadOptimizer(checkpoint, optimizer);
        order.restore(new DataOrder.Position(state.epoch(), state.microBatch(), state.rngAtEpochStart()));
        noise = Rng.restore(noiseState);
        step = state.step();
    }

    /**
     * All remaining steps; each step's metrics written to {@code metricsJsonl} (null: none; a fresh run replaces the
     * file, a resumed one appends to it) and shown on {@code progress} (null: none); the checkpoint, when set, is
     * written every {@code checkpointEvery} steps and at the end. Returns the metrics of the steps run.
     */
    public List<StepMetrics> run(Path metricsJsonl, PrintStream progress) {
        return run(settings.steps(), metricsJsonl, progress);
    }

    /** {@link #run(Path, PrintStream)} until {@code untilStep} steps are done (at most the settings' steps). */
    public List<StepMetrics> run(long untilStep, Path metricsJsonl, PrintStream progress) {
        long end = Math.min(untilStep, settings.steps());
        List<StepMetrics> all = new ArrayList<>();
        ProgressBar bar = progress == null ? null : ProgressBar.on(progress, "LR-GRPO", settings.steps());
        OpenOption[] mode = step == 0
                ? new OpenOption[]{StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE}
                : new OpenOption[]{StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE};
        try (BufferedWriter out = metricsJsonl == null ? null
                : Files.newBufferedWriter(metricsJsonl, StandardCharsets.UTF_8, mode)) {
            while (step < end) {
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
                if (settings.checkpoint() != null && settings.checkpointEvery() > 0 && step % settings.checkpointEvery() == 0) {
                    writeCheckpoint(settings.checkpoint());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("RlTrainer: cannot write metrics to " + metricsJsonl, e);
        }
        if (settings.checkpoint() != null) writeCheckpoint(settings.checkpoint());
        if (bar != null) bar.finish();
        return all;
    }

    private static double mean(float[] v) {
        double s = 0;
        for (float x : v) s += x;
        return s / v.length;
    }
}
