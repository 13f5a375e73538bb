#!/usr/bin/env python3
"""Checks and times native/kernels/attention.cu on a GPU, outside the JVM: one call on a lent device machine.

Usage: attention-gpu-check.py NEW.cubin [BASELINE.cubin ...]   (nvcc -cubin -arch=sm_90 ... attention.cu)
Correctness: each width class of NEW against a float64 PyTorch reference (GQA, causal with a KV-cache offset, key
masks, rows that see no key, partial tiles), on fresh random inputs, outputs poisoned with NaN first; the error is
||x - ref|| / ||ref|| per output. Timing: CUDA events, median of repeated calls, Qwen2.5 head shapes (B 1, Hq 14, Hkv 2,
causal), TFLOP/s counted as CudaAttentionBenchmark does (forward 2 B Hq L^2 D, forward + backward 3.5 x that).
Baselines are earlier versions of the file, timed for the same shapes; the launch contract of each is recognised
by its kernel names: version 0 (one width, 16-row blocks), 1 (width classes, dk/dv per key/value head), 2 (dk/dv per
query head and a group sum).
"""
import math
import sys
import time

import cupy as cp
import numpy as np
import torch



class Kernels:
    """One cubin's attention kernels with the launch contract CudaAttention uses for it."""

    def __init__(self, path):
        self.mod = cp.RawModule(path=path)
        self.delta = self.mod.get_function("attention_backward_delta_f32")
        self.new = self.has("attention_forward_f32_d64")
        self.group_sum = self.mod.get_function("attention_backward_group_sum_f32") if self.has(
            "attention_backward_group_sum_f32") else None
        self.version = 0 if not self.new else 1 if self.group_sum is None else 2

    def has(self, name):
        try:
            self.mod.get_function(name)
            return True
        except Exception:
            return False

    def fn(self, name, smem):
        f = self.mod.get_function(name)
        if smem > 48 * 1024:
            f.max_dynamic_shared_size_bytes = smem  # cuFuncSetAttribute, as CudaAttention does
        return f

    def shapes(self, d):
        """(suffix, rows per block, threads, forward / dq / dkv shared bytes)."""
        if self.new:
            slices = -(-((d + 3) & ~3) // 64)
            rows = 64 if slices <= 2 else 32
            ld = ((d + 3) & ~3) + 4
            fwd = ((rows + 128) * ld + rows * 68) * 4
            dq = ((2 * rows + 128) * ld + rows * 68) * 4
            dkv = ((2 * rows + 128) * ld + 128 + rows * 68) * 4
            return "_d%d" % (64 * slices), rows, rows * 4, fwd, dq, dkv
        return "", 16, 128, ((16 + 64) * d + 16 * 32) * 4, ((32 + 64) * d + 16 * 32) * 4, ((32 + 64) * d + 64 + 1024) * 4

    def forward(self, a):
        sfx, rows, threads, smem, _, _ = self.shapes(a["d"])
        f = self.fn("attention_forward_f32" + sfx, smem)
        f((-(-a["lq"] // rows), a["hq"], a["b"]), (threads,),
          (*a["ints"], a["q"], a["k"], a["v"], a["mask"], a["out"], a["lse"]), shared_mem=smem)

    def backward(self, a):
        sfx, rows, threads, _, dq_smem, dkv_smem = self.shapes(a["d"])
        n = a["b"] * a["hq"] * a["lq"]
        self.delta((max(1, min(-(-n // 256), 132 * 32)),), (256,),
                   (np.int32(a["b"]), np.int32(a["lq"]), np.int32(a["hq"]), np.int32(a["d"]), a["out"], a["dout"], a["delta"]))
        f = self.fn("attention_backward_dq_f32" + sfx, dq_smem)
        f((-(-a["lq"] // rows), a["hq"], a["b"]), (threads,),
          (*a["ints"], a["q"], a["k"], a["v"], a["mask"], a["lse"], a["delta"], a["dout"], a["dq"]), shared_mem=dq_smem)
        f = self.fn("attention_backward_dkv_f32" + sfx, dkv_smem)
        if self.version < 2:
            f((-(-a["lk"] // rows), a["hkv"], a["b"]), (threads,),
              (*a["ints"], a["q"], a["k"], a["v"], a["mask"], a["lse"], a["delta"], a["dout"], a["dk"], a["dv"]),
              shared_mem=dkv_smem)
            return
        grouped = a["hq"] != a["hkv"]
        if grouped and "part_k" not in a:
            a["part_k"] = cp.full((a["b"], a["lk"], a["hq"], a["d"]), np.nan, dtype=cp.float32)
            a["part_v"] = cp.full((a["b"], a["lk"], a["hq"], a["d"]), np.nan, dtype=cp.float32)
        dk, dv = (a["part_k"], a["part_v"]) if grouped else (a["dk"], a["dv"])
        f((-(-a["lk"] // rows), a["hq"], a["b"]), (threads,),
          (*a["ints"], a["q"], a["k"], a["v"], a["mask"], a["lse"], a["delta"], a["dout"], dk, dv), shared_mem=dkv_smem)
        if grouped:
            n = a["b"] * a["lk"] * a["hkv"] * a["d"]
            self.group_sum((max(1, min(-(-n // 256), 132 * 32)),), (256,),
                           (np.int32(a["b"]), np.int32(a["lk"]), np.int32(a["hq"]), np.int32(a["hkv"]), np.int32(a["d"]),
                            a["part_k"], a["part_v"], a["dk"], a["dv"]))


def make_args(b, lq, lk, hq, hkv, d, causal, masked, rng):
    f32 = lambda *s: cp.asarray(rng.uniform(-1, 1, s).astype(np.float32))
    nan = lambda *s: cp.full(s, np.nan, dtype=cp.float32)
    mask = None
    if masked:
        m = (rng.uniform(size=(b, lk)) > 0.2).astype(np.int32)
        m[:, : 3] = 0  # left padding: with causal and lq = lk the first rows see no key
        mask = cp.asarray(m)
    scale = 1.0 / math.sqrt(d)
    a = dict(b=b, lq=lq, lk=lk, hq=hq, hkv=hkv, d=d, causal=causal, scale=scale,
             q=f32(b, lq, hq, d), k=f32(b, lk, hkv, d), v=f32(b, lk, hkv, d), dout=f32(b, lq, hq, d),
             out=nan(b, lq, hq, d), lse=nan(b, hq, lq), delta=nan(b, hq, lq),
             dq=nan(b, lq, hq, d), dk=nan(b, lk, hkv, d), dv=nan(b, lk, hkv, d), mask_arr=mask)
    a["mask"] = mask if mask is not None else np.uint64(0)
    a["ints"] = (np.int32(lq), np.int32(lk), np.int32(hq), np.int32(hkv), np.int32(d), np.float32(scale), np.int32(int(causal)))
    return a


def reference(a):
    t = lambda x: torch.from_dlpack(x).double()
    q, k, v, dout = t(a["q"]), t(a["k"]), t(a["v"]), t(a["dout"])
    b, lq, lk, hq, hkv, d = a["b"], a["lq"], a["lk"], a["hq"], a["hkv"], a["d"]
    g = hq // hkv
    ke, ve = k.repeat_interleave(g, dim=2), v.repeat_interleave(g, dim=2)
    s = torch.einsum("bihd,bjhd->bhij", q, ke) * a["scale"]
    vis = torch.ones(b, 1, lq, lk, dtype=torch.bool, device=q.device)
    if a["mask_arr"] is not None:
        vis = vis & (torch.from_dlpack(a["mask_arr"]) != 0)[:, None, None, :]
    if a["causal"]:
        i = torch.arange(lq, device=q.device)[:, None]
        j = torch.arange(lk, device=q.device)[None, :]
        vis = vis & (j <= i + (lk - lq))
    s = s.masked_fill(~vis, -math.inf)
    lse = torch.logsumexp(s, dim=-1)
    p = torch.where(vis, torch.exp(s - lse[..., None].clamp(min=-1e300)), torch.zeros_like(s))
    p = torch.nan_to_num(p)
    out = torch.einsum("bhij,bjhd->bihd", p, ve)
    dp = torch.einsum("bihd,bjhd->bhij", dout, ve)
    delta = torch.einsum("bihd,bihd->bhi", dout, out)
    ds = p * (dp - delta[..., None])
    dq = torch.einsum("bhij,bjhd->bihd", ds, ke) * a["scale"]
    dk = (torch.einsum("bhij,bihd->bjhd", ds, q) * a["scale"]).reshape(b, lk, hkv, g, d).sum(3)
    dv = torch.einsum("bhij,bihd->bjhd", p, dout).reshape(b, lk, hkv, g, d).sum(3)
    return dict(out=out, lse=lse, dq=dq, dk=dk, dv=dv)


def rel_err(x, ref):
    x = torch.from_dlpack(x).double()
    if torch.isnan(x).any():
        return float("nan")
    fin = torch.isfinite(ref)
    if not torch.equal(torch.isfinite(x), fin) or not torch.equal(x[~fin], ref[~fin]):
        return float("inf")  # -inf lse where the reference has it, nowhere else
    den = ref[fin].norm().item()
    return (x[fin] - ref[fin]).norm().item() / (den if den > 0 else 1.0)


def check(kern, rng):
    cases = [(2, 37, 37, 4, 2, 16, True, False), (2, 5, 40, 2, 1, 40, True, True), (1, 8, 4, 2, 2, 8, True, False),
             (1, 300, 300, 14, 2, 64, True, True), (2, 200, 333, 7, 1, 64, False, True), (1, 257, 257, 4, 4, 80, True, False),
             (1, 190, 260, 4, 2, 128, True, True), (1, 129, 129, 2, 1, 33, True, True), (1, 150, 150, 2, 1, 160, True, False),
             (1, 100, 170, 2, 2, 256, False, True), (1, 1024, 1024, 14, 2, 64, True, False)]
    worst = 0.0
    for c in cases:
        a = make_args(*c, rng)
        kern.forward(a)
        kern.backward(a)
        cp.cuda.Device().synchronize()
        ref = reference(a)
        errs = {n: rel_err(a[n], ref[n]) for n in ("out", "lse", "dq", "dk", "dv")}
        worst = max([worst] + [e if e == e else math.inf for e in errs.values()])
        print("check B%d Lq%d Lk%d Hq%d Hkv%d D%d causal=%d masked=%d: " % c
              + " ".join("%s %.2e" % kv for kv in errs.items()), flush=True)
    # determinism: the same inputs twice give bit-identical gradients
    a = make_args(1, 300, 300, 14, 2, 64, True, True, rng)
    kern.forward(a); kern.backward(a)
    first = [cp.asnumpy(a[n]).copy() for n in ("out", "dq", "dk", "dv")]
    kern.forward(a); kern.backward(a)
    same = all(np.array_equal(x, cp.asnumpy(a[n]), equal_nan=True) for x, n in zip(first, ("out", "dq", "dk", "dv")))
    print("deterministic:", same)
    return worst, same


def median_ms(fn, reps):
    fn(); cp.cuda.Device().synchronize()
    times = []
    for _ in range(reps):
        s, e = cp.cuda.Event(), cp.cuda.Event()
        s.record(); fn(); e.record(); e.synchronize()
        times.append(cp.cuda.get_elapsed_time(s, e))
    return float(np.median(times))


def main():
    new = Kernels(sys.argv[1])
    baselines = [Kernels(p) for p in sys.argv[2:]]
    seed = int(time.time_ns() % 2**31)
    print("seed", seed, "device", cp.cuda.runtime.getDeviceProperties(0)["name"].decode(), flush=True)
    worst, same = check(new, np.random.default_rng(seed))
    print("worst relative error %.2e (fp32 target < 1e-3)" % worst, flush=True)
    rows = []
    rng = np.random.default_rng(seed + 1)
    for d, L in ((64, 1024), (64, 4096), (128, 4096)):
        a = make_args(1, L, L, 14, 2, d, True, False, rng)
        flops = 2.0 * 14 * L * L * d
        for kern in [new] + baselines:
            if kern.version == 0 and d != 64:
                continue
            reps = 5 if kern.version == 0 else 20
            fwd = median_ms(lambda: kern.forward(a), reps)
            fb = median_ms(lambda: (kern.forward(a), kern.backward(a)), reps)
            rows.append(("v%d" % kern.version, d, L, fwd, flops / fwd / 1e9, fb, 3.5 * flops / fb / 1e9))
    print("\nversion D    L   fwd ms  fwd TFLOP/s  fwd+bwd ms  fwd+bwd TFLOP/s")
    for r in rows:
        print("%-7s %3d %5d %8.3f %12.2f %11.3f %16.2f" % r)
    sys.exit(0 if worst < 1e-3 and same else 1)


if __name__ == "__main__":
    main()
