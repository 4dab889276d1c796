"""The corpus format and importers from other text layouts.

A corpus is JSON Lines, one story per line:
``{"id", "text", "source", "words", "features", "meta"}``. Every producer
(procedural world, LLM backend, importers) writes it and every consumer reads it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from storylab.errors import StorylabError
from storylab.io import atomic_write, iter_jsonl, require_file

EOT = "<|endoftext|>"
FORMATS = ("auto", "tinystories", "jsonl", "text", "instruct", "parquet", "hf")


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
        if not isinstance(rec.get("text"), str):
            raise StorylabError(f"{path}: record {i} has no string 'text' field")
        yield rec


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


# --- readers for foreign layouts -------------------------------------------------


def _decoded_lines(path: Path) -> Iterator[str]:
    """Lines of a UTF-8 file (without newline), streamed, with a clear error on bad bytes."""
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                raise StorylabError(f"{path}:{lineno}: not valid UTF-8 (byte {e.start} of the line)") from None
            if lineno == 1:
                line = line.removeprefix("\ufeff")
            yield line.rstrip("\r\n")


def iter_tinystories(path: str | os.PathLike, stats: dict | None = None,
                     keep_whitespace: bool = False) -> Iterator[str]:
    """Stories of a TinyStories text file: blocks of lines ended by a `<|endoftext|>` line.

    A last block with no separator after it is a story cut off mid-way (the file is a
    prefix); it is dropped with a warning rather than trained on as if complete.
    Stories are stripped unless `keep_whitespace` (then export gives back the same bytes).
    """
    path = require_file(path, "TinyStories text file")
    block: list[str] = []
    for line in _decoded_lines(path):
        if line.strip() == EOT:
            text = "\n".join(block)
            text = text if keep_whitespace and text.strip() else text.strip()
            block = []
            if text:
                yield text
        else:
            block.append(line)
    tail = "\n".join(block).strip()
    if tail:
        if stats is not None:
            stats["truncated"] = stats.get("truncated", 0) + 1
        warnings.warn(f"{path}: dropped a final story with no {EOT} after it ({len(tail)} chars; cut off?)")


def iter_plain_text(path: str | os.PathLike) -> Iterator[str]:
    """Stories separated by one or more blank lines."""
    path = require_file(path, "text file")
    block: list[str] = []
    for line in _decoded_lines(path):
        if line.strip():
            block.append(line)
        elif block:
            yield "\n".join(block).strip()
            block = []
    if block:
        yield "\n".join(block).strip()


def iter_jsonl_text(path: str | os.PathLike) -> Iterator[dict]:
    """Records of a JSONL file with a `text` field; other fields are kept if they fit the corpus format."""
    for i, rec in enumerate(iter_jsonl(path), 1):
        text = rec.get("text")
        if not isinstance(text, str):
            raise StorylabError(f"{path}: line {i} has no string 'text' field")
        yield rec


def detect_format(path: Path) -> str:
    if path.suffix in (".jsonl", ".json", ".ndjson"):
        return "jsonl"
    if path.suffix == ".parquet":
        return "parquet"
    with open(path, "rb") as f:
        head = f.read(1 << 20)
    if re.match(rb"(\xef\xbb\xbf)?(Summary|Words|Features|Random sentence|Story): ", head):
        return "instruct"
    return "tinystories" if EOT.encode() in head else "text"


@dataclass
class ImportStats:
    read: int = 0
    written: int = 0
    duplicates: int = 0
    empty: int = 0
    truncated: int = 0
    format: str = ""
    extra: dict = field(default_factory=dict)

    def summary(self) -> str:
        s = f"{self.written} stories written ({self.read} read, {self.duplicates} duplicates removed"
        if self.empty:
            s += f", {self.empty} empty"
        if self.truncated:
            s += f", {self.truncated} cut-off final story dropped"
        return s + f"; format {self.format})"


def import_corpus(src: str | os.PathLike, out: str | os.PathLike, fmt: str = "auto",
                  limit: int | None = None, source: str | None = None,
                  keep_whitespace: bool = False) -> ImportStats:
    """Convert a text corpus into storylab's JSONL corpus, dropping exact duplicates.

    `fmt` is one of auto | tinystories | jsonl | text | instruct | parquet | hf (a
    `save_to_disk` directory, or a Hub name when online); a directory is hf or parquet.
    `limit` keeps the first N unique stories. `keep_whitespace` keeps TinyStories /
    instruct stories byte for byte instead of stripping them.
    """
    if fmt not in FORMATS:
        raise StorylabError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "hf" or (fmt in ("auto", "parquet") and Path(src).is_dir()):
        src = Path(src)  # a dataset directory, or for hf a Hub name
        if fmt == "auto":
            fmt = "parquet" if any(src.rglob("*.parquet")) else "hf"
    else:
        src = require_file(src, "input corpus")
    if fmt == "auto":
        fmt = detect_format(src)
    stats = ImportStats(format=fmt)
    source = source or f"import:{src.name}"
    counts: dict = {}

    if fmt == "tinystories":
        raw = ({"text": t} for t in iter_tinystories(src, counts, keep_whitespace=keep_whitespace))
    elif fmt in ("instruct", "parquet", "hf"):
        from storylab.data.formats import iter_foreign

        raw = iter_foreign(src, fmt, counts, keep_whitespace=keep_whitespace)
    elif fmt == "text":
        raw = ({"text": t} for t in iter_plain_text(src))
    else:
        raw = iter_jsonl_text(src)

    seen: set[bytes] = set()

    def records() -> Iterator[dict]:
        for rec in raw:
            stats.read += 1
            text = rec["text"].strip()
            if not text:
                stats.empty += 1
                continue
            key = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
            if keep_whitespace:
                text = rec["text"]
            if key in seen:
                stats.duplicates += 1
                continue
            seen.add(key)
            stats.written += 1
            yield make_record(text, rec.get("source") or source, id=rec.get("id"), words=rec.get("words"),
                              features=rec.get("features"), meta=rec.get("meta"))
            if limit is not None and stats.written >= limit:
                return

    try:
        write_corpus(out, records())
    except StorylabError as e:
        if stats.written == 0 and "empty corpus" in str(e):
            raise StorylabError(f"{src}: no stories found (empty corpus)") from None
        raise
    stats.truncated = counts.get("truncated", 0)
    return stats
