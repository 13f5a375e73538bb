"""A plain PyTorch Qwen2 (as Hugging Face's Qwen2ForCausalLM computes it) and LatentR3's LatentRATT, fp32, for the
side-by-side benchmarks in bench/torch. No transformers dependency: the model is written out here so that it has
exactly the shapes of the Java model it is timed against (bench/.../TrainShapes.java), and nothing else.

Attention uses torch.nn.functional.scaled_dot_product_attention when this torch has it (2.0 and later), else the
"eager" form Hugging Face used before it (scores, causal mask, softmax, weighted sum).
"""
import json
import math
import statistics
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
}
RMS_EPS = 1e-6
INIT_STD = 0.02


def rope_cos_sin(positions, dim, base):
    """cos, sin [..., dim] for the rotate-half convention (dimension j pairs with j + dim/2)."""
    inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.float32) / dim))
    freqs = positions.to(torch.float32)[..., None] * inv_freq
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class RMSNorm(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + RMS_EPS) * self.weight


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, h, kv = c["hidden"], c["heads"], c["kv_heads"]
        self.heads, self.kv_heads, self.head_dim = h, kv, d // h
        self.input_layernorm = RMSNorm(d)
        self.q_proj = nn.Linear(d, h * self.head_dim, bias=True)
        self.k_proj = nn.Linear(d, kv * self.head_dim, bias=True)
        self.v_proj = nn.Linear(d, kv * self.head_dim, bias=True)
        self.o_proj = nn.Linear(h * self.head_dim, d, bias=False)
        self.post_attention_layernorm = RMSNorm(d)
        self.gate_proj = nn.Linear(d, c["intermediate"], bias=False)
        self.up_proj = nn.Linear(d, c["intermediate"], bias=False)
        self.down_proj = nn.Linear(c["intermediate"], d, bias=False)

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
                causal = torch.full((l, l), float("-inf")).triu(1)
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
    """Embedding, decoder layers, final RMSNorm; the LM head is the embedding matrix (tied)."""

    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embed_tokens = nn.Embedding(c["vocab"], c["hidden"])
        self.layers = nn.ModuleList([Layer(c) for _ in range(c["layers"])])
        self.norm = RMSNorm(c["hidden"])
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
        cos, sin = rope_cos_sin(torch.arange(l), self.c["hidden"] // self.c["heads"], self.c["rope_theta"])
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

    def __init__(self, d):
        super().__init__()
        self.d = d
        self.query = nn.Linear(d, d)
        self.key = nn.Linear(d, d)
        self.value = nn.Linear(d, d)
        with torch.no_grad():
            for lin in (self.query, self.key, self.value):
                lin.weight.normal_(0.0, INIT_STD)
                lin.bias.zero_()

    def forward(self, hidden, t):
        """r [b, d] from hidden [b, l, d] and one thought position t shared by every row (no padding)."""
        b, l, d = hidden.shape
        cos, sin = rope_cos_sin(torch.arange(l), d, 1000.0)
        q = self.query(hidden[:, t - 1])
        q = q * cos[t - 1] + rotate_half(q) * sin[t - 1]
        k = self.key(hidden)
        k = k * cos + rotate_half(k) * sin
        v = self.value(hidden)
        scores = (k @ q[:, :, None])[..., 0] / math.sqrt(d)
        scores = scores.masked_fill(torch.arange(l) >= t, float("-inf"))
        return (torch.softmax(scores, dim=-1)[:, None, :] @ v)[:, 0]


def synthetic_ids(rows, length, vocab_rows, row_offset=0):
    """The benchmark batch's token ids, the same formula as TrainShapes.tokenId: fixed, spread over the vocabulary."""
    ids = [[((r + row_offset) * 1_000_003 + t * 7_919 + 17) % vocab_rows for t in range(length)] for r in range(rows)]
    return torch.tensor(ids, dtype=torch.long)


def time_reps(step, warmup, reps, rep_seconds):
    """Runs step() for `warmup` then `reps` rounds of at least rep_seconds each (at least one call); returns the
    seconds per call of each measured round, as JMH's throughput iterations do."""
    def one_round():
        calls, t0 = 0, time.perf_counter()
        while True:
            step()
            calls += 1
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
