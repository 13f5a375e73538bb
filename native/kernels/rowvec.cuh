// 16-byte access to fp32 rows whose start may sit anywhere (a row of an odd width, or a view at a 4-byte offset):
// a row of n floats is split into a scalar head up to the first 16-byte boundary, a body of float4s, and a scalar
// tail. Row kernels read the body as float4 (one 16-byte load per thread instead of four 4-byte ones) and take the
// head and tail (at most 3 + 3 floats) one by one.
#pragma once

#include "common.cuh"  // kc_load4 / kc_store4

// Floats before p reaches a 16-byte boundary, at most n (p itself is 4-byte aligned, as every float pointer is).
__device__ __forceinline__ int kc_head4(const float* p, int n) {
    int h = static_cast<int>(((16u - (reinterpret_cast<unsigned long long>(p) & 15u)) & 15u) >> 2);
    return h < n ? h : n;
}

// Whether p is 16-byte aligned.
__device__ __forceinline__ bool kc_aligned16(const void* p) {
    return (reinterpret_cast<unsigned long long>(p) & 15u) == 0;
}


// A flat stream of n floats read or written through several pointers at once (element-wise kernels), split for
// 16-byte access: `head` scalars up to the first 16-byte boundary, `vecs` float4s, then the n - head - 4 vecs scalars
// of the tail. A float4 needs every pointer at the same offset within 16 bytes; when they differ, head = n (all
// scalar, still correct, as slow as before the split).
struct KcSplit4 {
    long long head, vecs;
};

template <class... P>
__device__ __forceinline__ KcSplit4 kc_split4(long long n, const float* first, P... rest) {
    unsigned off = static_cast<unsigned>(reinterpret_cast<unsigned long long>(first) & 15u);
    bool same = ((static_cast<unsigned>(reinterpret_cast<unsigned long long>(rest) & 15u) == off) && ...);
    long long head = same ? static_cast<long long>(((16u - off) & 15u) >> 2) : n;
    if (head > n) head = n;
    return {head, (n - head) / 4};
}
