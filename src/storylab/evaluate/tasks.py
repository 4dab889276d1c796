"""Capability tasks as data: JSONL files of items, a registry, and a checked loader.

One item per line::

    {"id": "agree-001", "skill": "grammar", "subskill": "agreement",
     "prompt": "Every morning the two dogs", "answer": " run", "distractors": [" runs"],
     "source": "handwritten"}

- ``prompt`` is the text before the continuation; ``answer`` the continuation the model
  should prefer over each of ``distractors`` (at least one). Whitespace between them
  may sit at either end (a prompt's trailing spaces move to the continuations before
  tokenizing, so "an " + "apple" and "an" + " apple" score the same).
- ``skill`` names the row of the skill table; ``subskill`` is optional detail.
- ``source`` says where the item comes from (``handwritten``, ``world:seed=...``).
- ``group`` (optional) names a *contrast group*: items with the same options, each
  option the answer of one item, the context deciding which (see `suite` for the
  calibrated accuracy this allows).
- ``type`` is ``choice`` (default, scored by log-probability) or ``words``: an
  instruction-following item for Instruct-format models, with ``words`` (required
  words) instead of answer/distractors; the model writes a story after ``prompt`` and
  the item passes when every word (or an inflection of it) appears.

The registry is every ``*.jsonl`` in this package's ``tasks/`` directory, plus any
file or directory a user passes. A malformed line is a `StorylabError` naming the file
and line.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from storylab.errors import StorylabError
from storylab.io import atomic_write

TASK_DIR = Path(__file__).resolve().parent / "tasks"
TYPES = ("choice", "words")
# the order of rows in skill tables (others follow alphabetically)
SKILL_ORDER = ("grammar", "everyday_fact", "exclusion", "negation", "entity_tracking", "counting", "space",
               "time_order", "main_character", "instruction")


@dataclass
class Item:
    id: str
    skill: str
    prompt: str
    answer: str = ""
    distractors: list[str] = field(default_factory=list)
    source: str = ""
    subskill: str = ""
    type: str = "choice"
    words: list[str] = field(default_factory=list)
    group: str = ""
    origin: str = ""  # file:line it was read from

    @property
    def options(self) -> list[str]:
        return [self.answer] + list(self.distractors)

    @property
    def chance(self) -> float:
        return 1.0 / (1 + len(self.distractors))

    def as_dict(self) -> dict:
        d = {"id": self.id, "skill": self.skill, "prompt": self.prompt, "source": self.source}
        if self.subskill:
            d["subskill"] = self.subskill
        if self.group:
            d["group"] = self.group
        if self.type == "words":
            d.update(type="words", words=list(self.words))
        else:
            d.update(answer=self.answer, distractors=list(self.distractors))
        return d


def _bad(where: str, msg: str):
    raise StorylabError(f"{where}: {msg}")


def parse_item(obj: dict, where: str, default_id: str) -> Item:
    """Check one decoded line against the schema above."""
    def text(key, required=True):
        v = obj.get(key)
        if v is None:
            if required:
                _bad(where, f"missing field {key!r}")
            return ""
        if not isinstance(v, str):
            _bad(where, f"field {key!r} must be a string")
        return v

    kind = obj.get("type", "choice")
    if kind not in TYPES:
        _bad(where, f"type must be one of {', '.join(TYPES)}, got {kind!r}")
    skill = text("skill").strip()
    if not skill:
        _bad(where, "field 'skill' is empty")
    prompt = text("prompt")
    source = text("source")
    item = Item(id=str(obj.get("id") or default_id), skill=skill, prompt=prompt, source=source,
                subskill=text("subskill", False), type=kind, group=text("group", False), origin=where)
    if kind == "words":
        words = obj.get("words")
        if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
            _bad(where, "field 'words' must be a non-empty list of words")
        item.words = [w.strip() for w in words]
        return item
    if not prompt.strip():
        _bad(where, "field 'prompt' is empty")
    answer = text("answer")
    if not answer.strip():
        _bad(where, "field 'answer' is empty")
    ds = obj.get("distractors")
    if not isinstance(ds, list) or not ds:
        _bad(where, "field 'distractors' must be a non-empty list of strings")
    for d in ds:
        if not isinstance(d, str) or not d.strip():
            _bad(where, "every distractor must be a non-empty string")
    if any(d.strip() == answer.strip() for d in ds):
        _bad(where, f"a distractor equals the answer {answer.strip()!r}")
    if len({d.strip() for d in ds}) != len(ds):
        _bad(where, "duplicate distractors")
    item.answer, item.distractors = answer, list(ds)
    return item


def read_task_file(path: str | os.PathLike) -> list[Item]:
    path = Path(path)
    if not path.exists():
        raise StorylabError(f"task file not found: {path}")
    items: list[Item] = []
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, 1):
            where = f"{path}:{lineno}"
            if not raw.strip() or raw.lstrip().startswith(b"//"):
                continue
            try:
                obj = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                _bad(where, "not valid UTF-8")
            except json.JSONDecodeError as e:
                _bad(where, f"invalid JSON ({e.msg} at column {e.colno})")
            if not isinstance(obj, dict):
                _bad(where, "expected a JSON object")
            items.append(parse_item(obj, where, f"{path.stem}:{lineno}"))
    return items


def task_files(paths: list[str | os.PathLike] | None = None, builtin: bool = True) -> list[Path]:
    """The built-in task files, then each given file or every *.jsonl in each given directory."""
    files = sorted(TASK_DIR.glob("*.jsonl")) if builtin else []
    for p in paths or []:
        p = Path(p)
        if p.is_dir():
            found = sorted(p.glob("*.jsonl"))
            if not found:
                raise StorylabError(f"{p}: no *.jsonl task files in this directory")
            files += found
        elif p.exists():
            files.append(p)
        else:
            raise StorylabError(f"task file or directory not found: {p}")
    return files


def load_tasks(paths: list[str | os.PathLike] | None = None, builtin: bool = True,
               skills: list[str] | None = None, sources: list[str] | None = None) -> list[Item]:
    """All items of the registry (see module docstring), optionally filtered.

    `sources` keeps items whose source starts with one of the given prefixes
    (``handwritten``, ``world``)."""
    items: list[Item] = []
    seen: dict[str, str] = {}
    for f in task_files(paths, builtin):
        for it in read_task_file(f):
            if it.id in seen:
                raise StorylabError(f"{it.origin}: duplicate item id {it.id!r} (first at {seen[it.id]})")
            seen[it.id] = it.origin
            items.append(it)
    if skills:
        want = set(skills)
        unknown = want - {it.skill for it in items}
        if unknown:
            raise StorylabError(f"no task items for skill(s) {', '.join(sorted(unknown))}; "
                                f"have {', '.join(sort_skills({it.skill for it in items}))}")
        items = [it for it in items if it.skill in want]
    if sources:
        items = [it for it in items if any(it.source.startswith(s) for s in sources)]
    if not items:
        raise StorylabError("no task items to evaluate")
    return items


def sort_skills(skills) -> list[str]:
    order = {s: i for i, s in enumerate(SKILL_ORDER)}
    return sorted(set(skills), key=lambda s: (order.get(s, len(order)), s))


def write_items(path: str | os.PathLike, items: list[Item | dict]) -> int:
    with atomic_write(path) as f:
        for it in items:
            d = it.as_dict() if isinstance(it, Item) else it
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    return len(items)
