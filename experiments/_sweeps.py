"""Shared by the sweep experiments: the world corpus they train on, running a spec, reading results.

Every experiment trains on the same story-world corpus (10,000 stories, seed 0, BPE
vocabulary 2,048; world v2 since the planned-plot world landed), made once into
experiments/_work/ (not committed; delete it to regenerate after the world changes). Runs
are one thread, one worker, niced (by the CPU-slot runner, or here): the machine is shared.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "experiments" / "_work"
SPECS = ROOT / "experiments" / "specs"
CORPUS = WORK / "world10k.jsonl"
DATA = WORK / "world10k_data"
CONTEXT = ("entity_tracking", "main_character", "exclusion")   # "context tracking" skills
FACTS = ("everyday_fact",)


def ensure_data(n: int = 10000, vocab: int = 2048) -> Path:
    """`storylab generate --n 10000` + `storylab prepare` once; later calls reuse it."""
    if (DATA / "index.json").exists():
        return DATA
    WORK.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    py = [sys.executable, "-m", "storylab.cli"]
    subprocess.run([*py, "generate", "--out", str(CORPUS), "--n", str(n), "--seed", "0", "--workers", "1",
                    "--no-progress"], check=True, env=env)
    subprocess.run([*py, "prepare", str(CORPUS), "--out", str(DATA), "--vocab-size", str(vocab)], check=True, env=env)
    return DATA


def run(spec_name: str, workers: int = 1) -> tuple[list[dict], float, Path]:
    """Run (or resume) experiments/specs/NAME.toml into experiments/_work/sweeps/NAME."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    try:
        if os.nice(0) == 0:  # not already niced (by the machine's CPU-slot runner): be polite
            os.nice(10)
    except OSError:
        pass
    ensure_data()
    from storylab.sweep import run_sweep

    out = WORK / "sweeps" / spec_name
    t0 = time.time()
    res = run_sweep(SPECS / f"{spec_name}.toml", out, workers=workers)
    print(res.summary())
    return res.records, time.time() - t0, out


def wilson(k: float, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return 0.0, 1.0
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return c - h, c + h


def items(out: Path, rec: dict) -> dict:
    """Per-item correctness of a trial's last evaluated checkpoint: {item id: (skill, correct)}."""
    p = out / rec["run_dir"] / "eval" / "suite_items.jsonl"
    res = {}
    for line in p.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        if "correct" in r:
            res[r["id"]] = (r["skill"], float(r["correct"]))
    return res


def sign_test(a: dict, b: dict, skills) -> tuple[int, int, float]:
    """Paired comparison on the same items: (a right & b wrong, b right & a wrong, two-sided p)."""
    wa = wb = 0
    for k, (skill, ca) in a.items():
        if skill in skills and k in b:
            cb = b[k][1]
            wa += ca > cb
            wb += cb > ca
    n = wa + wb
    if n == 0:
        return 0, 0, 1.0
    tail = sum(math.comb(n, i) for i in range(0, min(wa, wb) + 1)) / 2 ** n
    return wa, wb, min(1.0, 2 * tail)


def inspect_trials(out: Path, recs: list[dict], key: str, **flags) -> dict:
    """`storylab inspect` (only the analyses in `flags`) on every finished trial; cached in its inspect/."""
    from storylab.interpret.run import inspect_run

    res = {}
    for r in recs:
        if r.get("status") != "ok":
            continue
        run_dir = out / r["run_dir"]
        summ = run_dir / "inspect" / "summary.json"
        have = json.loads(summ.read_text()) if summ.exists() else {}
        if key not in have:
            opts = {"heads": False, "neurons": False, "probes": False, "ood": False, **flags}
            have = inspect_run(run_dir, progress=False, **opts)
        res[r["id"]] = have[key]
    return res
