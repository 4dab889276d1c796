"""Training throughput and MFU: storylab's `train()` beside a plain nanoGPT-style loop.

    python benchmarks/train_throughput.py [--steps 12] [--modes default,fp32,bf16,compile,compile+bf16]
                                          [--loss-steps 100]

`default` is storylab with no flags (dtype auto: bf16 autocast on CPUs with bf16 units;
threads from the free cores), beside the baseline's fp32 eager loop: nanoGPT's documented
CPU recipe. The headline ratios are printed last: default vs that recipe, and best vs best.
`--loss-steps` trains d128 twice through `train()`, default and float32, and compares the
mean loss of the last 10 steps (the same data, schedule and seed: only the precision differs).

Both run the same configs on the same data in the same process: vocab 4096, context
256, batch 16, (d_model 128, 4 layers, 4 heads) and (256, 6, 8). MFU is model FLOPs
per token x tokens/s over the matmul peak measured here, in the same run, for fp32 and
bf16. Tokens/s is the median over the timed steps (after warm-up ones).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
TEXT = ROOT.parent / "shared" / "data" / "tinystories" / "train_prefix_2MiB.txt"
CONFIGS = [dict(d_model=128, n_layers=4, n_heads=4), dict(d_model=256, n_layers=6, n_heads=8)]
VOCAB, CONTEXT, BATCH, WARMUP = 4096, 256, 16, 3


# --- the baseline: a plain nanoGPT-style model and loop, written for this benchmark --------------

class Attn(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.c_attn = nn.Linear(d, 3 * d, bias=False)
        self.c_proj = nn.Linear(d, d, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.h, C // self.h).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))


class BaselineBlock(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.ln_1, self.attn = nn.LayerNorm(d, bias=False), Attn(d, h)
        self.ln_2 = nn.LayerNorm(d, bias=False)
        self.c_fc, self.c_proj = nn.Linear(d, 4 * d, bias=False), nn.Linear(4 * d, d, bias=False)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.c_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class BaselineGPT(nn.Module):
    def __init__(self, d_model, n_layers, n_heads):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(VOCAB, d_model), nn.Embedding(CONTEXT, d_model)
        self.h = nn.ModuleList(BaselineBlock(d_model, n_heads) for _ in range(n_layers))
        self.ln_f = nn.LayerNorm(d_model, bias=False)
        self.lm_head = nn.Linear(d_model, VOCAB, bias=False)
        self.lm_head.weight = self.wte.weight
        self.apply(lambda m: nn.init.normal_(m.weight, std=0.02) if isinstance(m, (nn.Linear, nn.Embedding)) else None)

    def forward(self, idx, targets):
        x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
        for b in self.h:
            x = b(x)
        logits = self.lm_head(self.ln_f(x))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.reshape(-1))


def baseline_tokens_per_s(cfg, tokens, steps, bf16, compile_):
    torch.manual_seed(0)
    model = BaselineGPT(**cfg)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    other = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": other, "weight_decay": 0.0}],
                            lr=1e-3, betas=(0.9, 0.95))
    fwd = torch.compile(model) if compile_ else model
    rng = np.random.default_rng(0)
    times = []
    for step in range(WARMUP + steps):
        t0 = time.perf_counter()
        ix = rng.integers(0, len(tokens) - CONTEXT - 1, BATCH)
        w = torch.from_numpy(np.stack([tokens[i:i + CONTEXT + 1] for i in ix]).astype(np.int64))
        x, y = w[:, :-1], w[:, 1:]
        with torch.autocast("cpu", dtype=torch.bfloat16) if bf16 else nullcontext():
            loss = fwd(x, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        times.append(time.perf_counter() - t0)
    return BATCH * CONTEXT / statistics.median(times[WARMUP:])


# --- storylab, through its real training entry point -------------------------------------------

def storylab_run(cfg, data_dir, steps, bf16, compile_, workdir, default=False):
    from storylab.config import load_run_config
    from storylab.train import train

    overrides = [f"data={data_dir}", f"model.context={CONTEXT}", f"train.batch_size={BATCH}",
                 f"train.steps={steps}", "train.log_every=1", "train.eval_every=0", "train.eval_batches=1",
                 "train.ckpt_every=0"] + [f"model.{k}={v}" for k, v in cfg.items()]
    if not default:
        overrides += [f"train.dtype={'bfloat16' if bf16 else 'float32'}", f"train.compile={compile_}",
                      f"train.threads={torch.get_num_threads()}"]
    run = Path(tempfile.mkdtemp(dir=workdir))
    threads = torch.get_num_threads()
    result = train(load_run_config(None, overrides), run, progress=False)
    torch.set_num_threads(threads)  # the default mode may have chosen others
    return result, [m for m in map(json.loads, (run / "metrics.jsonl").read_text().splitlines()) if "loss" in m]


def storylab_tokens_per_s(cfg, data_dir, steps, bf16, compile_, workdir, default=False):
    _, rows = storylab_run(cfg, data_dir, WARMUP + steps, bf16, compile_, workdir, default)
    return statistics.median([m["tokens_per_s"] for m in rows][WARMUP:])


def matmul_peak(dtype, n=1024, reps=20) -> float:
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    for _ in range(3):
        a @ b
    best = math.inf
    for _ in range(reps):
        t0 = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t0)
    return 2 * n**3 / best


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=12, help="timed steps per measurement (after 3 warm-up steps)")
    ap.add_argument("--modes", default="default,fp32,bf16,compile,compile+bf16")
    ap.add_argument("--loss-steps", type=int, default=100, help="steps of the loss check (0: skip it)")
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    from storylab.corpus import import_corpus
    from storylab.model import GPT
    from storylab.config import ModelConfig
    from storylab.shards import load_data, prepare

    work = Path(tempfile.mkdtemp(prefix="storylab-bench-"))
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import_corpus(TEXT, work / "c.jsonl")
    prepare(work / "c.jsonl", work / "data", vocab_size=VOCAB, progress=False)
    tokens = load_data(work / "data").split("train")

    peaks = {"fp32": matmul_peak(torch.float32), "bf16": matmul_peak(torch.bfloat16)}
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; matmul peak measured here: "
          f"fp32 {peaks['fp32'] / 1e9:.1f} GFLOP/s, bf16 {peaks['bf16'] / 1e9:.1f} GFLOP/s")
    print(f"vocab {VOCAB}, context {CONTEXT}, batch {BATCH}; {args.steps} timed steps after {WARMUP} warm-up")
    print(f"{'config':<18}{'mode':<14}{'baseline tok/s':>15}{'storylab tok/s':>15}{'ratio':>7}{'MFU':>7}")
    from storylab.device import resolve_dtype
    default_bf16 = resolve_dtype("auto", "cpu") == "bfloat16"
    headline = []
    for cfg in CONFIGS:
        name = f"d{cfg['d_model']}/L{cfg['n_layers']}/H{cfg['n_heads']}"
        fpt = GPT(ModelConfig(vocab_size=VOCAB, context=CONTEXT, **cfg)).flops_per_token()
        best = {}
        for mode in args.modes.split(","):
            default = mode == "default"
            bf16, comp = ("bf16" in mode or (default and default_bf16)), "compile" in mode
            try:
                # the default is compared with nanoGPT's CPU recipe: fp32, eager
                base = baseline_tokens_per_s(cfg, tokens, args.steps, False if default else bf16, False if default else comp)
                ours = storylab_tokens_per_s(cfg, work / "data", args.steps, bf16, comp, work, default)
            except Exception as e:  # e.g. torch.compile without a working compiler
                print(f"{name:<18}{mode:<14} failed: {str(e).splitlines()[0][:80]}")
                continue
            mfu = fpt * ours / peaks["bf16" if bf16 else "fp32"]
            if default:
                headline.append(f"{name}: storylab with no flags ({'bf16' if bf16 else 'fp32'}) vs nanoGPT's CPU recipe "
                                f"(fp32, eager): {ours / base:.2f}x (target >= 1.5x)")
            else:
                best[mode] = (base, ours)
            print(f"{name:<18}{mode:<14}{base:>15,.0f}{ours:>15,.0f}{ours / base:>7.2f}{mfu:>7.1%}", flush=True)
        if best:
            ours_mode = max(best, key=lambda m: best[m][1])
            base_mode = max(best, key=lambda m: best[m][0])
            print(f"{name:<18}best: storylab {best[ours_mode][1]:,.0f} tok/s ({ours_mode}) vs baseline "
                  f"{best[base_mode][0]:,.0f} tok/s ({base_mode}): ratio {best[ours_mode][1] / best[base_mode][0]:.2f}")
            headline.append(f"{name}: best vs best: {best[ours_mode][1] / best[base_mode][0]:.2f}x (target >= 1.1x)")
    print(f"model FLOPs/token: 6 x non-embedding params (+ unembedding) + attention, per config")
    if args.loss_steps:
        losses = {}
        for mode in ("default", "fp32"):
            _, rows = storylab_run(CONFIGS[0], work / "data", args.loss_steps, False, False, work, mode == "default")
            losses[mode] = statistics.mean(m["loss"] for m in rows[-10:])
        d = losses["default"] / losses["fp32"] - 1
        headline.append(f"loss after {args.loss_steps} steps (mean of the last 10), d128: default {losses['default']:.4f} "
                        f"vs float32 {losses['fp32']:.4f}: {d:+.2%} (target within 1%)")
    print("\n".join(headline))


if __name__ == "__main__":
    sys.exit(main())
