"""Experiment 5: neuron selectivity falls as width grows.

Claim (Eldan & Li 2023, TinyStories, section 5.2; issue 15): smaller models have more
interpretable neurons. Measure: the 1-layer models of experiment 4 (d_model 32-256,
shared sweep `one_layer_widths`); `storylab inspect --neurons` scores each MLP neuron's
selectivity for word categories and the same for random directions; the share of neurons
above the random-direction 95th percentile, against d_model.

CPU budget: under a minute beyond experiment 4's sweep (neuron analysis on 200 stories per
model: 0.1 min measured in one CPU slot of a shared 2-core machine). One command:

    PYTHONPATH=src OMP_NUM_THREADS=1 nice -n 10 python experiments/neuron_selectivity.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _findings import figure_path, write_finding  # noqa: E402
from _sweeps import inspect_trials, run  # noqa: E402

NAME = "neuron_selectivity"


def main() -> None:
    recs, secs, out = run("one_layer_widths")
    ok = sorted((r for r in recs if r.get("status") == "ok"), key=lambda r: r["values"]["model.d_model"])
    t0 = time.time()
    neurons = inspect_trials(out, ok, "neurons", neurons=True)
    neu_s = time.time() - t0
    widths = [r["values"]["model.d_model"] for r in ok]
    layer = [neurons[r["id"]]["layers"][0] for r in ok]
    share = [l.get("share_type_above_random_p95", l["share_above_random_p95"]) for l in layer]
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3))
    ax.plot(widths, share, "o-")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("d_model (1 layer)")
    ax.set_ylabel("share of neurons above random p95")
    fig.tight_layout()
    fig.savefig(figure_path(f"{NAME}.png"), dpi=90)
    rows = ["| d_model | neurons | share above random p95 (type-level) | token-level share | mean selectivity |",
            "|---|---|---|---|---|"]
    for w, l, s in zip(widths, layer, share):
        rows.append(f"| {w} | {l['neurons']} | {s:.3f} | {l['share_above_random_p95']:.3f} | "
                    f"{l['mean_selectivity']:.3f} |")
    falls = all(b < a for a, b in zip(share, share[1:]))
    v = "reproduced" if falls else ("partly" if share[-1] < share[0] else "not")
    write_finding(NAME, f"""## Neuron selectivity against width (`experiments/{NAME}.py`)

**Claim** (Eldan & Li 2023, *TinyStories*, section 5.2; issue 15): smaller models have more
interpretable (selective) neurons.

**Setup**: the 1-layer models of `one_layer_widths` (see experiment 4: learned positions, {ok[0]['steps']} steps of
8 x 128 tokens on the story-world v2 corpus); `storylab inspect --neurons` on 200 stories; selectivity for word
categories against 128 random directions. Neuron analysis {neu_s / 60:.1f} min in this invocation (cached once
done; 0.1 min the first time), one thread in one CPU slot of a shared 2-core machine.

{chr(10).join(rows)}

![selectivity against width](figures/{NAME}.png)

**Verdict: {v}** — share above the random baseline {' -> '.join(f'{s:.2f}' for s in share)} for d_model
{' -> '.join(map(str, widths))}. One seed per width; {ok[0]['steps']} training steps.
""")


if __name__ == "__main__":
    main()
