package dev.latentr3.kernels.cuda;

import dev.latentr3.kernels.GemmKernels;
import dev.latentr3.kernels.cpu.GemmArgs;

import java.lang.foreign.MemorySegment;
import java.util.Locale;

/**
 * {@link GemmKernels} on a CUDA device, through cuBLAS where the GPU host has it and through our tiled kernel
 * (native/kernels/gemm.cu) otherwise. Which one is the {@link Implementation}: {@code -Dlatentr3.cuda.gemm=ours|cublas|auto}
 * (default auto: cuBLAS on a GPU when found, else ours; on the emulator auto means ours, since the emulated cuBLAS is a
 * test double of NVIDIA's library, not a faster path). Asking for cuBLAS where there is none is an error naming the
 * reason.
 *
 * <p>cuBLAS is column-major and our contract row-major. A row-major r x c matrix with row stride ld is, read
 * column-major, its c x r transpose with the same ld, so row-major {@code C = op(A) op(B)} is column-major
 * {@code C^T = op(B)^T op(A)^T}: cuBLAS is called with the operands swapped (B first), m and n swapped, the same
 * transpose flags and leading dimensions ({@link CublasHandle#gemmRowMajor}). Batched calls map to
 * cublasGemmStridedBatchedEx the same way. fp32 only, with
 * CUBLAS_COMPUTE_32F: the results must match our kernel's and the CPU reference's fp32 tolerance (no TF32).
 */
public final class CudaGemm implements GemmKernels {
    static final Kernel SGEMM = new Kernel("sgemm_f32", "iiiiifpliplifpli");

    static final int TILE = 64, THREADS = 256;
    /** gridDim.z limit: larger batches are launched in slices. */
    static final int MAX_GRID_Z = 65_535;

    public static final String PATH_PROPERTY = "latentr3.cuda.gemm";

    /** Which implementation runs the GEMMs. */
    public enum Implementation {
        /** Our tiled kernel. */
        OURS,
        /** cuBLAS (the emulated subset on the emulator). */
        CUBLAS,
        /** cuBLAS on a GPU when found, else ours. */
        AUTO;

        /** The path named by {@code -Dlatentr3.cuda.gemm} (default auto). */
        public static Implementation configured() {
            String v = System.getProperty(PATH_PROPERTY, "auto").strip().toLowerCase(Locale.ROOT);
            return switch (v) {
                case "ours" -> OURS;
                case "cublas" -> CUBLAS;
                case "auto", "" -> AUTO;
                default -> throw new IllegalArgumentException("-D" + PATH_PROPERTY + "=" + v + ": expected ours, cublas or auto");
            };
        }
    }

    private final CudaRuntime rt;
    private final CublasHandle cublas;  // null: our kernel

    /** The configured path ({@code -Dlatentr3.cuda.gemm}). */
    public CudaGemm(CudaRuntime rt) {
        this(rt, Implementation.configured());
    }

    public CudaGemm(CudaRuntime rt, Implementation implementation) {
        this.rt = rt;
        this.cublas = switch (implementation) {
            case OURS -> null;
            case CUBLAS -> CublasHandle.of(rt).orThrow();
            case AUTO -> rt.emulated() ? null : CublasHandle.of(rt).handle();
        };
    }

    /** "cuBLAS 13.0.x (path)" or "our tiled kernel": what runs the GEMMs. */
    public String implementation() {
        return cublas != null ? cublas.toString() : "our tiled kernel (gemm.cu)";
    }

    /** Whether cuBLAS runs the GEMMs. */
    public boolean usesCublas() {
        return cublas != null;
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, MemorySegment a, int lda,
                      MemorySegment b, int ldb, float beta, MemorySegment c, int ldc) {
        GemmArgs.checkBatched("CudaGemm.sgemm", 1, transA, transB, m, n, k, a, 0, lda, b, 0, ldb, c, 0, ldc);
        if (m == 0 || n == 0) return;
        if (cublas != null) {
            cublas.gemmRowMajor(CublasHandle.Precision.FP32, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            return;
        }
        launch(1, transA, transB, m, n, k, alpha, a, 0, lda, b, 0, ldb, beta, c, 0, ldc);
    }

    @Override
    public void sgemmBatched(int batch, boolean transA, boolean transB, int m, int n, int k, float alpha,
                             MemorySegment a, long strideA, int lda, MemorySegment b, long strideB, int ldb,
                             float beta, MemorySegment c, long strideC, int ldc) {
        GemmArgs.checkBatched("CudaGemm.sgemmBatched", batch, transA, transB, m, n, k, a, strideA, lda, b, strideB, ldb,
                c, strideC, ldc);
        if (batch == 0 || m == 0 || n == 0) return;
        if (cublas != null) {
            cublas.gemmStridedBatchedRowMajor(CublasHandle.Precision.FP32, batch, transA, transB, m, n, k, alpha, a, lda,
                    strideA, b, ldb, strideB, beta, c, ldc, strideC);
            return;
        }
        launch(batch, transA, transB, m, n, k, alpha, a, strideA, lda, b, strideB, ldb, beta, c, strideC, ldc);
    }

    private void launch(int batch, boolean transA, boolean transB, int m, int n, int k, float alpha, MemorySegment a,
                        long strideA, int lda, MemorySegment b, long strideB, int ldb, float beta, MemorySegment c,
                        long strideC, int ldc) {
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
