package dev.latentr3.bench;

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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * The fused target log-prob gather on the GPU (CudaRows, fp32) over Qwen2.5's 151936-token vocabulary, forward and
 * backward, on 2048 rows (256 rows run alone with {@code -p rows=256}; trimmed from the report so that all device rows
 * fit about 5 minutes of a device lease). Device time from CUDA events with L2 flushed before each call
 * ({@link CudaBench}); TB/s = bytes one call must move ({@link RowBenchData}: the forward reads the logits once, the
 * backward reads them and writes dLogits) / device seconds per call, beside the DRAM peak at tear-down.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class CudaLogProbGatherBenchmark extends CudaRowBench {
    static final int IGNORE_INDEX = -100;

    @Param({"2048"})
    public int rows;
    @Param({"151936"})
    public int vocab;
    private MemorySegment logits, targets, logp, lse, dLogp, dLogits;
    private String last = "";

    @Setup(Level.Trial)
    public void setUp() {
        open();
        logits = buffers.add(CudaBench.randomFloats(rt, (long) rows * vocab, 1, -8, 8)).segment();
        targets = buffers.add(CudaBench.randomInts(rt, rows, 2, vocab)).segment();
        dLogp = buffers.add(CudaBench.randomFloats(rt, rows, 3, -1, 1)).segment();
        logp = buffers.add(rt.allocator().allocate((long) rows * 4)).segment();
        lse = buffers.add(rt.allocator().allocate((long) rows * 4)).segment();
        dLogits = buffers.add(rt.allocator().allocate((long) rows * vocab * 4)).segment();
        // The backward reads the forward's lse: computed once here, outside the timed calls.
        kernels.logProbGather(rows, vocab, logits, targets, IGNORE_INDEX, logp, lse);
    }

    @Benchmark
    public void forward(CudaBench.DeviceTime t) {
        last = "forward";
        time(t, () -> kernels.logProbGather(rows, vocab, logits, targets, IGNORE_INDEX, logp, lse));
    }

    @Benchmark
    public void backward(CudaBench.DeviceTime t) {
        last = "backward";
        time(t, () -> kernels.logProbGatherBackward(rows, vocab, logits, targets, IGNORE_INDEX, lse, dLogp, dLogits));
    }

    @TearDown(Level.Iteration)
    public void printRate() {
        long bytes = last.equals("forward") ? RowBenchData.logProbForwardBytes(rows, vocab) : RowBenchData.logProbBackwardBytes(rows, vocab);
        CudaBench.printRate(CudaBench.byteRate("logProbGather " + last + " " + rows + "x" + vocab, bytes, deviceMillis,
                calls, device));
    }
}
