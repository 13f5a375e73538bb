package dev.latentr3.bench;

import dev.latentr3.kernels.cuda.CudaRows;
import dev.latentr3.kernels.cuda.CudaRuntime;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the GPU row-kernel benchmarks share (CudaRmsNormBenchmark, CudaLogProbGatherBenchmark, CudaSwiGluBenchmark,
 * CudaRopeBenchmark): the device, the L2 flush, CudaRows, and the iteration's device time for the tear-down line.
 */
abstract class CudaRowBench {
    CudaRuntime rt;
    CudaBench.Device device;
    CudaBench.L2Flush flush;
    final CudaBench.Buffers buffers = new CudaBench.Buffers();
    CudaRows kernels;
    double deviceMillis;
    long calls;

    void open() {
        rt = CudaBench.device();
        device = CudaBench.Device.of(rt);
        flush = buffers.add(new CudaBench.L2Flush(rt, device));
        kernels = new CudaRows(rt);
    }

    void time(CudaBench.DeviceTime t, Runnable op) {
        deviceMillis += CudaBench.timed(rt, flush, t, op);
        calls++;
    }

    @Setup(Level.Iteration)
    public void startIteration() {
        deviceMillis = 0;
        calls = 0;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        buffers.close();
    }
}
