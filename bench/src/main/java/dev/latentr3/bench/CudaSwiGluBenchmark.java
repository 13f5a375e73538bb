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
 * SwiGLU on the GPU (CudaRows, fp32), out = silu(gate) * up, forward and backward, on 4096 tokens at the Qwen2.5
 * 0.5B and 1.5B MLP widths (4864, 8960). Device time from CUDA events with L2 flushed before each call
 * ({@link CudaBench}); TB/s = {@link RowBenchData#swigluForwardBytes} / {@link RowBenchData#swigluBackwardBytes} /
 * device seconds per call, beside the DRAM peak at tear-down.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class CudaSwiGluBenchmark extends CudaRowBench {
    @Param({"4096"})
    public int rows;
    @Param({"4864", "8960"})
    public int intermediate;
    private MemorySegment gate, up, dOut, out, dGate, dUp;
    private String last = "";

    @Setup(Level.Trial)
    public void setUp() {
        open();
        long n = (long) rows * intermediate;
        gate = buffers.add(CudaBench.randomFloats(rt, n, 1, -4, 4)).segment();
        up = buffers.add(CudaBench.randomFloats(rt, n, 2, -2, 2)).segment();
        dOut = buffers.add(CudaBench.randomFloats(rt, n, 3, -1, 1)).segment();
        out = buffers.add(rt.allocator().allocate(n * 4)).segment();
        dGate = buffers.add(rt.allocator().allocate(n * 4)).segment();
        dUp = buffers.add(rt.allocator().allocate(n * 4)).segment();
    }

    @Benchmark
    public void forward(CudaBench.DeviceTime t) {
        last = "forward";
        time(t, () -> kernels.swiglu((long) rows * intermediate, gate, up, out));
    }

    @Benchmark
    public void backward(CudaBench.DeviceTime t) {
        last = "backward";
        time(t, () -> kernels.swigluBackward((long) rows * intermediate, gate, up, dOut, dGate, dUp));
    }

    @TearDown(Level.Iteration)
    public void printRate() {
        long n = (long) rows * intermediate;
        long bytes = last.equals("forward") ? RowBenchData.swigluForwardBytes(n) : RowBenchData.swigluBackwardBytes(n);
        CudaBench.printRate(CudaBench.byteRate("swiglu " + last + " " + rows + "x" + intermediate, bytes, deviceMillis,
                calls, device));
    }
}
