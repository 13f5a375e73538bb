package dev.latentr3.bench;

import dev.latentr3.kernels.cuda.CudaDriver;
import dev.latentr3.kernels.cuda.CudaRuntime;
import dev.latentr3.kernels.cuda.DeviceBuffer;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * What the CUDA benchmarks share: the device (or why there is none), its peak rates from device attributes, the L2
 * flush, and device timing.
 *
 * <p>Timing: each benchmark call first overwrites a buffer of twice the device's L2 size (attribute
 * CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE) with cuMemsetD32, so no operand is served from a warm L2, then measures only the
 * operation with CUDA events recorded on the runtime's stream ({@link CudaRuntime#timeMillis}). The event times go into
 * JMH's auxiliary counters {@code deviceMillis} and {@code calls} ({@link DeviceTime}); the report divides them
 * (device seconds per call), JMH's primary score is wall time including the flush and the synchronisation.
 *
 * <p>Peaks, from attributes: SMs (CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT) x flops per clock per SM x the SM clock
 * (CU_DEVICE_ATTRIBUTE_CLOCK_RATE, the maximum boost clock in kHz); flops per clock per SM are not an attribute, so they
 * come from NVIDIA's published per-SM rates for the architectures our fatbins target: sm_80 (A100) fp32 128, TF32
 * 1024, bf16 2048 (dense tensor core); sm_90 (H100/H200) fp32 256, TF32 2048, bf16 4096. Other architectures get no
 * flop peak. Memory: 2 (double data rate) x CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE (kHz) x
 * CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH / 8 bytes per second. Both are upper bounds at the boost clock: NVIDIA's
 * data-sheet tensor figures use a lower sustained clock (H100 SXM: 989 dense bf16 TFLOP/s, where this formula gives
 * about 1070).
 */
public final class CudaBench {
    private CudaBench() {}

    static final int CU_DEVICE_ATTRIBUTE_CLOCK_RATE = 13, CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE = 36,
            CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH = 37, CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE = 38;

    /**
     * {@code -Dlatentr3.bench.cuda=emulator} runs the CUDA benchmarks on the CPU emulator: only to check the harness
     * (tests do, on tiny shapes); its times say nothing about a GPU. Never used by the report.
     */
    public static final String RUNTIME_PROPERTY = "latentr3.bench.cuda";

    private static CudaRuntime.Availability availability() {
        return "emulator".equals(System.getProperty(RUNTIME_PROPERTY)) ? CudaRuntime.emulator() : CudaRuntime.device();
    }

    /** Why the CUDA benchmarks cannot run here ("no CUDA device (...)"), or null when a real GPU is usable. */
    public static String unavailable() {
        CudaRuntime.Availability a = CudaRuntime.device();
        return a.available() ? null : "no CUDA device (" + a.reason() + ")";
    }

    /** The GPU, or an IllegalStateException saying why not (a benchmark's setup then fails with it). */
    static CudaRuntime device() {
        CudaRuntime.Availability a = availability();
        if (!a.available()) throw new IllegalStateException("cannot run a CUDA benchmark: no CUDA device (" + a.reason() + ")");
        return a.runtime();
    }

    /** Device attributes behind the peaks and the flush size. */
    public record Device(String name, String computeCapability, int multiprocessors, int clockKHz, int memoryClockKHz,
                         int busWidthBits, int l2Bytes) {

        public static Device of(CudaRuntime rt) {
            return new Device(rt.deviceName(), rt.computeCapability(), rt.multiprocessors(),
                    attribute(rt, CU_DEVICE_ATTRIBUTE_CLOCK_RATE), attribute(rt, CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE),
                    attribute(rt, CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH), attribute(rt, CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE));
        }

        /** Flops per clock per SM for "fp32", "tf32" or "bf16", or 0 where we do not know the architecture. */
        public int flopsPerClockPerSm(String precision) {
            return switch (computeCapability) {
                case "8.0" -> switch (precision) { case "fp32" -> 128; case "tf32" -> 1024; case "bf16" -> 2048; default -> 0; };
                case "9.0" -> switch (precision) { case "fp32" -> 256; case "tf32" -> 2048; case "bf16" -> 4096; default -> 0; };
                default -> 0;
            };
        }

        /** Peak TFLOP/s for the precision, NaN when unknown. */
        public double peakTflops(String precision) {
            int f = flopsPerClockPerSm(precision);
            return f == 0 ? Double.NaN : (double) multiprocessors * f * clockKHz * 1e3 / 1e12;
        }

        /** Peak DRAM bandwidth in TB/s. */
        public double peakTerabytesPerSecond() {
            return 2.0 * memoryClockKHz * 1e3 * busWidthBits / 8 / 1e12;
        }

        /** The peaks and their formulas, one line. */
        public String peaks() {
            List<String> parts = new ArrayList<>();
            for (String p : List.of("fp32", "tf32", "bf16")) {
                int f = flopsPerClockPerSm(p);
                parts.add(f == 0 ? p + " peak unknown for sm_" + computeCapability.replace(".", "")
                        : String.format(Locale.ROOT, "%s %.1f TFLOP/s = %d SMs x %d flop/clk x %.3f GHz", p, peakTflops(p),
                        multiprocessors, f, clockKHz / 1e6));
            }
            parts.add(String.format(Locale.ROOT, "DRAM %.2f TB/s = 2 x %.3f GHz x %d bit / 8", peakTerabytesPerSecond(),
                    memoryClockKHz / 1e6, busWidthBits));
            return name + " (sm_" + computeCapability.replace(".", "") + ", L2 " + l2Bytes / (1 << 20) + " MiB): "
                    + String.join("; ", parts);
        }

        private static int attribute(CudaRuntime rt, int attribute) {
            CudaDriver d = rt.driver();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment out = arena.allocate(ValueLayout.JAVA_INT);
                d.check(d.cuDeviceGetAttribute(out, attribute, Integer.getInteger(CudaRuntime.DEVICE_PROPERTY, 0)),
                        "cuDeviceGetAttribute(" + attribute + ")");
                return out.get(ValueLayout.JAVA_INT, 0);
            }
        }
    }

    /** A buffer twice the L2 size, rewritten before each timed call so that the call starts with a cold L2. */
    static final class L2Flush implements AutoCloseable {
        private final CudaRuntime rt;
        private final DeviceBuffer buffer;
        private final long words;
        private int value;

        L2Flush(CudaRuntime rt, Device device) {
            this.rt = rt;
            long bytes = Math.max(2L * device.l2Bytes(), 8L << 20);
            this.words = bytes / 4;
            this.buffer = rt.allocator().allocate(words * 4);
        }

        void run() {
            rt.fill32(buffer.segment(), ++value, words);  // a new value each time: no write can be skipped as unchanged
        }

        @Override
        public void close() {
            buffer.close();
        }
    }

    /**
     * Device time of the measured calls, as JMH auxiliary counters (summed over an iteration): the report's rate is
     * work per call / (deviceMillis / calls).
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class DeviceTime {
        public double deviceMillis;
        public long calls;

        @Setup(Level.Iteration)
        public void reset() {
            deviceMillis = 0;
            calls = 0;
        }

        void add(float millis) {
            deviceMillis += millis;
            calls++;
        }
    }

    /** Flushes L2, then times {@code op} with events, adds the time to {@code t} and returns it (ms). */
    static float timed(CudaRuntime rt, L2Flush flush, DeviceTime t, Runnable op) {
        flush.run();
        float ms = rt.timeMillis(op);
        t.add(ms);
        return ms;
    }

    /** Set by the bench report for its forks: the report has each iteration's figure, so its console keeps to progress. */
    public static final String QUIET_PROPERTY = "latentr3.bench.quiet";

    /** Prints an iteration's rate (a standalone JMH run shows it beside JMH's time per call), unless quiet. */
    static void printRate(String line) {
        if (!Boolean.getBoolean(QUIET_PROPERTY)) System.out.println(line);
    }

    /** "what: 412 TFLOP/s (77% of the fp32 peak 535)" for {@code calls} calls of {@code flops} in {@code millis}. */
    static String flopRate(String what, double flops, double millis, long calls, Device d, String precision) {
        if (calls == 0) return what + ": no calls";
        double tflops = flops * calls / (millis / 1e3) / 1e12, peak = d.peakTflops(precision);
        return String.format(Locale.ROOT, "%s: %.3f ms/call, %.2f TFLOP/s", what, millis / calls, tflops)
                + (Double.isNaN(peak) ? " (no " + precision + " peak known for this GPU)"
                : String.format(Locale.ROOT, " (%.0f%% of the %s peak %.1f TFLOP/s)", 100 * tflops / peak, precision, peak));
    }

    /** "what: 2.91 TB/s (87% of the DRAM peak 3.35)" for {@code calls} calls moving {@code bytes} in {@code millis}. */
    static String byteRate(String what, double bytes, double millis, long calls, Device d) {
        if (calls == 0) return what + ": no calls";
        double tbs = bytes * calls / (millis / 1e3) / 1e12, peak = d.peakTerabytesPerSecond();
        return String.format(Locale.ROOT, "%s: %.3f ms/call, %.3f TB/s (%.0f%% of the DRAM peak %.2f TB/s)", what,
                millis / calls, tbs, 100 * tbs / peak, peak);
    }

    /** A device buffer of n random floats in [lo, hi). */
    static DeviceBuffer randomFloats(CudaRuntime rt, long n, long seed, float lo, float hi) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(n * Float.BYTES, 64);
            SplittableRandom r = new SplittableRandom(seed);
            for (long i = 0; i < n; i++) host.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (lo + (hi - lo) * r.nextDouble()));
            return rt.upload(host);
        }
    }

    /** A device buffer of n random bf16 values in [lo, hi) (rounded to nearest even). */
    static DeviceBuffer randomBf16(CudaRuntime rt, long n, long seed, float lo, float hi) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(n * 2, 64);
            SplittableRandom r = new SplittableRandom(seed);
            for (long i = 0; i < n; i++) {
                int bits = Float.floatToRawIntBits((float) (lo + (hi - lo) * r.nextDouble()));
                host.setAtIndex(ValueLayout.JAVA_SHORT, i, (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16));
            }
            return rt.upload(host);
        }
    }

    /** A device buffer of n random ints in [0, bound). */
    static DeviceBuffer randomInts(CudaRuntime rt, long n, long seed, int bound) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(n * Integer.BYTES, 64);
            SplittableRandom r = new SplittableRandom(seed);
            for (long i = 0; i < n; i++) host.setAtIndex(ValueLayout.JAVA_INT, i, r.nextInt(bound));
            return rt.upload(host);
        }
    }

    /** Device buffers allocated by a benchmark, closed together at tear-down. */
    static final class Buffers implements AutoCloseable {
        private final List<AutoCloseable> owned = new ArrayList<>();

        <T extends AutoCloseable> T add(T t) {
            owned.add(t);
            return t;
        }

        @Override
        public void close() {
            for (AutoCloseable c : owned.reversed()) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException("freeing a benchmark buffer failed", e);
                }
            }
            owned.clear();
        }
    }
}
