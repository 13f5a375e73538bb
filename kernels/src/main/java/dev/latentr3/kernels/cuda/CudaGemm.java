package dev.latentr3.kernels.cuda;

import dev.latentr3.kernels.GemmKernels;
import dev.latentr3.kernels.cpu.GemmArgs;

import java.lang.foreign.MemorySegment;

/**
 * {@link GemmKernels} on a CUDA device through our tiled kernel (native/kernels/gemm.cu): correct for every shape,
 * transpose and stride, but far from cuBLAS's speed, which a later cuBLAS binding is to provide on GPUs that have it.
 */
public final class CudaGemm implements GemmKernels {
    static final Kernel SGEMM = new Kernel("sgemm_f32", "iiiiifpliplifpli");

    static final int TILE = 64, THREADS = 256;
    /** gridDim.z limit: larger batches are launched in slices. */
    static final int MAX_GRID_Z = 65_535;

    private final CudaRuntime rt;

    public CudaGemm(CudaRuntime rt) {
        this.rt = rt;
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, MemorySegment a, int lda,
                      MemorySegment b, int ldb, float beta, MemorySegment c, int ldc) {
        GemmArgs.checkBatched("CudaGemm.sgemm", 1, transA, transB, m, n, k, a, 0, lda, b, 0, ldb, c, 0, ldc);
        launch(1, transA, transB, m, n, k, alpha, a, 0, lda, b, 0, ldb, beta, c, 0, ldc);
    }

    @Override
    public void sgemmBatched(int batch, boolean transA, boolean transB, int m, int n, int k, float alpha,
                             MemorySegment a, long strideA, int lda, MemorySegment b, long strideB, int ldb,
                             float beta, MemorySegment c, long strideC, int ldc) {
        GemmArgs.checkBatched("CudaGemm.sgemmBatched", batch, transA, transB, m, n, k, a, strideA, lda, b, strideB, ldb,
                c, strideC, ldc);
        launch(batch, transA, transB, m, n, k, alpha, a, strideA, lda, b, strideB, ldb, beta, c, strideC, ldc);
    }

    private void launch(int batch, boolean transA, boolean transB, int m, int n, int k, float alpha, MemorySegment a,
                        long strideA, int lda, MemorySegment b, long strideB, int ldb, float beta, MemorySegment c,
                        long strideC, int ldc) {
        if (batch == 0 || m == 0 || n == 0) return;
        for (int first = 0; first < batch; first += MAX_GRID_Z) {
            int slice = Math.min(MAX_GRID_Z, batch - first);
            rt.launch(SGEMM, new Dim3(Math.ceilDiv(n, TILE), Math.ceilDiv(m, TILE), slice), Dim3.of(THREADS), 0,
                    transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha,
                    offset(a, first * strideA), strideA, lda, offset(b, first * strideB), strideB, ldb,
                    beta, offset(c, first * strideC), strideC, ldc);
        }
    }

    /** The device address {@code floats} elements in (no bounds: the caller checked the whole batch's span). */
    private static MemorySegment offset(MemorySegment s, long floats) {
        return floats == 0 ? s : MemorySegment.ofAddress(s.address() + floats * Float.BYTES);
    }
}
