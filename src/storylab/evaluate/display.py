"""Compact terminal tables for `storylab eval` (rich)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table


def _f(x, nd=3) -> str:
    return f"{x:.{nd}f}" if isinstance(x, (int, float)) and x == x else "–"


def _verdict(s: dict) -> str:
    if s["ci_low"] > s["chance"]:
        return "[green]above[/]"
    if s["ci_high"] < s["chance"]:
        return "[red]below[/]"
    return "[dim]chance[/]"


def print_summary(summary: dict, console: Console | None = None) -> None:
    console = console or Console()
    title = f"{summary['run']} @ step {summary.get('step')}"
    loss = summary.get("loss") or {}
    lines = []
    if "val" in loss:
        v = loss["val"]
        lines.append(f"val: loss {_f(v['loss'], 4)}  ppl {_f(v['perplexity'], 2)}  {_f(v['bits_per_byte'], 4)} bits/byte"
                     f"  ({v['tokens']:,} tokens)")
    for t in loss.get("texts", []):
        lines.append(f"{t['path']}: loss {_f(t['loss'], 4)}  ppl {_f(t['perplexity'], 2)}  "
                     f"{_f(t['bits_per_byte'], 4)} bits/byte  ({t['tokens']:,} tokens)")
    console.print(f"[bold]{escape(title)}[/]")  # a run name may hold "[/]"
    for l in lines:
        console.print("  " + l, highlight=False)
    if summary.get("skills"):
        t = Table(box=None, pad_edge=False, header_style="bold")
        for c, j in (("skill", "left"), ("n", "right"), ("acc", "right"), ("95% CI", "right"), ("chance", "right"),
                     ("acc/tok", "right"), ("acc/byte", "right"), ("acc/cal", "right"), ("", "left")):
            t.add_column(c, justify=j)
        for s in summary["skills"]:
            t.add_row(s["skill"], str(s["n"]), _f(s["acc"]), f"{_f(s['ci_low'], 2)}–{_f(s['ci_high'], 2)}",
                      _f(s["chance"]), _f(s["acc_token"]), _f(s["acc_byte"]), _f(s.get("acc_cal")), _verdict(s))
        console.print(t)
        for n in summary.get("suite_notes", []):
            console.print(f"  [dim]{escape(n)}[/]", highlight=False)
    j = summary.get("judge")
    if j:
        dims = "  ".join(f"{k} {_f(v['mean'], 1)} [{_f(v['ci_low'], 1)}–{_f(v['ci_high'], 1)}]"
                         for k, v in j["dimensions"].items() if v["n"])
        reps = j.get("repeats", 1)
        console.print(f"  judge ({j['judge_model']}): {dims or 'no grades'}  — {j['graded']}/{j['n']} graded"
                      f"{f' x{reps} repeats' if reps > 1 else ''}, {j['rejected']} rejected, {j['failed']} failed, "
                      f"{j['cached']} cached, {j['requests']} requests  [95% CI: normal approx., clustered by "
                      f"beginning]", highlight=False)
        if j.get("reliability"):
            console.print("  judge repeats: " + "  ".join(
                f"{k} sd {_f(v['sd_within'], 2)} alpha {_f(v['alpha'], 2)} rho {_f(v['spearman'], 2)}"
                for k, v in j["reliability"].items()) + "  (sd: mean spread across repeats; alpha: Krippendorff, "
                "interval; rho: mean pairwise Spearman)", highlight=False)
    nv = summary.get("novelty")
    if nv:
        c = nv["completions"]
        ref = nv.get("reference")
        extra = (f"  (held-out stories: {_f(ref['share8'], 2)} / {_f(ref['share13'], 2)}, LCS max "
                 f"{ref['lcs_max']})") if ref else ""
        ag = nv.get("against") or {}
        where = ("training data" if ag.get("own", True) else
                 f"the training data of run {ag['path']}" if ag.get("kind") == "run" else
                 f"{ag['path']} ({ag['kind']}, {ag.get('stories')} stories)" if ag.get("kind") not in (None, "run")
                 else "training data")
        console.print(f"  novelty: 8-grams in {where} {_f(c['share8'], 2)}, 13-grams {_f(c['share13'], 2)}, "
                      f"longest copy {c['lcs_max']} words (median {_f(c['lcs_median'], 0)}){extra}", highlight=False)


def print_comparison(summaries: list[dict], console: Console | None = None) -> None:
    """Runs side by side: one column per run, one row per measure."""
    console = console or Console()
    t = Table(header_style="bold", box=None)
    t.add_column("")
    for s in summaries:
        t.add_column(f"{escape(s['run'])}\n@{s.get('step')}", justify="right")

    def row(label, get):
        vals = []
        for s in summaries:
            try:
                vals.append(get(s))
            except (KeyError, TypeError, IndexError):
                vals.append("–")
        if any(v != "–" for v in vals):
            t.add_row(label, *vals)

    row("val loss", lambda s: _f(s["loss"]["val"]["loss"], 4))
    row("val bits/byte", lambda s: _f(s["loss"]["val"]["bits_per_byte"], 4))
    texts = []
    for s in summaries:
        for x in (s.get("loss") or {}).get("texts", []):
            if x["path"] not in texts:
                texts.append(x["path"])
    for p in texts:
        row(f"{escape(p)} bpb", lambda s, p=p: _f(next(x for x in s["loss"]["texts"] if x["path"] == p)["bits_per_byte"], 4))
    skills = []
    for s in summaries:
        for k in s.get("skills", []):
            if k["skill"] not in skills:
                skills.append(k["skill"])
    for name in skills:
        def get(s, name=name):
            k = next(x for x in s["skills"] if x["skill"] == name)
            mark = "+" if k["ci_low"] > k["chance"] else ("-" if k["ci_high"] < k["chance"] else " ")
            return f"{_f(k['acc'], 2)}{mark} (ch {_f(k['chance'], 2)})"
        row(name, get)
    for d in ("grammar", "creativity", "consistency", "plot"):
        row(f"judge {d}", lambda s, d=d: _f(s["judge"]["dimensions"][d]["mean"], 2))
    row("novelty 8-gram share", lambda s: _f(s["novelty"]["completions"]["share8"], 2))
    row("longest copy (words)", lambda s: str(s["novelty"]["completions"]["lcs_max"]))
    console.print(t)
    console.print("[dim]+ / -: 95% interval above / below chance[/]")


def print_judge_difference(name_a: str, name_b: str, diff: dict, console: Console | None = None) -> None:
    """Judge grades of run A minus run B, per dimension, with the 95% interval."""
    console = console or Console()
    if not diff.get("dimensions") or all(v["n"] == 0 for v in diff["dimensions"].values()):
        console.print(f"judge: no graded completions to compare between {name_a} and {name_b}", highlight=False)
        return
    t = Table(header_style="bold", box=None, title=f"judge: {name_a} minus {name_b}", title_justify="left")
    for c in ("dimension", "difference", "95% CI", "n", ""):
        t.add_column(c, justify="left" if c == "dimension" else "right")
    for d, v in diff["dimensions"].items():
        mark = "[green]A better[/]" if v["ci_low"] > 0 else ("[red]B better[/]" if v["ci_high"] < 0 else "[dim]no clear difference[/]")
        t.add_row(d, f"{v['diff']:+.2f}", f"[{_f(v['ci_low'], 2)}, {_f(v['ci_high'], 2)}]", str(v["n"]), mark)
    console.print(t)
    console.print(f"[dim]{diff['method']}; {diff['pairs']} pairs[/]", highlight=False)
    for n in diff.get("notes", []):
        console.print(f"[yellow]note:[/] {n}", highlight=False)
