"""The released LatentR3 code's LR-GRPO micro-step in PyTorch (fp32; CPU, or a CUDA device with --device cuda),
timed: what bench/report compares our LrGrpoStepBenchmark (CPU) and CudaLrGrpoStepBenchmark (GPU) with. Written
out from the method doc (shared/reference/latentr3-method.md, sections 3.2 and 10.2): the TRL-based trainer sees
each group as a micro-batch of G = 8 identical rows, and for every row

  no grad:   generate_embs: a full LLM pass over prompt + thought + target (hidden states; Hugging Face computes
             the full-sequence logits too, and they are discarded), LatentRATT -> r, r + eps written at the thought;
             a second LLM pass over the injected embeddings -> per-token log-probs of the target (logits only at the
             target positions, TRL's logits_to_keep) -> reward -PPL
  advantage: over the gathered batch of groups: baseline = mean clean (copy 0) reward, A = (S - b) / (||S - b|| + 1e-6)
  with grad: generate_embs again (the LLM is frozen, the gradient reaches LatentRATT only), the same eps, the LLM
             pass again -> log-probs; the clipped-ratio loss (ratio = exp(lp - lp.detach()) = 1), token mean over the
             group, divided by the number of groups (gradient accumulation); backward

so each of the 8 copies recomputes r and both LLM passes, twice. The LLM and LM head are frozen; LatentRATT's
gradients are zeroed before the step; no optimizer update (a micro-step under accumulation has none).

Prints one JSON line like train_step.py (on cuda with the device and peak_bytes too: model, batch and noise on the
device, TF32 off, synchronized before each clock read). One call = one micro-step over `groups` groups.

  python3 bench/torch/lrgrpo_step.py --preset tiny --groups 2 --copies 8 --prompt 200 --target 20 --threads 2
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402

import qwen2_torch as q  # noqa: E402

SIGMA = 1.5
CLIP_LOW, CLIP_HIGH = 0.2, 0.28


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--preset", choices=sorted(q.PRESETS), required=True)
    ap.add_argument("--groups", type=int, required=True)
    ap.add_argument("--copies", type=int, default=8)
    ap.add_argument("--prompt", type=int, required=True)
    ap.add_argument("--target", type=int, required=True)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--rep-seconds", type=float, default=0.0)
    q.add_device_argument(ap)
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    device = q.open_device(a.device)
    torch.manual_seed(0)
    c = q.PRESETS[a.preset]
    llm = q.Qwen2(c, device)
    llm.requires_grad_(False)
    ratt = q.LatentRATT(c["hidden"], device)
    g, t, length = a.copies, a.prompt, a.prompt + 1 + a.target
    thought = c["vocab"] - 1
    # Each group's sequence: prompt, thought, target, with ids below the thought id (TrainShapes.rlGroups).
    sequences = []
    for i in range(a.groups):
        ids = q.synthetic_ids(1, length, c["vocab"] - 1, row_offset=i).to(device)
        ids[0, t] = thought
        sequences.append(ids.expand(g, length).contiguous())
    eps = torch.randn(a.groups, g, c["hidden"], device=device) * SIGMA
    eps[:, 0] = 0
    positions = torch.arange(t, t + a.target, device=device)  # the thought position predicts the first target token
    rows = torch.arange(g, device=device).repeat_interleave(a.target)

    def latent_embeddings(ids, group_eps):
        hidden = llm.hidden(llm.embed_tokens(ids))
        llm.full_logits(hidden)  # generate_embs's forward computes (and drops) every position's logits
        r = ratt(hidden, t)
        e = llm.embed_tokens(ids).clone()
        e[:, t] = r + group_eps
        return e

    def target_logprobs(ids, group_eps):
        hidden = llm.hidden(latent_embeddings(ids, group_eps))
        logits = llm.logits_at(hidden, rows, positions.repeat(g))
        labels = ids[rows, positions.repeat(g) + 1]
        return torch.log_softmax(logits, -1).gather(1, labels[:, None]).view(g, a.target)

    def step():
        ratt.zero_grad(set_to_none=False)
        with torch.no_grad():
            rewards = torch.stack([-torch.exp(-target_logprobs(s, eps[i]).mean(1)) for i, s in enumerate(sequences)])
        adv = rewards - rewards[:, 0].mean()
        adv = adv / (adv.norm() + 1e-6)
        total = 0.0
        for i, s in enumerate(sequences):
            lp = target_logprobs(s, eps[i])
            ratio = torch.exp(lp - lp.detach())
            a_i = adv[i][:, None]
            per_token = -torch.min(ratio * a_i, torch.clamp(ratio, 1 - CLIP_LOW, 1 + CLIP_HIGH) * a_i)
            loss = per_token.mean() / a.groups
            loss.backward()
            total += loss.item()
        return total

    q.start_peak(device)
    seconds = q.time_reps(step, a.warmup, a.reps, a.rep_seconds, q.synchronizer(device))
    q.report(dict(bench="lrgrpo_step", preset=a.preset, groups=a.groups, copies=g, prompt=a.prompt, target=a.target,
                  threads=a.threads, params=q.count_parameters(llm), latent_params=q.count_parameters(ratt),
                  **q.device_fields(device)), seconds)


if __name__ == "__main__":
    main()
