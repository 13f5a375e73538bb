package dev.latentr3.kernels.cuda;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CudaGemm}'s cuBLAS path (row-major to column-major mapping, strided batches) on the emulated cuBLAS, against
 * the CPU reference; plus the path choice.
 */
class EmulatedCublasGemmTest extends GemmContract {
    @Override
    CudaRuntime runtime() {
        return CudaTestRuntimes.emulator();
    }

    @Override
    List<CudaGemm> gemms() {
        CudaGemm g = new CudaGemm(runtime(), CudaGemm.Implementation.CUBLAS);
        assertTrue(g.usesCublas(), g.implementation());
        return List.of(g);
    }

    @Test
    void autoOnTheEmulatorRunsOurKernel() {
        assertFalse(new CudaGemm(runtime(), CudaGemm.Implementation.AUTO).usesCublas());
        assertFalse(new CudaGemm(runtime(), CudaGemm.Implementation.OURS).usesCublas());
    }

    @Test
    void thePropertyNamesThePath() {
        String before = System.getProperty(CudaGemm.PATH_PROPERTY);
        try {
            System.setProperty(CudaGemm.PATH_PROPERTY, "cublas");
            assertEquals(CudaGemm.Implementation.CUBLAS, CudaGemm.Implementation.configured());
            System.setProperty(CudaGemm.PATH_PROPERTY, "Ours");
            assertEquals(CudaGemm.Implementation.OURS, CudaGemm.Implementation.configured());
            System.setProperty(CudaGemm.PATH_PROPERTY, "fast");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, CudaGemm.Implementation::configured);
            assertTrue(e.getMessage().contains("expected ours, cublas or auto"), e.getMessage());
        } finally {
            if (before == null) System.clearProperty(CudaGemm.PATH_PROPERTY);
            else System.setProperty(CudaGemm.PATH_PROPERTY, before);
        }
    }
}
