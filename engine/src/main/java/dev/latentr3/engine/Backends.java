package dev.latentr3.engine;

import dev.latentr3.kernels.Backend;
import dev.latentr3.kernels.cpu.CpuBackends;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which kernels run a device's ops. The CPU is built in: the fast kernels, or the plain reference kernels with
 * {@code -Dlatentr3.cpu.kernels=reference} (slow, for checking a suspicion). Other device types register here from
 * their own module.
 */
public final class Backends {
    private Backends() {}

    private static final Map<String, Backend> BY_TYPE = new ConcurrentHashMap<>();

    static {
        boolean reference = "reference".equals(System.getProperty("latentr3.cpu.kernels"));
        BY_TYPE.put("cpu", reference ? CpuBackends.reference() : CpuBackends.fast());
    }

    public static Backend of(Device device) {
        Backend b = BY_TYPE.get(device.type());
        if (b == null) {
            throw new IllegalStateException("no backend for device " + device + "; registered: " + new TreeMap<>(BY_TYPE).keySet());
        }
        return b;
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
