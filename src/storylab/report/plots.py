"""Figures for the report, as PNG bytes (matplotlib, Agg backend, imported lazily)."""

from __future__ import annotations

import io
import math

from storylab.errors import StorylabError


def _plt():
    try:
        import matplotlib
    except ImportError:
        raise StorylabError("the report needs matplotlib (part of storylab's install): pip install matplotlib") from None
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    plt.rcParams.update({"figure.dpi": 100, "font.size": 9, "axes.spines.top": False, "axes.spines.right": False,
                         "axes.grid": True, "grid.alpha": 0.3})
    return plt


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    _plt().close(fig)
    return buf.getvalue()


def loss_curves(metrics: list[dict]) -> bytes | None:
    train = [(m["step"], m["loss"]) for m in metrics if "loss" in m and isinstance(m["loss"], (int, float))]
    val = [(m["step"], m["val_loss"]) for m in metrics if "val_loss" in m]
    if not train and not val:
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 3.2))
    if train:
        ax.plot(*zip(*train), label="train loss", color="#4c72b0", lw=1.2)
    if val:
        ax.plot(*zip(*val), "o-", label="val loss", color="#dd8452", lw=1.5, ms=4)
    ax.set_xlabel("step")
    ax.set_ylabel("cross-entropy (nats/token)")
    ax.legend()
    return _png(fig)


def skill_bars(skills: list[dict]) -> bytes | None:
    if not skills:
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(skills) + 1.0))
    names = [s["skill"] for s in skills][::-1]
    acc = [s["acc"] for s in skills][::-1]
    lo = [s["acc"] - s["ci_low"] for s in skills][::-1]
    hi = [s["ci_high"] - s["acc"] for s in skills][::-1]
    colors = ["#55a868" if s["ci_low"] > s["chance"] else ("#c44e52" if s["ci_high"] < s["chance"] else "#8c8c8c")
              for s in skills][::-1]
    y = range(len(names))
    ax.barh(y, acc, xerr=[lo, hi], color=colors, alpha=0.85, capsize=3)
    for i, s in enumerate(skills[::-1]):
        ax.plot([s["chance"], s["chance"]], [i - 0.4, i + 0.4], color="black", lw=1.5)
    ax.set_yticks(list(y), names)
    ax.set_xlim(0, 1)
    ax.set_xlabel("accuracy (bars: 95% Wilson interval; black tick: chance)")
    return _png(fig)


def skill_curves(rows: list[dict]) -> bytes | None:
    rows = [r for r in rows if r.get("skills")]
    if len(rows) < 2:
        return None
    plt = _plt()
    skills = list(rows[-1]["skills"])
    cols = 3
    nr = math.ceil(len(skills) / cols)
    fig, axes = plt.subplots(nr, cols, figsize=(9, 2.3 * nr), squeeze=False, sharex=True)
    for k, name in enumerate(skills):
        ax = axes[k // cols][k % cols]
        pts = [(r["step"], r["skills"][name]) for r in rows if name in r["skills"]]
        xs = [p[0] for p in pts]
        ax.fill_between(xs, [p[1]["ci_low"] for p in pts], [p[1]["ci_high"] for p in pts], alpha=0.2, color="#4c72b0")
        ax.plot(xs, [p[1]["acc"] for p in pts], "o-", ms=3, color="#4c72b0")
        ax.axhline(pts[-1][1]["chance"], color="black", lw=1, ls="--")
        ax.set_title(name, fontsize=9)
        ax.set_ylim(0, 1)
    for k in range(len(skills), nr * cols):
        axes[k // cols][k % cols].axis("off")
    for ax in axes[-1]:
        ax.set_xlabel("step")
    fig.suptitle("accuracy over training (dashed: chance)", fontsize=10)
    fig.tight_layout()
    return _png(fig)


def eval_loss_curve(rows: list[dict]) -> bytes | None:
    pts = [(r["step"], r["val_loss"]) for r in rows if "val_loss" in r]
    if len(pts) < 2:
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 2.6))
    ax.plot(*zip(*pts), "o-", color="#dd8452", ms=4)
    ax.set_xlabel("step")
    ax.set_ylabel("full val loss")
    return _png(fig)


def judge_bars(dimensions: dict) -> bytes | None:
    dims = [(k, v) for k, v in dimensions.items() if v.get("n")]
    if not dims:
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5, 2.4))
    ax.bar([k for k, _ in dims], [v["mean"] for _, v in dims],
           yerr=[[v["mean"] - v["ci_low"] for _, v in dims], [v["ci_high"] - v["mean"] for _, v in dims]],
           color="#8172b3", capsize=4)
    ax.set_ylim(0, 10)
    ax.set_ylabel("judge grade (1-10)")
    return _png(fig)


def novelty_hist(per_text: list[dict], reference: list[dict] | None = None) -> bytes | None:
    if not per_text:
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 2.6))
    vals = [p["lcs_words"] for p in per_text]
    bins = range(0, max(vals + [p["lcs_words"] for p in reference or []] + [10]) + 3, 2)
    ax.hist(vals, bins=bins, alpha=0.7, label="completions", color="#4c72b0")
    if reference:
        ax.hist([p["lcs_words"] for p in reference], bins=bins, alpha=0.5, label="held-out stories", color="#dd8452")
    ax.set_xlabel("longest common substring with the training data (words; 0 = under 8)")
    ax.set_ylabel("texts")
    ax.legend()
    return _png(fig)
