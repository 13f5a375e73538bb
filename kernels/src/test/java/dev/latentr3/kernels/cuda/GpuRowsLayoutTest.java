package dev.latentr3.kernels.cuda;

import org.junit.jupiter.api.Tag;

/** The row kernels' layout paths on a real GPU; skipped with the reason when there is none. */
@Tag("gpu")
class GpuRowsLayoutTest extends RowsLayoutContract {
    @Override
    CudaRuntime runtime() {
        return CudaTestRuntimes.device();
    }
}
