"""Experiment 6: place and time are linearly decodable in middle layers.

Claim (Gurnee & Tegmark 2023, "Language models represent space and time"; issue 15):
linear probes recover place and time from the residual stream, best in middle layers,
and the probes generalise across held-out blocks (not just memorised entities).
Measure: d_model 64 with 1 / 2 / 4 / 8 layers (600 steps each); `storylab inspect
--probes` fits ridge probes per layer for space (coordinates) and time (time of day,
day, season): the best layer, random split against block holdout, linear against MLP,
and a control task (shuffled labels).

CPU budget: about 10 CPU-minutes on one thread (4 trainings + probes on 1,500 stories);
30-50 minutes of wall time on a shared 2-core machine. One command:

    PYTHONPATH=src OMP_NUM_THREADS=1 nice -n 10 python experiments/probes_depth.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _findings import figure_path, write_finding  # noqa: E402
from _sweeps import inspect_trials, run  # noqa: E402

NAME = "probes_depth"
DATASETS = ("space", "time", "day", "season")


def main() -> None:
    recs, secs, out = run("probes_depth")
    ok = sorted((r for r in recs if r.get("status") == "ok"), key=lambda r: r["values"]["model.n_layers"])
    probes = inspect_trials(out, ok, "probes", probes=True)
    depths = [r["values"]["model.n_layers"] for r in ok]
    rows = ["| layers | dataset | metric | best layer | best (random split) | block holdout at best | "
            "MLP probe at best | control at best |", "|---|---|---|---|---|---|---|---|"]
    middle = total = 0
    gaps = []
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axs = plt.subplots(1, len(DATASETS), figsize=(13, 3), squeeze=False)
    for r, L in zip(ok, depths):
        p = probes[r["id"]]
        for j, ds in enumerate(DATASETS):
            d = p.get(ds)
            if not d or "layers" not in d:
                continue
            best = d["layers"][d["best_layer"]]
            f = lambda x: "–" if x is None else f"{x:.3f}"
            rows.append(f"| {L} | {ds} | {d['metric']} | {d['best_layer']} | {f(best.get('random'))} | "
                        f"{f(best.get('block'))} | {f(best.get('mlp_random'))} | {f(best.get('control'))} |")
            labs = list(d["layers"])
            idx = labs.index(d["best_layer"])
            total += 1
            middle += 0 < idx < len(labs) - 1
            if best.get("block") is not None and best.get("random") is not None:
                gaps.append(best["random"] - best["block"])
            axs[0][j].plot(range(len(labs)), [d["layers"][k].get("random") for k in labs], "o-", label=f"{L} layers")
            axs[0][j].set_title(f"{ds} ({d['metric']}, random split)", fontsize=9)
    for ax in axs[0]:
        ax.set_xlabel("layer (0 = embedding)")
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(figure_path(f"{NAME}.png"), dpi=90)
    mean_gap = sum(gaps) / len(gaps) if gaps else float("nan")
    v = "reproduced" if total and middle / total >= 0.5 and mean_gap < 0.1 else ("partly" if middle else "not")
    write_finding(NAME, f"""## Probes of place and time against depth (`experiments/{NAME}.py`)

**Claim** (Gurnee & Tegmark 2023; issue 15): place and time are linearly decodable, best in middle
layers, and the probes hold up on block holdout and beat a control task.

**Setup**: spec `experiments/specs/probes_depth.toml`: d_model 64, {', '.join(map(str, depths))} layers,
600 steps each; `storylab inspect --probes` (1,500 stories). Wall time {secs / 60:.1f} min for the sweep.

{chr(10).join(rows)}

![probe quality per layer](figures/{NAME}.png)

**Verdict: {v}** — the best layer is a middle one (not the embedding, not the last) in {middle} of {total}
(model, dataset) pairs; random split minus block holdout at the best layer averages {mean_gap:.3f}.
""")


if __name__ == "__main__":
    main()
