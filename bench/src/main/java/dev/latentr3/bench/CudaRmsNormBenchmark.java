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
 * RMSNorm forward on the GPU (CudaRows, fp32) at the Qwen2.5 0.5B and 1.5B hidden sizes on 4096 tokens. Device time
 * from CUDA events with L2 flushed before each call ({@link CudaBench}); TB/s = {@link RowBenchData#rmsNormBytes}
 * (read x and weight, write y and rstd) / device seconds per call, beside the DRAM peak at tear-down.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class CudaRmsNormBenchmark extends CudaRowBench {
    @Param({"4096"})
    public int rows;
    @Param({"896", "1536"})
    public int dim;
    private MemorySegment x, weight, y, rstd;

    @Setup(Level.Trial)
    public void setUp() {
        open();
        x = buffers.add(CudaBench.randomFloats(rt, (long) rows * dim, 1, -2, 2)).segment();
        weight = buffers.add(CudaBench.randomFloats(rt, dim, 2, 0.5f, 1.5f)).segment();
        y = buffers.add(rt.allocator().allocate((long) rows * dim * 4)).segment();
        rstd = buffers.add(rt.allocator().allocate((long) rows * 4)).segment();
    }

    @Benchmark
    public void forward(CudaBench.DeviceTime t) {
        time(t, () -> kernels.rmsNorm(rows, dim, x, weight, 1e-6f, y, rstd));
    }

    @TearDown(Level.Iteration)
    public void printRate() {
        CudaBench.printRate(CudaBench.byteRate("rmsNorm " + rows + "x" + dim, RowBenchData.rmsNormBytes(rows, dim),
                deviceMillis, calls, device));
    }
}
