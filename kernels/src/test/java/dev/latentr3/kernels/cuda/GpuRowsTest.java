package dev.latentr3.kernels.cuda;

import org.junit.jupiter.api.Tag;

/** The row kernels' fatbin on a real GPU; skipped with the reason when there is none. */
@Tag("gpu")
class GpuRowsTest extends RowsContract {
    @Override
    CudaRuntime runtime() {
        return CudaTestRuntimes.device();
    }
}
