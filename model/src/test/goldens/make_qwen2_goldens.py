#!/usr/bin/python3
"""Golden outputs for dev.latentr3.model.qwen2.Qwen2ForCausalLM, from an independent plain-PyTorch Qwen2.

This is the public Qwen2 decoder (Hugging Face's Qwen2ForCausalLM) written out from its definition, not copied from
any implementation: token embedding; per layer x + o(attn(rmsnorm(x))) then h + down(silu(gate(.)) * up(.)) of
rmsnorm(h); final rmsnorm; lm_head (or the embedding matrix when tied).
  - RMSNorm(x) = x * rsqrt(mean(x^2) + eps) * w
  - q, k, v projections with bias, o_proj without; grouped-query attention by repeating each key/value head for
    num_attention_heads / num_key_value_heads query heads (repeat_kv)
  - RoPE, rotate-half form over the full head dimension: inv_freq = 1 / theta^(arange(0, D, 2) / D),
    x * cos + rotate_half(x) * sin with rotate_half(x) = cat(-x2, x1)
  - causal mask and key-padding mask; positions = cumsum(mask) - 1 with padding positions set to 1 (what Hugging Face
    generate passes as position_ids for a padded batch)
Everything is computed in float64 (weights are drawn in float32, so the Java model holds them exactly); expected values
are stored as float32, whose rounding (6e-8 relative) is far below the Java test's 1e-4 tolerance.

One convention differs from Hugging Face's eager attention and is the engine's: a query that may see no key at all (a
left-padding position, all of whose earlier keys are padding) gets an attention output of 0 and no gradient, where
eager attention would average the masked keys. Such rows are padding: no real token reads them (their keys are
masked) and no loss target sits on them, so real logits and all parameter gradients are unaffected either way.

Each case is written to model/src/test/resources/goldens/qwen2/<case>/:
  config.json          Hugging Face config (what Qwen2Config.load reads)
  model.safetensors    the weights under Hugging Face names (F32)
  expected.safetensors input_ids, attention_mask (I32 [B, L]), positions (I32 [B, L]), logits (F32 [B, L, V]),
                       last_hidden (F32 [B, L, hidden], after the final norm), target_batch / target_position /
                       target_token (I32 [T]: cross-entropy targets), loss (F32 [1], mean over the targets),
                       grad.<weight name> (F32, d loss / d weight) for every weight
The safetensors files are written by hand (8-byte little-endian header length, JSON header, raw little-endian data),
so that nothing beyond torch is needed. Run: /usr/bin/python3 make_qwen2_goldens.py (torch 1.13, Debian's python3-torch).
"""
import json
import os
import struct

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "goldens", "qwen2")

CASES = [
    # Tied embeddings, grouped-query attention (2 query heads per key/value head), odd sizes, one left-padded row.
    dict(name="tied-gqa", seed=1, vocab_size=101, hidden_size=24, intermediate_size=40, num_hidden_layers=2,
         num_attention_heads=4, num_key_value_heads=2, rope_theta=10000.0, rms_norm_eps=1e-6,
         tie_word_embeddings=True,
         lengths=[7, 5], padding="left"),
    # Untied lm_head, one key/value head per query head, head dim 8, large theta; a full, a left- and a right-padded row.
    dict(name="untied-mha", seed=2, vocab_size=101, hidden_size=24, intermediate_size=40, num_hidden_layers=2,
         num_attention_heads=3, num_key_value_heads=3, rope_theta=1000000.0, rms_norm_eps=1e-5,
         tie_word_embeddings=False,
         lengths=[6, 4, 3], padding="mixed"),
]


def rms_norm(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rope(x, positions, theta):
    """x [B, H, L, D], positions [B, L]."""
    d = x.shape[-1]
    inv_freq = 1.0 / (theta ** (torch.arange(0, d, 2, dtype=torch.float64) / d))
    angles = positions.to(torch.float64)[..., None] * inv_freq  # [B, L, D/2]
    emb = torch.cat((angles, angles), dim=-1)[:, None, :, :]  # [B, 1, L, D]
    return x * emb.cos() + rotate_half(x) * emb.sin()


def repeat_kv(x, groups):
    """[B, Hkv, L, D] -> [B, Hkv * groups, L, D], key/value head j serving query heads j*groups .. j*groups+groups-1."""
    b, hkv, l, d = x.shape
    return x[:, :, None, :, :].expand(b, hkv, groups, l, d).reshape(b, hkv * groups, l, d)


def attention(q, k, v, mask):
    """q [B, H, L, D], k and v [B, H, L, D], mask [B, L] (1 = real). Causal; rows that see no key output 0."""
    l = q.shape[2]
    causal = torch.tril(torch.ones(l, l, dtype=torch.bool))
    allowed = causal[None, None, :, :] & mask.bool()[:, None, None, :]  # [B, 1, L, L]
    scores = q @ k.transpose(-1, -2) / (q.shape[-1] ** 0.5)
    # A large finite negative (exp underflows to exactly 0 in float64) instead of -inf keeps fully masked rows free of
    # NaN, whose gradient would otherwise poison everything; those rows are then zeroed explicitly.
    probs = torch.softmax(scores.masked_fill(~allowed, -1e300), dim=-1)
    sees_any = allowed.any(dim=-1, keepdim=True)
    probs = probs * sees_any.to(probs.dtype)
    return probs @ v


def forward(cfg, w, ids, mask, positions):
    """Last hidden states after the final norm [B, L, hidden] and logits [B, L, V]."""
    b, l = ids.shape
    heads, kv_heads = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    d = cfg["hidden_size"] // heads
    eps = cfg["rms_norm_eps"]
    x = w["model.embed_tokens.weight"][ids]
    for i in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % i
        h = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = h @ w[p + "self_attn.q_proj.weight"].T + w[p + "self_attn.q_proj.bias"]
        k = h @ w[p + "self_attn.k_proj.weight"].T + w[p + "self_attn.k_proj.bias"]
        v = h @ w[p + "self_attn.v_proj.weight"].T + w[p + "self_attn.v_proj.bias"]
        q = q.view(b, l, heads, d).transpose(1, 2)
        k = k.view(b, l, kv_heads, d).transpose(1, 2)
        v = v.view(b, l, kv_heads, d).transpose(1, 2)
        q = rope(q, positions, cfg["rope_theta"])
        k = rope(k, positions, cfg["rope_theta"])
        groups = heads // kv_heads
        a = attention(q, repeat_kv(k, groups), repeat_kv(v, groups), mask)
        a = a.transpose(1, 2).reshape(b, l, heads * d)
        x = x + a @ w[p + "self_attn.o_proj.weight"].T
        h = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        gate = h @ w[p + "mlp.gate_proj.weight"].T
        up = h @ w[p + "mlp.up_proj.weight"].T
        x = x + (torch.nn.functional.silu(gate) * up) @ w[p + "mlp.down_proj.weight"].T
    hidden = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else w["lm_head.weight"]
    return hidden, hidden @ head.T


def weight_shapes(cfg):
    hidden, inter, vocab = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    d = hidden // cfg["num_attention_heads"]
    q_out, kv_out = cfg["num_attention_heads"] * d, cfg["num_key_value_heads"] * d
    shapes = {"model.embed_tokens.weight": [vocab, hidden]}
    for i in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % i
        shapes[p + "self_attn.q_proj.weight"] = [q_out, hidden]
        shapes[p + "self_attn.q_proj.bias"] = [q_out]
        shapes[p + "self_attn.k_proj.weight"] = [kv_out, hidden]
        shapes[p + "self_attn.k_proj.bias"] = [kv_out]
        shapes[p + "self_attn.v_proj.weight"] = [kv_out, hidden]
        shapes[p + "self_attn.v_proj.bias"] = [kv_out]
        shapes[p + "self_attn.o_proj.weight"] = [hidden, q_out]
        shapes[p + "mlp.gate_proj.weight"] = [inter, hidden]
        shapes[p + "mlp.up_proj.weight"] = [inter, hidden]
        shapes[p + "mlp.down_proj.weight"] = [hidden, inter]
        shapes[p + "input_layernorm.weight"] = [hidden]
        shapes[p + "post_attention_layernorm.weight"] = [hidden]
    shapes["model.norm.weight"] = [hidden]
    if not cfg["tie_word_embeddings"]:
        shapes["lm_head.weight"] = [vocab, hidden]
    return shapes


def random_weights(cfg, gen):
    """Float32 draws: norm weights around 1, everything else N(0, 0.3^2) (large enough that every path matters)."""
    out = {}
    for name, shape in weight_shapes(cfg).items():
        if name.endswith("layernorm.weight") or name == "model.norm.weight":
            t = 1.0 + 0.2 * torch.randn(shape, generator=gen)
        else:
            t = 0.3 * torch.randn(shape, generator=gen)
        out[name] = t.to(torch.float32)
    return out


def inputs(cfg, gen):
    lengths, batch = cfg["lengths"], len(cfg["lengths"])
    l = max(lengths)
    ids = torch.zeros(batch, l, dtype=torch.int64)
    mask = torch.zeros(batch, l, dtype=torch.int64)
    for row, n in enumerate(lengths):
        # "mixed": the last row is right-padded, the others left-padded.
        right = cfg["padding"] == "mixed" and row == batch - 1
        start = 0 if right else l - n
        ids[row, start:start + n] = torch.randint(0, cfg["vocab_size"], (n,), generator=gen)
        mask[row, start:start + n] = 1
    positions = mask.cumsum(-1) - 1
    positions = positions.masked_fill(mask == 0, 1)
    return ids, mask, positions


def targets(mask, ids, vocab, gen):
    """Next-token targets at every real position that has a real successor, plus one random target per row."""
    tb, tp, tt = [], [], []
    batch, l = mask.shape
    for row in range(batch):
        real = [t for t in range(l) if mask[row, t] == 1]
        for a, b in zip(real, real[1:]):
            tb.append(row), tp.append(a), tt.append(int(ids[row, b]))
        tb.append(row), tp.append(real[-1]), tt.append(int(torch.randint(0, vocab, (1,), generator=gen)))
    return torch.tensor(tb), torch.tensor(tp), torch.tensor(tt)


def hf_config(cfg):
    return {
        "architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 0, "eos_token_id": 1,
        "hidden_act": "silu", "hidden_size": cfg["hidden_size"], "initializer_range": 0.02,
        "intermediate_size": cfg["intermediate_size"], "max_position_embeddings": 64, "model_type": "qwen2",
        "num_attention_heads": cfg["num_attention_heads"], "num_hidden_layers": cfg["num_hidden_layers"],
        "num_key_value_heads": cfg["num_key_value_heads"], "rms_norm_eps": cfg["rms_norm_eps"], "rope_scaling": None,
        "rope_theta": cfg["rope_theta"], "sliding_window": None, "tie_word_embeddings": cfg["tie_word_embeddings"],
        "torch_dtype": "float32", "use_cache": True, "use_sliding_window": False, "vocab_size": cfg["vocab_size"],
    }


def write_safetensors(path, tensors):
    """tensors: name -> torch tensor of float32 or int32. Layout per the safetensors spec, data in insertion order."""
    names = {torch.float32: "F32", torch.int32: "I32"}
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.contiguous().numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # pad so that the data starts 8-byte aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def make(cfg):
    gen = torch.Generator().manual_seed(cfg["seed"])
    weights32 = random_weights(cfg, gen)
    ids, mask, positions = inputs(cfg, gen)
    tb, tp, tt = targets(mask, ids, cfg["vocab_size"], gen)

    w = {k: v.to(torch.float64).requires_grad_(True) for k, v in weights32.items()}
    hidden, logits = forward(cfg, w, ids, mask, positions)
    logp = torch.log_softmax(logits[tb, tp], dim=-1)
    loss = -logp[torch.arange(len(tt)), tt].mean()
    loss.backward()

    folder = os.path.join(OUT, cfg["name"])
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(hf_config(cfg), f, indent=2, sort_keys=True)
        f.write("\n")
    write_safetensors(os.path.join(folder, "model.safetensors"), weights32)
    expected = {
        "input_ids": ids.to(torch.int32),
        "attention_mask": mask.to(torch.int32),
        "positions": positions.to(torch.int32),
        "logits": logits.detach().to(torch.float32),
        "last_hidden": hidden.detach().to(torch.float32),
        "target_batch": tb.to(torch.int32),
        "target_position": tp.to(torch.int32),
        "target_token": tt.to(torch.int32),
        "loss": loss.detach().reshape(1).to(torch.float32),
    }
    for name, t in w.items():
        expected["grad." + name] = t.grad.to(torch.float32)
    write_safetensors(os.path.join(folder, "expected.safetensors"), expected)
    print("%s: loss %.6f, %d targets" % (cfg["name"], loss.item(), len(tt)))


if __name__ == "__main__":
    torch.set_num_threads(1)
    for c in CASES:
        make(c)
