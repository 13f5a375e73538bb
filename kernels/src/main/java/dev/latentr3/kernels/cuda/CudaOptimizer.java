package dev.latentr3.kernels.cuda;

import dev.latentr3.kernels.OptimizerKernels;
import dev.latentr3.kernels.cpu.ReferenceOptimizer;

import java.lang.foreign.MemorySegment;

/** {@link OptimizerKernels} on a CUDA device (native/kernels/adamw.cu), in fp32 arithmetic. */
public final class CudaOptimizer implements OptimizerKernels {
    static final Kernel ADAMW = new Kernel("adamw_f32", "lppppfffffff");

    private final CudaRuntime rt;

    public CudaOptimizer(CudaRuntime rt) {
        this.rt = rt;
    }

    @Override
    public void adamw(long n, MemorySegment param, MemorySegment grad, MemorySegment m, MemorySegment v,
                      float lr, float beta1, float beta2, float eps, float weightDecay, float c1, float c2) {
        ReferenceOptimizer.checkAdamw(n, param, grad, m, v, c1, c2);
        if (n == 0) return;
        rt.launch(ADAMW, rt.linearGrid(n), Dim3.of(CudaRuntime.LINEAR_BLOCK), 0, n, param, grad, m, v, lr, beta1, beta2,
                eps, weightDecay, c1, c2);
    }
}
