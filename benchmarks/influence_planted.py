"""Influence against planted ground truth: precision@k, wall time and peak memory per method.

Generates a procedural corpus, plants 3 made-up facts ("The zib is always purple.") in k
stories each, trains small models on it (one thread, nice), then asks every method which
training stories raised log p(" always purple" | "The zib is"). precision@k is the share
of the k top-ranked stories that carry the fact. A control query about a fact nobody
planted ("The cow says" -> " moo") reports the share of planted stories in its top 10
(chance: 3k/N). Each method runs in its own process so its peak memory is its own.

CPU budget: the defaults (1,000 stories, k=10, two sizes) take about 15-20 minutes on
one core. The issue's k=20 of 20,000 is `--stories 20000 --k 20` (hours on a CPU).

    OMP_NUM_THREADS=1 nice -n 10 python benchmarks/influence_planted.py [--stories 1000 --k 10 --sizes 48,96]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

FACTS = [("zib", "purple"), ("blick", "loud"), ("mordle", "soft")]
CONTROL = ("The cow says", " moo")
METHODS = ["ekfac", "kfac", "diagonal", "tracin", "overlap"]


def cli(*args):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    p = subprocess.run(["nice", "-n", "10", sys.executable, "-m", "storylab.cli", *map(str, args)],
                       capture_output=True, text=True, env=env)
    if p.returncode != 0:
        raise SystemExit(f"storylab {' '.join(map(str, args[:2]))} failed:\n{p.stderr[-2000:]}")
    return p


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stories", type=int, default=1000)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--sizes", default="48,96", help="d_model of each model (2 layers, context 128)")
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument("--out", type=Path, default=Path("runs/bench_influence"))
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    corpus, data = a.out / "corpus.jsonl", a.out / "data"
    t0 = time.time()
    if not (data / "index.json").exists():
        plant = [x for w, m in FACTS for x in ("--plant", f"{w}={m}")]
        cli("generate", "--out", corpus, "--n", a.stories, "--plant-k", a.k, *plant, "--no-progress", "--workers", 1)
        cli("prepare", corpus, "-o", data, "--vocab-size", 1024, "--val-fraction", 0.05)
    queries = a.out / "queries.jsonl"
    queries.write_text("".join(json.dumps({"id": w, "prompt": f"The {w} is", "completion": f" always {m}"}) + "\n"
                               for w, m in FACTS) + json.dumps({"id": "control", "prompt": CONTROL[0],
                                                                "completion": CONTROL[1]}) + "\n")
    rows = []
    for d in map(int, a.sizes.split(",")):
        run = a.out / f"d{d}"
        if not (run / "checkpoints").is_dir():
            t = time.time()
            sets = [f"model.d_model={d}", "model.n_layers=2", "model.n_heads=2", "model.context=128",
                    "train.batch_size=16", "train.warmup=50", "train.eval_every=0", "train.threads=1",
                    "train.log_every=100", "train.lr=3e-3", f"train.ckpt_every={a.steps // 3}"]
            p = cli("train", "--data", data, "--out", run, "--steps", a.steps, *[x for s in sets for x in ("--set", s)])
            print(f"# d_model={d}: {p.stdout.strip().splitlines()[-1] if p.stdout.strip() else ''}"
                  f"{p.stderr.strip().splitlines()[-2:]} ({time.time() - t:.0f}s)", flush=True)
        for m in a.methods.split(","):
            res = a.out / f"d{d}-{m}.json"
            cli("influence", run, "--queries", queries, "--method", m, "--top", 10, "--no-progress", "-o", res)
            r = json.loads(res.read_text())
            prec = {q["id"]: q["planted"][0]["precision_at_k"] for q in r["queries"] if q["planted"]}
            ctrl = next(q for q in r["queries"] if q["id"] == "control")
            logp = {q["id"]: q["logp"] for q in r["queries"]}
            rows.append({"d_model": d, "method": m, "precision": prec,
                         "control_planted_top10": sum(bool(t["planted"]) for t in ctrl["top"]) / len(ctrl["top"]),
                         "seconds": r["seconds"], "peak_mb": r["peak_mb"], "logp": logp})
            print(json.dumps(rows[-1]), flush=True)
    n_train = r["n_stories"]
    print(f"\n{a.stories} stories ({n_train} in the training split), {len(FACTS)} facts planted in k={a.k} stories "
          f"each; precision@k for 'The WORD is' -> ' always MEANING'; control '{CONTROL[0]}'->'{CONTROL[1]}': share of "
          f"planted stories in its top 10 (chance {len(FACTS) * a.k / a.stories:.3f})\n")
    print("| d_model | method | " + " | ".join(f"p@k {w}" for w, _ in FACTS) + " | mean p@k | control | wall s | peak MB |")
    print("|---|---|" + "---|" * (len(FACTS) + 4))
    for x in rows:
        ps = [x["precision"].get(w, float("nan")) for w, _ in FACTS]
        print(f"| {x['d_model']} | {x['method']} | " + " | ".join(f"{p:.2f}" for p in ps)
              + f" | {sum(ps) / len(ps):.2f} | {x['control_planted_top10']:.2f} | {x['seconds']:.0f} | {x['peak_mb']:.0f} |")
    logps = {x["d_model"]: x["logp"] for x in rows}
    for d, lp in logps.items():
        print(f"\nd_model={d}: log p(completion | prompt): " + ", ".join(f"{k} {v:.2f}" for k, v in lp.items()))
    print(f"\ntotal {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
