package dev.latentr3.bench;

import dev.latentr3.kernels.Parallel;
import dev.latentr3.kernels.Segments;
import dev.latentr3.kernels.cpu.FastGemm;
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
 * FastGemm against OpenBLAS {@code cblas_sgemm} (same thread count, same inputs), C = A B with beta = 0.
 *
 * <p>Score unit: ops/s where one op is one GEMM, so GFLOP/s = score * 2MNK / 1e9 (see {@link GemmShape#flops()});
 * {@code GemmFlops} turns a JMH CSV result ({@code -rf csv -rff gemm.csv}) into GFLOP/s and the ours/OpenBLAS ratio.
 * Shapes are "MxNxK[/XY]" (C is M x N, depth K; X, Y = N/T for transposed A, B):
 * <ul>
 *   <li>square 256 .. 2048 (2048: 17.2 GFLOP per op);</li>
 *   <li>Qwen2.5 MLP projections on 256 tokens with PyTorch-layout weights (x W^T): 0.5B hidden 896 / intermediate
 *       4864 as up/gate {@code 256x4864x896/NT} and down {@code 256x896x4864/NT} (2.23 GFLOP each); 1.5B hidden
 *       1536 / intermediate 8960 likewise (7.05 GFLOP each);</li>
 *   <li>the output layer over Qwen2.5's 151936-token vocabulary, {@code 256x151936x896/NT} (69.7 GFLOP);</li>
 *   <li>one decode step through the 0.5B up projection, {@code 1x4864x896/NT} (8.7 MFLOP, memory-bound).</li>
 * </ul>
 * When OpenBLAS cannot be loaded the {@code openBlas} benchmark fails with the reason (what was tried, how to fix).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class GemmBenchmark {

    @Param({"256x256x256", "512x512x512", "1024x1024x1024", "2048x2048x2048",
            "256x4864x896/NT", "256x896x4864/NT", "256x8960x1536/NT", "256x1536x8960/NT",
            "256x151936x896/NT", "1x4864x896/NT"})
    public String shape;

    private final FastGemm ours = new FastGemm();
    private Arena arena;
    private GemmShape s;
    private MemorySegment a, b, c;

    @Setup(Level.Trial)
    public void setUp() {
        s = GemmShape.parse(shape);
        arena = Arena.ofShared(); // the kernels run on several threads
        a = random((long) s.m() * s.k(), 1);
        b = random((long) s.k() * s.n(), 2);
        c = arena.allocate((long) s.m() * s.n() * Float.BYTES, 64);
        if (OpenBlas.available()) OpenBlas.setThreads(Parallel.threads());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public void fastGemm() {
        ours.sgemm(s.transA(), s.transB(), s.m(), s.n(), s.k(), 1f, a, s.lda(), b, s.ldb(), 0f, c, s.n());
    }

    @Benchmark
    public void openBlas() {
        if (!OpenBlas.available()) throw new IllegalStateException("cannot run the OpenBLAS reference: " + OpenBlas.problem());
        OpenBlas.sgemm(s.transA(), s.transB(), s.m(), s.n(), s.k(), 1f, a, s.lda(), b, s.ldb(), 0f, c, s.n());
    }

    private MemorySegment random(long n, long seed) {
        MemorySegment seg = arena.allocate(n * Float.BYTES, 64);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < n; i++) Segments.setFloat(seg, i, (float) (r.nextDouble() * 2 - 1));
        return seg;
    }
}
