"""Generating a corpus with an LLM at scale: concurrent, rate-limited, checked, resumable.

`generate_llm_corpus(out, n, seed, endpoint)` (an `Endpoint`) asks an OpenAI-compatible endpoint for
stories 0..n-1 (recipes from `storylab.llmgen.recipe`), keeps the good answers and records
why the others were rejected.

Files, for ``--out corpus.jsonl``:

- ``corpus.jsonl.partial`` — accepted stories while the run is unfinished, appended one
  line per story (one ``write`` each, flushed; fsync every few records and at the end);
- ``corpus.jsonl.rejects.jsonl`` — one line per rejected story: id, reason, detail,
  tokens spent; for failed requests (timeouts, 5xx, ...) also ``"retryable": true``;
- ``corpus.jsonl.state.json`` — the manifest: the settings the run was started with and
  ``"status": "running"`` or ``"done"``;
- ``corpus.jsonl`` — appears only when every requested index is accounted for: the
  partial file is renamed to it, then the manifest says done. A reader can never take
  an unfinished corpus for a finished one.

Resume: rerunning the same command after a kill at any moment continues. A torn last
line (killed mid-write) is cut off; ids already accepted or rejected are skipped; the
duplicate index is rebuilt from the accepted stories; stories whose *request* failed
(not whose answer was bad) are asked again. Every story's id and recipe depend only on
(seed, index), so the same story is asked for no matter when it is asked.

Tokens and cost are summed from the API's ``usage`` fields of every answer received
(accepted or rejected, this run and earlier ones); requests cut off by a kill are not
counted because their usage was never seen.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from rich.progress import TextColumn

from storylab.corpus import make_record
from storylab.corpus.dedup import DuplicateIndex
from storylab.corpus.instruct import format_instruct, parse_instruct
from storylab.errors import StorylabError
from storylab.locks import locked
from storylab.io import write_json
from storylab.llmgen.client import Completion, Endpoint, RequestFailed, bounded_map
from storylab.llmgen.recipe import (
    PromptTemplate,
    Recipe,
    WordLists,
    build_messages,
    instruct_fields,
    is_refusal,
    load_word_lists,
    make_recipe,
    offvocab,
    split_summary,
    story_id,
)
from storylab.progress import progress as make_progress

STATE_VERSION = 1


@dataclass
class GenStats:
    """Honest counts for one call, including what earlier (killed) runs already did."""

    requested: int
    out: str = ""
    accepted: int = 0
    rejected: Counter = field(default_factory=Counter)   # final verdicts on answers, by reason
    failed: Counter = field(default_factory=Counter)     # requests that got no answer; a rerun retries them
    resumed: int = 0              # ids already settled before this call
    requests: int = 0             # HTTP attempts this call
    retries: Counter = field(default_factory=Counter)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    seconds: float = 0.0
    done: bool = False

    @property
    def settled(self) -> int:
        return self.accepted + sum(self.rejected.values()) + sum(self.failed.values())

    def summary(self) -> str:
        def reasons(c: Counter) -> str:
            return ", ".join(f"{k} {v}" for k, v in c.most_common())
        s = f"{self.accepted} accepted, {sum(self.rejected.values())} rejected"
        if self.rejected:
            s += f" ({reasons(self.rejected)})"
        if self.failed:
            s += f", {sum(self.failed.values())} failed requests ({reasons(self.failed)}; rerun to retry them)"
        s += f" of {self.requested}"
        if self.resumed:
            s += f" ({self.resumed} from earlier runs)"
        s += (f"; {self.prompt_tokens + self.completion_tokens:,} tokens (in {self.prompt_tokens:,}, "
              f"out {self.completion_tokens:,})")
        if self.cost:
            s += f", est. ${self.cost:.2f}"
        if self.requests:
            s += f"; {self.requests} requests"
            if self.retries:
                s += f" ({sum(self.retries.values())} retries: {reasons(self.retries)})"
        return s


# --- durable files ------------------------------------------------------------------------------


class RunFiles:
    """The four paths of one run (see the module docstring)."""

    def __init__(self, out: str | os.PathLike):
        self.out = Path(out)
        self.partial = self.out.with_name(self.out.name + ".partial")
        self.rejects = self.out.with_name(self.out.name + ".rejects.jsonl")
        self.state = self.out.with_name(self.out.name + ".state.json")


class AppendLog:
    """An append-only JSONL file that survives SIGKILL at any moment.

    Each record is one `os.write` of a complete line on an O_APPEND descriptor, so a kill
    leaves at most one torn last line, which `read_log` cuts off. fsync runs every
    `fsync_every` records or `fsync_seconds`, and on close: after a power cut at most
    those few records are lost — and simply asked for again, never duplicated.
    """

    def __init__(self, path: Path, fsync_every: int = 32, fsync_seconds: float = 1.0):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self.fsync_every, self.fsync_seconds = fsync_every, fsync_seconds
        self.unsynced, self.last_sync = 0, time.monotonic()

    def append(self, record: dict) -> None:
        data = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]
        self.unsynced += 1
        if self.unsynced >= self.fsync_every or time.monotonic() - self.last_sync >= self.fsync_seconds:
            self.sync()

    def sync(self) -> None:
        if self.unsynced:
            os.fsync(self.fd)
            self.unsynced, self.last_sync = 0, time.monotonic()

    def close(self) -> None:
        if self.fd >= 0:
            self.sync()
            os.close(self.fd)
            self.fd = -1


def read_log(path: Path) -> list[dict]:
    """Records of an append log; a torn last line is truncated away (a kill mid-write).

    A damaged line anywhere else is not something a kill can cause, so it is an error.
    """
    if not path.exists():
        return []
    records: list[dict] = []
    good_end = 0
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, 1):
            if not raw.endswith(b"\n"):
                break  # torn: cut below
            try:
                records.append(json.loads(raw))
            except (UnicodeDecodeError, json.JSONDecodeError):
                if f.read(1):
                    raise StorylabError(f"{path}:{lineno}: damaged line in the middle of the file") from None
                break  # a complete but garbled last line: treat as torn
            good_end += len(raw)
    if good_end != path.stat().st_size:
        with open(path, "r+b") as f:
            f.truncate(good_end)
            os.fsync(f.fileno())
    return records


# --- judging answers --------------------------------------------------------------------------


@dataclass
class Verdict:
    reason: str | None            # None = acceptable so far (duplicates are checked after)
    detail: str = ""
    story: str = ""
    summary: str | None = None
    offvocab: float = 0.0


def judge(completion: Completion, allowed: set[str], max_offvocab: float, instruct: bool) -> Verdict:
    """Decide whether an answer is a usable story, and if not, why."""
    text = completion.text.strip()
    if completion.finish_reason == "content_filter":
        return Verdict("refusal", "finish_reason content_filter")
    if not text:
        return Verdict("empty", f"finish_reason {completion.finish_reason}")
    if completion.finish_reason == "length":
        return Verdict("truncated", "cut off at max_tokens (finish_reason length)")
    if is_refusal(text):
        return Verdict("refusal", text[:80])
    story, summary = split_summary(text) if instruct else (text, None)
    if instruct and summary is None:
        return Verdict("no_summary", "instruct answer without a 'Summary:' line")
    if not story:
        return Verdict("empty", "only a summary")
    frac, unknown = offvocab(story, allowed)
    if frac > max_offvocab:
        return Verdict("offvocab", f"{frac:.1%} words outside the vocabulary (max {max_offvocab:.1%}): "
                                   f"{', '.join(unknown)}", offvocab=frac)
    return Verdict(None, story=story, summary=summary, offvocab=frac)


# --- the run ------------------------------------------------------------------------------------


class _Breaker:
    """Stops a run whose endpoint gives no answers, instead of burning through every index.

    Trips after `limit` requests in a row failed (each after its own retries)."""

    def __init__(self, limit: int):
        self.limit, self.streak, self.reasons = limit, 0, Counter()

    def record(self, failure: RequestFailed | None) -> bool:
        if failure is None:
            self.streak, self.reasons = 0, Counter()
            return False
        self.streak += 1
        self.reasons[failure.reason] += 1
        self.last = failure
        return self.streak >= self.limit


class _Run:
    """State of one call of `generate_llm_corpus`: files, counters, duplicate index."""

    def __init__(self, files: RunFiles, n: int, seed: int, cfg: Endpoint, words: WordLists,
                 template: PromptTemplate | None, instruct: bool, max_features: int, max_offvocab: float,
                 dup_index: DuplicateIndex, abort_after: int):
        self.files, self.n, self.seed, self.cfg = files, n, seed, cfg
        self.words, self.template, self.instruct = words, template, instruct
        self.max_features, self.max_offvocab = max_features, max_offvocab
        self.dups = dup_index
        self.breaker = _Breaker(abort_after)
        self.stats = GenStats(requested=n, out=str(files.out))
        self.answered = 0

    # -- settings and resume --

    def settings(self) -> dict:
        template = self.template.text if self.template else ""
        return {"seed": self.seed, "model": self.cfg.model, "words": self.words.fingerprint(),
                "template": hashlib.sha1(template.encode()).hexdigest()[:12], "instruct": self.instruct,
                "max_features": self.max_features}

    def check_state(self) -> dict | None:
        f = self.files
        if not f.state.exists():
            for p in (f.out, f.partial):
                if p.exists():
                    raise StorylabError(f"{p} exists but {f.state.name} does not, so it is not a resumable LLM "
                                        f"run; choose another --out or remove it")
            return None
        try:
            state = json.loads(f.state.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise StorylabError(f"{f.state}: unreadable run manifest ({e})") from None
        theirs, ours = state.get("settings", {}), self.settings()
        diff = [f"{k} {theirs.get(k)!r} -> {ours[k]!r}" for k in ours if theirs.get(k) != ours[k]]
        if diff:
            raise StorylabError(f"{f.out} was started with other settings ({'; '.join(diff)}); rerun with the "
                                f"same ones to continue, or choose another --out")
        if f.out.exists() and f.partial.exists():
            raise StorylabError(f"both {f.out.name} and {f.partial.name} exist; remove the one that is stale")
        return state

    def data_path(self) -> Path:
        return self.files.out if self.files.out.exists() else self.files.partial

    def load(self) -> set[int]:
        """Read what earlier runs settled; return the indices still to ask for."""
        settled: set[str] = set()
        for rec in read_log(self.data_path()):
            if not isinstance(rec, dict) or not isinstance(rec.get("id"), str) or not isinstance(rec.get("text"), str):
                raise StorylabError(f"{self.data_path()}: a line that is not a story record of this run")
            settled.add(rec["id"])
            self.stats.accepted += 1
            self._add_usage(rec.get("meta", {}).get("usage"))
            story = parse_instruct(rec["text"]).story if self.instruct else rec["text"]
            self.dups.add(rec["id"], story)
        last: dict[str, dict] = {}
        for rec in read_log(self.files.rejects):
            if not isinstance(rec, dict) or not isinstance(rec.get("id"), str) or "reason" not in rec:
                raise StorylabError(f"{self.files.rejects}: a line that is not a rejection record")
            self._add_usage(rec.get("usage"))  # every answer received cost tokens, even superseded ones
            if rec["id"] not in settled:
                last[rec["id"]] = rec
        for rec in last.values():
            if not rec.get("retryable"):
                self.stats.rejected[rec["reason"]] += 1
                settled.add(rec["id"])
        self.stats.resumed = len(settled)
        return {i for i in range(self.n) if story_id(self.seed, i) not in settled}

    def write_state(self, status: str) -> None:
        state = {"version": STATE_VERSION, "status": status, "n": self.n, "settings": self.settings(),
                 "updated": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        if status == "done":
            state["counts"] = {"accepted": self.stats.accepted, "rejected": dict(self.stats.rejected),
                               "failed": dict(self.stats.failed)}
        write_json(self.files.state, state)

    # -- accounting --

    def _add_usage(self, usage: dict | None) -> None:
        if usage:
            self.stats.prompt_tokens += int(usage.get("prompt_tokens", 0))
            self.stats.completion_tokens += int(usage.get("completion_tokens", 0))
            self.stats.cost = (self.stats.prompt_tokens * self.cfg.price_in
                               + self.stats.completion_tokens * self.cfg.price_out) / 1e6

    # -- one outcome --

    def reject(self, log: AppendLog, recipe: Recipe, reason: str, detail: str, completion: Completion | None = None,
               text: str | None = None, retryable: bool = False) -> None:
        rec = {"id": recipe.id, "index": recipe.index, "reason": reason, "detail": detail, "retryable": retryable,
               "words": recipe.words, "features": recipe.features}
        if completion is not None:
            rec["usage"] = completion.usage.as_dict()
            self._add_usage(rec["usage"])
        if text is not None:
            rec["text"] = text
        log.append(rec)
        (self.stats.failed if retryable else self.stats.rejected)[reason] += 1

    def handle(self, recipe: Recipe, outcome, accepted: AppendLog, rejects: AppendLog) -> None:
        if isinstance(outcome, RequestFailed):
            self.reject(rejects, recipe, outcome.reason, outcome.detail, retryable=True)
            if self.breaker.record(outcome):
                raise self.give_up()
            return
        if not isinstance(outcome, Completion):
            raise outcome  # EndpointError (bad key, wrong URL) or a bug: stop the run
        self.breaker.record(None)
        self.answered += 1
        v = judge(outcome, self.words.allowed, self.max_offvocab, self.instruct)
        if v.reason:
            self.reject(rejects, recipe, v.reason, v.detail, outcome, text=outcome.text)
            return
        kind, other, sim = self.dups.check(v.story)
        if kind:
            self.reject(rejects, recipe, kind, f"{sim:.2f} similar to {other}", outcome, text=v.story)
            return
        self.dups.add(recipe.id, v.story)
        accepted.append(self.record(recipe, outcome, v))
        self.stats.accepted += 1
        self._add_usage(outcome.usage.as_dict())

    def record(self, recipe: Recipe, c: Completion, v: Verdict) -> dict:
        meta = {"seed": self.seed, "index": recipe.index, "model": c.model or self.cfg.model,
                "usage": c.usage.as_dict(), "finish_reason": c.finish_reason, "offvocab": round(v.offvocab, 4),
                "attempts": c.attempts}
        text = v.story
        if self.instruct:
            fields = instruct_fields(recipe, v.story, v.summary)
            text = format_instruct(fields)
            meta["instruct"] = {"summary": v.summary, "random_sentence": fields.random_sentence,
                                "order": fields.order}
        return make_record(text, f"llm:{self.cfg.model}", id=recipe.id, words=recipe.words,
                           features=recipe.features, meta=meta)

    def give_up(self) -> StorylabError:
        b = self.breaker
        reasons = ", ".join(f"{k} {v}" for k, v in b.reasons.most_common())
        detail = getattr(b, "last", None)
        return StorylabError(
            f"giving up on {self.cfg.base_url}: the last {b.streak} requests all failed after "
            f"{self.cfg.max_retries} retries each ({reasons}; last: {detail}); {self.stats.accepted} stories "
            f"are kept in {self.data_path().name} - rerun the same command to continue")


def _recipes(run: _Run, pending: set[int]) -> Iterator[Recipe]:
    for i in sorted(pending):
        yield make_recipe(run.seed, i, run.words, run.max_features)


async def _generate(run: _Run, pending: set[int], progress) -> None:
    cfg, params = run.cfg, run.cfg.request_params()
    accepted, rejects = AppendLog(run.files.partial), AppendLog(run.files.rejects)
    try:
        async with cfg.make_client() as client:
            async def ask(recipe: Recipe) -> Completion:
                return await client.complete(build_messages(recipe, run.template, run.instruct), **params)

            try:
                async for recipe, outcome in bounded_map(ask, _recipes(run, pending), cfg.in_flight):
                    run.handle(recipe, outcome, accepted, rejects)
                    progress(run)
            finally:
                run.stats.requests = client.requests
                run.stats.retries = client.retries
    finally:
        accepted.close()
        rejects.close()


def _progress_bar(run: _Run, enabled: bool):
    """A rich progress bar (accepted / rejected / rate / ETA); returns (context, update)."""
    if not enabled:
        return contextlib.nullcontext(), lambda run: None
    bar = make_progress(TextColumn("[green]{task.fields[ok]} ok[/] [red]{task.fields[bad]} rejected[/]"),
                        TextColumn("{task.fields[rate]}/s"))
    task = bar.add_task("generate", total=run.n, completed=run.stats.settled, ok=run.stats.accepted,
                        bad=run.stats.settled - run.stats.accepted, rate="-")
    start, base = time.monotonic(), run.stats.settled

    def update(run: _Run) -> None:
        s = run.stats
        elapsed = max(1e-9, time.monotonic() - start)
        bar.update(task, completed=s.settled, ok=s.accepted, bad=s.settled - s.accepted,
                   rate=f"{(s.settled - base) / elapsed:.1f}")

    return bar, update


@locked("out")
def generate_llm_corpus(out: str | os.PathLike, n: int, seed: int, client_config: Endpoint, *,
                        words: WordLists | str | os.PathLike | None = None,
                        template: PromptTemplate | str | os.PathLike | None = None, instruct: bool = False,
                        max_features: int = 3, max_offvocab: float = 0.15, near_dup_threshold: float = 0.7,
                        abort_after: int | None = None, progress: bool = True) -> GenStats:
    """Generate stories 0..n-1 into `out` (JSONL corpus), resumably; return the counts.

    - `words`: a `WordLists`, a word-list file, or None for the built-in vocabulary;
      the vocabulary also decides which words count as off-vocabulary.
    - `template`: a prompt template (`PromptTemplate` or file), or None for the default.
    - `instruct`: ask for a one-line summary too, and write TinyStories-Instruct texts.
    - `max_offvocab`: reject stories with a larger share of unknown words.
    - `near_dup_threshold`: estimated Jaccard similarity of 5-word shingles at which a
      story counts as a near duplicate of an accepted one.
    - `abort_after`: stop (StorylabError, resumable) when this many requests in a row got
      no answer; default max(10, 2 x in-flight).
    """
    if n < 1:
        raise StorylabError(f"--n must be at least 1, got {n}")
    if not 0 <= max_offvocab <= 1:
        raise StorylabError(f"--max-offvocab is a fraction between 0 and 1, got {max_offvocab}")
    if not 0 < near_dup_threshold <= 1:
        raise StorylabError(f"--near-dup is a similarity in (0, 1], got {near_dup_threshold}")
    if client_config.max_retries < 0 or client_config.in_flight < 1 or max_features < 0:
        raise StorylabError("max_retries must be >= 0, in_flight >= 1 and max_features >= 0")
    from urllib.parse import urlsplit

    url = urlsplit(client_config.base_url or "")
    if url.scheme not in ("http", "https") or not url.netloc:
        raise StorylabError(f"--base-url must be an http(s) URL such as http://localhost:8000/v1, "
                            f"got {client_config.base_url!r}")
    client_config.make_client()  # bad URL or missing key: fail now, before any file is touched
    if not isinstance(words, WordLists):
        words = load_word_lists(words)
    if template is not None and not isinstance(template, PromptTemplate):
        template = PromptTemplate.from_file(template)
    run = _Run(RunFiles(out), n, seed, client_config, words, template, instruct, max_features, max_offvocab,
               DuplicateIndex(threshold=near_dup_threshold), abort_after or max(10, 2 * client_config.in_flight))
    state = run.check_state()
    pending = run.load()
    files = run.files
    if pending or not (state and state.get("status") == "done" and files.out.exists()):
        run.write_state("running")       # first the manifest, then the data file moves
        if files.out.exists():
            os.replace(files.out, files.partial)
    started = time.monotonic()
    if pending:
        context, update = _progress_bar(run, progress)
        with context:
            asyncio.run(_generate(run, pending, update))
        if run.answered == 0:  # not one answer: the endpoint is not usable, say so
            raise run.give_up()
    run.stats.seconds = time.monotonic() - started
    if files.partial.exists():
        os.replace(files.partial, files.out)  # first the data file, then the manifest says done
    elif not files.out.exists():
        files.out.touch()
    run.write_state("done")
    run.stats.done = True
    return run.stats
