package dev.latentr3.bench.report;

import dev.latentr3.bench.AttentionBenchmark;
import dev.latentr3.bench.CudaAttentionBenchmark;
import dev.latentr3.bench.CudaBench;
import dev.latentr3.bench.CudaCopyBenchmark;
import dev.latentr3.bench.CudaGemmBenchmark;
import dev.latentr3.bench.CudaLogProbGatherBenchmark;
import dev.latentr3.bench.CudaLrGrpoStepBenchmark;
import dev.latentr3.bench.CudaRmsNormBenchmark;
import dev.latentr3.bench.CudaTrainStepBenchmark;
import dev.latentr3.bench.CudaRopeBenchmark;
import dev.latentr3.bench.CudaSwiGluBenchmark;
import dev.latentr3.bench.ElementwiseBenchmark;
import dev.latentr3.bench.EvaluationBenchmark;
import dev.latentr3.bench.GemmBenchmark;
import dev.latentr3.bench.GemmShape;
import dev.latentr3.bench.LogProbGatherBenchmark;
import dev.latentr3.bench.LrGrpoStepBenchmark;
import dev.latentr3.bench.OpenBlas;
import dev.latentr3.bench.RmsNormBenchmark;
import dev.latentr3.bench.RowBenchData;
import dev.latentr3.bench.TokenizerBenchText;
import dev.latentr3.bench.TokenizerBenchmark;
import dev.latentr3.bench.TrainShapes;
import dev.latentr3.bench.TrainStepBenchmark;
import dev.latentr3.kernels.cuda.CublasHandle;
import dev.latentr3.kernels.cuda.CudaRuntime;
import dev.latentr3.train.rl.LrGrpoConfig;
import org.openjdk.jmh.annotations.Param;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every comparison the report makes, with the work one call does, taken from the formulas the benchmark classes
 * define (GemmShape, AttentionBenchmark, RowBenchData, ElementwiseBenchmark, TokenizerBenchText) and the parameter
 * values from their {@code @Param} annotations, so the report follows the benchmarks when they change.
 */
public final class Workloads {
    private Workloads() {}

    public static List<Comparison> all() {
        List<Comparison> out = new ArrayList<>();
        gemm(out);
        attention(out);
        rows(out);
        elementwise(out);
        tokenizer(out);
        training(out);
        lrGrpo(out);
        evaluation(out);
        cuda(out);
        cudaTraining(out);
        return out;
    }

    /**
     * The GPU rows. GEMM, per shape: our kernel against cuBLAS (fp32), then our cuBLAS path against PyTorch's
     * {@code torch.mm} in fp32, TF32 and bf16 (bench/torch/gpu_ops.py: same shapes, dtypes and timing protocol).
     * Attention: ours against PyTorch's SDPA, forward and forward+backward. Row kernels: each against a device copy
     * that moves as many bytes ({@link CudaCopyBenchmark}, {@link RowBenchData#copyBytesFor}), so ours / reference is
     * the kernel's fraction of copy bandwidth at its size; and the copy itself against PyTorch's {@code Tensor.copy_}.
     * Without a usable device every side is "not run: no CUDA device (reason)"; without cuBLAS the cuBLAS sides say why.
     */
    private static void cuda(List<Comparison> out) {
        String noDevice = CudaBench.unavailable();
        String skip = noDevice == null ? null : "not run: " + noDevice;
        String noCublas = skip;
        if (skip == null) {
            CublasHandle.Availability c = CublasHandle.of(CudaRuntime.device().runtime());
            if (!c.available()) noCublas = "not run: " + c.reason();
        }
        for (String shape : paramValues(CudaGemmBenchmark.class, "shape")) {
            GemmShape g = GemmShape.parse(shape);
            BenchRun cublasFp32 = run("CudaGemmBenchmark.gemm", "impl", "cublas-fp32", "shape", shape);
            out.add(new Comparison(Section.CUDA_GEMM, "fp32 " + shape + ": our kernel vs cuBLAS",
                    run("CudaGemmBenchmark.gemm", "impl", "ours-fp32", "shape", shape), cublasFp32, g.flops(), skip, noCublas));
            for (String p : List.of("fp32", "tf32", "bf16")) {
                out.add(new Comparison(Section.CUDA_GEMM, p + " " + shape + ": our cuBLAS path vs torch.mm",
                        p.equals("fp32") ? cublasFp32 : run("CudaGemmBenchmark.gemm", "impl", "cublas-" + p, "shape", shape),
                        torchMatmul(g, shape, p), g.flops(), noCublas, skip));
            }
        }
        for (String len : paramValues(CudaAttentionBenchmark.class, "seqLen")) {
            int l = Integer.parseInt(len);
            out.add(new Comparison(Section.CUDA_ATTENTION, "forward L=" + len,
                    run("CudaAttentionBenchmark.forward", "seqLen", len), torchSdpa(l, "forward"),
                    AttentionBenchmark.forwardFlops(l), skip, skip));
            out.add(new Comparison(Section.CUDA_ATTENTION, "forward+backward L=" + len,
                    run("CudaAttentionBenchmark.forwardBackward", "seqLen", len), torchSdpa(l, "forward-backward"),
                    AttentionBenchmark.forwardBackwardFlops(l), skip, skip));
        }
        for (String bytes : paramValues(CudaCopyBenchmark.class, "bytes")) {
            long b = Long.parseLong(bytes);
            Map<String, String> args = new LinkedHashMap<>();
            args.put("op", "copy");
            args.put("bytes", bytes);
            out.add(new Comparison(Section.CUDA_ROWS, "device copy " + humanBytes(b) + " vs torch copy_",
                    run("CudaCopyBenchmark.copy", "bytes", bytes), gpuScript(args, Map.of("bytes", b)),
                    RowBenchData.copyBytesMoved(b), skip, skip));
        }
        for (String rows : paramValues(CudaRmsNormBenchmark.class, "rows")) {
            for (String dim : paramValues(CudaRmsNormBenchmark.class, "dim")) {
                out.add(againstCopy("rmsNorm " + rows + "x" + dim, run("CudaRmsNormBenchmark.forward", "rows", rows, "dim", dim),
                        RowBenchData.rmsNormBytes(Integer.parseInt(rows), Integer.parseInt(dim)), skip));
            }
        }
        for (String rows : paramValues(CudaLogProbGatherBenchmark.class, "rows")) {
            for (String vocab : paramValues(CudaLogProbGatherBenchmark.class, "vocab")) {
                int r = Integer.parseInt(rows), v = Integer.parseInt(vocab);
                out.add(againstCopy("logProbGather forward " + rows + "x" + vocab,
                        run("CudaLogProbGatherBenchmark.forward", "rows", rows, "vocab", vocab),
                        RowBenchData.logProbForwardBytes(r, v), skip));
                out.add(againstCopy("logProbGather backward " + rows + "x" + vocab,
                        run("CudaLogProbGatherBenchmark.backward", "rows", rows, "vocab", vocab),
                        RowBenchData.logProbBackwardBytes(r, v), skip));
            }
        }
        for (String rows : paramValues(CudaSwiGluBenchmark.class, "rows")) {
            for (String width : paramValues(CudaSwiGluBenchmark.class, "intermediate")) {
                long n = Long.parseLong(rows) * Integer.parseInt(width);
                out.add(againstCopy("swiglu forward " + rows + "x" + width,
                        run("CudaSwiGluBenchmark.forward", "rows", rows, "intermediate", width),
                        RowBenchData.swigluForwardBytes(n), skip));
                out.add(againstCopy("swiglu backward " + rows + "x" + width,
                        run("CudaSwiGluBenchmark.backward", "rows", rows, "intermediate", width),
                        RowBenchData.swigluBackwardBytes(n), skip));
            }
        }
        for (String tokens : paramValues(CudaRopeBenchmark.class, "tokens")) {
            for (String heads : paramValues(CudaRopeBenchmark.class, "heads")) {
                int[] hd = CudaRopeBenchmark.parseHeads(heads);
                out.add(againstCopy("rope " + tokens + "x" + heads, run("CudaRopeBenchmark.forward", "tokens", tokens, "heads", heads),
                        RowBenchData.ropeBytes(Integer.parseInt(tokens), hd[0], hd[1]), skip));
            }
        }
    }

    /** A GPU row kernel against the device copy that moves as many bytes. */
    private static Comparison againstCopy(String label, BenchRun ours, long moved, String skip) {
        return new Comparison(Section.CUDA_ROWS, label + " vs copy", ours,
                run("CudaCopyBenchmark.copy", "bytes", Long.toString(RowBenchData.copyBytesFor(moved))), moved, skip, skip);
    }

    /** torch.mm at a CudaGemmBenchmark shape and precision; the script must report the same shape and dtypes. */
    private static ScriptRun torchMatmul(GemmShape g, String shape, String precision) {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("op", "matmul");
        args.put("shape", shape);
        args.put("precision", precision);
        Map<String, Object> expect = new LinkedHashMap<>();
        expect.put("m", (long) g.m());
        expect.put("n", (long) g.n());
        expect.put("k", (long) g.k());
        expect.put("trans_a", g.transA() ? "T" : "N");
        expect.put("trans_b", g.transB() ? "T" : "N");
        expect.put("out_dtype", precision.equals("bf16") ? "torch.bfloat16" : "torch.float32");
        expect.put("allow_tf32", precision.equals("tf32"));
        return gpuScript(args, expect);
    }

    /** PyTorch's SDPA at CudaAttentionBenchmark's shape; the script must report the same heads, length and dtype. */
    private static ScriptRun torchSdpa(int len, String pass) {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("op", "sdpa");
        args.put("seq-len", Integer.toString(len));
        args.put("pass", pass);
        Map<String, Object> expect = new LinkedHashMap<>();
        expect.put("batch", (long) AttentionBenchmark.BATCH);
        expect.put("heads", (long) AttentionBenchmark.HQ);
        expect.put("kv_heads", (long) AttentionBenchmark.HKV);
        expect.put("head_dim", (long) AttentionBenchmark.HEAD_DIM);
        expect.put("seq_len", (long) len);
        expect.put("causal", true);
        expect.put("dtype", "torch.float32");
        expect.put("pass", pass);
        return gpuScript(args, expect);
    }

    private static ScriptRun gpuScript(Map<String, String> args, Map<String, ?> expect) {
        return new ScriptRun(GPU_OPS, args, GPU_ROUND_SECONDS, expect);
    }

    static final String GPU_OPS = "bench/torch/gpu_ops.py";

    /** The least length of one timed round of gpu_ops.py in reported mode: the CUDA benchmarks' iteration time. */
    private static final double GPU_ROUND_SECONDS = 1;

    private static String humanBytes(long b) {
        return b % (1L << 30) == 0 ? (b >> 30) + " GiB" : b % (1L << 20) == 0 ? (b >> 20) + " MiB" : b + " bytes";
    }

    private static void gemm(List<Comparison> out) {
        String noBlas = OpenBlas.available() ? null : "not run: " + OpenBlas.problem();
        for (String shape : paramValues(GemmBenchmark.class, "shape")) {
            out.add(new Comparison(Section.GEMM, shape, run("GemmBenchmark.fastGemm", "shape", shape),
                    run("GemmBenchmark.openBlas", "shape", shape), GemmShape.parse(shape).flops(), null, noBlas));
        }
    }

    private static void attention(List<Comparison> out) {
        List<String> referenceLens = paramValues(AttentionBenchmark.Reference.class, "seqLen");
        for (String len : paramValues(AttentionBenchmark.Fast.class, "seqLen")) {
            int l = Integer.parseInt(len);
            boolean hasRef = referenceLens.contains(len);
            String why = hasRef ? null : "not run: the scalar reference is O(L^2 D) and benchmarked only at L = " + String.join(", ", referenceLens);
            out.add(new Comparison(Section.ATTENTION, "forward L=" + len, run("AttentionBenchmark.fastForward", "seqLen", len),
                    hasRef ? run("AttentionBenchmark.referenceForward", "seqLen", len) : null,
                    AttentionBenchmark.forwardFlops(l), null, why));
            out.add(new Comparison(Section.ATTENTION, "forward+backward L=" + len,
                    run("AttentionBenchmark.fastForwardBackward", "seqLen", len),
                    hasRef ? run("AttentionBenchmark.referenceForwardBackward", "seqLen", len) : null,
                    AttentionBenchmark.forwardBackwardFlops(l), null, why));
        }
    }

    private static void rows(List<Comparison> out) {
        for (String rows : paramValues(RmsNormBenchmark.class, "rows")) {
            for (String dim : paramValues(RmsNormBenchmark.class, "dim")) {
                out.add(new Comparison(Section.ROWS, "rmsNorm " + rows + "x" + dim,
                        run("RmsNormBenchmark.forward", "impl", "fast", "rows", rows, "dim", dim),
                        run("RmsNormBenchmark.forward", "impl", "reference", "rows", rows, "dim", dim),
                        RowBenchData.rmsNormBytes(Integer.parseInt(rows), Integer.parseInt(dim)), null, null));
            }
        }
        for (String rows : paramValues(LogProbGatherBenchmark.class, "rows")) {
            for (String vocab : paramValues(LogProbGatherBenchmark.class, "vocab")) {
                int r = Integer.parseInt(rows), v = Integer.parseInt(vocab);
                out.add(new Comparison(Section.ROWS, "logProbGather forward " + rows + "x" + vocab,
                        run("LogProbGatherBenchmark.forward", "impl", "fast", "rows", rows, "vocab", vocab),
                        run("LogProbGatherBenchmark.forward", "impl", "reference", "rows", rows, "vocab", vocab),
                        RowBenchData.logProbForwardBytes(r, v), null, null));
                out.add(new Comparison(Section.ROWS, "logProbGather backward " + rows + "x" + vocab,
                        run("LogProbGatherBenchmark.backward", "impl", "fast", "rows", rows, "vocab", vocab),
                        run("LogProbGatherBenchmark.backward", "impl", "reference", "rows", rows, "vocab", vocab),
                        RowBenchData.logProbBackwardBytes(r, v), null, null));
            }
        }
    }

    private static void elementwise(List<Comparison> out) {
        Map<String, Long> bytes = new LinkedHashMap<>();
        bytes.put("addContiguous", ElementwiseBenchmark.ADD_BYTES);
        bytes.put("biasAdd", ElementwiseBenchmark.BIAS_BYTES);
        bytes.put("transpose", ElementwiseBenchmark.TRANSPOSE_BYTES);
        bytes.put("reduceSumColumns", ElementwiseBenchmark.REDUCE_BYTES);
        bytes.put("reduceSumRows", ElementwiseBenchmark.REDUCE_BYTES);
        bytes.put("adamw", ElementwiseBenchmark.ADAMW_BYTES);
        bytes.forEach((method, b) -> out.add(new Comparison(Section.ELEMENTWISE, method,
                run("ElementwiseBenchmark." + method, "impl", "fast"),
                run("ElementwiseBenchmark." + method, "impl", "reference"), b, null, null)));
    }

    private static void tokenizer(List<Comparison> out) {
        String missingJson = null;
        try {
            TokenizerBenchText.qwenTokenizerJson();
        } catch (IllegalStateException e) {
            missingJson = "not run: " + e.getMessage();
        }
        for (String text : paramValues(TokenizerBenchmark.class, "text")) {
            List<String> lines = null;
            String skip = missingJson;
            try {
                lines = text.equals("titles") ? TokenizerBenchText.amazonTitles() : TokenizerBenchText.mixed();
            } catch (Exception e) {
                skip = "not run: " + e.getMessage();
            }
            for (String unit : paramValues(TokenizerBenchmark.class, "unit")) {
                // Same input bytes as TokenizerBenchmark.setUp counts: the lines, or the lines joined by newlines.
                double bytes = lines == null ? Double.NaN : TokenizerBenchText.utf8Bytes(
                        unit.equals("document") ? List.of(String.join("\n", lines)) : lines);
                // Against DJL's encode (what a JVM caller of DJL pays) and against HF's encode with ids only.
                out.add(new Comparison(Section.TOKENIZER, text + ", " + unit + ", HF via DJL encode",
                        run("TokenizerBenchmark.encodeAllLines", "impl", "ours", "text", text, "unit", unit),
                        run("TokenizerBenchmark.encodeAllLines", "impl", "huggingface", "text", text, "unit", unit),
                        bytes, skip, skip));
                out.add(new Comparison(Section.TOKENIZER, text + ", " + unit + ", HF ids only",
                        run("TokenizerBenchmark.encodeAllLines", "impl", "ours", "text", text, "unit", unit),
                        run("TokenizerBenchmark.encodeAllLines", "impl", "huggingface-ids", "text", text, "unit", unit),
                        bytes, skip, skip));
            }
        }
    }

    /** Our training step against PyTorch's, per preset; tokens per second over every token of the batch. */
    private static void training(List<Comparison> out) {
        for (String preset : paramValues(TrainStepBenchmark.class, "preset")) {
            Map<String, String> args = new LinkedHashMap<>();
            args.put("preset", preset);
            args.put("rows", Integer.toString(TrainShapes.ROWS));
            args.put("prompt", Integer.toString(TrainShapes.PROMPT));
            args.put("target", Integer.toString(TrainShapes.TARGET));
            out.add(new Comparison(Section.TRAINING, preset + " (" + TrainShapes.parameters(preset) + " parameters)",
                    run("TrainStepBenchmark.step", "preset", preset),
                    new ScriptRun("bench/torch/train_step.py", args, SCRIPT_ROUND_SECONDS,
                            Map.of("params", TrainShapes.parameters(preset), "tokens_per_step", TrainShapes.tokensPerStep())),
                    TrainShapes.tokensPerStep(), null, null));
        }
    }

    /** Our LR-GRPO micro-step against the reference code's per-copy step in PyTorch; one call = one micro-step. */
    private static void lrGrpo(List<Comparison> out) {
        String preset = LrGrpoStepBenchmark.PRESET;
        Map<String, String> args = new LinkedHashMap<>();
        args.put("preset", preset);
        args.put("groups", Integer.toString(TrainShapes.GROUPS));
        args.put("copies", "8");
        args.put("prompt", Integer.toString(TrainShapes.PROMPT));
        args.put("target", Integer.toString(TrainShapes.TARGET));
        out.add(new Comparison(Section.LRGRPO, preset + ": LrGrpoStep vs the per-copy step in PyTorch",
                run("LrGrpoStepBenchmark.step", "impl", "shared"),
                new ScriptRun("bench/torch/lrgrpo_step.py", args, SCRIPT_ROUND_SECONDS,
                        Map.of("params", TrainShapes.parameters(preset))),
                1, null, null));
        out.add(new Comparison(Section.LRGRPO, preset + ": LrGrpoStep vs the per-copy step on our engine",
                run("LrGrpoStepBenchmark.step", "impl", "shared"),
                run("LrGrpoStepBenchmark.step", "impl", "per-copy"), 1, null, null));
    }

    /**
     * The GPU training rows: our SFT step and LR-GRPO micro-step on the CUDA device against the PyTorch scripts with
     * {@code --device cuda}, per preset of the benchmarks' {@code @Param}; the script must report our parameter count.
     * Without a usable device both sides say "not run: no CUDA device (reason)".
     */
    private static void cudaTraining(List<Comparison> out) {
        String noDevice = CudaBench.unavailable();
        String skip = noDevice == null ? null : "not run: " + noDevice;
        for (String preset : paramValues(CudaTrainStepBenchmark.class, "preset")) {
            Map<String, String> args = new LinkedHashMap<>();
            args.put("preset", preset);
            args.put("rows", Integer.toString(TrainShapes.ROWS));
            args.put("prompt", Integer.toString(TrainShapes.PROMPT));
            args.put("target", Integer.toString(TrainShapes.TARGET));
            args.put("device", "cuda");
            out.add(new Comparison(Section.CUDA_TRAINING, "SFT step " + preset,
                    run("CudaTrainStepBenchmark.step", "preset", preset),
                    new ScriptRun("bench/torch/train_step.py", args, SCRIPT_ROUND_SECONDS,
                            Map.of("params", TrainShapes.parameters(preset), "tokens_per_step", TrainShapes.tokensPerStep())),
                    TrainShapes.tokensPerStep(), skip, skip));
        }
        for (String preset : paramValues(CudaLrGrpoStepBenchmark.class, "preset")) {
            Map<String, String> args = new LinkedHashMap<>();
            args.put("preset", preset);
            args.put("groups", Integer.toString(TrainShapes.GROUPS));
            args.put("copies", Integer.toString(LrGrpoConfig.reference().groupSize()));
            args.put("prompt", Integer.toString(TrainShapes.PROMPT));
            args.put("target", Integer.toString(TrainShapes.TARGET));
            args.put("device", "cuda");
            out.add(new Comparison(Section.CUDA_LRGRPO, "LR-GRPO micro-step " + preset,
                    run("CudaLrGrpoStepBenchmark.step", "preset", preset),
                    new ScriptRun("bench/torch/lrgrpo_step.py", args, SCRIPT_ROUND_SECONDS,
                            Map.of("params", TrainShapes.parameters(preset))),
                    1, skip, skip));
        }
    }

    /** Evaluation of the latent model against the same LLM without the thought token; one call = USERS users. */
    private static void evaluation(List<Comparison> out) {
        out.add(new Comparison(Section.EVALUATION, "latent vs no thought token",
                run("EvaluationBenchmark.evaluate", "model", "latent"),
                run("EvaluationBenchmark.evaluate", "model", "baseline"), EvaluationBenchmark.USERS, null, null));
    }

    /** The least length of one timed round of a PyTorch script in reported mode, as the Java side's iterations. */
    private static final double SCRIPT_ROUND_SECONDS = 5;

    private static BenchRun run(String benchmark, String... keyValues) {
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) params.put(keyValues[i], keyValues[i + 1]);
        return new BenchRun(benchmark, params);
    }

    /** The values of a benchmark state's {@code @Param} field: the list the benchmark itself runs. */
    static List<String> paramValues(Class<?> state, String field) {
        try {
            Param p = state.getField(field).getAnnotation(Param.class);
            if (p == null) throw new IllegalStateException(state.getSimpleName() + "." + field + " has no @Param");
            return List.of(p.value());
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(state.getSimpleName() + " has no public @Param field '" + field + "'", e);
        }
    }
}
