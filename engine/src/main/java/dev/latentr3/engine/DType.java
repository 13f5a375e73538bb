package dev.latentr3.engine;

/** Element types. Compute is fp32; BF16 is a storage type (weights, casts); I32/I64 hold indices. */
public enum DType {
    F32(4, true), BF16(2, true), I32(4, false), I64(8, false);

    private final int byteSize;
    private final boolean floating;

    DType(int byteSize, boolean floating) {
        this.byteSize = byteSize;
        this.floating = floating;
    }

    public int byteSize() {
        return byteSize;
    }

    public boolean isFloating() {
        return floating;
    }
}
