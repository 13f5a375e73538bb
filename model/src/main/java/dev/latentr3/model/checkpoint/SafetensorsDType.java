package dev.latentr3.model.checkpoint;

import dev.latentr3.engine.DType;

import java.util.Arrays;

/**
 * The safetensors element types we read, by their names in the header. The format defines more (F64, I8, U8, BOOL,
 * F8_*, ...); a file holding any of those is refused by name rather than read as the wrong bits.
 */
public enum SafetensorsDType {
    F32(4, DType.F32),
    BF16(2, DType.BF16),
    /** Half precision has no engine dtype: read it with a converting copy, {@link SafetensorsFile#loadF16AsF32}. */
    F16(2, null),
    I32(4, DType.I32),
    I64(8, DType.I64);

    private final int byteSize;
    private final DType engineType;

    SafetensorsDType(int byteSize, DType engineType) {
        this.byteSize = byteSize;
        this.engineType = engineType;
    }

    public int byteSize() {
        return byteSize;
    }

    /** The engine dtype the bytes can be wrapped as without conversion, or null (F16). */
    public DType engineType() {
        return engineType;
    }

    /** The header name of an engine dtype: every engine dtype has one. */
    public static SafetensorsDType of(DType type) {
        return switch (type) {
            case F32 -> F32;
            case BF16 -> BF16;
            case I32 -> I32;
            case I64 -> I64;
        };
    }

    /** The type named {@code name} in a header, or null when we do not support it. */
    static SafetensorsDType byName(String name) {
        for (SafetensorsDType t : values()) {
            if (t.name().equals(name)) return t;
        }
        return null;
    }

    static String supportedNames() {
        return String.join(", ", Arrays.stream(values()).map(Enum::name).toList());
    }
}
