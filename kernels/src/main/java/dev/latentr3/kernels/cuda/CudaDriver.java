package dev.latentr3.kernels.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * FFM bindings for the part of the CUDA driver API that LatentR3 calls, mirroring {@code cuda.h} of CUDA 13.0
 * ({@code CUDA_VERSION 13000}), hand-written in jextract's layout: C type aliases, then per function a nested holder
 * class with its {@code DESC} (return layout first) and {@code HANDLE}, and a static-looking method with the C name
 * that calls {@code HANDLE.invokeExact}. Names are the exported ones, which for several functions are the versioned
 * {@code _v2} symbols that cuda.h's macros select (FFM looks up raw names).
 *
 * <p>One difference from jextract: the library is chosen at run time (the NVIDIA driver's {@code libcuda.so.1}, or our
 * emulator {@code libcudaemu.so}, which exports the same names and signatures), so the handles are address-less
 * (shared by both libraries) and each instance holds its library's {@code ADDR} per function, all resolved when the
 * library is loaded: a driver that lacks one is reported then, not at the first call.
 *
 * <p>Every call returns the CUresult as an int; {@link #check} turns a nonzero one into a {@link CudaException}.
 * Handles (CUcontext, CUmodule, CUfunction, CUstream, CUevent) are pointers; CUdeviceptr is a 64-bit integer.
 */
public final class CudaDriver {

    public static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    public static final ValueLayout.OfLong C_LONG_LONG = ValueLayout.JAVA_LONG;
    /** size_t on the 64-bit platforms CUDA supports. */
    public static final ValueLayout.OfLong C_SIZE_T = ValueLayout.JAVA_LONG;
    public static final ValueLayout.OfByte C_CHAR = ValueLayout.JAVA_BYTE;
    public static final ValueLayout C_POINTER = ValueLayout.ADDRESS;
    /** CUdeviceptr (unsigned long long). */
    public static final ValueLayout.OfLong CU_DEVICEPTR = ValueLayout.JAVA_LONG;

    /** CUdevice_attribute numbers (cuda.h). */
    public static final int CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16;
    public static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
    public static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
    /** CU_MEMHOSTALLOC_PORTABLE / CU_MEMHOSTREGISTER_PORTABLE: pinned for every context, not only the current one. */
    public static final int CU_MEMHOST_PORTABLE = 1;
    /** CU_EVENT_DISABLE_TIMING: an event used only for ordering is cheaper without a timestamp. */
    public static final int CU_EVENT_DISABLE_TIMING = 2;
    /** CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED and CUDA_ERROR_HOST_MEMORY_NOT_REGISTERED. */
    public static final int CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED = 712, CUDA_ERROR_HOST_MEMORY_NOT_REGISTERED = 713;
    /** CUfunction_attribute CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES. */
    public static final int CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8;

    private static final Linker LINKER = Linker.nativeLinker();

    private final String libraryName;
    private final boolean emulated;
    private final SymbolLookup lookup;

    private final MemorySegment cuInit$address, cuDriverGetVersion$address, cuDeviceGetCount$address,
            cuDeviceGet$address, cuDeviceGetName$address, cuDeviceGetAttribute$address, cuDeviceTotalMem_v2$address,
            cuDevicePrimaryCtxRetain$address, cuDevicePrimaryCtxRelease_v2$address, cuCtxSetCurrent$address,
            cuCtxSynchronize$address, cuMemAlloc_v2$address, cuMemFree_v2$address, cuMemGetInfo_v2$address,
            cuMemcpyHtoD_v2$address, cuMemcpyDtoH_v2$address, cuMemcpyDtoD_v2$address, cuMemsetD32_v2$address,
            cuMemsetD8_v2$address, cuModuleLoadData$address, cuModuleUnload$address, cuModuleGetFunction$address,
            cuFuncSetAttribute$address, cuLaunchKernel$address, cuStreamCreate$address, cuStreamDestroy_v2$address,
            cuStreamSynchronize$address, cuEventCreate$address, cuEventRecord$address, cuEventSynchronize$address,
            cuEventElapsedTime_v2$address, cuEventDestroy_v2$address, cuGetErrorName$address,
            cuGetErrorString$address, cuMemHostAlloc$address, cuMemFreeHost$address, cuMemHostRegister_v2$address,
            cuMemHostUnregister$address, cuMemcpyHtoDAsync_v2$address, cuMemcpyDtoHAsync_v2$address;

    /** The emulator's extras (absent from libcuda.so.1). */
    private final MemorySegment emu_last_error$address, emu_configure$address, emu_kernel_count$address,
            emu_kernel_name$address, emu_kernel_signature$address;

    private CudaDriver(String libraryName, SymbolLookup lookup) {
        this.libraryName = libraryName;
        this.lookup = lookup;
        List<String> missing = new ArrayList<>();
        cuInit$address = find("cuInit", missing);
        cuDriverGetVersion$address = find("cuDriverGetVersion", missing);
        cuDeviceGetCount$address = find("cuDeviceGetCount", missing);
        cuDeviceGet$address = find("cuDeviceGet", missing);
        cuDeviceGetName$address = find("cuDeviceGetName", missing);
        cuDeviceGetAttribute$address = find("cuDeviceGetAttribute", missing);
        cuDeviceTotalMem_v2$address = find("cuDeviceTotalMem_v2", missing);
        cuDevicePrimaryCtxRetain$address = find("cuDevicePrimaryCtxRetain", missing);
        cuDevicePrimaryCtxRelease_v2$address = find("cuDevicePrimaryCtxRelease_v2", missing);
        cuCtxSetCurrent$address = find("cuCtxSetCurrent", missing);
        cuCtxSynchronize$address = find("cuCtxSynchronize", missing);
        cuMemAlloc_v2$address = find("cuMemAlloc_v2", missing);
        cuMemFree_v2$address = find("cuMemFree_v2", missing);
        cuMemGetInfo_v2$address = find("cuMemGetInfo_v2", missing);
        cuMemcpyHtoD_v2$address = find("cuMemcpyHtoD_v2", missing);
        cuMemcpyDtoH_v2$address = find("cuMemcpyDtoH_v2", missing);
        cuMemcpyDtoD_v2$address = find("cuMemcpyDtoD_v2", missing);
        cuMemsetD32_v2$address = find("cuMemsetD32_v2", missing);
        cuMemsetD8_v2$address = find("cuMemsetD8_v2", missing);
        cuModuleLoadData$address = find("cuModuleLoadData", missing);
        cuModuleUnload$address = find("cuModuleUnload", missing);
        cuModuleGetFunction$address = find("cuModuleGetFunction", missing);
        cuFuncSetAttribute$address = find("cuFuncSetAttribute", missing);
        cuLaunchKernel$address = find("cuLaunchKernel", missing);
        cuStreamCreate$address = find("cuStreamCreate", missing);
        cuStreamDestroy_v2$address = find("cuStreamDestroy_v2", missing);
        cuStreamSynchronize$address = find("cuStreamSynchronize", missing);
        cuEventCreate$address = find("cuEventCreate", missing);
        cuEventRecord$address = find("cuEventRecord", missing);
        cuEventSynchronize$address = find("cuEventSynchronize", missing);
        cuEventElapsedTime_v2$address = find("cuEventElapsedTime_v2", missing);
        cuEventDestroy_v2$address = find("cuEventDestroy_v2", missing);
        cuGetErrorName$address = find("cuGetErrorName", missing);
        cuGetErrorString$address = find("cuGetErrorString", missing);
        cuMemHostAlloc$address = find("cuMemHostAlloc", missing);
        cuMemFreeHost$address = find("cuMemFreeHost", missing);
        cuMemHostRegister_v2$address = find("cuMemHostRegister_v2", missing);
        cuMemHostUnregister$address = find("cuMemHostUnregister", missing);
        cuMemcpyHtoDAsync_v2$address = find("cuMemcpyHtoDAsync_v2", missing);
        cuMemcpyDtoHAsync_v2$address = find("cuMemcpyDtoHAsync_v2", missing);
        if (!missing.isEmpty()) {
            throw new UnsatisfiedLinkError(libraryName + " lacks " + String.join(", ", missing)
                    + " (a CUDA driver older than 13.0?)");
        }
        emu_last_error$address = lookup.find("emu_last_error").orElse(null);
        emu_configure$address = lookup.find("emu_configure").orElse(null);
        emu_kernel_count$address = lookup.find("emu_kernel_count").orElse(null);
        emu_kernel_name$address = lookup.find("emu_kernel_name").orElse(null);
        emu_kernel_signature$address = lookup.find("emu_kernel_signature").orElse(null);
        emulated = emu_last_error$address != null && emu_kernel_count$address != null;
    }

    private MemorySegment find(String symbol, List<String> missing) {
        Optional<MemorySegment> s = lookup.find(symbol);
        if (s.isEmpty()) missing.add(symbol);
        return s.orElse(MemorySegment.NULL);
    }

    /**
     * Loads a driver library by name (resolved by the system's loader, e.g. {@code libcuda.so.1}) or by path.
     *
     * @throws IllegalArgumentException when the library cannot be opened
     * @throws UnsatisfiedLinkError when it lacks a function this class binds
     */
    public static CudaDriver load(String nameOrPath) {
        SymbolLookup lookup = nameOrPath.contains("/")
                ? SymbolLookup.libraryLookup(Path.of(nameOrPath), Arena.global())
                : SymbolLookup.libraryLookup(nameOrPath, Arena.global());
        return new CudaDriver(nameOrPath, lookup);
    }

    /** The library this instance calls. */
    public String libraryName() {
        return libraryName;
    }

    /** Whether this is the CPU emulator rather than NVIDIA's driver. */
    public boolean emulated() {
        return emulated;
    }

    /** Throws a {@link CudaException} naming {@code call} when {@code result} is not CUDA_SUCCESS. */
    public void check(int result, String call) {
        if (result == 0) return;
        String detail = errorString(result);
        if (emulated) {
            String emu = emuLastError();
            if (!emu.isEmpty()) detail = detail.isEmpty() ? emu : detail + "; " + emu;
        }
        throw new CudaException(call, result, errorName(result), detail);
    }

    /** The CUresult's name, e.g. CUDA_ERROR_NO_DEVICE, or "CUresult N" when the driver does not know it. */
    public String errorName(int result) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_POINTER);
            if (cuGetErrorName(result, out) != 0) return "CUresult " + result;
            return cString(out.get(ValueLayout.ADDRESS, 0));
        }
    }

    /** The driver's description of a CUresult, or "" when it has none. */
    public String errorString(int result) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_POINTER);
            if (cuGetErrorString(result, out) != 0) return "";
            return cString(out.get(ValueLayout.ADDRESS, 0));
        }
    }

    static String cString(MemorySegment pointer) {
        if (pointer.equals(MemorySegment.NULL)) return "";
        return pointer.reinterpret(Long.MAX_VALUE).getString(0);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Functions, in cuda.h's order of sections: initialisation, version, device, primary context, context, module,
    // memory, execution, stream, event, error handling.

    private static MethodHandle handle(FunctionDescriptor desc) {
        return LINKER.downcallHandle(desc);
    }

    private static AssertionError unexpected(Throwable t) {
        return new AssertionError("should not reach here", t);
    }

    private static final class cuInit {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_INT);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuInit(unsigned int Flags)} */
    public int cuInit(int flags) {
        try {
            return (int) cuInit.HANDLE.invokeExact(cuInit$address, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuDriverGetVersion {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuDriverGetVersion(int *driverVersion)} */
    public int cuDriverGetVersion(MemorySegment driverVersion) {
        try {
            return (int) cuDriverGetVersion.HANDLE.invokeExact(cuDriverGetVersion$address, driverVersion);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuDeviceGetCount {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuDeviceGetCount(int *count)} */
    public int cuDeviceGetCount(MemorySegment count) {
        try {
            return (int) cuDeviceGetCount.HANDLE.invokeExact(cuDeviceGetCount$address, count);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuDeviceGet {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuDeviceGet(CUdevice *device, int ordinal)} */
    public int cuDeviceGet(MemorySegment device, int ordinal) {
        try {
            return (int) cuDeviceGet.HANDLE.invokeExact(cuDeviceGet$address, device, ordinal);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuDeviceGetName {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuDeviceGetName(char *name, int len, CUdevice dev)} */
    public int cuDeviceGetName(MemorySegment name, int len, int dev) {
        try {
            return (int) cuDeviceGetName.HANDLE.invokeExact(cuDeviceGetName$address, name, len, dev);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuDeviceGetAttribute {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuDeviceGetAttribute(int *pi, CUdevice_attribute attrib, CUdevice dev)} */
    public int cuDeviceGetAttribute(MemorySegment pi, int attrib, int dev) {
        try {
            return (int) cuDeviceGetAttribute.HANDLE.invokeExact(cuDeviceGetAttribute$address, pi, attrib, dev);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuDeviceTotalMem_v2 {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice dev)} */
    public int cuDeviceTotalMem_v2(MemorySegment bytes, int dev) {
        try {
            return (int) cuDeviceTotalMem_v2.HANDLE.invokeExact(cuDeviceTotalMem_v2$address, bytes, dev);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuDevicePrimaryCtxRetain {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuDevicePrimaryCtxRetain(CUcontext *pctx, CUdevice dev)} */
    public int cuDevicePrimaryCtxRetain(MemorySegment pctx, int dev) {
        try {
            return (int) cuDevicePrimaryCtxRetain.HANDLE.invokeExact(cuDevicePrimaryCtxRetain$address, pctx, dev);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuDevicePrimaryCtxRelease_v2 {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_INT);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuDevicePrimaryCtxRelease_v2(CUdevice dev)} */
    public int cuDevicePrimaryCtxRelease_v2(int dev) {
        try {
            return (int) cuDevicePrimaryCtxRelease_v2.HANDLE.invokeExact(cuDevicePrimaryCtxRelease_v2$address, dev);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuCtxSetCurrent {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuCtxSetCurrent(CUcontext ctx)} */
    public int cuCtxSetCurrent(MemorySegment ctx) {
        try {
            return (int) cuCtxSetCurrent.HANDLE.invokeExact(cuCtxSetCurrent$address, ctx);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuCtxSynchronize {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuCtxSynchronize(void)} */
    public int cuCtxSynchronize() {
        try {
            return (int) cuCtxSynchronize.HANDLE.invokeExact(cuCtxSynchronize$address);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuModuleLoadData {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuModuleLoadData(CUmodule *module, const void *image)}: a fatbin, cubin or NUL-terminated PTX. */
    public int cuModuleLoadData(MemorySegment module, MemorySegment image) {
        try {
            return (int) cuModuleLoadData.HANDLE.invokeExact(cuModuleLoadData$address, module, image);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuModuleUnload {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuModuleUnload(CUmodule hmod)} */
    public int cuModuleUnload(MemorySegment hmod) {
        try {
            return (int) cuModuleUnload.HANDLE.invokeExact(cuModuleUnload$address, hmod);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuModuleGetFunction {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuModuleGetFunction(CUfunction *hfunc, CUmodule hmod, const char *name)} */
    public int cuModuleGetFunction(MemorySegment hfunc, MemorySegment hmod, MemorySegment name) {
        try {
            return (int) cuModuleGetFunction.HANDLE.invokeExact(cuModuleGetFunction$address, hfunc, hmod, name);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuMemGetInfo_v2 {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuMemGetInfo_v2(size_t *free, size_t *total)} */
    public int cuMemGetInfo_v2(MemorySegment free, MemorySegment total) {
        try {
            return (int) cuMemGetInfo_v2.HANDLE.invokeExact(cuMemGetInfo_v2$address, free, total);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuMemAlloc_v2 {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_SIZE_T);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuMemAlloc_v2(CUdeviceptr *dptr, size_t bytesize)} */
    public int cuMemAlloc_v2(MemorySegment dptr, long bytesize) {
        try {
            return (int) cuMemAlloc_v2.HANDLE.invokeExact(cuMemAlloc_v2$address, dptr, bytesize);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuMemFree_v2 {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, CU_DEVICEPTR);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuMemFree_v2(CUdeviceptr dptr)} */
    public int cuMemFree_v2(long dptr) {
        try {
            return (int) cuMemFree_v2.HANDLE.invokeExact(cuMemFree_v2$address, dptr);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuMemcpyHtoD_v2 {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, CU_DEVICEPTR, C_POINTER, C_SIZE_T);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuMemcpyHtoD_v2(CUdeviceptr dstDevice, const void *srcHost, size_t ByteCount)} */
    public int cuMemcpyHtoD_v2(long dstDevice, MemorySegment srcHost, long byteCount) {
        try {
            return (int) cuMemcpyHtoD_v2.HANDLE.invokeExact(cuMemcpyHtoD_v2$address, dstDevice, srcHost, byteCount);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuMemcpyDtoH_v2 {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, CU_DEVICEPTR, C_SIZE_T);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuMemcpyDtoH_v2(void *dstHost, CUdeviceptr srcDevice, size_t ByteCount)} */
    public int cuMemcpyDtoH_v2(MemorySegment dstHost, long srcDevice, long byteCount) {
        try {
            return (int) cuMemcpyDtoH_v2.HANDLE.invokeExact(cuMemcpyDtoH_v2$address, dstHost, srcDevice, byteCount);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuMemcpyDtoD_v2 {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, CU_DEVICEPTR, CU_DEVICEPTR, C_SIZE_T);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuMemcpyDtoD_v2(CUdeviceptr dstDevice, CUdeviceptr srcDevice, size_t ByteCount)} */
    public int cuMemcpyDtoD_v2(long dstDevice, long srcDevice, long byteCount) {
        try {
            return (int) cuMemcpyDtoD_v2.HANDLE.invokeExact(cuMemcpyDtoD_v2$address, dstDevice, srcDevice, byteCount);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuMemcpyHtoDAsync_v2 {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, CU_DEVICEPTR, C_POINTER, C_SIZE_T, C_POINTER);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /**
     * {@code CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dstDevice, const void *srcHost, size_t ByteCount, CUstream hStream)}
     */
    public int cuMemcpyHtoDAsync_v2(long dstDevice, MemorySegment srcHost, long byteCount, MemorySegment hStream) {
        try {
            return (int) cuMemcpyHtoDAsync_v2.HANDLE.invokeExact(cuMemcpyHtoDAsync_v2$address, dstDevice, srcHost, byteCount, hStream);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuMemcpyDtoHAsync_v2 {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, CU_DEVICEPTR, C_SIZE_T, C_POINTER);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuMemcpyDtoHAsync_v2(void *dstHost, CUdeviceptr srcDevice, size_t ByteCount, CUstream hStream)} */
    public int cuMemcpyDtoHAsync_v2(MemorySegment dstHost, long srcDevice, long byteCount, MemorySegment hStream) {
        try {
            return (int) cuMemcpyDtoHAsync_v2.HANDLE.invokeExact(cuMemcpyDtoHAsync_v2$address, dstHost, srcDevice, byteCount, hStream);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuMemHostAlloc {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_SIZE_T, C_INT);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuMemHostAlloc(void **pp, size_t bytesize, unsigned int Flags)} */
    public int cuMemHostAlloc(MemorySegment pp, long bytesize, int flags) {
        try {
            return (int) cuMemHostAlloc.HANDLE.invokeExact(cuMemHostAlloc$address, pp, bytesize, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuMemFreeHost {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuMemFreeHost(void *p)} */
    public int cuMemFreeHost(MemorySegment p) {
        try {
            return (int) cuMemFreeHost.HANDLE.invokeExact(cuMemFreeHost$address, p);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuMemHostRegister_v2 {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_SIZE_T, C_INT);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuMemHostRegister_v2(void *p, size_t bytesize, unsigned int Flags)} */
    public int cuMemHostRegister_v2(MemorySegment p, long bytesize, int flags) {
        try {
            return (int) cuMemHostRegister_v2.HANDLE.invokeExact(cuMemHostRegister_v2$address, p, bytesize, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuMemHostUnregister {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuMemHostUnregister(void *p)} */
    public int cuMemHostUnregister(MemorySegment p) {
        try {
            return (int) cuMemHostUnregister.HANDLE.invokeExact(cuMemHostUnregister$address, p);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuMemsetD32_v2 {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, CU_DEVICEPTR, C_INT, C_SIZE_T);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuMemsetD32_v2(CUdeviceptr dstDevice, unsigned int ui, size_t N)} */
    public int cuMemsetD32_v2(long dstDevice, int ui, long n) {
        try {
            return (int) cuMemsetD32_v2.HANDLE.invokeExact(cuMemsetD32_v2$address, dstDevice, ui, n);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuMemsetD8_v2 {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, CU_DEVICEPTR, C_CHAR, C_SIZE_T);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuMemsetD8_v2(CUdeviceptr dstDevice, unsigned char uc, size_t N)} */
    public int cuMemsetD8_v2(long dstDevice, byte uc, long n) {
        try {
            return (int) cuMemsetD8_v2.HANDLE.invokeExact(cuMemsetD8_v2$address, dstDevice, uc, n);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuFuncSetAttribute {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuFuncSetAttribute(CUfunction hfunc, CUfunction_attribute attrib, int value)} */
    public int cuFuncSetAttribute(MemorySegment hfunc, int attrib, int value) {
        try {
            return (int) cuFuncSetAttribute.HANDLE.invokeExact(cuFuncSetAttribute$address, hfunc, attrib, value);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuLaunchKernel {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_INT, C_INT,
                C_INT, C_INT, C_INT, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /**
     * {@code CUresult cuLaunchKernel(CUfunction f, unsigned int gridDimX, unsigned int gridDimY, unsigned int gridDimZ,
     * unsigned int blockDimX, unsigned int blockDimY, unsigned int blockDimZ, unsigned int sharedMemBytes,
     * CUstream hStream, void **kernelParams, void **extra)}
     */
    public int cuLaunchKernel(MemorySegment f, int gridDimX, int gridDimY, int gridDimZ, int blockDimX, int blockDimY,
                              int blockDimZ, int sharedMemBytes, MemorySegment hStream, MemorySegment kernelParams,
                              MemorySegment extra) {
        try {
            return (int) cuLaunchKernel.HANDLE.invokeExact(cuLaunchKernel$address, f, gridDimX, gridDimY, gridDimZ,
                    blockDimX, blockDimY, blockDimZ, sharedMemBytes, hStream, kernelParams, extra);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuStreamCreate {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuStreamCreate(CUstream *phStream, unsigned int Flags)} */
    public int cuStreamCreate(MemorySegment phStream, int flags) {
        try {
            return (int) cuStreamCreate.HANDLE.invokeExact(cuStreamCreate$address, phStream, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuStreamDestroy_v2 {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuStreamDestroy_v2(CUstream hStream)} */
    public int cuStreamDestroy_v2(MemorySegment hStream) {
        try {
            return (int) cuStreamDestroy_v2.HANDLE.invokeExact(cuStreamDestroy_v2$address, hStream);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuStreamSynchronize {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuStreamSynchronize(CUstream hStream)} */
    public int cuStreamSynchronize(MemorySegment hStream) {
        try {
            return (int) cuStreamSynchronize.HANDLE.invokeExact(cuStreamSynchronize$address, hStream);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuEventCreate {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuEventCreate(CUevent *phEvent, unsigned int Flags)} */
    public int cuEventCreate(MemorySegment phEvent, int flags) {
        try {
            return (int) cuEventCreate.HANDLE.invokeExact(cuEventCreate$address, phEvent, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuEventRecord {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuEventRecord(CUevent hEvent, CUstream hStream)} */
    public int cuEventRecord(MemorySegment hEvent, MemorySegment hStream) {
        try {
            return (int) cuEventRecord.HANDLE.invokeExact(cuEventRecord$address, hEvent, hStream);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuEventSynchronize {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuEventSynchronize(CUevent hEvent)} */
    public int cuEventSynchronize(MemorySegment hEvent) {
        try {
            return (int) cuEventSynchronize.HANDLE.invokeExact(cuEventSynchronize$address, hEvent);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuEventElapsedTime_v2 {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuEventElapsedTime_v2(float *pMilliseconds, CUevent hStart, CUevent hEnd)} */
    public int cuEventElapsedTime_v2(MemorySegment pMilliseconds, MemorySegment hStart, MemorySegment hEnd) {
        try {
            return (int) cuEventElapsedTime_v2.HANDLE.invokeExact(cuEventElapsedTime_v2$address, pMilliseconds, hStart, hEnd);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuEventDestroy_v2 {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuEventDestroy_v2(CUevent hEvent)} */
    public int cuEventDestroy_v2(MemorySegment hEvent) {
        try {
            return (int) cuEventDestroy_v2.HANDLE.invokeExact(cuEventDestroy_v2$address, hEvent);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuGetErrorName {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuGetErrorName(CUresult error, const char **pStr)} */
    public int cuGetErrorName(int error, MemorySegment pStr) {
        try {
            return (int) cuGetErrorName.HANDLE.invokeExact(cuGetErrorName$address, error, pStr);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class cuGetErrorString {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** {@code CUresult cuGetErrorString(CUresult error, const char **pStr)} */
    public int cuGetErrorString(int error, MemorySegment pStr) {
        try {
            return (int) cuGetErrorString.HANDLE.invokeExact(cuGetErrorString$address, error, pStr);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The emulator's extras (native/emu/emu_driver.cpp); calling one on NVIDIA's driver is a programming error.

    private void requireEmulator(String function) {
        if (!emulated) throw new IllegalStateException(function + " exists only in the CUDA emulator, not in " + libraryName);
    }

    private static final class emu_last_error {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** The detail of the calling thread's last emulator failure, or "". */
    public String emuLastError() {
        requireEmulator("emu_last_error");
        try {
            return cString((MemorySegment) emu_last_error.HANDLE.invokeExact(emu_last_error$address));
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class emu_configure {
        static final FunctionDescriptor DESC = FunctionDescriptor.ofVoid(C_INT, C_INT);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /**
     * Sets the OS threads that run blocks ({@code threads <= 0} keeps the current number) and whether a block's threads
     * run last to first ({@code reverse < 0} keeps it), which exposes a missing barrier.
     */
    public void emuConfigure(int threads, int reverse) {
        requireEmulator("emu_configure");
        try {
            emu_configure.HANDLE.invokeExact(emu_configure$address, threads, reverse);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static final class emu_kernel_count {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT);
        static final MethodHandle HANDLE = handle(DESC);
    }

    private static final class emu_kernel_string {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER, C_INT);
        static final MethodHandle HANDLE = handle(DESC);
    }

    /** A kernel compiled into the emulator: its name and parameter signature (one char per parameter). */
    public record EmulatedKernel(String name, String signature) {}

    /** Every kernel in the emulator's registry. */
    public List<EmulatedKernel> emuKernels() {
        requireEmulator("emu_kernel_count");
        try {
            int n = (int) emu_kernel_count.HANDLE.invokeExact(emu_kernel_count$address);
            List<EmulatedKernel> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String name = cString((MemorySegment) emu_kernel_string.HANDLE.invokeExact(emu_kernel_name$address, i));
                String sig = cString((MemorySegment) emu_kernel_string.HANDLE.invokeExact(emu_kernel_signature$address, i));
                out.add(new EmulatedKernel(name, sig));
            }
            return out;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }
}
