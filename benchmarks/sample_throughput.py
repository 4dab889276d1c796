"""Sampling throughput (tokens/s) of `storylab.sample` at batch 1 and batch 64, on CPU.

    python benchmarks/sample_throughput.py [RUN] [--tokens 200] [--threads 0,1]

RUN is any run directory; by default the llama2.c stories260K model from
../shared/data/llama2c is imported into a temporary directory. Each batch decodes a
fixed number of new tokens after "Once upon a time" (no early stop at end-of-text, so
the work is the same every time): greedy at batch 1, temperature 1.0 at batch 64.
The figure includes the prefill. A last line times the judge's workload: the 50 story
beginnings, of 50 different token lengths, 4 samples each, in one `generate` call (which
stops each completion at end-of-text, so its token count varies with the model). `--threads` lists torch intra-op thread counts to try
(0: torch's default); on a busy 2-core machine, tiny models decode much faster with one
thread, because each of the ~50 small ops per token otherwise waits for a second thread.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
LLAMA2C = ROOT.parent / "shared" / "data" / "llama2c"
PROMPT = "Once upon a time"


def bench(model, tok, batch: int, tokens: int, repeats: int = 2) -> tuple[int, float]:
    from storylab.sample import SampleSettings, generate_ids

    ids = tok.encode(PROMPT, add_special_tokens=True).ids
    tokens = min(tokens, model.cfg.context - len(ids))
    settings = SampleSettings(max_new_tokens=tokens, greedy=batch == 1, temperature=1.0)
    gen = torch.Generator().manual_seed(0)
    generate_ids(model, [ids] * batch, SampleSettings(max_new_tokens=4, greedy=True), None, gen)  # warm-up
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        rows = generate_ids(model, [ids] * batch, settings, None, gen)
        best = min(best, time.perf_counter() - t0)
    return sum(len(r) for r in rows), best


def bench_beginnings(model, tok, tokens: int, samples: int = 4) -> tuple[int, float]:
    """The judge's workload: the 50 story beginnings (all of different token lengths),
    `samples` completions each, through `generate` in one call."""
    import json

    from storylab.evaluate.judge import BEGINNINGS
    from storylab.sample import SampleSettings, generate

    prompts = [json.loads(line)["text"] for line in BEGINNINGS.read_text().splitlines() if line.strip()]
    t0 = time.perf_counter()
    out = generate(model, tok, prompts, SampleSettings(max_new_tokens=tokens, temperature=1.0), num_samples=samples)
    secs = time.perf_counter() - t0
    return sum(len(tok.encode(c).ids) for cs in out for c in cs), secs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run", nargs="?", help="run directory (default: stories260K imported from llama2.c)")
    ap.add_argument("--tokens", type=int, default=200, help="new tokens per sequence")
    ap.add_argument("--threads", default="0,1", help="comma-separated torch thread counts (0: default)")
    args = ap.parse_args()

    from storylab.errors import StorylabError
    from storylab.rundir import load_run

    tmp = None
    try:
        run = args.run
        if run is None:
            from storylab.interop.llama2c import import_llama2c

            tmp = tempfile.TemporaryDirectory()
            run = Path(tmp.name) / "stories260K"
            import_llama2c(LLAMA2C / "stories260K.bin", LLAMA2C / "tok512.bin", run)
        model, tok = load_run(run)
    except StorylabError as e:
        sys.exit(f"error: {e}")
    default_threads = torch.get_num_threads()
    c = model.cfg
    print(f"run: {args.run or 'stories260K (llama2.c import)'}: {model.num_params():,} parameters, d_model={c.d_model}, "
          f"layers={c.n_layers}, context={c.context}; torch {torch.__version__}, "
          f"{default_threads} threads by default")
    for th in [int(x) for x in args.threads.split(",") if x.strip()]:
        torch.set_num_threads(th or default_threads)
        for batch in (1, 64):
            n, secs = bench(model, tok, batch, args.tokens)
            print(f"threads={torch.get_num_threads()} batch={batch:>2}: {n:>6,} tokens in {secs:6.2f} s = "
                  f"{n / secs:9,.0f} tokens/s")
        n, secs = bench_beginnings(model, tok, args.tokens)
        print(f"threads={torch.get_num_threads()} 50 judge beginnings x 4 samples (mixed lengths, one call): "
              f"{secs:6.2f} s ({n:,} tokens, {n / secs:,.0f} tokens/s)")
    torch.set_num_threads(default_threads)
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
