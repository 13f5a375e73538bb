package dev.latentr3.bench;

import dev.latentr3.kernels.AttentionKernels;
import dev.latentr3.kernels.Segments;
import dev.latentr3.kernels.cpu.FastAttention;
import dev.latentr3.kernels.cpu.ReferenceAttention;
import org.openjdk.jmh.annotations.AuxCounters;
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
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Causal self-attention at Qwen2.5-0.5B head shapes (Hq = 14, Hkv = 2, D = 64, B = 1), FastAttention against
 * ReferenceAttention (the reference only at L = 256: it is O(L^2 D) scalar code).
 *
 * <p>Flop counts, the usual FlashAttention convention (algorithmic flops, 2 per multiply-add, softmax ignored):
 * forward = two L x L x D products (Q K^T and P V) = 4 B Hq L^2 D, halved by causality to {@code 2 B Hq L^2 D};
 * backward = five such products (Q K^T again, dO V^T, P^T dO, dS K, dS^T Q) = 2.5 x forward; forward + backward =
 * {@code 7 B Hq L^2 D}. FastAttention's backward does seven (recomputing Q K^T and dO V^T for a separate dQ pass)
 * when it runs its two-pass plan (see FastAttention); those extra flops are not counted. JMH reports calls per second
 * and, as the secondary {@code gflop} counter, GFLOP/s.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class AttentionBenchmark {
    public static final int BATCH = 1, HQ = 14, HKV = 2, HEAD_DIM = 64;
    static final float SCALE = (float) (1 / Math.sqrt(HEAD_DIM));

    public static double forwardFlops(int len) {
        return 2.0 * BATCH * HQ * HEAD_DIM * len * (double) len;
    }

    public static double forwardBackwardFlops(int len) {
        return 3.5 * forwardFlops(len);
    }

    /** Inputs, outputs and gradients of one causal self-attention of length {@code len}. */
    public abstract static class Problem {
        AttentionKernels kernels;
        int len;
        Arena arena;
        MemorySegment q, k, v, out, lse, dOut, dq, dk, dv;

        void allocate(AttentionKernels kernels, int len) {
            this.kernels = kernels;
            this.len = len;
            arena = Arena.ofShared();
            long qn = (long) BATCH * len * HQ * HEAD_DIM, kvn = (long) BATCH * len * HKV * HEAD_DIM;
            Random r = new Random(42);
            q = gaussian(qn, r);
            k = gaussian(kvn, r);
            v = gaussian(kvn, r);
            dOut = gaussian(qn, r);
            out = arena.allocate(qn * Float.BYTES, 64);
            lse = arena.allocate((long) BATCH * HQ * len * Float.BYTES, 64);
            dq = arena.allocate(qn * Float.BYTES, 64);
            dk = arena.allocate(kvn * Float.BYTES, 64);
            dv = arena.allocate(kvn * Float.BYTES, 64);
        }

        private MemorySegment gaussian(long n, Random r) {
            MemorySegment s = arena.allocate(n * Float.BYTES, 64);
            for (long i = 0; i < n; i++) Segments.setFloat(s, i, (float) r.nextGaussian());
            return s;
        }

        void forward() {
            kernels.attention(BATCH, len, len, HQ, HKV, HEAD_DIM, SCALE, true, q, k, v, null, out, lse);
        }

        void backward() {
            kernels.attentionBackward(BATCH, len, len, HQ, HKV, HEAD_DIM, SCALE, true, q, k, v, null, out, lse, dOut,
                    dq, dk, dv);
        }

        @TearDown(Level.Trial)
        public void close() {
            arena.close();
        }
    }

    @State(Scope.Benchmark)
    public static class Fast extends Problem {
        @Param({"256", "1024"})
        public int seqLen;

        @Setup(Level.Trial)
        public void setUp() {
            allocate(new FastAttention(), seqLen);
        }
    }

    @State(Scope.Benchmark)
    public static class Reference extends Problem {
        @Param({"256"})
        public int seqLen;

        @Setup(Level.Trial)
        public void setUp() {
            allocate(new ReferenceAttention(), seqLen);
        }
    }

    /** Algorithmic work done, in GFLOP; JMH reports it per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Rate {
        public double gflop;

        @Setup(Level.Iteration)
        public void reset() {
            gflop = 0;
        }
    }

    @Benchmark
    public MemorySegment fastForward(Fast p, Rate rate) {
        p.forward();
        rate.gflop += forwardFlops(p.len) / 1e9;
        return p.out;
    }

    @Benchmark
    public MemorySegment fastForwardBackward(Fast p, Rate rate) {
        p.forward();
        p.backward();
        rate.gflop += forwardBackwardFlops(p.len) / 1e9;
        return p.dq;
    }

    @Benchmark
    public MemorySegment referenceForward(Reference p, Rate rate) {
        p.forward();
        rate.gflop += forwardFlops(p.len) / 1e9;
        return p.out;
    }

    @Benchmark
    public MemorySegment referenceForwardBackward(Reference p, Rate rate) {
        p.forward();
        p.backward();
        rate.gflop += forwardBackwardFlops(p.len) / 1e9;
        return p.dq;
    }
}
