package dev.latentr3.kernels.cuda;

import dev.latentr3.kernels.Backend;

/**
 * The kernel families of one CUDA runtime as a {@link Backend} (its segments are device segments), plus the RL
 * kernels, which the Backend record does not carry. Named "cuda" on a GPU and "cuda-emulated" on the CPU emulator.
 */
public final class CudaBackends {
    private CudaBackends() {}

    public static Backend of(CudaRuntime rt) {
        return new Backend(rt.emulated() ? "cuda-emulated" : "cuda", new CudaGemm(rt), new CudaElementwise(rt),
                new CudaRows(rt), new CudaAttention(rt), new CudaOptimizer(rt));
    }

    public static CudaRl rl(CudaRuntime rt) {
        return new CudaRl(rt);
    }
}
