"""Experiment 3: depth against width at equal parameters.

Claim (Eldan & Li 2023, TinyStories, section 4 / figure 11; as put in issue 15): at a
fixed parameter count, depth helps context tracking more, and width helps facts more.
Measure: three shapes with ~0.1M non-embedding parameters each (8 x 32, 4 x 44, 2 x 64;
ALiBi, 4 heads), the same tokens each, on the story-world v2 corpus; accuracy on
the context-tracking skills (entity tracking, main character, exclusion, pooled) and on
facts (everyday_fact), with Wilson intervals, and paired sign tests (same items) between
the deepest and the widest model.

CPU budget: about 5 minutes on one thread (3 x 1,600 steps of 8 x 128 tokens, one suite
evaluation each; measured 4.3 min in one CPU slot of a shared 2-core machine). One command:

    PYTHONPATH=src OMP_NUM_THREADS=1 nice -n 10 python experiments/depth_vs_width.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _findings import figure_path, write_finding  # noqa: E402
from _sweeps import CONTEXT, FACTS, SPECS, items, run, sign_test, wilson  # noqa: E402

NAME = "depth_vs_width"


def pooled(its: dict, skills) -> tuple[float, float, float, int]:
    xs = [c for s, c in its.values() if s in skills]
    k, n = sum(xs), len(xs)
    lo, hi = wilson(k, n)
    return k / max(n, 1), lo, hi, n


def figure(recs, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    skills = [*CONTEXT, *FACTS, "grammar"]
    fig, ax = plt.subplots(figsize=(9, 3.4))
    w = 0.8 / len(recs)
    for i, r in enumerate(recs):
        xs = [j + (i - (len(recs) - 1) / 2) * w for j in range(len(skills))]
        acc = [r["skills"][s]["acc"] for s in skills]
        err = [[r["skills"][s]["acc"] - r["skills"][s]["ci_low"] for s in skills],
               [r["skills"][s]["ci_high"] - r["skills"][s]["acc"] for s in skills]]
        v = r["values"]
        ax.bar(xs, acc, w, yerr=err, capsize=2,
               label=f"{v['model.n_layers']} x {v['model.d_model']} ({r['params_non_embedding'] / 1e3:.0f}k)")
    for j, s in enumerate(skills):
        ch = recs[0]["skills"][s]["chance"]
        ax.plot([j - 0.45, j + 0.45], [ch, ch], color="black", lw=1)
    ax.set_xticks(range(len(skills)), skills)
    ax.set_ylim(0, 1)
    ax.set_ylabel("accuracy (95% Wilson)")
    ax.legend(title="layers x d_model", fontsize=8)
    ax.set_title("depth vs width at equal non-embedding parameters (black: chance)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def main() -> None:
    note = ""
    if "--finished-only" in sys.argv:  # an interrupted sweep: compare the trials that finished
        from _sweeps import WORK
        from storylab.sweep import load_spec, read_results

        out = WORK / "sweeps" / NAME
        recs, seconds = [r for r in read_results(out) if r.get("status") == "ok"], 0.0
        missing = [t.id for t in load_spec(SPECS / f"{NAME}.toml").trials() if t.id not in {r["id"] for r in recs}]
        if missing:
            note = (f"\n**Partial sweep**: {', '.join(missing)} did not finish in the time this session had (the machine "
                    f"is shared); rerun the script without `--finished-only` to resume the sweep and finish it.\n")
        if len(recs) < 2:
            raise SystemExit("fewer than two finished trials")
    else:
        recs, seconds, out = run(NAME)
    bad = [r for r in recs if r.get("status") != "ok"]
    if bad:
        raise SystemExit(f"trials failed: {[(r['id'], r.get('error')) for r in bad]}")
    recs = sorted(recs, key=lambda r: -r["values"]["model.n_layers"])
    its = {r["id"]: items(out, r) for r in recs}
    figure(recs, figure_path(f"{NAME}.png"))
    rows = ["| layers x d_model | non-emb params | val loss | context tracking (pooled) | "
            + " | ".join(CONTEXT) + " | facts | grammar |", "|---" * (6 + len(CONTEXT)) + "|"]
    for r in recs:
        ctx = pooled(its[r["id"]], CONTEXT)
        sk = r["skills"]
        cell = lambda s: f"{sk[s]['acc']:.3f} [{sk[s]['ci_low']:.2f}, {sk[s]['ci_high']:.2f}]"
        rows.append(f"| {r['values']['model.n_layers']} x {r['values']['model.d_model']} | "
                    f"{r['params_non_embedding']:,} | {r['val_loss']:.3f} | {ctx[0]:.3f} [{ctx[1]:.2f}, {ctx[2]:.2f}] "
                    f"(n={ctx[3]}) | " + " | ".join(cell(s) for s in CONTEXT) + f" | {cell(FACTS[0])} | "
                    f"{cell('grammar')} |")
    deep, wide = recs[0], recs[-1]
    dc = sign_test(its[deep["id"]], its[wide["id"]], CONTEXT)
    df = sign_test(its[deep["id"]], its[wide["id"]], FACTS)
    ctx_d, ctx_w = pooled(its[deep["id"]], CONTEXT)[0], pooled(its[wide["id"]], CONTEXT)[0]
    fac_d, fac_w = pooled(its[deep["id"]], FACTS)[0], pooled(its[wide["id"]], FACTS)[0]
    depth_ctx = ctx_d > ctx_w and dc[2] < 0.05
    width_fac = fac_w > fac_d and df[2] < 0.05
    against = (ctx_w > ctx_d and dc[2] < 0.05) or (fac_d > fac_w and df[2] < 0.05)
    dname = f"{deep['values']['model.n_layers']} x {deep['values']['model.d_model']}"
    wname = f"{wide['values']['model.n_layers']} x {wide['values']['model.d_model']}"
    nums = (f"context tracking {dname} {ctx_d:.3f} vs {wname} {ctx_w:.3f} (items only the deep model gets right / only "
            f"the wide: {dc[0]} / {dc[1]}, sign test p = {dc[2]:.3f}); facts {fac_d:.3f} vs {fac_w:.3f} "
            f"({df[0]} / {df[1]}, p = {df[2]:.3f})")
    above = [f"{r['id']}:{k}" for r in recs for k, v in r["skills"].items() if v["ci_low"] > v["chance"]]
    nums += ("; no skill of any shape has its 95% lower bound above chance" if not above else
             f"; above chance: {', '.join(above)}")
    nums += "; val loss " + ", ".join(f"{r['values']['model.n_layers']} x {r['values']['model.d_model']} "
                                      f"{r['val_loss']:.3f}" for r in recs)
    if depth_ctx and width_fac:
        verdict = "reproduced", nums
    elif (depth_ctx or width_fac) and not against:
        verdict = "partly", nums
    else:
        verdict = "not", nums + ("; a significant difference points the other way" if against else
                                 "; neither difference is significant at this scale")
    spec = (SPECS / f"{NAME}.toml").relative_to(SPECS.parents[1])
    md = f"""## Depth against width at equal parameters (`experiments/{NAME}.py`)

**Claim** (Eldan & Li 2023, *TinyStories*, section 4; issue 15): at a fixed parameter count,
depth gains more on context tracking (consistency), width more on facts (knowledge).

**Setup**: spec `{spec}` (mode zip): {', '.join(f"{r['values']['model.n_layers']} x {r['values']['model.d_model']}" for r in recs)}
(layers x d_model, 4 heads, ALiBi, context 128, batch 8), each {recs[0]['steps']} steps of {recs[0]['tokens'] // recs[0]['steps']:,} tokens ({recs[0]['tokens']:,} tokens)
on 10,000 story-world v2 stories (planned, coherent plots); suite at the last checkpoint. Train + eval time per trial:
{', '.join(f"{r['train_seconds'] + r['eval_seconds']:.0f} s" for r in recs)} (one thread, one trial at a time, inside one CPU slot of a
shared 2-core machine; the sweep took {seconds / 60:.1f} min of wall time in this invocation).

{chr(10).join(rows)}

Accuracy [95% Wilson interval]. Paired sign test on the same items, deepest vs widest.
{note}

![depth vs width](figures/{NAME}.png)

**Verdict: {verdict[0]}** — {verdict[1]}. Small models and a short budget:
a "not" here says the effect is not visible at ~{recs[0]['params_non_embedding'] / 1e6:.2f}M parameters and {recs[0]['tokens'] / 1e6:.1f}M tokens, not that it is absent
at the paper's scale.
"""
    write_finding(NAME, md)
    print(md)


if __name__ == "__main__":
    main()
