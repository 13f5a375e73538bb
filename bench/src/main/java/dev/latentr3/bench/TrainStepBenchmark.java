package dev.latentr3.bench;

import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.TensorScope;
import dev.latentr3.engine.optim.AdamW;
import dev.latentr3.engine.optim.GradClip;
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

import java.util.Collection;
import java.util.SequencedMap;
import java.util.concurrent.TimeUnit;

/**
 * One full training step of a Qwen2, as SftTrainer runs it for the BIGRec-style baseline (no thought token): zero
 * the gradients; forward over {@link TrainShapes#sftBatch} (4 rows of 200 prompt + 20 target tokens); cross-entropy
 * on the target tokens only, logits only where they are predicted; backward; clip the global gradient norm to 1;
 * AdamW (lr 1e-4, weight decay 0.01 on matrices). bench/torch/train_step.py times the same step in PyTorch. The
 * report converts calls per second to tokens per second ({@link TrainShapes#tokensPerStep}).
 *
 * <p>Presets: {@link TrainShapes#config}. The non-finite checks SftTrainer adds (one read of every gradient) are
 * left out, as the PyTorch side has none.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class TrainStepBenchmark {
    @Param({"tiny", "qwen05b-2l"})
    public String preset;

    private SftNetwork network;
    private SequencedMap<String, Tensor> parameters;
    private AdamW optimizer;
    private SftBatch batch;

    @Setup(Level.Trial)
    public void setUp() {
        Qwen2ForCausalLM llm = Qwen2Init.model(TrainShapes.config(preset), Rng.seeded(0));
        network = SftNetwork.baseline(llm);
        parameters = network.namedParameters();
        optimizer = new AdamW(parameters, AdamW.Hyper.defaults().withWeightDecay(0.01), AdamW.MATRICES_ONLY);
        batch = TrainShapes.sftBatch(llm.config().vocabSize());
    }

    /** One step; returns the loss so the work cannot be optimized away. */
    @Benchmark
    public float step() {
        try (TensorScope scope = TensorScope.open()) {
            return sftStep(network, parameters.values(), optimizer, batch);
        }
    }

    /** The step both SFT benchmarks time (this one and {@link CudaTrainStepBenchmark}), inside the caller's scope. */
    static float sftStep(SftNetwork network, Collection<Tensor> parameters, AdamW optimizer, SftBatch batch) {
        optimizer.zeroGrad();
        Tensor loss = network.loss(batch);
        float value = loss.item();
        loss.backward();
        GradClip.clipGlobalNorm(parameters, 1.0);
        optimizer.step(1e-4);
        return value;
    }
}
