package dev.latentr3.kernels.cuda;

/** Host-device copies on the CPU emulator. */
class EmulatedHostCopiesTest extends HostCopiesContract {
    @Override
    CudaRuntime runtime() {
        return CudaTestRuntimes.emulator();
    }
}
