package dev.latentr3.kernels.cuda;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;

/** The cuBLAS binding on NVIDIA's cuBLAS; skipped with the reason when there is no GPU or no cuBLAS. */
@Tag("gpu")
class GpuCublasTest extends CublasContract {
    @Override
    CudaRuntime runtime() {
        return CudaTestRuntimes.device();
    }

    @Test
    void aGpuNeverGetsTheEmulatedCublas() {
        assertFalse(handle().cublas().emulated());
    }
}
