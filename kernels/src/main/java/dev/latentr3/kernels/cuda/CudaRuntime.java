package dev.latentr3.kernels.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * One CUDA device, through either NVIDIA's driver ({@code libcuda.so.1}) or our CPU emulator ({@code libcudaemu.so},
 * the same kernel sources built by g++): the primary context, the kernel modules, launches, copies and a caching
 * allocator. Both kinds run through the same {@link CudaDriver} calls; only the library and the module image differ
 * (the fatbins in this jar, or the emulator's registry).
 *
 * <p>{@link #device()} and {@link #emulator()} connect once per JVM and say why not when they cannot, in one line: no
 * driver library, no device, a driver older than the kernels need, a build without GPU kernels, or a missing
 * emulation library. Connecting never throws and is fast (a failed library lookup takes microseconds).
 *
 * <p>Launches use the default stream: on a GPU they are asynchronous and a copy to the host waits for them; in the
 * emulator they complete before returning.
 */
public final class CudaRuntime {

    /** nvcc 13.0 builds the fatbins: drivers older than CUDA 13.0 cannot load their SASS or PTX. */
    public static final int MIN_DRIVER_VERSION = 13000;
    /** The driver library to open instead of libcuda.so.1 (a name or a path). */
    public static final String DRIVER_PROPERTY = "latentr3.cuda.driver";
    /** Path of the emulation library; when unset, kernels/target/native/libcudaemu.so is looked for. */
    public static final String EMULATOR_PROPERTY = "latentr3.cuda.emulator";
    /** Device ordinal to use (default 0). */
    public static final String DEVICE_PROPERTY = "latentr3.cuda.device";

    static final String KERNEL_LIST = "kernels.list";

    public enum Kind { DEVICE, EMULATOR }

    /** A connected runtime, or the one-line reason there is none (and the failure behind it, when there was one). */
    public record Availability(CudaRuntime runtime, String reason, Throwable failure) {
        public boolean available() {
            return runtime != null;
        }

        /** The runtime, or an IllegalStateException carrying the reason. */
        public CudaRuntime orThrow() {
            if (runtime == null) throw new IllegalStateException("CUDA unavailable: " + reason, failure);
            return runtime;
        }

        static Availability unavailable(String reason) {
            return new Availability(null, reason, null);
        }
    }

    private static final class DeviceHolder {
        static final Availability AVAILABILITY = connect(Kind.DEVICE);
    }

    private static final class EmulatorHolder {
        static final Availability AVAILABILITY = connect(Kind.EMULATOR);
    }

    /** NVIDIA's driver and a real GPU. */
    public static Availability device() {
        return DeviceHolder.AVAILABILITY;
    }

    /** The CPU emulator running the same kernel sources. */
    public static Availability emulator() {
        return EmulatorHolder.AVAILABILITY;
    }

    private final CudaDriver driver;
    private final Kind kind;
    private final int ordinal;
    private final int driverVersion;
    private final MemorySegment context;
    private final List<MemorySegment> modules = new ArrayList<>();
    private final List<String> moduleNames = new ArrayList<>();
    private final Map<String, MemorySegment> functions = new ConcurrentHashMap<>();
    private final Map<String, String> emulatedSignatures = new HashMap<>();
    private final String deviceName;
    private final int computeMajor, computeMinor, multiprocessors;
    private final long totalMemory;
    private final DeviceAllocator allocator = new DeviceAllocator(this);
    private final PinnedHost pinned = new PinnedHost(this);
    /** Calls that made the host wait for the device: see {@link #hostWaits()}. */
    private final LongAdder hostWaits = new LongAdder();
    // The current context is per OS thread: every thread that calls the driver must set it once.
    private final ThreadLocal<Boolean> current = ThreadLocal.withInitial(() -> false);

    private CudaRuntime(CudaDriver driver, Kind kind, int ordinal, int driverVersion) {
        this.driver = driver;
        this.kind = kind;
        this.ordinal = ordinal;
        this.driverVersion = driverVersion;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            driver.check(driver.cuDevicePrimaryCtxRetain(out, ordinal), "cuDevicePrimaryCtxRetain");
            context = out.get(ValueLayout.ADDRESS, 0);
            makeCurrent();
            MemorySegment name = arena.allocate(256);
            driver.check(driver.cuDeviceGetName(name, 256, ordinal), "cuDeviceGetName");
            deviceName = name.getString(0);
            computeMajor = attribute(arena, CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
            computeMinor = attribute(arena, CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
            multiprocessors = attribute(arena, CudaDriver.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
            MemorySegment total = arena.allocate(ValueLayout.JAVA_LONG);
            driver.check(driver.cuDeviceTotalMem_v2(total, ordinal), "cuDeviceTotalMem_v2");
            totalMemory = total.get(ValueLayout.JAVA_LONG, 0);
        }
        if (kind == Kind.EMULATOR) {
            // The emulator accepts any image: its one module is the registry compiled into the library.
            loadModule("emulator registry", Arena.global().allocateFrom("emulated"));
            for (CudaDriver.EmulatedKernel k : driver.emuKernels()) emulatedSignatures.put(k.name(), k.signature());
        } else {
            for (String fatbin : kernelList()) loadModule(fatbin, resource(fatbin));
        }
    }

    private int attribute(Arena arena, int attribute) {
        MemorySegment out = arena.allocate(ValueLayout.JAVA_INT);
        driver.check(driver.cuDeviceGetAttribute(out, attribute, ordinal), "cuDeviceGetAttribute(" + attribute + ")");
        return out.get(ValueLayout.JAVA_INT, 0);
    }

    private void loadModule(String name, MemorySegment image) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            driver.check(driver.cuModuleLoadData(out, image), "cuModuleLoadData(" + name + ")");
            modules.add(out.get(ValueLayout.ADDRESS, 0));
            moduleNames.add(name);
        }
    }

    private static Availability connect(Kind kind) {
        String library;
        if (kind == Kind.EMULATOR) {
            Path path = emulatorLibrary();
            if (path == null) {
                return Availability.unavailable("the CUDA emulation library is not built (no " + EMULATOR_PROPERTY
                        + " and no kernels/target/native/libcudaemu.so; native/build.sh needs g++)");
            }
            library = path.toString();
        } else {
            library = System.getProperty(DRIVER_PROPERTY, "libcuda.so.1");
        }
        CudaDriver driver;
        try {
            driver = CudaDriver.load(library);
        } catch (IllegalArgumentException e) {
            return Availability.unavailable("no CUDA driver library: " + library + " cannot be opened");
        } catch (UnsatisfiedLinkError e) {
            return Availability.unavailable("driver too old: " + e.getMessage());
        }
        try (Arena arena = Arena.ofConfined()) {
            int rc = driver.cuInit(0);
            if (rc == 100) return Availability.unavailable("no CUDA device (cuInit: CUDA_ERROR_NO_DEVICE)");
            if (rc != 0) return Availability.unavailable("cuInit failed: " + driver.errorName(rc) + " (" + rc + ")");
            MemorySegment version = arena.allocate(ValueLayout.JAVA_INT);
            driver.check(driver.cuDriverGetVersion(version), "cuDriverGetVersion");
            int v = version.get(ValueLayout.JAVA_INT, 0);
            if (v < MIN_DRIVER_VERSION) {
                return Availability.unavailable("driver too old: it supports CUDA " + versionText(v) + ", the kernels need "
                        + versionText(MIN_DRIVER_VERSION) + " or newer");
            }
            MemorySegment count = arena.allocate(ValueLayout.JAVA_INT);
            rc = driver.cuDeviceGetCount(count);
            int devices = rc == 0 ? count.get(ValueLayout.JAVA_INT, 0) : 0;
            if (devices == 0) return Availability.unavailable("no CUDA device (the driver reports none)");
            int ordinal = Integer.getInteger(DEVICE_PROPERTY, 0);
            if (ordinal < 0 || ordinal >= devices) {
                return Availability.unavailable(DEVICE_PROPERTY + "=" + ordinal + " but the driver reports " + devices + " device(s)");
            }
            if (kind == Kind.DEVICE && CudaRuntime.class.getResource(KERNEL_LIST) == null) {
                return Availability.unavailable("this build carries no GPU kernels (nvcc was missing when the kernels module was built)");
            }
            return new Availability(new CudaRuntime(driver, kind, ordinal, v), null, null);
        } catch (RuntimeException e) {
            // A device exists but the context or a module failed (e.g. no SASS for this GPU and PTX too new): a build
            // or installation problem, reported with its cause rather than as "no GPU".
            return new Availability(null, "CUDA setup failed: " + e.getMessage(), e);
        }
    }

    static String versionText(int version) {
        return version / 1000 + "." + version % 1000 / 10;
    }

    private static Path emulatorLibrary() {
        String configured = System.getProperty(EMULATOR_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            Path p = Path.of(configured);
            return Files.isRegularFile(p) ? p.toAbsolutePath() : null;
        }
        for (String candidate : List.of("kernels/target/native/libcudaemu.so", "target/native/libcudaemu.so",
                "../kernels/target/native/libcudaemu.so")) {
            Path p = Path.of(candidate);
            if (Files.isRegularFile(p)) return p.toAbsolutePath();
        }
        return null;
    }

    private static List<String> kernelList() {
        String text = new String(readResource(KERNEL_LIST), StandardCharsets.UTF_8);
        List<String> names = new ArrayList<>();
        for (String line : text.split("\n")) if (!line.isBlank()) names.add(line.strip());
        return names;
    }

    private static MemorySegment resource(String name) {
        byte[] bytes = readResource(name);
        MemorySegment image = Arena.global().allocate(bytes.length, 256);
        image.copyFrom(MemorySegment.ofArray(bytes));
        return image;
    }

    private static byte[] readResource(String name) {
        try (InputStream in = CudaRuntime.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing resource " + name + " beside " + CudaRuntime.class.getName());
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read resource " + name, e);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    public CudaDriver driver() {
        return driver;
    }

    public Kind kind() {
        return kind;
    }

    public boolean emulated() {
        return kind == Kind.EMULATOR;
    }

    public String deviceName() {
        return deviceName;
    }

    /** e.g. "9.0" */
    public String computeCapability() {
        return computeMajor + "." + computeMinor;
    }

    public int multiprocessors() {
        return multiprocessors;
    }

    public long totalMemory() {
        return totalMemory;
    }

    /** The CUDA version the driver supports, e.g. "13.0". */
    public String driverVersion() {
        return versionText(driverVersion);
    }

    public DeviceAllocator allocator() {
        return allocator;
    }

    /** Makes the primary context current on the calling thread (once per thread). */
    void makeCurrent() {
        if (current.get()) return;
        driver.check(driver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
        current.set(true);
    }

    /** The kernel's function handle, looked up in the modules once. */
    MemorySegment function(Kernel kernel) {
        MemorySegment f = functions.get(kernel.name());
        if (f != null) return f;
        if (kind == Kind.EMULATOR) {
            String compiled = emulatedSignatures.get(kernel.name());
            if (compiled != null && !compiled.equals(kernel.signature())) {
                throw new IllegalStateException("kernel " + kernel.name() + ": the launcher's signature " + kernel.signature()
                        + " differs from the compiled kernel's " + compiled);
            }
        }
        makeCurrent();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            MemorySegment name = arena.allocateFrom(kernel.name());
            for (MemorySegment module : modules) {
                int rc = driver.cuModuleGetFunction(out, module, name);
                if (rc == 500) continue;  // CUDA_ERROR_NOT_FOUND: another module may have it
                driver.check(rc, "cuModuleGetFunction(" + kernel.name() + ")");
                f = out.get(ValueLayout.ADDRESS, 0);
                functions.put(kernel.name(), f);
                return f;
            }
        }
        throw new IllegalStateException("kernel " + kernel.name() + " is in none of the loaded modules " + moduleNames);
    }

    /** Launches {@code kernel} on the default stream with arguments matching its signature. */
    public void launch(Kernel kernel, Dim3 grid, Dim3 block, int sharedBytes, Object... args) {
        MemorySegment f = function(kernel);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = kernel.pack(arena, args);
            driver.check(driver.cuLaunchKernel(f, grid.x(), grid.y(), grid.z(), block.x(), block.y(), block.z(),
                    sharedBytes, MemorySegment.NULL, params, MemorySegment.NULL), "cuLaunchKernel(" + kernel.name() + ")");
        }
    }

    /** Raises a kernel's dynamic shared memory limit above the default 48 KiB. */
    public void allowDynamicSharedMemory(Kernel kernel, int bytes) {
        makeCurrent();
        driver.check(driver.cuFuncSetAttribute(function(kernel), CudaDriver.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                bytes), "cuFuncSetAttribute(" + kernel.name() + ")");
    }

    /** A grid-stride launch shape over n elements: 256-thread blocks, at most 32 blocks per multiprocessor. */
    public Dim3 linearGrid(long n) {
        long blocks = Math.max(1, Math.ceilDiv(n, LINEAR_BLOCK));
        return Dim3.of((int) Math.min(blocks, 32L * multiprocessors));
    }

    public static final int LINEAR_BLOCK = 256;

    /**
     * How many calls so far could make the host wait for the device's queue: copies either way (a synchronous copy waits
     * for the work queued before it; one from pageable memory to the device does too, on a GPU, unless it is staged),
     * {@link #synchronize()} and {@link #timeMillis}. Each wait stalls the launch pipeline, so code meant to run a whole step without one, or with
     * one, is checked against this count. Counts calls, not driver calls: a staged copy is one.
     */
    public long hostWaits() {
        return hostWaits.sum();
    }

    /** Waits for all work on the device. */
    public void synchronize() {
        hostWaits.increment();
        makeCurrent();
        driver.check(driver.cuCtxSynchronize(), "cuCtxSynchronize");
    }

    /**
     * Copies all of {@code host} to the start of {@code device}, ordered on the default stream. Registered (pinned)
     * host memory is read by the DMA engine directly; large pageable copies go through pinned staging buffers and
     * return once queued ({@link PinnedHost}); {@code host} may be reused as soon as this returns either way.
     */
    public void copyToDevice(MemorySegment host, MemorySegment device) {
        requireFits("copyToDevice", host.byteSize(), device);
        hostWaits.increment();
        makeCurrent();
        if (host.byteSize() >= PinnedHost.STAGING_THRESHOLD && !pinned.isPinned(host)) {
            pinned.stagedToDevice(host, device.address());
            return;
        }
        driver.check(driver.cuMemcpyHtoD_v2(device.address(), nativeView(host), host.byteSize()), "cuMemcpyHtoD_v2");
    }

    /**
     * Pins {@code host} (native memory) until the returned registration closes: copies from and to it then skip the
     * staging buffers. Registering costs a driver call that locks the pages, so it pays for buffers reused across
     * many copies (a data loader's batch buffers), not for one copy.
     */
    public AutoCloseable registerHost(MemorySegment host) {
        return pinned.register(host);
    }

    /** Whether all of {@code host} is registered with {@link #registerHost}. */
    public boolean isRegistered(MemorySegment host) {
        return pinned.isPinned(host);
    }

    /** Fills all of {@code host} from the start of {@code device}, after the work queued before it. */
    public void copyToHost(MemorySegment device, MemorySegment host) {
        requireFits("copyToHost", host.byteSize(), device);
        hostWaits.increment();
        makeCurrent();
        if (host.byteSize() >= PinnedHost.STAGING_THRESHOLD && !pinned.isPinned(host)) {
            pinned.stagedToHost(device.address(), host);
            return;
        }
        if (host.isNative()) {
            driver.check(driver.cuMemcpyDtoH_v2(host, device.address(), host.byteSize()), "cuMemcpyDtoH_v2");
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment staging = arena.allocate(host.byteSize(), 64);
            driver.check(driver.cuMemcpyDtoH_v2(staging, device.address(), host.byteSize()), "cuMemcpyDtoH_v2");
            host.copyFrom(staging);
        }
    }

    /** Copies {@code bytes} bytes between device buffers (they may overlap only in the emulator). */
    public void copyOnDevice(MemorySegment src, MemorySegment dst, long bytes) {
        requireFits("copyOnDevice", bytes, src);
        requireFits("copyOnDevice", bytes, dst);
        makeCurrent();
        driver.check(driver.cuMemcpyDtoD_v2(dst.address(), src.address(), bytes), "cuMemcpyDtoD_v2");
    }

    /** Sets {@code count} 32-bit words at the start of {@code device} to {@code value}. */
    public void fill32(MemorySegment device, int value, long count) {
        requireFits("fill32", count * 4, device);
        makeCurrent();
        driver.check(driver.cuMemsetD32_v2(device.address(), value, count), "cuMemsetD32_v2");
    }

    /** A device buffer holding a copy of {@code host}. */
    public DeviceBuffer upload(MemorySegment host) {
        DeviceBuffer b = allocator.allocate(Math.max(1, host.byteSize()));
        if (host.byteSize() > 0) copyToDevice(host, b.segment());
        return b;
    }

    public record MemoryInfo(long free, long total) {}

    public MemoryInfo memoryInfo() {
        makeCurrent();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment free = arena.allocate(ValueLayout.JAVA_LONG), total = arena.allocate(ValueLayout.JAVA_LONG);
            driver.check(driver.cuMemGetInfo_v2(free, total), "cuMemGetInfo_v2");
            return new MemoryInfo(free.get(ValueLayout.JAVA_LONG, 0), total.get(ValueLayout.JAVA_LONG, 0));
        }
    }

    /** Device time of {@code work}, in milliseconds, measured with events around it on the default stream. */
    public float timeMillis(Runnable work) {
        hostWaits.increment();
        makeCurrent();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment start = arena.allocate(ValueLayout.ADDRESS), end = arena.allocate(ValueLayout.ADDRESS);
            driver.check(driver.cuEventCreate(start, 0), "cuEventCreate");
            driver.check(driver.cuEventCreate(end, 0), "cuEventCreate");
            MemorySegment s = start.get(ValueLayout.ADDRESS, 0), e = end.get(ValueLayout.ADDRESS, 0);
            try {
                driver.check(driver.cuEventRecord(s, MemorySegment.NULL), "cuEventRecord");
                work.run();
                driver.check(driver.cuEventRecord(e, MemorySegment.NULL), "cuEventRecord");
                driver.check(driver.cuEventSynchronize(e), "cuEventSynchronize");
                MemorySegment ms = arena.allocate(ValueLayout.JAVA_FLOAT);
                driver.check(driver.cuEventElapsedTime_v2(ms, s, e), "cuEventElapsedTime_v2");
                return ms.get(ValueLayout.JAVA_FLOAT, 0);
            } finally {
                // Not checked: a failure here must not hide the one that brought us here (or the measurement).
                driver.cuEventDestroy_v2(s);
                driver.cuEventDestroy_v2(e);
            }
        }
    }

    private static void requireFits(String what, long bytes, MemorySegment device) {
        if (device.byteSize() < bytes) {
            throw new IllegalArgumentException(what + ": " + bytes + " bytes do not fit the device segment of " + device.byteSize());
        }
    }

    /** Heap segments cannot be handed to native code: copy them off-heap first. */
    private static MemorySegment nativeView(MemorySegment host) {
        if (host.isNative()) return host;
        MemorySegment copy = Arena.ofAuto().allocate(host.byteSize(), 64);
        copy.copyFrom(host);
        return copy;
    }

    @Override
    public String toString() {
        return (emulated() ? "emulated " : "") + "CUDA device " + ordinal + " (" + deviceName + ", sm_" + computeMajor
                + computeMinor + ", driver " + driverVersion() + ")";
    }
}
