package dev.latentr3.kernels.cuda;

/** The CUDA semantics checks on the CPU emulator. */
class EmulatedSemanticsTest extends SemanticsContract {
    @Override
    CudaRuntime runtime() {
        return CudaTestRuntimes.emulator();
    }
}
