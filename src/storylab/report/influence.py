"""The "Influence" section of `storylab report`: results of `storylab influence` (RUN/inspect/influence/*.json).

Reads only the JSON files `storylab influence` wrote, so the report needs neither torch
nor kronfluence for it.
"""

from __future__ import annotations

import html
import json
from pathlib import Path


MAX_FILES = 12


def _esc(x) -> str:
    return html.escape(str(x), quote=True)


def _context(c: str) -> str:
    """Token context with the [[token]] marker shown bold."""
    pre, _, rest = c.partition("[[")
    tok, _, post = rest.partition("]]")
    return f"{_esc(pre)}<b>{_esc(tok)}</b>{_esc(post)}"


def influence_section(run: Path) -> str:
    d = Path(run) / "inspect" / "influence"
    files = sorted(d.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)[:MAX_FILES] if d.is_dir() else []
    if not files:
        return ('<p class="hint">no influence results — run `storylab influence RUN --prompt P --completion C`</p>')
    parts = []
    for p in files:
        try:
            r = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError, UnicodeDecodeError):
            parts.append(f'<p class="hint">{_esc(p.name)}: unreadable</p>')
            continue
        info = r.get("info") or {}
        cache = f", factors {info['factors']}" if "factors" in info else ""
        parts.append(f"<h3>{_esc(r.get('method'))}: {_esc(p.name)}</h3><p class='small'>{r.get('n_stories', 0):,} "
                     f"training stories, checkpoint step {_esc(info.get('step'))}, {r.get('seconds', 0):.1f}s, "
                     f"peak {r.get('peak_mb', 0):.0f} MB{_esc(cache)}</p>")
        for q in r.get("queries", []):
            planted = "".join(f"<p>planted <b>{_esc(x['word'])}</b>: precision@{x['k']} = "
                              f"<b>{x['precision_at_k']:.2f}</b></p>" for x in q.get("planted") or [])
            rows = "".join(
                f"<tr><td>{t['rank']}</td><td>{_esc(t['id'])}{' (planted: ' + _esc(t['planted']) + ')' if t.get('planted') else ''}"
                f"</td><td>{t['score']:.4g}</td><td style='text-align:left'>"
                + "<br>".join(f"{_context(k['context'])} <span class='small'>({k['score']:.3g})</span>"
                              for k in t.get("tokens", [])[:3]) + "</td></tr>"
                for t in q.get("top", [])[:10])
            parts.append(f"<p><b>{_esc(q['prompt'])}</b>&rarr;<b>{_esc(q['completion'])}</b> "
                         f"(log p = {q.get('logp', float('nan')):.3f})</p>{planted}"
                         f"<table><thead><tr><th>rank</th><th>story</th><th>influence</th>"
                         f"<th>tokens that contribute most</th></tr></thead><tbody>{rows}</tbody></table>")
    return "".join(parts)
