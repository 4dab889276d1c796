"""How much training does a tiny model need before the capability suite sees skills?

Trains a model on procedural stories (fixed seeds) for a fixed number of steps,
checkpointing along the way, then prints the skill table at every checkpoint and the
eval wall time. Example (the demo's model size):

    python benchmarks/eval_trained_skills.py --out /tmp/skills --stories 30000 --steps 2400 \\
        --set model.d_model=128 --set model.n_layers=4 --set model.context=256 \\
        --set model.positions=alibi --set train.batch_size=8 --set train.lr=6e-3 --set train.min_lr=6e-4

(For the demo's exact recipe: ``storylab demo --steps N`` then
``storylab eval runs/demo --suite --checkpoints all``.)

Use ``--threads 1`` on a busy or small machine: tiny models lose most of their time to
thread synchronisation otherwise.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--stories", type=int, default=5000)
    ap.add_argument("--vocab", type=int, default=1024)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--ckpt-every", type=int, default=250)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--set", action="append", default=[], help="config override, e.g. model.d_model=128")
    a = ap.parse_args()

    from storylab.config import load_run_config
    from storylab.world import generate_corpus
    from storylab.evaluate import EvalOptions, evaluate_run
    from storylab.evaluate.display import print_summary
    from storylab.shards import prepare
    from storylab.train import train

    a.out.mkdir(parents=True, exist_ok=True)
    if not (a.out / "data" / "index.json").exists():
        generate_corpus(a.out / "corpus.jsonl", a.stories, 0, progress=False)
        prepare(a.out / "corpus.jsonl", a.out / "data", vocab_size=a.vocab, progress=False)
    cfg = load_run_config(None, [f"data={a.out / 'data'}", "model.d_model=64", "model.n_layers=2", "model.n_heads=2",
                                 "model.context=128", "train.batch_size=16", "train.lr=3e-3", "train.min_lr=3e-4",
                                 "train.warmup=50", "train.eval_every=0", f"train.ckpt_every={a.ckpt_every}",
                                 f"train.threads={a.threads}", f"train.steps={a.steps}", *a.set])
    t = time.time()
    r = train(cfg, a.out / "run", progress=True)
    print(r.summary(), f"({time.time() - t:.0f}s)")
    t = time.time()
    s = evaluate_run(a.out / "run", EvalOptions(checkpoints="all", threads=a.threads))
    print_summary(s.data)
    print(f"eval of {len(s['checkpoints'])} checkpoints: {time.time() - t:.1f}s")


if __name__ == "__main__":
    main()
