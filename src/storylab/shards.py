"""Token shards: `prepare` turns a corpus into a data directory that training reads.

``tokenizer.json``, ``train.bin``, ``val.bin`` (flat uint16/uint32 arrays, each story
followed by the end-of-text token) and ``index.json``. The index is written last: a
directory without it is incomplete. Corpora are streamed twice (tokenizer training,
then encoding); memory stays at what the tokenizer trainer itself needs.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from storylab.corpus.records import read_corpus
from storylab.errors import StorylabError
from storylab.io import require_file, write_json
from storylab.progress import progress as make_progress
from storylab.tokenizer import EOT, load_tokenizer, token_dtype, tokenizer_hash, train_tokenizer

ENCODE_BATCH = 512


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


def _stories(corpus: Path, seed: int, val_fraction: float, split: str | None = None) -> Iterator[tuple[str, str]]:
    for i, rec in enumerate(read_corpus(corpus)):
        sid = str(rec.get("id") or i)
        s = "val" if in_val(sid, seed, val_fraction) else "train"
        if split is None or s == split:
            yield s, rec["text"]


def tokenizer_for_corpus(corpus: Path):
    """A fixed tokenizer when the corpus says what it is (its first record's ``meta["game"]``:
    move sequences get one token per move), else None: train a BPE."""
    first = next(read_corpus(corpus), None)
    if first is None or not (first.get("meta") or {}).get("game"):
        return None
    from storylab.games import tokenizer_for_meta

    return tokenizer_for_meta(first["meta"])


def prepare(corpus: str | os.PathLike, out: str | os.PathLike, vocab_size: int = 4096, val_fraction: float = 0.05,
            seed: int = 0, tokenizer: str | os.PathLike | None = None, progress: bool = True) -> PrepareStats:
    """Tokenize a corpus JSONL into `out/` (see module docstring)."""
    t0 = time.time()
    corpus = require_file(corpus, "corpus")
    if not 0 <= val_fraction < 1:
        raise StorylabError("val_fraction must be in [0, 1)")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    index_path = out / "index.json"
    if index_path.exists():
        index_path.unlink()  # the directory is incomplete until we finish
    size = corpus.stat().st_size

    # a given tokenizer, else a game's fixed move tokenizer, else a BPE trained here
    tok = load_tokenizer(tokenizer) if tokenizer is not None else tokenizer_for_corpus(corpus)
    if tok is None:
        n_train = 0

        def train_texts():
            nonlocal n_train
            for _, text in _stories(corpus, seed, val_fraction, "train"):
                n_train += 1
                yield text

        tok = train_tokenizer(train_texts(), vocab_size)
        if n_train == 0:
            raise StorylabError(f"{corpus}: no training stories (empty corpus?)")
    vocab = tok.get_vocab_size()
    eot = tok.token_to_id(EOT)
    dtype = token_dtype(vocab)
    tok.save(str(out / "tokenizer.json"))

    counts = {"train": 0, "val": 0}
    tokens = {"train": 0, "val": 0}
    nbytes = {"train": 0, "val": 0}
    tmp = {s: out / f".{s}.bin.tmp" for s in counts}
    files = {s: open(tmp[s], "wb") for s in counts}
    try:
        with make_progress(disable=not progress, bytes=True) as bar:
            task = bar.add_task("encode", total=size)
            batch: list[tuple[str, str]] = []
            done_bytes = 0

            def flush():
                nonlocal done_bytes
                texts = [t for _, t in batch]
                # encode_batch_fast skips character offsets, which shards do not need (2-3x faster)
                encode = getattr(tok, "encode_batch_fast", tok.encode_batch)
                try:
                    encs = encode(texts, add_special_tokens=False)
                except Exception as e:  # a fixed vocabulary meets a word it does not have
                    raise StorylabError(f"{corpus}: cannot encode a story ({str(e).splitlines()[0][:120]})") from None
                for (s, text), enc in zip(batch, encs):
                    ids = np.asarray(enc.ids + [eot], dtype=dtype)
                    files[s].write(ids.tobytes())
                    counts[s] += 1
                    tokens[s] += len(ids)
                    b = len(text.encode("utf-8"))
                    nbytes[s] += b
                    done_bytes += b
                bar.update(task, completed=min(done_bytes, size))
                batch.clear()

            for item in _stories(corpus, seed, val_fraction):
                batch.append(item)
                if len(batch) >= ENCODE_BATCH:
                    flush()
            if batch:
                flush()
            bar.update(task, completed=size)
    finally:
        for f in files.values():
            f.close()
    if counts["train"] == 0:
        for p in tmp.values():
            p.unlink(missing_ok=True)
        raise StorylabError(f"{corpus}: no training stories (empty corpus?)")
    for s in counts:
        os.replace(tmp[s], out / f"{s}.bin")
    stats = PrepareStats(stories=counts, tokens=tokens, vocab_size=vocab, tokenizer_hash=tokenizer_hash(tok),
                         seconds=time.time() - t0)
    write_json(index_path, {
        "format": "storylab-tokens-v1",
        "corpus": str(corpus),
        "tokenizer_hash": stats.tokenizer_hash,
        "vocab_size": vocab,
        "eot_id": eot,
        "dtype": np.dtype(dtype).name,
        "seed": seed,
        "val_fraction": val_fraction,
        "stories": counts,
        "tokens": tokens,
        "bytes": nbytes,
    })
    return stats


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
    return TokenData(path, index, tok)
