package dev.latentr3.kernels.cuda;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cuBLAS binding on the emulator's cuBLAS subset (native/emu/emu_cublas.cpp), and the rule that keeps it off GPUs. */
class EmulatedCublasTest extends CublasContract {
    @Override
    CudaRuntime runtime() {
        return CudaTestRuntimes.emulator();
    }

    @Test
    void theEmulatorServesItsOwnCublas() {
        CublasHandle h = handle();
        assertTrue(h.cublas().emulated());
        assertEquals(runtime().driver().libraryName(), h.cublas().libraryName());
        assertEquals("13.0.0", h.versionText());
    }

    @Test
    void theEmulatedCublasIsRefusedForARealDevice() {
        String library = runtime().driver().libraryName();
        Cublas emulated = Cublas.bind(library, SymbolLookup.libraryLookup(Path.of(library), Arena.global()));
        String reason = CublasHandle.refusal(emulated, CudaRuntime.Kind.DEVICE);
        assertTrue(reason != null && reason.contains("refused on a GPU"), reason);
        assertNull(CublasHandle.refusal(emulated, CudaRuntime.Kind.EMULATOR));
    }

    @Test
    void theLibrarySearchLooksOnlyForNvidiaSonames() {
        // Whatever the machine has, the search must never yield the emulator (it looks for libcublas.so.N only).
        CublasLibrary.locate().ifPresent(p -> assertTrue(p.getFileName().toString().startsWith("libcublas.so."), p.toString()));
    }

    @Test
    void statusNamesComeFromCublasApiH() {
        assertEquals("CUBLAS_STATUS_NOT_SUPPORTED", Cublas.statusName(15));
        assertEquals("cublasStatus_t 99", Cublas.statusName(99));
    }

    @Test
    void unsupportedTypeCombinationsAreNamed() {
        CublasHandle h = handle();
        try (DeviceScope d = new DeviceScope(runtime())) {
            // The binding takes bare pointers: a device segment itself cannot cross a downcall (its arena is closed).
            MemorySegment a = MemorySegment.ofAddress(d.nanFloats(16).address());
            Cublas c = h.cublas();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment one = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1f);
                MemorySegment handleCell = arena.allocate(ValueLayout.ADDRESS);
                c.check(c.cublasCreate_v2(handleCell), "cublasCreate_v2");
                MemorySegment raw = handleCell.get(ValueLayout.ADDRESS, 0);
                // fp32 A/B with a bf16 C is not a cuBLAS combination for COMPUTE_32F_FAST_TF32
                int status = c.cublasGemmEx(raw, Cublas.CUBLAS_OP_N, Cublas.CUBLAS_OP_N, 2, 2, 2, one, a, Cublas.CUDA_R_32F, 2,
                        a, Cublas.CUDA_R_32F, 2, one, a, Cublas.CUDA_R_16BF, 2, Cublas.CUBLAS_COMPUTE_32F_FAST_TF32,
                        Cublas.CUBLAS_GEMM_DEFAULT);
                assertEquals(Cublas.CUBLAS_STATUS_NOT_SUPPORTED, status);
                c.check(c.cublasDestroy_v2(raw), "cublasDestroy_v2");
            }
        }
    }
}
