// Helpers shared by the kernels: grid-stride indexing, Java's float max/min, warp and block reductions, and the
// status word through which kernels report a bad index to the host.
//
// Block reductions require blockDim.x to be a multiple of 32 and blockDim.y == blockDim.z == 1 (every launcher picks
// such blocks): a full-mask shuffle in a partial warp is undefined on a GPU.
#pragma once

#include "kcompat.cuh"

__device__ __forceinline__ long long kc_global_index() {
    return static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
}

__device__ __forceinline__ long long kc_grid_stride() { return static_cast<long long>(gridDim.x) * blockDim.x; }

// 16-byte loads and stores of four floats at a 16-byte-aligned address. On the GPU one LDG/LDS/STS.128 instruction; in
// the emulator a memcpy, since reading float storage through a float4 lvalue would break g++'s aliasing rules.
__device__ __forceinline__ float4 kc_load4(const float* p) {
#if defined(__CUDACC__)
    return *reinterpret_cast<const float4*>(p);
#else
    float4 v;
    std::memcpy(&v, p, sizeof v);
    return v;
#endif
}

__device__ __forceinline__ void kc_store4(float* p, float4 v) {
#if defined(__CUDACC__)
    *reinterpret_cast<float4*>(p) = v;
#else
    std::memcpy(p, &v, sizeof v);
#endif
}

// kc_store4 to GLOBAL memory only, through __stwb (st.global.wb): nvcc split some plain float4 stores into 4- and
// 8-byte pieces around a precise division's branches (rows-notes.md), the explicit global store keeps one 16-byte
// STG. Never on shared memory: st.global on a shared-window address faults on a GPU, and the emulator (a memcpy
// here) cannot tell, so shared-memory tiles keep kc_store4.
__device__ __forceinline__ void kc_store4_global(float* p, float4 v) {
#if defined(__CUDACC__)
    __stwb(reinterpret_cast<float4*>(p), v);
#else
    std::memcpy(p, &v, sizeof v);
#endif
}

// java.lang.Math.max/min on floats: NaN wins, and +0 is above -0 (fmaxf would drop the NaN).
__device__ __forceinline__ float kc_java_max(float a, float b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == 0.0f && b == 0.0f) return __float_as_uint(a) == 0u ? a : b;
    return a >= b ? a : b;
}

__device__ __forceinline__ float kc_java_min(float a, float b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == 0.0f && b == 0.0f) return __float_as_uint(a) == 0u ? b : a;
    return a <= b ? a : b;
}

// 1 / (1 + e^-x) with the precise expf and division: the unary SIGMOID/SILU and SwiGLU share it, so they agree.
__device__ __forceinline__ float kc_sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }

template <class T>
__device__ __forceinline__ T kc_warp_sum(T v) {
    for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_xor_sync(0xffffffffu, v, offset);
    return v;
}

__device__ __forceinline__ float kc_warp_max(float v) {
    for (int offset = 16; offset > 0; offset >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
    return v;
}

// The sum over the block, returned to every thread. `scratch` holds 32 values in shared memory; the leading barrier
// lets one scratch serve consecutive reductions.
template <class T>
__device__ __forceinline__ T kc_block_sum(T v, T* scratch) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
    v = kc_warp_sum(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    return kc_warp_sum(lane < warps ? scratch[lane] : T(0));
}

// The maximum over the block (fmaxf: NaN is ignored, as the softmax max must be for finite results), to every thread.
__device__ __forceinline__ float kc_block_max(float v, float* scratch) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
    v = kc_warp_max(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    return kc_warp_max(lane < warps ? scratch[lane] : -INFINITY);
}

// status[0] = 1 + the position of a bad entry (the first reporter wins), status[1] = the entry's value. The host zeroes
// the status before the launch and turns a nonzero one into an exception naming the position and value.
__device__ __forceinline__ void kc_report(int* status, long long position, int value) {
    if (atomicCAS(status, 0, static_cast<int>(position + 1)) == 0) status[1] = value;
}
