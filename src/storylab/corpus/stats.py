"""Corpus statistics: size, diversity and repetition of a set of stories.

Used by the generation benchmark to compare the procedural corpus with TinyStories,
and reusable on any corpus (e.g. to check an LLM backend for repeated stories).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from typing import Iterable

import numpy as np

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_SENT = re.compile(r'(?<=[.!?])["”]?\s+')


def words(text: str) -> list[str]:
    """Lowercase word forms (letters and inner apostrophes)."""
    return _WORD.findall(text.lower())


def sentences(text: str) -> list[str]:
    """Sentences, split after . ! ? (and a closing quote), whitespace-normalised."""
    return [" ".join(s.split()) for s in _SENT.split(text) if s.strip()]


def _distinct_ngrams(ids: np.ndarray, story_of: np.ndarray, n: int, vocab: int) -> tuple[int, int]:
    """(unique, total) n-grams that do not cross story boundaries."""
    if len(ids) < n:
        return 0, 0
    bits = max(1, int(vocab).bit_length())
    if bits * n > 63:
        raise ValueError("vocabulary too large to pack n-grams into 64 bits")
    keys = np.zeros(len(ids) - n + 1, dtype=np.int64)
    for k in range(n):
        keys = (keys << bits) | ids[k: len(ids) - n + 1 + k]
    same = story_of[: len(ids) - n + 1] == story_of[n - 1:]
    keys = keys[same]
    return int(len(np.unique(keys))), int(len(keys))


def corpus_stats(texts: Iterable[str], frequent: int = 100) -> dict:
    """Statistics of a corpus of stories.

    Returns ``{"stories", "words", "distinct_words", "mean_words", "median_words",
    "distinct_1", "distinct_2", "distinct_3", "duplicate_share", "frequent_sentence_share"}``:
    distinct-n is unique n-grams over all n-grams (within stories); duplicate_share the
    share of stories identical to an earlier one; frequent_sentence_share the share of
    sentence occurrences whose sentence occurs more than `frequent` times in the corpus.
    """
    vocab: dict[str, int] = {}
    ids: list[int] = []
    story_of: list[int] = []
    lengths: list[int] = []
    seen: set[bytes] = set()
    dups = 0
    sent_counts: Counter = Counter()
    for i, text in enumerate(texts):
        key = hashlib.blake2b(text.strip().encode("utf-8"), digest_size=16).digest()
        if key in seen:
            dups += 1
        seen.add(key)
        ws = words(text)
        lengths.append(len(ws))
        for w in ws:
            ids.append(vocab.setdefault(w, len(vocab)))
        story_of.extend([i] * len(ws))
        sent_counts.update(sentences(text))
    n = len(lengths)
    if n == 0:
        return {"stories": 0}
    arr = np.asarray(ids, dtype=np.int64)
    sto = np.asarray(story_of, dtype=np.int64)
    out = {"stories": n, "words": int(len(arr)), "distinct_words": len(vocab),
           "mean_words": float(np.mean(lengths)), "median_words": float(np.median(lengths))}
    for k in (1, 2, 3):
        u, t = _distinct_ngrams(arr, sto, k, len(vocab))
        out[f"distinct_{k}"] = u / t if t else 0.0
    out["duplicate_share"] = dups / n
    total = sum(sent_counts.values())
    out["frequent_sentence_share"] = (sum(c for c in sent_counts.values() if c > frequent) / total) if total else 0.0
    return out
