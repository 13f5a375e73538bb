package dev.latentr3.model.checkpoint;

import dev.latentr3.engine.Tensor;
import dev.latentr3.model.json.FileFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Corrupt, truncated and unsupported files, built byte by byte: each must fail when opened, with a message that
 * names the file, the tensor or field, and the problem.
 */
class SafetensorsMalformedTest {
    @TempDir
    Path dir;

    private static final String ONE = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";

    private void assertRefused(byte[] bytes, String... fragments) throws Exception {
        Path file = SafetensorsBytes.write(dir, "bad.safetensors", bytes);
        FileFormatException e = assertThrows(FileFormatException.class, () -> SafetensorsFile.open(file).close());
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "missing <" + f + "> in: " + e.getMessage());
    }

    @Test
    void aWellFormedFileOpens() throws Exception {
        // The baseline every case below breaks in one way.
        Path file = SafetensorsBytes.write(dir, "good.safetensors", SafetensorsBytes.file(ONE, SafetensorsBytes.floats(1, 2)));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertTrue(Arrays.equals(new float[]{1, 2}, f.tensor("w").toFloatArray()));
        }
    }

    @Test
    void truncatedInsideTheLengthField() throws Exception {
        assertRefused(new byte[]{16, 0, 0}, "header length: the file has 3 bytes, fewer than the 8-byte header length");
        assertRefused(new byte[0], "the file has 0 bytes");
    }

    @Test
    void headerLengthLargerThanTheFile() throws Exception {
        byte[] header = ONE.getBytes(StandardCharsets.UTF_8);
        assertRefused(SafetensorsBytes.file(header.length + 100, header, new byte[8]),
                "header length: the header claims " + (header.length + 100) + " bytes but only " + (header.length + 8) + " follow");
    }

    @Test
    void headerLengthBeyondTheFormatLimit() throws Exception {
        assertRefused(SafetensorsBytes.file(200_000_000L, new byte[0], new byte[0]), "200000000 bytes exceeds the format's limit of 100000000");
        assertRefused(SafetensorsBytes.file(-1L, new byte[0], new byte[0]), "18446744073709551615 bytes exceeds");
    }

    @Test
    void truncatedData() throws Exception {
        assertRefused(SafetensorsBytes.file(ONE, new byte[5]), "w.data_offsets: ",
                "bytes 0..8 run past the end of the data section, which has 5 bytes (truncated file?)");
    }

    @Test
    void badJson() throws Exception {
        assertRefused(SafetensorsBytes.file("{\"w\":{\"dtype\":\"F32\",}}", new byte[0]), "invalid JSON at line 1, column 21: expected a string key");
        assertRefused(SafetensorsBytes.file("[1, 2]", new byte[0]), "header: expected a JSON object starting with '{'");
        assertRefused(SafetensorsBytes.file("{\"w\": 1}", new byte[0]), "w: expected an object, found the number 1");
        assertRefused(SafetensorsBytes.file(3, new byte[]{'{', (byte) 0xff, '}'}, new byte[0]), "header: not valid UTF-8");
    }

    @Test
    void unknownAndUnsupportedDtypes() throws Exception {
        assertRefused(SafetensorsBytes.file(ONE.replace("F32", "Q4"), new byte[8]),
                "w.dtype: dtype \"Q4\" is not supported (supported: F32, BF16, F16, I32, I64)");
        assertRefused(SafetensorsBytes.file(ONE.replace("F32", "F64").replace("[0,8]", "[0,16]"), new byte[16]),
                "w.dtype: dtype \"F64\" is not supported");
    }

    @Test
    void shapeAndByteLengthDisagree() throws Exception {
        assertRefused(SafetensorsBytes.file(ONE.replace("[2]", "[3]"), new byte[8]),
                "w.data_offsets: the tensor spans 8 bytes, but 3 elements of F32 need 12");
        assertRefused(SafetensorsBytes.file(ONE.replace("[2]", "[-2]"), new byte[8]), "w.shape[0]: expected an integer from 0");
        assertRefused(SafetensorsBytes.file(ONE.replace("[2]", "[4294967296]"), new byte[8]), "w.shape[0]: dimension 4294967296 exceeds");
        assertRefused(SafetensorsBytes.file(ONE.replace("[2]", "[2147483647,2147483647,2147483647]"), new byte[8]),
                "w.shape: the tensor's size overflows 64 bits");
    }

    @Test
    void offsetsOutOfOrderOrOverlapping() throws Exception {
        assertRefused(SafetensorsBytes.file(ONE.replace("[0,8]", "[8,0]"), new byte[8]), "w.data_offsets: begin 8 is after end 0");
        assertRefused(SafetensorsBytes.file(ONE.replace("[0,8]", "[0]"), new byte[8]), "w.data_offsets: expected an array of two offsets");
        String overlapping = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        assertRefused(SafetensorsBytes.file(overlapping, new byte[12]), "b.data_offsets: bytes 4..12 overlap tensor \"a\" (bytes 0..8)");
        String gap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        assertRefused(SafetensorsBytes.file(gap, new byte[12]), "b.data_offsets: bytes 4..8 of the data section, before this tensor, belong to no tensor");
        assertRefused(SafetensorsBytes.file(ONE, new byte[12]), "data section: it has 12 bytes but the last tensor, \"w\", ends at byte 8");
    }

    @Test
    void fieldsOutsideTheFormat() throws Exception {
        assertRefused(SafetensorsBytes.file(ONE.replace("\"shape\"", "\"strides\":[1],\"shape\""), new byte[8]),
                "w.strides: this field is not supported");
        assertRefused(SafetensorsBytes.file("{\"__metadata__\":{\"epoch\":3}," + ONE.substring(1), new byte[8]),
                "__metadata__.epoch: expected a string, found the number 3");
        // Names with dots are quoted in the JSON path, so the tensor reads as one name.
        assertRefused(SafetensorsBytes.file(ONE.replace("\"w\"", "\"model.layers.0.w\""), new byte[4]),
                "[\"model.layers.0.w\"].data_offsets: bytes 0..8 run past the end");
    }

    /** Every prefix of a valid file is a truncated file: each must fail cleanly, never crash or read garbage. */
    @Test
    void everyTruncationOfTheReferenceFileFailsCleanly() throws Exception {
        byte[] whole = Files.readAllBytes(SafetensorsReferenceTest.reference());
        for (int length = 0; length < whole.length; length++) {
            Path file = SafetensorsBytes.write(dir, "cut.safetensors", Arrays.copyOf(whole, length));
            assertThrows(FileFormatException.class, () -> SafetensorsFile.open(file).close(), "truncated to " + length + " bytes");
        }
    }

    /**
     * Random byte changes in the length field and header: the file either still opens, and then every tensor reads
     * in bounds, or fails with a FileFormatException; no other exception and no read outside the mapping.
     */
    @Test
    void corruptedHeadersFailCleanlyOrStillReadInBounds() throws Exception {
        byte[] whole = Files.readAllBytes(SafetensorsReferenceTest.reference());
        int headerEnd = 8 + (int) ByteBuffer.wrap(whole).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        SplittableRandom rnd = new SplittableRandom(7);
        int opened = 0;
        for (int trial = 0; trial < 400; trial++) {
            byte[] bytes = whole.clone();
            for (int k = 1 + rnd.nextInt(3); k > 0; k--) bytes[rnd.nextInt(headerEnd)] = (byte) rnd.nextInt(256);
            Path file = SafetensorsBytes.write(dir, "corrupt.safetensors", bytes);
            SafetensorsFile f;
            try {
                f = SafetensorsFile.open(file);
            } catch (FileFormatException expected) {
                continue;
            }
            try (f) {
                opened++;
                for (SafetensorsEntry e : f.entries()) {
                    Tensor t = e.dtype() == SafetensorsDType.F16 ? f.loadF16AsF32(e.name()) : f.tensor(e.name());
                    assertEquals(e.numel(), t.numel());
                    SafetensorsBytes.rowMajorBytes(t);
                }
            }
        }
        assertTrue(opened < 400, "no corruption was detected at all");
    }

    @Test
    void missingTensorIsNamed() throws Exception {
        Path file = SafetensorsBytes.write(dir, "good.safetensors", SafetensorsBytes.file(ONE, SafetensorsBytes.floats(1, 2)));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            FileFormatException e = assertThrows(FileFormatException.class, () -> f.tensor("lm_head.weight"));
            assertTrue(e.getMessage().equals(file + ": tensor \"lm_head.weight\": no such tensor in this file (it holds 1 tensors)"), e.getMessage());
        }
        Files.delete(file);
    }
}
