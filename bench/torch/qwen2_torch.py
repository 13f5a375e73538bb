"""A plain PyTorch Qwen2 (as Hugging Face's Qwen2ForCausalLM computes it) and LatentR3's LatentRATT, fp32, for the
side-by-side benchmarks in bench/torch, on the CPU or a CUDA device (--device). No transformers dependency: the
model is written out here so that it has exactly the shapes of the Java model it is timed against
(bench/.../TrainShapes.java), and nothing else.

Attention uses torch.nn.functional.scaled_dot_product_attention when this torch has it (2.0 and later), else the
"eager" form Hugging Face used before it (scores, causal mask, softmax, weighted sum).

On a CUDA device everything stays fp32 with TF32 off (open_device), as our engine's cuBLAS path computes, and the
timed rounds synchronize the device before reading the clock.
"""
import json
import math
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

HAS_SDPA = hasattr(F, "scaled_dot_product_attention")

# The shapes named by bench/src/main/java/dev/latentr3/bench/TrainShapes.java (keep the two in step).
PRESETS = {
    # Qwen2Presets.tiny over the byte-level vocabulary plus the thought token.
    "tiny": dict(vocab=260, hidden=64, intermediate=192, layers=2, heads=4, kv_heads=2, rope_theta=10000.0),
    # Qwen2Presets.qwen25HalfB with 2 of its 24 layers.
    "qwen05b-2l": dict(vocab=151936, hidden=896, intermediate=4864, layers=2, heads=14, kv_heads=2, rope_theta=1000000.0),
    # Qwen2Presets.qwen25HalfB, all 24 layers: Qwen2.5-0.5B's shape.
    "qwen05b": dict(vocab=151936, hidden=896, intermediate=4864, layers=24, heads=14, kv_heads=2, rope_theta=1000000.0),
    # Qwen2Presets.qwen25OnePointFiveB, all 28 layers: Qwen2.5-1.5B's shape.
    "qwen15b": dict(vocab=151936, hidden=1536, intermediate=8960, layers=28, heads=12, kv_heads=2, rope_theta=1000000.0),
}
RMS_EPS = 1e-6
INIT_STD = 0.02


def add_device_argument(ap):
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu",
                    help="where the model, batch and noise live (default cpu)")


def open_device(name):
    """The torch.device for --device. For cuda: fp32 matmuls without TF32 (set here explicitly, though it is torch's
    default for matmul, since our engine's cuBLAS path is fp32), and the peak-memory counter reset. Without a usable
    CUDA device the script says why on stderr, in a line starting "not run: ", and exits with status 3."""
    if name == "cpu":
        return torch.device("cpu")
    if not torch.cuda.is_available():
        print("not run: torch %s has no usable CUDA device (torch.cuda.is_available() is False; built for CUDA %s)"
              % (torch.__version__, torch.version.cuda), file=sys.stderr, flush=True)
        sys.exit(3)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    if hasattr(torch, "set_float32_matmul_precision"):
        torch.set_float32_matmul_precision("highest")
    device = torch.device("cuda")
    torch.cuda.reset_peak_memory_stats(device)
    return device


def synchronizer(device):
    """What time_reps calls before reading the clock: waits for the device's queued work (nothing on the CPU)."""
    if device.type == "cuda":
        return lambda: torch.cuda.synchronize(device)
    return lambda: None


def start_peak(device):
    """Starts the peak-memory count over (after setup, as ours: the steps' peak, not the initialisation's)."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)


def device_fields(device):
    """What report() adds for a CUDA run: the device, torch's CUDA, the backend settings and the peak bytes allocated
    since start_peak (torch.cuda.max_memory_allocated). Nothing for the CPU, whose rows stay as they were."""
    if device.type != "cuda":
        return {}
    return dict(device=torch.cuda.get_device_name(device), cuda=torch.version.cuda,
                backend="fp32, TF32 off, %s attention" % ("sdpa" if HAS_SDPA else "eager"),
                peak_bytes=torch.cuda.max_memory_allocated(device))


def rope_cos_sin(positions, dim, base):
    """cos, sin [..., dim] for the rotate-half convention (dimension j pairs with j + dim/2)."""
    inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.float32, device=positions.device) / dim))
    freqs = positions.to(torch.float32)[..., None] * inv_freq
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class RMSNorm(nn.Module):
    def __init__(self, dim, device=None):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim, device=device))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + RMS_EPS) * self.weight


class Layer(nn.Module):
    def __init__(self, c, device=None):
        super().__init__()
        d, h, kv = c["hidden"], c["heads"], c["kv_heads"]
        self.heads, self.kv_heads, self.head_dim = h, kv, d // h
        self.input_layernorm = RMSNorm(d, device)
        self.q_proj = nn.Linear(d, h * self.head_dim, bias=True, device=device)
        self.k_proj = nn.Linear(d, kv * self.head_dim, bias=True, device=device)
        self.v_proj = nn.Linear(d, kv * self.head_dim, bias=True, device=device)
        self.o_proj = nn.Linear(h * self.head_dim, d, bias=False, device=device)
        self.post_attention_layernorm = RMSNorm(d, device)
        self.gate_proj = nn.Linear(d, c["intermediate"], bias=False, device=device)
        self.up_proj = nn.Linear(d, c["intermediate"], bias=False, device=device)
        self.down_proj = nn.Linear(c["intermediate"], d, bias=False, device=device)

    def attention(self, x, cos, sin, key_mask):
        b, l, _ = x.shape
        q = self.q_proj(x).view(b, l, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, l, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, l, self.kv_heads, self.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        rep = self.heads // self.kv_heads
        k = k.repeat_interleave(rep, dim=1)
        v = v.repeat_interleave(rep, dim=1)
        # key_mask: additive [b, 1, l, l] (causal and padding), or None for causal without padding
        if HAS_SDPA:
            out = F.scaled_dot_product_attention(q, k, v, attn_mask=key_mask, is_causal=key_mask is None)
        else:
            scores = q @ k.transpose(-1, -2) / math.sqrt(self.head_dim)
            if key_mask is None:
                causal = torch.full((l, l), float("-inf"), device=x.device).triu(1)
                scores = scores + causal
            else:
                scores = scores + key_mask
            out = torch.softmax(scores, dim=-1) @ v
        return self.o_proj(out.transpose(1, 2).reshape(b, l, self.heads * self.head_dim))

    def forward(self, x, cos, sin, key_mask):
        h = x + self.attention(self.input_layernorm(x), cos, sin, key_mask)
        n = self.post_attention_layernorm(h)
        return h + self.down_proj(F.silu(self.gate_proj(n)) * self.up_proj(n))


class Qwen2(nn.Module):
    """Embedding, decoder layers, final RMSNorm; the LM head is the embedding matrix (tied). Built and initialised
    on `device` (no host copy of a 1.5B model)."""

    def __init__(self, c, device=None):
        super().__init__()
        self.c = c
        self.embed_tokens = nn.Embedding(c["vocab"], c["hidden"], device=device)
        self.layers = nn.ModuleList([Layer(c, device) for _ in range(c["layers"])])
        self.norm = RMSNorm(c["hidden"], device)
        with torch.no_grad():  # Qwen2's init: N(0, 0.02) weights, zero biases, unit norms
            for name, p in self.named_parameters():
                if name.endswith("norm.weight"):
                    p.fill_(1.0)
                elif name.endswith(".bias"):
                    p.zero_()
                else:
                    p.normal_(0.0, INIT_STD)

    def hidden(self, embeds):
        """Final-normed last-layer hidden states [b, l, d] of input embeddings [b, l, d], no padding."""
        b, l, _ = embeds.shape
        cos, sin = rope_cos_sin(torch.arange(l, device=embeds.device), self.c["hidden"] // self.c["heads"],
                                self.c["rope_theta"])
        x = embeds
        for layer in self.layers:
            x = layer(x, cos, sin, None)
        return self.norm(x)

    def logits_at(self, hidden, rows, positions):
        """Logits [n, vocab] at the (row, position) pairs only, through the tied head."""
        return hidden[rows, positions] @ self.embed_tokens.weight.t()

    def full_logits(self, hidden):
        return hidden @ self.embed_tokens.weight.t()


class LatentRATT(nn.Module):
    """The reference's SelfAttentionLayer: single-head q/k/v (with bias) over H, RoPE base 1000 on the full d,
    query at t - 1, keys and values strictly before t, no output projection."""

    def __init__(self, d, device=None):
        super().__init__()
        self.d = d
        self.query = nn.Linear(d, d, device=device)
        self.key = nn.Linear(d, d, device=device)
        self.value = nn.Linear(d, d, device=device)
        with torch.no_grad():
            for lin in (self.query, self.key, self.value):
                lin.weight.normal_(0.0, INIT_STD)
                lin.bias.zero_()

    def forward(self, hidden, t):
        """r [b, d] from hidden [b, l, d] and one thought position t shared by every row (no padding)."""
        b, l, d = hidden.shape
        cos, sin = rope_cos_sin(torch.arange(l, device=hidden.device), d, 1000.0)
        q = self.query(hidden[:, t - 1])
        q = q * cos[t - 1] + rotate_half(q) * sin[t - 1]
        k = self.key(hidden)
        k = k * cos + rotate_half(k) * sin
        v = self.value(hidden)
        scores = (k @ q[:, :, None])[..., 0] / math.sqrt(d)
        scores = scores.masked_fill(torch.arange(l, device=hidden.device) >= t, float("-inf"))
        return (torch.softmax(scores, dim=-1)[:, None, :] @ v)[:, 0]


def synthetic_ids(rows, length, vocab_rows, row_offset=0):
    """The benchmark batch's token ids, the same formula as TrainShapes.tokenId: fixed, spread over the vocabulary."""
    ids = [[((r + row_offset) * 1_000_003 + t * 7_919 + 17) % vocab_rows for t in range(length)] for r in range(rows)]
    return torch.tensor(ids, dtype=torch.long)


def time_reps(step, warmup, reps, rep_seconds, sync=lambda: None):
    """Runs step() for `warmup` then `reps` rounds of at least rep_seconds each (at least one call); returns the
    seconds per call of each measured round, as JMH's throughput iterations do. sync() (synchronizer) runs before
    every clock read, so a round's time includes all the device work its calls queued."""
    def one_round():
        sync()
        calls, t0 = 0, time.perf_counter()
        while True:
            step()
            calls += 1
            sync()
            elapsed = time.perf_counter() - t0
            if elapsed >= rep_seconds:
                return elapsed / calls

    for _ in range(warmup):
        one_round()
    return [one_round() for _ in range(reps)]


def report(fields, seconds):
    """The JSON line bench/report reads: the fields, every round's seconds per call, and median / min / max."""
    out = dict(fields)
    out.update(seconds=seconds, median_s=statistics.median(seconds), min_s=min(seconds), max_s=max(seconds),
               torch=torch.__version__, torch_threads=torch.get_num_threads(),
               attention="sdpa" if HAS_SDPA else "eager")
    print(json.dumps(out), flush=True)


def count_parameters(*modules):
    return sum(p.numel() for m in modules for p in m.parameters())
