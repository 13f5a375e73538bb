// fp32 <-> bf16 conversions (ElementwiseKernels.f32ToBf16 / bf16ToF32). Narrowing rounds to nearest even; a NaN
// stays a NaN (the device writes the canonical 0x7fff, so only NaN-ness, not the payload, matches the CPU kernels).
#include "common.cuh"

extern "C" __global__ void cast_f32_to_bf16(long long n, const float* src, __nv_bfloat16* dst) {
    for (long long i = kc_global_index(); i < n; i += kc_grid_stride()) dst[i] = __float2bfloat16(src[i]);
}
EMU_REGISTER(cast_f32_to_bf16);

extern "C" __global__ void cast_bf16_to_f32(long long n, const __nv_bfloat16* src, float* dst) {
    for (long long i = kc_global_index(); i < n; i += kc_grid_stride()) dst[i] = __bfloat162float(src[i]);
}
EMU_REGISTER(cast_bf16_to_f32);
