package dev.latentr3.kernels.cuda;

/** RoPE and SwiGLU on their shape and layout paths (head groups, float4 or scalar, views, in place) on the emulator. */
class EmulatedRopeSwiGluTest extends RopeSwiGluContract {
    @Override
    CudaRuntime runtime() {
        return CudaTestRuntimes.emulator();
    }
}
