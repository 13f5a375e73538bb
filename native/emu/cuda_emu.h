// The CUDA device dialect our kernels use, for g++: the same .cu sources compile into an ordinary shared library in
// which the threads of a block are cooperative fibers (emu_runtime.cpp). Kernels never include this directly; they
// include kcompat.cuh, which picks this header or the CUDA toolkit's.
//
// What is emulated: threadIdx/blockIdx/blockDim/gridDim, __shared__ (static, and dynamic through kc_dyn_smem<T>()),
// __syncthreads (+ _count/_or/_and), __syncwarp, warp shuffles and votes, atomics, bf16, and the math we call.
// What is not: tensor cores, inline PTX, cp.async, cooperative groups, __constant__ symbols looked up by name.
#pragma once

#if defined(__CUDACC__) || defined(__shared__) || defined(__device__) || defined(__global__)
// cuda_runtime/host_defines.h defines __shared__ as nothing for host code: a shared array would silently become a
// per-thread local. Kernels must reach the toolkit only through kcompat.cuh.
#error "cuda_emu.h: a CUDA header was included first (it defines __shared__ away); include only kcompat.cuh"
#endif

// Every standard header the emulation or the kernels need, before any macro below exists.
#include <algorithm>
#include <atomic>
#include <cfloat>
#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <tuple>
#include <type_traits>
#include <utility>

// ---- vector and index types (only what kernels use) ----
struct uint3 {
    unsigned int x, y, z;
};

struct dim3 {
    unsigned int x, y, z;
    constexpr dim3(unsigned int x_ = 1, unsigned int y_ = 1, unsigned int z_ = 1) : x(x_), y(y_), z(z_) {}
    constexpr dim3(uint3 v) : x(v.x), y(v.y), z(v.z) {}
};

struct alignas(8) float2 {
    float x, y;
};
struct alignas(16) float4 {
    float x, y, z, w;
};
inline float2 make_float2(float x, float y) { return {x, y}; }
inline float4 make_float4(float x, float y, float z, float w) { return {x, y, z, w}; }

// ---- bf16: bit-compatible with cuda_bf16.h (round to nearest even; NaN becomes the canonical 0x7fff) ----
struct __nv_bfloat16 {
    uint16_t __x{};  // a default member initializer, not a constructor: no TLS init guard in shared arrays
};
inline __nv_bfloat16 __float2bfloat16(float f) {
    uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    if ((u & 0x7fffffffu) > 0x7f800000u) return __nv_bfloat16{0x7fff};
    u += 0x7fffu + ((u >> 16) & 1u);
    return __nv_bfloat16{static_cast<uint16_t>(u >> 16)};
}
inline __nv_bfloat16 __float2bfloat16_rn(float f) { return __float2bfloat16(f); }
inline float __bfloat162float(__nv_bfloat16 h) {
    uint32_t u = static_cast<uint32_t>(h.__x) << 16;
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}

// ---- qualifiers ----
#define __global__
#define __device__
#define __host__
#define __constant__
#define __forceinline__ inline __attribute__((always_inline))
#define __align__(n) __attribute__((aligned(n)))
#define __launch_bounds__(...)
// One block runs at a time on an OS thread, so per-OS-thread storage is per-block storage. Never write
// "static __shared__" (the static would be doubled); dynamic shared memory goes through kc_dyn_smem<T>().
#define __shared__ static thread_local
// No __noinline__: libstdc++ spells __attribute__((__noinline__)) itself and a macro would break <memory>.

// ---- thread coordinates: the scheduler stores the running fiber's values before every switch ----
inline thread_local uint3 threadIdx;
inline thread_local uint3 blockIdx;
inline thread_local uint3 blockDim;
inline thread_local uint3 gridDim;
constexpr int warpSize = 32;

// ---- runtime hooks (out of line: every call is a possible fiber switch, so the compiler reloads memory after it) ----
namespace emu {
struct WarpResult {
    uint64_t value;      // the source lane's bits, or the caller's own when the source lane did not take part
    unsigned int active; // lanes that took part in this exchange
    unsigned int ballot; // lanes among them whose bits were nonzero
};
void syncthreads();
int syncthreads_count(int predicate);
WarpResult warp_exchange(unsigned int mask, uint64_t bits, int src_lane);
unsigned int active_mask();
void* dynamic_smem();

inline int lane_id() {
    unsigned int linear = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
    return static_cast<int>(linear & 31u);
}

template <class T>
inline T shuffle(unsigned int mask, T value, int src_lane) {
    static_assert(std::is_trivially_copyable_v<T> && sizeof(T) <= 8, "shuffles move trivially copyable values of up to 8 bytes");
    uint64_t bits = 0;
    std::memcpy(&bits, &value, sizeof(T));
    WarpResult r = warp_exchange(mask, bits, src_lane);
    T out;
    std::memcpy(static_cast<void*>(&out), &r.value, sizeof(T));
    return out;
}
}  // namespace emu

inline void __syncthreads() { emu::syncthreads(); }
inline int __syncthreads_count(int p) { return emu::syncthreads_count(p != 0); }
inline int __syncthreads_or(int p) { return emu::syncthreads_count(p != 0) != 0; }
inline int __syncthreads_and(int p) { return emu::syncthreads_count(p == 0) == 0; }
inline void __syncwarp(unsigned int mask = 0xffffffffu) { emu::warp_exchange(mask, 0, 0); }
inline unsigned int __activemask() { return emu::active_mask(); }
inline unsigned int __ballot_sync(unsigned int mask, int p) { return emu::warp_exchange(mask, p != 0, 0).ballot; }
inline int __any_sync(unsigned int mask, int p) { return emu::warp_exchange(mask, p != 0, 0).ballot != 0; }
inline int __all_sync(unsigned int mask, int p) {
    emu::WarpResult r = emu::warp_exchange(mask, p != 0, 0);
    return r.ballot == r.active;
}

// Source lanes follow CUDA's rules for a segment of `width` lanes; a source outside the segment (up/down/xor) or a lane
// that did not take part yields the caller's own value.
template <class T>
inline T __shfl_sync(unsigned int mask, T var, int src_lane, int width = warpSize) {
    int lane = emu::lane_id(), base = lane & ~(width - 1);
    return emu::shuffle(mask, var, base + (src_lane & (width - 1)));
}
template <class T>
inline T __shfl_up_sync(unsigned int mask, T var, unsigned int delta, int width = warpSize) {
    int lane = emu::lane_id(), base = lane & ~(width - 1), src = lane - static_cast<int>(delta);
    return emu::shuffle(mask, var, src < base ? lane : src);
}
template <class T>
inline T __shfl_down_sync(unsigned int mask, T var, unsigned int delta, int width = warpSize) {
    int lane = emu::lane_id(), base = lane & ~(width - 1), src = lane + static_cast<int>(delta);
    return emu::shuffle(mask, var, src >= base + width ? lane : src);
}
template <class T>
inline T __shfl_xor_sync(unsigned int mask, T var, int lane_mask, int width = warpSize) {
    int lane = emu::lane_id(), base = lane & ~(width - 1), src = lane ^ (lane_mask & 31);
    return emu::shuffle(mask, var, src >= base + width ? lane : src);
}

template <class T>
inline T* kc_dyn_smem() {
    return static_cast<T*>(emu::dynamic_smem());
}

// ---- atomics: blocks run on several OS threads, so these are real atomics ----
inline float atomicAdd(float* a, float v) { return std::atomic_ref<float>(*a).fetch_add(v); }
inline double atomicAdd(double* a, double v) { return std::atomic_ref<double>(*a).fetch_add(v); }
inline int atomicAdd(int* a, int v) { return __atomic_fetch_add(a, v, __ATOMIC_SEQ_CST); }
inline unsigned int atomicAdd(unsigned int* a, unsigned int v) { return __atomic_fetch_add(a, v, __ATOMIC_SEQ_CST); }
inline unsigned long long atomicAdd(unsigned long long* a, unsigned long long v) {
    return __atomic_fetch_add(a, v, __ATOMIC_SEQ_CST);
}
inline int atomicSub(int* a, int v) { return __atomic_fetch_sub(a, v, __ATOMIC_SEQ_CST); }
inline int atomicExch(int* a, int v) { return __atomic_exchange_n(a, v, __ATOMIC_SEQ_CST); }
inline unsigned int atomicExch(unsigned int* a, unsigned int v) { return __atomic_exchange_n(a, v, __ATOMIC_SEQ_CST); }
inline float atomicExch(float* a, float v) { return std::atomic_ref<float>(*a).exchange(v); }
template <class T>
inline T emu_atomic_cas(T* a, T compare, T value) {
    // On failure the builtin stores the current value into `compare`; either way `compare` ends as the old value.
    __atomic_compare_exchange_n(a, &compare, value, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return compare;
}
inline int atomicCAS(int* a, int c, int v) { return emu_atomic_cas(a, c, v); }
inline unsigned int atomicCAS(unsigned int* a, unsigned int c, unsigned int v) { return emu_atomic_cas(a, c, v); }
inline unsigned long long atomicCAS(unsigned long long* a, unsigned long long c, unsigned long long v) {
    return emu_atomic_cas(a, c, v);
}
inline int atomicMax(int* a, int v) {
    int old = __atomic_load_n(a, __ATOMIC_SEQ_CST);
    while (old < v && !__atomic_compare_exchange_n(a, &old, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
    }
    return old;
}
inline int atomicMin(int* a, int v) {
    int old = __atomic_load_n(a, __ATOMIC_SEQ_CST);
    while (old > v && !__atomic_compare_exchange_n(a, &old, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
    }
    return old;
}
inline void __threadfence() { std::atomic_thread_fence(std::memory_order_seq_cst); }
inline void __threadfence_block() { std::atomic_thread_fence(std::memory_order_seq_cst); }

// ---- bit reinterpretation and integer intrinsics ----
inline unsigned int __float_as_uint(float f) {
    unsigned int u;
    std::memcpy(&u, &f, sizeof u);
    return u;
}
inline float __uint_as_float(unsigned int u) {
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}
inline int __float_as_int(float f) { return static_cast<int>(__float_as_uint(f)); }
inline float __int_as_float(int i) { return __uint_as_float(static_cast<unsigned int>(i)); }
inline int __popc(unsigned int x) { return __builtin_popcount(x); }
inline int __ffs(int x) { return __builtin_ffs(x); }
inline int __clz(int x) { return x == 0 ? 32 : __builtin_clz(static_cast<unsigned int>(x)); }
inline unsigned int __umulhi(unsigned int a, unsigned int b) {
    return static_cast<unsigned int>((static_cast<unsigned long long>(a) * b) >> 32);
}

// ---- CUDA's min/max overload set (std::min alone rejects mixed int/unsigned) ----
inline int min(int a, int b) { return a < b ? a : b; }
inline int max(int a, int b) { return a > b ? a : b; }
inline unsigned int min(unsigned int a, unsigned int b) { return a < b ? a : b; }
inline unsigned int max(unsigned int a, unsigned int b) { return a > b ? a : b; }
inline unsigned int min(int a, unsigned int b) { return min(static_cast<unsigned int>(a), b); }
inline unsigned int min(unsigned int a, int b) { return min(a, static_cast<unsigned int>(b)); }
inline unsigned int max(int a, unsigned int b) { return max(static_cast<unsigned int>(a), b); }
inline unsigned int max(unsigned int a, int b) { return max(a, static_cast<unsigned int>(b)); }
inline long long min(long long a, long long b) { return a < b ? a : b; }
inline long long max(long long a, long long b) { return a > b ? a : b; }
inline float min(float a, float b) { return fminf(a, b); }
inline float max(float a, float b) { return fmaxf(a, b); }
inline double min(double a, double b) { return fmin(a, b); }
inline double max(double a, double b) { return fmax(a, b); }

// ---- math: function-like macros, because glibc already declares __expf & co. (an inline definition would export a
// weak symbol from the library); rsqrt and cospi are not in glibc 2.36 ----
namespace emu {
inline float rsqrtf_(float x) { return 1.0f / std::sqrt(x); }
inline double rsqrt_(double x) { return 1.0 / std::sqrt(x); }
inline double cospi_(double x) { return std::cos(M_PI * x); }
inline double sinpi_(double x) { return std::sin(M_PI * x); }
inline float saturate_(float x) { return x < 0.0f ? 0.0f : (x > 1.0f ? 1.0f : x); }
}  // namespace emu
#define rsqrtf(x) ::emu::rsqrtf_(x)
#define rsqrt(x) ::emu::rsqrt_(x)
#define cospi(x) ::emu::cospi_(x)
#define sinpi(x) ::emu::sinpi_(x)
#define __expf(x) ::expf(x)
#define __logf(x) ::logf(x)
#define __sinf(x) ::sinf(x)
#define __cosf(x) ::cosf(x)
#define __fdividef(a, b) ((a) / (b))
#define __fmaf_rn(a, b, c) ::fmaf(a, b, c)
#define __saturatef(x) ::emu::saturate_(x)
#define __ldg(p) (*(p))

// ---- registry: kernels are extern "C" functions; EMU_REGISTER(k) records {name, signature, launcher} ----
namespace emu {
struct KernelEntry;
using Launcher = int (*)(const KernelEntry& entry, uint3 grid, uint3 block, unsigned int dyn_smem, void** params);

struct KernelEntry {
    const char* name;
    const char* signature;  // one char per parameter: p pointer, i/u 32-bit int, l/L 64-bit int, f, d, s struct
    Launcher launch;
    unsigned int max_dynamic_smem;  // CUDA's default limit until cuFuncSetAttribute raises it
};

void register_kernel(KernelEntry* entry);

// Runs the grid: every block's threads as fibers over `body(args)`; returns a CUresult number.
int run_grid(const KernelEntry& entry, uint3 grid, uint3 block, unsigned int dyn_smem, void (*body)(void*), void* args);

template <class T>
constexpr char signature_char() {
    if constexpr (std::is_pointer_v<T>) return 'p';
    else if constexpr (std::is_same_v<T, float>) return 'f';
    else if constexpr (std::is_same_v<T, double>) return 'd';
    else if constexpr (std::is_integral_v<T> && sizeof(T) == 4) return std::is_signed_v<T> ? 'i' : 'u';
    else if constexpr (std::is_integral_v<T> && sizeof(T) == 8) return std::is_signed_v<T> ? 'l' : 'L';
    else return 's';
}

template <auto F>
struct KernelThunk;

template <class... A, void (*F)(A...)>
struct KernelThunk<F> {
    using Args = std::tuple<std::decay_t<A>...>;
    static constexpr char signature[] = {signature_char<std::decay_t<A>>()..., '\0'};

    // Each fiber calls F with its own by-value copies of the shared argument tuple.
    static void body(void* args) { std::apply(F, *static_cast<Args*>(args)); }

    template <size_t... I>
    static void unpack(Args& args, void** params, std::index_sequence<I...>) {
        // kernelParams[i] points at a cell holding argument i; no alignment is assumed.
        (std::memcpy(static_cast<void*>(&std::get<I>(args)), params[I], sizeof(std::tuple_element_t<I, Args>)), ...);
    }

    static int launch(const KernelEntry& entry, uint3 grid, uint3 block, unsigned int dyn_smem, void** params) {
        Args args{};
        if (sizeof...(A) > 0 && params == nullptr) return 1;  // CUDA_ERROR_INVALID_VALUE
        unpack(args, params, std::index_sequence_for<A...>{});
        return run_grid(entry, grid, block, dyn_smem, &body, &args);
    }
};

struct Registrar {
    explicit Registrar(KernelEntry* entry) { register_kernel(entry); }
};
}  // namespace emu

#define EMU_REGISTER(k)                                                                                        \
    static ::emu::KernelEntry emu_entry_##k{#k, ::emu::KernelThunk<&k>::signature, &::emu::KernelThunk<&k>::launch, \
                                           48u * 1024u};                                                        \
    static const ::emu::Registrar emu_registrar_##k { &emu_entry_##k }
