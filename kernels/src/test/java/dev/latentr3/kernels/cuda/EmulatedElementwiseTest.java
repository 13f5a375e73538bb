package dev.latentr3.kernels.cuda;

/** The element-wise kernels' .cu sources, built by g++ and run on the CPU emulator. */
class EmulatedElementwiseTest extends ElementwiseContract {
    @Override
    CudaRuntime runtime() {
        return CudaTestRuntimes.emulator();
    }
}
