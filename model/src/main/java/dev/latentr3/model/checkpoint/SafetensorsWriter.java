package dev.latentr3.model.checkpoint;

import dev.latentr3.engine.Device;
import dev.latentr3.engine.Tensor;
import dev.latentr3.model.json.JsonWriter;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.UUID;

/**
 * Writes tensors as one safetensors file that Hugging Face's library and our {@link SafetensorsFile} both read.
 *
 * <p>Layout choices, each for a reason:
 * <ul>
 *   <li>the header lists the tensors in the caller's order, {@code __metadata__} first;</li>
 *   <li>the JSON is padded with spaces to a multiple of 8 bytes, as the format recommends, so the data section starts
 *   8-aligned;</li>
 *   <li>in the data section, tensors are laid out by element size, largest first (stable otherwise), as the reference
 *   writer does: with an 8-aligned start and no gaps (the format allows none) every tensor is then aligned to its
 *   element size, so readers can wrap it in place;</li>
 *   <li>any strides are accepted (views, transposes, broadcasts); each tensor's elements are written in row-major
 *   order; tensors on a device are copied to the host one at a time;</li>
 *   <li>the file is written to a temporary file in the same folder and renamed over the target atomically, so a
 *   crash mid-write never leaves a half-written checkpoint under the real name, and readers that still map the old
 *   file keep seeing the old bytes.</li>
 * </ul>
 */
public final class SafetensorsWriter {
    private SafetensorsWriter() {}

    private static final ValueLayout.OfLong U64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private record Placed(Tensor tensor, SafetensorsDType dtype, long begin, long end) {}

    /** Writes {@code tensors} (in that order in the header) and {@code metadata} (string values) to {@code file}. */
    public static void write(Path file, SequencedMap<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException("safetensors files are little-endian; this machine is " + ByteOrder.nativeOrder());
        }
        Map<String, Placed> placed = place(tensors);
        byte[] header = header(tensors, placed, metadata);
        long dataStart = 8L + header.length;
        long total = dataStart + placed.values().stream().mapToLong(Placed::end).max().orElse(0);

        Path target = file.toAbsolutePath();
        // Not Files.createTempFile: its owner-only permissions would carry over to the checkpoint.
        Path temporary = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE); Arena arena = Arena.ofShared()) {
                // Shared, not confined: the fast copy kernel writes large tensors from its worker threads.
                MemorySegment out = channel.map(FileChannel.MapMode.READ_WRITE, 0, total, arena);
                out.set(U64_LE, 0, header.length);
                MemorySegment.copy(header, 0, out, ValueLayout.JAVA_BYTE, 8, header.length);
                for (Placed p : placed.values()) {
                    if (p.begin == p.end) continue;
                    // Device memory cannot be read from the host: a device tensor is copied down first, one at a
                    // time, and that copy freed at once (a checkpoint of a model on a GPU needs no second host copy).
                    Tensor t = p.tensor.device().isCpu() ? p.tensor : p.tensor.detach().to(Device.CPU);
                    try {
                        // Row-major bytes straight from the (possibly strided) view into the mapped file: no staging copy.
                        t.backend().elementwise().copyStrided(p.dtype.byteSize(), t.shape(), t.data(), t.strides(),
                                out.asSlice(dataStart + p.begin, p.end - p.begin));
                    } finally {
                        if (t != p.tensor) t.close();
                    }
                }
                out.force();
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException | Error e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
    }

    /** Checks each tensor and gives it its byte range: stable order by element size, largest first, no gaps. */
    private static Map<String, Placed> place(SequencedMap<String, Tensor> tensors) {
        List<Map.Entry<String, Tensor>> order = new ArrayList<>(tensors.entrySet());
        for (Map.Entry<String, Tensor> e : order) check(e.getKey(), e.getValue());
        order.sort(Comparator.comparingInt((Map.Entry<String, Tensor> e) -> e.getValue().dtype().byteSize()).reversed());
        Map<String, Placed> placed = new LinkedHashMap<>();
        long at = 0;
        for (Map.Entry<String, Tensor> e : order) {
            Tensor t = e.getValue();
            SafetensorsDType dtype = SafetensorsDType.of(t.dtype());
            long bytes = t.numel() * dtype.byteSize();
            placed.put(e.getKey(), new Placed(t, dtype, at, at + bytes));
            at += bytes;
        }
        return placed;
    }

    private static void check(String name, Tensor t) {
        if (name == null || t == null) throw new IllegalArgumentException("SafetensorsWriter: null tensor name or tensor");
        if (name.equals(SafetensorsHeader.METADATA_KEY)) {
            throw new IllegalArgumentException("SafetensorsWriter: \"" + name + "\" is reserved for the header's metadata, not a tensor name");
        }
        t.checkAlive("SafetensorsWriter (tensor \"" + name + "\")");
    }

    private static byte[] header(SequencedMap<String, Tensor> tensors, Map<String, Placed> placed, Map<String, String> metadata) {
        Map<String, Object> json = new LinkedHashMap<>();
        if (!metadata.isEmpty()) json.put(SafetensorsHeader.METADATA_KEY, new LinkedHashMap<>(metadata));
        for (String name : tensors.keySet()) {
            Placed p = placed.get(name);
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", p.dtype.name());
            entry.put("shape", Arrays.stream(p.tensor.shape()).boxed().toList());
            entry.put("data_offsets", List.of(p.begin, p.end));
            json.put(name, entry);
        }
        byte[] text = JsonWriter.compact(json).getBytes(StandardCharsets.UTF_8);
        int padded = (text.length + 7) / 8 * 8;
        byte[] header = new byte[padded];
        System.arraycopy(text, 0, header, 0, text.length);
        for (int i = text.length; i < padded; i++) header[i] = ' ';
        return header;
    }
}
