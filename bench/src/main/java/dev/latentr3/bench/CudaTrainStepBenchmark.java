package dev.latentr3.bench;

import dev.latentr3.engine.DefaultDevice;
import dev.latentr3.engine.Device;
import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.engine.optim.AdamW;
import dev.latentr3.engine.random.Rng;
import dev.latentr3.model.qwen2.Qwen2ForCausalLM;
import dev.latentr3.model.qwen2.Qwen2Init;
import dev.latentr3.train.sft.SftBatch;
import dev.latentr3.train.sft.SftNetwork;
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

import java.util.SequencedMap;
import java.util.concurrent.TimeUnit;

/**
 * {@link TrainStepBenchmark}'s SFT step (zero the gradients, forward over {@link TrainShapes#sftBatch}, cross-entropy
 * on the 20 target tokens of each of 4 rows, backward, clip to norm 1, AdamW lr 1e-4 with weight decay 0.01 on
 * matrices) with the model, its gradients, the optimizer state and the batch on the CUDA device, fp32 (GEMMs through
 * cuBLAS in fp32 where libcublas is found, as the train CLI's {@code device: cuda} runs them), at Qwen2.5-0.5B's and
 * Qwen2.5-1.5B's full shapes with random weights. bench/torch/train_step.py --device cuda runs the same step in
 * PyTorch eager; the report converts steps per second to tokens per second ({@link TrainShapes#tokensPerStep}).
 *
 * <p>The model is built as the stages build it on a device: {@link Qwen2Init#model} inside
 * {@link DefaultDevice#use}; its N(0, 0.02) draws are made on the host on all cores and copied over (about 1 s per
 * 1e8 draws on 2 cores, so a few seconds for the 1.54e9 of qwen15b on a 16-core GPU host). Timing is wall-clock
 * ({@link CudaTrainBench}): one call is one whole step ending with a device synchronize. The peak device memory of
 * the steps (the allocator's peak is reset after setup) goes out as the auxiliary counter {@code peakDeviceMiB}.
 *
 * <p>Time on a GPU: a fork is a JVM start, the init above, the first step's one-off costs (module loads, cuBLAS
 * handle, allocator growth) and then warm-up and measured iterations of at least one step each. Measured on an H200
 * (2026-11-26, bench/results/nvidia-h200-2026-11-26-suite.md): a step took 91 ms for qwen05b and 230 ms for qwen15b
 * (9,628 and 3,834 tokens/s), and one fork of 5 + 5 iterations of 100 ms took 5.1 s and 10.9 s in all, so the
 * report's 3-fork device mode costs about 15 s and 33 s of device time here.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class CudaTrainStepBenchmark {
    @Param({"qwen05b", "qwen15b"})
    public String preset;

    private Device device;
    private SftNetwork network;
    private SequencedMap<String, Tensor> parameters;
    private AdamW optimizer;
    private SftBatch batch;

    @Setup(Level.Trial)
    public void setUp() {
        device = CudaTrainBench.device();
        try (var on = DefaultDevice.use(device)) {
            Qwen2ForCausalLM llm = Qwen2Init.model(TrainShapes.config(preset), Rng.seeded(0));
            network = SftNetwork.baseline(llm);
            parameters = network.namedParameters();
            optimizer = new AdamW(parameters, AdamW.Hyper.defaults().withWeightDecay(0.01), AdamW.MATRICES_ONLY);
            batch = TrainShapes.sftBatch(llm.config().vocabSize());
        }
        CudaTrainBench.measureFromHere(device);
    }

    /** One step; returns the loss so the work cannot be optimized away. */
    @Benchmark
    public float step(CudaTrainBench.PeakMemory peak) {
        float value;
        try (var on = DefaultDevice.use(device); TensorScope scope = TensorScope.open()) {
            value = TrainStepBenchmark.sftStep(network, parameters.values(), optimizer, batch);
        }
        peak.afterStep(device);
        return value;
    }
}
