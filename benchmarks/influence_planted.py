"""Influence against planted ground truth: precision@k, wall time and peak memory per method.

Generates a procedural corpus, plants 3 made-up facts ("The zib is always purple.") in k
stories each, trains small models on it (one thread, nice), then asks every method which
training stories raised log p(" always purple" | "The zib is"). precision@k is the share
of the k top-ranked stories that carry the fact. A control query about a fact nobody
planted ("The cow says" -> " moo") reports the share of planted stories in its top 10
(chance: 3k/N). Each method runs in its own process so its peak memory is its own.

Before the table it checks that each model has learned the facts: log p(" always purple" |
"The zib is"), the rank of each completion token under the model (1 = the model's first
choice) and the greedy continuation of the prompt. Influence can only be checked on a
model that knows the fact.

CPU budget: the defaults (2,000 stories, k=20 per fact, two sizes, 2,000 steps each) take
about 30 minutes on one core; the influence methods cost time in proportion to the
training stories. The issue's 20 of 20,000 is `--stories 20000` (several hours on a core).

    OMP_NUM_THREADS=1 nice -n 10 python benchmarks/influence_planted.py [--stories 2000 --k 20 --sizes 48,96]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import torch

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


@torch.no_grad()
def learned(run, prompt: str, completion: str) -> dict:
    """log p(completion | prompt), the rank of each completion token (1 = argmax), greedy continuation."""
    from storylab.rundir import RunDir

    rd = RunDir.open(run)
    model, tok = rd.load()
    eot = tok.token_to_id("<|endoftext|>")
    p, c = tok.encode(prompt, add_special_tokens=False).ids, tok.encode(completion, add_special_tokens=False).ids
    x = torch.tensor([[eot] + p + c])
    lp = torch.log_softmax(model(x[:, :-1]).float()[0], -1)[len(p):]
    true = lp[torch.arange(len(c)), torch.tensor(c)]
    ranks = (lp > true[:, None]).sum(1) + 1
    seq = [eot] + p
    for _ in range(len(c) + 2):
        seq.append(int(model(torch.tensor([seq])).float()[0, -1].argmax()))
    return {"logp": float(true.sum()), "ranks": ranks.tolist(), "greedy": tok.decode(seq[1 + len(p):])}


def train_run(data: Path, run: Path, d: int, steps: int) -> dict:
    """Train (once) a 2-layer model of width `d`; its wall time and last losses are kept beside it."""
    info = run.parent / f"{run.name}-train.json"
    if not info.exists():
        t = time.time()
        sets = [f"model.d_model={d}", "model.n_layers=2", "model.n_heads=2", "model.context=128",
                "train.batch_size=16", "train.warmup=50", "train.eval_every=0", "train.threads=1",
                "train.log_every=100", "train.lr=3e-3", f"train.ckpt_every={steps // 3}", "train.dtype=float32"]
        cli("train", "--data", data, "--out", run, "--steps", steps, *[x for s in sets for x in ("--set", s)])
        losses = [m["loss"] for m in map(json.loads, (run / "metrics.jsonl").read_text().splitlines()) if "loss" in m]
        info.write_text(json.dumps({"seconds": time.time() - t, "steps": steps, "final_train_loss": losses[-1]}))
    return json.loads(info.read_text())


def method_row(run: Path, out: Path, queries: Path, d: int, m: str, top: int) -> dict:
    """One method's influence for every query (reused when its results file exists)."""
    res = out / f"d{d}-{m}.json"
    if not res.exists():
        cli("influence", run, "--queries", queries, "--method", m, "--top", top, "--no-progress", "-o", res)
    r = json.loads(res.read_text())
    ctrl = next(q for q in r["queries"] if q["id"] == "control")
    return {"d_model": d, "method": m, "n_stories": r["n_stories"],
            "precision": {q["id"]: q["planted"][0]["precision_at_k"] for q in r["queries"] if q["planted"]},
            "first_rank": {q["id"]: q["planted"][0]["ranks"][0] for q in r["queries"] if q["planted"]},
            "k": {q["id"]: q["planted"][0]["k"] for q in r["queries"] if q["planted"]},
            # the same top k, counting a story that carries any planted fact (they share "The X is always")
            "any_fact": [sum(bool(t["planted"]) for t in q["top"][:q["planted"][0]["k"]]) / q["planted"][0]["k"]
                         for q in r["queries"] if q["planted"]],
            "control_planted_top": sum(bool(t["planted"]) for t in ctrl["top"]) / len(ctrl["top"]),
            "seconds": r["seconds"], "factor_seconds": (r.get("info") or {}).get("factor_seconds"),
            "peak_mb": r["peak_mb"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stories", type=int, default=2000)
    ap.add_argument("--k", type=int, default=20, help="stories that carry each fact")
    ap.add_argument("--repeat", type=int, default=3, help="times the fact is said in each such story")
    ap.add_argument("--sizes", default="48,96", help="d_model of each model (2 layers, context 128)")
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument("--out", type=Path, default=Path("runs/bench_influence"),
                    help="work directory; corpus, runs and results in it are reused when rerun")
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    corpus, data = a.out / "corpus.jsonl", a.out / "data"
    t0 = time.time()
    if not (data / "index.json").exists():
        plant = [x for w, m in FACTS for x in ("--plant", f"{w}={m}")]
        cli("generate", "--out", corpus, "--n", a.stories, "--plant-k", a.k, "--plant-repeat", a.repeat, *plant,
            "--no-progress", "--workers", 1)
        cli("prepare", corpus, "-o", data, "--vocab-size", 1024, "--val-fraction", 0.05)
    queries = a.out / "queries.jsonl"
    queries.write_text("".join(json.dumps({"id": w, "prompt": f"The {w} is", "completion": f" always {m}"}) + "\n"
                               for w, m in FACTS) + json.dumps({"id": "control", "prompt": CONTROL[0],
                                                                "completion": CONTROL[1]}) + "\n")
    rows, know, trained = [], {}, {}
    for d in map(int, a.sizes.split(",")):
        run = a.out / f"d{d}"
        trained[d] = train_run(data, run, d, a.steps)
        print(f"# d_model={d} trained: {json.dumps(trained[d])}", flush=True)
        know[d] = {w: learned(run, f"The {w} is", f" always {m}") for w, m in FACTS}
        print(f"# d_model={d} learned: {json.dumps(know[d])}", flush=True)
        for m in a.methods.split(","):
            rows.append(method_row(run, a.out, queries, d, m, a.k))
            print(json.dumps(rows[-1]), flush=True)
    n_train = rows[-1]["n_stories"]
    print(f"\n{a.stories} stories ({n_train} in the training split); {len(FACTS)} facts, each planted in k={a.k} "
          f"stories ({', '.join(f'{w} {n}' for w, n in rows[-1]['k'].items())} of them in the training split), {a.repeat} time(s) a story; precision@k for 'The WORD is' -> ' always MEANING' (chance "
          f"k/{n_train}); control '{CONTROL[0]}'->'{CONTROL[1]}': share of planted stories in its top {a.k} "
          f"(chance {len(FACTS) * a.k / n_train:.3f}); rank of the first planted story in brackets; any fact: the "
          f"share of the same top k that carry any of the planted facts (the misses of a method that finds the "
          f"template)\n")
    ks = rows[-1]["k"]   # carriers in the training split (the rest went to validation)
    print("| d_model | method | " + " | ".join(f"p@k {w} (k={ks.get(w, '-')})" for w, _ in FACTS) + " | mean p@k | any fact | control | wall s | peak MB |")
    print("|---|---|" + "---|" * (len(FACTS) + 5))
    for x in rows:
        ps = [x["precision"].get(w, float("nan")) for w, _ in FACTS]
        fit = f" ({x['factor_seconds']:.0f} fitting)" if x["factor_seconds"] else ""
        print(f"| {x['d_model']} | {x['method']} | " + " | ".join(
            f"{p:.2f} [{x['first_rank'].get(w, '-')}]" for p, (w, _) in zip(ps, FACTS))
              + f" | {sum(ps) / len(ps):.2f} | {sum(x['any_fact']) / len(x['any_fact']):.2f} | {x['control_planted_top']:.2f} | {x['seconds']:.0f}{fit} | {x['peak_mb']:.0f} |")
    print("\nHas each model learned the facts? log p(' always MEANING' | 'The WORD is'), rank of each completion "
          "token under the model (1 = its first choice), greedy continuation of the prompt:\n")
    print("| d_model | train s | final loss | fact | log p | token ranks | greedy |\n|---|---|---|---|---|---|---|")
    for d, facts in know.items():
        for (w, m), k in zip(FACTS, facts.values()):
            print(f"| {d} | {trained[d]['seconds']:.0f} | {trained[d]['final_train_loss']:.3f} | {w} -> {m} | "
                  f"{k['logp']:.2f} | {k['ranks']} | {k['greedy']!r} |")
    print(f"\ntotal {time.time() - t0:.0f}s (this invocation; reused results cost nothing)")


if __name__ == "__main__":
    main()
