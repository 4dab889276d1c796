"""Token shards: `prepare` turns a corpus into a data directory that training reads.

``tokenizer.json``, ``train.bin``, ``val.bin`` (flat uint16/uint32 arrays, each story
followed by the end-of-text token) and ``index.json``. The index is written last: a
directory without it is incomplete. Corpora are streamed twice (tokenizer training,
then encoding); memory stays at what the tokenizer trainer itself needs. A corpus over
`TOKENIZER_SAMPLE_BYTES` trains its BPE on every k-th story (spread over the whole file); a
corpus over `PARALLEL_BYTES` is encoded in chunks by one worker process per core, written in
order, so the shards are the same for any number of workers.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import multiprocessing as mp
import os
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
from tokenizers import Tokenizer

from storylab.corpus.records import check_record, read_corpus
from storylab.errors import StorylabError
from storylab.games import tokenizer_for_meta
from storylab.io import atomic_write, parse_jsonl_line, require_file, write_json
from storylab.locks import locked
from storylab.progress import progress as make_progress
from storylab.tokenizer import (EOT, WordCacheEncoder, load_tokenizer, token_dtype, tokenizer_hash,
                                train_tokenizer)

CHUNK_BYTES = 4 << 20  # raw corpus lines per unit of encoding work
PARALLEL_BYTES = 32 << 20  # smaller corpora are encoded in this process (a few chunks: workers would idle)
TOKENIZER_SAMPLE_BYTES = 64 << 20  # larger corpora train the BPE on every k-th story (k = size / this)
MIN_VOCAB, MAX_VOCAB = 257, 1 << 24


def in_val(story_id: str, seed: int, val_fraction: float) -> bool:
    """Deterministic per-story split: independent of order and of the other stories."""
    h = hashlib.blake2b(f"{seed}:{story_id}".encode(), digest_size=8).digest()
    return int.from_bytes(h, "big") / 2**64 < val_fraction


@dataclass
class PrepareStats:
    stories: dict
    tokens: dict
    vocab_size: int
    tokenizer_hash: str
    seconds: float = 0.0

    def summary(self) -> str:
        return (f"{self.stories['train']} train / {self.stories['val']} val stories, "
                f"{self.tokens['train']:,} / {self.tokens['val']:,} tokens, vocab {self.vocab_size}")


def _lines(corpus: Path) -> Iterator[tuple[int, bytes]]:
    """(line number, raw line) of each non-blank line: one record each."""
    with open(corpus, "rb") as f:
        for lineno, raw in enumerate(f, 1):
            if raw.strip():
                yield lineno, raw


def _split_of(corpus: Path, lineno: int, raw: bytes, i: int, seed: int, val_fraction: float) -> tuple[str, str]:
    """(split, text) of record `i` (from 0), which is line `lineno`."""
    rec = check_record(parse_jsonl_line(raw, corpus, lineno), corpus, i + 1)
    sid = str(rec.get("id") or i)
    return ("val" if in_val(sid, seed, val_fraction) else "train"), rec["text"]


def _stories(corpus: Path, seed: int, val_fraction: float, split: str | None = None,
             every: int = 1) -> Iterator[tuple[str, str]]:
    """(split, text) of every `every`-th record (only those are parsed)."""
    for i, (lineno, raw) in enumerate(_lines(corpus)):
        if i % every == 0:
            s, text = _split_of(corpus, lineno, raw, i, seed, val_fraction)
            if split is None or s == split:
                yield s, text


def tokenizer_for_corpus(corpus: Path):
    """A fixed tokenizer when the corpus says what it is (its first record's ``meta["game"]``:
    move sequences get one token per move), else None: train a BPE."""
    first = next(read_corpus(corpus), None)
    if first is None or not (first.get("meta") or {}).get("game"):
        return None
    return tokenizer_for_meta(first["meta"])


@locked("out", kind="dir")
def prepare(corpus: str | os.PathLike, out: str | os.PathLike, vocab_size: int = 4096, val_fraction: float = 0.05,
            seed: int = 0, tokenizer: str | os.PathLike | None = None, progress: bool = True,
            workers: int | None = None) -> PrepareStats:
    """Tokenize a corpus JSONL into `out/` (see module docstring). `workers`: encoding processes
    (default: one per core for corpora over PARALLEL_BYTES, else 1 = this process)."""
    t0 = time.time()
    corpus = require_file(corpus, "corpus")
    if not 0 <= val_fraction < 1:  # (NaN fails this too)
        raise StorylabError(f"val_fraction must be in [0, 1), got {val_fraction}")
    if tokenizer is None and not MIN_VOCAB <= vocab_size <= MAX_VOCAB:
        raise StorylabError(f"vocab_size must be between {MIN_VOCAB} (the 256 bytes and {EOT}) and {MAX_VOCAB}, "
                            f"got {vocab_size}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    index_path = out / "index.json"
    index_path.unlink(missing_ok=True)  # the directory is incomplete until we finish
    # a given tokenizer, else a game's fixed move tokenizer, else a BPE trained here
    tok = load_tokenizer(tokenizer) if tokenizer is not None else tokenizer_for_corpus(corpus)
    if tok is None:
        tok = _fit_tokenizer(corpus, seed, val_fraction, vocab_size)
    with atomic_write(out / "tokenizer.json") as f:
        f.write(tok.to_str())
    counts, tokens, nbytes = _encode_shards(tok, corpus, out, seed, val_fraction, progress, workers)
    stats = PrepareStats(stories=counts, tokens=tokens, vocab_size=tok.get_vocab_size(),
                         tokenizer_hash=tokenizer_hash(tok), seconds=time.time() - t0)
    write_json(index_path, {
        "format": "storylab-tokens-v1",
        "corpus": str(corpus),
        "tokenizer_hash": stats.tokenizer_hash,
        "vocab_size": stats.vocab_size,
        "eot_id": tok.token_to_id(EOT),
        "dtype": np.dtype(token_dtype(stats.vocab_size)).name,
        "seed": seed,
        "val_fraction": val_fraction,
        "stories": counts,
        "tokens": tokens,
        "bytes": nbytes,
    })
    return stats


def _fit_tokenizer(corpus: Path | list[Path], seed: int, val_fraction: float, vocab_size: int):
    """A BPE trained on the training split only, so validation text stays unseen
    (over several corpora: on all their training splits, one after another). Past
    TOKENIZER_SAMPLE_BYTES of corpus, on every k-th story: BPE merges of a 4k vocabulary are
    settled long before a gigabyte, and training on all of it would take minutes."""
    corpora = corpus if isinstance(corpus, list) else [corpus]
    n_train = {c: 0 for c in corpora}
    every = max(1, math.ceil(sum(c.stat().st_size for c in corpora) / TOKENIZER_SAMPLE_BYTES))

    def train_texts():
        for c in corpora:
            for _, text in _stories(c, seed, val_fraction, "train", every):
                n_train[c] += 1
                yield text

    tok = train_tokenizer(train_texts(), vocab_size)
    for c, n in n_train.items():
        if n == 0:
            raise StorylabError(f"{c}: no training stories (empty corpus?)")
    return tok


@dataclass
class PrepareManyStats:
    dirs: dict  # name -> (data directory, PrepareStats)
    tokenizer_hash: str
    seconds: float = 0.0

    def summary(self) -> str:
        return (f"{len(self.dirs)} data directories sharing tokenizer {self.tokenizer_hash}: "
                + "; ".join(f"{n} {st.tokens['train']:,} train tokens" for n, (_, st) in self.dirs.items()))


def prepare_many(corpora: list, out: str | os.PathLike, vocab_size: int = 4096, val_fraction: float = 0.05,
                 seed: int = 0, tokenizer: str | os.PathLike | None = None, progress: bool = True) -> PrepareManyStats:
    """Several corpora with one tokenizer, for mixtures: ``out/<corpus stem>/`` for each
    (a data directory as `prepare` writes), the tokenizer trained over all of their
    training splits (or `tokenizer` reused), and a copy of it in ``out/tokenizer.json``."""
    t0 = time.time()
    corpora = [require_file(c, "corpus") for c in corpora]
    names = [c.name.split(".")[0] for c in corpora]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise StorylabError(f"corpora must have different file names (each becomes {out}/NAME); repeated: {', '.join(dup)}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tok = load_tokenizer(tokenizer) if tokenizer is not None else _fit_tokenizer(corpora, seed, val_fraction, vocab_size)
    tok_path = out / "tokenizer.json"
    tmp = out / f".tokenizer.json.{os.getpid()}.tmp"
    tok.save(str(tmp))
    os.replace(tmp, tok_path)
    dirs = {n: (out / n, prepare(c, out / n, val_fraction=val_fraction, seed=seed, tokenizer=tok_path,
                                 progress=progress)) for n, c in zip(names, corpora)}
    return PrepareManyStats(dirs, tokenizer_hash(tok), time.time() - t0)


def _encode_shards(tok, corpus: Path, out: Path, seed: int, val_fraction: float, progress: bool,
                   workers: int | None = None):
    """Stream the corpus into ``train.bin`` / ``val.bin`` (each story, then EOT); (stories, tokens, bytes) per split."""
    size = corpus.stat().st_size
    if workers is None:
        workers = len(os.sched_getaffinity(0)) if size >= PARALLEL_BYTES else 1
    counts, tokens, nbytes = {"train": 0, "val": 0}, {"train": 0, "val": 0}, {"train": 0, "val": 0}
    tmp = {s: out / f".{s}.bin.tmp" for s in counts}
    files = {s: open(tmp[s], "wb") for s in counts}
    try:
        with make_progress(disable=not progress, bytes=True) as bar:
            task = bar.add_task("encode", total=size)
            for done, result in _encoded(tok, corpus, seed, val_fraction, workers):
                for s, (data, n, n_tokens, n_bytes) in result.items():
                    files[s].write(data)
                    counts[s] += n
                    tokens[s] += n_tokens
                    nbytes[s] += n_bytes
                bar.advance(task, done)
            bar.update(task, completed=size)
    except OSError as e:  # a full disk: name the shard (a failed write() names no file), leave no temporaries
        for f in files.values():
            with contextlib.suppress(OSError):
                f.close()
        for p in tmp.values():
            p.unlink(missing_ok=True)
        raise OSError(e.errno, e.strerror, e.filename or str(out / "train.bin")) from None
    finally:
        for f in files.values():
            with contextlib.suppress(OSError):  # closed already when a write failed
                f.close()
    if counts["train"] == 0:
        for p in tmp.values():
            p.unlink(missing_ok=True)
        raise StorylabError(f"{corpus}: no training stories (empty corpus?)")
    for s in counts:
        os.replace(tmp[s], out / f"{s}.bin")
    return counts, tokens, nbytes


def _chunks(corpus: Path) -> Iterator[tuple[int, list[tuple[int, bytes]]]]:
    """(index of its first record, [(line number, raw line)]) of about CHUNK_BYTES each."""
    first, lines, size = 0, [], 0
    for item in _lines(corpus):
        lines.append(item)
        size += len(item[1])
        if size >= CHUNK_BYTES:
            yield first, lines
            first, lines, size = first + len(lines), [], 0
    if lines:
        yield first, lines


def _encoded(tok, corpus: Path, seed: int, val_fraction: float, workers: int):
    """(raw bytes, {split: (token bytes, stories, tokens, text bytes)}) per chunk, in file order:
    encoded here, or by `workers` processes with at most 2 chunks each in flight (the platform's
    start method, as `generate` uses: fork on Linux)."""
    if workers <= 1:
        encode = _ChunkEncoder(tok, corpus, seed, val_fraction)
        yield from map(encode, _chunks(corpus))
        return
    pool = ProcessPoolExecutor(workers, mp_context=mp.get_context(), initializer=_start_worker,
                               initargs=(tok.to_str(), str(corpus), seed, val_fraction))
    try:
        pending = deque()
        for chunk in _chunks(corpus):
            pending.append(pool.submit(_worker_encode, chunk))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    except BrokenProcessPool as e:  # a worker died (killed for memory, a signal): no traceback
        raise StorylabError(f"prepare: an encoding worker died ({e}), perhaps killed for memory; nothing was "
                            "written: free some memory and retry") from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class _ChunkEncoder:
    """Parses a chunk of corpus lines, splits it train/val and encodes each story (exact fast
    path `WordCacheEncoder` for storylab's byte-level BPE, else the tokenizer's batch encode)."""

    def __init__(self, tok, corpus: Path, seed: int, val_fraction: float):
        self.tok, self.corpus, self.seed, self.val_fraction = tok, corpus, seed, val_fraction
        self.eot, self.dtype = tok.token_to_id(EOT), token_dtype(tok.get_vocab_size())
        self.fast = WordCacheEncoder(tok) if WordCacheEncoder.supports(tok) else None

    def __call__(self, chunk) -> tuple[int, dict]:
        first, lines = chunk
        stories = [_split_of(self.corpus, lineno, raw, first + k, self.seed, self.val_fraction)
                   for k, (lineno, raw) in enumerate(lines)]
        flat = {"train": [], "val": []}
        counts, nbytes = {"train": 0, "val": 0}, {"train": 0, "val": 0}
        for (s, text), ids in zip(stories, self.encode([t for _, t in stories])):
            flat[s] += ids
            flat[s].append(self.eot)
            counts[s] += 1
            nbytes[s] += len(text.encode("utf-8"))
        return sum(len(raw) for _, raw in lines), {
            s: (np.array(flat[s], dtype=self.dtype).tobytes(), counts[s], len(flat[s]), nbytes[s]) for s in flat}

    def encode(self, texts: list[str]) -> list[list[int]]:
        if self.fast is not None:
            return [self.fast(t) for t in texts]
        try:  # encode_batch_fast skips character offsets, which shards do not need (2-3x faster)
            encode = getattr(self.tok, "encode_batch_fast", self.tok.encode_batch)
            return [e.ids for e in encode(texts, add_special_tokens=False)]
        except Exception as e:  # a fixed vocabulary (a game's moves) meets a word it does not have
            raise StorylabError(f"cannot encode a story ({str(e).splitlines()[0][:120]})") from None


_WORKER: _ChunkEncoder | None = None


def _start_worker(tok_json: str, corpus: str, seed: int, val_fraction: float) -> None:
    global _WORKER
    _WORKER = _ChunkEncoder(Tokenizer.from_str(tok_json), Path(corpus), seed, val_fraction)


def _worker_encode(chunk):
    return _WORKER(chunk)


@dataclass
class TokenData:
    """A prepared data directory, checked for consistency."""

    path: Path
    index: dict
    tokenizer: object

    def split(self, name: str) -> np.ndarray:
        return np.memmap(self.path / f"{name}.bin", dtype=self.index["dtype"], mode="r")

    @property
    def eot_id(self) -> int:
        return self.index["eot_id"]

    def documents(self, split: str, limit: int | None = None, chunk: int = 1 << 20) -> Iterator[np.ndarray]:
        """Each story's tokens (its end-of-text left out), in order, streamed from the shard."""
        arr, eot = self.split(split), self.eot_id
        start, pos, n = 0, 0, 0
        while pos < len(arr):
            for e in np.flatnonzero(np.asarray(arr[pos:pos + chunk]) == eot):
                end = pos + int(e)
                if end > start:
                    yield np.asarray(arr[start:end])
                    n += 1
                    if limit is not None and n >= limit:
                        return
                start = end + 1
            pos += chunk

    def texts(self, split: str, limit: int | None = None) -> Iterator[str]:
        """Each story's text, decoded from the shard (for when the corpus file is gone)."""
        for doc in self.documents(split, limit):
            yield self.tokenizer.decode(doc.tolist())


def load_data(path: str | os.PathLike) -> TokenData:
    path = Path(path)
    if not path.is_dir():
        raise StorylabError(f"data directory not found: {path} (run `storylab prepare` first)")
    index_path = path / "index.json"
    if not index_path.exists():
        raise StorylabError(f"{path}: no index.json (not prepared, or preparation did not finish)")
    try:
        index = json.loads(index_path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise StorylabError(f"{index_path}: corrupt index") from None
    tok = load_tokenizer(path / "tokenizer.json")
    _check_index(index_path, index, tok)
    if tokenizer_hash(tok) != index.get("tokenizer_hash"):
        raise StorylabError(f"{path}: tokenizer.json does not match the shards (hash {tokenizer_hash(tok)} "
                            f"vs {index.get('tokenizer_hash')} in index.json); re-run `storylab prepare`")
    itemsize = np.dtype(index["dtype"]).itemsize
    for s in ("train", "val"):
        f = path / f"{s}.bin"
        if not f.exists():
            raise StorylabError(f"{path}: missing {s}.bin")
        if f.stat().st_size != index["tokens"][s] * itemsize:
            raise StorylabError(f"{f}: size does not match index.json ({f.stat().st_size} bytes, expected "
                                f"{index['tokens'][s] * itemsize}); the shards are truncated or stale")
    data = TokenData(path, index, tok)
    for s in ("train", "val"):  # ids beyond the vocabulary would crash the embedding; check both ends (cheap)
        arr = data.split(s) if index["tokens"][s] else np.zeros(0, np.uint16)
        for part in (arr[:1 << 20], arr[-(1 << 20):]):
            if len(part) and int(part.max()) >= index["vocab_size"]:
                raise StorylabError(f"{path / (s + '.bin')}: token id {int(part.max())} is beyond the vocabulary "
                                    f"({index['vocab_size']}); the shards do not belong to this tokenizer")
    return data


def _check_index(index_path: Path, index, tok) -> None:
    """index.json says what the shards hold; a field that lies would crash training later."""
    def bad(msg):
        raise StorylabError(f"{index_path}: {msg}; re-run `storylab prepare`")

    if not isinstance(index, dict):
        bad("not a JSON object")
    vocab = index.get("vocab_size")
    if not isinstance(vocab, int) or isinstance(vocab, bool) or vocab != tok.get_vocab_size():
        bad(f"vocab_size {vocab!r} does not match tokenizer.json ({tok.get_vocab_size()} tokens)")
    if index.get("dtype") not in ("uint16", "uint32"):
        bad(f"dtype {index.get('dtype')!r} is not uint16 or uint32")
    if np.dtype(index["dtype"]).itemsize < np.dtype(token_dtype(vocab)).itemsize:
        bad(f"dtype {index['dtype']} cannot hold {vocab} token ids")
    if index.get("eot_id") != tok.token_to_id(EOT):
        bad(f"eot_id {index.get('eot_id')!r} is not the tokenizer's {EOT} ({tok.token_to_id(EOT)})")
    t = index.get("tokens")
    if not isinstance(t, dict) or any(not isinstance(t.get(s), int) or isinstance(t.get(s), bool) or t.get(s) < 0
                                      for s in ("train", "val")):
        bad(f"tokens {t!r} must give non-negative counts for train and val")
