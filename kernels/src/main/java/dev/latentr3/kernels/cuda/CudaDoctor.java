package dev.latentr3.kernels.cuda;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The CUDA lines of {@code latentr3 doctor}: driver and device (or the one-line reason there is none), cuBLAS, the GPU
 * kernels this build carries, and the CPU emulator. Never throws: a doctor must report, not fail.
 */
public final class CudaDoctor {
    private CudaDoctor() {}

    public static List<String> report() {
        List<String> lines = new ArrayList<>();
        CudaRuntime.Availability device = CudaRuntime.device();
        if (device.available()) {
            CudaRuntime rt = device.runtime();
            lines.add("CUDA device: " + rt.deviceName() + ", compute capability " + rt.computeCapability() + ", "
                    + rt.multiprocessors() + " multiprocessors, " + gib(rt.totalMemory()) + " GiB; driver supports CUDA "
                    + rt.driverVersion());
        } else {
            lines.add("CUDA device: none (" + device.reason() + ")");
        }
        lines.add("CUDA kernels in this build: " + kernelsInBuild());
        lines.add("cuBLAS: " + cublas());
        CudaRuntime.Availability emulator = CudaRuntime.emulator();
        lines.add("CUDA emulator: " + (emulator.available()
                ? emulator.runtime().deviceName() + " from " + emulator.runtime().driver().libraryName()
                : "unavailable (" + emulator.reason() + ")"));
        return lines;
    }

    private static String kernelsInBuild() {
        if (CudaRuntime.class.getResource(CudaRuntime.KERNEL_LIST) == null) {
            return "none (nvcc was missing when the kernels module was built; the emulator still runs them)";
        }
        try (var in = CudaRuntime.class.getResourceAsStream(CudaRuntime.KERNEL_LIST)) {
            long count = new String(in.readAllBytes()).lines().filter(l -> !l.isBlank()).count();
            return count + " fatbins (sm_80 and sm_90 SASS, compute_90 PTX for newer GPUs)";
        } catch (Exception e) {
            return "unreadable (" + e.getMessage() + ")";
        }
    }

    /** With a GPU: the handle the GEMM would use (or why none); without: where cuBLAS is and whether it binds. */
    private static String cublas() {
        CudaRuntime.Availability device = CudaRuntime.device();
        if (device.available()) {
            CublasHandle.Availability h = CublasHandle.of(device.runtime());
            String gemm = "; GEMM path: " + describeGemm(device.runtime());
            return (h.available() ? h.handle().toString() : "unavailable (" + h.reason() + ")") + gemm;
        }
        Optional<Path> found = CublasLibrary.locate();
        if (found.isEmpty()) {
            List<Path> searched = CublasLibrary.searchPath();
            return "not found (set " + CublasLibrary.DIR_VARIABLE + "; looked in " + (searched.isEmpty() ? "no existing folder" : searched) + ")";
        }
        try {
            Cublas.load(found.get());
            return found.get() + " (binds; no GPU to create a handle on)"
                    + (found.get().getFileName().toString().endsWith(".12") ? " (CUDA 12 build: untested with CUDA 13 kernels)" : "");
        } catch (IllegalArgumentException e) {
            return found.get() + " found but cannot be opened (is libcublasLt beside it and the driver installed?)";
        } catch (UnsatisfiedLinkError e) {
            return found.get() + " found but " + e.getMessage();
        }
    }

    private static String describeGemm(CudaRuntime rt) {
        try {
            return new CudaGemm(rt).implementation();
        } catch (RuntimeException e) {
            return "misconfigured (" + e.getMessage() + ")";
        }
    }

    private static String gib(long bytes) {
        return String.format("%.1f", bytes / (double) (1L << 30));
    }
}
