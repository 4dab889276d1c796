"""Start-up time: `storylab --help` and `storylab sample` (one token), as whole processes.

    python benchmarks/startup.py [--repeats 5] [--importtime] [--src OTHER_TREE/src]

Prints the median wall time (and median user CPU time, steadier on a busy machine) of each beside
`python -c pass` (the interpreter alone) and `python -c "import torch"` (the floor for any verb
that runs a model), with the load average, then pass/fail against the targets: --help < 0.5 s,
sample start-up < 1.5 s. `--importtime` also prints the slowest imports (cumulative,
`python -X importtime`) of the two processes. `--src` times another checkout (before/after).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LLAMA2C = ROOT.parent / "shared" / "data" / "llama2c"
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def wall(cmd: list[str], repeats: int) -> tuple[float, float]:
    """Median wall and median user+system CPU seconds of `repeats` whole-process runs."""
    times, cpu = [], []
    for _ in range(repeats):
        before = os.times()
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, env=ENV, check=True)
        times.append(time.perf_counter() - t0)
        after = os.times()
        cpu.append(after.children_user - before.children_user + after.children_system - before.children_system)
    return statistics.median(times), statistics.median(cpu)


def importtime(cmd: list[str], top: int = 12) -> list[str]:
    r = subprocess.run([sys.executable, "-X", "importtime", *cmd], capture_output=True, text=True, env=ENV)
    rows = []
    for line in r.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), parts[2].rstrip()))
    return [f"{us / 1e3:8.1f} ms {name}" for us, name in sorted(rows, reverse=True)[:top]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--importtime", action="store_true")
    ap.add_argument("--src", type=Path, default=ROOT / "src", help="the storylab source tree to time")
    args = ap.parse_args()
    ENV["PYTHONPATH"] = str(args.src.resolve())
    print(f"storylab from {args.src.resolve()}")
    py = sys.executable
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp) / "s260"
        subprocess.run([py, "-m", "storylab.cli", "import-llama2c", str(LLAMA2C / "stories260K.bin"), "--tokenizer",
                        str(LLAMA2C / "tok512.bin"), "--out", str(run)], check=True, capture_output=True, env=ENV)
        figures = [("python -c pass", [py, "-c", "pass"]),
                   ("python -c 'import torch'", [py, "-c", "import torch"]),
                   ("storylab --help", [py, "-m", "storylab.cli", "--help"]),
                   ("storylab sample (1 token)", [py, "-m", "storylab.cli", "sample", str(run), "--max-new-tokens", "1"])]
        for name, cmd in figures:
            results[name] = w, c = wall(cmd, args.repeats)
            print(f"{name:<28}{w:6.2f} s wall {c:6.2f} s cpu  (median of {args.repeats}, "
                  f"load {os.getloadavg()[0]:.1f})", flush=True)
        for name, limit in (("storylab --help", 0.5), ("storylab sample (1 token)", 1.5)):
            w = results[name][0]
            print(f"target {name} < {limit} s: {w:.2f} s  {'PASS' if w < limit else 'FAIL'}")
        if args.importtime:
            for name, cmd in figures[2:]:
                print(f"\nslowest imports of `{name}` (cumulative):")
                print("\n".join(importtime(cmd[1:])))


if __name__ == "__main__":
    main()
