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

    /** "cpu", "cuda" (index 0) or "cuda:1": the spelling of {@link #toString()}. */
    public static Device parse(String text) {
        if (text == null) throw new IllegalArgumentException("device must be a name like cpu or cuda:0, got null");
        String t = text.strip();
        int colon = t.indexOf(':');
        if (colon < 0) return t.equals("cpu") ? CPU : new Device(t, 0);
        try {
            return new Device(t.substring(0, colon), Integer.parseInt(t.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("device '" + text + "': expected type:index, like cuda:0", e);
        }
    }

    public boolean isCpu() {
        return type.equals("cpu");
    }

    @Override
    public String toString() {
        return isCpu() ? "cpu" : type + ":" + index;
    }
}
