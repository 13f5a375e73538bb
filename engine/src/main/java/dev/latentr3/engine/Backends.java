package dev.latentr3.engine;

import dev.latentr3.kernels.Backend;
import dev.latentr3.kernels.DeviceRuntime;
import dev.latentr3.kernels.DeviceRuntimes;
import dev.latentr3.kernels.cpu.CpuBackends;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which kernels run a device's ops, and for accelerators the {@link DeviceRuntime} that owns their memory. The CPU is
 * built in: the fast kernels, or the plain reference kernels with {@code -Dlatentr3.cpu.kernels=reference} (slow, for
 * checking a suspicion). Any other device type is connected on first use through {@link DeviceRuntimes} (which finds
 * the runtime providers on the class path), or registered here explicitly. A type that cannot connect is remembered
 * with its reason, so asking again is free.
 */
public final class Backends {
    private Backends() {}

    private static final Map<String, Backend> BY_TYPE = new ConcurrentHashMap<>();
    private static final Map<String, DeviceRuntime> RUNTIMES = new ConcurrentHashMap<>();
    private static final Map<String, String> UNAVAILABLE = new ConcurrentHashMap<>();

    static {
        boolean reference = "reference".equals(System.getProperty("latentr3.cpu.kernels"));
        BY_TYPE.put("cpu", reference ? CpuBackends.reference() : CpuBackends.fast());
    }

    public static Backend of(Device device) {
        Backend b = BY_TYPE.get(device.type());
        if (b != null) return b;
        connect(device.type());
        b = BY_TYPE.get(device.type());
        if (b == null) {
            throw new IllegalStateException("no backend for device " + device + "; registered: " + new TreeMap<>(BY_TYPE).keySet());
        }
        return b;
    }

    /**
     * The runtime that owns {@code device}'s memory.
     *
     * @throws IllegalStateException for the CPU (whose memory is the host's) and for a device that is unavailable,
     *                               with the reason
     */
    public static DeviceRuntime runtime(Device device) {
        if (device.isCpu()) throw new IllegalStateException("the cpu has no device runtime: its memory is host memory");
        DeviceRuntime rt = RUNTIMES.get(device.type());
        if (rt == null) rt = connect(device.type());
        if (device.index() != 0) {
            throw new IllegalStateException("device " + device + ": the " + device.type() + " runtime drives one device, "
                    + device.type() + ":0 (" + rt.description() + "); choose which GPU it is with the runtime's settings");
        }
        return rt;
    }

    /** Whether {@code device} can be used; when it cannot, {@link #unavailableReason} says why. */
    public static boolean available(Device device) {
        if (BY_TYPE.containsKey(device.type()) && (device.isCpu() || RUNTIMES.containsKey(device.type()))) return true;
        try {
            connect(device.type());
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    /** Why {@code device} cannot be used, or null when it can. */
    public static String unavailableReason(Device device) {
        return available(device) ? null : UNAVAILABLE.get(device.type());
    }

    private static synchronized DeviceRuntime connect(String type) {
        DeviceRuntime rt = RUNTIMES.get(type);
        if (rt != null) return rt;
        String reason = UNAVAILABLE.get(type);
        if (reason != null) throw new IllegalStateException(reason);
        try {
            rt = DeviceRuntimes.connect(type);
        } catch (IllegalStateException e) {
            UNAVAILABLE.put(type, e.getMessage());
            throw e;
        }
        RUNTIMES.put(type, rt);
        BY_TYPE.putIfAbsent(type, rt.backend());
        return rt;
    }

    public static void register(String type, Backend backend) {
        BY_TYPE.put(type, backend);
    }

    /** Runs the CPU on the given kernels until the returned handle closes (tests compare backends this way). */
    public static AutoCloseable useCpu(Backend backend) {
        Backend before = BY_TYPE.put("cpu", backend);
        return () -> BY_TYPE.put("cpu", before);
    }
}
