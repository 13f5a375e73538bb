package dev.latentr3.train.sft;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.autograd.GradMode;
import dev.latentr3.engine.memory.NativeMemory;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.engine.optim.AdamW;
import dev.latentr3.engine.optim.LrSchedule;
import dev.latentr3.engine.random.Rng;
import dev.latentr3.model.json.JsonWriter;
import dev.latentr3.train.checkpoint.TrainingCheckpoint;
import dev.latentr3.train.cli.ProgressBar;
import dev.latentr3.train.dataset.Interaction;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

/**
 * Stage 1 of LatentR3, the warm-up SFT (method doc §2): full fine-tuning of the LLM and LatentRATT (or of the LLM
 * alone for the baseline) with cross-entropy on the target tokens, AdamW, warm-up then decay, gradient clipping and
 * accumulation; validation every {@code evalEvery} steps with early stopping, the best weights kept and loaded at the
 * end (as the reference's load_best_model_at_end).
 *
 * <p>Each optimizer step runs inside one {@link TensorScope}: activations, gradients of intermediates and the
 * batch's tensors are freed when it closes, so native memory returns to the same level after every step (parameter
 * gradients and AdamW's moments are owned, allocated once). A NaN or infinity in a loss or a gradient stops the run
 * before the update, naming the step and the tensor.
 *
 * <p>Output folder: {@code metrics.jsonl} (one object per step and per validation, flushed at once), checkpoints
 * {@code last} (at every validation and when {@link #run} returns) and {@code best}. {@link #resumeFrom} continues
 * a run bit for bit: same data order, optimizer state, schedule position and early-stopping state.
 *
 * <p>Loss scaling under accumulation: each micro-batch's mean over its target tokens, divided by the number of
 * micro-batches (the Hugging Face Trainer of the reference's era). The validation loss is the mean over all target
 * tokens of the validation rows.
 */
public final class SftTrainer {
    /** One optimizer step: mean micro-batch loss, learning rate, gradient norm before clipping, throughput. */
    public record StepRecord(long step, double loss, double lr, double gradNorm, long tokens, double seconds,
                             long liveBytesAfter) {}

    /** One validation. */
    public record EvalRecord(long step, double validationLoss, boolean improved) {}

    /** What a call to {@link #run} did. */
    public record Result(List<StepRecord> steps, List<EvalRecord> evals, long lastStep, boolean stoppedEarly,
                         long bestStep, double bestLoss) {}

    /** Called after every optimizer step (logging, tests). */
    @FunctionalInterface
    public interface StepListener {
        void afterStep(StepRecord record);
    }

    public static final String LAST = "last";
    public static final String BEST = "best";
    public static final String METRICS = "metrics.jsonl";

    private final SftNetwork network;
    private final SftCollator collator;
    private final List<Interaction> train;
    private final List<Interaction> valid;
    private final SftConfig config;
    private final Path outDir;
    private final PrintStream progressOut;
    private final SequencedMap<String, Tensor> parameters;
    private final AdamW optimizer;
    private final DataOrder data;
    private final long totalSteps;
    private final LrSchedule schedule;
    private long step;
    private EarlyStopping early = EarlyStopping.start();

    public SftTrainer(SftNetwork network, SftCollator collator, List<Interaction> train, List<Interaction> valid,
                      SftConfig config, Path outDir, PrintStream progressOut) {
        if (network.usesThought() != collator.withThought()) {
            throw new IllegalArgumentException("SftTrainer: the network " + (network.usesThought() ? "needs" : "has no use for")
                    + " the thought token but the collator " + (collator.withThought() ? "adds" : "does not add") + " it");
        }
        if (valid.isEmpty()) throw new IllegalArgumentException("SftTrainer: the validation split is empty");
        this.network = network;
        this.collator = collator;
        this.train = List.copyOf(train);
        this.valid = List.copyOf(valid);
        this.config = config;
        this.outDir = outDir;
        this.progressOut = progressOut;
        this.parameters = network.namedParameters();
        parameters.values().forEach(p -> p.requiresGrad(true));
        this.optimizer = new AdamW(parameters, AdamW.Hyper.defaults().withWeightDecay(config.weightDecay()),
                AdamW.MATRICES_ONLY);
        this.data = new DataOrder(train.size(), config.microBatch(), Rng.seeded(config.seed()).fork("sft-data-order"));
        this.totalSteps = config.totalSteps(train.size());
        this.schedule = config.schedule(totalSteps);
    }

    public long totalSteps() {
        return totalSteps;
    }

    public long step() {
        return step;
    }

    /** The configuration a checkpoint must have been written with to be resumed by this trainer. */
    public Map<String, Object> configSnapshot() {
        Map<String, Object> m = new LinkedHashMap<>(config.toMap());
        m.put("network", network.usesThought() ? "latent" : "baseline");
        m.put("train_rows", train.size());
        m.put("total_steps", totalSteps);
        return m;
    }

    /** Continues from a checkpoint written by a trainer with the same configuration and data. */
    public void resumeFrom(Path checkpoint) {
        TrainingCheckpoint.State state = TrainingCheckpoint.readState(checkpoint);
        String saved = JsonWriter.compact(state.config()), now = JsonWriter.compact(configSnapshot());
        if (!saved.equals(now)) {
            throw new IllegalArgumentException("SftTrainer.resumeFrom: checkpoint " + checkpoint + " was written with "
                    + saved + ", this run has " + now);
        }
        TrainingCheckpoint.loadWeights(checkpoint, parameters);
        TrainingCheckpoint.loadOptimizer(checkpoint, optimizer);
        data.restore(new DataOrder.Position(state.epoch(), state.microBatch(), state.rngAtEpochStart()));
        early = new EarlyStopping(state.bestLoss(), state.bestStep(), state.evalsWithoutImprovement());
        step = state.step();
    }

    /** Trains to the end (or to early stopping). */
    public Result run() {
        return run(totalSteps, r -> {});
    }

    /**
     * Trains until {@code untilStep} optimizer steps are done (or the end, or early stopping), then writes the
     * {@code last} checkpoint. At the end of training the best weights are loaded back into the network.
     */
    public Result run(long untilStep, StepListener listener) {
        long end = Math.min(untilStep, totalSteps), first = step;
        List<StepRecord> steps = new ArrayList<>();
        List<EvalRecord> evals = new ArrayList<>();
        boolean stopped = early.shouldStop(config.patience());
        ProgressBar bar = ProgressBar.on(progressOut, "sft", Math.max(1, end - first));
        try (MetricsLog log = new MetricsLog(outDir.resolve(METRICS))) {
            while (step < end && !stopped) {
                StepRecord r = trainStep();
                steps.add(r);
                log.write(stepJson(r));
                bar.update(step - first, String.format("loss %.4f | %.0f tok/s", r.loss(), r.tokens() / r.seconds()));
                listener.afterStep(r);
                if (step % config.evalEvery() == 0 || step == totalSteps) {
                    EvalRecord e = evaluate();
                    evals.add(e);
                    log.write(evalJson(e));
                    if (e.improved()) save(BEST);
                    stopped = early.shouldStop(config.patience());
                    save(LAST);
                }
            }
            bar.finish();
            save(LAST);
        }
        if ((stopped || step == totalSteps) && TrainingCheckpoint.exists(outDir.resolve(BEST))) {
            TrainingCheckpoint.loadWeights(outDir.resolve(BEST), parameters);
        }
        return new Result(steps, evals, step, stopped, early.bestStep(), early.bestLoss());
    }

    /** The mean cross-entropy over every target token of the validation rows, without gradients. */
    public double validationLoss() {
        double sum = 0;
        long count = 0;
        try (var noGrad = GradMode.noGrad()) {
            for (int from = 0; from < valid.size(); from += config.microBatch()) {
                try (TensorScope scope = TensorScope.open()) {
                    SftBatch batch = collator.collate(valid.subList(from, Math.min(valid.size(), from + config.microBatch())));
                    sum += (double) network.loss(batch).item() * batch.targetTokens();
                    count += batch.targetTokens();
                }
            }
        }
        return sum / count;
    }

    private StepRecord trainStep() {
        long t0 = System.nanoTime(), number = step + 1, tokens = 0;
        double lr = schedule.at(step), lossSum = 0, norm;
        int accumulation = config.accumulation();
        try (TensorScope scope = TensorScope.open()) {
            optimizer.zeroGrad();
            for (int a = 0; a < accumulation; a++) {
                SftBatch batch = collator.collate(rows(data.next()));
                Tensor loss = network.loss(batch);
                double value = loss.item();
                FiniteGuard.checkLoss(number, a, value);
                loss.scale(1f / accumulation).backward();
                lossSum += value;
                tokens += batch.realTokens();
            }
            norm = FiniteGuard.checkAndClip(number, parameters, config.maxGradNorm());
            optimizer.step(lr);
        }
        step = number;
        return new StepRecord(number, lossSum / accumulation, lr, norm, tokens, (System.nanoTime() - t0) / 1e9,
                NativeMemory.liveBytes());
    }

    private EvalRecord evaluate() {
        double loss = validationLoss();
        early = early.after(step, loss);
        return new EvalRecord(step, loss, early.improvedAt(step));
    }

    private void save(String name) {
        writeCheckpoint(outDir.resolve(name));
    }

    /** Writes this trainer's whole state (weights, optimizer, data position, early stopping) as checkpoint dir. */
    public void writeCheckpoint(Path dir) {
        DataOrder.Position p = data.position();
        TrainingCheckpoint.write(dir, parameters, optimizer, new TrainingCheckpoint.State(step,
                p.epoch(), p.microBatch(), p.rngAtEpochStart(), early.bestLoss(), early.bestStep(),
                early.evalsWithoutImprovement(), configSnapshot()));
    }

    private List<Interaction> rows(int[] indices) {
        List<Interaction> out = new ArrayList<>(indices.length);
        for (int i : indices) out.add(train.get(i));
        return out;
    }

    private static Map<String, Object> stepJson(StepRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "step");
        m.put("step", r.step());
        m.put("loss", r.loss());
        m.put("lr", r.lr());
        m.put("grad_norm", r.gradNorm());
        m.put("tokens", r.tokens());
        m.put("seconds", r.seconds());
        m.put("tokens_per_s", r.tokens() / r.seconds());
        return m;
    }

    private static Map<String, Object> evalJson(EvalRecord e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "eval");
        m.put("step", e.step());
        m.put("validation_loss", e.validationLoss());
        m.put("improved", e.improved());
        return m;
    }
}
