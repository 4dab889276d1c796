"""Planted facts: bind a made-up word to a meaning in exactly k known stories.

Influence methods answer "which training stories made the model say that?". On real
data nobody knows the answer; here we plant it. `plant_facts` takes generated records
and, for each fact ``("zib", "purple")``, inserts the sentence "The zib is always
purple." at a sentence boundary of k chosen stories (``repeat`` times each, at different
boundaries, so a small model sees the fact often enough to learn it), shifting every
character offset in ``meta`` that lies after an insertion and recording
``meta["planted"]``. The other stories are untouched, so the set of stories carrying a
fact is exact ground truth.

Which stories get which fact depends only on (seed, fact list, n): deterministic, and
the facts never share a story.
"""

from __future__ import annotations

import json
import random
import re
from typing import Iterable, Iterator

from storylab.corpus.records import read_corpus
from storylab.errors import StorylabError
from storylab.io import atomic_write

SENTENCE = "The {word} is always {meaning}."
_OFFSET_KEYS = ("offset", "first_mention", "prompt_end")  # character offsets in the world's meta schema
_BOUNDARY = re.compile(r"(?<=[.!?])[ \n]")


def parse_facts(specs: Iterable[str]) -> list[tuple[str, str]]:
    """["zib=purple", ...] -> [("zib", "purple"), ...], checked."""
    facts = []
    for spec in specs:
        word, sep, meaning = str(spec).partition("=")
        word, meaning = word.strip(), meaning.strip()
        if not sep or not re.fullmatch(r"[A-Za-z]+", word) or not re.fullmatch(r"[A-Za-z ]+", meaning):
            raise StorylabError(f"--plant expects WORD=MEANING in letters, like zib=purple; got {spec!r}")
        if word.lower() in {w for w, _ in facts}:
            raise StorylabError(f"--plant: the word {word!r} is planted twice")
        facts.append((word.lower(), meaning))
    return facts


def choose(n: int, facts: list[tuple[str, str]], k: int, seed: int) -> dict[int, tuple[str, str]]:
    """Story index -> fact, k disjoint stories per fact out of n."""
    if k < 1:
        raise StorylabError(f"--plant-k must be at least 1, got {k}")
    if k * len(facts) > n:
        raise StorylabError(f"cannot plant {len(facts)} fact(s) in {k} stories each: only {n} stories")
    rng = random.Random(f"storylab/plant/{seed}/{n}/{facts}")
    picked = rng.sample(range(n), k * len(facts))
    return {i: facts[j // k] for j, i in enumerate(picked)}


def _shift(obj, at: int, by: int):
    """Every offset key >= `at` in a nested meta structure moves by `by`."""
    if isinstance(obj, dict):
        return {key: (v + by if key in _OFFSET_KEYS and isinstance(v, int) and v >= at else _shift(v, at, by))
                for key, v in obj.items()}
    if isinstance(obj, list):
        return [_shift(v, at, by) for v in obj]
    return obj


def plant_record(rec: dict, word: str, meaning: str, rng: random.Random, repeat: int = 1) -> dict:
    """A copy of `rec` with the fact sentence inserted after `repeat` random sentence ends
    (appended at the end when the story has fewer)."""
    text = rec["text"]
    sentence = SENTENCE.format(word=word, meaning=meaning)
    # the space/newline after . ! ? outside quotes (an even number of " before it)
    ends = [m.start() + 1 for m in _BOUNDARY.finditer(text) if text.count('"', 0, m.start()) % 2 == 0]
    points = ([rng.choice(ends)] if ends else []) if repeat == 1 else sorted(rng.sample(ends, min(repeat, len(ends))))
    meta = rec.get("meta") or {}
    for at in reversed(points):     # the new sentence starts where the next one did; later points first
        text = text[:at] + sentence + " " + text[at:]
        meta = _shift(meta, at, len(sentence) + 1)
    offsets = [at + i * (len(sentence) + 1) for i, at in enumerate(points)]
    for _ in range(repeat - len(points)):   # too few sentence ends: append
        sep = " " if text and not text.endswith((" ", "\n")) else ""
        meta = _shift(meta, len(text) + len(sep), len(sep) + len(sentence))
        text, offsets = text + sep + sentence, offsets + [len(text) + len(sep)]
    meta = {**meta, "planted": {"word": word, "meaning": meaning, "sentence": sentence, "offset": offsets[0]}}
    if repeat > 1:
        meta["planted"]["offsets"] = offsets
    return {**rec, "text": text, "meta": meta}


def plant_facts(records: Iterable[dict], n: int, facts: list[tuple[str, str]], k: int,
                seed: int = 0, repeat: int = 1) -> Iterator[dict]:
    """Stream `records` (n of them), planting each fact in k of them, `repeat` times in each."""
    if repeat < 1:
        raise StorylabError(f"--plant-repeat must be at least 1, got {repeat}")
    where = choose(n, facts, k, seed)
    for i, rec in enumerate(records):
        fact = where.get(i)
        yield plant_record(rec, *fact, random.Random(f"storylab/plant/{seed}/{i}"), repeat) if fact else rec


def plant_corpus(path, facts: list[tuple[str, str]], k: int, seed: int = 0, repeat: int = 1) -> dict:
    """Rewrite the corpus JSONL at `path` (atomically) with the facts planted; returns
    {word: [story ids]} so callers can report where each fact went."""
    n = sum(1 for _ in read_corpus(path))
    where: dict[str, list[str]] = {w: [] for w, _ in facts}
    with atomic_write(path) as f:
        for rec in plant_facts(read_corpus(path), n, facts, k, seed, repeat):
            if "planted" in (rec.get("meta") or {}):
                where[rec["meta"]["planted"]["word"]].append(rec["id"])
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return where
