package dev.latentr3.bench;

import dev.latentr3.kernels.RowKernels;
import dev.latentr3.kernels.cpu.FastRows;
import dev.latentr3.kernels.cpu.ReferenceRows;
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

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * Fused target log-prob gather over the Qwen2 vocabulary (151936), fast vs reference: the loss head of every
 * training step. GB/s: forward moves {@link RowBenchData#logProbForwardBytes} = 4 * rows * vocab bytes (155.6 MB at
 * rows=256), backward {@link RowBenchData#logProbBackwardBytes} = 8 * rows * vocab (311.2 MB).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class LogProbGatherBenchmark {

    @Param({"fast", "reference"})
    public String impl;

    @Param({"256"})
    public int rows;

    @Param({"151936"})
    public int vocab;

    private Arena arena;
    private RowKernels kernels;
    private MemorySegment logits, targets, logp, lse, dLogp, dLogits;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        kernels = impl.equals("fast") ? new FastRows() : new ReferenceRows();
        // Logits of a trained LM head are a few units wide; the spread does not change the work here.
        logits = RowBenchData.floats(arena, (long) rows * vocab, 1, -8, 8);
        targets = RowBenchData.ints(arena, rows, 2, vocab);
        logp = arena.allocate((long) rows * Float.BYTES, 64);
        lse = arena.allocate((long) rows * Float.BYTES, 64);
        dLogp = RowBenchData.floats(arena, rows, 3, -1, 1);
        dLogits = arena.allocate((long) rows * vocab * Float.BYTES, 64);
        kernels.logProbGather(rows, vocab, logits, targets, -100, logp, lse);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public MemorySegment forward() {
        kernels.logProbGather(rows, vocab, logits, targets, -100, logp, lse);
        return logp;
    }

    @Benchmark
    public MemorySegment backward() {
        kernels.logProbGatherBackward(rows, vocab, logits, targets, -100, lse, dLogp, dLogits);
        return dLogits;
    }
}
