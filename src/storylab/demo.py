"""`storylab demo`: the whole loop on a fresh machine, offline, in minutes.

procedural stories → BPE tokenizer + shards → a ~1M-parameter GPT trained for a fixed
wall-clock budget → greedy and sampled stories and the validation loss. Everything is
left in `runs/demo/`, which is a run directory like any other (config.toml,
checkpoints/, metrics.jsonl, samples.jsonl) that also holds its corpus.jsonl and data/.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from rich.markup import escape

from storylab.config import load_run_config
from storylab.progress import console
from storylab.rundir import load_run
from storylab.sample import SampleSettings, generate, sample_record, write_samples
from storylab.shards import prepare
from storylab.train import train
from storylab.world import generate_corpus

# ALiBi: its bias toward recent tokens is what tiny story models need first (1,200 steps of
# 8 x 256 tokens at lr 6e-3: val loss learned 1.034, rope 0.914, alibi 0.788; with rmsnorm and
# swiglu, rope 0.897 and alibi 0.871). It cannot be exported to Hugging Face; rope can.
DEMO_MODEL = ["model.d_model=128", "model.n_layers=4", "model.n_heads=4", "model.context=256",
              "model.positions=alibi"]
# Small batches and a high learning rate: per token seen, this learns fastest at this size
# (600 steps of 16 x 256 tokens: lr 2e-3 -> val loss 1.217, 6e-3 -> 1.081, 1.2e-2 -> 1.289;
# 1,200 steps of 8 x 256 at 6e-3 -> 1.034), and a CPU processes batch 8 no slower per token.
DEMO_TRAIN = ["train.batch_size=8", "train.lr=6e-3", "train.min_lr=6e-4", "train.warmup=50",
              "train.eval_every=400", "train.eval_batches=20", "train.ckpt_every=400", "train.log_every=10"]
PROMPTS = ["Once upon a time, there was a little girl named Lily.",
           "One day, Tom and his dog went to the park.",
           "Ben was very hungry, so"]


@dataclass
class DemoResult:
    run_dir: Path
    val_loss: float
    params: int
    seconds: float
    greedy: list[str]
    sampled: list[str]


def _estimate_steps(cfg, data_dir: Path, minutes: float, work: Path) -> int:
    """Time a few real steps to size the cosine schedule to the time budget."""
    probe = load_run_config(None, [f"data={data_dir}", *DEMO_MODEL, *DEMO_TRAIN, "train.steps=6",
                                   "train.eval_every=0", "train.eval_batches=1", "train.log_every=1",
                                   f"train.dtype={cfg.train.dtype}", f"train.threads={cfg.train.threads}"])
    run = work / "calibrate"
    shutil.rmtree(run, ignore_errors=True)
    train(probe, run, progress=False)
    rates = [m["tokens_per_s"] for m in map(json.loads, (run / "metrics.jsonl").read_text().splitlines())
             if "tokens_per_s" in m][2:]
    shutil.rmtree(run, ignore_errors=True)
    tokens_per_step = cfg.train.batch_size * cfg.model.context
    return max(20, int(minutes * 60 * statistics.median(rates) / tokens_per_step))


def run_demo(out: str | os.PathLike = "runs/demo", minutes: float = 7.0, stories: int = 30000, seed: int = 0,
             vocab_size: int = 2048, dtype: str = "float32", steps: int | None = None,
             progress: bool = True) -> DemoResult:
    """`steps` fixes the schedule instead of fitting it to `minutes` (same seed, same model on any machine)."""
    t0 = time.time()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    corpus, data_dir, run_dir = out / "corpus.jsonl", out / "data", out

    console.print(f"[bold]1/4[/] generating {stories:,} procedural stories (seed {seed})")
    stats = generate_corpus(corpus, stories, seed, progress=progress)
    console.print(f"    {stats.summary()}", highlight=False, markup=False)

    console.print(f"[bold]2/4[/] training a {vocab_size}-token BPE tokenizer and encoding")
    pstats = prepare(corpus, data_dir, vocab_size=vocab_size, seed=seed, progress=progress)
    console.print(f"    {pstats.summary()}", highlight=False, markup=False)

    cfg = load_run_config(None, [f"data={data_dir}", *DEMO_MODEL, *DEMO_TRAIN, f"train.seed={seed}",
                                 f"train.dtype={dtype}"])
    if steps:
        cfg.train.steps = steps
    else:  # the cosine ends when the minutes do: a probe timed while the machine is busy once gave half the steps
        cfg.train.max_minutes, cfg.train.lr_schedule = minutes, "time"
        estimate = _estimate_steps(cfg, data_dir, minutes, out)
        cfg.train.steps = 3 * estimate  # a cap the clock reaches first
    for old in ("checkpoints", "metrics.jsonl", "config.toml", "samples.jsonl"):  # a previous demo's run
        p = run_dir / old
        shutil.rmtree(p) if p.is_dir() else p.unlink(missing_ok=True)
    budget = f"{steps} steps" if steps else f"{minutes:g} minutes (~{estimate} steps)"
    console.print(f"[bold]3/4[/] training for {budget} into {escape(str(run_dir))}")
    result = train(cfg, run_dir, progress=progress)
    console.print(f"    {result.summary()}", highlight=False, markup=False)

    console.print("[bold]4/4[/] stories from the model")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # batch-1 decoding of a tiny model: thread hand-offs cost more than they give
    model, tok = load_run(run_dir)
    greedy_settings = SampleSettings(greedy=True, max_new_tokens=200)
    sampled_settings = SampleSettings(temperature=0.8, top_k=50, max_new_tokens=200, seed=seed)
    greedy_out = [c for (c,) in generate(model, tok, PROMPTS, greedy_settings)]
    sampled_out = generate(model, tok, PROMPTS[:1], sampled_settings, num_samples=2)[0]
    torch.set_num_threads(threads)
    write_samples(run_dir / "samples.jsonl",
                  [sample_record(p, c, greedy_settings, result.step, kind="greedy") for p, c in zip(PROMPTS, greedy_out)]
                  + [sample_record(PROMPTS[0], c, sampled_settings, result.step, kind="sampled") for c in sampled_out])
    greedy = [p + c for p, c in zip(PROMPTS, greedy_out)]
    sampled = [PROMPTS[0] + c for c in sampled_out]
    return DemoResult(run_dir, result.val_loss, result.params, time.time() - t0, greedy, sampled)
