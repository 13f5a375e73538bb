package dev.latentr3.engine.device;

import dev.latentr3.engine.Backends;
import dev.latentr3.engine.Device;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The accelerator the device tests compare with the CPU: "cuda", which in the build is the CPU emulator
 * ({@code latentr3.cuda.emulate=true}, set by the pom) and on a GPU host with {@code -Dlatentr3.cuda.emulate=false}
 * the GPU. A test skips with the one-line reason when the device is unavailable (emulator not built, no GPU).
 */
final class TestDevices {
    private TestDevices() {}

    static final Device CUDA = new Device("cuda", 0);

    static Device cuda() {
        assumeTrue(Backends.available(CUDA), () -> "device cuda unavailable: " + Backends.unavailableReason(CUDA));
        return CUDA;
    }

    /** The device only when it is a real GPU (for tests whose shapes the emulator cannot afford). */
    static Device gpu() {
        Device d = cuda();
        assumeTrue(!Backends.runtime(d).emulated(), "cuda is the CPU emulator here, not a GPU");
        return d;
    }
}
