package dev.latentr3.bench;

import dev.latentr3.engine.DefaultDevice;
import dev.latentr3.engine.Device;
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
 * {@link LrGrpoStepBenchmark}'s "shared" micro-step ({@link LrGrpoStep}: per group one prompt pass and LatentRATT,
 * the G = 8 copies as one batched pass with the gradient reaching LatentRATT only; {@link TrainShapes#GROUPS} groups of
 * a 200-token prompt, the thought token and a 20-token target; sigma 1.5; zero LatentRATT's gradients + loss and
 * backward, no optimizer update) with the model, LatentRATT, batch and noise on the CUDA device, fp32, at
 * Qwen2.5-0.5B's and Qwen2.5-1.5B's full shapes with random weights. bench/torch/lrgrpo_step.py --device cuda runs the
 * released code's per-copy step in PyTorch eager on the same model and batch. One call = one micro-step.
 *
 * <p>Only the shared step: the CPU benchmark's "per-copy" variant on our engine (the design's saving alone) recomputes
 * r and both LLM passes for each of the 16 copies, twice, which at these sizes would cost more device time than the
 * comparison with PyTorch it adds to; the CPU rows keep it.
 *
 * <p>Setup, timing and peak memory as {@link CudaTrainStepBenchmark} (wall-clock, synchronized at the end of each
 * step; the allocator's peak reset after setup). Time on a GPU: a step is about 2 groups x (201 + 2 x 1768) tokens of
 * forward or input-gradient passes, 2 x parameters flops per token: 5.4 TFLOP for qwen05b and 19.6 for qwen15b without
 * the embedding, so about 0.2 and 0.7 s at a guessed 30 TFLOP/s fp32; with the report's device mode (3 forks, 5 + 5
 * iterations of 100 ms) about 3 x (3 + 2 + 10 x 0.2) s and 3 x (3 + 5 + 10 x 0.7) s. The PyTorch side's per-copy step
 * is about 3 times the work (every copy's two LLM passes, twice, and the full-vocabulary logits the reference
 * discards). These are estimates: our side failed in the first H200 run (2026-11-26), LatentRATT's head
 * dimension (the hidden size) being over the CUDA attention kernels' limit then; PyTorch's side took 9.2 s and 16.8 s
 * for one fork.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class CudaLrGrpoStepBenchmark {
    @Param({"qwen05b", "qwen15b"})
    public String preset;

    private Device device;
    private LrGrpoStep step;
    private AdamW optimizer;
    private List<RlExample> groups;
    private Tensor eps;

    @Setup(Level.Trial)
    public void setUp() {
        device = CudaTrainBench.device();
        Qwen2Config config = TrainShapes.config(preset);
        try (var on = DefaultDevice.use(device)) {
            LatentModel model = new LatentModel(Qwen2Init.model(config, Rng.seeded(0)),
                    LatentRATT.initialize(config.hiddenSize(), config.initializerRange(), 1), config.vocabSize() - 1);
            step = new LrGrpoStep(model, LrGrpoConfig.reference()); // freezes the LLM, makes LatentRATT trainable
            // Only to zero LatentRATT's gradients between calls, as RlTrainer does; its update is not timed.
            optimizer = new AdamW(model.attention().namedParameters(), AdamW.Hyper.defaults(), AdamW.MATRICES_ONLY);
            groups = TrainShapes.rlGroups(config.vocabSize());
            eps = step.drawNoise(groups.size(), Rng.seeded(2));
        }
        CudaTrainBench.measureFromHere(device);
    }

    /** One micro-step; returns the loss so the work cannot be optimized away. */
    @Benchmark
    public double step(CudaTrainBench.PeakMemory peak) {
        double loss;
        try (var on = DefaultDevice.use(device); TensorScope scope = TensorScope.open()) {
            optimizer.zeroGrad();
            loss = step.run(groups, eps).loss();
        }
        peak.afterStep(device);
        return loss;
    }
}
