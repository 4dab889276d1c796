"""The corpus record: one story per JSON line.

A corpus is JSON Lines, one story per line:
``{"id", "text", "source", "words", "features", "meta"}``. Every producer
(procedural world, LLM backend, importers) writes it and every consumer reads it.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Iterable, Iterator

from storylab.errors import StorylabError
from storylab.io import atomic_write, iter_jsonl


def text_id(text: str) -> str:
    """A stable id from the content, for stories that come without one."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def make_record(text: str, source: str, id: str | None = None, words=None, features=None, meta=None) -> dict:
    return {
        "id": id or text_id(text),
        "text": text,
        "source": source,
        "words": words or {},
        "features": list(features or []),
        "meta": meta or {},
    }


def read_corpus(path: str | os.PathLike) -> Iterator[dict]:
    """Yield corpus records; each must have a non-empty string `text`."""
    for i, rec in enumerate(iter_jsonl(path, "corpus"), 1):
        yield check_record(rec, path, i)


def check_record(rec: dict, path, i: int) -> dict:
    """`rec` (the i-th record of `path`, from 1) if it has a string `text`, else an error."""
    if not isinstance(rec.get("text"), str):
        raise StorylabError(f"{path}: record {i} has no string 'text' field")
    return rec


def write_corpus(path: str | os.PathLike, records: Iterable[dict], allow_empty: bool = False) -> int:
    """Write records atomically; returns the count. An empty corpus is an error
    (and leaves any existing file untouched) unless `allow_empty`."""
    n = 0
    with atomic_write(path) as f:
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
        if n == 0 and not allow_empty:
            raise StorylabError(f"no stories to write to {path} (empty corpus)")
    return n
