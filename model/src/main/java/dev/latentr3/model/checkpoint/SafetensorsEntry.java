package dev.latentr3.model.checkpoint;

import java.util.Arrays;

/**
 * One tensor as a safetensors header describes it: element type, shape, and its bytes {@code [begin, end)} counted
 * from the start of the data section (which follows the header).
 */
public record SafetensorsEntry(String name, SafetensorsDType dtype, int[] shape, long begin, long end) {
    public SafetensorsEntry {
        shape = shape.clone();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    public long numel() {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    public long byteSize() {
        return end - begin;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SafetensorsEntry e && name.equals(e.name) && dtype == e.dtype && Arrays.equals(shape, e.shape)
                && begin == e.begin && end == e.end;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " bytes " + begin + ".." + end;
    }
}
