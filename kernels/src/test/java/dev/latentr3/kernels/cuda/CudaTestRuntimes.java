package dev.latentr3.kernels.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The two runtimes the CUDA tests run on; a test skips, with the one-line reason, when its runtime is unavailable. */
final class CudaTestRuntimes {
    private CudaTestRuntimes() {}

    static CudaRuntime emulator() {
        CudaRuntime.Availability a = CudaRuntime.emulator();
        assumeTrue(a.available(), () -> "CUDA emulator unavailable: " + a.reason());
        return a.runtime();
    }

    static CudaRuntime device() {
        CudaRuntime.Availability a = CudaRuntime.device();
        assumeTrue(a.available(), () -> "no usable GPU: " + a.reason());
        return a.runtime();
    }
}
