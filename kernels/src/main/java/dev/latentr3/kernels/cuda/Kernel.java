package dev.latentr3.kernels.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A kernel of native/kernels/*.cu as the host launches it: its extern "C" name and its parameter signature, one
 * character per parameter as the emulator's registry spells it: {@code p} pointer (a device {@link MemorySegment},
 * or null), {@code i}/{@code u} 32-bit integer ({@link Integer}), {@code l}/{@code L} 64-bit integer ({@link Long}),
 * {@code f} ({@link Float}), {@code d} ({@link Double}).
 *
 * <p>cuLaunchKernel copies each argument from a cell of exactly the parameter's width and cannot check types: a
 * mismatch would be silent corruption on a GPU. So every launch checks its arguments against the signature here, the
 * emulated runtime checks the signature against the registry compiled from the .cu source, and a test checks the
 * registry against the PTX entry points nvcc produced from that same source.
 */
public record Kernel(String name, String signature) {

    public Kernel {
        if (!signature.matches("[piulLfd]*")) {
            throw new IllegalArgumentException("kernel " + name + ": signature '" + signature + "' has a character outside [piulLfd]");
        }
    }

    /**
     * Packs arguments into the {@code void** kernelParams} array cuLaunchKernel takes: one 8-byte cell per argument
     * (value in its low bytes) and an array of pointers to the cells, both from {@code arena}.
     */
    MemorySegment pack(Arena arena, Object... args) {
        if (args.length != signature.length()) {
            throw new IllegalArgumentException("kernel " + name + " takes " + signature.length() + " arguments ("
                    + signature + "), got " + args.length);
        }
        MemorySegment cells = arena.allocate(8L * Math.max(1, args.length), 8);
        MemorySegment pointers = arena.allocate(ValueLayout.ADDRESS, Math.max(1, args.length));
        for (int i = 0; i < args.length; i++) {
            char type = signature.charAt(i);
            Object a = args[i];
            long at = 8L * i;
            switch (type) {
                case 'p' -> cells.set(ValueLayout.JAVA_LONG, at, pointer(i, a));
                case 'i', 'u' -> cells.set(ValueLayout.JAVA_INT, at, expect(i, a, Integer.class));
                case 'l', 'L' -> cells.set(ValueLayout.JAVA_LONG, at, expect(i, a, Long.class));
                case 'f' -> cells.set(ValueLayout.JAVA_FLOAT, at, expect(i, a, Float.class));
                case 'd' -> cells.set(ValueLayout.JAVA_DOUBLE, at, expect(i, a, Double.class));
                default -> throw new AssertionError(type);
            }
            pointers.setAtIndex(ValueLayout.ADDRESS, i, cells.asSlice(at, 8));
        }
        return pointers;
    }

    private long pointer(int i, Object a) {
        if (a == null) return 0L;
        if (a instanceof MemorySegment s) return s.address();
        throw mismatch(i, a, "a device pointer (MemorySegment)");
    }

    private <T> T expect(int i, Object a, Class<T> type) {
        if (!type.isInstance(a)) throw mismatch(i, a, type.getSimpleName());
        return type.cast(a);
    }

    private IllegalArgumentException mismatch(int i, Object a, String expected) {
        return new IllegalArgumentException("kernel " + name + ": argument " + i + " must be " + expected + " (signature "
                + signature + "), got " + (a == null ? "null" : a.getClass().getSimpleName() + " " + a));
    }
}
