package dev.latentr3.model.checkpoint;

import dev.latentr3.engine.Tensor;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Safetensors files built byte by byte from the format's specification (an unsigned 64-bit little-endian header
 * length, the JSON header, the data section), for tests that need files our writer would never produce: corrupt,
 * truncated or oddly laid out ones. Also reads a tensor's elements in row-major order by walking its strides, a
 * reference independent of the engine's copy kernels.
 */
final class SafetensorsBytes {
    private SafetensorsBytes() {}

    static byte[] file(String headerJson, byte[] data) {
        byte[] header = headerJson.getBytes(StandardCharsets.UTF_8);
        return file(header.length, header, data);
    }

    /** A file whose length field says {@code declaredLength}, whatever the header bytes that follow. */
    static byte[] file(long declaredLength, byte[] header, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLength).put(header).put(data);
        return b.array();
    }

    static Path write(Path dir, String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    /** The little-endian bytes of float values, for data sections. */
    static byte[] floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putFloat(v);
        return b.array();
    }

    /** The tensor's elements in row-major order as bytes, read element by element through its strides and offset. */
    static byte[] rowMajorBytes(Tensor t) {
        int width = t.dtype().byteSize();
        int[] shape = t.shape();
        long[] strides = t.strides();
        MemorySegment base = t.storage().segment();
        int n = Math.toIntExact(t.numel());
        byte[] out = new byte[n * width];
        int[] index = new int[shape.length];
        for (int i = 0; i < n; i++) {
            long element = t.offset();
            for (int d = 0; d < shape.length; d++) element += index[d] * strides[d];
            MemorySegment.copy(base, ValueLayout.JAVA_BYTE, element * width, out, i * width, width);
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++index[d] < shape[d]) break;
                index[d] = 0;
            }
        }
        return out;
    }
}
