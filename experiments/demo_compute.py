"""Experiment: is it the 7-minute budget that keeps the demo model from negation, space and a coherent story?

Claim (issue 13's demo targets, put as a hypothesis): the demo model's hand-written negation
and space items stay at chance, and its greedy stories drift, because 7 CPU-minutes (~2,200
steps of 8 x 256 tokens) are too few; with more training, or with the skill's episodes more
frequent in the corpus, they clear chance. Three arms of the demo's own recipe (`storylab.demo`:
its model, optimizer, schedule and 2,048-token tokenizer; fixed step counts, one thread):

- demo: 2,200 steps on 30,000 stories (what `storylab demo` trains in its 7 minutes);
- 4x: 8,800 steps on 60,000 stories (about one epoch; checkpoints at 2,200 / 4,400 / 6,600 / 8,800);
- dense negation: the demo arm with every snack time a negation choice (`skills.SNACK_P` = 1 instead
  of 0.25: 828 instead of 246 negation episodes in the first 2,316 stories).

Each checkpoint is scored on the capability suite, split by source: hand-written items (transfer)
and world items (the story world's own wording, held-out seed).

CPU budget: about 85 CPU-minutes on one thread (4x: ~46 min of training, the other arms ~12 min
each, ~1 min of suite per checkpoint). One command (a finished arm is not trained again):

    PYTHONPATH=src OMP_NUM_THREADS=1 nice -n 10 python experiments/demo_compute.py
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _findings import figure_path, write_finding  # noqa: E402

NAME = "demo_compute"
WORK = Path(__file__).resolve().parent / "_work" / NAME
# (name, steps, stories, SNACK_P or None for the world's own)
ARMS = [("demo", 2200, 30000, None), ("dense negation", 2200, 30000, 1.0), ("4x", 8800, 60000, None)]
SHOWN = ["grammar", "everyday_fact", "main_character", "negation", "space", "exclusion", "entity_tracking"]


def wilson_low(k: float, n: int, z: float = 1.96) -> float:
    if n == 0:
        return 0.0
    p = k / n
    return (p + z * z / (2 * n) - z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / (1 + z * z / n)


def train_arm(name: str, steps: int, stories: int, snack_p: float | None) -> Path:
    """Corpus, tokenizer and run of one arm under WORK/NAME (skipped where already done)."""
    import torch

    from storylab.checkpoint import list_checkpoints
    from storylab.config import load_run_config
    from storylab.demo import DEMO_MODEL, DEMO_TRAIN
    from storylab.shards import prepare
    from storylab.train import train
    from storylab.world import generate_corpus, skills

    out = WORK / name.replace(" ", "_")
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)
    if not (out / "data" / "train.bin").exists():
        import subprocess

        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=WORK.parent, capture_output=True, text=True)
        (out / "world.txt").write_text(head.stdout.strip() or "unknown")
        default, skills.SNACK_P = skills.SNACK_P, snack_p or skills.SNACK_P  # (one worker: this process's setting)
        try:
            generate_corpus(out / "corpus.jsonl", stories, 0, workers=1, progress=False)
        finally:
            skills.SNACK_P = default
        prepare(out / "corpus.jsonl", out / "data", vocab_size=2048, seed=0, progress=False)
    done = list_checkpoints(out / "run")
    if not done or done[-1][0] < steps:
        cfg = load_run_config(None, [f"data={out / 'data'}", *DEMO_MODEL, *DEMO_TRAIN, "train.seed=0", "train.threads=1",
                                     f"train.steps={steps}", f"train.ckpt_every={steps // 4}"])
        print(train(cfg, out / "run", resume=bool(done), progress=False).summary(), flush=True)
    return out


def score_arm(out: Path) -> list[dict]:
    """Per checkpoint: accuracy, Wilson low end and chance by (skill, hand-written or world)."""
    from storylab.checkpoint import list_checkpoints, load_model
    from storylab.evaluate.suite import run_suite
    from storylab.evaluate.tasks import load_tasks
    from storylab.tokenizer import load_tokenizer

    cache = out / "scores.json"
    ckpts = list_checkpoints(out / "run")
    if cache.exists() and json.loads(cache.read_text())["steps"] == [s for s, _ in ckpts]:
        return json.loads(cache.read_text())["rows"]
    tok, items = load_tokenizer(out / "run" / "tokenizer.json"), load_tasks()
    metrics = [json.loads(l) for l in (out / "run" / "metrics.jsonl").read_text().splitlines()]
    rows = []
    for step, path in ckpts:
        res = run_suite(load_model(path).eval(), tok, items)
        by: dict[str, list] = {}
        for r in res.items:
            by.setdefault(f"{r.skill}/{'world' if r.source.startswith('world') else 'hand'}", []).append(r)
        cells = {}
        for key, rs in by.items():
            k, n = sum(r.correct for r in rs), len(rs)
            cells[key] = {"acc": k / n, "low": wilson_low(k, n), "chance": sum(r.chance for r in rs) / n, "n": n}
        loss = next((m["loss"] for m in reversed(metrics) if m.get("step") == step and "loss" in m), None)
        rows.append({"step": step, "tokens": step * 8 * 256, "train_loss": loss, "cells": cells})
        print(out.name, step, {k: round(v["acc"], 3) for k, v in cells.items() if k.split("/")[0] in SHOWN}, flush=True)
    cache.write_text(json.dumps({"steps": [s for s, _ in ckpts], "rows": rows}))
    return rows


def greedy(out: Path) -> list[str]:
    from storylab.demo import PROMPTS
    from storylab.rundir import load_run
    from storylab.sample import SampleSettings, generate

    model, tok = load_run(out / "run")
    return [p + c for p, (c,) in zip(PROMPTS, generate(model, tok, PROMPTS, SampleSettings(greedy=True, max_new_tokens=200)))]


def cell(c: dict | None) -> str:
    if not c:
        return "-"
    return f"{c['acc']:.2f} [{c['low']:.2f}]{'*' if c['low'] > c['chance'] else ''}"


def figure(results: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = ["negation/hand", "negation/world", "space/hand", "space/world", "grammar/hand", "everyday_fact/hand"]
    fig, axs = plt.subplots(1, len(keys), figsize=(16, 3.2), sharey=True)
    for ax, key in zip(axs, keys):
        for (name, *_), rows in results.items():
            pts = [(r["tokens"] / 1e6, r["cells"][key]) for r in rows if key in r["cells"]]
            if pts:
                ax.plot([t for t, _ in pts], [c["acc"] for _, c in pts], "o-", ms=4, label=name)
                ax.axhline(pts[0][1]["chance"], color="black", ls="--", lw=1)
        ax.set_title(key, fontsize=9)
        ax.set_xlabel("tokens (M)")
        ax.set_ylim(0, 1)
    axs[0].legend(fontsize=8)
    fig.suptitle("demo recipe: accuracy against tokens trained (dashed: chance)")
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def main() -> None:
    results = {}
    for arm in ARMS:
        results[arm] = score_arm(train_arm(*arm))
    figure(results, figure_path(f"{NAME}.png"))
    head = ["arm", "step", "tokens", "train loss", *[f"{s} {src}" for s in ("grammar", "everyday_fact", "main_character")
                                                    for src in ("hand",)],
            "negation hand", "negation world", "space hand", "space world", "exclusion world"]
    keys = ["grammar/hand", "everyday_fact/hand", "main_character/hand", "negation/hand", "negation/world",
            "space/hand", "space/world", "exclusion/world"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for (name, *_), rs in results.items():
        for r in rs:
            rows.append(f"| {name} | {r['step']:,} | {r['tokens'] / 1e6:.1f}M | {r['train_loss']:.3f} | "
                        + " | ".join(cell(r["cells"].get(k)) for k in keys) + " |")
    last = {name: rs[-1]["cells"] for (name, *_), rs in results.items()}
    chance = {k: last["4x"][k]["chance"] for k in keys if k in last["4x"]}
    above = lambda arm, k: k in last[arm] and last[arm][k]["low"] > last[arm][k]["chance"]  # noqa: E731
    more = [k.split("/")[0] for k in ("negation/hand", "space/hand") if above("4x", k)]
    dense = [k for k in ("negation/world", "negation/hand") if above("dense negation", k)]
    verdict = "reproduced" if len(more) == 2 or (more and dense) else "partly" if more or dense else "not"
    worlds = {n: (WORK / n.replace(" ", "_") / "world.txt").read_text().strip() for n, *_ in ARMS
              if (WORK / n.replace(" ", "_") / "world.txt").exists()}
    first4 = results[ARMS[2]][0]["cells"]
    space_w = above("4x", "space/world")
    neg_w = above("4x", "negation/world")
    if space_w and not above("4x", "space/hand"):
        space_line = ("the world's own space items go from {} to {} while the hand-written stay at {}: the route the "
                      "world teaches is learned and does not transfer.")
    elif space_w:
        space_line = "the world's own space items go from {} to {} and the hand-written follow ({})."
    else:
        space_line = "space is not learned even in the world's wording ({} to {}; hand-written {})."
    space_line = space_line.format(cell(first4.get("space/world")), cell(last["4x"].get("space/world")),
                                   cell(last["4x"].get("space/hand")))
    neg_line = (f"Negation {'is' if neg_w else 'is not'} learned in the world's own wording at 4x "
                f"({cell(last['4x'].get('negation/world'))}); 3.4x denser negation episodes "
                f"{'lift ' + ' and '.join(dense) + ' above chance' if dense else 'do not lift it above chance'} at the "
                f"demo's budget (world {cell(last['dense negation'].get('negation/world'))}, hand-written "
                f"{cell(last['dense negation'].get('negation/hand'))}).")
    if verdict == "not":
        so = ("So the demo's open targets are not a matter of the time budget or of how often the episode occurs: "
              "with these episodes, a 1M-parameter model does not learn them in 4x the demo's tokens.")
    else:
        so = "So more compute or denser episodes do move these targets; the demo's budget is part of the gap."
    story = greedy(WORK / "4x")[1]
    md = f"""## Is it the demo's 7 minutes? More compute and a denser skill (`experiments/{NAME}.py`)

**Claim** (issue 13's open demo targets, as a hypothesis): the demo model's hand-written negation
and space items stay at chance, and its greedy stories drift, because 7 CPU-minutes are too few;
more training, or more frequent negation episodes, would clear them.

**Setup**: the demo's recipe (`storylab.demo`: 4 layers x d_model 128, ALiBi, batch 8 x 256 tokens,
lr 6e-3 cosine to 6e-4, vocabulary 2,048), fixed step counts, one thread, seed 0. Arms: **demo**
(2,200 steps, 30,000 stories: what 7 minutes train), **4x** (8,800 steps, 60,000 stories, about
one epoch; its checkpoints at 2,200-step spacing are mid-schedule, with a higher learning rate than
an annealed run of that length), **dense negation** (the demo arm on a world whose every snack time
is a negation choice: `SNACK_P` 1.0 instead of 0.25, about 3.4x the negation episodes). The suite is split by
source: hand-written items (transfer; 24 per skill) and world items (the world's own wording, held-out seed;
40 per skill). Cells: accuracy [95% Wilson low end], `*` where the low end clears chance (chance: negation
{chance.get('negation/hand', 0):.2f}, space hand {chance.get('space/hand', 0):.2f}, space world
{chance.get('space/world', 0):.2f}). Story world (commit that generated each arm's corpus): {', '.join(f'{n} `{w}`' for n, w in worlds.items())}
(delete `experiments/_work/{NAME}/` to retrain on today's).

{chr(10).join(rows)}

![accuracy against tokens](figures/{NAME}.png)

Greedy story of the 4x model (prompt of `storylab demo`, unedited):

> {story.replace(chr(10), ' ')}

**Verdict: {verdict}** — with 4x the training (train loss {results[ARMS[2]][-1]['train_loss']:.3f}), hand-written
{' and '.join(more) + (' clear' if len(more) == 2 else ' clears') if more else 'negation and space do not clear'} chance;
{space_line} {neg_line} {so} One seed per arm; with 24 items a skill, a difference of up to ~4 items is noise.
"""
    write_finding(NAME, md)
    print(md)


if __name__ == "__main__":
    main()
