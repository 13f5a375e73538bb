package dev.latentr3.bench;

import dev.latentr3.kernels.cuda.CublasHandle;
import dev.latentr3.kernels.cuda.CudaGemm;
import dev.latentr3.kernels.cuda.CudaRuntime;
import dev.latentr3.kernels.cuda.DeviceBuffer;
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
 * GEMM on the GPU, C = A B (beta = 0), row-major as the engine calls it: our tiled kernel (fp32) against cuBLAS in
 * fp32, TF32 (CUBLAS_COMPUTE_32F_FAST_TF32) and bf16 (bf16 A, B and C, fp32 accumulation). Device time from CUDA
 * events with L2 flushed before each call ({@link CudaBench}); TFLOP/s = 2 M N K / device seconds per call / 1e12,
 * printed at tear-down beside the device's peak for the precision.
 *
 * <p>{@code impl}: {@code ours-fp32} (CudaGemm, our kernel), {@code cublas-fp32} (CudaGemm's cuBLAS path, what the
 * engine runs on a GPU with cuBLAS), {@code cublas-tf32}, {@code cublas-bf16} (CublasHandle, same row-major mapping).
 * Shapes ({@link GemmShape}): square 4096, and the Qwen2.5-0.5B MLP up/gate projection on 4096 tokens with a
 * PyTorch-layout weight (x W^T, 4864 x 896). The report runs each shape four ways and each against PyTorch, so the list
 * is trimmed to fit all device rows in about 5 minutes of a device lease (3 forks each, {@code RunMode.DEVICE}): the
 * other Qwen2.5-0.5B projections (q/o 896 x 896, k/v 128 x 896, down 896 x 4864, the 151936-token output layer) and
 * square 1024 run alone with {@code -p shape=...}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class CudaGemmBenchmark {

    @Param({"ours-fp32", "cublas-fp32", "cublas-tf32", "cublas-bf16"})
    public String impl;

    @Param({"4096x4096x4096", "4096x4864x896/NT"})
    public String shape;

    private CudaRuntime rt;
    private CudaBench.Device device;
    private CudaBench.L2Flush flush;
    private final CudaBench.Buffers buffers = new CudaBench.Buffers();
    private GemmShape s;
    private MemorySegment a, b, c;
    private Runnable op;
    private double deviceMillis;
    private long calls;

    /** The precision an impl runs in, for its peak: "fp32", "tf32" or "bf16". */
    static String precision(String impl) {
        return impl.substring(impl.indexOf('-') + 1);
    }

    @Setup(Level.Trial)
    public void setUp() {
        rt = CudaBench.device();
        device = CudaBench.Device.of(rt);
        flush = buffers.add(new CudaBench.L2Flush(rt, device));
        s = GemmShape.parse(shape);
        boolean bf16 = impl.equals("cublas-bf16");
        long aN = (long) s.m() * s.k(), bN = (long) s.k() * s.n(), cN = (long) s.m() * s.n();
        DeviceBuffer da = buffers.add(bf16 ? CudaBench.randomBf16(rt, aN, 1, -1, 1) : CudaBench.randomFloats(rt, aN, 1, -1, 1));
        DeviceBuffer db = buffers.add(bf16 ? CudaBench.randomBf16(rt, bN, 2, -1, 1) : CudaBench.randomFloats(rt, bN, 2, -1, 1));
        DeviceBuffer dc = buffers.add(rt.allocator().allocate(cN * (bf16 ? 2 : 4)));
        a = da.segment();
        b = db.segment();
        c = dc.segment();
        op = switch (impl) {
            case "ours-fp32" -> rowMajor(new CudaGemm(rt, CudaGemm.Implementation.OURS));
            case "cublas-fp32" -> rowMajor(new CudaGemm(rt, CudaGemm.Implementation.CUBLAS));
            case "cublas-tf32" -> cublas(CublasHandle.Precision.TF32);
            case "cublas-bf16" -> cublas(CublasHandle.Precision.BF16);
            default -> throw new IllegalArgumentException("impl '" + impl + "': expected ours-fp32, cublas-fp32, cublas-tf32 or cublas-bf16");
        };
    }

    private Runnable rowMajor(CudaGemm g) {
        return () -> g.sgemm(s.transA(), s.transB(), s.m(), s.n(), s.k(), 1f, a, s.lda(), b, s.ldb(), 0f, c, s.n());
    }

    /** Row-major, mapped to column-major cuBLAS as CudaGemm maps it. */
    private Runnable cublas(CublasHandle.Precision p) {
        CublasHandle h = CublasHandle.of(rt).orThrow();
        return () -> h.gemmRowMajor(p, s.transA(), s.transB(), s.m(), s.n(), s.k(), 1f, a, s.lda(), b, s.ldb(), 0f, c, s.n());
    }

    @Setup(Level.Iteration)
    public void startIteration() {
        deviceMillis = 0;
        calls = 0;
    }

    @Benchmark
    public void gemm(CudaBench.DeviceTime t) {
        deviceMillis += CudaBench.timed(rt, flush, t, op);
        calls++;
    }

    @TearDown(Level.Iteration)
    public void printRate() {
        CudaBench.printRate(CudaBench.flopRate(impl + " " + shape, s.flops(), deviceMillis, calls, device, precision(impl)));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        buffers.close();
    }
}
