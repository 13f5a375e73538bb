package dev.latentr3.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Small helpers for addressing typed elements inside segments; kernels take element counts, segments take bytes. */
public final class Segments {
    private Segments() {}

    public static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    public static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;

    /** The segment starting at float element {@code index} (no copy). */
    public static MemorySegment floats(MemorySegment s, long index) {
        return index == 0 ? s : s.asSlice(index * Float.BYTES);
    }

    public static float getFloat(MemorySegment s, long index) {
        return s.getAtIndex(F32, index);
    }

    public static void setFloat(MemorySegment s, long index, float v) {
        s.setAtIndex(F32, index, v);
    }

    public static int getInt(MemorySegment s, long index) {
        return s.getAtIndex(I32, index);
    }
}
