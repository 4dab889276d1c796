"""Novelty of generated text against the training corpus: shared n-grams and the longest copy.

Method (no suffix array). Text is lower-cased and split into words (``[a-z0-9']+``).
Each word becomes a 64-bit hash (blake2b) and each 8-gram of words a 64-bit rolling
polynomial hash of those, computed with vectorised NumPy over the whole corpus; n-grams
never cross a story boundary. The index is the list of (8-gram hash, word position)
pairs sorted by hash, in shards of a few million words, saved as ``.npy`` files and
built once per corpus (cached next to the data, keyed by the file's size and mtime).

Queries use ``np.searchsorted``: an 8-gram of a completion is "in the corpus" when its
hash is. Longer matches are found by *extension*: the positions where the 8-gram
starting at completion word ``i`` occurs, intersected with the positions of the
8-gram at ``i+1`` shifted back by one, and so on, until the set is empty. A chain that
survives ``k`` steps is a common substring of ``8 + k`` words at a real corpus
location (exact up to 64-bit hash collisions), so

- the share of 13-grams found is the share of starts whose chain survives 5 steps,
- the longest common substring (in words) is ``8 + max k``, or below 8 (reported as
  0) when no 8-gram is shared.

Memory: 16 bytes per corpus word while building one shard, and the shards are
memory-mapped for queries, so the corpus need not fit in memory.

What to compare against (`index_for_reference`, the ``--novelty-corpus`` of `storylab eval`):

- a **run directory**: that run's training split, decoded from its token shards (exactly
  what that model saw); held-out validation stories give the scale;
- a prepared **data directory** (``index.json``): its training split, the same way;
- a **corpus JSONL** (``.jsonl``/``.ndjson``, one ``{"text": ...}`` per line): every story;
- a **TinyStories text file** (stories separated by ``<|endoftext|>`` lines): every story;
  any other text file is split at blank lines.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from storylab.errors import StorylabError
from storylab.evaluate.loss import read_documents
from storylab.io import write_json
from storylab.rundir import RunDir
from storylab.shards import load_data

N = 8
INDEX_VERSION = 1
SHARD_WORDS = 8_000_000
_WORD = re.compile(r"[a-z0-9']+")
_P = np.uint64(0x100000001B3)  # FNV prime: odd, so multiplication mod 2^64 is invertible


def words_of(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("\u2019", "'"))


class _WordHasher:
    def __init__(self):
        self.cache: dict[str, int] = {}

    def __call__(self, words: list[str]) -> np.ndarray:
        c = self.cache
        out = np.empty(len(words), dtype=np.uint64)
        for i, w in enumerate(words):
            h = c.get(w)
            if h is None:
                h = c[w] = int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(), "little")
            out[i] = h
        return out


def ngram_hashes(ids: np.ndarray, n: int = N) -> np.ndarray:
    """Rolling hash of every n-gram of a uint64 word-hash array (length len-n+1)."""
    m = len(ids) - n + 1
    if m <= 0:
        return np.zeros(0, dtype=np.uint64)
    h = np.zeros(m, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(n):
            h = h * _P + ids[j:j + m]
    return h


@dataclass
class NgramIndex:
    path: Path
    meta: dict
    shards: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)

    @classmethod
    def build(cls, texts: Iterable[str], out: str | os.PathLike, source: dict | None = None,
              shard_words: int = SHARD_WORDS, progress=None) -> "NgramIndex":
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        for old in out.glob("shard_*.npy"):
            old.unlink()
        (out / "meta.json").unlink(missing_ok=True)  # incomplete until written again
        hasher = _WordHasher()
        buf: list[np.ndarray] = []
        buf_words = 0
        pos = 0
        n_shards = stories = words_total = grams_total = 0

        def flush():
            nonlocal buf, buf_words, n_shards, grams_total
            if not buf:
                return
            hs, ps = [], []
            for start, ids in buf:
                g = ngram_hashes(ids)
                hs.append(g)
                ps.append(np.arange(start, start + len(g), dtype=np.uint64))
            h = np.concatenate(hs)
            p = np.concatenate(ps)
            order = np.argsort(h, kind="stable")
            np.save(out / f"shard_{n_shards:04d}_h.npy", h[order])
            np.save(out / f"shard_{n_shards:04d}_p.npy", p[order])
            grams_total += len(h)
            n_shards += 1
            buf, buf_words = [], 0

        for text in texts:
            ws = words_of(text)
            stories += 1
            if progress is not None:
                progress(1)
            if not ws:
                continue
            ids = hasher(ws)
            buf.append((pos, ids))
            pos += len(ws) + N  # a gap: no chain can run from one story into the next
            words_total += len(ws)
            buf_words += len(ws)
            if buf_words >= shard_words:
                flush()
        flush()
        meta = {"version": INDEX_VERSION, "n": N, "shards": n_shards, "stories": stories, "words": words_total,
                "ngrams": grams_total, "source": source or {}}
        write_json(out / "meta.json", meta)
        return cls.load(out)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "NgramIndex":
        path = Path(path)
        try:
            meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            raise StorylabError(f"{path}: not a complete n-gram index (no meta.json)") from None
        shards = []
        for k in range(meta["shards"]):
            shards.append((np.load(path / f"shard_{k:04d}_h.npy", mmap_mode="r"),
                           np.load(path / f"shard_{k:04d}_p.npy", mmap_mode="r")))
        return cls(path, meta, shards)

    def positions(self, h: int) -> np.ndarray:
        """Sorted corpus positions of the 8-gram with hash `h`."""
        key = np.uint64(h)
        parts = []
        for hs, ps in self.shards:
            lo = int(np.searchsorted(hs, key, "left"))
            hi = int(np.searchsorted(hs, key, "right"))
            if hi > lo:
                parts.append(np.asarray(ps[lo:hi]))
        if not parts:
            return np.zeros(0, dtype=np.uint64)
        return np.sort(np.concatenate(parts)) if len(parts) > 1 else parts[0]

    def contains(self, hashes: np.ndarray) -> np.ndarray:
        found = np.zeros(len(hashes), dtype=bool)
        for hs, _ in self.shards:
            if len(hs) == 0:
                continue
            idx = np.searchsorted(hs, hashes)
            idx = np.minimum(idx, len(hs) - 1)
            found |= np.asarray(hs[idx]) == hashes
        return found

    def analyze(self, text: str, max_extension: int = 1000) -> dict:
        """Shares of 8- and 13-grams found, and the longest common substring in words."""
        ws = words_of(text)
        g = ngram_hashes(_WordHasher()(ws)) if len(ws) >= N else np.zeros(0, dtype=np.uint64)
        found = self.contains(g)
        ext = np.full(len(g), -1, dtype=np.int64)
        cache: dict[int, np.ndarray] = {}

        def pos(i: int) -> np.ndarray:
            if i not in cache:
                cache[i] = self.positions(int(g[i]))
            return cache[i]

        for i in np.flatnonzero(found):
            s = pos(i)
            k = 0
            while i + k + 1 < len(g) and found[i + k + 1] and k < max_extension:
                nxt = pos(i + k + 1) - np.uint64(k + 1)
                s = s[np.isin(s, nxt, assume_unique=False)]
                if len(s) == 0:
                    break
                k += 1
            ext[i] = k
        n13 = max(0, len(ws) - 12)
        best = int(ext.max()) if len(ext) and ext.max() >= 0 else -1
        start = int(ext.argmax()) if best >= 0 else 0
        lcs = best + N if best >= 0 else 0
        return {"words": len(ws), "ngrams8": len(g), "found8": int(found.sum()),
                "ngrams13": n13, "found13": int((ext[:n13] >= 5).sum()) if n13 else 0,
                "lcs_words": lcs, "lcs_text": " ".join(ws[start:start + lcs]) if lcs else ""}


def _stories_from_tokens(data) -> Iterator[str]:
    """The training split's stories, decoded from train.bin (exactly what the model saw)."""
    arr = np.asarray(data.split("train"))
    eot = data.index["eot_id"]
    cuts = np.flatnonzero(arr == eot)
    prev = 0
    batch: list[list[int]] = []
    for c in cuts:
        batch.append(arr[prev:c].tolist())
        prev = int(c) + 1
        if len(batch) >= 1024:
            yield from data.tokenizer.decode_batch(batch)
            batch = []
    if prev < len(arr):
        batch.append(arr[prev:].tolist())
    if batch:
        yield from data.tokenizer.decode_batch(batch)


def index_for_data(data_dir: str | os.PathLike, cache_dir: str | os.PathLike | None = None,
                   rebuild: bool = False, progress=None) -> NgramIndex:
    """The n-gram index of a prepared data directory's train split, built once and cached
    in ``DATA/novelty/`` (or `cache_dir`)."""
    data = load_data(data_dir)
    train = Path(data_dir) / "train.bin"
    st = train.stat()
    source = {"kind": "data", "path": str(Path(data_dir).resolve()), "bytes": st.st_size,
              "mtime": int(st.st_mtime), "tokenizer_hash": data.index.get("tokenizer_hash")}
    out = Path(cache_dir) if cache_dir else Path(data_dir) / "novelty"
    return _cached(out, source, lambda: _stories_from_tokens(data), rebuild, progress)


def index_for_corpus(corpus: str | os.PathLike, cache_dir: str | os.PathLike | None = None,
                     rebuild: bool = False, progress=None, mode: str = "auto") -> NgramIndex:
    """The n-gram index of any corpus or text file (all of it), cached beside it or in `cache_dir`;
    `mode` is how the file splits into stories (`storylab.evaluate.loss.read_documents`)."""
    corpus = Path(corpus)
    if not corpus.exists():
        raise StorylabError(f"corpus not found: {corpus}")
    st = corpus.stat()
    source = {"kind": "file", "path": str(corpus.resolve()), "bytes": st.st_size, "mtime": int(st.st_mtime),
              **({"mode": mode} if mode != "auto" else {})}
    out = Path(cache_dir) if cache_dir else corpus.parent / f".{corpus.name}.novelty"
    return _cached(out, source, lambda: iter(read_documents(corpus, mode)[0]), rebuild, progress)


@dataclass
class Reference:
    """What novelty is measured against: the index, and what it was built from."""

    index: NgramIndex
    kind: str                       # run | data | jsonl | tinystories | text
    path: Path
    data_dir: Path | None = None    # for run/data: where held-out stories come from

    def describe(self) -> dict:
        return {"kind": self.kind, "path": str(self.path), "stories": self.index.meta.get("stories"),
                "words": self.index.meta.get("words")}


REFERENCE_KINDS = ("a corpus JSONL, a TinyStories text file (stories separated by <|endoftext|> lines) "
                   "or a run directory")


def index_for_reference(ref, cache_dir: str | os.PathLike | None = None,
                        fallback_cache: str | os.PathLike | None = None, rebuild: bool = False,
                        progress=None) -> Reference:
    """The n-gram index of `ref`: a `RunDir` or a path to a run directory, a data directory, a
    corpus JSONL or a TinyStories text file (see the module docstring).

    Indexes of a run's data live in ``DATA/novelty/`` (shared by every run of that data) unless
    it cannot be written; a file's index goes to `cache_dir`, else ``fallback_cache/NAME-HASH``
    (the caller's own directory, e.g. ``RUN/eval/novelty_index``), else beside the file."""
    if isinstance(ref, RunDir):
        return _run_reference(ref, ref.path, cache_dir, fallback_cache, rebuild, progress)
    path = Path(ref)
    if not path.exists():
        raise StorylabError(f"novelty corpus not found: {path} (it takes {REFERENCE_KINDS})")
    if path.is_dir():
        if (path / "index.json").is_file() and (path / "train.bin").exists():
            cache = _writable(cache_dir, path / "novelty", fallback_cache, path)
            return Reference(index_for_data(path, cache, rebuild, progress), "data", path, path)
        if (path / "checkpoints").is_dir() or (path / "config.toml").is_file():
            return _run_reference(RunDir.open(path), path, cache_dir, fallback_cache, rebuild, progress)
        raise StorylabError(f"{path}: a directory, but not a run directory (no checkpoints/ or config.toml) "
                            f"nor prepared data (no index.json); --novelty-corpus takes {REFERENCE_KINDS}")
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        kind = "jsonl"
    else:
        with open(path, "rb") as f:
            head = f.read(1 << 20)
        if b"\x00" in head:
            raise StorylabError(f"{path}: a binary file; --novelty-corpus takes {REFERENCE_KINDS}")
        kind = "tinystories" if b"<|endoftext|>" in head else "text"
    mode = {"jsonl": "jsonl", "tinystories": "tinystories", "text": "blocks"}[kind]
    if cache_dir is None and fallback_cache is not None:
        tag = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:10]
        cache_dir = Path(fallback_cache) / f"{path.name}-{tag}"
    return Reference(index_for_corpus(path, cache_dir, rebuild, progress, mode=mode), kind, path)


def _run_reference(info: RunDir, path: Path, cache_dir, fallback_cache, rebuild, progress) -> Reference:
    d = info.data_dir
    if d is None or not (d / "index.json").is_file():
        raise StorylabError(f"{path}: that run's training data ({d}) is not there to check novelty against; "
                            f"pass --novelty-corpus with the corpus it was prepared from")
    cache = _writable(cache_dir, d / "novelty", fallback_cache, d)
    return Reference(index_for_data(d, cache, rebuild, progress), "run", path, d)


def _writable(cache_dir, preferred: Path, fallback, data_dir: Path) -> Path:
    """`cache_dir` if given, else `preferred` if we can write there, else a directory under `fallback`."""
    if cache_dir is not None:
        return Path(cache_dir)
    try:
        preferred.mkdir(exist_ok=True)
        probe = preferred / f".probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
        return preferred
    except OSError:
        if fallback is None:
            raise StorylabError(f"cannot write the n-gram index to {preferred} (read-only?); pass a cache "
                                f"directory") from None
        tag = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:10]
        return Path(fallback) / f"data-{tag}"


def _cached(out: Path, source: dict, texts, rebuild: bool, progress) -> NgramIndex:
    if not rebuild and (out / "meta.json").exists():
        try:
            idx = NgramIndex.load(out)
            if idx.meta.get("version") == INDEX_VERSION and idx.meta.get("source") == source:
                return idx
        except (StorylabError, OSError, ValueError):
            pass
    try:
        return NgramIndex.build(texts(), out, source, progress=progress)
    except PermissionError:
        raise StorylabError(f"cannot write the n-gram index to {out} (read-only?); pass a cache directory") from None


def novelty(index: NgramIndex, texts: list[str], reference: list[str] | None = None) -> dict:
    """Aggregate novelty of `texts` (and of `reference` texts, e.g. held-out stories, for scale)."""
    def agg(ts: list[str]) -> dict:
        per = [index.analyze(t) for t in ts]
        f8 = sum(p["found8"] for p in per)
        n8 = sum(p["ngrams8"] for p in per)
        f13 = sum(p["found13"] for p in per)
        n13 = sum(p["ngrams13"] for p in per)
        lcs = [p["lcs_words"] for p in per]
        best = max(range(len(per)), key=lambda i: per[i]["lcs_words"]) if per else None
        return {"texts": len(ts), "share8": f8 / n8 if n8 else float("nan"),
                "share13": f13 / n13 if n13 else float("nan"),
                "lcs_mean": sum(lcs) / len(lcs) if lcs else float("nan"),
                "lcs_median": float(np.median(lcs)) if lcs else float("nan"), "lcs_max": max(lcs) if lcs else 0,
                "longest_copy": per[best]["lcs_text"] if best is not None else "",
                "per_text": per}
    out = {"method": "8-gram hash index + positional extension", "index": {k: v for k, v in index.meta.items()
                                                                           if k != "source"},
           "corpus": index.meta.get("source", {}).get("path"), "completions": agg(texts)}
    if reference:
        out["reference"] = agg(reference)
    return out
