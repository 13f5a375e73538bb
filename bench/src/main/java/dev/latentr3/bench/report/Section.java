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
            "Hugging Face tokenizers (Rust) through DJL's JNI binding (external), two ways: DJL's encode, which after the "
                    + "Rust encode also copies every token as a Java String and its span as an object (what a DJL caller "
                    + "pays), and the JNI encode with the id array only (the Rust tokenizer's own speed, less one JNI crossing)"),
    TRAINING("Training step: forward, backward, clip, AdamW; 4 rows of 200 prompt + 20 target tokens, loss on the target",
            RateUnit.TOKENS_S, false,
            "PyTorch on the CPU (external; bench/torch/train_step.py): the same Qwen2 shapes, fp32, batch, loss, "
                    + "clipping and AdamW settings, torch.set_num_threads = our kernel threads"),
    LRGRPO("LR-GRPO micro-step: tiny preset, 2 groups of G = 8 copies, 200-token prompts, 20-token targets",
            RateUnit.STEPS_S, false,
            "the released code's step, where every copy recomputes r and both LLM passes, twice (method doc 3.2, "
                    + "10.2), written out in PyTorch (external; bench/torch/lrgrpo_step.py) and run on our engine (train's "
                    + "test oracle PerCopyReference); ours computes r once per group and batches the copies. Against the "
                    + "per-copy step on our engine, the ratio is the saving of the design alone"),
    EVALUATION("Constrained beam-search evaluation: 10 beams, 12 synthetic users in one batch, tiny preset",
            RateUnit.USERS_S, false,
            "the same LLM without the thought token (BIGRec-style); ours / reference below 1 is the cost of the "
                    + "latent token at inference, reference / ours its latency ratio"),
    CUDA_GEMM("GEMM on the CUDA device (device time from CUDA events, L2 flushed before each call)", RateUnit.TFLOP_S, false,
            "for our kernel's fp32 rows, NVIDIA cuBLAS `cublasGemmEx` (external, the same row-major mapping as the "
                    + "engine's cuBLAS path); for our cuBLAS path's rows, PyTorch's `torch.mm` (external; "
                    + "bench/torch/gpu_ops.py: same shapes and layouts, fp32 with allow_tf32 off, TF32 with it on, bf16 "
                    + "operands and output; CUDA events around the call after overwriting twice the L2, random inputs). "
                    + "The GPU's peaks and their formulas are in the GPU section below"),
    CUDA_ATTENTION("Causal attention on the CUDA device (Qwen2.5-0.5B heads: Hq 14, Hkv 2, D 64, fp32; device time, L2 flushed)",
            RateUnit.TFLOP_S, false,
            "PyTorch's `scaled_dot_product_attention` (external; bench/torch/gpu_ops.py): causal, fp32, K and V repeated "
                    + "to 14 heads before the timed calls; forward+backward is the forward and the gradients of q, k and v "
                    + "in one timed call, as ours. The backend torch's dispatcher picked is in the notes"),
    CUDA_ROWS("Row kernels on the CUDA device (device time, L2 flushed)", RateUnit.TB_S, false,
            "a device-to-device copy (`cuMemcpyDtoD`) that moves as many bytes as the kernel (half of them read, half "
                    + "written), measured in the same run: ours / reference is the kernel's fraction of the device's "
                    + "copy bandwidth at its size. The copy itself is compared with PyTorch's `Tensor.copy_` "
                    + "(bench/torch/gpu_ops.py)"),
    CUDA_TRAINING("SFT step on the CUDA device: Qwen2.5-0.5B and -1.5B shapes, random weights, fp32; forward, backward, "
            + "clip, AdamW; 4 rows of 200 prompt + 20 target tokens (wall clock per step, synchronized)", RateUnit.TOKENS_S,
            false, "PyTorch eager on the same GPU (external; bench/torch/train_step.py --device cuda): the same shapes, "
                    + "batch, loss, clipping and AdamW settings, fp32 with TF32 off; each side's peak device memory over "
                    + "the timed steps is in the notes"),
    CUDA_LRGRPO("LR-GRPO micro-step on the CUDA device: Qwen2.5-0.5B and -1.5B shapes, 2 groups of G = 8 copies, 200-token "
            + "prompts, 20-token targets, fp32 (wall clock per step, synchronized)", RateUnit.STEPS_S, false,
            "the released code's per-copy step in PyTorch eager on the same GPU (external; bench/torch/lrgrpo_step.py "
                    + "--device cuda, fp32 with TF32 off); ours computes r once per group and batches the copies. "
                    + "Each side's peak device memory over the timed steps is in the notes");

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
