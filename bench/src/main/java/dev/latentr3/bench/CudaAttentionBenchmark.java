package dev.latentr3.bench;

import dev.latentr3.kernels.cuda.CudaAttention;
import dev.latentr3.kernels.cuda.CudaRuntime;
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
 * Causal self-attention on the GPU (our CudaAttention kernels, fp32) at Qwen2.5-0.5B head shapes (B 1, Hq 14, Hkv 2,
 * D 64, as {@link AttentionBenchmark}), L 256, 1024 and 4096 (2048 runs alone with {@code -p seqLen=2048}; trimmed
 * from the report so that all device rows fit about 5 minutes of a device lease): the forward alone, and forward then
 * backward in one timed call (the backward needs the forward's output and log-sum-exp). Device time from CUDA events
 * with L2 flushed before each call ({@link CudaBench}). TFLOP/s from {@link AttentionBenchmark#forwardFlops}
 * ({@code 2 B Hq L^2 D}, causal) and {@link AttentionBenchmark#forwardBackwardFlops} (3.5 x forward), compared at
 * tear-down with the fp32 peak (the kernels use fp32 FMA, not tensor cores).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class CudaAttentionBenchmark {

    @Param({"256", "1024", "4096"})
    public int seqLen;

    private CudaRuntime rt;
    private CudaBench.Device device;
    private CudaBench.L2Flush flush;
    private final CudaBench.Buffers buffers = new CudaBench.Buffers();
    private CudaAttention kernels;
    private MemorySegment q, k, v, out, lse, dOut, dq, dk, dv;
    private double deviceMillis;
    private long calls;
    private String last = "";

    @Setup(Level.Trial)
    public void setUp() {
        rt = CudaBench.device();
        device = CudaBench.Device.of(rt);
        flush = buffers.add(new CudaBench.L2Flush(rt, device));
        kernels = new CudaAttention(rt);
        int b = AttentionBenchmark.BATCH, hq = AttentionBenchmark.HQ, hkv = AttentionBenchmark.HKV, d = AttentionBenchmark.HEAD_DIM;
        long qn = (long) b * seqLen * hq * d, kvn = (long) b * seqLen * hkv * d;
        q = buffers.add(CudaBench.randomFloats(rt, qn, 1, -1, 1)).segment();
        k = buffers.add(CudaBench.randomFloats(rt, kvn, 2, -1, 1)).segment();
        v = buffers.add(CudaBench.randomFloats(rt, kvn, 3, -1, 1)).segment();
        dOut = buffers.add(CudaBench.randomFloats(rt, qn, 4, -1, 1)).segment();
        out = buffers.add(rt.allocator().allocate(qn * 4)).segment();
        lse = buffers.add(rt.allocator().allocate((long) b * hq * seqLen * 4)).segment();
        dq = buffers.add(rt.allocator().allocate(qn * 4)).segment();
        dk = buffers.add(rt.allocator().allocate(kvn * 4)).segment();
        dv = buffers.add(rt.allocator().allocate(kvn * 4)).segment();
    }

    private void forward() {
        kernels.attention(AttentionBenchmark.BATCH, seqLen, seqLen, AttentionBenchmark.HQ, AttentionBenchmark.HKV,
                AttentionBenchmark.HEAD_DIM, AttentionBenchmark.SCALE, true, q, k, v, null, out, lse);
    }

    private void backward() {
        kernels.attentionBackward(AttentionBenchmark.BATCH, seqLen, seqLen, AttentionBenchmark.HQ, AttentionBenchmark.HKV,
                AttentionBenchmark.HEAD_DIM, AttentionBenchmark.SCALE, true, q, k, v, null, out, lse, dOut, dq, dk, dv);
    }

    @Setup(Level.Iteration)
    public void startIteration() {
        deviceMillis = 0;
        calls = 0;
    }

    @Benchmark
    public void forward(CudaBench.DeviceTime t) {
        deviceMillis += CudaBench.timed(rt, flush, t, this::forward);
        calls++;
        last = "forward";
    }

    @Benchmark
    public void forwardBackward(CudaBench.DeviceTime t) {
        deviceMillis += CudaBench.timed(rt, flush, t, () -> {
            forward();
            backward();
        });
        calls++;
        last = "forwardBackward";
    }

    @TearDown(Level.Iteration)
    public void printRate() {
        double flops = last.equals("forward") ? AttentionBenchmark.forwardFlops(seqLen) : AttentionBenchmark.forwardBackwardFlops(seqLen);
        CudaBench.printRate(CudaBench.flopRate("attention " + last + " L=" + seqLen, flops, deviceMillis, calls, device, "fp32"));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        buffers.close();
    }
}
