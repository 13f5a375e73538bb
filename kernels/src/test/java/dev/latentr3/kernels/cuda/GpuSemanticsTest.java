package dev.latentr3.kernels.cuda;

import org.junit.jupiter.api.Tag;

/** The CUDA semantics checks on a real GPU (the reference the emulator is held to); skipped when there is none. */
@Tag("gpu")
class GpuSemanticsTest extends SemanticsContract {
    @Override
    CudaRuntime runtime() {
        return CudaTestRuntimes.device();
    }
}
