package dev.latentr3.model.checkpoint;

import dev.latentr3.engine.DType;
import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.Storage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SafetensorsWriter then SafetensorsFile: every dtype, every kind of view, bit for bit, read back in place. */
class SafetensorsRoundTripTest {
    private static Tensor random(SplittableRandom rnd, DType dtype, int... shape) {
        Tensor t = Tensor.empty(dtype, shape);
        MemorySegment d = t.data();
        // Random bits, NaN payloads and signed zeros included: the round trip must keep every bit.
        for (long i = 0; i < t.numel() * dtype.byteSize(); i++) d.set(ValueLayout.JAVA_BYTE, i, (byte) rnd.nextInt());
        return t;
    }

    @Test
    void randomTensorsOfEveryDtypeAndViewRoundTripBitwise(@TempDir Path dir) throws Exception {
        SplittableRandom rnd = new SplittableRandom(20240611);
        LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
        // An odd-length BF16 first: without ordering by element size, everything after it would be misaligned.
        tensors.put("model.norm.weight", random(rnd, DType.BF16, 7));
        tensors.put("model.embed_tokens.weight", random(rnd, DType.F32, 11, 5));
        tensors.put("ids", random(rnd, DType.I32, 3, 1, 2));
        tensors.put("positions", random(rnd, DType.I64, 5));
        tensors.put("step", random(rnd, DType.I64));
        tensors.put("scalar", random(rnd, DType.F32));
        tensors.put("nothing", random(rnd, DType.BF16, 0, 4));
        tensors.put("transposed", random(rnd, DType.F32, 4, 6).transpose(0, 1));
        tensors.put("sliced", random(rnd, DType.I64, 6, 3).slice(0, 1, 5).slice(1, 1, 3));
        tensors.put("broadcast", random(rnd, DType.BF16, 1, 5).expand(3, 5));
        tensors.put("permuted", random(rnd, DType.I32, 2, 3, 4).permute(2, 0, 1));
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("epoch", "3");
        metadata.put("note", "ünïcödé \"quoted\" \\ back\nslash");
        assertTrue(tensors.values().stream().anyMatch(t -> !t.isContiguous()), "the test needs strided views");

        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter.write(file, tensors, metadata);

        try (SafetensorsFile back = SafetensorsFile.open(file)) {
            assertEquals(metadata, back.metadata());
            assertEquals(List.copyOf(tensors.keySet()), List.copyOf(back.names()), "header keeps the caller's order");
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                Tensor expected = e.getValue();
                Tensor got = back.tensor(e.getKey());
                assertEquals(expected.dtype(), got.dtype(), e.getKey());
                assertArrayEquals(expected.shape(), got.shape(), e.getKey());
                assertArrayEquals(SafetensorsBytes.rowMajorBytes(expected), SafetensorsBytes.rowMajorBytes(got), e.getKey());
                assertEquals(Storage.Ownership.BORROWED, got.storage().ownership(), e.getKey() + " was copied");
                assertTrue(got.data().isMapped(), e.getKey() + " is not the mapped file");
                assertEquals(0, got.data().address() % got.dtype().byteSize(), e.getKey() + " is misaligned");
            }
        }
        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertEquals(0, headerLength % 8, "header padded to a multiple of 8");
        String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":{"), header);
        assertEquals(header.strip() + " ".repeat(header.length() - header.strip().length()), header, "padding is trailing spaces");
    }

    @Test
    void replacesTheFileAtomicallyWhileOldReadersKeepTheirBytes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.safetensors");
        LinkedHashMap<String, Tensor> first = new LinkedHashMap<>();
        first.put("w", Tensor.of(new float[]{1, 2, 3}, 3));
        SafetensorsWriter.write(file, first, Map.of());
        try (SafetensorsFile old = SafetensorsFile.open(file)) {
            LinkedHashMap<String, Tensor> second = new LinkedHashMap<>();
            second.put("w", Tensor.of(new float[]{4, 5, 6, 7}, 2, 2));
            SafetensorsWriter.write(file, second, Map.of("v", "2"));
            assertArrayEquals(new float[]{1, 2, 3}, old.tensor("w").toFloatArray(), "the old mapping still sees the old file");
            try (SafetensorsFile now = SafetensorsFile.open(file)) {
                assertArrayEquals(new float[]{4, 5, 6, 7}, now.tensor("w").toFloatArray());
                assertEquals(Map.of("v", "2"), now.metadata());
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTemporary(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.safetensors");
        LinkedHashMap<String, Tensor> good = new LinkedHashMap<>();
        good.put("w", Tensor.of(new float[]{1, 2}, 2));
        SafetensorsWriter.write(file, good, Map.of());
        byte[] before = Files.readAllBytes(file);

        Tensor freed = Tensor.of(new float[]{3, 4}, 2);
        freed.close();
        LinkedHashMap<String, Tensor> bad = new LinkedHashMap<>();
        bad.put("w", freed);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SafetensorsWriter.write(file, bad, Map.of()));
        assertTrue(e.getMessage().contains("tensor \"w\""), e.getMessage());

        LinkedHashMap<String, Tensor> reserved = new LinkedHashMap<>();
        reserved.put("__metadata__", Tensor.of(new float[]{1}, 1));
        IllegalArgumentException r = assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(file, reserved, Map.of()));
        assertTrue(r.getMessage().contains("reserved"), r.getMessage());

        assertArrayEquals(before, Files.readAllBytes(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void misalignedTensorsFromOtherWritersAreCopiedIntoAlignedMemory(@TempDir Path dir) throws Exception {
        // A BF16 of one element first puts the F32 after it at data offset 2: legal in the format, never written by
        // the reference library or by us. The header is padded so the data section itself starts 8-aligned.
        String json = "{\"b\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[0,2]},"
                + "\"f\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[2,10]}}";
        json = json + " ".repeat((8 - json.length() % 8) % 8);
        byte[] data = new byte[10];
        data[0] = (byte) 0x80;
        data[1] = 0x3f; // bf16 1.0
        System.arraycopy(SafetensorsBytes.floats(-2.5f, 1e-3f), 0, data, 2, 8);
        Path file = SafetensorsBytes.write(dir, "odd.safetensors", SafetensorsBytes.file(json, data));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            Tensor b = f.tensor("b");
            assertEquals(Storage.Ownership.BORROWED, b.storage().ownership());
            assertArrayEquals(new float[]{1f}, b.toFloatArray());
            Tensor misaligned = f.tensor("f");
            assertNotEquals(Storage.Ownership.BORROWED, misaligned.storage().ownership(), "a misaligned tensor is copied");
            assertEquals(0, misaligned.data().address() % 4);
            assertArrayEquals(new float[]{-2.5f, 1e-3f}, misaligned.toFloatArray());
        }
    }
}
