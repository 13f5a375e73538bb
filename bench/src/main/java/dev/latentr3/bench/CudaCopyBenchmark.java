package dev.latentr3.bench;

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
 * The device's copy bandwidth: {@code bytes} bytes from one device buffer to another (cuMemcpyDtoD_v2 on the default
 * stream, the driver's own copy), device time from CUDA events with L2 flushed before each call ({@link CudaBench}).
 * A copy reads and writes each byte, so it moves {@link RowBenchData#copyBytesMoved 2 x bytes}. It is the reference of
 * the GPU row kernels: copying half the bytes a kernel must move moves as many bytes as the kernel, so "ours /
 * reference" is the kernel's fraction of copy bandwidth at its own size. The default size, 1 GiB, is the report's
 * standalone copy row (against PyTorch's {@code Tensor.copy_}); other rows pass their own.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class CudaCopyBenchmark {
    /** Bytes copied by one call (a multiple of 4: the source is filled with random floats). */
    @Param({"1073741824"})
    public long bytes;

    private CudaRuntime rt;
    private CudaBench.Device device;
    private CudaBench.L2Flush flush;
    private final CudaBench.Buffers buffers = new CudaBench.Buffers();
    private MemorySegment src, dst;
    private double deviceMillis;
    private long calls;

    @Setup(Level.Trial)
    public void setUp() {
        if (bytes <= 0 || bytes % Float.BYTES != 0) {
            throw new IllegalArgumentException("CudaCopyBenchmark: bytes must be a positive multiple of 4, got " + bytes);
        }
        rt = CudaBench.device();
        device = CudaBench.Device.of(rt);
        flush = buffers.add(new CudaBench.L2Flush(rt, device));
        src = buffers.add(CudaBench.randomFloats(rt, bytes / Float.BYTES, 1, -1, 1)).segment();
        dst = buffers.add(rt.allocator().allocate(bytes)).segment();
    }

    @Setup(Level.Iteration)
    public void startIteration() {
        deviceMillis = 0;
        calls = 0;
    }

    @Benchmark
    public void copy(CudaBench.DeviceTime t) {
        deviceMillis += CudaBench.timed(rt, flush, t, () -> rt.copyOnDevice(src, dst, bytes));
        calls++;
    }

    @TearDown(Level.Iteration)
    public void printRate() {
        CudaBench.printRate(CudaBench.byteRate("device copy of " + bytes + " bytes", RowBenchData.copyBytesMoved(bytes),
                deviceMillis, calls, device));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        buffers.close();
    }
}
