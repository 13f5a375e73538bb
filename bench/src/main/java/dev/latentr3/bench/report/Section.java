package dev.latentr3.bench.report;

/**
 * A group of rows in the report: one unit, one kind of reference, and whether the CPU's fp32 peak applies (never for
 * the CUDA sections, whose peaks are the GPU's, printed in the report's GPU section).
 */
public enum Section {
    GEMM("GEMM", RateUnit.GFLOP_S, true, "OpenBLAS `cblas_sgemm` (external, same thread count, same inputs)"),
    ATTENTION("Causal attention (Qwen2.5-0.5B heads: Hq 14, Hkv 2, D 64)", RateUnit.GFLOP_S, true,
            "ReferenceAttention: our own plain-loop oracle, not an external reference"),
    ROWS("Row kernels", RateUnit.GB_S, false, "ReferenceRows: our own plain-loop oracle, not an external reference"),
    ELEMENTWISE("Element-wise and optimizer kernels", RateUnit.GB_S, false,
            "ReferenceElementwise / ReferenceOptimizer: our own plain-loop oracles, not external references"),
    TOKENIZER("Tokenizer (encode, single thread)", RateUnit.MB_S, false,
            "Hugging Face tokenizers (Rust) through DJL's JNI binding (external)"),
    CUDA_GEMM("GEMM on the CUDA device (device time from CUDA events, L2 flushed before each call)", RateUnit.TFLOP_S, false,
            "NVIDIA cuBLAS `cublasGemmEx` (external, same row-major mapping as the engine's cuBLAS path); the GPU's peaks "
                    + "and their formulas are in the GPU section below"),
    CUDA_ATTENTION("Causal attention on the CUDA device (Qwen2.5-0.5B heads; device time, L2 flushed)", RateUnit.TFLOP_S,
            false, "none bound on the GPU (no cuDNN or FlashAttention binding); compare with the fp32 peak below"),
    CUDA_ROWS("Row kernels on the CUDA device (device time, L2 flushed)", RateUnit.TB_S, false,
            "none bound on the GPU; compare with the DRAM peak below");

    public final String title;
    public final RateUnit unit;
    /** Flop rates are compared with the CPU's fp32 peak; byte rates have no detected peak to compare with. */
    public final boolean peakApplies;
    public final String reference;

    Section(String title, RateUnit unit, boolean peakApplies, String reference) {
        this.title = title;
        this.unit = unit;
        this.peakApplies = peakApplies;
        this.reference = reference;
    }
}
