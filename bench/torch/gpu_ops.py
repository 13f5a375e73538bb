"""PyTorch CUDA references for the bench report's GPU rows, one case per invocation, timed as our CUDA benchmarks
are (bench/.../CudaBench.java): before each call, a buffer of twice the device's L2 size is overwritten, so no operand
comes from a warm L2; then CUDA events recorded around the op alone give its device time. A round is at least
--rep-seconds of wall time (at least one call); its figure is the sum of its calls' event times / its calls.

Cases (the shapes and dtypes of the Java benchmark each row compares with):
  --op matmul --shape MxNxK[/XY] --precision fp32|tf32|bf16
      C = A B as bench/.../GemmShape names it (X, Y: A, B stored transposed), torch.mm into a preallocated C.
      fp32: torch.backends.cuda.matmul.allow_tf32 = False; tf32: True; bf16: bf16 A, B and C (fp32 accumulation),
      as CudaGemmBenchmark's cublas-bf16 (CublasHandle.Precision.BF16). Inputs uniform in [-1, 1).
  --op sdpa --seq-len L --pass forward|forward-backward
      torch.nn.functional.scaled_dot_product_attention, causal, fp32, at CudaAttentionBenchmark's shape (batch 1,
      14 query heads, 2 KV heads, head dim 64). K and V are repeated to 14 heads before the timed calls (as Hugging
      Face's Qwen2 does before SDPA), so every SDPA backend can take them; the backend torch's dispatcher picks for
      these inputs is reported. forward-backward times the forward and torch.autograd.grad for dq, dk, dv with a
      random dOut in one timed call, as our forwardBackward does.
  --op copy --bytes N
      dst.copy_(src) of N bytes (N / 4 floats) between two device buffers; N read + N written.

Then, as every bench/torch script: --threads --warmup --reps --rep-seconds. Prints one JSON line with the case's
fields, torch's version, the device, the backend, and "seconds" (per call, each measured round). Without CUDA it
prints "not run: torch has no CUDA (...)" to stderr and exits 3, so the report says why the side did not run.
--check-args validates the arguments and prints the case's fields without touching a GPU.

  python3 bench/torch/gpu_ops.py --op matmul --shape 4096x896x896/NT --precision bf16 --threads 1 --warmup 5 --reps 15 --rep-seconds 0.1
"""
import argparse
import json
import re
import statistics
import sys
import time

import torch
import torch.nn.functional as F

NO_CUDA_EXIT = 3
# CudaAttentionBenchmark / AttentionBenchmark: Qwen2.5-0.5B heads.
ATTN_BATCH, ATTN_HQ, ATTN_HKV, ATTN_HEAD_DIM = 1, 14, 2, 64
PRECISIONS = ("fp32", "tf32", "bf16")


def parse_shape(text):
    """GemmShape.parse: MxNxK or MxNxK/XY, X and Y in {N, T}."""
    m = re.fullmatch(r"(\d+)x(\d+)x(\d+)(?:/([NT])([NT]))?", text.strip())
    if not m:
        raise ValueError("GEMM shape '%s': expected MxNxK or MxNxK/XY with X, Y in {N, T}" % text)
    return dict(m=int(m.group(1)), n=int(m.group(2)), k=int(m.group(3)),
                trans_a=m.group(4) or "N", trans_b=m.group(5) or "N")


def case_fields(a):
    """What the case is, as the report checks it against the Java side's shapes."""
    if a.op == "matmul":
        s = parse_shape(a.shape)
        dtype = "torch.bfloat16" if a.precision == "bf16" else "torch.float32"
        return dict(bench="gpu_ops", op="matmul", shape=a.shape, precision=a.precision, dtype=dtype,
                    out_dtype=dtype, allow_tf32=a.precision == "tf32", **s)
    if a.op == "sdpa":
        return {"bench": "gpu_ops", "op": "sdpa", "batch": ATTN_BATCH, "heads": ATTN_HQ, "kv_heads": ATTN_HKV,
                "head_dim": ATTN_HEAD_DIM, "seq_len": a.seq_len, "causal": True, "dtype": "torch.float32",
                "pass": a.pass_, "gqa": "k and v repeated to %d heads before the timed calls" % ATTN_HQ}
    return dict(bench="gpu_ops", op="copy", bytes=a.bytes, bytes_moved=2 * a.bytes)


def check_args(a):
    if a.op == "matmul":
        if a.shape is None or a.precision is None:
            sys.exit("gpu_ops.py: --op matmul needs --shape and --precision")
        try:
            parse_shape(a.shape)
        except ValueError as e:
            sys.exit("gpu_ops.py: %s" % e)
    elif a.op == "sdpa":
        if a.seq_len is None or a.pass_ is None:
            sys.exit("gpu_ops.py: --op sdpa needs --seq-len and --pass")
        if a.seq_len <= 0:
            sys.exit("gpu_ops.py: --seq-len must be > 0, got %d" % a.seq_len)
    else:
        if a.bytes is None or a.bytes <= 0 or a.bytes % 4:
            sys.exit("gpu_ops.py: --op copy needs --bytes N > 0, a multiple of 4, got %s" % a.bytes)
    if a.reps <= 0 or a.warmup < 0 or a.rep_seconds < 0:
        sys.exit("gpu_ops.py: expected --reps > 0, --warmup >= 0, --rep-seconds >= 0")


def uniform(shape, dtype, gen):
    return (torch.rand(shape, device="cuda", generator=gen) * 2 - 1).to(dtype)


def matmul_case(a, gen):
    s = parse_shape(a.shape)
    torch.backends.cuda.matmul.allow_tf32 = a.precision == "tf32"
    dtype = torch.bfloat16 if a.precision == "bf16" else torch.float32
    # Stored as GemmShape says (row-major, transposed where X/Y is T); the transposes are views, as cuBLAS's op flags.
    x = uniform((s["k"], s["m"]) if s["trans_a"] == "T" else (s["m"], s["k"]), dtype, gen)
    w = uniform((s["n"], s["k"]) if s["trans_b"] == "T" else (s["k"], s["n"]), dtype, gen)
    x = x.t() if s["trans_a"] == "T" else x
    w = w.t() if s["trans_b"] == "T" else w
    out = torch.empty((s["m"], s["n"]), device="cuda", dtype=dtype)
    return (lambda: torch.mm(x, w, out=out)), "cuBLAS via torch.mm (allow_tf32=%s)" % (a.precision == "tf32")


def sdpa_backend(q, k, v, scale):
    """The backend the dispatcher picks for these inputs (torch._fused_sdp_choice, private: 'unknown' without it)."""
    try:
        from torch.nn.attention import SDPBackend
        choice = torch._fused_sdp_choice(q, k, v, None, 0.0, True, scale=scale)
        return SDPBackend(choice).name
    except Exception as e:  # noqa: BLE001 - a private API; the row is still valid without the name
        return "unknown (%s)" % type(e).__name__


def sdpa_case(a, gen):
    if not hasattr(F, "scaled_dot_product_attention"):
        raise SystemExit("gpu_ops.py: torch %s has no scaled_dot_product_attention" % torch.__version__)
    shape_q = (ATTN_BATCH, ATTN_HQ, a.seq_len, ATTN_HEAD_DIM)
    shape_kv = (ATTN_BATCH, ATTN_HKV, a.seq_len, ATTN_HEAD_DIM)
    rep = ATTN_HQ // ATTN_HKV
    scale = 1 / ATTN_HEAD_DIM ** 0.5
    q = uniform(shape_q, torch.float32, gen)
    k = uniform(shape_kv, torch.float32, gen).repeat_interleave(rep, dim=1).contiguous()
    v = uniform(shape_kv, torch.float32, gen).repeat_interleave(rep, dim=1).contiguous()
    if a.pass_ == "forward":
        def op():
            with torch.no_grad():
                F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=scale)
        return op, "SDPA " + sdpa_backend(q, k, v, scale)
    # Inputs that need gradients can change the dispatcher's choice: ask with them.
    q.requires_grad_(True)
    k.requires_grad_(True)
    v.requires_grad_(True)
    backend = sdpa_backend(q, k, v, scale)
    d_out = uniform(shape_q, torch.float32, gen)

    def op():
        out = F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=scale)
        torch.autograd.grad(out, (q, k, v), d_out)
    return op, "SDPA " + backend


def copy_case(a, gen):
    src = uniform((a.bytes // 4,), torch.float32, gen)
    dst = torch.empty_like(src)
    return (lambda: dst.copy_(src)), "Tensor.copy_"


def time_rounds(op, warmup, reps, rep_seconds):
    """Seconds per call of each measured round: event time of the op alone, after overwriting 2 x L2."""
    l2 = torch.cuda.get_device_properties(0).L2_cache_size
    flush = torch.empty(max(2 * l2, 8 << 20) // 4, device="cuda", dtype=torch.int32)
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    value = [0]

    def one_round():
        calls, device_ms, t0 = 0, 0.0, time.perf_counter()
        while True:
            value[0] += 1
            flush.fill_(value[0])  # a new value each time, as CudaBench.L2Flush
            start.record()
            op()
            end.record()
            end.synchronize()
            device_ms += start.elapsed_time(end)
            calls += 1
            if time.perf_counter() - t0 >= rep_seconds:
                return device_ms / 1e3 / calls

    for _ in range(warmup):
        one_round()
    return [one_round() for _ in range(reps)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--op", choices=("matmul", "sdpa", "copy"), required=True)
    ap.add_argument("--shape")
    ap.add_argument("--precision", choices=PRECISIONS)
    ap.add_argument("--seq-len", type=int)
    ap.add_argument("--pass", dest="pass_", choices=("forward", "forward-backward"))
    ap.add_argument("--bytes", type=int)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--rep-seconds", type=float, default=0.0, help="each round lasts at least this long")
    ap.add_argument("--check-args", action="store_true", help="print the case's fields and exit; no GPU needed")
    a = ap.parse_args()
    check_args(a)
    fields = case_fields(a)
    if a.check_args:
        print(json.dumps(dict(fields, torch=torch.__version__, check_args=True)), flush=True)
        return
    if not torch.cuda.is_available():
        print("not run: torch has no CUDA (torch %s, built for CUDA %s, %d devices visible)"
              % (torch.__version__, torch.version.cuda, torch.cuda.device_count()), file=sys.stderr, flush=True)
        sys.exit(NO_CUDA_EXIT)
    torch.set_num_threads(a.threads)
    gen = torch.Generator(device="cuda")
    gen.manual_seed(0)
    op, backend = {"matmul": matmul_case, "sdpa": sdpa_case, "copy": copy_case}[a.op](a, gen)
    seconds = time_rounds(op, a.warmup, a.reps, a.rep_seconds)
    props = torch.cuda.get_device_properties(0)
    fields.update(seconds=seconds, median_s=statistics.median(seconds), min_s=min(seconds), max_s=max(seconds),
                  torch=torch.__version__, cuda=torch.version.cuda, device=props.name,
                  l2_bytes=props.L2_cache_size, backend=backend)
    print(json.dumps(fields), flush=True)


if __name__ == "__main__":
    main()
