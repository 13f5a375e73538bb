// The subset of the CUDA driver API (cuda.h, CUDA 13.0) that LatentR3 calls, with the same exported names and
// signatures, implemented on the host: "device" memory is host memory, modules are the kernel registry, launches run
// the kernels' g++ builds on fibers and are synchronous. Java binds this library exactly as it binds libcuda.so.1.
#include "emu_runtime.h"

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>

#define EMU_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

using CUresult = int;
using CUdeviceptr = unsigned long long;

constexpr CUresult kSuccess = 0, kInvalidValue = 1, kOutOfMemory = 2, kNotInitialized = 3, kInvalidDevice = 101,
                   kInvalidHandle = 400, kNotFound = 500;

constexpr int kDriverVersion = 13000;
constexpr size_t kAllocationAlignment = 256;  // cuMemAlloc's guarantee

std::atomic<bool> g_initialized{false};

CUresult fail(CUresult code, std::string message) {
    emu::set_error(std::move(message));
    return code;
}

// Live allocations, so that frees and copies of unknown or out-of-range addresses fail as on a device instead of
// corrupting the host heap.
struct Allocations {
    std::mutex mutex;
    std::map<CUdeviceptr, size_t> sizes;
    size_t live_bytes = 0;
};

Allocations& allocations() {
    static Allocations* a = new Allocations();
    return *a;
}

// Whether [p, p + n) lies inside one live allocation.
bool inside_allocation(CUdeviceptr p, size_t n) {
    Allocations& a = allocations();
    std::lock_guard<std::mutex> lock(a.mutex);
    auto it = a.sizes.upper_bound(p);
    if (it == a.sizes.begin()) return false;
    --it;
    return p >= it->first && p + n <= it->first + it->second;
}

CUresult check_range(const char* call, const char* what, CUdeviceptr p, size_t n) {
    if (n == 0 || inside_allocation(p, n)) return kSuccess;
    return fail(kInvalidValue, std::string(call) + ": " + what + " [0x" + std::to_string(p) + ", +" + std::to_string(n)
                                   + ") is not inside one live allocation");
}

size_t physical_memory() {
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? static_cast<size_t>(pages) * static_cast<size_t>(page) : 0;
}

struct Event {
    std::chrono::steady_clock::time_point at{};
};

int g_context_tag, g_module_tag;  // the primary context and the one module are these addresses

}  // namespace

bool emu::device_range_live(unsigned long long address, size_t bytes) { return bytes == 0 || inside_allocation(address, bytes); }

EMU_EXPORT CUresult cuInit(unsigned int flags) {
    if (flags != 0) return fail(kInvalidValue, "cuInit: flags must be 0");
    g_initialized = true;
    return kSuccess;
}

EMU_EXPORT CUresult cuDriverGetVersion(int* version) {
    if (version == nullptr) return kInvalidValue;
    *version = kDriverVersion;
    return kSuccess;
}

EMU_EXPORT CUresult cuDeviceGetCount(int* count) {
    if (!g_initialized) return kNotInitialized;
    if (count == nullptr) return kInvalidValue;
    *count = 1;
    return kSuccess;
}

EMU_EXPORT CUresult cuDeviceGet(int* device, int ordinal) {
    if (!g_initialized) return kNotInitialized;
    if (device == nullptr) return kInvalidValue;
    if (ordinal != 0) return kInvalidDevice;
    *device = 0;
    return kSuccess;
}

EMU_EXPORT CUresult cuDeviceGetName(char* name, int length, int device) {
    if (device != 0) return kInvalidDevice;
    if (name == nullptr || length <= 0) return kInvalidValue;
    std::string text = "LatentR3 CUDA emulator (" + std::to_string(emu::configured_threads()) + " CPU threads)";
    std::snprintf(name, static_cast<size_t>(length), "%s", text.c_str());
    return kSuccess;
}

// The attributes callers ask for, numbered as CUdevice_attribute in cuda.h.
EMU_EXPORT CUresult cuDeviceGetAttribute(int* value, int attribute, int device) {
    if (device != 0) return kInvalidDevice;
    if (value == nullptr) return kInvalidValue;
    switch (attribute) {
        case 1: *value = 1024; break;                          // MAX_THREADS_PER_BLOCK
        case 8: *value = 48 * 1024; break;                     // MAX_SHARED_MEMORY_PER_BLOCK
        case 10: *value = 32; break;                           // WARP_SIZE
        case 13: *value = 1000 * 1000; break;                  // CLOCK_RATE (kHz): nominal, so code reading it runs
        case 16: *value = emu::configured_threads(); break;    // MULTIPROCESSOR_COUNT: one per OS thread
        case 36: *value = 1000 * 1000; break;                  // MEMORY_CLOCK_RATE (kHz): nominal
        case 37: *value = 64; break;                           // GLOBAL_MEMORY_BUS_WIDTH (bits): nominal
        case 38: *value = 4 << 20; break;                      // L2_CACHE_SIZE: 4 MiB, nominal
        case 75: *value = 9; break;                            // COMPUTE_CAPABILITY_MAJOR
        case 76: *value = 0; break;                            // COMPUTE_CAPABILITY_MINOR
        case 97: *value = 227 * 1024; break;                   // MAX_SHARED_MEMORY_PER_BLOCK_OPTIN
        default: return fail(kInvalidValue, "cuDeviceGetAttribute: attribute " + std::to_string(attribute) + " is not emulated");
    }
    return kSuccess;
}

EMU_EXPORT CUresult cuDeviceTotalMem_v2(size_t* bytes, int device) {
    if (device != 0) return kInvalidDevice;
    if (bytes == nullptr) return kInvalidValue;
    *bytes = physical_memory();
    return kSuccess;
}

EMU_EXPORT CUresult cuDevicePrimaryCtxRetain(void** context, int device) {
    if (!g_initialized) return kNotInitialized;
    if (device != 0) return kInvalidDevice;
    if (context == nullptr) return kInvalidValue;
    *context = &g_context_tag;
    return kSuccess;
}

EMU_EXPORT CUresult cuDevicePrimaryCtxRelease_v2(int device) { return device == 0 ? kSuccess : kInvalidDevice; }

EMU_EXPORT CUresult cuCtxSetCurrent(void* context) {
    return context == nullptr || context == &g_context_tag ? kSuccess : kInvalidHandle;
}

EMU_EXPORT CUresult cuCtxSynchronize() { return kSuccess; }  // launches and copies are synchronous

EMU_EXPORT CUresult cuMemAlloc_v2(CUdeviceptr* pointer, size_t bytes) {
    if (pointer == nullptr || bytes == 0) return fail(kInvalidValue, "cuMemAlloc_v2: 0 bytes");
    size_t rounded = (bytes + kAllocationAlignment - 1) & ~(kAllocationAlignment - 1);
    void* p = std::aligned_alloc(kAllocationAlignment, rounded);
    if (p == nullptr) return fail(kOutOfMemory, "cuMemAlloc_v2: host allocation of " + std::to_string(bytes) + " bytes failed");
    // Device memory starts with arbitrary contents; all-ones bytes are NaN as floats, so reading before writing shows.
    std::memset(p, 0xff, rounded);
    *pointer = reinterpret_cast<CUdeviceptr>(p);
    Allocations& a = allocations();
    std::lock_guard<std::mutex> lock(a.mutex);
    a.sizes[*pointer] = bytes;
    a.live_bytes += bytes;
    return kSuccess;
}

EMU_EXPORT CUresult cuMemFree_v2(CUdeviceptr pointer) {
    Allocations& a = allocations();
    {
        std::lock_guard<std::mutex> lock(a.mutex);
        auto it = a.sizes.find(pointer);
        if (it == a.sizes.end()) return fail(kInvalidValue, "cuMemFree_v2: not a live allocation");
        a.live_bytes -= it->second;
        a.sizes.erase(it);
    }
    std::free(reinterpret_cast<void*>(pointer));
    return kSuccess;
}

EMU_EXPORT CUresult cuMemGetInfo_v2(size_t* free_bytes, size_t* total_bytes) {
    if (free_bytes == nullptr || total_bytes == nullptr) return kInvalidValue;
    size_t total = physical_memory(), live;
    {
        Allocations& a = allocations();
        std::lock_guard<std::mutex> lock(a.mutex);
        live = a.live_bytes;
    }
    *total_bytes = total;
    *free_bytes = total > live ? total - live : 0;
    return kSuccess;
}

EMU_EXPORT CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void* src, size_t bytes) {
    if (CUresult rc = check_range("cuMemcpyHtoD_v2", "destination", dst, bytes)) return rc;
    if (bytes > 0) std::memcpy(reinterpret_cast<void*>(dst), src, bytes);
    return kSuccess;
}

EMU_EXPORT CUresult cuMemcpyDtoH_v2(void* dst, CUdeviceptr src, size_t bytes) {
    if (CUresult rc = check_range("cuMemcpyDtoH_v2", "source", src, bytes)) return rc;
    if (bytes > 0) std::memcpy(dst, reinterpret_cast<const void*>(src), bytes);
    return kSuccess;
}

EMU_EXPORT CUresult cuMemcpyDtoD_v2(CUdeviceptr dst, CUdeviceptr src, size_t bytes) {
    if (CUresult rc = check_range("cuMemcpyDtoD_v2", "destination", dst, bytes)) return rc;
    if (CUresult rc = check_range("cuMemcpyDtoD_v2", "source", src, bytes)) return rc;
    if (bytes > 0) std::memmove(reinterpret_cast<void*>(dst), reinterpret_cast<const void*>(src), bytes);
    return kSuccess;
}

// Asynchronous copies: the emulator has one in-order queue that runs everything at once, so these are the copies.
EMU_EXPORT CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void* src, size_t bytes, void* stream) {
    (void)stream;
    if (CUresult rc = check_range("cuMemcpyHtoDAsync_v2", "destination", dst, bytes)) return rc;
    if (bytes > 0) std::memcpy(reinterpret_cast<void*>(dst), src, bytes);
    return kSuccess;
}

EMU_EXPORT CUresult cuMemcpyDtoHAsync_v2(void* dst, CUdeviceptr src, size_t bytes, void* stream) {
    (void)stream;
    if (CUresult rc = check_range("cuMemcpyDtoHAsync_v2", "source", src, bytes)) return rc;
    if (bytes > 0) std::memcpy(dst, reinterpret_cast<const void*>(src), bytes);
    return kSuccess;
}

namespace {

constexpr CUresult kHostMemoryAlreadyRegistered = 712, kHostMemoryNotRegistered = 713;

// Page-locked host memory: allocations (cuMemHostAlloc) and registered ranges (cuMemHostRegister). Host memory is
// all the emulator's "device" sees anyway, so pinning changes nothing but the bookkeeping, which is kept so that the
// same misuse fails as on a GPU: registering an overlapping range twice, unregistering or freeing an unknown pointer.
struct Pinned {
    std::mutex mutex;
    std::map<uintptr_t, size_t> registered;  // start -> bytes
    std::map<uintptr_t, size_t> allocated;
};

Pinned& pinned() {
    static Pinned* p = new Pinned();
    return *p;
}

bool overlaps(const std::map<uintptr_t, size_t>& ranges, uintptr_t p, size_t n) {
    auto it = ranges.upper_bound(p);
    if (it != ranges.end() && it->first < p + n) return true;
    if (it == ranges.begin()) return false;
    --it;
    return it->first + it->second > p;
}

}  // namespace

EMU_EXPORT CUresult cuMemHostAlloc(void** pointer, size_t bytes, unsigned int flags) {
    (void)flags;
    if (pointer == nullptr || bytes == 0) return fail(kInvalidValue, "cuMemHostAlloc: 0 bytes");
    size_t rounded = (bytes + kAllocationAlignment - 1) & ~(kAllocationAlignment - 1);
    void* p = std::aligned_alloc(kAllocationAlignment, rounded);
    if (p == nullptr) return fail(kOutOfMemory, "cuMemHostAlloc: host allocation of " + std::to_string(bytes) + " bytes failed");
    *pointer = p;
    Pinned& pm = pinned();
    std::lock_guard<std::mutex> lock(pm.mutex);
    pm.allocated[reinterpret_cast<uintptr_t>(p)] = bytes;
    return kSuccess;
}

EMU_EXPORT CUresult cuMemFreeHost(void* pointer) {
    Pinned& pm = pinned();
    {
        std::lock_guard<std::mutex> lock(pm.mutex);
        if (pm.allocated.erase(reinterpret_cast<uintptr_t>(pointer)) == 0) {
            return fail(kInvalidValue, "cuMemFreeHost: not a cuMemHostAlloc allocation");
        }
    }
    std::free(pointer);
    return kSuccess;
}

EMU_EXPORT CUresult cuMemHostRegister_v2(void* pointer, size_t bytes, unsigned int flags) {
    (void)flags;
    if (pointer == nullptr || bytes == 0) return fail(kInvalidValue, "cuMemHostRegister_v2: null pointer or 0 bytes");
    uintptr_t p = reinterpret_cast<uintptr_t>(pointer);
    Pinned& pm = pinned();
    std::lock_guard<std::mutex> lock(pm.mutex);
    if (overlaps(pm.registered, p, bytes)) {
        return fail(kHostMemoryAlreadyRegistered, "cuMemHostRegister_v2: the range overlaps one already registered");
    }
    pm.registered[p] = bytes;
    return kSuccess;
}

EMU_EXPORT CUresult cuMemHostUnregister(void* pointer) {
    Pinned& pm = pinned();
    std::lock_guard<std::mutex> lock(pm.mutex);
    if (pm.registered.erase(reinterpret_cast<uintptr_t>(pointer)) == 0) {
        return fail(kHostMemoryNotRegistered, "cuMemHostUnregister: not the start of a registered range");
    }
    return kSuccess;
}

EMU_EXPORT CUresult cuMemsetD32_v2(CUdeviceptr dst, unsigned int value, size_t count) {
    if (CUresult rc = check_range("cuMemsetD32_v2", "destination", dst, count * 4)) return rc;
    auto* p = reinterpret_cast<unsigned int*>(dst);
    for (size_t i = 0; i < count; i++) p[i] = value;
    return kSuccess;
}

EMU_EXPORT CUresult cuMemsetD8_v2(CUdeviceptr dst, unsigned char value, size_t count) {
    if (CUresult rc = check_range("cuMemsetD8_v2", "destination", dst, count)) return rc;
    if (count > 0) std::memset(reinterpret_cast<void*>(dst), value, count);
    return kSuccess;
}

// Accepts any image (fatbin, cubin or PTX): the emulated module is the registry of every kernel in this library.
EMU_EXPORT CUresult cuModuleLoadData(void** module, const void* image) {
    if (!g_initialized) return kNotInitialized;
    if (module == nullptr || image == nullptr) return kInvalidValue;
    *module = &g_module_tag;
    return kSuccess;
}

EMU_EXPORT CUresult cuModuleUnload(void* module) { return module == &g_module_tag ? kSuccess : kInvalidHandle; }

EMU_EXPORT CUresult cuModuleGetFunction(void** function, void* module, const char* name) {
    if (function == nullptr || name == nullptr) return kInvalidValue;
    if (module != &g_module_tag) return kInvalidHandle;
    emu::KernelEntry* e = emu::find_kernel(name);
    if (e == nullptr) return fail(kNotFound, std::string("cuModuleGetFunction: no kernel named ") + name);
    *function = e;
    return kSuccess;
}

EMU_EXPORT CUresult cuFuncSetAttribute(void* function, int attribute, int value) {
    if (function == nullptr) return kInvalidHandle;
    if (attribute != 8) {  // CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES
        return fail(kInvalidValue, "cuFuncSetAttribute: attribute " + std::to_string(attribute) + " is not emulated");
    }
    return emu::set_max_dynamic_smem(*static_cast<emu::KernelEntry*>(function), value);
}

EMU_EXPORT CUresult cuLaunchKernel(void* function, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx,
                                   unsigned int by, unsigned int bz, unsigned int shared_bytes, void* stream,
                                   void** params, void** extra) {
    (void)stream;  // one in-order queue: every launch completes before it returns
    if (function == nullptr) return kInvalidHandle;
    if (extra != nullptr) return fail(kInvalidValue, "cuLaunchKernel: the 'extra' argument form is not emulated");
    auto* e = static_cast<emu::KernelEntry*>(function);
    return e->launch(*e, uint3{gx, gy, gz}, uint3{bx, by, bz}, shared_bytes, params);
}

EMU_EXPORT CUresult cuStreamCreate(void** stream, unsigned int flags) {
    (void)flags;
    if (stream == nullptr) return kInvalidValue;
    *stream = new int(0);
    return kSuccess;
}

EMU_EXPORT CUresult cuStreamDestroy_v2(void* stream) {
    delete static_cast<int*>(stream);
    return kSuccess;
}

EMU_EXPORT CUresult cuStreamSynchronize(void* stream) {
    (void)stream;
    return kSuccess;
}

EMU_EXPORT CUresult cuEventCreate(void** event, unsigned int flags) {
    (void)flags;
    if (event == nullptr) return kInvalidValue;
    *event = new Event();
    return kSuccess;
}

EMU_EXPORT CUresult cuEventRecord(void* event, void* stream) {
    (void)stream;
    if (event == nullptr) return kInvalidHandle;
    static_cast<Event*>(event)->at = std::chrono::steady_clock::now();
    return kSuccess;
}

EMU_EXPORT CUresult cuEventSynchronize(void* event) { return event == nullptr ? kInvalidHandle : kSuccess; }

EMU_EXPORT CUresult cuEventElapsedTime_v2(float* milliseconds, void* start, void* end) {
    if (milliseconds == nullptr) return kInvalidValue;
    if (start == nullptr || end == nullptr) return kInvalidHandle;
    auto d = static_cast<Event*>(end)->at - static_cast<Event*>(start)->at;
    *milliseconds = std::chrono::duration<float, std::milli>(d).count();
    return kSuccess;
}

EMU_EXPORT CUresult cuEventDestroy_v2(void* event) {
    delete static_cast<Event*>(event);
    return kSuccess;
}

namespace {
struct ErrorText {
    int code;
    const char* name;
    const char* text;
};
constexpr ErrorText kErrors[] = {
    {0, "CUDA_SUCCESS", "no error"},
    {1, "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {2, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {3, "CUDA_ERROR_NOT_INITIALIZED", "initialization error"},
    {100, "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"},
    {101, "CUDA_ERROR_INVALID_DEVICE", "invalid device ordinal"},
    {200, "CUDA_ERROR_INVALID_IMAGE", "device kernel image is invalid"},
    {201, "CUDA_ERROR_INVALID_CONTEXT", "invalid device context"},
    {400, "CUDA_ERROR_INVALID_HANDLE", "invalid resource handle"},
    {500, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
    {719, "CUDA_ERROR_LAUNCH_FAILED", "unspecified launch failure"},
};
}  // namespace

EMU_EXPORT CUresult cuGetErrorName(int error, const char** name) {
    if (name == nullptr) return kInvalidValue;
    for (const ErrorText& e : kErrors) {
        if (e.code == error) {
            *name = e.name;
            return kSuccess;
        }
    }
    *name = nullptr;
    return kInvalidValue;
}

EMU_EXPORT CUresult cuGetErrorString(int error, const char** text) {
    if (text == nullptr) return kInvalidValue;
    for (const ErrorText& e : kErrors) {
        if (e.code == error) {
            *text = e.text;
            return kSuccess;
        }
    }
    *text = nullptr;
    return kInvalidValue;
}

// ---- emulator extras (not in the driver API) ----

// The detail of the calling thread's last failure (deadlock, bad launch configuration, unknown kernel); "" if none.
EMU_EXPORT const char* emu_last_error() { return emu::last_error().c_str(); }

// threads <= 0 and reverse < 0 keep the current value; takes effect at the next launch.
EMU_EXPORT void emu_configure(int threads, int reverse) { emu::configure(threads, reverse); }

EMU_EXPORT int emu_kernel_count() { return static_cast<int>(emu::registry().size()); }

EMU_EXPORT const char* emu_kernel_name(int i) {
    auto& r = emu::registry();
    return i >= 0 && i < static_cast<int>(r.size()) ? r[static_cast<size_t>(i)]->name : nullptr;
}

EMU_EXPORT const char* emu_kernel_signature(int i) {
    auto& r = emu::registry();
    return i >= 0 && i < static_cast<int>(r.size()) ? r[static_cast<size_t>(i)]->signature : nullptr;
}
