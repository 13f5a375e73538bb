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
 * RMSNorm forward, fast vs reference, at the Qwen2 0.5B (896) and 1.5B (1536) hidden sizes.
 * GB/s = {@link RowBenchData#rmsNormBytes} / time: 8 * rows * dim bytes (x read, y written), e.g. 1.84 MB at
 * rows=256, dim=896.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class RmsNormBenchmark {

    @Param({"fast", "reference"})
    public String impl;

    @Param({"256"})
    public int rows;

    @Param({"896", "1536"})
    public int dim;

    private Arena arena;
    private RowKernels kernels;
    private MemorySegment x, weight, y, rstd;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        kernels = impl.equals("fast") ? new FastRows() : new ReferenceRows();
        x = RowBenchData.floats(arena, (long) rows * dim, 1, -2, 2);
        weight = RowBenchData.floats(arena, dim, 2, 0.5f, 1.5f);
        y = arena.allocate((long) rows * dim * Float.BYTES, 64);
        rstd = arena.allocate((long) rows * Float.BYTES, 64);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public MemorySegment forward() {
        kernels.rmsNorm(rows, dim, x, weight, 1e-6f, y, rstd);
        return y;
    }
}
