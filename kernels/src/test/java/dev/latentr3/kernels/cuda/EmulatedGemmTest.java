package dev.latentr3.kernels.cuda;

/** The tiled GEMM's .cu source, built by g++ and run on the CPU emulator. */
class EmulatedGemmTest extends GemmContract {
    @Override
    CudaRuntime runtime() {
        return CudaTestRuntimes.emulator();
    }
}
