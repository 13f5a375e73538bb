package dev.latentr3.kernels.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * FFM bindings for the part of the cuBLAS API that LatentR3 calls, mirroring {@code cublas_api.h} of cuBLAS 13 (the
 * CUDA 13.0 toolkit; {@code CUBLAS_VER_MAJOR 13}) and the {@code cudaDataType_t} values of CUDA 13.0's
 * {@code library_types.h}, hand-written in jextract's layout as {@link CudaDriver} is: C type aliases and enum
 * constants, then per function a nested holder class with its {@code DESC} (return layout first) and {@code HANDLE}, and
 * a method with the C name that calls {@code HANDLE.invokeExact}. The build machine has no cuBLAS headers (cuBLAS is not
 * part of the nvcc-only toolkit there), so the declarations were transcribed from cuBLAS 13's documented API; the
 * emulated subset in native/emu/emu_cublas.cpp implements the same declarations and is what CI executes.
 *
 * <p>Names are the exported ones: {@code cublas_v2.h} maps {@code cublasCreate} to {@code cublasCreate_v2} and so on,
 * and FFM looks up raw names. As in {@link CudaDriver}, the library is chosen at run time (NVIDIA's
 * {@code libcublas.so.13}, found by {@link CublasLibrary}, or our emulator), so the handles are address-less and each
 * instance holds its library's addresses, all resolved at load: a library that lacks one is reported then.
 *
 * <p>Every call returns a {@code cublasStatus_t} as an int; {@link #check} turns a nonzero one into a
 * {@link CublasException} naming the call and the status. Handles and streams are pointers; matrices are column-major
 * device pointers; {@code alpha} and {@code beta} are host pointers (the default {@code CUBLAS_POINTER_MODE_HOST}).
 */
public final class Cublas {

    public static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    public static final ValueLayout.OfLong C_LONG_LONG = ValueLayout.JAVA_LONG;
    public static final ValueLayout C_POINTER = ValueLayout.ADDRESS;

    /** cublasStatus_t */
    public static final int CUBLAS_STATUS_SUCCESS = 0, CUBLAS_STATUS_NOT_INITIALIZED = 1, CUBLAS_STATUS_ALLOC_FAILED = 3,
            CUBLAS_STATUS_INVALID_VALUE = 7, CUBLAS_STATUS_ARCH_MISMATCH = 8, CUBLAS_STATUS_MAPPING_ERROR = 11,
            CUBLAS_STATUS_EXECUTION_FAILED = 13, CUBLAS_STATUS_INTERNAL_ERROR = 14, CUBLAS_STATUS_NOT_SUPPORTED = 15,
            CUBLAS_STATUS_LICENSE_ERROR = 16;

    private static final Map<Integer, String> STATUS_NAMES = Map.of(
            CUBLAS_STATUS_SUCCESS, "CUBLAS_STATUS_SUCCESS",
            CUBLAS_STATUS_NOT_INITIALIZED, "CUBLAS_STATUS_NOT_INITIALIZED",
            CUBLAS_STATUS_ALLOC_FAILED, "CUBLAS_STATUS_ALLOC_FAILED",
            CUBLAS_STATUS_INVALID_VALUE, "CUBLAS_STATUS_INVALID_VALUE",
            CUBLAS_STATUS_ARCH_MISMATCH, "CUBLAS_STATUS_ARCH_MISMATCH",
            CUBLAS_STATUS_MAPPING_ERROR, "CUBLAS_STATUS_MAPPING_ERROR",
            CUBLAS_STATUS_EXECUTION_FAILED, "CUBLAS_STATUS_EXECUTION_FAILED",
            CUBLAS_STATUS_INTERNAL_ERROR, "CUBLAS_STATUS_INTERNAL_ERROR",
            CUBLAS_STATUS_NOT_SUPPORTED, "CUBLAS_STATUS_NOT_SUPPORTED",
            CUBLAS_STATUS_LICENSE_ERROR, "CUBLAS_STATUS_LICENSE_ERROR");

    /** cublasOperation_t */
    public static final int CUBLAS_OP_N = 0, CUBLAS_OP_T = 1, CUBLAS_OP_C = 2;

    /** cublasMath_t */
    public static final int CUBLAS_DEFAULT_MATH = 0, CUBLAS_PEDANTIC_MATH = 2, CUBLAS_TF32_TENSOR_OP_MATH = 3,
            CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION = 16;

    /** cublasComputeType_t */
    public static final int CUBLAS_COMPUTE_32F = 68, CUBLAS_COMPUTE_32F_PEDANTIC = 69, CUBLAS_COMPUTE_32F_FAST_TF32 = 77;

    /** cublasGemmAlgo_t */
    public static final int CUBLAS_GEMM_DEFAULT = -1;

    /** cudaDataType_t (library_types.h) */
    public static final int CUDA_R_32F = 0, CUDA_R_16BF = 14;

    private static final Linker LINKER = Linker.nativeLinker();

    private final String libraryName;
    private final boolean emulated;
    private final SymbolLookup lookup;

    private final MemorySegment cublasCreate_v2$address, cublasDestroy_v2$address, cublasGetVersion_v2$address,
            cublasSetStream_v2$address, cublasSetMathMode$address, cublasGemmEx$address,
            cublasGemmStridedBatchedEx$address;
    /** Set when the library is our emulator: its detail of the last failure. */
    private final MemorySegment emu_last_error$address;

    private Cublas(String libraryName, SymbolLookup lookup) {
        this.libraryName = libraryName;
        this.lookup = lookup;
        List<String> missing = new ArrayList<>();
        cublasCreate_v2$address = find("cublasCreate_v2", missing);
        cublasDestroy_v2$address = find("cublasDestroy_v2", missing);
        cublasGetVersion_v2$address = find("cublasGetVersion_v2", missing);
        cublasSetStream_v2$address = find("cublasSetStream_v2", missing);
        cublasSetMathMode$address = find("cublasSetMathMode", missing);
        cublasGemmEx$address = find("cublasGemmEx", missing);
        cublasGemmStridedBatchedEx$address = find("cublasGemmStridedBatchedEx", missing);
        if (!missing.isEmpty()) {
            throw new UnsatisfiedLinkError(libraryName + " lacks " + String.join(", ", missing) + " (not a cuBLAS 11 or newer?)");
        }
        emu_last_error$address = lookup.find("emu_last_error").orElse(null);
        emulated = emu_last_error$address != null;
    }

    private MemorySegment find(String symbol, List<String> missing) {
        Optional<MemorySegment> s = lookup.find(symbol);
        if (s.isEmpty()) missing.add(symbol);
        return s.orElse(MemorySegment.NULL);
    }

    /**
     * Binds an already opened library (cuBLAS, or the CUDA emulator, which exports the same names).
     *
     * @throws UnsatisfiedLinkError when it lacks a function this class binds
     */
    public static Cublas bind(String libraryName, SymbolLookup lookup) {
        return new Cublas(libraryName, lookup);
    }

    /**
     * Opens NVIDIA's cuBLAS at {@code path}, after {@code libcublasLt} from the same folder (libcublas needs it, and the
     * loader resolves that dependency by soname against what is already loaded, so the folder need not be on
     * LD_LIBRARY_PATH).
     *
     * @throws IllegalArgumentException when a library cannot be opened
     * @throws UnsatisfiedLinkError when it lacks a function this class binds
     */
    public static Cublas load(Path path) {
        String name = path.getFileName().toString();
        Path lt = path.resolveSibling(name.replace("libcublas.", "libcublasLt."));
        if (!lt.equals(path) && Files.exists(lt)) SymbolLookup.libraryLookup(lt, Arena.global());
        return new Cublas(path.toString(), SymbolLookup.libraryLookup(path, Arena.global()));
    }

    /** The library this instance calls. */
    public String libraryName() {
        return libraryName;
    }

    /** Whether this is the CPU emulator's cuBLAS rather than NVIDIA's. */
    public boolean emulated() {
        return emulated;
    }

    /** The status's name, e.g. CUBLAS_STATUS_INVALID_VALUE, or "cublasStatus_t N" for one cuBLAS 13 does not define. */
    public static String statusName(int status) {
        String name = STATUS_NAMES.get(status);
        return name != null ? name : "cublasStatus_t " + status;
    }

    /** Throws a {@link CublasException} naming {@code call} and the status when {@code status} is not SUCCESS. */
    public void check(int status, String call) {
        if (status == CUBLAS_STATUS_SUCCESS) return;
        throw new CublasException(call, status, statusName(status), emulated ? emuLastError() : "");
    }

    private String emuLastError() {
        try {
            return CudaDriver.cString((MemorySegment) emu_last_error.HANDLE.invokeExact(emu_last_error$address));
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Functions, in cublas_api.h's order: helper functions, then level-3 BLAS-like extensions.

    private static MethodHandle handle(FunctionDescriptor desc) {
        return LINKER.downcallHandle(desc);
    }

    private static AssertionError unexpected(Throwable t) {
        return new AssertionError("should not reach here", t);
    }

    private static final class emu_last_error {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER);
        static final MethodHandle HANDLE = handle(DESC);
    }

    private static final class cublasCreate_v2 {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code cublasStatus_t cublasCreate_v2(cublasHandle_t *handle)} */
    public int cublasCreate_v2(MemorySegment handle) {
        try {
            return (int) cublasCreate_v2.HANDLE.invokeExact(cublasCreate_v2$address, handle);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cublasDestroy_v2 {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code cublasStatus_t cublasDestroy_v2(cublasHandle_t handle)} */
    public int cublasDestroy_v2(MemorySegment handle) {
        try {
            return (int) cublasDestroy_v2.HANDLE.invokeExact(cublasDestroy_v2$address, handle);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cublasGetVersion_v2 {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code cublasStatus_t cublasGetVersion_v2(cublasHandle_t handle, int *version)} */
    public int cublasGetVersion_v2(MemorySegment handle, MemorySegment version) {
        try {
            return (int) cublasGetVersion_v2.HANDLE.invokeExact(cublasGetVersion_v2$address, handle, version);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cublasSetStream_v2 {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t streamId)} */
    public int cublasSetStream_v2(MemorySegment handle, MemorySegment streamId) {
        try {
            return (int) cublasSetStream_v2.HANDLE.invokeExact(cublasSetStream_v2$address, handle, streamId);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cublasSetMathMode {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode)} */
    public int cublasSetMathMode(MemorySegment handle, int mode) {
        try {
            return (int) cublasSetMathMode.HANDLE.invokeExact(cublasSetMathMode$address, handle, mode);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cublasGemmEx {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_INT, C_INT, C_INT,
                C_POINTER, C_POINTER, C_INT, C_INT, C_POINTER, C_INT, C_INT, C_POINTER, C_POINTER, C_INT, C_INT, C_INT,
                C_INT);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /**
     * {@code cublasStatus_t cublasGemmEx(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb,
     * int m, int n, int k, const void *alpha, const void *A, cudaDataType Atype, int lda, const void *B,
     * cudaDataType Btype, int ldb, const void *beta, void *C, cudaDataType Ctype, int ldc,
     * cublasComputeType_t computeType, cublasGemmAlgo_t algo)}
     */
    public int cublasGemmEx(MemorySegment handle, int transa, int transb, int m, int n, int k, MemorySegment alpha,
                            MemorySegment A, int Atype, int lda, MemorySegment B, int Btype, int ldb, MemorySegment beta,
                            MemorySegment C, int Ctype, int ldc, int computeType, int algo) {
        try {
            return (int) cublasGemmEx.HANDLE.invokeExact(cublasGemmEx$address, handle, transa, transb, m, n, k, alpha, A,
                    Atype, lda, B, Btype, ldb, beta, C, Ctype, ldc, computeType, algo);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cublasGemmStridedBatchedEx {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_INT, C_INT, C_INT,
                C_POINTER, C_POINTER, C_INT, C_INT, C_LONG_LONG, C_POINTER, C_INT, C_INT, C_LONG_LONG, C_POINTER,
                C_POINTER, C_INT, C_INT, C_LONG_LONG, C_INT, C_INT, C_INT);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /**
     * {@code cublasStatus_t cublasGemmStridedBatchedEx(cublasHandle_t handle, cublasOperation_t transa,
     * cublasOperation_t transb, int m, int n, int k, const void *alpha, const void *A, cudaDataType Atype, int lda,
     * long long int strideA, const void *B, cudaDataType Btype, int ldb, long long int strideB, const void *beta,
     * void *C, cudaDataType Ctype, int ldc, long long int strideC, int batchCount, cublasComputeType_t computeType,
     * cublasGemmAlgo_t algo)}
     */
    public int cublasGemmStridedBatchedEx(MemorySegment handle, int transa, int transb, int m, int n, int k,
                                          MemorySegment alpha, MemorySegment A, int Atype, int lda, long strideA,
                                          MemorySegment B, int Btype, int ldb, long strideB, MemorySegment beta,
                                          MemorySegment C, int Ctype, int ldc, long strideC, int batchCount,
                                          int computeType, int algo) {
        try {
            return (int) cublasGemmStridedBatchedEx.HANDLE.invokeExact(cublasGemmStridedBatchedEx$address, handle, transa,
                    transb, m, n, k, alpha, A, Atype, lda, strideA, B, Btype, ldb, strideB, beta, C, Ctype, ldc, strideC,
                    batchCount, computeType, algo);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }
}
