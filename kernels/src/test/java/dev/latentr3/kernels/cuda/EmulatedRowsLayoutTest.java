package dev.latentr3.kernels.cuda;

/** The row kernels' layout paths (split rows, unaligned views, odd widths, NaN rows) on the CPU emulator. */
class EmulatedRowsLayoutTest extends RowsLayoutContract {
    @Override
    CudaRuntime runtime() {
        return CudaTestRuntimes.emulator();
    }
}
