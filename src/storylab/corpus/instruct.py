"""The TinyStories-Instruct layout: fields ``Summary:``, ``Words:``, ``Features:``,
``Random sentence:`` in a random order and subset, always ending with ``Story:``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from storylab.errors import StorylabError

INSTRUCT_FIELDS = ("Summary", "Words", "Features", "Random sentence")
FIELD_KEYS = {"Summary": "summary", "Words": "words", "Features": "features", "Random sentence": "random_sentence",
               "Story": "story"}
_FIELD_LINE = re.compile(r"^(Summary|Words|Features|Random sentence|Story):[ \t]?", re.MULTILINE)


@dataclass
class InstructFields:
    """The parts of a TinyStories-Instruct text. `order` lists the field names present,
    in order, ending with "Story"."""

    story: str
    summary: str | None = None
    words: list[str] | None = None
    features: list[str] | None = None
    random_sentence: str | None = None
    order: list[str] = field(default_factory=lambda: ["Story"])


def format_instruct(f: InstructFields) -> str:
    """Render fields as ``Name: value`` lines, in `f.order`, ending with ``Story: ...``."""
    lines = []
    for name in f.order:
        if name == "Story":
            continue
        value = getattr(f, FIELD_KEYS[name])
        if value is None:
            raise StorylabError(f"instruct field {name!r} is in the order but has no value")
        lines.append(f"{name}: {', '.join(value) if isinstance(value, list) else value}")
    lines.append(f"Story: {f.story}")
    return "\n".join(lines)


def parse_instruct(text: str) -> InstructFields:
    """Split a TinyStories-Instruct text into its fields (inverse of `format_instruct`).

    The story is everything after the ``Story:`` label (a blank line after the label,
    as in the released files, is allowed); other fields may not follow it.
    """
    matches = list(_FIELD_LINE.finditer(text))
    if not matches or all(m.group(1) != "Story" for m in matches):
        raise StorylabError(f"not a TinyStories-Instruct text (no 'Story:' line): {text[:60]!r}")
    if text[:matches[0].start()].strip():
        raise StorylabError(f"instruct text has content before its first field: {text[:60]!r}")
    values: dict[str, str] = {}
    order: list[str] = []
    for m, nxt in zip(matches, matches[1:] + [None]):
        name = m.group(1)
        if name == "Story":
            values["Story"] = text[m.end():]
            order.append(name)
            break
        if name in values:
            raise StorylabError(f"instruct text has field {name!r} twice: {text[:60]!r}")
        values[name] = text[m.end():nxt.start() if nxt else len(text)].rstrip("\n")
        order.append(name)
    story = values["Story"]
    if story.startswith("\n"):
        story = story.lstrip("\n")
    split = lambda v: [x.strip() for x in v.split(",") if x.strip()] if v is not None else None
    return InstructFields(story=story, summary=values.get("Summary"), words=split(values.get("Words")),
                          features=split(values.get("Features")), random_sentence=values.get("Random sentence"),
                          order=order)
