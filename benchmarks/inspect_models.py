"""What `storylab inspect` finds in a 1-layer and a 4-layer model trained on procedural stories.

Generates a procedural corpus, trains the two models for a few CPU minutes each (or
reuses runs already in --work), runs every analysis, and prints: head classification
counts, probe R² per layer for space and time (random split and block holdout, with the
shuffled-label control), the five most selective neurons with their categories, and
the OOD AUROCs.

    python benchmarks/inspect_models.py [--work /tmp/storylab-inspect-bench] [--minutes 4]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

MODELS = {
    "L1": ["model.n_layers=1", "model.d_model=128", "model.n_heads=4"],
    "L4": ["model.n_layers=4", "model.d_model=128", "model.n_heads=4"],
}


def ensure_data(work: Path, stories: int, seed: int) -> Path:
    from storylab.corpus import write_corpus
    from storylab.world import generate_stories
    from storylab.shards import prepare

    data = work / "data"
    if (data / "index.json").exists():
        return data
    corpus = work / "stories.jsonl"
    t = time.time()
    write_corpus(corpus, generate_stories(stories, seed=seed))
    stats = prepare(corpus, data, vocab_size=2048, val_fraction=0.05, progress=False)
    print(f"data: {stats.summary()} ({time.time() - t:.0f}s)")
    return data


def ensure_run(work: Path, name: str, data: Path, minutes: float, threads: int) -> Path:
    from storylab.checkpoint import list_checkpoints
    from storylab.config import load_run_config
    from storylab.train import train

    run = work / name
    if list_checkpoints(run):
        return run
    cfg = load_run_config(None, [f"data={data}", "model.context=256", *MODELS[name], "train.steps=100000",
                                 f"train.max_minutes={minutes}", "train.batch_size=16", "train.lr=2e-3",
                                 "train.min_lr=2e-4", "train.warmup=100", "train.eval_every=0",
                                 "train.ckpt_every=0", f"train.threads={threads}"])
    cfg.train.steps = 100000
    r = train(cfg, run, progress=False)
    print(r.summary())
    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=Path("/tmp/storylab-inspect-bench"))
    ap.add_argument("--stories", type=int, default=20000)
    ap.add_argument("--minutes", type=float, default=4.0, help="training time per model")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--inspect-stories", type=int, default=200)
    ap.add_argument("--probe-stories", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)

    import torch

    torch.set_num_threads(args.threads)
    from storylab.interpret.run import inspect_run

    data = ensure_data(args.work, args.stories, args.seed)
    for name in MODELS:
        run = ensure_run(args.work, name, data, args.minutes, args.threads)
        t = time.time()
        s = inspect_run(run, n_stories=args.inspect_stories, probe_stories=args.probe_stories, progress=False)
        print(f"\n=== {name}: {run} (inspect {time.time() - t:.0f}s) ===")
        h = s["heads"]
        print("heads:", ", ".join(f"{v} {k}" for k, v in sorted(h["counts"].items())),
              f"| max induction {h['max_induction']['score']:.2f} ({h['max_induction']['head']}),"
              f" max previous-token {h['max_prev_token']['score']:.2f} ({h['max_prev_token']['head']})")
        print("       " + " ".join(h["labels"]))
        print("positional heads' decay (nats/token):", h["positional_decay"], "| ALiBi slopes:", h["alibi_slopes"])
        for ds in ("space", "time", "day", "season", "characters", "boxes"):
            p = s["probes"].get(ds)
            if not p or "layers" not in p:
                print(f"probe {ds}: {p.get('skipped') if p else 'no data'}")
                continue
            metric = p["metric"]
            print(f"probe {ds} (n={p['n']}, {metric}; best {p['best']:.3f} at {p['best_layer']}):")
            print(f"  {'layer':6} {'random':>7} {'block':>7} {'control':>8} {'select.':>8} {'mlp':>7}")
            for lab, r in p["layers"].items():
                f = lambda k: f"{r[k]:.3f}" if r.get(k) is not None else "-"
                print(f"  {lab:6} {f('random'):>7} {f('block'):>7} {f('control'):>8} {f('selectivity'):>8}"
                      f" {f('mlp_random'):>7}")
        print("most selective neurons (type-level selectivity and category [top tokens]; token-level "
              "selectivity and category of the top-20 activations):")
        for n in s["neurons"]["top"]:
            print(f"  L{n['layer']}.N{n['neuron']:<4} {n['type_selectivity']:.3f} {n['type_category']:<10} "
                  f"{n.get('top_tokens')} | {n['selectivity']:.3f} {n['category']} ({n['share']:.2f})")
        for l in s["neurons"]["layers"]:
            print(f"  layer {l['layer']}: type level: neurons {l['mean_type_selectivity']:.3f} vs random directions "
                  f"{l['random_type_mean']:.3f} (p95 {l['random_type_p95']:.3f}), "
                  f"{l['share_type_above_random_p95']:.0%} of neurons above the p95; token level: "
                  f"{l['mean_selectivity']:.3f} vs {l['random_mean']:.3f} (p95 {l['random_p95']:.3f}), "
                  f"{l['share_above_random_p95']:.0%} above")
        o = s["ood"]
        print(f"OOD: AUROC (-KL to unigram) {o['auroc_neg_kl_all']:.3f}, (-feature norm) {o['auroc_neg_norm_all']:.3f}")
        print("  KL by % shuffled:", o["kl_by_shuffle"])
        print("  KL by % random:  ", o["kl_by_random"])
        print("  AUROC per condition:", {k: round(v, 3) for k, v in o["auroc_neg_kl"].items() if v is not None})


if __name__ == "__main__":
    main()
