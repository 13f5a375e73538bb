package dev.latentr3.kernels.cuda;

/** The row kernels' .cu sources, built by g++ and run on the CPU emulator. */
class EmulatedRowsTest extends RowsContract {
    @Override
    CudaRuntime runtime() {
        return CudaTestRuntimes.emulator();
    }
}
