package dev.latentr3.kernels.cuda;

import org.junit.jupiter.api.Tag;

/** Host-device copies on a real GPU (pinned staging, registered memory); skipped with the reason when there is none. */
@Tag("gpu")
class GpuHostCopiesTest extends HostCopiesContract {
    @Override
    CudaRuntime runtime() {
        return CudaTestRuntimes.device();
    }
}
