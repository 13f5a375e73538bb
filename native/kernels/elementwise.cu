// Element-wise fp32 kernels (ElementwiseKernels): binary ops on contiguous or strided operands, unary ops and their
// backward, affine, axpy, fill and strided copies (SwiGLU is in swiglu.cu). All are grid-stride loops over int64
// indices, so any grid size covers any n.
#include "common.cuh"

// Op codes are the ordinals of ElementwiseKernels.Binary and .Unary.
enum BinaryOp : int { kAdd, kSub, kMul, kDiv, kMax, kMin };
enum UnaryOp : int { kNeg, kExp, kLog, kSqrt, kRsqrt, kAbs, kSilu, kSigmoid, kTanh, kRelu };

template <int Op>
__device__ __forceinline__ float binary_op(float a, float b) {
    if constexpr (Op == kAdd) return a + b;
    else if constexpr (Op == kSub) return a - b;
    else if constexpr (Op == kMul) return a * b;
    else if constexpr (Op == kDiv) return a / b;
    else if constexpr (Op == kMax) return kc_java_max(a, b);
    else return kc_java_min(a, b);
}

template <int Op>
__device__ void binary_contiguous(long long n, const float* a, const float* b, float* out) {
    for (long long i = kc_global_index(); i < n; i += kc_grid_stride()) out[i] = binary_op<Op>(a[i], b[i]);
}

// out[i] = a[i] op b[i] over n contiguous elements; out may alias a or b.
extern "C" __global__ void ew_binary_f32(int op, long long n, const float* a, const float* b, float* out) {
    switch (op) {
        case kAdd: binary_contiguous<kAdd>(n, a, b, out); break;
        case kSub: binary_contiguous<kSub>(n, a, b, out); break;
        case kMul: binary_contiguous<kMul>(n, a, b, out); break;
        case kDiv: binary_contiguous<kDiv>(n, a, b, out); break;
        case kMax: binary_contiguous<kMax>(n, a, b, out); break;
        default: binary_contiguous<kMin>(n, a, b, out); break;
    }
}
EMU_REGISTER(ew_binary_f32);

// A row-major iteration of a shape of rank <= 4 ([d0, d1, d2, d3], d0 implied by n), each operand with its own
// element strides (0 broadcasts). The host merges adjacent dimensions first, so most calls have rank 1 or 2.
struct Strides4 {
    long long s0, s1, s2, s3;
};

__device__ __forceinline__ long long strided_offset(long long i, int d1, int d2, int d3, Strides4 s) {
    long long i3 = i % d3, rest = i / d3;
    long long i2 = rest % d2;
    rest /= d2;
    long long i1 = rest % d1, i0 = rest / d1;
    return i0 * s.s0 + i1 * s.s1 + i2 * s.s2 + i3 * s.s3;
}

template <int Op>
__device__ void binary_strided(long long n, int d1, int d2, int d3, const float* a, Strides4 sa, const float* b,
                               Strides4 sb, float* out) {
    for (long long i = kc_global_index(); i < n; i += kc_grid_stride()) {
        out[i] = binary_op<Op>(a[strided_offset(i, d1, d2, d3, sa)], b[strided_offset(i, d1, d2, d3, sb)]);
    }
}

extern "C" __global__ void ew_binary_strided_f32(int op, long long n, int d1, int d2, int d3, const float* a,
                                                 long long as0, long long as1, long long as2, long long as3,
                                                 const float* b, long long bs0, long long bs1, long long bs2,
                                                 long long bs3, float* out) {
    Strides4 sa{as0, as1, as2, as3}, sb{bs0, bs1, bs2, bs3};
    switch (op) {
        case kAdd: binary_strided<kAdd>(n, d1, d2, d3, a, sa, b, sb, out); break;
        case kSub: binary_strided<kSub>(n, d1, d2, d3, a, sa, b, sb, out); break;
        case kMul: binary_strided<kMul>(n, d1, d2, d3, a, sa, b, sb, out); break;
        case kDiv: binary_strided<kDiv>(n, d1, d2, d3, a, sa, b, sb, out); break;
        case kMax: binary_strided<kMax>(n, d1, d2, d3, a, sa, b, sb, out); break;
        default: binary_strided<kMin>(n, d1, d2, d3, a, sa, b, sb, out); break;
    }
}
EMU_REGISTER(ew_binary_strided_f32);

// Elements are moved as unsigned integers of their width, so NaN payloads survive.
template <class T>
__device__ void copy_strided(long long n, int d1, int d2, int d3, const T* src, Strides4 s, T* dst) {
    for (long long i = kc_global_index(); i < n; i += kc_grid_stride()) dst[i] = src[strided_offset(i, d1, d2, d3, s)];
}

extern "C" __global__ void copy_strided_b16(long long n, int d1, int d2, int d3, const uint16_t* src, long long s0,
                                            long long s1, long long s2, long long s3, uint16_t* dst) {
    copy_strided(n, d1, d2, d3, src, Strides4{s0, s1, s2, s3}, dst);
}
EMU_REGISTER(copy_strided_b16);

extern "C" __global__ void copy_strided_b32(long long n, int d1, int d2, int d3, const uint32_t* src, long long s0,
                                            long long s1, long long s2, long long s3, uint32_t* dst) {
    copy_strided(n, d1, d2, d3, src, Strides4{s0, s1, s2, s3}, dst);
}
EMU_REGISTER(copy_strided_b32);

extern "C" __global__ void copy_strided_b64(long long n, int d1, int d2, int d3, const unsigned long long* src,
                                            long long s0, long long s1, long long s2, long long s3,
                                            unsigned long long* dst) {
    copy_strided(n, d1, d2, d3, src, Strides4{s0, s1, s2, s3}, dst);
}
EMU_REGISTER(copy_strided_b64);

// The inverse: contiguous src written into a strided view dst (a slice of a larger array). dst's strides must not
// make two elements share an address (the host checks), so every thread writes its own element.
template <class T>
__device__ void copy_to_strided(long long n, int d1, int d2, int d3, const T* src, T* dst, Strides4 s) {
    for (long long i = kc_global_index(); i < n; i += kc_grid_stride()) dst[strided_offset(i, d1, d2, d3, s)] = src[i];
}

extern "C" __global__ void copy_to_strided_b16(long long n, int d1, int d2, int d3, const uint16_t* src, uint16_t* dst,
                                               long long s0, long long s1, long long s2, long long s3) {
    copy_to_strided(n, d1, d2, d3, src, dst, Strides4{s0, s1, s2, s3});
}
EMU_REGISTER(copy_to_strided_b16);

extern "C" __global__ void copy_to_strided_b32(long long n, int d1, int d2, int d3, const uint32_t* src, uint32_t* dst,
                                               long long s0, long long s1, long long s2, long long s3) {
    copy_to_strided(n, d1, d2, d3, src, dst, Strides4{s0, s1, s2, s3});
}
EMU_REGISTER(copy_to_strided_b32);

extern "C" __global__ void copy_to_strided_b64(long long n, int d1, int d2, int d3, const unsigned long long* src,
                                               unsigned long long* dst, long long s0, long long s1, long long s2,
                                               long long s3) {
    copy_to_strided(n, d1, d2, d3, src, dst, Strides4{s0, s1, s2, s3});
}
EMU_REGISTER(copy_to_strided_b64);

template <int Op>
__device__ __forceinline__ float unary_op(float x) {
    if constexpr (Op == kNeg) return -x;
    else if constexpr (Op == kExp) return expf(x);
    else if constexpr (Op == kLog) return logf(x);
    else if constexpr (Op == kSqrt) return sqrtf(x);
    else if constexpr (Op == kRsqrt) return 1.0f / sqrtf(x);
    else if constexpr (Op == kAbs) return fabsf(x);
    else if constexpr (Op == kSilu) return x / (1.0f + expf(-x));
    else if constexpr (Op == kSigmoid) return kc_sigmoid(x);
    else if constexpr (Op == kTanh) return tanhf(x);
    else return kc_java_max(x, 0.0f);
}

template <int Op>
__device__ void unary_loop(long long n, const float* x, float* out) {
    for (long long i = kc_global_index(); i < n; i += kc_grid_stride()) out[i] = unary_op<Op>(x[i]);
}

extern "C" __global__ void ew_unary_f32(int op, long long n, const float* x, float* out) {
    switch (op) {
        case kNeg: unary_loop<kNeg>(n, x, out); break;
        case kExp: unary_loop<kExp>(n, x, out); break;
        case kLog: unary_loop<kLog>(n, x, out); break;
        case kSqrt: unary_loop<kSqrt>(n, x, out); break;
        case kRsqrt: unary_loop<kRsqrt>(n, x, out); break;
        case kAbs: unary_loop<kAbs>(n, x, out); break;
        case kSilu: unary_loop<kSilu>(n, x, out); break;
        case kSigmoid: unary_loop<kSigmoid>(n, x, out); break;
        case kTanh: unary_loop<kTanh>(n, x, out); break;
        default: unary_loop<kRelu>(n, x, out); break;
    }
}
EMU_REGISTER(ew_unary_f32);

// op'(x) from the forward input x (LOG, ABS, SILU, RELU) or output y (EXP, SQRT, RSQRT, SIGMOID, TANH); the
// operand an op does not read may be null.
template <int Op>
__device__ __forceinline__ float unary_derivative(float x, float y) {
    if constexpr (Op == kNeg) return -1.0f;
    else if constexpr (Op == kExp) return y;
    else if constexpr (Op == kLog) return 1.0f / x;
    else if constexpr (Op == kSqrt) return 0.5f / y;
    else if constexpr (Op == kRsqrt) return -0.5f * y * y * y;
    else if constexpr (Op == kAbs) return x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : 0.0f);
    else if constexpr (Op == kSilu) {
        float s = kc_sigmoid(x);
        return s * (1.0f + x * (1.0f - s));
    } else if constexpr (Op == kSigmoid) return y * (1.0f - y);
    else if constexpr (Op == kTanh) return 1.0f - y * y;
    else return x > 0.0f ? 1.0f : 0.0f;
}

template <int Op>
__device__ void unary_backward_loop(long long n, const float* x, const float* y, const float* dy, float* dx) {
    constexpr bool reads_x = Op == kLog || Op == kAbs || Op == kSilu || Op == kRelu;
    constexpr bool reads_y = Op == kExp || Op == kSqrt || Op == kRsqrt || Op == kSigmoid || Op == kTanh;
    for (long long i = kc_global_index(); i < n; i += kc_grid_stride()) {
        dx[i] = dy[i] * unary_derivative<Op>(reads_x ? x[i] : 0.0f, reads_y ? y[i] : 0.0f);
    }
}

extern "C" __global__ void ew_unary_backward_f32(int op, long long n, const float* x, const float* y, const float* dy,
                                                 float* dx) {
    switch (op) {
        case kNeg: unary_backward_loop<kNeg>(n, x, y, dy, dx); break;
        case kExp: unary_backward_loop<kExp>(n, x, y, dy, dx); break;
        case kLog: unary_backward_loop<kLog>(n, x, y, dy, dx); break;
        case kSqrt: unary_backward_loop<kSqrt>(n, x, y, dy, dx); break;
        case kRsqrt: unary_backward_loop<kRsqrt>(n, x, y, dy, dx); break;
        case kAbs: unary_backward_loop<kAbs>(n, x, y, dy, dx); break;
        case kSilu: unary_backward_loop<kSilu>(n, x, y, dy, dx); break;
        case kSigmoid: unary_backward_loop<kSigmoid>(n, x, y, dy, dx); break;
        case kTanh: unary_backward_loop<kTanh>(n, x, y, dy, dx); break;
        default: unary_backward_loop<kRelu>(n, x, y, dy, dx); break;
    }
}
EMU_REGISTER(ew_unary_backward_f32);

extern "C" __global__ void ew_affine_f32(long long n, float alpha, float beta, const float* x, float* out) {
    for (long long i = kc_global_index(); i < n; i += kc_grid_stride()) out[i] = alpha * x[i] + beta;
}
EMU_REGISTER(ew_affine_f32);

extern "C" __global__ void ew_axpy_f32(long long n, float alpha, const float* x, float* y) {
    for (long long i = kc_global_index(); i < n; i += kc_grid_stride()) y[i] += alpha * x[i];
}
EMU_REGISTER(ew_axpy_f32);

extern "C" __global__ void ew_fill_f32(long long n, float value, float* out) {
    for (long long i = kc_global_index(); i < n; i += kc_grid_stride()) out[i] = value;
}
EMU_REGISTER(ew_fill_f32);
