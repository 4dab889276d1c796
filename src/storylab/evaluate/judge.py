"""The TinyStories evaluation: a judge model grades story completions.

Story beginnings (``prompts/beginnings.jsonl``, written for storylab, each cut off
mid-sentence) are completed by the model under test, several samples each. A judge
model on any OpenAI-compatible endpoint reads the beginning and the completion and
grades, 1 to 10, **grammar**, **creativity**, **consistency** (with the beginning) and
**plot**, and guesses the age group of the writer. The wording of the rubric is ours
(`RUBRIC`); its version is part of every cache key.

Requests go through `storylab.llmgen.client.ChatClient`, so the judge shares the
generation backend's concurrency, rate limits, retries and error handling. Answers are
parsed leniently (`parse_grades`: a JSON object, possibly in a code fence, or lines
like ``Grammar: 8/10``); an answer without all four grades is *rejected* with a reason
and counted, never guessed. Each graded or rejected answer is cached in a JSONL file
keyed by (rubric version, judge model, beginning, completion), so a rerun asks only
for what it has not seen. The API key is read from the environment variable the user
names and is never written anywhere (not in the cache, the results, or messages).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from storylab.errors import StorylabError
from storylab.io import iter_jsonl
from storylab.llmgen.client import ChatClient, RequestFailed, bounded_map

DIMENSIONS = ("grammar", "creativity", "consistency", "plot")
AGE_GROUPS = {"A": "3 or under", "B": "4-5", "C": "6-7", "D": "8-9", "E": "10-12", "F": "13-16"}
RUBRIC_VERSION = "storylab-judge-v1"
BEGINNINGS = Path(__file__).resolve().parent / "prompts" / "beginnings.jsonl"

SYSTEM = "You are a careful, fair teacher who grades short stories written by students."

RUBRIC = """A student was given the beginning of a short story for young children and asked to finish it.
The beginning ends at the mark ***; everything after *** was written by the student.

Beginning:
{beginning}***

Student's continuation:
***{completion}

Grade only the student's part, each from 1 (very poor) to 10 (excellent):
- grammar: are the sentences well formed, with correct spelling, word forms and punctuation?
- creativity: does the student add ideas of their own, rather than repeating or stopping short?
- consistency: does the continuation fit the beginning (the same characters, names, places and situation), and does it finish the sentence that was cut off sensibly?
- plot: does the story go somewhere and come to a sensible ending?
Then guess how old the writer is, as one letter: A (3 or under), B (4-5), C (6-7), D (8-9), E (10-12) or F (13-16).

Answer with one JSON object and nothing else, for example:
{{"grammar": 7, "creativity": 5, "consistency": 8, "plot": 6, "age_group": "C", "comment": "one short sentence"}}"""


def load_beginnings(path: str | os.PathLike | None = None) -> list[dict]:
    """The story beginnings: ``{"id", "text"}`` per line."""
    path = Path(path) if path else BEGINNINGS
    out = []
    for i, rec in enumerate(iter_jsonl(path, "story beginnings"), 1):
        if not isinstance(rec.get("text"), str) or not rec["text"].strip():
            raise StorylabError(f"{path}: record {i} has no 'text'")
        out.append({"id": str(rec.get("id") or i), "text": rec["text"]})
    if not out:
        raise StorylabError(f"{path}: no story beginnings")
    return out


def judge_messages(beginning: str, completion: str) -> list[dict]:
    return [{"role": "system", "content": SYSTEM},
            {"role": "user", "content": RUBRIC.format(beginning=beginning, completion=completion)}]


# --- parsing -------------------------------------------------------------------------------

_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL | re.IGNORECASE)
_ALIASES = {"grammar": "grammar", "creativity": "creativity", "consistency": "consistency", "plot": "plot",
            "coherence": "consistency", "consistent": "consistency", "creative": "creativity",
            "age": "age_group", "age_group": "age_group", "agegroup": "age_group", "age group": "age_group"}
_LINE = re.compile(r"(?im)^[\s\-*#>]*\**\s*(grammar|creativity|consistency|plot|age[ _]?group|age)\s*\**\s*[:=\-]\s*"
                   r"\**\s*(.+?)\s*$")


@dataclass
class Grades:
    ok: bool
    scores: dict = field(default_factory=dict)   # dimension -> float in [1, 10]
    age_group: str | None = None
    reason: str = ""                             # why an answer was rejected


def _score(value) -> float | None:
    """8, "8", "8/10", "8.5 out of 10" -> float; None if not a grade in [1, 10]."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        v = float(value)
    elif isinstance(value, str):
        m = re.match(r"\s*\**\s*(\d+(?:\.\d+)?)\s*(?:/\s*10|out of 10)?", value)
        if not m:
            return None
        v = float(m.group(1))
    else:
        return None
    return v if 1.0 <= v <= 10.0 and math.isfinite(v) else None


def _age(value) -> str | None:
    if not isinstance(value, str):
        return None
    v = value.strip().strip("*\"' ").upper()
    m = re.match(r"^\(?([A-F])\)?(?:\b|$)", v)
    if m:
        return m.group(1)
    nums = re.findall(r"\d+", v)  # "6-7", "about 8"
    if nums:
        n = int(nums[0])
        for g, (lo, hi) in zip("ABCDEF", ((0, 3), (4, 5), (6, 7), (8, 9), (10, 12), (13, 16))):
            if lo <= n <= hi:
                return g
    return None


def _from_mapping(d: dict) -> dict:
    out = {}
    for k, v in d.items():
        key = _ALIASES.get(str(k).strip().lower().replace("-", "_"))
        if key is None and isinstance(v, dict):  # {"grammar": {"score": 8}}
            continue
        if key:
            if isinstance(v, dict):
                v = v.get("score", v.get("grade"))
            out[key] = v
    return out


def parse_grades(text: str) -> Grades:
    """Grades from a judge's answer: JSON (bare, fenced, or embedded), else ``Name: 8/10`` lines."""
    if not isinstance(text, str) or not text.strip():
        return Grades(False, reason="empty answer")
    raw: dict = {}
    candidates = [m.group(1) for m in _FENCE.finditer(text)] + [text]
    for cand in candidates:
        s, e = cand.find("{"), cand.rfind("}")
        if s < 0 or e <= s:
            continue
        try:
            obj = json.loads(cand[s:e + 1])
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict):
            raw = _from_mapping(obj)
            if raw:
                break
    if not raw:
        for m in _LINE.finditer(text):
            key = _ALIASES[m.group(1).lower()]
            raw.setdefault(key, m.group(2))
    if not raw:
        return Grades(False, reason="no grades found (neither JSON nor 'Name: N/10' lines)")
    scores, problems = {}, []
    for dim in DIMENSIONS:
        if dim not in raw:
            problems.append(f"missing {dim}")
            continue
        v = _score(raw[dim])
        if v is None:
            problems.append(f"{dim} is not a grade from 1 to 10 ({str(raw[dim])[:20]!r})")
        else:
            scores[dim] = v
    age = _age(raw.get("age_group")) if "age_group" in raw else None
    if problems:
        return Grades(False, scores, age, reason="; ".join(problems))
    return Grades(True, scores, age)


# --- cache ---------------------------------------------------------------------------------


def cache_key(judge_model: str, beginning: str, completion: str) -> str:
    h = hashlib.sha256()
    for part in (RUBRIC_VERSION, judge_model, beginning, completion):
        h.update(part.encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()


class JudgeCache:
    """Append-only JSONL: one ``{"key", "model", "ok", "scores", "age_group", "reason", "answer"}``
    per judged completion. A torn last line (a killed run) is ignored."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.entries: dict[str, dict] = {}
        if self.path.exists():
            with open(self.path, encoding="utf-8", errors="replace") as f:
                for line in f:
                    try:
                        rec = json.loads(line)
                    except json.JSONDecodeError:
                        continue
                    if isinstance(rec, dict) and "key" in rec:
                        self.entries[rec["key"]] = rec

    def get(self, key: str) -> dict | None:
        return self.entries.get(key)

    def put(self, rec: dict) -> None:
        self.entries[rec["key"]] = rec
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")


# --- judging -------------------------------------------------------------------------------


@dataclass
class JudgeSettings:
    base_url: str
    model: str
    api_key_env: str | None = None
    max_in_flight: int = 8
    rpm: float | None = None
    tpm: float | None = None
    timeout: float = 60.0
    max_retries: int = 4
    backoff: float = 1.0
    temperature: float = 0.0
    max_tokens: int = 200


def mean_ci(values: list[float], z: float = 1.959963984540054) -> tuple[float, float, float]:
    """Mean and a normal-approximation 95% interval."""
    n = len(values)
    if n == 0:
        return float("nan"), float("nan"), float("nan")
    m = sum(values) / n
    if n == 1:
        return m, m, m
    sd = math.sqrt(sum((v - m) ** 2 for v in values) / (n - 1))
    h = z * sd / math.sqrt(n)
    return m, m - h, m + h


@dataclass
class JudgeResult:
    judge_model: str
    n: int                       # completions to judge
    graded: int
    rejected: int
    failed: int                  # requests that got no answer
    requests: int                # HTTP attempts made in this call (0 when all came from the cache)
    cached: int
    dimensions: dict             # dim -> {"mean", "ci_low", "ci_high", "n"}
    age_groups: dict             # letter -> count
    rejections: list = field(default_factory=list)   # [{"id", "reason"}], the first few
    records: list = field(default_factory=list)      # per completion

    def as_dict(self, with_records: bool = True) -> dict:
        d = self.__dict__.copy()
        if not with_records:
            d.pop("records")
        return d

    def summary(self) -> str:
        dims = ", ".join(f"{k} {v['mean']:.1f}" for k, v in self.dimensions.items() if v["n"])
        return (f"judge {self.judge_model}: {self.graded}/{self.n} graded ({self.rejected} rejected, "
                f"{self.failed} failed, {self.cached} cached, {self.requests} requests){': ' + dims if dims else ''}")


def judge_completions(completions: list[dict], settings: JudgeSettings, cache_path: str | os.PathLike,
                      progress=None) -> JudgeResult:
    """Grade ``[{"id", "prompt", "completion"}]`` (see module docstring)."""
    return asyncio.run(_judge(completions, settings, Path(cache_path), progress))


async def _judge(completions: list[dict], s: JudgeSettings, cache_path: Path, progress) -> JudgeResult:
    cache = JudgeCache(cache_path)
    todo, records = [], {}
    for c in completions:
        key = cache_key(s.model, c["prompt"], c["completion"])
        hit = cache.get(key)
        if hit is not None:
            records[c["id"]] = {**c, **_public(hit), "cached": True}
        else:
            todo.append((c, key))
    failed, requests = 0, 0
    failures: list[str] = []
    if todo:
        client = ChatClient(s.base_url, s.model, s.api_key_env, max_in_flight=s.max_in_flight, rpm=s.rpm, tpm=s.tpm,
                            timeout=s.timeout, max_retries=s.max_retries, backoff=s.backoff,
                            default_params={"temperature": s.temperature, "max_tokens": s.max_tokens})

        async def one(job):
            c, key = job
            comp = await client.complete(judge_messages(c["prompt"], c["completion"]))
            g = parse_grades(comp.text)
            rec = {"key": key, "model": s.model, "rubric": RUBRIC_VERSION, "ok": g.ok, "scores": g.scores,
                   "age_group": g.age_group, "reason": g.reason, "answer": comp.text[:2000]}
            cache.put(rec)
            return rec

        async with client:
            # one request first: an unreachable endpoint or a bad key fails fast, with one message
            first, rest = todo[0], todo[1:]
            try:
                rec = await one(first)
                records[first[0]["id"]] = {**first[0], **_public(rec), "cached": False}
            except RequestFailed as e:
                if e.reason in ("connection", "timeout"):
                    raise StorylabError(f"judge endpoint {s.base_url} unreachable after {e.attempts} attempts "
                                        f"({e.reason}: {e.detail})") from None
                failed += 1
                failures.append(str(e))
            if progress is not None:
                progress(1)
            async for job, value in bounded_map(one, rest, s.max_in_flight):
                if isinstance(value, RequestFailed):
                    failed += 1
                    failures.append(str(value))
                elif isinstance(value, Exception):
                    raise value
                else:
                    records[job[0]["id"]] = {**job[0], **_public(value), "cached": False}
                if progress is not None:
                    progress(1)
        requests = client.requests
    recs = [records[c["id"]] for c in completions if c["id"] in records]
    graded = [r for r in recs if r["ok"]]
    dims = {}
    for d in DIMENSIONS:
        m, lo, hi = mean_ci([r["scores"][d] for r in graded])
        dims[d] = {"mean": m, "ci_low": lo, "ci_high": hi, "n": len(graded)}
    ages: dict[str, int] = {}
    for r in graded:
        if r.get("age_group"):
            ages[r["age_group"]] = ages.get(r["age_group"], 0) + 1
    rejected = [r for r in recs if not r["ok"]]
    return JudgeResult(s.model, len(completions), len(graded), len(rejected), failed, requests,
                       sum(1 for r in recs if r.get("cached")), dims, dict(sorted(ages.items())),
                       [{"id": r["id"], "reason": r["reason"]} for r in rejected[:20]] +
                       [{"id": None, "reason": f} for f in failures[:5]], recs)


def _public(rec: dict) -> dict:
    return {k: rec[k] for k in ("ok", "scores", "age_group", "reason", "answer") if k in rec}
