package dev.latentr3.kernels.cpu;

import dev.latentr3.kernels.Backend;

/** The two CPU backends: plain reference kernels (the oracle) and the fast ones (Vector API, all cores). */
public final class CpuBackends {
    private CpuBackends() {}

    private static final Backend FAST = new Backend("cpu", new FastGemm(), new FastElementwise(), new FastRows(),
            new FastAttention(), new FastOptimizer());

    private static final Backend REFERENCE = new Backend("cpu-reference", new ReferenceGemm(), new ReferenceElementwise(),
            new ReferenceRows(), new ReferenceAttention(), new ReferenceOptimizer());

    public static Backend fast() {
        return FAST;
    }

    public static Backend reference() {
        return REFERENCE;
    }
}
