package dev.latentr3.kernels.cuda;

import org.junit.jupiter.api.Tag;

/** The element-wise kernels' fatbin on a real GPU; skipped with the reason when there is none. */
@Tag("gpu")
class GpuElementwiseTest extends ElementwiseContract {
    @Override
    CudaRuntime runtime() {
        return CudaTestRuntimes.device();
    }
}
