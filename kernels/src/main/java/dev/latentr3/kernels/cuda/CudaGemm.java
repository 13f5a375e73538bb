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
    static final int THREADS = 256;

    /**
     * Our kernel's two instances (native/kernels/gemm.cu): square tiles of C per 256-thread block. The 128 tile does
     * four times the arithmetic per shared-memory read of the 64 tile, so it is the fast one once there are enough
     * tiles to occupy every multiprocessor; below that the 64 tile's four times as many blocks win.
     */
    enum Tile {
        T64(64, new Kernel("sgemm_f32_t64", "iiiiifpliplifpli")),
        T128(128, new Kernel("sgemm_f32_t128", "iiiiifpliplifpli"));

        final int side;
        final Kernel kernel;

        Tile(int side, Kernel kernel) {
            this.side = side;
            this.kernel = kernel;
        }

        /** Blocks per batch entry for an m x n C. */
        long blocks(int m, int n) {
            return (long) Math.ceilDiv(m, side) * Math.ceilDiv(n, side);
        }

        /** The 128 tile when its blocks (over the whole batch) cover every multiprocessor at least once, else 64. */
        static Tile pick(int batch, int m, int n, int multiprocessors) {
            return T128.blocks(m, n) * batch >= multiprocessors ? T128 : T64;
        }
    }
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
    private final Tile tile;            // null: picked per call by Tile.pick

    /** The configured path ({@code -Dlatentr3.cuda.gemm}). */
    public CudaGemm(CudaRuntime rt) {
        this(rt, Implementation.configured());
    }

    public CudaGemm(CudaRuntime rt, Implementation implementation) {
        this(rt, implementation, null);
    }

    /** Our kernel with one tile for every call (tests exercise each instance on shapes the pick would not give it). */
    CudaGemm(CudaRuntime rt, Tile tile) {
        this(rt, Implementation.OURS, tile);
    }

    private CudaGemm(CudaRuntime rt, Implementation implementation, Tile tile) {
        this.rt = rt;
        this.tile = tile;
        this.cublas = switch (implementation) {
            case OURS -> null;
            case CUBLAS -> CublasHandle.of(rt).orThrow();
            case AUTO -> rt.emulated() ? null : CublasHandle.of(rt).handle();
        };
    }

    /** "cuBLAS 13.0.x (path)" or "our tiled kernel": what runs the GEMMs. */
    public String implementation() {
        if (cublas != null) return cublas.toString();
        return "our tiled kernel (gemm.cu" + (tile == null ? ")" : ", " + tile.side + " x " + tile.side + " tiles only)");
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
        Tile t = tile != null ? tile : Tile.pick(batch, m, n, rt.multiprocessors());
        for (int first = 0; first < batch; first += MAX_GRID_Z) {
            int slice = Math.min(MAX_GRID_Z, batch - first);
            rt.launch(t.kernel, new Dim3(Math.ceilDiv(n, t.side), Math.ceilDiv(m, t.side), slice), Dim3.of(THREADS), 0,
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
