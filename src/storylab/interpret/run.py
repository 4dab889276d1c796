"""`storylab inspect RUN`: every analysis on one run, written to ``runs/NAME/inspect/``.

Files: ``heads.json`` + ``heads_*.png``, ``neurons.json`` + ``neurons.html``,
``probes.json`` + ``probes.png``, ``ood.json`` + ``ood.png``, and ``summary.json`` with
each analysis' headline numbers (merged, so analyses can be run one at a time).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from storylab.errors import StorylabError
from storylab.locks import locked
from storylab.interpret.common import encode_texts, update_summary
from storylab.interpret.heads import analyze_heads, plot_heads
from storylab.interpret.neurons import analyze_neurons, neurons_json, tag_story, top_neurons, write_html
from storylab.interpret.ood import (
    RANDOM_LEVELS,
    SHUFFLE_LEVELS,
    ood_analysis,
    ood_json,
    plot_ood,
    unigram_from_run,
    unigram_from_tokens,
)
from storylab.interpret.probes import (
    builtin_datasets,
    collect_activations,
    jsonl_dataset,
    plot_probes,
    run_probe_dataset,
)
from storylab.io import write_json
from storylab.progress import progress as make_progress
from storylab.rundir import RunDir

CONTENT_TAGS = {"main_intro", "character", "place", "object", "noun"}


class _Bars:
    """A rich progress display (or nothing) with one task per analysis."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bar = None

    def __enter__(self):
        if self.enabled:
            self.bar = make_progress(transient=False)
            self.bar.__enter__()
        return self

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)

    def task(self, name: str, total: int):
        if self.bar is None:
            return None
        t = self.bar.add_task(name, total=total)
        return lambda n=1: self.bar.advance(t, n)


@dataclass
class InspectResult:
    """What `inspect_run` found: each analysis' headline numbers (also in ``summary.json``)."""

    run: str
    out_dir: Path
    analyses: dict = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> str:
        return f"{summary_line(self.analyses)} in {self.seconds:.0f}s -> {self.out_dir}"

    def __getitem__(self, key: str):
        return self.analyses[key]

    def __contains__(self, key: str) -> bool:
        return key in self.analyses


@locked("out", kind="dir", derive=lambda a: Path(a["out"]) if a["out"] is not None else RunDir.open(a["run"]).inspect_dir)
def inspect_run(run: str | os.PathLike, heads: bool = True, neurons: bool = True, probes: bool = True,
                ood: bool = True, n_stories: int = 200, probe_stories: int = 1500, corpus=None, probe_data=None,
                layers: list[int] | None = None, out: str | os.PathLike | None = None, device: str = "cpu",
                seed: int = 0, progress: bool = True) -> InspectResult:
    """Run the chosen analyses on `run` and write them to `out` (default RUN/inspect/)."""
    if n_stories < 1:
        raise StorylabError("n_stories must be at least 1")
    rd = RunDir.open(run)
    model, tok = rd.load(device=device)
    bad = [l for l in layers or [] if not 0 <= l < model.cfg.n_layers]
    if bad:
        raise StorylabError(f"--layer {bad[0]}: the model has layers 0..{model.cfg.n_layers - 1}")
    if probe_stories < 1:
        raise StorylabError("probe_stories must be at least 1")
    try:  # the figures need it; fail before writing half the results, not after
        import matplotlib  # noqa: F401
    except ImportError:
        raise StorylabError("inspect needs matplotlib (part of storylab's install): pip install matplotlib") from None
    need = max(n_stories, probe_stories if probes else 0)
    if heads or neurons or ood or probe_data is None:
        records = rd.stories(need, corpus)
    else:  # only a user's probe data: the run's own stories are optional
        try:
            records = rd.stories(need, corpus)
        except StorylabError:
            records = []
    stories = encode_texts(tok, [r["text"] for r in records[:n_stories]], model.cfg.context, records[:n_stories])
    if not stories and (heads or neurons or ood):
        raise StorylabError(f"{run}: no stories to inspect")
    out_dir = Path(out) if out is not None else rd.inspect_dir
    out_dir.mkdir(parents=True, exist_ok=True)  # only once the run has opened: no RUN/inspect/ for a typo
    result = InspectResult(rd.name, out_dir)
    t0 = time.time()
    tags = [tag_story(s) for s in stories] if (heads or neurons) else None
    with _Bars(progress) as bars:
        if heads:
            result.analyses["heads"] = _heads(model, tok, stories, tags, out_dir, bars, seed)
        if neurons:
            result.analyses["neurons"] = _neurons(model, tok, stories, tags, out_dir, bars, layers, seed)
        if probes:
            result.analyses["probes"] = _probes(model, tok, records[:probe_stories], probe_data, out_dir, bars, seed)
        if ood:
            result.analyses["ood"] = _ood(model, tok, rd.path, records[:n_stories], out_dir, bars, seed)
    for k, v in result.analyses.items():
        update_summary(out_dir, k, v)
    result.seconds = round(time.time() - t0, 1)
    return result


def _heads(model, tok, stories, tags, out_dir, bars, seed) -> dict:
    masks = [[t in CONTENT_TAGS for t in tg] for tg in tags]
    pool = sorted({t for s in stories for t in s.ids[1:]})
    rep = analyze_heads(model, stories, content_masks=masks, induction_pool=pool or None, seed=seed,
                        bos=stories[0].ids[0], progress=bars.task("heads", 2 * len(stories)))
    data = rep.to_json()
    write_json(out_dir / "heads.json", data)
    plot_heads(rep, out_dir, model, stories[0], tok)
    L, H = rep.positional.shape
    return {"counts": data["counts"],
            "labels": [f"{l}.{h}:{rep.labels[l][h]}" for l in range(L) for h in range(H)],
            "mean_positional": float(rep.positional.mean()), "mean_semantic": float(np.nanmean(rep.semantic)),
            "max_induction": {"head": _argmax_name(rep.induction), "score": float(rep.induction.max())},
            "max_prev_token": {"head": _argmax_name(rep.prev_token), "score": float(rep.prev_token.max())},
            "positional_decay": {f"{l}.{h}": round(float(rep.decay[l, h]), 4) for l in range(L) for h in range(H)
                                 if rep.labels[l][h] == "positional"},
            "alibi_slopes": rep.alibi}


def _argmax_name(a) -> str:
    l, h = np.unravel_index(int(np.nanargmax(a)), a.shape)
    return f"{l}.{h}"


def _neurons(model, tok, stories, tags, out_dir, bars, layers, seed) -> dict:
    reps, tags = analyze_neurons(model, stories, layers, tags=tags, seed=seed,
                                 progress=bars.task("neurons", len(stories)))
    write_json(out_dir / "neurons.json", neurons_json(reps, stories, tok, tags, n_examples=3), indent=None)
    write_html(out_dir / "neurons.html", reps, stories, tok, tags)
    return {"layers": [r.summary() for r in reps], "top": top_neurons(reps, 5, tok)}


def _probes(model, tok, records, probe_data, out_dir, bars, seed) -> dict:
    datasets = [d for d in builtin_datasets(records) if len(d) >= 10]
    if probe_data is not None:
        datasets.append(jsonl_dataset(probe_data))
    results = []
    task = bars.task("probe activations", len({t for d in datasets for t in d.texts}))
    acts = collect_activations(model, tok, datasets, progress=task)
    task = bars.task("probes", len(datasets))
    for ds, a in zip(datasets, acts):
        results.append(run_probe_dataset(model, tok, ds, seed=seed, activations=a))
        if task:
            task(1)
    write_json(out_dir / "probes.json", {"datasets": results})
    if results:
        plot_probes(results, out_dir / "probes.png")
    summ = {}
    for r in results:
        if not r.get("layers"):
            summ[r["dataset"]] = {"skipped": r.get("skipped")}
            continue
        per = {lab: {k: v for k, v in x.items() if k in ("random", "block", "control", "selectivity", "mlp_random")}
               for lab, x in r["layers"].items()}
        summ[r["dataset"]] = {"n": r["n"], "metric": "accuracy" if r["classify"] else "r2",
                              "best_layer": r["best_layer"], "best": r["best"], "layers": per}
    if not datasets:
        summ["note"] = "no probe data: the corpus has no story-world meta and no --probe-data was given"
    return summ


def _ood(model, tok, run, records, out_dir, bars, seed) -> dict:
    V = model.cfg.vocab_size
    u = unigram_from_run(run, V)
    source = "train shard"
    if u is None:  # no shard: the stories at hand stand in for the training data
        ids = np.concatenate([np.asarray(s.ids) for s in encode_texts(tok, [r["text"] for r in records], 10**9)])
        u, source = unigram_from_tokens(ids, V), "inspected stories (train shard not found)"
    res = ood_analysis(model, tok, [r["text"] for r in records], u, seed=seed, progress=bars.task("ood", len(SHUFFLE_LEVELS) + len(RANDOM_LEVELS) + 3))
    data = ood_json(res)
    data["unigram_source"] = source
    write_json(out_dir / "ood.json", data)
    plot_ood(res, out_dir / "ood.png")
    s = res["summary"]
    return {"unigram_source": source, "auroc_neg_kl_all": res["auroc_neg_kl_all"],
            "auroc_neg_norm_all": res["auroc_neg_norm_all"],
            "kl_by_shuffle": {k: round(v["kl_mean"], 4) for k, v in s.items() if k.startswith("shuffle")},
            "kl_by_random": {k: round(v["kl_mean"], 4) for k, v in s.items() if k.startswith("random")},
            "norm_by_shuffle": {k: round(v["norm_mean"], 3) for k, v in s.items() if k.startswith("shuffle")},
            "auroc_neg_kl": {k: v.get("auroc_neg_kl") for k, v in s.items() if k != "shuffle_0"},
            "kl_mean": {k: round(v["kl_mean"], 4) for k, v in s.items()}}


def summary_line(summary: dict) -> str:
    parts = []
    if "heads" in summary:
        parts.append("heads " + ", ".join(f"{v} {k}" for k, v in sorted(summary["heads"]["counts"].items())))
    if "neurons" in summary and summary["neurons"]["top"]:
        t = summary["neurons"]["top"][0]
        parts.append(f"top neuron L{t['layer']}.N{t['neuron']} {t['category']} ({t['selectivity']:.2f})")
    if "probes" in summary:
        ps = [f"{k} {v['best']:.2f}@{v['best_layer']}" for k, v in summary["probes"].items()
              if isinstance(v, dict) and "best" in v]
        parts.append("probes " + (", ".join(ps) if ps else "none"))
    if "ood" in summary:
        parts.append(f"OOD AUROC {summary['ood']['auroc_neg_kl_all']:.2f}")
    return "; ".join(parts)
