package dev.latentr3.kernels.cuda;

import org.junit.jupiter.api.Tag;

/** The attention kernels' fatbin on a real GPU; skipped with the reason when there is none. */
@Tag("gpu")
class GpuAttentionTest extends AttentionContract {
    @Override
    CudaRuntime runtime() {
        return CudaTestRuntimes.device();
    }
}
