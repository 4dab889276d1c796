"""`storylab report RUN`: one self-contained HTML page about a run.

Sections: training curves (metrics.jsonl), held-out loss, the skill table and its
curves over checkpoints, judge grades, sample stories, novelty, and inspection results.
Everything comes from files the other verbs wrote (``metrics.jsonl``, ``eval/*.json``,
``inspect/*``); a missing file leaves its section with a hint on how to make it.
Figures are PNGs embedded as base64, styles are inline: the file can be mailed.

`inspect_section(run_dir)` shows every ``inspect/*.png`` and summarises every
``inspect/*.json``. Other sections (influence, games, ...) are added with
`register_section(title, fn)`.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from storylab.config import load_toml
from storylab.errors import StorylabError
from storylab.locks import locked
from storylab.rundir import check_tokenizer
from storylab.evaluate.judge import AGE_GROUPS
from storylab.io import atomic_write
from storylab.report import plots
from storylab.report.influence import influence_section

_EXTRA_SECTIONS: list[tuple[str, Callable[[Path], str | None]]] = []


def register_section(title: str, fn: Callable[[Path], str | None]) -> None:
    """Add a section (rendered after the built-in ones): `fn(run_dir)` returns an HTML fragment or None."""
    _EXTRA_SECTIONS.append((title, fn))


def esc(x) -> str:
    return html.escape(str(x), quote=True)


def img(png: bytes | None, alt: str) -> str:
    if not png:
        return ""
    return f'<img alt="{esc(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


def table(headers: list[str], rows: list[list], cls: str = "") -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c if isinstance(c, Raw) else esc(c)}</td>" for c in r) + "</tr>"
                   for r in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


class Raw(str):
    """Already-escaped HTML for a table cell."""


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError):
        return None


def _read_jsonl(path: Path) -> list[dict]:
    out = []
    if not path.exists():
        return out
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            continue  # a torn last line
        if isinstance(rec, dict):
            out.append(rec)
    return out


def _f(x, nd=3) -> str:
    return f"{x:.{nd}f}" if isinstance(x, (int, float)) and x == x else "–"


def _hint(text: str) -> str:
    return f'<p class="hint">{esc(text)}</p>'


# --- sections ------------------------------------------------------------------------------


def training_section(run: Path) -> str:
    metrics = _read_jsonl(run / "metrics.jsonl")
    if not metrics:
        return _hint("no metrics.jsonl (the run has not logged anything yet)")
    last = [m for m in metrics if "summary" in m]
    parts = [img(plots.loss_curves(metrics), "training and validation loss")]
    if last:
        parts.append(f"<p>{esc(last[-1]['summary'])}</p>")
    return "".join(parts)


def config_section(run: Path) -> str:
    p = run / "config.toml"
    if not p.exists():
        return _hint("no config.toml")
    try:
        cfg = load_toml(p)
    except StorylabError as e:
        return _hint(str(e))
    m = cfg.get("model", {})
    t = cfg.get("train", {})
    keys = [("d_model", m), ("n_layers", m), ("n_heads", m), ("context", m), ("vocab_size", m), ("positions", m),
            ("steps", t), ("batch_size", t), ("lr", t)]
    return table([k for k, _ in keys], [[d.get(k, "–") for k, d in keys]]) + \
        f'<p class="small">data: {esc(cfg.get("data", "–"))}</p>'


def loss_section(ev: Path) -> str:
    loss = _read_json(ev / "loss.json")
    if not loss:
        return _hint("no eval/loss.json — run `storylab eval RUN --loss`")
    rows = []
    for name, r in ([("validation split", loss["val"])] if "val" in loss else []) + \
            [(Path(t["path"]).name, t) for t in loss.get("texts", [])]:
        rows.append([name, f"{r['tokens']:,}", f"{r['bytes']:,}", _f(r["loss"], 4), _f(r["perplexity"], 2),
                     _f(r["bits_per_byte"], 4)])
    out = table(["text", "tokens", "bytes", "loss (nats/token)", "perplexity", "bits/byte"], rows)
    return out + f'<p class="small">checkpoint step {esc(loss.get("step"))}; every token predicted once, in ' \
                 f'non-overlapping context windows.</p>' + (_hint(loss["note"]) if loss.get("note") else "")


def suite_section(ev: Path) -> str:
    suite = _read_json(ev / "suite.json")
    parts = []
    if not suite:
        parts.append(_hint("no eval/suite.json — run `storylab eval RUN --suite`"))
    else:
        rows = []
        for s in suite["skills"]:
            verdict = "above chance" if s["ci_low"] > s["chance"] else (
                "below chance" if s["ci_high"] < s["chance"] else "at chance")
            cls = {"above chance": "good", "below chance": "bad"}.get(verdict, "")
            srcs = ", ".join(f"{k} {v['acc']:.2f}" for k, v in s.get("sources", {}).items())
            rows.append([s["skill"], s["n"], _f(s["acc"]), f"[{_f(s['ci_low'], 2)}, {_f(s['ci_high'], 2)}]",
                         _f(s["chance"]), _f(s["acc_token"]), _f(s["acc_byte"]), _f(s.get("acc_cal")),
                         Raw(f'<span class="{cls}">{verdict}</span>'), srcs])
        parts.append(table(["skill", "n", "acc", "95% CI", "chance", "acc/token", "acc/byte", "acc/cal", "",
                            "by source"], rows))
        parts.append(f'<p class="small">checkpoint step {esc(suite.get("step"))}; acc: the answer has the '
                     f'highest summed log-probability among its options; acc/token and acc/byte normalise by '
                     f'length; acc/cal subtracts each option\'s mean log-probability over its contrast group '
                     f'(the context-free prior), so only the shift the context causes counts.</p>')
        parts += [_hint(n) for n in suite.get("notes", [])]
        parts.append(img(plots.skill_bars(suite["skills"]), "accuracy per skill"))
    curves = _read_json(ev / "curves.json")
    if curves and curves.get("rows"):
        parts.append("<h3>Over training</h3>")
        parts.append(img(plots.skill_curves(curves["rows"]), "skill curves"))
        parts.append(img(plots.eval_loss_curve(curves["rows"]), "loss over checkpoints"))
    elif suite:
        parts.append(_hint("for curves over training: `storylab eval RUN --checkpoints all`"))
    return "".join(parts)


def judge_section(ev: Path) -> str:
    j = _read_json(ev / "judge.json")
    if not j:
        return _hint("no eval/judge.json — run `storylab eval RUN --judge --judge-url URL --judge-model NAME`")
    rows = [[k, _f(v["mean"], 2), f"[{_f(v['ci_low'], 2)}, {_f(v['ci_high'], 2)}]", v["n"]]
            for k, v in j["dimensions"].items()]
    out = table(["dimension", "mean", "95% CI", "n"], rows)
    out += f'<p class="small">judge {esc(j["judge_model"])}: {j["graded"]} of {j["n"]} completions graded, ' \
           f'{j["rejected"]} answers rejected, {j["failed"]} requests failed.</p>'
    if j.get("age_groups"):
        out += "<p>estimated age of the writer: " + ", ".join(
            f"{esc(AGE_GROUPS.get(k, k))}: {v}" for k, v in j["age_groups"].items()) + "</p>"
    out += img(plots.judge_bars(j["dimensions"]), "judge grades")
    if j.get("rejections"):
        out += "<details><summary>rejected answers</summary><ul>" + "".join(
            f"<li>{esc(r['id'])}: {esc(r['reason'])}</li>" for r in j["rejections"][:10]) + "</ul></details>"
    return out


def samples_section(run: Path, ev: Path, n: int = 6) -> str:
    recs = _read_jsonl(ev / "samples.jsonl")
    grades = {}
    j = _read_json(ev / "judge.json")
    if j:
        grades = {r["id"]: r for r in j.get("records", []) if r.get("ok")}
    items = []
    if recs:
        seen = set()
        for r in recs:  # one per beginning first
            if r["beginning"] in seen:
                continue
            seen.add(r["beginning"])
            g = grades.get(r["id"])
            gtxt = (" — judge: " + ", ".join(f"{k} {v:g}" for k, v in g["scores"].items())) if g else ""
            items.append(f'<div class="story"><b>{esc(r["prompt"])}</b>{esc(r["completion"])}'
                         f'<div class="small">{esc(r["id"])}{esc(gtxt)}</div></div>')
            if len(items) >= n:
                break
        settings = recs[0].get("settings", {})
        note = f'<p class="small">decoding: temperature {settings.get("temperature")}, top-k ' \
               f'{settings.get("top_k")}, top-p {settings.get("top_p")}, at most {settings.get("max_new_tokens")} ' \
               f'new tokens, seed {settings.get("seed")}; the given beginning is in bold.</p>'
        return note + "".join(items)
    other = _read_jsonl(run / "samples.jsonl")  # from `storylab sample --out` or the demo
    for r in other[:n]:
        text = r.get("text") or (r.get("prompt", "") + r.get("completion", ""))
        items.append(f'<div class="story">{esc(text)}</div>')
    return "".join(items) if items else _hint("no samples — run `storylab eval RUN --novelty` or `--judge`")


def novelty_section(ev: Path) -> str:
    nv = _read_json(ev / "novelty.json")
    if not nv:
        return _hint("no eval/novelty.json — run `storylab eval RUN --novelty`")
    rows = []
    for name, key in (("completions", "completions"), ("held-out stories", "reference")):
        a = nv.get(key)
        if a:
            rows.append([name, a["texts"], _f(a["share8"]), _f(a["share13"]), _f(a["lcs_mean"], 1),
                         _f(a["lcs_median"], 1), a["lcs_max"]])
    out = table(["texts", "n", "8-grams in training data", "13-grams in training data", "mean LCS (words)",
                 "median LCS", "max LCS"], rows)
    out += f'<p class="small">{esc(nv.get("method", ""))}; {esc(nv.get("note", ""))}</p>'
    c = nv.get("completions", {})
    out += img(plots.novelty_hist(c.get("per_text", []), (nv.get("reference") or {}).get("per_text")),
               "longest common substring")
    if c.get("longest_copy"):
        out += f'<p>longest span shared with the training data ({c["lcs_max"]} words):</p>' \
               f'<blockquote>{esc(c["longest_copy"])}</blockquote>'
    return out


def inspect_section(run: Path) -> str:
    """Results of `storylab inspect` (runs/NAME/inspect/): every figure, and each JSON's headline numbers."""
    return _generic_inspect(run / "inspect")


def _generic_inspect(d: Path) -> str:
    if not d.is_dir():
        return _hint("no inspect/ results — run `storylab inspect RUN ...`")
    parts = []
    for p in sorted(d.glob("*.png")):
        parts.append(f"<figure>{img(p.read_bytes(), p.stem)}<figcaption>{esc(p.name)}</figcaption></figure>")
    for p in sorted(d.glob("*.html")):  # pages of their own (e.g. neuron browsers): linked, not inlined
        parts.append(f'<p><a href="inspect/{esc(p.name)}">{esc(p.name)}</a> (opens the file beside this report)</p>')
    for p in sorted(d.glob("*.json")):
        obj = _read_json(p)
        text = json.dumps(obj, indent=1, ensure_ascii=False) if obj is not None else "(unreadable JSON)"
        if len(text) > 3000:
            text = text[:3000] + "\n..."
        parts.append(f"<details><summary>{esc(p.name)}</summary><pre>{esc(text)}</pre></details>")
    if parts:
        return "".join(parts)
    subs = sorted(p.name for p in d.iterdir() if p.is_dir())  # e.g. influence/, which has its own section
    return _hint("no heads, neurons, probes or OOD results yet — run `storylab inspect RUN`"
                 + (f" (inspect/{', inspect/'.join(subs)} has its own section)" if subs else ""))


CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1000px;margin:24px auto;padding:0 16px;
color:#222;background:#fff;line-height:1.45}
h1{margin-bottom:4px}h2{border-bottom:2px solid #4c72b0;padding-bottom:3px;margin-top:32px}
table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}
th{background:#eef2f8}td:first-child,th:first-child{text-align:left}
img{max-width:100%;display:block;margin:8px 0}.hint{color:#777;font-style:italic}.small{color:#555;font-size:12px}
.good{color:#2a7a3a;font-weight:bold}.bad{color:#b03030;font-weight:bold}
.story{background:#f7f7f2;border-left:4px solid #dd8452;padding:8px 12px;margin:10px 0;white-space:pre-wrap;font-size:14px}
blockquote{background:#f4f4f4;padding:8px;border-left:3px solid #999}pre{font-size:11px;background:#f6f6f6;padding:6px}
nav a{margin-right:12px}
"""


def page(title: str, source: Path, sections: list[tuple[str, str]], intro: str = "") -> str:
    """One self-contained HTML page: a title, where it came from, a nav bar, one <section> per (title, HTML)."""
    ids = [t.lower().replace(" ", "-").replace("×", "x") for t, _ in sections]
    nav = "<nav>" + "".join(f'<a href="#{i}">{esc(t)}</a>' for i, (t, _) in zip(ids, sections)) + "</nav>"
    body = "".join(f'<section id="{i}"><h2>{esc(t)}</h2>{frag}</section>' for i, (t, frag) in zip(ids, sections))
    now = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>'
            f'<style>{CSS}</style></head><body><h1>{esc(title)}</h1>'
            f'<p class="small">{esc(Path(source).resolve())} — written {now}</p>{intro}{nav}{body}</body></html>')


@dataclass
class ReportResult:
    path: Path
    sections: list[str]

    def summary(self) -> str:
        return f"report: {self.path} ({self.path.stat().st_size / 1024:.0f} KiB, {len(self.sections)} sections)"


@locked("out", derive=lambda a: (Path(a["out"]) if a["out"] else Path(a["run"]) / "report.html") if Path(a["run"]).is_dir() else None)
def build_report(run: str | os.PathLike, out: str | os.PathLike | None = None) -> ReportResult:
    """Write ``RUN/report.html`` (or `out`): one self-contained page."""
    run = Path(run)
    if not run.is_dir():
        raise StorylabError(f"run not found: {run}")
    if not (run / "config.toml").exists() and not (run / "metrics.jsonl").exists():
        raise StorylabError(f"{run}: not a run directory (no config.toml or metrics.jsonl)")
    plots._plt()  # fail early, with one line, if matplotlib is missing
    check_tokenizer(run)
    ev = run / "eval"
    sections = [("Training", training_section(run)), ("Model", config_section(run)),
                ("Held-out loss", loss_section(ev)), ("Capabilities", suite_section(ev)),
                ("Judge", judge_section(ev)), ("Sample stories", samples_section(run, ev)),
                ("Novelty", novelty_section(ev)),
                ("Inspection", "<!-- storylab:inspect:begin -->" + (inspect_section(run) or "") +
                 "<!-- storylab:inspect:end -->"),
                ("Influence", influence_section(run))]
    for title, fn in _EXTRA_SECTIONS:
        try:
            frag = fn(run)
        except Exception as e:
            frag = _hint(f"section failed: {type(e).__name__}: {e}")
        if frag:
            sections.append((title, frag))
    out = Path(out) if out else run / "report.html"
    with atomic_write(out) as f:
        f.write(page(f"storylab report: {run.name}", run, sections))
    return ReportResult(out, [t for t, _ in sections])
