"""Start-up time: `storylab --help` and `storylab sample` (one token), as whole processes.

    python benchmarks/startup.py [--repeats 5] [--importtime]

Prints the median wall time of each beside `python -c pass` (the interpreter alone) and
`python -c "import torch"` (the floor for any verb that runs a model), with the load average.
Targets: --help < 0.5 s, sample start-up < 1.5 s. `--importtime` also prints the ten slowest
imports (cumulative, `python -X importtime`) of `storylab.cli` and of `storylab.sample`.
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


def wall(cmd: list[str], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, env=ENV, check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def importtime(module: str, top: int = 10) -> list[str]:
    r = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"], capture_output=True,
                       text=True, env=ENV)
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
    args = ap.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp) / "s260"
        subprocess.run([py, "-m", "storylab.cli", "import-llama2c", str(LLAMA2C / "stories260K.bin"), "--tokenizer",
                        str(LLAMA2C / "tok512.bin"), "--out", str(run)], check=True, capture_output=True, env=ENV)
        figures = [("python -c pass", [py, "-c", "pass"]),
                   ("python -c 'import torch'", [py, "-c", "import torch"]),
                   ("storylab --help", [py, "-m", "storylab.cli", "--help"]),
                   ("storylab sample (1 token)", [py, "-m", "storylab.cli", "sample", str(run), "--max-new-tokens", "1"])]
        for name, cmd in figures:
            print(f"{name:<28}{wall(cmd, args.repeats):6.2f} s  (median of {args.repeats}, "
                  f"load {os.getloadavg()[0]:.1f})", flush=True)
    print("targets: storylab --help < 0.5 s; storylab sample start-up < 1.5 s")
    if args.importtime:
        for module in ("storylab.cli", "storylab.sample"):
            print(f"\nslowest imports of {module} (cumulative):")
            print("\n".join(importtime(module)))


if __name__ == "__main__":
    main()
