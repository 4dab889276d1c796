"""Import any supported layout into a storylab corpus, and export one to TinyStories text or parquet.

Export writes ``story + "\\n<|endoftext|>\\n"`` per story (the layout of the released
TinyStories files) or parquet.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from storylab.corpus.readers import (
    PARQUET_BATCH,
    detect_format,
    iter_hf,
    iter_instruct,
    iter_jsonl_text,
    iter_parquet,
    iter_plain_text,
    iter_tinystories,
    require_module,
)
from storylab.corpus.records import make_record, read_corpus, write_corpus
from storylab.errors import StorylabError
from storylab.locks import locked
from storylab.io import atomic_write, require_file
from storylab.tokenizer import EOT

FORMATS = ("auto", "tinystories", "jsonl", "text", "instruct", "parquet", "hf")
EXPORT_FORMATS = ("tinystories", "parquet")


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


@locked("out")
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
    if limit is not None and limit < 1:
        raise StorylabError(f"limit must be at least 1, got {limit}")
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
    elif fmt == "instruct":
        raw = iter_instruct(src, counts, keep_whitespace=keep_whitespace)
    elif fmt == "parquet":
        raw = iter_parquet(src)
    elif fmt == "hf":
        raw = iter_hf(src)
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


def export_tinystories(corpus: str | os.PathLike, out: str | os.PathLike) -> int:
    """Write ``text + "\\n<|endoftext|>\\n"`` per story (atomically); returns the count."""
    n = 0
    with atomic_write(out) as f:
        for rec in read_corpus(corpus):
            text = rec["text"]
            if any(line.strip() == EOT for line in text.split("\n")):
                raise StorylabError(f"{corpus}: story {rec.get('id')} contains a {EOT} line; it cannot be "
                                    f"written as TinyStories text")
            f.write(text + "\n" + EOT + "\n")
            n += 1
        if n == 0:  # raised inside atomic_write: no 0-byte file, an existing one untouched
            raise StorylabError(f"{corpus}: no stories to export (empty corpus)")
    return n


def export_parquet(corpus: str | os.PathLike, out: str | os.PathLike) -> int:
    """Write the corpus as parquet (atomically): id, text, source, features as columns;
    words and meta as JSON strings, since their keys differ between generators."""
    pa = require_module("pyarrow", "writing parquet")
    pq = require_module("pyarrow.parquet", "writing parquet")
    schema = pa.schema([("id", pa.string()), ("text", pa.string()), ("source", pa.string()),
                        ("words", pa.string()), ("features", pa.list_(pa.string())), ("meta", pa.string())])
    n = 0
    with atomic_write(out, "wb") as f, pq.ParquetWriter(f, schema) as writer:
        batch: list[dict] = []
        for rec in read_corpus(corpus):
            batch.append({"id": rec.get("id"), "text": rec["text"], "source": rec.get("source"),
                          "words": json.dumps(rec.get("words") or {}, ensure_ascii=False),
                          "features": [str(x) for x in rec.get("features") or []],
                          "meta": json.dumps(rec.get("meta") or {}, ensure_ascii=False)})
            n += 1
            if len(batch) >= PARQUET_BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                batch.clear()
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
        if n == 0:
            raise StorylabError(f"{corpus}: no stories to export (empty corpus)")
    return n


@dataclass
class ExportStats:
    stories: int
    format: str
    out: Path

    def summary(self) -> str:
        return f"export: {self.stories} stories as {self.format} -> {self.out}"


@locked("out")
def export_corpus(corpus: str | os.PathLike, to: str, out: str | os.PathLike) -> ExportStats:
    """Export a storylab corpus to `to` (tinystories | parquet)."""
    writers = {"tinystories": export_tinystories, "parquet": export_parquet}
    if to not in writers:
        raise StorylabError(f"unknown export format {to!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    return ExportStats(writers[to](corpus, out), to, Path(out))
