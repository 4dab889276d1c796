"""The TinyStories evaluation: a judge model grades story completions.

Story beginnings (``prompts/beginnings.jsonl``, written for storylab, each cut off
mid-sentence) are completed by the model under test, several samples each. A judge
model on any OpenAI-compatible endpoint reads the beginning and the completion and,
following the rubric of the TinyStories paper (Eldan & Li, 2023, section 3), first
assesses the completion in a few sentences, then grades **grammar**, **creativity**,
**consistency** with the beginning and **plot** from 1 to 10 and guesses the writer's
age group (A: 3 or under ... F: 13-16), ending with one line in the paper's format::

    Grammar: 8/10, Creativity: 6/10, Consistency: 7/10, Plot: 6/10. Age group: B (4-5).

The wording of `RUBRIC` is ours; its version is part of every cache key. Answers are
read by `storylab.evaluate.grades.parse_grades`, which finds grades in whatever shape
real judges write them; an answer without all four grades is *rejected* with a reason
and counted, never guessed.

Requests go through the `Endpoint` shared with LLM generation (`storylab.llmgen.client`):
the same concurrency, rate limits, retries and error handling.

**Caching and repeats.** Every answer is cached in a JSONL file keyed by (rubric version,
judge model, request parameters, beginning, completion, repeat index). ``repeats=K``
grades each completion K times: repeat 0 is the ordinary cached grade, repeats 1..K-1
are separate requests (the cache of repeat 0 does not answer them) cached under their
own index, so evaluating the same run again gives identical numbers from the cache and
sends no request. With K >= 2 the result holds, per dimension, the spread across
repeats and the agreement between them (`storylab.evaluate.reliability`).

The API key is read from the environment variable the user names and is never written
anywhere (not in the cache, the results, or messages).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from storylab.errors import StorylabError
from storylab.evaluate.grades import AGE_GROUPS, DIMENSIONS, Grades, parse_grades
from storylab.evaluate.reliability import mean_ci, paired_difference, repeat_stats
from storylab.io import iter_jsonl
from storylab.llmgen.client import Endpoint, RequestFailed, bounded_map

__all__ = ["AGE_GROUPS", "DIMENSIONS", "Grades", "JudgeResult", "RUBRIC", "RUBRIC_VERSION", "judge_completions",
           "judge_difference", "judge_endpoint", "judge_messages", "load_beginnings", "mean_ci", "parse_grades"]

RUBRIC_VERSION = "storylab-judge-v2"
BEGINNINGS = Path(__file__).resolve().parent / "prompts" / "beginnings.jsonl"
INTERVAL = ("normal approximation, mean ± 1.96 SE, clustered by story beginning "
            "(each completion's grade is the mean over its repeats)")

SYSTEM = "You are a careful, fair teacher who grades short stories written by young students."

RUBRIC = """In this exercise a student was given the beginning of a story and had to complete it into a full story. The exercise tests the student's language skills and creativity. The mark *** separates the given beginning from the student's completion:

{beginning}***{completion}

First, in two or three sentences, assess the part the student wrote (after ***). Is it grammatically correct? Is it consistent with the beginning of the story? Pay special attention to whether the student completes the sentence that the *** mark cuts in the middle.

Then grade the student's completion from 1 (very poor) to 10 (excellent) for grammar, for creativity, for consistency with the beginning, and for whether the plot makes sense. Also give your best guess of the student's age group, as one letter: A (3 or under), B (4-5), C (6-7), D (8-9), E (10-12) or F (13-16).

End your answer with exactly one line in this format, putting your grades in place of G, R, K and P and the age group letter in place of L:
Grammar: G/10, Creativity: R/10, Consistency: K/10, Plot: P/10. Age group: L"""


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


def judge_endpoint(base_url: str, model: str, api_key_env: str | None = None, **kw) -> Endpoint:
    """An `Endpoint` with the judge's defaults: deterministic (temperature 0), room for a short
    assessment before the grades (400 tokens), 8 requests in flight, patient but not forever."""
    settings = dict(in_flight=8, timeout=60.0, max_retries=4, temperature=0.0, max_tokens=400)
    settings.update(kw)
    return Endpoint(base_url, model, api_key_env, **settings)


# --- cache ---------------------------------------------------------------------------------


def cache_key(endpoint: Endpoint, beginning: str, completion: str, repeat: int = 0) -> str:
    h = hashlib.sha256()
    params = json.dumps(endpoint.request_params(), sort_keys=True)
    for part in (RUBRIC_VERSION, endpoint.model, params, beginning, completion, *([f"repeat {repeat}"] * (repeat > 0))):
        h.update(part.encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()


class JudgeCache:
    """Append-only JSONL: one ``{"key", "model", "repeat", "ok", "scores", "age_group", "reason",
    "answer"}`` per judge answer. A torn last line (a killed run) is ignored."""

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
class JudgeResult:
    judge_model: str
    n: int                       # completions to judge
    graded: int                  # completions with at least one accepted answer
    rejected: int                # answers rejected (of n * repeats)
    failed: int                  # requests that got no answer
    requests: int                # HTTP attempts made in this call (0 when all came from the cache)
    cached: int                  # answers taken from the cache
    dimensions: dict             # dim -> {"mean", "ci_low", "ci_high", "n", "sd"}
    age_groups: dict             # letter -> count (each completion's most frequent guess)
    repeats: int = 1
    reliability: dict = field(default_factory=dict)  # dim -> repeat_stats(...) when repeats >= 2
    interval: str = INTERVAL
    rubric: str = RUBRIC_VERSION
    rejections: list = field(default_factory=list)   # [{"id", "repeat", "reason"}], the first few
    records: list = field(default_factory=list)      # per completion

    def as_dict(self, with_records: bool = True) -> dict:
        d = self.__dict__.copy()
        if not with_records:
            d.pop("records")
        return d

    def summary(self) -> str:
        dims = ", ".join(f"{k} {v['mean']:.1f}" for k, v in self.dimensions.items() if v["n"])
        rel = ""
        if self.reliability:
            rel = "; repeat agreement (alpha) " + ", ".join(f"{k} {v['alpha']:.2f}" for k, v in self.reliability.items())
        return (f"judge {self.judge_model}: {self.graded}/{self.n} graded x{self.repeats} ({self.rejected} rejected, "
                f"{self.failed} failed, {self.cached} cached, {self.requests} requests)"
                f"{': ' + dims if dims else ''}{rel}")


def judge_completions(completions: list[dict], endpoint: Endpoint, cache_path: str | os.PathLike,
                      repeats: int = 1, progress=None) -> JudgeResult:
    """Grade ``[{"id", "prompt", "completion"}]`` `repeats` times each (see the module docstring).

    An optional ``"group"`` per completion (default: its prompt) names the cluster for the
    intervals: completions of the same beginning are not independent."""
    if repeats < 1:
        raise StorylabError(f"judge repeats must be at least 1, got {repeats}")
    ids = [c["id"] for c in completions]
    if len(set(ids)) != len(ids):
        raise StorylabError("completion ids must be unique")
    return asyncio.run(_judge(completions, endpoint, Path(cache_path), repeats, progress))


async def _judge(completions: list[dict], ep: Endpoint, cache_path: Path, repeats: int, progress) -> JudgeResult:
    cache = JudgeCache(cache_path)
    answers: dict[tuple[str, int], dict] = {}
    todo = []
    for c in completions:
        for r in range(repeats):
            key = cache_key(ep, c["prompt"], c["completion"], r)
            hit = cache.get(key)
            if hit is not None:
                answers[(c["id"], r)] = {**_public(hit), "cached": True}
            else:
                todo.append((c, r, key))
    if progress is not None and len(answers):
        progress(len(answers))
    failures: list[dict] = []
    requests = 0
    if todo:
        client = ep.make_client()
        params = ep.request_params()

        async def one(job):
            c, r, key = job
            comp = await client.complete(judge_messages(c["prompt"], c["completion"]), **params)
            g = parse_grades(comp.text)
            reason = g.reason
            if not g.ok and comp.finish_reason == "length":
                reason += f" (the answer was cut off at {ep.max_tokens} tokens)"
            rec = {"key": key, "model": ep.model, "rubric": RUBRIC_VERSION, "repeat": r, "ok": g.ok,
                   "scores": g.scores, "age_group": g.age_group, "reason": reason, "answer": comp.text[:2000]}
            cache.put(rec)
            return rec

        async with client:
            # one request first: an unreachable endpoint or a bad key fails fast, with one message
            first, rest = todo[0], todo[1:]
            try:
                answers[(first[0]["id"], first[1])] = {**_public(await one(first)), "cached": False}
            except RequestFailed as e:
                if e.reason in ("connection", "timeout"):
                    raise StorylabError(f"judge endpoint {ep.base_url} unreachable after {e.attempts} attempts "
                                        f"({e.reason}: {e.detail})") from None
                failures.append({"id": first[0]["id"], "repeat": first[1], "reason": f"request failed: {e}"})
            if progress is not None:
                progress(1)
            async for job, value in bounded_map(one, rest, ep.in_flight):
                if isinstance(value, RequestFailed):
                    failures.append({"id": job[0]["id"], "repeat": job[1], "reason": f"request failed: {value}"})
                elif isinstance(value, Exception):
                    raise value
                else:
                    answers[(job[0]["id"], job[1])] = {**_public(value), "cached": False}
                if progress is not None:
                    progress(1)
        requests = client.requests
    return _aggregate(completions, answers, failures, repeats, ep.model, requests)


def _public(rec: dict) -> dict:
    return {k: rec[k] for k in ("ok", "scores", "age_group", "reason") if k in rec}


def _aggregate(completions, answers, failures, repeats, model, requests) -> JudgeResult:
    records, rejections = [], []
    for c in completions:
        reps = [answers.get((c["id"], r)) for r in range(repeats)]
        got = [a for a in reps if a is not None]
        if not got:
            continue
        ok = [a for a in got if a["ok"]]
        for r, a in enumerate(reps):
            if a is not None and not a["ok"]:
                rejections.append({"id": c["id"], "repeat": r, "reason": a["reason"]})
        scores = {d: sum(a["scores"][d] for a in ok) / len(ok) for d in DIMENSIONS} if ok else {}
        ages = Counter(a["age_group"] for a in ok if a.get("age_group"))
        rec = {**c, "group": c.get("group", c["prompt"]), "ok": bool(ok), "scores": scores,
               "age_group": ages.most_common(1)[0][0] if ages else None,
               "reason": "" if ok else got[-1]["reason"], "cached": all(a["cached"] for a in got)}
        if repeats > 1:
            rec["repeats"] = [None if a is None else {k: a[k] for k in ("ok", "scores", "age_group", "reason")}
                              for a in reps]
        records.append(rec)
    graded = [r for r in records if r["ok"]]
    dims = {}
    for d in DIMENSIONS:
        vals = [r["scores"][d] for r in graded]
        m, lo, hi = mean_ci(vals, [r["group"] for r in graded])
        sd = float(sum((v - m) ** 2 for v in vals) / (len(vals) - 1)) ** 0.5 if len(vals) > 1 else float("nan")
        dims[d] = {"mean": m, "ci_low": lo, "ci_high": hi, "n": len(graded), "sd": sd}
    reliability = {}
    if repeats > 1:
        for d in DIMENSIONS:
            units = [[(a["scores"][d] if a and a["ok"] else None) for a in r["repeats"]] for r in records]
            reliability[d] = repeat_stats(units)
    ages = Counter(r["age_group"] for r in graded if r.get("age_group"))
    return JudgeResult(model, len(completions), len(graded), len(rejections), len(failures), requests,
                       sum(1 for a in answers.values() if a["cached"]), dims, dict(sorted(ages.items())),
                       repeats, reliability, rejections=rejections[:20] + failures[:5], records=records)


# --- two runs ------------------------------------------------------------------------------


def judge_difference(a: dict, b: dict) -> dict:
    """Per dimension, the grade of run `a` minus run `b` (both ``judge.json`` dicts, with records).

    Paired by completion id where both runs completed the same beginning (the same prompt
    text), the interval clustered by beginning (normal approximation); unpaired (Welch,
    normal approximation) when no completion pairs up."""
    ra = {r["id"]: r for r in a.get("records", []) if r.get("ok")}
    rb = {r["id"]: r for r in b.get("records", []) if r.get("ok")}
    same = {i for i in ra if i in rb and ra[i]["prompt"] == rb[i]["prompt"]}
    notes = []
    if a.get("judge_model") != b.get("judge_model"):
        notes.append(f"different judges ({a.get('judge_model')} vs {b.get('judge_model')}): not comparable")
    if a.get("rubric") != b.get("rubric"):
        notes.append(f"different rubric versions ({a.get('rubric')} vs {b.get('rubric')})")
    out = {"method": ("paired by completion id (same beginning), normal approximation clustered by beginning"
                      if same else "unpaired (no common beginnings), normal approximation (Welch)"),
           "pairs": len(same), "notes": notes, "dimensions": {}}
    for d in DIMENSIONS:
        if same:
            da = {i: ra[i]["scores"][d] for i in same}
            db = {i: rb[i]["scores"][d] for i in same}
            out["dimensions"][d] = paired_difference(da, db, {i: ra[i]["prompt"] for i in same})
        else:
            out["dimensions"][d] = paired_difference({f"a{i}": r["scores"][d] for i, r in ra.items()},
                                                     {f"b{i}": r["scores"][d] for i, r in rb.items()})
    return out
