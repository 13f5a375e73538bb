package dev.latentr3.kernels.cuda;

/** The attention kernels' .cu source, built by g++ and run on the CPU emulator. */
class EmulatedAttentionTest extends AttentionContract {
    @Override
    CudaRuntime runtime() {
        return CudaTestRuntimes.emulator();
    }
}
