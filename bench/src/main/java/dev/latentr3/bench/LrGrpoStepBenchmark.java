package dev.latentr3.bench;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.engine.optim.AdamW;
import dev.latentr3.engine.random.Rng;
import dev.latentr3.model.config.Qwen2Config;
import dev.latentr3.model.latent.LatentModel;
import dev.latentr3.model.latent.LatentRATT;
import dev.latentr3.model.qwen2.Qwen2Init;
import dev.latentr3.train.rl.LrGrpoConfig;
import dev.latentr3.train.rl.LrGrpoStep;
import dev.latentr3.train.rl.PerCopyStep;
import dev.latentr3.train.rl.RlExample;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One LR-GRPO micro-step of {@link LrGrpoStep} (the prompt pass and LatentRATT once per group, the G = 8 copies as
 * one batched pass, gradients into LatentRATT only) on the tiny preset with a fresh LatentRATT: the reference's
 * gathered micro-batch of {@link TrainShapes#GROUPS} groups, each a 200-token prompt, the thought token and a
 * 20-token target, sigma 1.5, the batch baseline. One call = zero LatentRATT's gradients + the step (loss and
 * backward); no optimizer update, as a micro-step under gradient accumulation has none.
 * bench/torch/lrgrpo_step.py times the reference code's per-copy step on the same model and batch.
 *
 * <p>{@code impl}: "shared" is LrGrpoStep; "per-copy" is the reference's algorithm on our engine (train's test oracle
 * PerCopyReference: every copy recomputes r and both LLM passes), so that shared over per-copy is the saving of the
 * design alone, without the engine's speed in it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class LrGrpoStepBenchmark {
    /** The preset the step runs on (the brief's "same tiny model" as the PyTorch side). */
    public static final String PRESET = "tiny";

    @Param({"shared", "per-copy"})
    public String impl;

    private LatentModel model;
    private LrGrpoConfig grpo;

    private LrGrpoStep step;
    private AdamW optimizer;
    private List<RlExample> groups;
    private Tensor eps;

    @Setup(Level.Trial)
    public void setUp() {
        Qwen2Config config = TrainShapes.config(PRESET);
        model = new LatentModel(Qwen2Init.model(config, Rng.seeded(0)),
                LatentRATT.initialize(config.hiddenSize(), config.initializerRange(), 1), config.vocabSize() - 1);
        grpo = LrGrpoConfig.reference();
        step = new LrGrpoStep(model, grpo); // also freezes the LLM and makes LatentRATT trainable, for both impls
        if (!impl.equals("shared") && !impl.equals("per-copy")) {
            throw new IllegalArgumentException("LrGrpoStepBenchmark: impl must be shared or per-copy, got " + impl);
        }
        // Only to zero LatentRATT's gradients between calls, as RlTrainer does; its update is not timed.
        optimizer = new AdamW(model.attention().namedParameters(), AdamW.Hyper.defaults(), AdamW.MATRICES_ONLY);
        groups = TrainShapes.rlGroups(config.vocabSize());
        eps = step.drawNoise(groups.size(), Rng.seeded(2));
    }

    /** One micro-step; returns the loss so the work cannot be optimized away. */
    @Benchmark
    public double step() {
        try (TensorScope scope = TensorScope.open()) {
            optimizer.zeroGrad();
            return impl.equals("shared") ? step.run(groups, eps).loss() : PerCopyStep.run(model, grpo, groups, eps);
        }
    }
}
