package dev.latentr3.model.checkpoint;

import dev.latentr3.model.json.FileFormatException;
import dev.latentr3.model.json.Json;
import dev.latentr3.model.json.JsonField;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parsed and checked header of a safetensors file. Layout of the format: an unsigned 64-bit little-endian header
 * length N, then N bytes of UTF-8 JSON (an object of tensor name -> {dtype, shape, data_offsets}, plus an optional
 * {@code __metadata__} object of string -> string), then the data section.
 *
 * <p>Checked as strictly as the reference implementation (Hugging Face's safetensors) checks it, so that a file we
 * accept is one it accepts too: the header length fits the file and the 100 MB limit, the JSON starts with '{',
 * each tensor's byte length is exactly its element count times its element size, and the tensors tile the data
 * section: no overlap, no gap, nothing after the last one. A truncated file therefore fails here, naming the tensor
 * whose bytes run past the end, and never reaches a read of memory beyond the mapping.
 */
record SafetensorsHeader(long dataStart, Map<String, SafetensorsEntry> entries, Map<String, String> metadata) {
    /** The reference implementation's limit: a larger header is refused there too. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    static final String METADATA_KEY = "__metadata__";

    private static final ValueLayout.OfLong U64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static SafetensorsHeader parse(MemorySegment file, String fileName) {
        long fileSize = file.byteSize();
        if (fileSize < 8) {
            throw new FileFormatException(fileName, "header length", "the file has " + fileSize
                    + " bytes, fewer than the 8-byte header length every safetensors file starts with (truncated or not a safetensors file)");
        }
        long headerLength = file.get(U64_LE, 0);
        // An unsigned length of 2^63 or more reads as negative here: too large either way.
        if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
            throw new FileFormatException(fileName, "header length", Long.toUnsignedString(headerLength)
                    + " bytes exceeds the format's limit of " + MAX_HEADER_BYTES + " bytes (corrupt or not a safetensors file)");
        }
        if (headerLength > fileSize - 8) {
            throw new FileFormatException(fileName, "header length", "the header claims " + headerLength
                    + " bytes but only " + (fileSize - 8) + " follow the length field (truncated file?)");
        }
        String text = utf8(file.asSlice(8, headerLength), fileName);
        if (text.isEmpty() || text.charAt(0) != '{') {
            throw new FileFormatException(fileName, "header", "expected a JSON object starting with '{' right after the length field");
        }
        long dataStart = 8 + headerLength;
        long dataSize = fileSize - dataStart;

        JsonField root = JsonField.root(Json.parse(text, fileName), fileName);
        Map<String, SafetensorsEntry> entries = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, JsonField> offsetsFields = new LinkedHashMap<>();
        for (Map.Entry<String, JsonField> member : root.members()) {
            String name = member.getKey();
            JsonField f = member.getValue();
            if (name.equals(METADATA_KEY)) {
                for (Map.Entry<String, JsonField> m : f.members()) metadata.put(m.getKey(), m.getValue().string());
                continue;
            }
            entries.put(name, entry(name, f, dataSize));
            offsetsFields.put(name, f.get("data_offsets"));
        }
        checkTiling(entries, offsetsFields, dataSize, fileName);
        return new SafetensorsHeader(dataStart, Collections.unmodifiableMap(entries), Collections.unmodifiableMap(metadata));
    }

    private static String utf8(MemorySegment bytes, String fileName) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes.toArray(ValueLayout.JAVA_BYTE));
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(buffer).toString();
        } catch (CharacterCodingException e) {
            throw new FileFormatException(fileName, "header", "not valid UTF-8 at byte " + (8 + buffer.position())
                    + " of the file (" + e.getMessage() + "); the header is UTF-8 JSON");
        }
    }

    private static SafetensorsEntry entry(String name, JsonField f, long dataSize) {
        f.requireOnlyKeys(Set.of("dtype", "shape", "data_offsets"));
        JsonField dtypeField = f.get("dtype");
        SafetensorsDType dtype = SafetensorsDType.byName(dtypeField.string());
        if (dtype == null) {
            throw dtypeField.unsupported("dtype \"" + dtypeField.string() + "\" is not supported (supported: "
                    + SafetensorsDType.supportedNames() + ")");
        }
        List<JsonField> dims = f.get("shape").elements();
        int[] shape = new int[dims.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            long d = dims.get(i).nonNegativeLong();
            // Our tensors index dimensions with ints; a larger one could only come from a corrupt header.
            if (d > Integer.MAX_VALUE) throw dims.get(i).unsupported("dimension " + d + " exceeds " + Integer.MAX_VALUE);
            shape[i] = (int) d;
            numel = multiplyOrFail(numel, d, f.get("shape"));
        }
        JsonField offsetsField = f.get("data_offsets");
        List<JsonField> offsets = offsetsField.elements();
        if (offsets.size() != 2) throw offsetsField.fail("an array of two offsets [begin, end]");
        long begin = offsets.get(0).nonNegativeLong();
        long end = offsets.get(1).nonNegativeLong();
        if (begin > end) throw offsetsField.unsupported("begin " + begin + " is after end " + end);
        long expected = multiplyOrFail(numel, dtype.byteSize(), f.get("shape"));
        if (end - begin != expected) {
            throw offsetsField.unsupported("the tensor spans " + (end - begin) + " bytes, but " + numel + " elements of "
                    + dtype + " need " + expected + " (shape and offsets disagree)");
        }
        if (end > dataSize) {
            throw offsetsField.unsupported("bytes " + begin + ".." + end + " run past the end of the data section, which has "
                    + dataSize + " bytes (truncated file?)");
        }
        return new SafetensorsEntry(name, dtype, shape, begin, end);
    }

    private static long multiplyOrFail(long a, long b, JsonField shape) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw shape.unsupported("the tensor's size overflows 64 bits");
        }
    }

    /** The tensors must cover the data section exactly once, in offset order (zero-byte tensors take no room). */
    private static void checkTiling(Map<String, SafetensorsEntry> entries, Map<String, JsonField> offsetsFields,
                                    long dataSize, String fileName) {
        List<SafetensorsEntry> byOffset = new ArrayList<>(entries.values());
        byOffset.sort(Comparator.comparingLong(SafetensorsEntry::begin).thenComparingLong(SafetensorsEntry::end));
        long covered = 0;
        SafetensorsEntry previous = null;
        for (SafetensorsEntry e : byOffset) {
            JsonField at = offsetsFields.get(e.name());
            if (e.begin() < covered) {
                throw at.unsupported("bytes " + e.begin() + ".." + e.end() + " overlap tensor \"" + previous.name()
                        + "\" (bytes " + previous.begin() + ".." + previous.end() + ")");
            }
            if (e.begin() > covered) {
                throw at.unsupported("bytes " + covered + ".." + e.begin() + " of the data section, before this tensor, belong to no tensor");
            }
            covered = e.end();
            if (e.byteSize() > 0) previous = e;
        }
        if (covered != dataSize) {
            String last = previous == null ? "no tensor has data" : "the last tensor, \"" + previous.name() + "\", ends at byte " + covered;
            throw new FileFormatException(fileName, "data section", "it has " + dataSize + " bytes but " + last
                    + ": bytes " + covered + ".." + dataSize + " belong to no tensor");
        }
    }
}
