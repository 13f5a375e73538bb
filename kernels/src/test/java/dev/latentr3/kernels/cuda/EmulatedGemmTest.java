package dev.latentr3.kernels.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The tiled GEMM's .cu source, built by g++ and run on the CPU emulator; plus the launcher's choice of tile. */
class EmulatedGemmTest extends GemmContract {
    @Override
    CudaRuntime runtime() {
        return CudaTestRuntimes.emulator();
    }

    @Test
    void theLargeTileRunsOnlyWhenItsBlocksCoverEveryMultiprocessor() {
        int sms = 132;  // an H100 SXM
        assertEquals(CudaGemm.Tile.T128, CudaGemm.Tile.pick(1, 4096, 4096, sms));       // 1024 blocks
        assertEquals(CudaGemm.Tile.T128, CudaGemm.Tile.pick(1, 4096, 896, sms));        // 32 x 7 = 224 blocks
        assertEquals(CudaGemm.Tile.T64, CudaGemm.Tile.pick(1, 4096, 128, sms));         // k/v projection: 32 blocks
        assertEquals(CudaGemm.Tile.T128, CudaGemm.Tile.pick(5, 4096, 128, sms));        // 160 over the batch
        assertEquals(CudaGemm.Tile.T64, CudaGemm.Tile.pick(1, 1, 1, sms));
    }
}
