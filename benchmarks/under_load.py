"""Throughput with the other core busy: sampling and training, quiet and beside a spinning process.

    /tmp/cpu_run.sh -2 python benchmarks/under_load.py [--n 256] [--steps 30] [--rounds 2] [--forced]

Run it with the machine to itself (both CPU slots): it measures the quiet throughput, then
starts `python -c "while True: pass"` (one core busy) and measures again, with the thread
count chosen by storylab itself (OMP_NUM_THREADS and MKL_NUM_THREADS are removed from the
children's environment, so `threads=0`, the default, picks from the cores free at start).
Target (issue #14): under load, each keeps >= 80% of its quiet throughput.

- sampling: `storylab sample` of stories260K (imported from llama2.c), `--n` stories of 256
  tokens, prompt "Once upon a time", seed 1 (the same tokens each time), timed as a whole
  process; stories/s.
- training: `storylab train` with no flags but the shape (d128/L4/H4, vocab 4096, context 256,
  batch 16) on TinyStories for `--steps` steps; median tokens/s over the steps after 3 warm-up.
`--forced` adds each under load with every core forced (`--threads 2`/`train.threads=2`),
which is what a fixed thread count does on a busy machine.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
DATA = ROOT.parent / "shared" / "data"
ENV = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")} | \
    {"PYTHONPATH": str(ROOT / "src"), "COLUMNS": "400"}
SHAPE = ["model.d_model=128", "model.n_layers=4", "model.n_heads=4", "model.context=256", "train.batch_size=16"]


def cli(*args) -> subprocess.CompletedProcess:
    r = subprocess.run([sys.executable, "-m", "storylab.cli", *map(str, args)], capture_output=True, text=True, env=ENV)
    if r.returncode:
        sys.exit(f"storylab {args[0]} failed: {r.stderr[-2000:]}")
    return r


def sample(run: Path, n: int, extra=()) -> tuple[float, int]:
    t0 = time.perf_counter()
    r = cli("sample", run, "--n", n, "--max-new-tokens", 256, "--temperature", "1.0", "-p", "Once upon a time",
            "--seed", 1, *extra)
    secs = time.perf_counter() - t0
    summary = next(l for l in (r.stdout + r.stderr).splitlines() if l.startswith("sample:"))
    return n / secs, int(re.search(r"\((\d+) threads\)", summary).group(1))


def train(data: Path, work: Path, steps: int, extra=()) -> tuple[float, int]:
    out = Path(tempfile.mkdtemp(dir=work))
    sets = [a for o in SHAPE + ["train.log_every=1", "train.eval_every=0", "train.eval_batches=1", *extra]
            for a in ("--set", o)]
    cli("train", "--data", data, "--out", out, "--steps", steps, *sets)
    rows = [json.loads(l) for l in (out / "metrics.jsonl").read_text().splitlines()]
    summary = next(m["summary"] for m in rows if "summary" in m)
    shutil.rmtree(out)
    tps = statistics.median([m["tokens_per_s"] for m in rows if "tokens_per_s" in m][3:])
    return tps, int(re.search(r"(\d+) threads", summary).group(1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=256, help="stories per sampling run")
    ap.add_argument("--steps", type=int, default=30, help="training steps per run")
    ap.add_argument("--rounds", type=int, default=2, help="quiet/loaded pairs; each figure is the best of them "
                    "(other work on a shared machine only slows a run down)")
    ap.add_argument("--forced", action="store_true", help="also run under load with every core forced")
    args = ap.parse_args()
    from storylab.corpus import import_corpus
    from storylab.device import busy_cores
    from storylab.shards import prepare

    work = Path(tempfile.mkdtemp(prefix="storylab-load-"))
    cli("import-llama2c", DATA / "llama2c" / "stories260K.bin", "--tokenizer", DATA / "llama2c" / "tok512.bin",
        "--out", work / "stories260K")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import_corpus(DATA / "tinystories" / "train_prefix_2MiB.txt", work / "c.jsonl")
    prepare(work / "c.jsonl", work / "data", vocab_size=4096, progress=False)
    cores = len(os.sched_getaffinity(0))
    print(f"{cores} cores; busy before starting: {busy_cores(0.5):.2f} cores")

    results: dict[str, list] = {}
    forced = {"sample": ["--threads", cores], "train": [f"train.threads={cores}"]}
    for _ in range(args.rounds):
        for phase in ("quiet", "loaded"):
            spin = None
            if phase == "loaded":
                spin = subprocess.Popen([sys.executable, "-c", "while True: pass"])
                time.sleep(0.5)
            try:
                busy = busy_cores(0.3)
                results.setdefault(f"sample {phase}", []).append((*sample(work / "stories260K", args.n), busy))
                results.setdefault(f"train {phase}", []).append((*train(work / "data", work, args.steps), busy))
                if spin and args.forced:
                    results.setdefault("sample loaded, all cores forced", []).append(
                        (*sample(work / "stories260K", args.n, forced["sample"]), busy))
                    results.setdefault("train loaded, all cores forced", []).append(
                        (*train(work / "data", work, args.steps, forced["train"]), busy))
            finally:
                if spin:
                    spin.kill()
                    spin.wait()
            time.sleep(0.5)

    unit = {"sample": "stories/s", "train": "tok/s"}
    best = {k: max(v, key=lambda r: r[0]) for k, v in results.items()}  # (throughput, threads, busy)
    med = {k: r[0] for k, r in best.items()}
    for key, rows in results.items():
        what = key.split()[0]
        print(f"{key:<34} {med[key]:>10,.1f} {unit[what]:<10} threads {'/'.join(str(r[1]) for r in rows)}"
              f"  (busy cores when measured: {'/'.join(f'{r[2]:.1f}' for r in rows)})")
    for what in ("sample", "train"):
        ratio = med[f"{what} loaded"] / med[f"{what} quiet"]
        line = (f"{what}: under load {ratio:.0%} of quiet throughput with automatic threads "
                f"({best[f'{what} quiet'][1]} quiet -> {best[f'{what} loaded'][1]} loaded, in the best runs) "
                f"(target >= 80%: {'PASS' if ratio >= 0.8 else 'FAIL'})")
        if f"{what} loaded, all cores forced" in med:
            line += f"; all cores forced under load: {med[f'{what} loaded, all cores forced'] / med[f'{what} quiet']:.0%}"
        print(line)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
