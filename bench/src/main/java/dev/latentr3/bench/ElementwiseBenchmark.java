package dev.latentr3.bench;

import dev.latentr3.kernels.ElementwiseKernels;
import dev.latentr3.kernels.ElementwiseKernels.Binary;
import dev.latentr3.kernels.ElementwiseKernels.Reduce;
import dev.latentr3.kernels.OptimizerKernels;
import dev.latentr3.kernels.Segments;
import dev.latentr3.kernels.cpu.FastElementwise;
import dev.latentr3.kernels.cpu.FastOptimizer;
import dev.latentr3.kernels.cpu.ReferenceElementwise;
import dev.latentr3.kernels.cpu.ReferenceOptimizer;
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
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Element-wise kernels, fast against reference, on memory-bound sizes. Times are per call; each benchmark's bytes
 * moved (reads + writes of the data it must touch, counted once) are the constants below, so that
 * GB/s = BYTES / (us/op * 1e3).
 *
 * <ul>
 *   <li>{@link #addContiguous}: out = a + b over N floats: {@link #ADD_BYTES} = 3 * 4 * N.</li>
 *   <li>{@link #biasAdd}: [ROWS, COLS] + [COLS]: {@link #BIAS_BYTES} = 2 * 4 * N (the bias row stays in cache).</li>
 *   <li>{@link #transpose}: copyStrided of a 1024 x 1024 fp32 transpose: {@link #TRANSPOSE_BYTES} = 2 * 4 * 1024^2.</li>
 *   <li>{@link #reduceSumColumns}: [1, ROWS, COLS] summed over ROWS (a bias gradient), and {@link #reduceSumRows}:
 *       [ROWS, COLS, 1] summed over COLS: {@link #REDUCE_BYTES} = 4 * N each.</li>
 *   <li>{@link #adamw}: over N parameters, reads p, g, m, v and writes p, m, v: {@link #ADAMW_BYTES} = 28 * N.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ElementwiseBenchmark {
    public static final int N = 1 << 22;
    public static final int ROWS = 4096, COLS = 1024; // ROWS * COLS == N
    public static final int SIDE = 1024;

    public static final long ADD_BYTES = 3L * 4 * N;
    public static final long BIAS_BYTES = 2L * 4 * N;
    public static final long TRANSPOSE_BYTES = 2L * 4 * SIDE * SIDE;
    public static final long REDUCE_BYTES = 4L * N;
    public static final long ADAMW_BYTES = 28L * N;

    @Param({"fast", "reference"})
    public String impl;

    private ElementwiseKernels ew;
    private OptimizerKernels opt;
    private Arena arena;
    private MemorySegment a, b, bias, out, sums, p, g, m, v;

    @Setup(Level.Trial)
    public void setup() {
        boolean fast = impl.equals("fast");
        ew = fast ? new FastElementwise() : new ReferenceElementwise();
        opt = fast ? new FastOptimizer() : new ReferenceOptimizer();
        arena = Arena.ofShared();
        a = random(N, 1, -1, 1);
        b = random(N, 2, -1, 1);
        bias = random(COLS, 3, -1, 1);
        out = random(N, 4, -1, 1);
        sums = random(ROWS, 5, -1, 1);
        p = random(N, 6, -1, 1);
        g = random(N, 7, -1e-2f, 1e-2f);
        m = random(N, 8, -1e-3f, 1e-3f);
        v = random(N, 9, 1e-6f, 1e-4f);
    }

    private MemorySegment random(long n, long seed, float lo, float hi) {
        MemorySegment s = arena.allocate(n * Float.BYTES, 64);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < n; i++) Segments.setFloat(s, i, (float) (lo + (hi - lo) * r.nextDouble()));
        return s;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public void addContiguous() {
        ew.binary(Binary.ADD, new int[] {N}, a, new long[] {1}, b, new long[] {1}, out);
    }

    @Benchmark
    public void biasAdd() {
        ew.binary(Binary.ADD, new int[] {ROWS, COLS}, a, new long[] {COLS, 1}, bias, new long[] {0, 1}, out);
    }

    @Benchmark
    public void transpose() {
        ew.copyStrided(4, new int[] {SIDE, SIDE}, a, new long[] {1, SIDE}, out);
    }

    @Benchmark
    public void reduceSumColumns() {
        ew.reduce(Reduce.SUM, 1, ROWS, COLS, a, out, null);
    }

    @Benchmark
    public void reduceSumRows() {
        ew.reduce(Reduce.SUM, ROWS, COLS, 1, a, sums, null);
    }

    @Benchmark
    public void adamw() {
        opt.adamw(N, p, g, m, v, 1e-4f, 0.9f, 0.999f, 1e-8f, 0.01f, 0.5f, 0.3f);
    }
}
