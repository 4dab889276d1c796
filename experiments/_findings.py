"""Each experiment owns one section of docs/findings.md, replaced whole when it reruns.

A section sits between ``<!-- finding:NAME -->`` and ``<!-- /finding:NAME -->``, so
experiments can run in any order and rerunning one never touches another's verdict.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FINDINGS = ROOT / "docs" / "findings.md"
FIGURES = ROOT / "docs" / "figures"
HEADER = """# Findings

Each section is written by one script in `experiments/` (its name is in the section) and
states the claim and its source, storylab's numbers and figure, and a verdict:
**reproduced**, **partly** or **not**, with why. Rerun a script to replace its section.
"""


def write_finding(name: str, markdown: str) -> Path:
    """Replace (or append) the section `name` of docs/findings.md with `markdown`."""
    text = FINDINGS.read_text(encoding="utf-8") if FINDINGS.exists() else HEADER
    block = f"<!-- finding:{name} -->\n{markdown.strip()}\n<!-- /finding:{name} -->"
    pattern = re.compile(rf"<!-- finding:{re.escape(name)} -->.*?<!-- /finding:{re.escape(name)} -->", re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block + "\n"
    FINDINGS.parent.mkdir(parents=True, exist_ok=True)
    tmp = FINDINGS.with_suffix(".md.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(FINDINGS)
    return FINDINGS


def figure_path(name: str) -> Path:
    """Where an experiment saves its figure (linked from findings.md as figures/NAME)."""
    FIGURES.mkdir(parents=True, exist_ok=True)
    return FIGURES / name
