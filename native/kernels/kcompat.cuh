// The one header kernels include for the CUDA dialect: under nvcc the toolkit's, under g++ our emulation's.
// Two spellings differ between the worlds and are given here: kc_dyn_smem<T>() for dynamic shared memory (an
// extern __shared__ array cannot be emulated) and EMU_REGISTER(kernel), which records a kernel in the emulator's
// registry and is a no-op for nvcc. Kernels are extern "C" so that the cubin symbol equals the registry name.
#pragma once

#if defined(__CUDACC__)
#include <cuda_bf16.h>
#include <cstdint>

template <class T>
__device__ __forceinline__ T* kc_dyn_smem() {
    extern __shared__ __align__(16) unsigned char kc_dyn_smem_raw[];
    return reinterpret_cast<T*>(kc_dyn_smem_raw);
}
#define EMU_REGISTER(k) static_assert(true, "")  // so that `EMU_REGISTER(k);` needs its ';' in both worlds
#define KC_UNROLL _Pragma("unroll")
#else
#include "cuda_emu.h"
#define KC_UNROLL
#endif
