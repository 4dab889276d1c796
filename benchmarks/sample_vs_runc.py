"""Sampling: `storylab sample` (a whole process) beside 1,024 runs of llama2.c's run.c, and batch-1 tok/s.

    python benchmarks/sample_vs_runc.py [--n 1024] [--tokens 256] [--rounds 2]

Builds ../shared/data/llama2c/run.c with `gcc -Ofast -march=native` (as llama2.c's Makefile
does) in a temporary directory (skips, saying so, without a C compiler), imports stories260K
with `storylab import-llama2c`, then times, interleaved A/B/A/B for `--rounds` rounds:
  A: `storylab sample RUN --n N --max-new-tokens T` (prompt "Once upon a time", temperature 1.0),
     start-up included;
  B: N runs of `run stories260K.bin -z tok512.bin -t 1.0 -n T -i "Once upon a time" -s i`.
and prints the ratio of medians. Then batch-1 decoding in process (eager and compiled) beside
run.c's own tokens/s (run.c prints them; median over its runs). The machine's load average is
printed with each figure: on a shared machine, only the side-by-side ratios mean anything.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))  # this tree's storylab, in process and in the subprocesses
LLAMA2C = ROOT.parent / "shared" / "data" / "llama2c"
PROMPT = "Once upon a time"


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def run_c(exe: Path, n: int, tokens: int) -> tuple[float, list[float]]:
    t0, rates = time.perf_counter(), []
    for i in range(n):
        r = subprocess.run([str(exe), str(LLAMA2C / "stories260K.bin"), "-z", str(LLAMA2C / "tok512.bin"),
                            "-t", "1.0", "-n", str(tokens), "-i", PROMPT, "-s", str(i + 1)],
                           capture_output=True, text=True, check=True)
        m = re.search(r"achieved tok/s: ([\d.]+)", r.stderr)
        if m:
            rates.append(float(m.group(1)))
    return time.perf_counter() - t0, rates


def storylab_sample(run: Path, n: int, tokens: int, extra: list[str]) -> tuple[float, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "400"}
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "storylab.cli", "sample", str(run), "--n", str(n),
                        "--max-new-tokens", str(tokens), "--temperature", "1.0", "-p", PROMPT, *extra],
                       capture_output=True, text=True, env=env)
    secs = time.perf_counter() - t0
    if r.returncode:
        sys.exit(f"storylab sample failed: {r.stderr[-2000:]}")
    return secs, next((l for l in r.stderr.splitlines() if l.startswith("sample:")), "")


def batch1(run: Path, tokens: int, compile_: bool) -> float:
    import torch

    from storylab.rundir import load_run
    from storylab.sample import SampleSettings, generate_ids

    torch.set_num_threads(1)
    model, tok = load_run(run)
    ids = tok.encode(PROMPT, add_special_tokens=True).ids
    s = SampleSettings(max_new_tokens=tokens, temperature=1.0)
    g = torch.Generator().manual_seed(0)
    generate_ids(model, [ids], s, None, g, compile=compile_)  # warm-up (and the compile)
    rates = []
    for _ in range(3):
        t0 = time.perf_counter()
        n = len(generate_ids(model, [ids], s, None, g, compile=compile_)[0])
        rates.append(n / (time.perf_counter() - t0))
    return statistics.median(rates)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1024)
    ap.add_argument("--tokens", type=int, default=256)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--threads", default="0", help="storylab sample --threads (0: automatic)")
    args = ap.parse_args()
    cc = shutil.which("gcc") or shutil.which("cc")
    if cc is None:
        print("no C compiler found: skipping the run.c comparison")
        return
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        shutil.copy(LLAMA2C / "run.c", tmp / "run.c")
        subprocess.run([cc, "-Ofast", "-march=native", "-o", str(tmp / "run"), str(tmp / "run.c"), "-lm"], check=True)
        run = tmp / "stories260K"
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        subprocess.run([sys.executable, "-m", "storylab.cli", "import-llama2c", str(LLAMA2C / "stories260K.bin"),
                        "--tokenizer", str(LLAMA2C / "tok512.bin"), "--out", str(run)],
                       check=True, capture_output=True, env=env)
        ours, theirs, rates = [], [], []
        for r in range(args.rounds):
            secs, summary = storylab_sample(run, args.n, args.tokens, ["--threads", args.threads])
            ours.append(secs)
            print(f"round {r + 1}: storylab sample --n {args.n}: {secs:6.2f} s ({load()}) [{summary}]", flush=True)
            secs, rs = run_c(tmp / "run", args.n, args.tokens)
            theirs.append(secs)
            rates += rs
            print(f"round {r + 1}: {args.n} x run.c:             {secs:6.2f} s ({load()})", flush=True)
        a, b = statistics.median(ours), statistics.median(theirs)
        print(f"whole-process ratio (run.c time / storylab time, medians): {b / a:.2f}x  (target >= 10x)")
        c = statistics.median(rates)
        for comp in (False, True):
            t = batch1(run, args.tokens, comp)
            print(f"batch 1, {'compiled' if comp else 'eager   '}: {t:8,.0f} tok/s vs run.c {c:8,.0f} tok/s: "
                  f"{t / c:.2f}x  ({load()})", flush=True)


if __name__ == "__main__":
    main()
