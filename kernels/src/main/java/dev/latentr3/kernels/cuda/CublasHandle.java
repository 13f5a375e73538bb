package dev.latentr3.kernels.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One cuBLAS handle for one {@link CudaRuntime}, created once per runtime and kept for the JVM's life (as the runtime's
 * primary context is), bound to the runtime's stream, with checked column-major GEMM calls in the precisions we use.
 *
 * <p>Which library: on a real GPU, NVIDIA's cuBLAS found by {@link CublasLibrary} (never the emulator: a library that
 * exports the emulator's symbols is refused there); on the emulator, the emulator library itself, which exports the
 * cuBLAS subset we bind (native/emu/emu_cublas.cpp). Absence is not an error: {@link #of} says why there is none, and
 * callers (the GEMM) use our kernel instead.
 *
 * <p>Calls are serialised on the handle: cuBLAS allows a handle on several threads only without concurrent
 * configuration changes, and the calls themselves only enqueue work.
 */
public final class CublasHandle {

    /** The input/compute combinations the binding offers (alpha and beta are fp32 in all of them). */
    public enum Precision {
        /** fp32 in and out, fp32 FMA (no tensor cores): the exact counterpart of our kernel. */
        FP32(Cublas.CUDA_R_32F, Cublas.CUDA_R_32F, Cublas.CUBLAS_COMPUTE_32F),
        /** fp32 in and out, inputs rounded to TF32 on tensor cores, fp32 accumulation. */
        TF32(Cublas.CUDA_R_32F, Cublas.CUDA_R_32F, Cublas.CUBLAS_COMPUTE_32F_FAST_TF32),
        /** bf16 A and B, bf16 C, fp32 accumulation (as a bf16 matmul in PyTorch). */
        BF16(Cublas.CUDA_R_16BF, Cublas.CUDA_R_16BF, Cublas.CUBLAS_COMPUTE_32F),
        /** bf16 A and B, fp32 C, fp32 accumulation. */
        BF16_F32_OUT(Cublas.CUDA_R_16BF, Cublas.CUDA_R_32F, Cublas.CUBLAS_COMPUTE_32F);

        final int inputType, outputType, computeType;

        Precision(int inputType, int outputType, int computeType) {
            this.inputType = inputType;
            this.outputType = outputType;
            this.computeType = computeType;
        }

        /** Bytes of one A or B element. */
        public int inputBytes() {
            return inputType == Cublas.CUDA_R_16BF ? 2 : 4;
        }

        /** Bytes of one C element. */
        public int outputBytes() {
            return outputType == Cublas.CUDA_R_16BF ? 2 : 4;
        }
    }

    /** A handle, or the one-line reason there is none for this runtime (and the failure behind it, if any). */
    public record Availability(CublasHandle handle, String reason, Throwable failure) {
        public boolean available() {
            return handle != null;
        }

        public CublasHandle orThrow() {
            if (handle == null) throw new IllegalStateException("cuBLAS unavailable: " + reason, failure);
            return handle;
        }
    }

    private static final Map<CudaRuntime, Availability> HANDLES = new ConcurrentHashMap<>();

    /** The runtime's cuBLAS handle, created at the first call, or why there is none. Never throws. */
    public static Availability of(CudaRuntime rt) {
        return HANDLES.computeIfAbsent(rt, CublasHandle::connect);
    }

    private static Availability connect(CudaRuntime rt) {
        Cublas cublas;
        try {
            if (rt.emulated()) {
                cublas = Cublas.bind(rt.driver().libraryName(),
                        SymbolLookup.libraryLookup(Path.of(rt.driver().libraryName()), Arena.global()));
            } else {
                Optional<Path> found = CublasLibrary.locate();
                if (found.isEmpty()) {
                    return new Availability(null, "cuBLAS not found (set " + CublasLibrary.DIR_VARIABLE
                            + " to the folder holding libcublas.so.13)", null);
                }
                cublas = Cublas.load(found.get());
            }
        } catch (IllegalArgumentException e) {
            return new Availability(null, "cuBLAS cannot be opened: " + e.getMessage(), e);
        } catch (UnsatisfiedLinkError e) {
            return new Availability(null, "not a usable cuBLAS: " + e.getMessage(), e);
        }
        String refused = refusal(cublas, rt.kind());
        if (refused != null) return new Availability(null, refused, null);
        try {
            return new Availability(new CublasHandle(rt, cublas), null, null);
        } catch (RuntimeException e) {
            return new Availability(null, "cuBLAS setup failed: " + e.getMessage(), e);
        }
    }

    /** Why {@code cublas} must not serve a runtime of {@code kind}, or null: the emulated cuBLAS never runs on a GPU. */
    static String refusal(Cublas cublas, CudaRuntime.Kind kind) {
        if (kind == CudaRuntime.Kind.DEVICE && cublas.emulated()) {
            return cublas.libraryName() + " is the CUDA emulator's cuBLAS, not NVIDIA's: refused on a GPU";
        }
        if (kind == CudaRuntime.Kind.EMULATOR && !cublas.emulated()) {
            return cublas.libraryName() + " is NVIDIA's cuBLAS: it cannot work on the emulator's host memory";
        }
        return null;
    }

    /** The runtime's stream: CudaRuntime launches on the default (NULL) stream, so cuBLAS is bound to it too. */
    static final MemorySegment RUNTIME_STREAM = MemorySegment.NULL;

    private final CudaRuntime rt;
    private final Cublas cublas;
    private final MemorySegment handle;
    private final int version;
    private final Arena scalars = Arena.ofShared();
    private final MemorySegment alphaBeta = scalars.allocate(ValueLayout.JAVA_FLOAT, 2);

    private CublasHandle(CudaRuntime rt, Cublas cublas) {
        this.rt = rt;
        this.cublas = cublas;
        rt.makeCurrent();  // cuBLAS uses the context current on the calling thread: the runtime's primary context
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            cublas.check(cublas.cublasCreate_v2(out), "cublasCreate_v2");
            handle = out.get(ValueLayout.ADDRESS, 0);
            cublas.check(cublas.cublasSetStream_v2(handle, RUNTIME_STREAM), "cublasSetStream_v2");
            // Default math: COMPUTE_32F stays true fp32; TF32 is asked for per call through COMPUTE_32F_FAST_TF32.
            cublas.check(cublas.cublasSetMathMode(handle, Cublas.CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
            MemorySegment v = arena.allocate(ValueLayout.JAVA_INT);
            cublas.check(cublas.cublasGetVersion_v2(handle, v), "cublasGetVersion_v2");
            version = v.get(ValueLayout.JAVA_INT, 0);
        }
    }

    public Cublas cublas() {
        return cublas;
    }

    /** CUBLAS_VERSION of the loaded library, e.g. 130000 for 13.0.0. */
    public int version() {
        return version;
    }

    /** e.g. "13.0.0" */
    public String versionText() {
        return version / 10000 + "." + version % 10000 / 100 + "." + version % 100;
    }

    @Override
    public String toString() {
        return (cublas.emulated() ? "emulated cuBLAS " : "cuBLAS ") + versionText() + " (" + cublas.libraryName() + ")";
    }

    /**
     * {@code C = alpha op(A) op(B) + beta C} in cuBLAS's column-major convention (C is m x n with leading dimension ldc),
     * on the runtime's stream. Pointers are device segments. Arguments outside cuBLAS's documented bounds (or spans past
     * a segment's end) throw IllegalArgumentException naming the argument before any library call ({@link CublasArgs}).
     */
    public synchronized void gemm(Precision p, boolean transA, boolean transB, int m, int n, int k, float alpha,
                                  MemorySegment a, int lda, MemorySegment b, int ldb, float beta, MemorySegment c, int ldc) {
        CublasArgs.columnMajor("CublasHandle.gemm", new CublasArgs.Shape(1, transA, transB, m, n, k, a, lda, 0, b, ldb,
                0, c, ldc, 0, p));
        gemmChecked(p, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /** {@link #gemm} once its arguments have been checked (column-major, or row-major by {@link #gemmRowMajor}). */
    private synchronized void gemmChecked(Precision p, boolean transA, boolean transB, int m, int n, int k, float alpha,
                                          MemorySegment a, int lda, MemorySegment b, int ldb, float beta,
                                          MemorySegment c, int ldc) {
        rt.makeCurrent();
        setScalars(alpha, beta);
        cublas.check(cublas.cublasGemmEx(handle, op(transA), op(transB), m, n, k, alphaBeta.asSlice(0, 4), raw(a),
                p.inputType, lda, raw(b), p.inputType, ldb, alphaBeta.asSlice(4, 4), raw(c), p.outputType, ldc, p.computeType,
                Cublas.CUBLAS_GEMM_DEFAULT), "cublasGemmEx");
    }

    /** {@link #gemm} for {@code batch} matrices at element strides strideA, strideB, strideC (0 broadcasts A or B). */
    public synchronized void gemmStridedBatched(Precision p, int batch, boolean transA, boolean transB, int m, int n,
                                                int k, float alpha, MemorySegment a, int lda, long strideA,
                                                MemorySegment b, int ldb, long strideB, float beta, MemorySegment c,
                                                int ldc, long strideC) {
        CublasArgs.columnMajor("CublasHandle.gemmStridedBatched", new CublasArgs.Shape(batch, transA, transB, m, n, k,
                a, lda, strideA, b, ldb, strideB, c, ldc, strideC, p));
        gemmStridedBatchedChecked(p, batch, transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c,
                ldc, strideC);
    }

    /** {@link #gemmStridedBatched} once its arguments have been checked. */
    private synchronized void gemmStridedBatchedChecked(Precision p, int batch, boolean transA, boolean transB, int m,
                                                        int n, int k, float alpha, MemorySegment a, int lda,
                                                        long strideA, MemorySegment b, int ldb, long strideB, float beta,
                                                        MemorySegment c, int ldc, long strideC) {
        rt.makeCurrent();
        setScalars(alpha, beta);
        cublas.check(cublas.cublasGemmStridedBatchedEx(handle, op(transA), op(transB), m, n, k, alphaBeta.asSlice(0, 4),
                raw(a), p.inputType, lda, strideA, raw(b), p.inputType, ldb, strideB, alphaBeta.asSlice(4, 4), raw(c),
                p.outputType, ldc,
                strideC, batch, p.computeType, Cublas.CUBLAS_GEMM_DEFAULT), "cublasGemmStridedBatchedEx");
    }

    /**
     * The bare address of a device segment: device segments belong to a closed arena so that Java cannot read them
     * (DeviceSegments), and a downcall would refuse such a segment as an argument; cuBLAS only needs the pointer.
     */
    private static MemorySegment raw(MemorySegment deviceSegment) {
        return MemorySegment.ofAddress(deviceSegment.address());
    }

    /**
     * Row-major {@code C = alpha op(A) op(B) + beta C} (C m x n with row stride ldc, as our GEMM contract has it) through
     * column-major cuBLAS: a row-major r x c matrix with row stride ld is, read column-major, its c x r transpose with
     * the same ld, so this is column-major {@code C^T = op(B)^T op(A)^T}: operands swapped, m and n swapped, same
     * transpose flags. A leading dimension of a matrix with no columns is raised to 1 (cuBLAS's minimum; never read).
     * Checked in row-major terms first, so that an error names the caller's arguments, not the swapped ones.
     */
    public void gemmRowMajor(Precision p, boolean transA, boolean transB, int m, int n, int k, float alpha,
                             MemorySegment a, int lda, MemorySegment b, int ldb, float beta, MemorySegment c, int ldc) {
        CublasArgs.rowMajor("CublasHandle.gemmRowMajor", new CublasArgs.Shape(1, transA, transB, m, n, k, a, lda, 0, b,
                ldb, 0, c, ldc, 0, p));
        // Checked once, here: the swapped column-major call below holds the same bounds.
        gemmChecked(p, transB, transA, n, m, k, alpha, b, Math.max(1, ldb), a, Math.max(1, lda), beta, c, Math.max(1, ldc));
    }

    /** {@link #gemmRowMajor} for {@code batch} matrices at element strides (0 broadcasts A or B). */
    public void gemmStridedBatchedRowMajor(Precision p, int batch, boolean transA, boolean transB, int m, int n, int k,
                                           float alpha, MemorySegment a, int lda, long strideA, MemorySegment b, int ldb,
                                           long strideB, float beta, MemorySegment c, int ldc, long strideC) {
        CublasArgs.rowMajor("CublasHandle.gemmStridedBatchedRowMajor", new CublasArgs.Shape(batch, transA, transB, m, n,
                k, a, lda, strideA, b, ldb, strideB, c, ldc, strideC, p));
        gemmStridedBatchedChecked(p, batch, transB, transA, n, m, k, alpha, b, Math.max(1, ldb), strideB, a,
                Math.max(1, lda), strideA, beta, c, Math.max(1, ldc), strideC);
    }

    // Host pointer mode: cuBLAS reads alpha and beta before the call returns, so one cell pair can be reused.
    private void setScalars(float alpha, float beta) {
        alphaBeta.setAtIndex(ValueLayout.JAVA_FLOAT, 0, alpha);
        alphaBeta.setAtIndex(ValueLayout.JAVA_FLOAT, 1, beta);
    }

    private static int op(boolean trans) {
        return trans ? Cublas.CUBLAS_OP_T : Cublas.CUBLAS_OP_N;
    }
}
