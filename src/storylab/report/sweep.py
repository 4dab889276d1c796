"""`storylab report --sweep sweeps/NAME`: one self-contained HTML page about a sweep.

Everything comes from ``results.jsonl`` (one record per trial, written by `storylab
sweep`): loss against non-embedding parameters (log x) for each axis; a width x depth
heat map of every skill (the TinyStories figure) when the sweep has both axes; each
skill's accuracy over training steps for every trial, so the order of emergence shows;
and a table of every trial with 95% Wilson intervals. Figures are embedded PNGs.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

from storylab.errors import StorylabError
from storylab.report import plots
from storylab.io import atomic_write
from storylab.report.html import Raw, esc, img, page, table

WIDTH, DEPTH = "model.d_model", "model.n_layers"


def _records(sweep: Path) -> list[dict]:
    p = sweep / "results.jsonl"
    if not p.exists():
        raise StorylabError(f"{sweep}: not a sweep directory (no results.jsonl); run `storylab sweep SPEC --out {sweep}`")
    out = []
    for line in p.read_text(encoding="utf-8").splitlines():
        try:
            r = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(r, dict) and "id" in r:
            out.append(r)
    return out


def _skill_names(recs: list[dict]) -> list[str]:
    from storylab.evaluate.tasks import SKILL_ORDER

    names = {s for r in recs for s in (r.get("skills") or {})}
    return [s for s in SKILL_ORDER if s in names] + sorted(names - set(SKILL_ORDER))


def loss_vs_params(recs: list[dict], axes: list[str]) -> bytes | None:
    pts = [r for r in recs if isinstance(r.get("val_loss"), (int, float)) and r.get("params_non_embedding")]
    if not pts:
        return None
    plt = plots._plt()
    panels = axes or ["(all trials)"]
    fig, axs = plt.subplots(1, len(panels), figsize=(min(4.2 * len(panels), 12), 3.2), squeeze=False)
    cmap = plt.get_cmap("viridis")
    for ax, axis in zip(axs[0], panels):
        groups: dict = {}
        for r in pts:
            groups.setdefault(str(r.get("values", {}).get(axis, "")), []).append(r)
        keys = sorted(groups, key=_num_key)
        for i, k in enumerate(keys):
            g = sorted(groups[k], key=lambda r: r["params_non_embedding"])
            ax.plot([r["params_non_embedding"] for r in g], [r["val_loss"] for r in g], "o-", ms=4,
                    color=cmap(i / max(1, len(keys) - 1)), label=f"{axis.split('.')[-1]}={k}" if axes else None)
        ax.set_xscale("log")
        ax.set_xlabel("non-embedding parameters")
        ax.set_ylabel("val loss")
        if axes:
            ax.legend(fontsize=7)
            ax.set_title(f"by {axis}", fontsize=9)
    fig.tight_layout()
    return plots._png(fig)


def _num_key(x: str):
    try:
        return (0, float(x), "")
    except ValueError:
        return (1, 0.0, x)


def heatmaps(recs: list[dict], skills: list[str]) -> bytes | None:
    ok = [r for r in recs if r.get("skills") and WIDTH in r.get("values", {}) and DEPTH in r.get("values", {})]
    if not ok or not skills:
        return None
    widths = sorted({r["values"][WIDTH] for r in ok})
    depths = sorted({r["values"][DEPTH] for r in ok})
    plt = plots._plt()
    cols = min(3, len(skills))
    nr = math.ceil(len(skills) / cols)
    fig, axs = plt.subplots(nr, cols, figsize=(3.4 * cols, 3.0 * nr + 0.3), squeeze=False)
    fig.subplots_adjust(hspace=0.55, wspace=0.35)
    for k, name in enumerate(skills):
        ax = axs[k // cols][k % cols]
        grid = [[float("nan")] * len(widths) for _ in depths]
        chance = 0.5
        for i, dpt in enumerate(depths):
            for j, w in enumerate(widths):
                cell = [r["skills"][name] for r in ok if r["values"][WIDTH] == w and r["values"][DEPTH] == dpt
                        and name in r["skills"]]
                if cell:  # mean over the other axes (seeds, data, ...)
                    grid[i][j] = sum(c["acc"] for c in cell) / len(cell)
                    chance = cell[0].get("chance", chance)
        im = ax.imshow(grid, cmap="RdYlGn", vmin=max(0.0, chance - 0.25), vmax=min(1.0, chance + 0.25),
                       origin="lower", aspect="auto")
        for i in range(len(depths)):
            for j in range(len(widths)):
                if grid[i][j] == grid[i][j]:
                    ax.text(j, i, f"{grid[i][j]:.2f}", ha="center", va="center", fontsize=8)
        ax.set_xticks(range(len(widths)), [str(w) for w in widths])
        ax.set_yticks(range(len(depths)), [str(d) for d in depths])
        ax.set_xlabel("d_model")
        ax.set_ylabel("layers")
        ax.set_title(f"{name} (chance {chance:.2f})", fontsize=9)
        ax.grid(False)
    for k in range(len(skills), nr * cols):
        axs[k // cols][k % cols].axis("off")
    fig.colorbar(im, ax=axs.ravel().tolist(), shrink=0.8, label="accuracy")
    return plots._png(fig)


def skill_curves(recs: list[dict], skills: list[str]) -> bytes | None:
    ok = [r for r in recs if len(r.get("curves") or []) >= 2]
    if not ok or not skills:
        return None
    plt = plots._plt()
    cols = min(3, len(skills))
    nr = math.ceil(len(skills) / cols)
    fig, axs = plt.subplots(nr, cols, figsize=(3.4 * cols, 2.4 * nr + 0.6), squeeze=False, sharex=True)
    cmap = plt.get_cmap("viridis")
    for k, name in enumerate(skills):
        ax = axs[k // cols][k % cols]
        chance = None
        for i, r in enumerate(ok):
            pts = [(row["step"], row["skills"][name]) for row in r["curves"] if name in (row.get("skills") or {})]
            if pts:
                ax.plot([p[0] for p in pts], [p[1]["acc"] for p in pts], "o-", ms=2.5, lw=1,
                        color=cmap(i / max(1, len(ok) - 1)), label=r["id"] if k == 0 else None)
                chance = pts[-1][1].get("chance", chance)
        if chance is not None:
            ax.axhline(chance, color="black", lw=1, ls="--")
        ax.set_title(name, fontsize=9)
        ax.set_ylim(0, 1)
    for k in range(len(skills), nr * cols):
        axs[k // cols][k % cols].axis("off")
    for ax in axs[-1]:
        ax.set_xlabel("step")
    fig.legend(loc="lower center", ncol=min(4, len(ok)), fontsize=7, bbox_to_anchor=(0.5, -0.02 - 0.03 * (len(ok) // 4)))
    fig.suptitle("accuracy over training, one line per trial (dashed: chance)", fontsize=10)
    fig.tight_layout()
    return plots._png(fig)


def _cell(s: dict | None) -> Raw:
    if not s:
        return Raw("–")
    cls = "good" if s["ci_low"] > s["chance"] else ("bad" if s["ci_high"] < s["chance"] else "")
    return Raw(f'<span class="{cls}">{s["acc"]:.2f}</span> <span class="small">[{s["ci_low"]:.2f}, '
                f'{s["ci_high"]:.2f}]</span>')


def results_table(recs: list[dict], axes: list[str], skills: list[str]) -> str:
    headers = ["trial", *[a.split(".")[-1] for a in axes], "non-emb params", "steps", "tokens", "val loss", *skills]
    rows = []
    for r in recs:
        v = r.get("values", {})
        if r.get("status") != "ok":
            rows.append([r["id"], *[v.get(a, "") for a in axes],
                         Raw(f'<span class="bad">failed</span>: {esc(r.get("error", ""))}'),
                         *[""] * (4 + len(skills) - 1)])
            continue
        vl = r.get("val_loss")
        rows.append([r["id"], *[v.get(a, "") for a in axes], f"{r.get('params_non_embedding', 0):,}",
                     r.get("steps", ""), f"{r.get('tokens', 0):,}", f"{vl:.3f}" if isinstance(vl, float) else "–",
                     *[_cell((r.get("skills") or {}).get(s)) for s in skills]])
    return f'<div style="overflow-x:auto">{table(headers, rows)}</div>'


def build_sweep_report(sweep: str | os.PathLike, out: str | os.PathLike | None = None) -> Path:
    """Write ``SWEEP/report.html`` (or `out`) and return its path."""
    sweep = Path(sweep)
    if not sweep.is_dir():
        raise StorylabError(f"sweep not found: {sweep}")
    recs = _records(sweep)
    plots._plt()
    meta = {}
    if (sweep / "trials.json").exists():
        try:
            meta = json.loads((sweep / "trials.json").read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            meta = {}
    axes = list(meta.get("axes") or {k: None for r in recs for k in r.get("values", {})})
    ok = [r for r in recs if r.get("status") == "ok"]
    skills = _skill_names(ok)
    failed = [r for r in recs if r.get("status") != "ok"]
    hint = lambda t: f'<p class="hint">{esc(t)}</p>'
    sections = [
        ("Loss against parameters", img(loss_vs_params(ok, axes), "loss vs parameters")
         or hint("no trial has a validation loss yet")),
        ("Width × depth", img(heatmaps(ok, skills), "width x depth heat maps")
         or hint(f"needs axes {WIDTH} and {DEPTH} and suite results")),
        ("Skills over training", img(skill_curves(ok, skills), "skill accuracy over steps")
         or hint("needs two or more evaluated checkpoints per trial ([eval] checkpoints = K)")),
        ("Trials", results_table(recs, axes, skills)
         + '<p class="small">accuracy [95% Wilson interval]; green: interval above chance, red: below.</p>'),
    ]
    desc = (f"{len(recs)} trials ({len(ok)} ok, {len(failed)} failed); mode {meta.get('mode', '?')}; axes "
            + ", ".join(f"{a} = {v}" for a, v in (meta.get("axes") or {}).items())
            + f"; budget {json.dumps(meta.get('budget', {}))}")
    out = Path(out) if out else sweep / "report.html"
    with atomic_write(out) as f:
        f.write(page(f"storylab sweep: {sweep.name}", sweep, sections, intro=f"<p>{esc(desc)}</p>"))
    return out
