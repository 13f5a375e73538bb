package dev.latentr3.kernels.cuda;

import org.junit.jupiter.api.Tag;

/** The training-step kernels' fatbin on a real GPU; skipped with the reason when there is none. */
@Tag("gpu")
class GpuTrainingKernelsTest extends TrainingKernelsContract {
    @Override
    CudaRuntime runtime() {
        return CudaTestRuntimes.device();
    }
}
