"""One full training step of a Qwen2 in PyTorch (fp32; CPU, or a CUDA device with --device cuda), timed: what
bench/report compares our TrainStepBenchmark (CPU) and CudaTrainStepBenchmark (GPU) with. The step is SftTrainer's:
zero the gradients; forward over a batch of `rows` sequences of prompt + target tokens (no padding); cross-entropy
over the target tokens only, logits computed only at the positions that predict them; backward; clip the global
gradient norm to 1; AdamW (lr 1e-4, betas 0.9/0.999, eps 1e-8, weight decay 0.01 on matrices only).

Prints one JSON line: the shapes, parameter count, tokens per step (rows x (prompt + target)), and the seconds per
step of every measured round (see qwen2_torch.time_reps), with median / min / max. On cuda: model, batch and optimizer
state on the device, TF32 off, the device synchronized before each clock read, and the device, torch's CUDA and
peak_bytes (torch.cuda.max_memory_allocated over the timed steps) added.

  python3 bench/torch/train_step.py --preset tiny --rows 4 --prompt 200 --target 20 --threads 2 --warmup 2 --reps 3
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import qwen2_torch as q  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--preset", choices=sorted(q.PRESETS), required=True)
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--prompt", type=int, required=True)
    ap.add_argument("--target", type=int, required=True)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--rep-seconds", type=float, default=0.0, help="each round lasts at least this long")
    q.add_device_argument(ap)
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    device = q.open_device(a.device)
    torch.manual_seed(0)
    c = q.PRESETS[a.preset]
    model = q.Qwen2(c, device)
    length = a.prompt + a.target
    ids = q.synthetic_ids(a.rows, length, c["vocab"]).to(device)
    # Position j - 1 predicts token j: the target tokens are the last `target` of each row.
    rows = torch.arange(a.rows, device=device).repeat_interleave(a.target)
    positions = torch.arange(a.prompt - 1, length - 1, device=device).repeat(a.rows)
    labels = ids[rows, positions + 1]
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=1e-4, betas=(0.9, 0.999), eps=1e-8)
    losses = []

    def step():
        opt.zero_grad(set_to_none=False)
        hidden = model.hidden(model.embed_tokens(ids))
        loss = F.cross_entropy(model.logits_at(hidden, rows, positions), labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())

    q.start_peak(device)
    seconds = q.time_reps(step, a.warmup, a.reps, a.rep_seconds, q.synchronizer(device))
    q.report(dict(bench="train_step", preset=a.preset, rows=a.rows, prompt=a.prompt, target=a.target,
                  threads=a.threads, params=q.count_parameters(model), tokens_per_step=a.rows * length,
                  first_loss=losses[0], last_loss=losses[-1], steps=len(losses), **q.device_fields(device)), seconds)


if __name__ == "__main__":
    main()
