"""Scale: `storylab generate --backend procedural --n N` and `storylab prepare` on its corpus,
as whole processes, with wall time, CPU use and peak memory.

    python benchmarks/prepare_scale.py [--n 500000] [--corpus /tmp/c500k.jsonl] [--stage all|generate|prepare]
                                       [--src OTHER_TREE/src]

The corpus is generated once (skipped when `--corpus` exists, so the prepare timing can be rerun
on it). Each command runs under `/usr/bin/time -v` (its "Maximum resident set size" is the
largest single process) while this script also samples the summed RSS of the whole process
tree every 0.1 s (worker processes included). Targets (issue #14, item 5), for ~1 GB of corpus
(500,000 stories is 1.3 GB): prepare >= 20 MB/s using both cores, peak RSS < 2 GB for prepare and
for generate. Run the prepare stage holding both CPU slots: `/tmp/cpu_run.sh -2 python ...`.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
GB = 1 << 30


def tree_rss(pid: int) -> int:
    """Summed resident bytes of `pid` and its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            pass
    return total


def timed(cmd: list[str]) -> dict:
    """Run `cmd` under /usr/bin/time -v; wall s, CPU %, max single-process RSS, peak tree RSS."""
    timev = shutil.which("time") or "/usr/bin/time"
    if not Path(timev).exists():
        sys.exit("GNU time is missing: apt-get install -y time")
    log = tempfile.NamedTemporaryFile("w+", suffix=".timev", delete=False)
    t0 = time.perf_counter()
    p = subprocess.Popen([timev, "-v", "-o", log.name, *cmd], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
    peak = [0]

    def watch():
        while p.poll() is None:
            peak[0] = max(peak[0], tree_rss(p.pid))
            time.sleep(0.1)

    w = threading.Thread(target=watch, daemon=True)
    w.start()
    output = p.communicate()[0]
    wall = time.perf_counter() - t0
    w.join()
    report = Path(log.name).read_text()
    os.unlink(log.name)
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{output[-2000:]}\n{report}")
    field = lambda name: re.search(rf"{re.escape(name)}: (.+)", report).group(1).strip()  # noqa: E731
    return {"wall": wall, "cpu_percent": field("Percent of CPU this job got"),
            "max_rss": int(field("Maximum resident set size (kbytes)")) * 1024, "tree_rss": peak[0],
            "last_line": output.strip().splitlines()[-1] if output.strip() else ""}


def show(name: str, r: dict) -> None:
    print(f"{name}: {r['wall']:.1f} s wall, CPU {r['cpu_percent']}, peak RSS {r['max_rss'] / GB:.2f} GB "
          f"(largest process) / {r['tree_rss'] / GB:.2f} GB (process tree, sampled)\n  {r['last_line']}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=500_000, help="procedural stories to generate")
    ap.add_argument("--corpus", type=Path, default=None, help="corpus path (reused when it exists)")
    ap.add_argument("--workers", type=int, default=1, help="generate's worker processes")
    ap.add_argument("--vocab-size", type=int, default=4096)
    ap.add_argument("--stage", choices=["all", "generate", "prepare"], default="all")
    ap.add_argument("--src", type=Path, default=ROOT / "src", help="the storylab source tree to time (before/after)")
    args = ap.parse_args()
    ENV["PYTHONPATH"] = str(args.src.resolve())
    py = sys.executable
    work = Path(tempfile.mkdtemp(prefix="storylab-scale-"))
    corpus = args.corpus or work / f"c{args.n}.jsonl"
    print(f"storylab from {args.src.resolve()}; load {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}")
    ok = True
    if args.stage in ("all", "generate"):
        if corpus.exists():
            print(f"{corpus} exists: not generating again")
        else:
            r = timed([py, "-m", "storylab.cli", "generate", "--backend", "procedural", "--n", str(args.n),
                       "--workers", str(args.workers), "--out", str(corpus), "--no-progress"])
            show(f"generate --n {args.n} --workers {args.workers}", r)
            peak = max(r["max_rss"], r["tree_rss"])
            print(f"target generate peak RSS < 2 GB: {peak / GB:.2f} GB  {'PASS' if peak < 2 * GB else 'FAIL'}")
            ok &= peak < 2 * GB
    if args.stage in ("all", "prepare"):
        size = corpus.stat().st_size
        r = timed([py, "-m", "storylab.cli", "prepare", str(corpus), "--out", str(work / "data"),
                   "--vocab-size", str(args.vocab_size)])
        show(f"prepare {size / 1e6:,.0f} MB", r)
        rate, peak = size / 1e6 / r["wall"], max(r["max_rss"], r["tree_rss"])
        print(f"target prepare >= 20 MB/s: {rate:.1f} MB/s  {'PASS' if rate >= 20 else 'FAIL'}")
        print(f"target prepare peak RSS < 2 GB: {peak / GB:.2f} GB  {'PASS' if peak < 2 * GB else 'FAIL'}")
        ok &= rate >= 20 and peak < 2 * GB
    shutil.rmtree(work, ignore_errors=True)  # the data directory (and a corpus generated without --corpus)
    print("all targets:", "PASS" if ok else "FAIL")


if __name__ == "__main__":
    main()
