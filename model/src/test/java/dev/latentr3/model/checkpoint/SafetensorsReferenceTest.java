package dev.latentr3.model.checkpoint;

import dev.latentr3.engine.DType;
import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.Storage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our reader and writer against a file written by Hugging Face's safetensors library
 * ({@code src/test/goldens/make_safetensors_goldens.py write}; the file is committed, so Python is never needed
 * here). The expected values are the script's formulas, restated below.
 *
 * <p>Run with {@code -Dlatentr3.safetensors.export=FILE} to keep the file our writer produces, then check by hand
 * that the reference library reads it: {@code make_safetensors_goldens.py verify FILE}.
 */
class SafetensorsReferenceTest {
    static final Map<String, String> METADATA = Map.of("format", "pt", "written_by", "make_safetensors_goldens.py");

    static Path reference() throws Exception {
        return Path.of(SafetensorsReferenceTest.class.getResource("/safetensors/reference.safetensors").toURI());
    }

    /** (-1)^i * 2^(-3 i), exact in float. */
    private static float power(int i) {
        return Math.scalb(i % 2 == 0 ? 1f : -1f, -3 * i);
    }

    @Test
    void readsEveryTensorTheReferenceLibraryWrote() throws Exception {
        try (SafetensorsFile f = SafetensorsFile.open(reference())) {
            assertEquals(METADATA, f.metadata());
            assertEquals(Set.of("f32_matrix", "bf16_powers", "f16_powers", "i32_matrix", "i64_vector", "pi_scalar", "empty"), Set.copyOf(f.names()));

            Tensor f32 = f.tensor("f32_matrix");
            assertEquals(DType.F32, f32.dtype());
            assertArrayEquals(new int[]{2, 3}, f32.shape());
            for (int i = 0; i < 6; i++) assertEquals((i - 2.5f) * 0.75f, f32.toFloatArray()[i]);

            Tensor bf16 = f.tensor("bf16_powers");
            assertEquals(DType.BF16, bf16.dtype());
            assertArrayEquals(new int[]{6}, bf16.shape());
            for (int i = 0; i < 6; i++) {
                // bfloat16 is the top half of a float's bits; powers of two are exact in it.
                short expected = (short) (Float.floatToIntBits(power(i)) >>> 16);
                assertEquals(expected, bf16.data().getAtIndex(ValueLayout.JAVA_SHORT, i), "bf16_powers[" + i + "]");
            }

            IllegalArgumentException notWrapped = assertThrows(IllegalArgumentException.class, () -> f.tensor("f16_powers"));
            assertTrue(notWrapped.getMessage().contains("tensor \"f16_powers\" is F16") && notWrapped.getMessage().contains("loadF16AsF32"),
                    notWrapped.getMessage());
            Tensor f16 = f.loadF16AsF32("f16_powers");
            assertEquals(DType.F32, f16.dtype());
            float[] halves = f16.toFloatArray();
            assertEquals(9, halves.length);
            for (int i = 0; i < 9; i++) assertEquals(power(i), halves[i], "f16_powers[" + i + "] (2^-15 and below are f16 subnormals)");

            Tensor i32 = f.tensor("i32_matrix");
            assertArrayEquals(new int[]{2, 2}, i32.shape());
            int[] ints = i32.toIntArray();
            for (int i = 0; i < 4; i++) assertEquals((2 * i - 3) * 700_000_001, ints[i]);

            Tensor i64 = f.tensor("i64_vector");
            assertEquals(DType.I64, i64.dtype());
            long threeTo39 = 1;
            for (int k = 0; k < 39; k++) threeTo39 *= 3;
            for (int i = 0; i < 3; i++) assertEquals((i - 1) * threeTo39, i64.data().getAtIndex(ValueLayout.JAVA_LONG, i));

            Tensor pi = f.tensor("pi_scalar");
            assertEquals(0, pi.dim());
            assertEquals((float) Math.PI, pi.item());

            Tensor empty = f.tensor("empty");
            assertArrayEquals(new int[]{0, 3}, empty.shape());
            assertEquals(0, empty.numel());
        }
    }

    @Test
    void tensorsAreTheFileBytesInPlace() throws Exception {
        byte[] file = Files.readAllBytes(reference());
        long dataStart = 8 + ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        try (SafetensorsFile f = SafetensorsFile.open(reference())) {
            Tensor anchor = f.tensor("i64_vector");
            long anchorBegin = f.entry("i64_vector").begin();
            for (SafetensorsEntry e : f.entries()) {
                if (e.dtype() == SafetensorsDType.F16) continue;
                Tensor t = f.tensor(e.name());
                assertEquals(Storage.Ownership.BORROWED, t.storage().ownership(), e.name());
                assertTrue(t.data().isMapped(), e.name() + " is not memory of the mapped file");
                assertEquals(e.begin() - anchorBegin, t.data().address() - anchor.data().address(),
                        e.name() + " does not sit at its offset in the one mapping");
                assertEquals(0, t.data().address() % t.dtype().byteSize(), e.name() + " is misaligned");
                byte[] expected = Arrays.copyOfRange(file, (int) (dataStart + e.begin()), (int) (dataStart + e.end()));
                assertArrayEquals(expected, SafetensorsBytes.rowMajorBytes(t), e.name());
            }
            Tensor w = f.tensor("f32_matrix");
            IllegalArgumentException write = assertThrows(IllegalArgumentException.class,
                    () -> w.data().set(ValueLayout.JAVA_FLOAT, 0, 1f), "mapped weights must be read-only");
            assertTrue(write.getMessage().contains("read-only"), write.getMessage());
        }
    }

    @Test
    void closingUnmapsAndLaterUseFailsClearly() throws Exception {
        SafetensorsFile f = SafetensorsFile.open(reference());
        Tensor t = f.tensor("f32_matrix");
        f.close();
        f.close(); // idempotent
        IllegalStateException used = assertThrows(IllegalStateException.class, t::toFloatArray);
        assertTrue(used.getMessage().contains("f32_matrix") && used.getMessage().contains("used after its memory was freed"), used.getMessage());
        IllegalStateException reopened = assertThrows(IllegalStateException.class, () -> f.tensor("f32_matrix"));
        assertTrue(reopened.getMessage().contains("after the file was closed"), reopened.getMessage());
    }

    @Test
    void theCallersArenaDecidesTheLifetime() throws Exception {
        Tensor t;
        try (Arena arena = Arena.ofShared()) {
            SafetensorsFile f = SafetensorsFile.open(reference(), arena);
            t = f.tensor("pi_scalar");
            f.close(); // does not unmap: the arena is the caller's
            assertEquals((float) Math.PI, t.item());
        }
        assertThrows(IllegalStateException.class, t::item);
    }

    @Test
    void ourWriterReproducesTheReferenceTensors(@TempDir Path dir) throws Exception {
        Path ours = dir.resolve("ours.safetensors");
        try (SafetensorsFile ref = SafetensorsFile.open(reference())) {
            // F16 has no engine dtype, so our writer has nothing to write it from; every other tensor is rewritten.
            LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
            for (String name : ref.names()) {
                if (ref.entry(name).dtype() != SafetensorsDType.F16) tensors.put(name, ref.tensor(name));
            }
            SafetensorsWriter.write(ours, tensors, METADATA);
            try (SafetensorsFile back = SafetensorsFile.open(ours)) {
                assertEquals(METADATA, back.metadata());
                assertEquals(List.copyOf(tensors.keySet()), List.copyOf(back.names()));
                for (String name : tensors.keySet()) {
                    assertEquals(ref.entry(name).dtype(), back.entry(name).dtype(), name);
                    assertArrayEquals(ref.entry(name).shape(), back.entry(name).shape(), name);
                    assertArrayEquals(SafetensorsBytes.rowMajorBytes(ref.tensor(name)), SafetensorsBytes.rowMajorBytes(back.tensor(name)), name);
                }
            }
        }
        String export = System.getProperty("latentr3.safetensors.export");
        if (export != null) Files.copy(ours, Path.of(export), StandardCopyOption.REPLACE_EXISTING);
    }
}
