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
 * Rotary position embedding on the GPU (CudaRows, fp32, rotate-half, the full head rotated, theta 1e6 as Qwen2.5), on
 * the query heads of 4096 tokens: {@code heads} is "query heads x head dim", Qwen2.5-0.5B 14 x 64 and 1.5B 12 x 128.
 * Forward only: the backward is the same kernel with the angle negated ({@code inverse}), so it moves the same bytes
 * at the same speed. Positions are random in [0, 32768). Device time from CUDA events with L2 flushed before each call
 * ({@link CudaBench}); TB/s = {@link RowBenchData#ropeBytes} / device seconds per call, beside the DRAM peak.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class CudaRopeBenchmark extends CudaRowBench {
    static final double THETA = 1_000_000;

    @Param({"4096"})
    public int tokens;
    /** Query heads x head dim. */
    @Param({"14x64", "12x128"})
    public String heads;
    private int h, d;
    private MemorySegment positions, x, y;

    /** {heads, headDim} from "HxD". */
    public static int[] parseHeads(String text) {
        String[] p = text.split("x");
        if (p.length != 2) throw new IllegalArgumentException("RoPE heads '" + text + "': expected HEADSxHEAD_DIM, e.g. 14x64");
        return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])};
    }

    @Setup(Level.Trial)
    public void setUp() {
        int[] hd = parseHeads(heads);
        h = hd[0];
        d = hd[1];
        open();
        positions = buffers.add(CudaBench.randomInts(rt, tokens, 1, 32768)).segment();
        x = buffers.add(CudaBench.randomFloats(rt, (long) tokens * h * d, 2, -2, 2)).segment();
        y = buffers.add(rt.allocator().allocate((long) tokens * h * d * 4)).segment();
    }

    @Benchmark
    public void forward(CudaBench.DeviceTime t) {
        time(t, () -> kernels.rope(tokens, h, d, d, THETA, positions, false, x, y));
    }

    @TearDown(Level.Iteration)
    public void printRate() {
        CudaBench.printRate(CudaBench.byteRate("rope " + tokens + "x" + heads, RowBenchData.ropeBytes(tokens, h, d),
                deviceMillis, calls, device));
    }
}
