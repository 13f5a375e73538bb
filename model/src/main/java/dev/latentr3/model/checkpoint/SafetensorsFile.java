package dev.latentr3.model.checkpoint;

import dev.latentr3.engine.DType;
import dev.latentr3.engine.Device;
import dev.latentr3.engine.Tensor;
import dev.latentr3.model.json.FileFormatException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SequencedSet;

/**
 * One safetensors file, memory-mapped read-only and read without copying: {@link #tensor} wraps the mapped bytes
 * as a {@link Tensor} whose storage is {@code BORROWED}, so opening a 1 GB checkpoint costs page-table entries, not
 * 1 GB of heap or a copy, and pages are read from disk when first touched.
 *
 * <p>Lifetime: the mapping belongs to an arena. {@link #open(Path)} makes a shared arena this object owns and
 * {@link #close()} unmaps it, after which every tensor wrapped from it fails with a clear "used after its memory was
 * freed" error instead of reading unmapped memory. {@link #open(Path, Arena)} maps into the caller's arena instead,
 * and then {@code close()} leaves the mapping alone (the caller's arena decides).
 *
 * <p>The tensors are read-only: a kernel writing into one (an optimizer step on a weight) fails. Training copies
 * weights into its own parameters first.
 *
 * <p>Two cases copy, each documented where it happens: F16 tensors, which the engine has no dtype for, are
 * converted to F32 by {@link #loadF16AsF32}; and a tensor whose bytes are not aligned to its element size (possible
 * only in files not written by the reference library or by us, which order tensors so that all are aligned) is
 * copied into aligned memory, because engine code may read elements with aligned accesses.
 *
 * <p>The header is checked completely when the file is opened (see {@link SafetensorsHeader}), so a truncated or
 * corrupt file fails at once with a {@link FileFormatException} naming the file, the tensor and the problem. What
 * no reader can guard against: a file truncated by another process while mapped; the OS then faults on access.
 */
public final class SafetensorsFile implements AutoCloseable {
    private static final ValueLayout.OfShort F16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final MemorySegment mapped;
    private final SafetensorsHeader header;
    private final Arena ownArena; // null when the caller's arena holds the mapping

    private SafetensorsFile(Path path, MemorySegment mapped, SafetensorsHeader header, Arena ownArena) {
        this.path = path;
        this.mapped = mapped;
        this.header = header;
        this.ownArena = ownArena;
    }

    /** Maps the file into a shared arena this object owns; {@link #close()} unmaps it. */
    public static SafetensorsFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            return open(path, arena, arena);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Maps the file into the caller's arena, which alone decides when the mapping (and every tensor) goes away. The
     * arena must not be confined: kernels read tensors from a thread pool, and {@link Tensor#wrap} refuses them.
     */
    public static SafetensorsFile open(Path path, Arena arena) throws IOException {
        return open(path, arena, null);
    }

    private static SafetensorsFile open(Path path, Arena arena, Arena ownArena) throws IOException {
        // The format is little-endian and tensors are wrapped in place, so element reads must use that order.
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException("safetensors files are little-endian; this machine is " + ByteOrder.nativeOrder());
        }
        MemorySegment mapped;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
        }
        return new SafetensorsFile(path, mapped, SafetensorsHeader.parse(mapped, path.toString()), ownArena);
    }

    public Path path() {
        return path;
    }

    /** The header's {@code __metadata__} (empty when absent), in file order. */
    public Map<String, String> metadata() {
        return header.metadata();
    }

    /** Tensor names in header order. */
    public SequencedSet<String> names() {
        return Collections.unmodifiableSequencedSet(new LinkedHashSet<>(header.entries().keySet()));
    }

    public List<SafetensorsEntry> entries() {
        return List.copyOf(header.entries().values());
    }

    public boolean contains(String name) {
        return header.entries().containsKey(name);
    }

    /** The header entry of {@code name}; fails naming the file when there is no such tensor. */
    public SafetensorsEntry entry(String name) {
        SafetensorsEntry e = header.entries().get(name);
        if (e == null) {
            throw new FileFormatException(path.toString(), "tensor \"" + name + "\"", "no such tensor in this file (it holds "
                    + header.entries().size() + " tensors)");
        }
        return e;
    }

    /**
     * The tensor {@code name} over the mapped bytes (no copy), named after it. F32, BF16, I32 and I64 only: an F16
     * tensor fails here, pointing to {@link #loadF16AsF32}.
     */
    public Tensor tensor(String name) {
        SafetensorsEntry e = entry(name);
        DType type = e.dtype().engineType();
        if (type == null) {
            throw new IllegalArgumentException(path + ": tensor \"" + name + "\" is " + e.dtype()
                    + ", which the engine has no dtype for; read it with loadF16AsF32 (a converting copy)");
        }
        MemorySegment bytes = bytes(e);
        if (bytes.address() % type.byteSize() == 0) {
            return Tensor.wrap(bytes, type, e.shape()).named(name);
        }
        Tensor aligned = Tensor.empty(Device.CPU, type, e.shape()).named(name); // file bytes: host memory
        MemorySegment.copy(bytes, 0, aligned.data(), 0, bytes.byteSize());
        return aligned;
    }

    /**
     * A new F32 host tensor (scoped or owned, as {@link Tensor#empty} allocates) holding the F16 tensor {@code name}
     * converted exactly (every half-precision value is representable in single precision). A copy, unlike
     * {@link #tensor}: the engine computes in F32 and has no half-precision type.
     */
    public Tensor loadF16AsF32(String name) {
        SafetensorsEntry e = entry(name);
        if (e.dtype() != SafetensorsDType.F16) {
            throw new IllegalArgumentException(path + ": tensor \"" + name + "\" is " + e.dtype() + ", not F16; read it with tensor(name)");
        }
        MemorySegment bytes = bytes(e);
        Tensor out = Tensor.empty(Device.CPU, DType.F32, e.shape()).named(name); // converted in Java: host memory
        MemorySegment dst = out.data();
        long n = e.numel();
        for (long i = 0; i < n; i++) {
            dst.setAtIndex(ValueLayout.JAVA_FLOAT, i, Float.float16ToFloat(bytes.getAtIndex(F16_LE, i)));
        }
        return out;
    }

    private MemorySegment bytes(SafetensorsEntry e) {
        if (!mapped.scope().isAlive()) {
            throw new IllegalStateException(path + ": tensor \"" + e.name() + "\" requested after the file was closed");
        }
        return mapped.asSlice(header.dataStart() + e.begin(), e.byteSize());
    }

    /** Unmaps the file if this object owns the mapping; tensors wrapped from it become unusable. Idempotent. */
    @Override
    public void close() {
        if (ownArena != null && ownArena.scope().isAlive()) ownArena.close();
    }
}
