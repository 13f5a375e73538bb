package dev.latentr3.kernels.cuda;

/** The training-step kernels' .cu sources (AdamW, GRPO, latent injection), built by g++ and run on the CPU emulator. */
class EmulatedTrainingKernelsTest extends TrainingKernelsContract {
    @Override
    CudaRuntime runtime() {
        return CudaTestRuntimes.emulator();
    }
}
