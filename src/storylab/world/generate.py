"""Generating stories: one record per (seed, index), and whole corpora in parallel."""

from __future__ import annotations

import json
import math
import multiprocessing as mp
import os
import random
import time
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from storylab.corpus import make_record
from storylab.errors import StorylabError
from storylab.io import atomic_write
from storylab.locks import locked
from storylab.world.model import World
from storylab.world.story import Story

SOURCE = "procedural"
_MAX_WORDS, _TRIES = 242, 6  # words before the realiser's optional ones (about 4% more)
_RETRY_SLACK = 8  # a replanned (short) story may run this many words longer: most then fit at the second try
_CHUNK = 1000


class StoryRandom(random.Random):
    """`random.Random` with `choice`, `randint` and `sample` written out: a story draws ~110 choices, 4 randints
    and 4 samples, and the library's go through several Python calls a draw (sample: and an ABC check).
    The same draws as the library's (its rejection sampling over `getrandbits`), so a story's stream is
    unchanged."""

    def choice(self, seq):
        n = len(seq)
        if not n:
            raise IndexError("Cannot choose from an empty sequence")
        k = n.bit_length()
        r = self.getrandbits(k)
        while r >= n:
            r = self.getrandbits(k)
        return seq[r]

    def randint(self, a, b):
        if type(a) is not int or type(b) is not int or b < a:
            return super().randint(a, b)  # (its errors)
        n = b - a + 1
        k = n.bit_length()
        r = self.getrandbits(k)
        while r >= n:
            r = self.getrandbits(k)
        return a + r

    def sample(self, population, k, *, counts=None):
        n = len(population)
        if counts is not None or type(population) not in (list, tuple) or not 0 <= k <= n:
            return super().sample(population, k, counts=counts)
        getrandbits, out = self.getrandbits, []
        if n <= 21 + (4 ** math.ceil(math.log(k * 3, 4)) if k > 5 else 0):  # (the library's choice of method)
            pool = list(population)
            for left in range(n, n - k, -1):  # draw from the first `left`, move the last of them into the gap
                b = left.bit_length()
                j = getrandbits(b)
                while j >= left:
                    j = getrandbits(b)
                out.append(pool[j])
                pool[j] = pool[left - 1]
        else:
            b, picked = n.bit_length(), set()
            for _ in range(k):
                j = getrandbits(b)
                while j >= n or j in picked:
                    j = getrandbits(b)
                picked.add(j)
                out.append(population[j])
        return out


def story_rng(seed: int, index: int) -> random.Random:
    """The random stream for story `index` of `seed`: independent of every other story."""
    return StoryRandom(f"storylab/procedural/{seed}/{index}")


def write_story(seed: int, index: int, words: dict | None = None, features: list[str] | None = None) -> Story:
    """Story `index` of `seed`, written: ``.record`` is (text, words, features, meta) and
    ``.state`` its world state, whose ``.events`` `storylab.world.state.check` replays."""
    rng = story_rng(seed, index)
    plot = None
    for k in range(_TRIES):  # a plan that came out too long is replanned (same stream: deterministic)
        st = Story(World.get(), rng, words, features)
        if plot:
            st.flags["plot"] = plot
        if k >= 1:  # the second try on: a short story, the plot's beats and nothing optional
            st.flags["budget"] = 100
            if features is None and k >= 3:  # and, from the fourth, no optional features (the record says so)
                st.features = [f for f in st.features if f not in ("Foreshadowing", "MoralValue", "Twist")]
                st.f = set(st.features)
        st.record = st.build(_MAX_WORDS + (_RETRY_SLACK if k else 0) if k < _TRIES - 1 else None)
        if st.record is not None:
            break
        plot = st.flags["plot"]
        st.free()  # (a story that was too long is not read again)
    return st


def make_story(seed: int, index: int, words: dict | None = None, features: list[str] | None = None) -> dict:
    """Story `index` of `seed` as a corpus record. `words`/`features` override the random draw."""
    st = write_story(seed, index, words, features)
    text, w, feats, meta = st.record
    st.free()  # (only its record is kept)
    return make_record(text, SOURCE, id=f"proc-{seed}-{index}", words=w, features=feats, meta=meta)


def _check(n: int, seed, start: int = 0) -> None:
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise StorylabError(f"number of stories must be a positive integer, got {n!r}")
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise StorylabError(f"seed must be an integer, got {seed!r}")
    if not isinstance(start, int) or start < 0:
        raise StorylabError(f"start index must be a non-negative integer, got {start!r}")


def generate_stories(n: int, seed: int, start: int = 0) -> Iterator[dict]:
    """Stories start .. start+n-1 of `seed`, as corpus records (source "procedural")."""
    _check(n, seed, start)
    for i in range(start, start + n):
        yield make_story(seed, i)


def _chunk_lines(args: tuple[int, int, int]) -> tuple[int, list[str], int]:
    """Worker: JSON lines for stories [start, start+count) of seed, plus their word count."""
    seed, start, count = args
    lines, words = [], 0
    for i in range(start, start + count):
        rec = make_story(seed, i)
        words += len(rec["text"].split())
        lines.append(json.dumps(rec, ensure_ascii=False))
    return count, lines, words


@dataclass
class GenerateStats:
    n: int
    out: str
    seed: int
    workers: int
    seconds: float
    words: int = 0
    extra: dict = field(default_factory=dict)

    def summary(self) -> str:
        rate = self.n / self.seconds if self.seconds > 0 else float("inf")
        return (f"{self.n} stories written to {self.out} (seed {self.seed}, {self.workers} worker"
                f"{'s' if self.workers != 1 else ''}, {rate:,.0f} stories/s, "
                f"{self.words / max(self.n, 1):.0f} words/story)")


def _chunks(seed: int, n: int, size: int) -> Iterable[tuple[int, int, int]]:
    for s in range(0, n, size):
        yield seed, s, min(size, n - s)


@locked("out")
def generate_corpus(out: str | os.PathLike, n: int, seed: int, workers: int | None = None,
                    progress: bool = True) -> GenerateStats:
    """Write `n` procedural stories of `seed` to `out` (JSONL, atomically).

    Story i depends only on (seed, i), and chunks are written in order, so the file is
    byte-identical for any number of worker processes. `workers=None` uses every core
    (one process for small corpora, where starting workers costs more than it saves).
    """
    _check(n, seed)
    if workers is None:
        workers = 1 if n < 4 * _CHUNK else min(os.cpu_count() or 1, 32)
    if not isinstance(workers, int) or workers < 1:
        raise StorylabError(f"workers must be a positive integer, got {workers!r}")
    World.get()  # load the vocabulary once, before forking, and fail early if it is broken
    t0 = time.perf_counter()
    stats = GenerateStats(n=n, out=str(out), seed=seed, workers=workers, seconds=0.0)
    size = min(_CHUNK, max(50, n // (workers * 8) or 1))
    bar = _progress(progress)
    with atomic_write(out) as f, bar:
        task = bar.add_task("generate", total=n)
        if workers == 1:
            results = map(_chunk_lines, _chunks(seed, n, size))
            pool = None
        else:
            pool = mp.get_context().Pool(workers)
            results = pool.imap(_chunk_lines, _chunks(seed, n, size))
        try:
            for count, lines, words in results:
                f.write("\n".join(lines) + "\n")
                stats.words += words
                bar.advance(task, count)
        finally:
            if pool is not None:
                pool.terminate()
                pool.join()
    stats.seconds = time.perf_counter() - t0
    return stats


def _progress(enabled: bool):
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    console=Console(stderr=True), disable=not enabled, transient=False)


def generate_skill_items(n: int, seed: int, skills: Iterable[str] | None = None, start: int = 0) -> list[dict]:
    """`n` capability-test items cut from procedural stories, deterministic for `seed`.

    Each item: ``{"id", "story_id", "skill", "prompt", "answer", "distractors", ...}``
    where ``prompt`` is the story text up to (not including) the answer; ``answer`` and
    each distractor are the candidate continuations (without the leading space, which
    ends the prompt).
    """
    _check(n, seed, start)
    wanted = set(skills) if skills else None
    items: list[dict] = []
    i = start
    while len(items) < n:
        rec = make_story(seed, i)
        for k, sk in enumerate(rec["meta"]["skills"]):
            if wanted and sk["skill"] not in wanted:
                continue
            item = {"id": f"{rec['id']}-s{k}", "story_id": rec["id"], "prompt": rec["text"][: sk["prompt_end"]]}
            item.update(sk)
            items.append(item)
            if len(items) == n:
                break
        i += 1
        if i - start > 100 * n + 1000:
            raise StorylabError(f"no stories with skills {sorted(wanted or [])} found")
    return items
