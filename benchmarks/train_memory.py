"""Training memory as the data grows: peak RSS of the same short training run on a corpus and on one 10x larger.

    python benchmarks/train_memory.py [--stories 5000] [--factor 10] [--steps 20] [--repeats 3]

Generates `stories x factor` procedural stories (story i depends only on (seed, i), so the
small corpus is the first `stories` of the large one), prepares both (vocab 4096), then runs
`storylab train` (d128/L4/H4, context 256, batch 16, `--steps` steps, one checkpoint) on each
under `/usr/bin/time -v` (or, without it, the child's own getrusage) and prints each peak RSS
beside the size of its shards. Training reads the shards by memory map, so only the windows
it draws are paged in: the peak should not grow with the data (target: flat). Identical runs
differ by ~+-15 MB (glibc arenas), so each corpus is trained `--repeats` times.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
SHAPE = ["model.d_model=128", "model.n_layers=4", "model.n_heads=4", "model.context=256", "train.batch_size=16",
         "train.eval_every=0", "train.eval_batches=4", "train.compile=false"]


def cli(*args, timed: bool = False) -> tuple[subprocess.CompletedProcess, float]:
    """Run a storylab verb; with `timed`, also its peak RSS in MB."""
    cmd = [sys.executable, "-m", "storylab.cli", *map(str, args)]
    use_time = timed and os.access("/usr/bin/time", os.X_OK)
    r = subprocess.run((["/usr/bin/time", "-v"] if use_time else []) + cmd, capture_output=True, text=True, env=ENV)
    if r.returncode:
        sys.exit(f"storylab {args[0]} failed: {r.stderr[-2000:]}")
    if not timed:
        return r, 0.0
    if use_time:
        return r, int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1)) / 1024
    return r, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # max over children so far


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stories", type=int, default=5000)
    ap.add_argument("--factor", type=int, default=10)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=3, help="training runs per corpus (the median is compared)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="storylab-mem-"))
    try:
        sizes = {"small": args.stories, "large": args.stories * args.factor}
        cli("generate", "--out", work / "large.jsonl", "--n", sizes["large"], "--workers", 1, "--no-progress")
        with open(work / "large.jsonl", encoding="utf-8") as f, open(work / "small.jsonl", "w", encoding="utf-8") as g:
            for _, line in zip(range(sizes["small"]), f):
                g.write(line)
        rows = []
        for name in ("small", "large"):
            cli("prepare", work / f"{name}.jsonl", "--out", work / name, "--vocab-size", 4096)
            shard_mb = sum(p.stat().st_size for p in (work / name).rglob("*.bin")) / 2**20
            vocab = json.loads((work / name / "index.json").read_text())["vocab_size"]
            sets = [a for o in SHAPE for a in ("--set", o)]
            peaks = []
            for i in range(args.repeats):  # the allocator's own variation between identical runs is ~+-15 MB
                peaks.append(cli("train", "--data", work / name, "--out", work / f"run-{name}-{i}", "--steps",
                                 args.steps, *sets, timed=True)[1])
            rss = statistics.median(peaks)
            corpus_mb = (work / f"{name}.jsonl").stat().st_size / 2**20
            rows.append((name, sizes[name], corpus_mb, shard_mb, rss))
            print(f"{name:<6}{sizes[name]:>8,} stories  corpus {corpus_mb:7.1f} MB  shards {shard_mb:7.1f} MB  "
                  f"vocab {vocab}  training peak RSS {rss:7.1f} MB (median of {' / '.join(f'{p:.0f}' for p in peaks)})",
                  flush=True)
        (_, _, c0, s0, r0), (_, _, c1, s1, r1) = rows
        print(f"data x{s1 / s0:.1f} (shards {s0:.1f} -> {s1:.1f} MB): training peak RSS {r0:.0f} -> {r1:.0f} MB "
              f"({r1 - r0:+.0f} MB, x{r1 / r0:.2f}; target: flat)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
