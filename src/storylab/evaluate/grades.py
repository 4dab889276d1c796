"""Reading grades out of what a judge model actually wrote.

Real judges (GPT-4-class models, Llama and Qwen behind vLLM, Ollama, llama.cpp) do not
all answer in the format they were asked for. `parse_grades` reads a grade for each of
the four dimensions wherever it is:

- the TinyStories paper's line, ``Grammar: 8/10, Creativity: 6/10, Consistency: 7/10,
  Plot: 6/10. Age group: B (4-5).``, on one line or spread over several;
- ``8/10``, ``8 out of 10``, ``8``, ``8.5``, after ``:``, ``-``, ``=`` or a table's ``|``,
  with markdown (``**Grammar**: 8``, ``- Grammar - 8``, ``1. Grammar (1-10): 8``);
- a markdown table, either one row per dimension or one column per dimension;
- a JSON object, bare or in a fenced block, flat (``{"grammar": 8}``), nested
  (``{"scores": {"grammar": {"score": 8}}}``) or a list of ``{"dimension", "score"}``;
- prose: ``I'd rate the grammar 8/10``, ``8/10 for grammar`` (an explicit ``/10`` is
  needed there), or a dimension heading followed by a ``Score: 8/10`` line;
- after a ``<think>...</think>`` block (reasoning models), whose tentative grades are
  used only when nothing follows it.

Every grade found is an *event* at a position in the answer; for each dimension the
**last** numeric event wins (so a restated rubric or an example before the real grades
is overridden by them). Placeholders (``Grammar: X/10``, ``[score]``, ``<1-10>``, ``N/10``)
and scale anchors (``1 = poor, 10 = excellent``, ``1-10``) are not numbers and are never
read as grades. An answer is rejected, with its reason, only when a dimension is really
absent, its last grade is out of 1..10 or on another scale (``4/5``), or the judge refused.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field

DIMENSIONS = ("grammar", "creativity", "consistency", "plot")
AGE_GROUPS = {"A": "3 or under", "B": "4-5", "C": "6-7", "D": "8-9", "E": "10-12", "F": "13-16"}
_AGE_RANGES = ((0, 3), (4, 5), (6, 7), (8, 9), (10, 12), (13, 16))


@dataclass
class Grades:
    ok: bool
    scores: dict = field(default_factory=dict)   # dimension -> float in [1, 10]
    age_group: str | None = None
    reason: str = ""                             # why an answer was rejected


# --- names -------------------------------------------------------------------------------------

_NAME = (r"(?<![a-z])(?P<name>grammar|grammatical(?:ity)?|creativity|creative|originality|consistency|consistent|"
         r"coherence|plot|age(?:[ \t_-]*group)?)(?![a-z])")
_ANY_DIM = re.compile(r"(?<![a-z])(?:grammar|grammatical|creativity|creative|originality|consistency|consistent|"
                      r"coherence|plot)(?![a-z])")


def dimension_of(name: str) -> str | None:
    """'Grammar score', 'grammatical_correctness', 'Coherence', 'age group' -> a dimension or 'age_group'."""
    n = str(name).strip().lower()
    if re.match(r"(?:estimated[ _-]*)?age(?![a-z])", n):
        return "age_group"
    for key, dim in (("gramma", "grammar"), ("creativ", "creativity"), ("original", "creativity"),
                     ("consisten", "consistency"), ("coheren", "consistency"), ("plot", "plot")):
        if re.match(r"(?:[a-z]+[ _-])?" + key, n):  # also 'story_plot', 'overall grammar'? one word before at most
            return dim
    return None


# --- events ------------------------------------------------------------------------------------


@dataclass
class _Event:
    pos: tuple            # order in the answer
    dim: str
    value: float | None   # None: there, but not a number (a placeholder or a word)
    den: float | None = None
    raw: str = ""


_FILLER = (r"(?:(?:a|an|about|around|roughly|approximately|solid|strong|score\s+of|rating\s+of|grade\s+of|rated|"
           r"is|it's|it\s+is|i'd\s+give(?:\s+it|\s+this)?|i\s+would\s+give(?:\s+it|\s+this)?|"
           r"i\s+give(?:\s+it|\s+this)?)[^\S\n]+)*")
_NUMBER = r"(?P<value>\d+(?:\.\d+)?)(?:[^\S\n]*(?:/|out\s+of)[^\S\n]*(?P<den>\d+(?:\.\d+)?))?"
# Grammar score (1-10) with the beginning : 8/10
_LABELLED = re.compile(
    _NAME + r"(?:[^\S\n]*(?:/|&|and)[^\S\n]*[a-z]+)?"          # Creativity/Originality
    r"(?:[^\S\n]+(?:score|rating|grade|points|estimate))?"      # Grammar score
    r"(?:[^\S\n]+with[^\n:|=\d]{0,40}?)?"                      # Consistency with the beginning
    r"(?:[^\S\n]*[(\[][^)\]\n]{0,40}[)\]])?"                    # (1-10), [out of 10]
    r"[^\S\n]*(?::|=|-|–|—|\|)[^\S\n]*" + _FILLER + _NUMBER)
# I'd rate the grammar at 8/10 -- an explicit scale is needed in prose
_PROSE = re.compile(_NAME + r"(?P<gap>[^\n.\d]{0,60}?)" + r"(?P<value>\d+(?:\.\d+)?)[^\S\n]*(?:/|out\s+of)[^\S\n]*"
                    r"(?P<den>\d+(?:\.\d+)?)")
# 8/10 for grammar
_PROSE_AFTER = re.compile(r"(?P<value>\d+(?:\.\d+)?)[^\S\n]*(?:/|out\s+of)[^\S\n]*(?P<den>\d+(?:\.\d+)?)[^\S\n]+"
                          r"(?:for|on|in)[^\S\n]+(?:the[^\S\n]+|its[^\S\n]+|their[^\S\n]+)?" + _NAME)
# a dimension heading, then 'Score: 8/10' on a line of its own
_HEADING = re.compile(r"(?m)^[^\S\n]*(?:[#>\-+•]+[^\S\n]*|\d+[.)][^\S\n]*)*" + _NAME)
_SCORE_LINE = re.compile(r"(?m)(?:^|(?<=[.!?])[^\S\n]+)[^\S\n]*(?:[>\-+•]+[^\S\n]*)?(?:score|rating|grade|mark)[^\S\n]*(?::|=|-|–)"
                         r"[^\S\n]*" + _NUMBER)
_AGE_LABEL = re.compile(r"(?<![a-z])(?:estimated[^\S\n]+)?age(?:[ \t_-]*group)?(?:[^\S\n]+(?:estimate|guess))?"
                        r"(?:[^\S\n]*\([^)\n]{0,20}\))?[^\S\n]*(?::|=|-|–|—|\||\bis\b)[^\S\n]*(?P<val>[^\n,;|]{1,40})"
                        r"|(?<![a-z])age[ \t_-]*group[^\S\n]+(?P<letter>[a-f]\b(?:[^\S\n]*\([^)\n]{0,10}\))?)"  # in age group C
                        r"|^[^\S\n]*[#>\-]*[^\S\n]*age(?:[ \t_-]*group)?[^\S\n]*:?[^\S\n]*\n[^\S\n]*(?P<next>[^\n]{1,40})", re.M)
# a placeholder where a grade should be: 'Grammar: X/10', '[score]', '<1-10>', 'N/10', '__/10'
_PLACEHOLDER = re.compile(_NAME + r"[^\S\n]*(?::|=|-|–|—|\|)[^\S\n]*(?P<ph>[a-z]|\[[^\]\n]{0,15}\]|<[^>\n]{0,15}>|_+|\?+|\.\.\.)"
                          r"(?=[^\S\n]*(?:/[^\S\n]*10|out of 10|[,.;)|\n]|$))")
_DIM_AFTER = re.compile(r"[^\S\n]+(?:for|on|in)[^\S\n]+(?:the[^\S\n]+|its[^\S\n]+)?" + _ANY_DIM.pattern)
# what may not follow a bare number for it to be a grade: a range or an anchor ('1-10', '1 (poor) to 10',
# '1 = poor'), a word ('2 characters'), a percent
# ('8 The sentences...' is a grade: a new sentence; '2 characters' is not)
_NOT_A_GRADE_AFTER = re.compile(r"(?i:[^\S\n]*(?:\([^)\n]*\)[^\S\n]*)?(?:-|–|to\b)[^\S\n]*\d)|[^\S\n]*[a-z%=]")
_REFUSAL = re.compile(r"\b(?:i'm sorry|i am sorry|i apologi[sz]e|i can(?:no|')t (?:help|grade|evaluate|assist|"
                      r"provide|do)|i am unable|i'm unable|i won't|i will not|as an ai\b|not able to (?:grade|"
                      r"evaluate))", re.I)


def _clean(text: str) -> str:
    """Markdown emphasis and code marks removed (positions shift; order is kept)."""
    return re.sub(r"\*+|__+|`+", "", text).replace("\u2019", "'")


def _bare_ok(text: str, end: int, den) -> bool:
    if den is not None:
        return True
    tail = text[end:end + 40]
    if re.match(r"[^\S\n]*points?\b", tail):
        return True
    return not _NOT_A_GRADE_AFTER.match(tail)


def _num_event(pos, dim, m, cased) -> _Event | None:
    den = m.group("den")
    if not _bare_ok(cased, m.end(), den):
        return None
    return _Event(pos, dim, float(m.group("value")), float(den) if den else None, m.group(0)[-30:])


def _text_events(text: str) -> list[_Event]:
    cased = _clean(text)
    low = cased.lower()  # the same length: positions agree
    events: list[_Event] = []
    for m in _LABELLED.finditer(low):
        dim = dimension_of(m.group("name"))
        if dim and dim != "age_group":
            e = _num_event((m.start("value"), 0), dim, m, cased)
            if e:
                events.append(e)
    for rx in (_PROSE, _PROSE_AFTER):
        for m in rx.finditer(low):
            dim = dimension_of(m.group("name"))
            if not dim or dim == "age_group" or ("gap" in m.groupdict() and _ANY_DIM.search(m.group("gap"))):
                continue
            if rx is _PROSE and _DIM_AFTER.match(low, m.end()):  # '7/10 for creativity' is not grammar's
                continue
            events.append(_Event((m.start("value"), 1), dim, float(m.group("value")), float(m.group("den")),
                                 m.group(0)[-30:]))
    heads = [(m.start(), dimension_of(m.group("name"))) for m in _HEADING.finditer(low)]
    for m in _SCORE_LINE.finditer(low):
        before = [d for p, d in heads if p < m.start()]
        if before and before[-1] not in (None, "age_group"):
            e = _num_event((m.start("value"), 2), before[-1], m, cased)
            if e:
                events.append(e)
    events += _table_events(low)
    for m in _PLACEHOLDER.finditer(low):
        dim = dimension_of(m.group("name"))
        if dim and dim != "age_group":
            events.append(_Event((m.start("ph"), 0), dim, None, None, low[m.start("ph"):m.end("ph") + 3].strip()))
    for m in _AGE_LABEL.finditer(low):
        g = next(k for k in ("val", "letter", "next") if m.group(k) is not None)
        events.append(_Event((m.start(g), 0), "age_group", None, None, m.group(g).strip()))
    return events


def _table_events(low: str) -> list[_Event]:
    """A markdown table with one column per dimension: the header names them, a later row grades."""
    events = []
    lines = low.split("\n")
    offset = 0
    header: list | None = None
    for line in lines:
        s = line.strip()
        if s.startswith("|") and s.count("|") >= 3:
            cells = [c.strip() for c in s.strip("|").split("|")]
            if header is None:
                dims = [dimension_of(re.sub(r"\s*[(\[].*", "", c)) if len(c) < 40 else None for c in cells]
                if sum(d in DIMENSIONS for d in dims) >= 2:
                    header = dims
            elif not all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
                for k, (dim, c) in enumerate(zip(header, cells)):
                    m = re.fullmatch(_NUMBER, c)
                    if dim == "age_group" and c:
                        events.append(_Event((offset + line.find(c), k), dim, None, None, c))
                    elif dim in DIMENSIONS and m:
                        events.append(_Event((offset + line.find(c), k), dim, float(m.group("value")),
                                             float(m.group("den")) if m.group("den") else None, c))
        else:
            header = None
        offset += len(line) + 1
    return events


# --- JSON --------------------------------------------------------------------------------------


def _json_objects(text: str):
    """(position, object) for each top-level JSON object or array of objects in `text`, leniently."""
    i = 0
    dec = json.JSONDecoder()
    while True:
        starts = [p for p in (text.find("{", i), text.find("[{", i)) if p >= 0]
        if not starts:
            return
        s = min(starts)
        try:
            obj, end = dec.raw_decode(text, s)
        except json.JSONDecodeError:
            obj, end = _lenient(text, s)
        if obj is None:
            i = s + 1
            continue
        yield s, obj
        i = end


def _lenient(text: str, s: int):
    """Single quotes, trailing commas, comments: what small local models write for 'JSON'."""
    depth, j = 0, s
    opener = text[s]
    closer = "}" if opener == "{" else "]"
    while j < len(text):
        if text[j] == opener:
            depth += 1
        elif text[j] == closer:
            depth -= 1
            if depth == 0:
                break
        j += 1
    if depth != 0:
        return None, s + 1
    chunk = text[s:j + 1]
    chunk = re.sub(r"//[^\n]*", "", chunk)
    chunk = re.sub(r",\s*([}\]])", r"\1", chunk)
    if "'" in chunk and '"' not in chunk:
        chunk = chunk.replace("'", '"')
    chunk = re.sub(r"([{,]\s*)([A-Za-z_][A-Za-z_ ]*)(\s*:)", r'\1"\2"\3', chunk)  # unquoted keys
    try:
        return json.loads(chunk), j + 1
    except json.JSONDecodeError:
        return None, s + 1


def _json_events(pos: int, obj, out: list, depth: int = 0) -> None:
    if depth > 6:
        return
    if isinstance(obj, list):
        for x in obj:
            _json_events(pos, x, out, depth + 1)
        return
    if not isinstance(obj, dict):
        return
    label = next((obj[k] for k in ("dimension", "criterion", "category", "name", "aspect") if k in obj), None)
    if isinstance(label, str) and dimension_of(label):
        v = next((obj[k] for k in ("score", "grade", "rating", "value") if k in obj), None)
        out.append(_value_event((pos, len(out)), dimension_of(label), v))
    for k, v in obj.items():
        dim = dimension_of(k)
        if dim:
            if isinstance(v, dict):
                v = next((v[x] for x in ("score", "grade", "rating", "value", "group", "letter") if x in v), None)
            out.append(_value_event((pos, len(out)), dim, v))
        elif isinstance(v, (dict, list)):
            _json_events(pos, v, out, depth + 1)


def _value_event(pos, dim, v) -> _Event:
    if dim == "age_group":
        return _Event(pos, dim, None, None, str(v) if v is not None else "")
    if isinstance(v, bool) or v is None:
        return _Event(pos, dim, None, None, str(v))
    if isinstance(v, (int, float)):
        return _Event(pos, dim, float(v), None, str(v))
    s = str(v).strip().lower()
    m = re.match(_NUMBER + r"\s*$", s) or re.match(_NUMBER + r"(?![\d.])", s)
    if m and _bare_ok(s, m.end(), m.group("den")):
        return _Event(pos, dim, float(m.group("value")), float(m.group("den")) if m.group("den") else None, s)
    return _Event(pos, dim, None, None, s)


# --- age ---------------------------------------------------------------------------------------


def age_letter(value) -> str | None:
    """'B', '(B)', 'B (4-5)', 'Group C', '6-7', 'about 8', 5 -> a letter A..F; placeholders -> None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        nums = [int(value)]
    else:
        v = re.sub(r"\*+|`+", "", str(value)).strip().strip("\"'.").strip()
        m = re.match(r"(?i)^(?:group\s+|option\s+)?\(?([a-f])\)?(?![a-z])(?![^\S\n]*[-/–,][^\S\n]*[a-f]\b)", v)
        if m:
            return m.group(1).upper()
        if re.match(r"^[\[<{]", v):
            return None
        nums = [int(x) for x in re.findall(r"\d+", v)[:1]]
    for n in nums:
        for g, (lo, hi) in zip("ABCDEF", _AGE_RANGES):
            if lo <= n <= hi:
                return g
    return None


# --- the parser --------------------------------------------------------------------------------


def _events(text: str) -> list[_Event]:
    events: list[_Event] = []
    for pos, obj in _json_objects(text):
        _json_events(pos, obj, events)
    # JSON positions are in the raw text, the others in the cleaned text: both keep order
    # (cleaning only removes characters), but the offsets differ; map raw -> cleaned
    if events:
        shift = _position_map(text)
        for e in events:
            e.pos = (shift(e.pos[0]), 3, e.pos[1])
    events += _text_events(text)
    return sorted(events, key=lambda e: e.pos)


def _position_map(text: str):
    removed = [m.span() for m in re.finditer(r"\*+|__+|`+", text)]

    def f(p: int) -> int:
        return p - sum(min(e, p) - s for s, e in removed if s < p)
    return f


def parse_grades(text: str) -> Grades:
    """Grades from a judge's answer (see the module docstring); rejected answers carry a reason."""
    if not isinstance(text, str) or not text.strip():
        return Grades(False, reason="empty answer")
    body = text
    if "</think>" in text:  # reasoning models: the answer follows the thinking
        after = text.rsplit("</think>", 1)[1]
        if any(e.dim in DIMENSIONS for e in _events(after)):
            body = after
    events = _events(body)
    scores, problems = {}, []
    for dim in DIMENSIONS:
        mine = [e for e in events if e.dim == dim]
        numeric = [e for e in mine if e.value is not None]
        if not numeric:
            if mine:
                problems.append(f"{dim} is not a grade from 1 to 10 ({mine[-1].raw[:20]!r})")
            else:
                problems.append(f"missing {dim}")
            continue
        e = numeric[-1]
        if e.den is not None and e.den != 10:
            problems.append(f"{dim} is graded out of {e.den:g}, not 10 ({e.raw.strip()[:20]!r})")
        elif not (1.0 <= e.value <= 10.0 and math.isfinite(e.value)):
            problems.append(f"{dim} is not a grade from 1 to 10 ({e.value:g})")
        else:
            scores[dim] = e.value
    ages = [a for a in (age_letter(e.raw) for e in events if e.dim == "age_group") if a]
    age = ages[-1] if ages else None
    if problems:
        if not scores and _REFUSAL.search(body):
            first = " ".join(body.split())[:60]
            return Grades(False, {}, None, reason=f"refused: {first!r}")
        if not scores and not any(e.dim in DIMENSIONS for e in events):
            return Grades(False, {}, age, reason="no grades found (no dimension named with a grade)")
        return Grades(False, scores, age, reason="; ".join(problems))
    return Grades(True, scores, age)
