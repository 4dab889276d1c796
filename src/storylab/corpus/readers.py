"""Readers of other corpus layouts: TinyStories text, blank-line separated text, JSONL,
TinyStories-Instruct text, parquet and Hugging Face datasets.

Each yields raw records ``{"text", ...}`` that `import_corpus` cleans, de-duplicates
and writes. `datasets` and `pyarrow` are optional (the ``hf`` extra) and imported only
inside the functions that need them, with a clear error when missing.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import warnings
from pathlib import Path
from typing import Iterator

from storylab.corpus.instruct import parse_instruct
from storylab.errors import StorylabError
from storylab.io import iter_jsonl, require_file
from storylab.tokenizer import EOT

TEXT_FIELDS = ("text", "story", "content")       # tried in order when no field is named
PARQUET_BATCH = 8192


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


def require_module(module: str, what: str):
    try:
        return importlib.import_module(module)
    except ImportError:
        package = module.split(".")[0]
        raise StorylabError(f"{what} needs the '{package}' package: pip install 'storylab[hf]'") from None


# --- TinyStories-Instruct ------------------------------------------------------------------


def instruct_record(text: str) -> dict:
    """A corpus record for one TinyStories-Instruct text: the text itself is kept whole
    (that is what an instruct model trains on); its fields go to words/features/meta."""
    f = parse_instruct(text)
    words: dict = {}
    if f.words and len(f.words) == 3:  # TinyStories lists them as verb, noun, adjective
        words = dict(zip(("verb", "noun", "adjective"), f.words))
    meta = {"instruct": {"summary": f.summary, "random_sentence": f.random_sentence, "order": f.order}}
    if f.words and not words:
        meta["instruct"]["words"] = f.words
    return {"text": text, "words": words, "features": f.features or [], "meta": meta}


def iter_instruct(path: str | os.PathLike, stats: dict | None = None,
                  keep_whitespace: bool = False) -> Iterator[dict]:
    """Records of a TinyStories-Instruct text file (blocks ended by ``<|endoftext|>``)."""
    for i, text in enumerate(iter_tinystories(path, stats, keep_whitespace=keep_whitespace), 1):
        try:
            yield instruct_record(text)
        except StorylabError as e:
            raise StorylabError(f"{path}: story {i}: {e}") from None


# --- parquet and Hugging Face datasets --------------------------------------------------------


def _text_field(columns: list[str], text_field: str | None, origin) -> str:
    if text_field:
        if text_field not in columns:
            raise StorylabError(f"{origin}: no column {text_field!r} (columns: {', '.join(columns)})")
        return text_field
    for name in TEXT_FIELDS:
        if name in columns:
            return name
    raise StorylabError(f"{origin}: no text column (looked for {', '.join(TEXT_FIELDS)}; "
                        f"columns: {', '.join(columns)}); name one with text_field")


def _decode(value, default):
    """Corpus fields that parquet stores as JSON strings (words, meta) come back as objects."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return default
    return default if value is None else value


def row_record(row: dict, text_field: str, origin, n: int) -> dict:
    text = row.get(text_field)
    if not isinstance(text, str):
        raise StorylabError(f"{origin}: row {n} has no string {text_field!r}")
    rec = {"text": text}
    if isinstance(row.get("id"), str):
        rec["id"] = row["id"]
    if isinstance(row.get("source"), str):
        rec["source"] = row["source"]
    words, meta = _decode(row.get("words"), {}), _decode(row.get("meta"), {})
    rec["words"] = words if isinstance(words, dict) else {}
    rec["meta"] = meta if isinstance(meta, dict) else {}
    features = row.get("features")
    rec["features"] = [str(f) for f in features] if isinstance(features, (list, tuple)) else []
    return rec


def _parquet_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(path.rglob("*.parquet"))
        if not files:
            raise StorylabError(f"{path}: no .parquet files in this directory")
        return files
    if not path.exists():
        raise StorylabError(f"parquet file not found: {path}")
    return [path]


def iter_parquet(path: str | os.PathLike, text_field: str | None = None) -> Iterator[dict]:
    """Records of a parquet file, or of every ``*.parquet`` under a directory, streamed by batch."""
    pq = require_module("pyarrow.parquet", "reading parquet")
    n = 0
    for file in _parquet_files(Path(path)):
        try:
            pf = pq.ParquetFile(file)
        except Exception as e:  # pyarrow raises its own ArrowInvalid/OSError family
            raise StorylabError(f"{file}: not a readable parquet file ({type(e).__name__})") from None
        field = _text_field(pf.schema_arrow.names, text_field, file)
        for batch in pf.iter_batches(batch_size=PARQUET_BATCH):
            for row in batch.to_pylist():
                n += 1
                yield row_record(row, field, file, n)


def load_hf(src: str | os.PathLike, split: str | None = None):
    """A `datasets.Dataset` from a `save_to_disk` directory, or from the Hub by name."""
    datasets = require_module("datasets", "importing a Hugging Face dataset")
    path = Path(src)
    if path.exists():
        try:
            ds = datasets.load_from_disk(str(path))
        except Exception as e:  # FileNotFoundError or datasets' own errors for a wrong directory
            raise StorylabError(f"{path}: not a dataset saved with save_to_disk ({type(e).__name__}: {e})") from None
    else:  # a Hub name such as "roneneldan/TinyStories" (needs the network)
        try:
            ds = datasets.load_dataset(str(src), split=split or "train")
        except Exception as e:
            raise StorylabError(f"could not load dataset {src!r} from the Hugging Face Hub "
                                f"({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''})") from None
    if isinstance(ds, datasets.DatasetDict):
        names = list(ds.keys())
        chosen = split or ("train" if "train" in ds else names[0] if len(names) == 1 else None)
        if chosen not in ds:
            raise StorylabError(f"{src}: choose a split ({', '.join(names)})")
        ds = ds[chosen]
    return ds


def iter_hf(src: str | os.PathLike, split: str | None = None, text_field: str | None = None) -> Iterator[dict]:
    """Records of a Hugging Face dataset (see `load_hf`), streamed in batches."""
    ds = load_hf(src, split)
    field = _text_field(list(ds.column_names), text_field, src)
    n = 0
    for batch in ds.iter(batch_size=1024):
        columns = list(batch)
        for values in zip(*(batch[c] for c in columns)):
            n += 1
            yield row_record(dict(zip(columns, values)), field, src, n)
