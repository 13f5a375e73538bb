package dev.latentr3.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Finds the {@link DeviceRuntime} for a device type among the providers on the class path
 * ({@code META-INF/services/dev.latentr3.kernels.DeviceRuntimes$Provider}), so that the engine can name a device type
 * without knowing what implements it.
 */
public final class DeviceRuntimes {
    private DeviceRuntimes() {}

    /** Connects to one kind of device; registered through {@link ServiceLoader}. */
    public interface Provider {
        String type();

        /**
         * The runtime, or an {@link IllegalStateException} whose message says in one line why there is none (no driver,
         * no device, ...). Must be fast when there is no device: it is how "no GPU" is detected.
         */
        DeviceRuntime connect();
    }

    /**
     * The runtime for {@code type}.
     *
     * @throws IllegalStateException naming the reason when no provider has the type or its device is unavailable
     */
    public static DeviceRuntime connect(String type) {
        List<String> known = new ArrayList<>();
        for (Provider p : ServiceLoader.load(Provider.class, DeviceRuntimes.class.getClassLoader())) {
            if (p.type().equals(type)) return p.connect();
            known.add(p.type());
        }
        throw new IllegalStateException("no runtime provides device type '" + type + "' (providers: " + known + ")");
    }
}
