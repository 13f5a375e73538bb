package dev.latentr3.kernels.cuda;

import org.junit.jupiter.api.Tag;

/** RoPE and SwiGLU on their shape and layout paths on a real GPU; skipped with the reason when there is none. */
@Tag("gpu")
class GpuRopeSwiGluTest extends RopeSwiGluContract {
    @Override
    CudaRuntime runtime() {
        return CudaTestRuntimes.device();
    }
}
