// The cuBLAS subset LatentR3 binds (cublas_api.h of cuBLAS 13, CUDA 13.0), with the same exported names, signatures,
// enum values and status codes, as plain loops on the emulator's "device" memory. It exists so that CI executes the
// Java binding (dev.latentr3.kernels.cuda.Cublas) and the cuBLAS GEMM path against the CPU reference GEMM: every
// argument rule we rely on (column-major storage, op/lda/ldb/ldc, strides, alpha/beta, beta == 0 not reading C) is
// implemented as cuBLAS documents it, so a mapping error in Java fails here the way it would on a GPU.
//
// Supported, as cuBLAS supports them: A/B/C fp32 with CUBLAS_COMPUTE_32F, _32F_PEDANTIC or _32F_FAST_TF32 (inputs
// rounded to TF32, 10 mantissa bits, to nearest with ties away from zero as cvt.rna.tf32.f32 does); A/B bf16 with C
// bf16 or fp32 and CUBLAS_COMPUTE_32F. Accumulation is fp32 in k order. Anything else returns
// CUBLAS_STATUS_NOT_SUPPORTED. Only the host pointer mode exists (we bind no cublasSetPointerMode).
#include "emu_runtime.h"

#include <cstdint>
#include <cstring>
#include <string>

#define EMU_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

// cublasStatus_t
constexpr int kSuccess = 0, kNotInitialized = 1, kInvalidValue = 7, kExecutionFailed = 13, kNotSupported = 15;
// cublasOperation_t
constexpr int kOpN = 0, kOpT = 1, kOpC = 2;
// cudaDataType_t (library_types.h)
constexpr int kR32F = 0, kR16BF = 14;
// cublasComputeType_t
constexpr int kCompute32F = 68, kCompute32FPedantic = 69, kCompute32FFastTF32 = 77;
// cublasMath_t values cuBLAS 13 accepts (the low bits; 16 is the DISALLOW_REDUCED_PRECISION_REDUCTION flag)
constexpr int kMathDefault = 0, kMathPedantic = 2, kMathTF32 = 3, kMathBF16x9 = 4, kMathDisallowReduced = 16;

// CUBLAS_VERSION of cuBLAS 13.0.0 (major * 10000 + minor * 100 + patch).
constexpr int kVersion = 130000;

struct Handle {
    uint32_t magic = 0xC0B1A5u;  // tells a live handle from a stray pointer
    void* stream = nullptr;
    int math_mode = kMathDefault;
};

int fail(int status, std::string message) {
    emu::set_error(std::move(message));
    return status;
}

bool live(const Handle* h) { return h != nullptr && h->magic == 0xC0B1A5u; }

float bf16_to_float(uint16_t b) {
    uint32_t u = static_cast<uint32_t>(b) << 16;
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

uint16_t float_to_bf16(float f) {  // round to nearest even; NaN stays NaN, as __float2bfloat16
    uint32_t u;
    std::memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return 0x7fff;
    u += 0x7fffu + ((u >> 16) & 1u);
    return static_cast<uint16_t>(u >> 16);
}

float to_tf32(float f) {  // cvt.rna.tf32.f32: keep 10 mantissa bits, round half away from zero
    uint32_t u;
    std::memcpy(&u, &f, 4);
    if ((u & 0x7f800000u) == 0x7f800000u) return f;  // Inf and NaN pass through
    u = (u + 0x1000u) & 0xffffe000u;
    std::memcpy(&f, &u, 4);
    return f;
}

size_t element_bytes(int type) { return type == kR16BF ? 2 : 4; }

float load(const void* base, int type, long long index) {
    if (type == kR16BF) return bf16_to_float(static_cast<const uint16_t*>(base)[index]);
    return static_cast<const float*>(base)[index];
}

void store(void* base, int type, long long index, float v) {
    if (type == kR16BF) static_cast<uint16_t*>(base)[index] = float_to_bf16(v);
    else static_cast<float*>(base)[index] = v;
}

// A column-major rows x cols matrix with leading dimension ld spans ld * (cols - 1) + rows elements.
int check_operand(const char* call, const char* name, const void* p, int type, int rows, int cols, int ld) {
    if (rows == 0 || cols == 0) return kSuccess;
    size_t bytes = (static_cast<size_t>(ld) * static_cast<size_t>(cols - 1) + static_cast<size_t>(rows)) * element_bytes(type);
    if (emu::device_range_live(reinterpret_cast<unsigned long long>(p), bytes)) return kSuccess;
    // On a GPU this is an illegal address that surfaces as a failed kernel.
    return fail(kExecutionFailed, std::string(call) + ": " + name + " (" + std::to_string(rows) + " x " + std::to_string(cols)
                                      + ", ld " + std::to_string(ld) + ") is not inside one live device allocation");
}

const char* type_name(int t) { return t == kR32F ? "CUDA_R_32F" : t == kR16BF ? "CUDA_R_16BF" : "unsupported type"; }

int gemm(const char* call, Handle* h, int transa, int transb, int m, int n, int k, const float* alpha, const void* A,
         int atype, int lda, long long stride_a, const void* B, int btype, int ldb, long long stride_b, const float* beta,
         void* C, int ctype, int ldc, long long stride_c, int batch, int compute, int algo) {
    if (!live(h)) return fail(kNotInitialized, std::string(call) + ": handle is not an initialised cuBLAS handle");
    if ((transa != kOpN && transa != kOpT && transa != kOpC) || (transb != kOpN && transb != kOpT && transb != kOpC)) {
        return fail(kInvalidValue, std::string(call) + ": transa/transb must be CUBLAS_OP_N, _T or _C");
    }
    if (m < 0 || n < 0 || k < 0 || batch < 0) return fail(kInvalidValue, std::string(call) + ": m, n, k and batchCount must be >= 0");
    // cuBLAS's rules: A is m x k (op N) or k x m, B is k x n or n x k, C is m x n, all column-major.
    int a_rows = transa == kOpN ? m : k, a_cols = transa == kOpN ? k : m;
    int b_rows = transb == kOpN ? k : n, b_cols = transb == kOpN ? n : k;
    if (lda < (a_rows > 1 ? a_rows : 1)) return fail(kInvalidValue, std::string(call) + ": lda " + std::to_string(lda) + " < max(1, " + std::to_string(a_rows) + ")");
    if (ldb < (b_rows > 1 ? b_rows : 1)) return fail(kInvalidValue, std::string(call) + ": ldb " + std::to_string(ldb) + " < max(1, " + std::to_string(b_rows) + ")");
    if (ldc < (m > 1 ? m : 1)) return fail(kInvalidValue, std::string(call) + ": ldc " + std::to_string(ldc) + " < max(1, " + std::to_string(m) + ")");
    if (alpha == nullptr || beta == nullptr) return fail(kInvalidValue, std::string(call) + ": alpha and beta must be host pointers");
    // cuBLAS documents algo as CUBLAS_GEMM_DEFAULT (-1) .. 23 or the _TENSOR_OP range 99 .. 115; all equivalent here.
    if (!((algo >= -1 && algo <= 23) || (algo >= 99 && algo <= 115))) {
        return fail(kInvalidValue, std::string(call) + ": algo " + std::to_string(algo) + " is not a cublasGemmAlgo_t");
    }
    bool fp32 = atype == kR32F && btype == kR32F && ctype == kR32F
                && (compute == kCompute32F || compute == kCompute32FPedantic || compute == kCompute32FFastTF32);
    bool bf16 = atype == kR16BF && btype == kR16BF && (ctype == kR16BF || ctype == kR32F) && compute == kCompute32F;
    if (!fp32 && !bf16) {
        return fail(kNotSupported, std::string(call) + ": A " + type_name(atype) + ", B " + type_name(btype) + ", C "
                                       + type_name(ctype) + " with compute type " + std::to_string(compute)
                                       + " is not emulated (fp32 with COMPUTE_32F/_PEDANTIC/_FAST_TF32, bf16 A/B with COMPUTE_32F)");
    }
    if (m == 0 || n == 0 || batch == 0) return kSuccess;
    // The math mode CUBLAS_TF32_TENSOR_OP_MATH makes COMPUTE_32F use TF32 too, as documented for cublasSetMathMode.
    bool tf32 = fp32 && (compute == kCompute32FFastTF32 || (compute == kCompute32F && (h->math_mode & ~kMathDisallowReduced) == kMathTF32));
    bool reads_ab = k > 0 && *alpha != 0.0f;
    for (int e = 0; e < batch; e++) {
        const char* a = static_cast<const char*>(A) + stride_a * e * static_cast<long long>(element_bytes(atype));
        const char* b = static_cast<const char*>(B) + stride_b * e * static_cast<long long>(element_bytes(btype));
        char* c = static_cast<char*>(C) + stride_c * e * static_cast<long long>(element_bytes(ctype));
        if (reads_ab) {
            if (int rc = check_operand(call, "A", a, atype, a_rows, a_cols, lda)) return rc;
            if (int rc = check_operand(call, "B", b, btype, b_rows, b_cols, ldb)) return rc;
        }
        if (int rc = check_operand(call, "C", c, ctype, m, n, ldc)) return rc;
    }
    for (int e = 0; e < batch; e++) {
        const char* a = static_cast<const char*>(A) + stride_a * e * static_cast<long long>(element_bytes(atype));
        const char* b = static_cast<const char*>(B) + stride_b * e * static_cast<long long>(element_bytes(btype));
        char* c = static_cast<char*>(C) + stride_c * e * static_cast<long long>(element_bytes(ctype));
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                float acc = 0.0f;
                if (reads_ab) {
                    for (int p = 0; p < k; p++) {
                        // op(A)[i, p] and op(B)[p, j]; CUBLAS_OP_C is CUBLAS_OP_T for real types.
                        long long ai = transa == kOpN ? i + static_cast<long long>(p) * lda : p + static_cast<long long>(i) * lda;
                        long long bi = transb == kOpN ? p + static_cast<long long>(j) * ldb : j + static_cast<long long>(p) * ldb;
                        float x = load(a, atype, ai), y = load(b, btype, bi);
                        if (tf32) {
                            x = to_tf32(x);
                            y = to_tf32(y);
                        }
                        acc += x * y;
                    }
                }
                long long ci = i + static_cast<long long>(j) * ldc;
                // beta == 0: C is not read, so NaN or garbage there does not propagate (as cuBLAS documents).
                float out = *alpha * acc;
                if (*beta != 0.0f) out += *beta * load(c, ctype, ci);
                store(c, ctype, ci, out);
            }
        }
    }
    return kSuccess;
}

}  // namespace

EMU_EXPORT int cublasCreate_v2(Handle** handle) {
    if (handle == nullptr) return fail(kInvalidValue, "cublasCreate_v2: handle is NULL");
    *handle = new Handle();
    return kSuccess;
}

EMU_EXPORT int cublasDestroy_v2(Handle* handle) {
    if (!live(handle)) return fail(kNotInitialized, "cublasDestroy_v2: not a live cuBLAS handle");
    handle->magic = 0;
    delete handle;
    return kSuccess;
}

EMU_EXPORT int cublasGetVersion_v2(Handle* handle, int* version) {
    if (!live(handle)) return fail(kNotInitialized, "cublasGetVersion_v2: not a live cuBLAS handle");
    if (version == nullptr) return fail(kInvalidValue, "cublasGetVersion_v2: version is NULL");
    *version = kVersion;
    return kSuccess;
}

// Launches are synchronous in the emulator, so the stream only has to be remembered.
EMU_EXPORT int cublasSetStream_v2(Handle* handle, void* stream) {
    if (!live(handle)) return fail(kNotInitialized, "cublasSetStream_v2: not a live cuBLAS handle");
    handle->stream = stream;
    return kSuccess;
}

EMU_EXPORT int cublasSetMathMode(Handle* handle, int mode) {
    if (!live(handle)) return fail(kNotInitialized, "cublasSetMathMode: not a live cuBLAS handle");
    int base = mode & ~kMathDisallowReduced;
    if (base != kMathDefault && base != 1 && base != kMathPedantic && base != kMathTF32 && base != kMathBF16x9) {
        return fail(kInvalidValue, "cublasSetMathMode: mode " + std::to_string(mode) + " is not a cublasMath_t");
    }
    handle->math_mode = mode;
    return kSuccess;
}

EMU_EXPORT int cublasGemmEx(Handle* handle, int transa, int transb, int m, int n, int k, const void* alpha, const void* A,
                            int atype, int lda, const void* B, int btype, int ldb, const void* beta, void* C, int ctype,
                            int ldc, int compute, int algo) {
    return gemm("cublasGemmEx", handle, transa, transb, m, n, k, static_cast<const float*>(alpha), A, atype, lda, 0, B,
                btype, ldb, 0, static_cast<const float*>(beta), C, ctype, ldc, 0, 1, compute, algo);
}

EMU_EXPORT int cublasGemmStridedBatchedEx(Handle* handle, int transa, int transb, int m, int n, int k, const void* alpha,
                                          const void* A, int atype, int lda, long long stride_a, const void* B, int btype,
                                          int ldb, long long stride_b, const void* beta, void* C, int ctype, int ldc,
                                          long long stride_c, int batch, int compute, int algo) {
    return gemm("cublasGemmStridedBatchedEx", handle, transa, transb, m, n, k, static_cast<const float*>(alpha), A, atype,
                lda, stride_a, B, btype, ldb, stride_b, static_cast<const float*>(beta), C, ctype, ldc, stride_c, batch,
                compute, algo);
}
