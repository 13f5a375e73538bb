package dev.latentr3.kernels.cuda;

import org.junit.jupiter.api.Tag;

/** The tiled GEMM's fatbin on a real GPU; skipped with the reason when there is none. */
@Tag("gpu")
class GpuGemmTest extends GemmContract {
    @Override
    CudaRuntime runtime() {
        return CudaTestRuntimes.device();
    }
}
