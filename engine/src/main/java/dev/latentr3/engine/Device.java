package dev.latentr3.engine;

/**
 * Where a tensor's memory lives. The engine knows device types only by name: a backend for a type is registered in
 * {@link Backends} (the CPU's is built in; an accelerator's registers itself from its own module).
 */
public record Device(String type, int index) {
    public static final Device CPU = new Device("cpu", 0);

    public Device {
        if (type == null || type.isBlank()) throw new IllegalArgumentException("device type must be a name, got '" + type + "'");
        if (index < 0) throw new IllegalArgumentException("device index must be >= 0, got " + index);
    }

    public boolean isCpu() {
        return type.equals("cpu");
    }

    @Override
    public String toString() {
        return isCpu() ? "cpu" : type + ":" + index;
    }
}
