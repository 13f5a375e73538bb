#!/usr/bin/python3
"""Writes the op goldens that GoldenOpsTest checks the engine against: values and gradients computed by PyTorch.

Regenerate (needs PyTorch; CI never runs this, it only reads the committed files):

    /usr/bin/python3 engine/src/test/goldens/make_goldens.py

Every case draws float32 inputs from a generator seeded by the case's name (so adding a case leaves the others
unchanged), computes the op in float64 from exactly those float32 values, and stores the float64 results rounded to
float32. The golden is therefore the exact answer for the stored inputs, rounded once; the Java test's tolerances
only have to cover the engine's own float32 rounding.

The gradient of each floating input is that of sum(out * seed), where seed is a stored random tensor shaped like
the output: the Java test runs out.backward(seed), which is the same thing.

File format (one UTF-8 text file per case, resources/goldens/<case>.golden; resources/goldens/index.txt lists
the cases, one per line). Lines starting with '#' are comments. Otherwise each line is one of

    op <name>                            the engine op the case exercises (GoldenOpsTest dispatches on it)
    param <key> <value> [<value> ...]    an argument of the op that is not a tensor (ints, floats, true/false)
    tensor <role> <name> <dtype> <dims>  a tensor header; the next line holds its values
    <values>                             the values of the tensor just declared, row-major, separated by spaces

where role is one of
    input   an argument of the op (name says which; dtype f32 inputs are differentiated, i32 ones are indices)
    output  the op's result (name "out")
    seed    the output gradient fed to backward (name "out")
    grad    d sum(out * seed) / d input, for the input of the same name
dtype is f32 or i32, and dims is the shape written with commas and no spaces, "[]" for a scalar: [2,3,5].
Floats are written as the shortest decimal that reads back as the same float32 (Java's Float.parseFloat).
"""

import math
import os
import zlib

import numpy as np
import torch
import torch.nn.functional as F

# The engine's "use the default scale" value for attention (1/sqrt(head dim)).
NAN = float("nan")

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "goldens")


class Case:
    """One golden: named inputs (float32 numpy arrays or int32 index arrays), op parameters and the float64 rule."""

    def __init__(self, name, op, params=None):
        self.name = name
        self.op = op
        self.params = params or {}
        self.inputs = {}
        # One generator per case, seeded by its name: cases are independent of each other's order.
        self.rng = np.random.default_rng(zlib.crc32(name.encode()))

    def normal(self, name, *shape, std=1.0):
        self.inputs[name] = (std * self.rng.standard_normal(shape)).astype(np.float32)
        return self

    def uniform(self, name, lo, hi, *shape):
        self.inputs[name] = self.rng.uniform(lo, hi, shape).astype(np.float32)
        return self

    def away_from_zero(self, name, lo, hi, *shape):
        """Magnitudes in [lo, hi) with random signs: divisors that keep the quotient well conditioned."""
        mag = self.rng.uniform(lo, hi, shape)
        sign = np.where(self.rng.random(shape) < 0.5, -1.0, 1.0)
        self.inputs[name] = (mag * sign).astype(np.float32)
        return self

    def ints(self, name, values, *shape):
        self.inputs[name] = np.asarray(values, dtype=np.int32).reshape(shape)
        return self


def fmt_float(v):
    # numpy prints the shortest decimal that round-trips the float32.
    s = repr(np.float32(v))
    return s[len("np.float32("):-1] if s.startswith("np.float32(") else s


def fmt_tensor(role, name, arr):
    dtype = "i32" if arr.dtype == np.int32 else "f32"
    dims = "[" + ",".join(str(d) for d in arr.shape) + "]"
    flat = arr.reshape(-1)
    values = " ".join(str(int(v)) for v in flat) if dtype == "i32" else " ".join(fmt_float(v) for v in flat)
    return f"tensor {role} {name} {dtype} {dims}\n{values}\n"


def fmt_param(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return " ".join(fmt_param(x) for x in v)
    if isinstance(v, float):
        return "NaN" if math.isnan(v) else repr(v)  # Java's Float.parseFloat spells it NaN
    return str(v)


def run_case(case, rule):
    """Evaluates rule in float64 on the case's inputs and writes the golden file; returns its path."""
    torch_inputs = {}
    for name, arr in case.inputs.items():
        if arr.dtype == np.int32:
            torch_inputs[name] = torch.from_numpy(arr.astype(np.int64))
        else:
            torch_inputs[name] = torch.from_numpy(arr.astype(np.float64)).requires_grad_(True)
    out = rule(torch_inputs, case.params)
    seed = case.rng.standard_normal(tuple(out.shape)).astype(np.float32)
    (out * torch.from_numpy(seed.astype(np.float64))).sum().backward()

    text = [f"# golden {case.name}: generated by make_goldens.py (PyTorch {torch.__version__}, float64 compute)\n",
            f"op {case.op}\n"]
    for key, value in case.params.items():
        text.append(f"param {key} {fmt_param(value)}\n")
    for name, arr in case.inputs.items():
        text.append(fmt_tensor("input", name, arr))
    text.append(fmt_tensor("output", "out", out.detach().numpy().astype(np.float32)))
    text.append(fmt_tensor("seed", "out", seed))
    for name, t in torch_inputs.items():
        if t.dtype == torch.float64:
            grad = t.grad if t.grad is not None else torch.zeros_like(t)
            text.append(fmt_tensor("grad", name, grad.numpy().astype(np.float32)))
    path = os.path.join(OUT_DIR, case.name + ".golden")
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(text)
    return path


# ------------------------------------------------------------------------------------------------ reference rules
# Written from the definitions, not from the engine, so that a shared misunderstanding cannot pass.

def rms_norm(x, weight, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight


def rope(x, positions, rotary_dim, theta):
    """Qwen2 / GPT-NeoX rotate-half RoPE on x [B, L, H, D]; only the first rotary_dim features of a head rotate."""
    half = rotary_dim // 2
    inv_freq = 1.0 / theta ** (torch.arange(0, rotary_dim, 2, dtype=torch.float64) / rotary_dim)
    angles = positions.to(torch.float64)[..., None] * inv_freq  # [B, L, half]
    emb = torch.cat([angles, angles], dim=-1)[:, :, None, :]  # [B, L, 1, rotary_dim], shared by the heads
    rot, passed = x[..., :rotary_dim], x[..., rotary_dim:]
    rotated_half = torch.cat([-rot[..., half:], rot[..., :half]], dim=-1)
    return torch.cat([rot * emb.cos() + rotated_half * emb.sin(), passed], dim=-1)


def attention(q, k, v, causal, key_mask, scale):
    """q [B, Lq, Hq, D], k/v [B, Lk, Hkv, D]; query head h reads kv head h // (Hq / Hkv). NaN scale: 1/sqrt(D)."""
    b, lq, hq, d = q.shape
    lk, hkv = k.shape[1], k.shape[2]
    group = hq // hkv
    qh = q.transpose(1, 2)  # [B, Hq, Lq, D]
    kh = k.transpose(1, 2).repeat_interleave(group, dim=1)
    vh = v.transpose(1, 2).repeat_interleave(group, dim=1)
    s = 1.0 / math.sqrt(d) if math.isnan(scale) else scale
    scores = qh @ kh.transpose(-1, -2) * s  # [B, Hq, Lq, Lk]
    allowed = torch.ones(b, 1, lq, lk, dtype=torch.bool)
    if causal:
        i = torch.arange(lq)[:, None]
        j = torch.arange(lk)[None, :]
        allowed = allowed & (j <= i + lk - lq)  # the queries are the last Lq of the Lk positions
    if key_mask is not None:
        allowed = allowed & (key_mask != 0)[:, None, None, :]
    scores = scores.masked_fill(~allowed, float("-inf"))
    return (torch.softmax(scores, dim=-1) @ vh).transpose(1, 2)


def log_prob_gather(logits, targets, ignore_index):
    valid = targets != ignore_index
    picked = torch.log_softmax(logits, dim=-1).gather(-1, torch.where(valid, targets, 0)[:, None])[:, 0]
    return torch.where(valid, picked, torch.zeros_like(picked))


def index_put(base, rows, values):
    return base.index_put((rows,), values)  # functional (not in place), rows replaced, not accumulated


def cross_check():
    """The hand-written rules above against PyTorch's own implementations or an independent formulation."""
    rng = np.random.default_rng(7)
    t = lambda *shape: torch.from_numpy(rng.standard_normal(shape))

    # Attention: torch's built-in scaled-dot-product attention (boolean mask, True = attend), kv heads repeated.
    q, k, v = t(2, 4, 4, 6), t(2, 7, 2, 6), t(2, 7, 2, 6)
    key_mask = torch.tensor([[1] * 7, [0, 0, 1, 1, 1, 1, 1]])
    for causal, scale in [(True, NAN), (False, 0.3)]:
        allowed = (key_mask != 0)[:, None, None, :].expand(2, 4, 4, 7)
        if causal:
            allowed = allowed & torch.ones(4, 7, dtype=torch.bool).tril(diagonal=3)
        s = 1.0 / math.sqrt(6) if math.isnan(scale) else scale
        want, _ = F._scaled_dot_product_attention(
            (q * s * math.sqrt(6)).transpose(1, 2), k.repeat_interleave(2, dim=2).transpose(1, 2),
            v.repeat_interleave(2, dim=2).transpose(1, 2), attn_mask=allowed)
        assert torch.allclose(attention(q, k, v, causal, key_mask, scale), want.transpose(1, 2), rtol=1e-12, atol=1e-12)

    # RoPE: feature pairs (i, i + half) as complex numbers turned by position * inv_freq_i.
    x, positions = t(2, 3, 2, 10), torch.tensor([[5, 6, 7], [1, 0, 1]])
    rotary_dim, theta = 6, 1e6
    half = rotary_dim // 2
    inv_freq = torch.tensor([theta ** (-2.0 * i / rotary_dim) for i in range(half)], dtype=torch.float64)
    turn = torch.polar(torch.ones(2, 3, 1, half, dtype=torch.float64), positions[..., None, None] * inv_freq)
    turned = torch.complex(x[..., :half], x[..., half:rotary_dim]) * turn
    want = torch.cat([turned.real, turned.imag, x[..., rotary_dim:]], dim=-1)
    assert torch.allclose(rope(x, positions, rotary_dim, theta), want, rtol=1e-12, atol=1e-12)

    # Per-row log-probabilities: minus torch's unreduced cross entropy (which writes 0 at ignored rows).
    logits, targets = t(4, 11), torch.tensor([3, -100, 10, 0])
    want = -F.cross_entropy(logits, targets, ignore_index=-100, reduction="none")
    assert torch.allclose(log_prob_gather(logits, targets, -100), want, rtol=1e-12, atol=1e-12)

    # RMSNorm: the definition with the mean of squares written out.
    x, weight = t(3, 5), t(5)
    want = weight * x / torch.sqrt((x * x).sum(-1, keepdim=True) / 5 + 1e-6)
    assert torch.allclose(rms_norm(x, weight, 1e-6), want, rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------------------------------------------ the cases

def cases():
    """(Case, rule) pairs. Shapes are odd on purpose: no power-of-two sizes that hide indexing mistakes."""
    out = []

    def add(case, rule):
        out.append((case, rule))

    # Element-wise with numpy broadcasting (the gradients sum back over broadcast dimensions).
    add(Case("add_broadcast", "add").normal("a", 3, 1, 5).normal("b", 4, 5), lambda t, p: t["a"] + t["b"])
    add(Case("sub_broadcast", "sub").normal("a", 2, 3, 4).normal("b", 4), lambda t, p: t["a"] - t["b"])
    add(Case("mul_broadcast", "mul").normal("a", 5, 1).normal("b", 1, 7), lambda t, p: t["a"] * t["b"])
    add(Case("div_broadcast", "div").normal("a", 3, 4).away_from_zero("b", 0.5, 2.0, 3, 1),
        lambda t, p: t["a"] / t["b"])
    add(Case("exp", "exp").normal("x", 3, 7), lambda t, p: t["x"].exp())
    add(Case("log", "log").uniform("x", 0.1, 3.0, 4, 5), lambda t, p: t["x"].log())

    # Reductions.
    add(Case("sum_axes_0_2", "sum", {"keepDim": False, "axes": [0, 2]}).normal("x", 3, 4, 5),
        lambda t, p: t["x"].sum(dim=(0, 2)))
    add(Case("sum_axis_1_keepdim", "sum", {"keepDim": True, "axes": [1]}).normal("x", 3, 4, 5),
        lambda t, p: t["x"].sum(dim=1, keepdim=True))
    add(Case("mean_axis_1", "mean", {"keepDim": False, "axes": [1]}).normal("x", 2, 5, 3),
        lambda t, p: t["x"].mean(dim=1))
    add(Case("mean_last_keepdim", "mean", {"keepDim": True, "axes": [-1]}).normal("x", 3, 2, 7),
        lambda t, p: t["x"].mean(dim=-1, keepdim=True))
    add(Case("max_axis_1", "max", {"axis": 1, "keepDim": False}).normal("x", 3, 5, 4),
        lambda t, p: t["x"].max(dim=1).values)
    add(Case("max_last_keepdim", "max", {"axis": -1, "keepDim": True}).normal("x", 2, 3, 6),
        lambda t, p: t["x"].max(dim=-1, keepdim=True).values)

    # Matrix products, including transposed views (GEMM transpose flags) and a weight shared by the batch.
    mm = {"transposeA": False, "transposeB": False}
    add(Case("matmul_2d", "matmul", mm).normal("a", 5, 7).normal("b", 7, 3), lambda t, p: t["a"] @ t["b"])
    add(Case("matmul_batched", "matmul", mm).normal("a", 2, 3, 5, 4).normal("b", 2, 3, 4, 6),
        lambda t, p: t["a"] @ t["b"])
    add(Case("matmul_batched_shared_b", "matmul", mm).normal("a", 2, 5, 4).normal("b", 4, 3),
        lambda t, p: t["a"] @ t["b"])
    add(Case("matmul_transpose_a", "matmul", {"transposeA": True, "transposeB": False})
        .normal("a", 3, 5).normal("b", 3, 4), lambda t, p: t["a"].transpose(-1, -2) @ t["b"])
    add(Case("matmul_batched_transpose_b", "matmul", {"transposeA": False, "transposeB": True})
        .normal("a", 2, 4, 3).normal("b", 2, 5, 3), lambda t, p: t["a"] @ t["b"].transpose(-1, -2))
    add(Case("linear_bias", "linear").normal("x", 2, 3, 7).normal("w", 5, 7).normal("bias", 5),
        lambda t, p: F.linear(t["x"], t["w"], t["bias"]))
    add(Case("linear_no_bias", "linear").normal("x", 4, 6).normal("w", 3, 6), lambda t, p: F.linear(t["x"], t["w"]))

    # Transformer pieces.
    add(Case("rms_norm", "rmsNorm", {"eps": 1e-6}).normal("x", 2, 3, 11).normal("weight", 11),
        lambda t, p: rms_norm(t["x"], t["weight"], p["eps"]))
    # Positions are not 0..L-1: a row continuing at offset 3 (decoding after a prefix) and a left-padded row
    # whose pad slots hold position 1, as Qwen's position ids do.
    add(Case("rope_full_theta_1e4", "rope", {"rotaryDim": 8, "theta": 10000.0})
        .normal("x", 2, 5, 3, 8).ints("positions", [3, 4, 5, 6, 7, 1, 1, 0, 1, 2], 2, 5),
        lambda t, p: rope(t["x"], t["positions"], p["rotaryDim"], p["theta"]))
    add(Case("rope_partial_theta_1e6", "rope", {"rotaryDim": 6, "theta": 1000000.0})
        .normal("x", 2, 4, 3, 10).ints("positions", [10, 11, 12, 13, 0, 0, 0, 1], 2, 4),
        lambda t, p: rope(t["x"], t["positions"], p["rotaryDim"], p["theta"]))
    add(Case("swiglu", "swiglu").normal("gate", 3, 4, 6).normal("up", 3, 4, 6),
        lambda t, p: F.silu(t["gate"]) * t["up"])
    add(Case("softmax", "softmax").normal("x", 4, 9, std=3.0), lambda t, p: torch.softmax(t["x"], dim=-1))
    add(Case("log_softmax", "logSoftmax").normal("x", 2, 3, 17, std=3.0), lambda t, p: torch.log_softmax(t["x"], dim=-1))

    # Attention: grouped-query heads (Hq 4 over Hkv 2). No query row is fully masked (that case has no answer).
    add(Case("attention_causal_gqa", "attention", {"causal": True, "scale": NAN})
        .normal("q", 1, 6, 4, 8).normal("k", 1, 6, 2, 8).normal("v", 1, 6, 2, 8),
        lambda t, p: attention(t["q"], t["k"], t["v"], True, None, p["scale"]))
    # Four new queries after three cached keys (Lq 4 < Lk 7), the second row left-padded by two keys.
    add(Case("attention_causal_gqa_left_pad", "attention", {"causal": True, "scale": NAN})
        .normal("q", 2, 4, 4, 8).normal("k", 2, 7, 2, 8).normal("v", 2, 7, 2, 8)
        .ints("keyMask", [1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1], 2, 7),
        lambda t, p: attention(t["q"], t["k"], t["v"], True, t["keyMask"], p["scale"]))
    add(Case("attention_masked_scale", "attention", {"causal": False, "scale": 0.3})
        .normal("q", 2, 3, 4, 6).normal("k", 2, 5, 2, 6).normal("v", 2, 5, 2, 6)
        .ints("keyMask", [1, 1, 1, 1, 1, 0, 0, 0, 1, 1], 2, 5),
        lambda t, p: attention(t["q"], t["k"], t["v"], False, t["keyMask"], p["scale"]))

    # Losses over a realistic vocabulary; row 2 is ignored (-100).
    vocab = 997
    add(Case("log_prob_gather", "logProbGather", {"ignoreIndex": -100})
        .normal("logits", 4, vocab, std=2.0).ints("targets", [5, 996, -100, 417], 4),
        lambda t, p: log_prob_gather(t["logits"], t["targets"], p["ignoreIndex"]))
    add(Case("cross_entropy", "crossEntropy", {"ignoreIndex": -100})
        .normal("logits", 4, vocab, std=2.0).ints("targets", [0, 731, -100, 52], 4),
        lambda t, p: F.cross_entropy(t["logits"], t["targets"], ignore_index=p["ignoreIndex"]))

    # Indexing: repeated ids accumulate into one table row; indexPut replaces distinct rows.
    add(Case("embedding_repeated_ids", "embedding").normal("table", 7, 5).ints("ids", [3, 0, 3, 6, 1, 3, 0, 5], 2, 4),
        lambda t, p: F.embedding(t["ids"], t["table"]))
    add(Case("index_put_rows", "indexPut").normal("base", 6, 4).ints("rows", [4, 0, 2], 3).normal("values", 3, 4),
        lambda t, p: index_put(t["base"], t["rows"], t["values"]))
    add(Case("concat_dim_1", "concat", {"dim": 1}).normal("p0", 2, 3, 4).normal("p1", 2, 1, 4).normal("p2", 2, 2, 4),
        lambda t, p: torch.cat([t["p0"], t["p1"], t["p2"]], dim=1))
    add(Case("concat_last_dim", "concat", {"dim": -1}).normal("p0", 3, 2).normal("p1", 3, 5),
        lambda t, p: torch.cat([t["p0"], t["p1"]], dim=-1))
    return out


def main():
    torch.set_num_threads(1)  # one summation order, so that regenerating gives the same bytes
    cross_check()
    os.makedirs(OUT_DIR, exist_ok=True)
    names = []
    for case, rule in cases():
        run_case(case, rule)
        names.append(case.name)
    if len(set(names)) != len(names):
        raise SystemExit("duplicate case names")
    with open(os.path.join(OUT_DIR, "index.txt"), "w", encoding="utf-8") as f:
        f.write("".join(n + "\n" for n in names))
    total = sum(os.path.getsize(os.path.join(OUT_DIR, n + ".golden")) for n in names)
    print(f"wrote {len(names)} goldens to {os.path.normpath(OUT_DIR)} ({total} bytes)")


if __name__ == "__main__":
    main()
