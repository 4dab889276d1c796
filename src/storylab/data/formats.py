"""More corpus layouts: TinyStories-Instruct text, parquet, Hugging Face datasets; export.

Import (used by `storylab.data.corpus.import_corpus` for ``--format instruct|parquet|hf``)
yields raw records ``{"text", ...}`` that the importer cleans, de-duplicates and writes.
Export writes a corpus as TinyStories text (``story + "\\n<|endoftext|>\\n"`` per story,
the layout of the released TinyStories files) or as parquet.

`datasets` and `pyarrow` are optional (the ``hf`` extra) and imported only inside the
functions that need them, with a clear error when missing.
"""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path
from typing import Iterator

from storylab.data.corpus import EOT, iter_tinystories, read_corpus
from storylab.data.recipe import parse_instruct
from storylab.errors import StorylabError
from storylab.io import atomic_write

EXPORT_FORMATS = ("tinystories", "parquet")
TEXT_FIELDS = ("text", "story", "content")       # tried in order when no field is named
PARQUET_BATCH = 8192


def _require(module: str, what: str):
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
    pq = _require("pyarrow.parquet", "reading parquet")
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
    datasets = _require("datasets", "importing a Hugging Face dataset")
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


def iter_foreign(src, fmt: str, stats: dict | None = None, keep_whitespace: bool = False) -> Iterator[dict]:
    """Raw records for the formats this module adds: instruct | parquet | hf."""
    if fmt == "instruct":
        return iter_instruct(src, stats, keep_whitespace=keep_whitespace)
    if fmt == "parquet":
        return iter_parquet(src)
    if fmt == "hf":
        return iter_hf(src)
    raise StorylabError(f"unknown format {fmt!r}")


# --- export ------------------------------------------------------------------------------------


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
    return n


def export_parquet(corpus: str | os.PathLike, out: str | os.PathLike) -> int:
    """Write the corpus as parquet (atomically): id, text, source, features as columns;
    words and meta as JSON strings, since their keys differ between generators."""
    pa = _require("pyarrow", "writing parquet")
    pq = _require("pyarrow.parquet", "writing parquet")
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
    return n


def export_corpus(corpus: str | os.PathLike, to: str, out: str | os.PathLike) -> int:
    """Export a storylab corpus to `to` (tinystories | parquet); returns the story count."""
    if to == "tinystories":
        return export_tinystories(corpus, out)
    if to == "parquet":
        return export_parquet(corpus, out)
    raise StorylabError(f"unknown export format {to!r}; choose one of {', '.join(EXPORT_FORMATS)}")
