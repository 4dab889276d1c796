"""Shared plumbing for the inspect analyses: loading a run, sampling stories, batching.

Stories are encoded the way training saw them: the end-of-text token first (it ends
the previous story in the token shards), then the story, cut to the model's context.
Batches are right-padded, which is exact for a causal model: a position never sees
the padding after it, and analyses read valid positions only.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
import torch

from storylab.tokenizer import EOT
from storylab.errors import StorylabError


def pyplot():
    """matplotlib.pyplot on the Agg backend, imported only when a plot is drawn."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def device_of(model) -> torch.device:
    return next(model.parameters()).device


@dataclass
class Story:
    """One encoded story: token ids (EOT first), each token's character span, its record."""

    ids: list[int]
    offsets: list[tuple[int, int]]
    text: str = ""
    meta: dict = field(default_factory=dict)
    id: str = ""

    def __len__(self) -> int:
        return len(self.ids)

    def token_at(self, char: int) -> int | None:
        """Index of the token covering character `char` (None if cut off by the context)."""
        return char_to_token(self.offsets, char)


def char_to_token(offsets: list[tuple[int, int]], char: int) -> int | None:
    """The token whose span holds `char`; a space before a word belongs to the word's token."""
    lo, hi = 1 if offsets and offsets[0] == (0, 0) else 0, len(offsets) - 1
    if hi < lo or char >= offsets[hi][1]:
        return None
    while lo < hi:  # first token whose end is past `char`
        mid = (lo + hi) // 2
        if offsets[mid][1] <= char:
            lo = mid + 1
        else:
            hi = mid
    return lo


def eot_id(tokenizer) -> int:
    i = tokenizer.token_to_id(EOT)
    if i is None:
        raise StorylabError(f"tokenizer has no {EOT} token")
    return i


def encode_texts(tokenizer, texts: Iterable[str], context: int, records: Iterable[dict] | None = None,
                 min_tokens: int = 2) -> list[Story]:
    """Stories from texts, EOT first, cut to `context` tokens (shorter ones dropped)."""
    texts = list(texts)
    recs = list(records) if records is not None else [{} for _ in texts]
    eot = eot_id(tokenizer)
    out = []
    for start in range(0, len(texts), 256):
        encs = tokenizer.encode_batch(texts[start:start + 256], add_special_tokens=False)
        for text, rec, enc in zip(texts[start:start + 256], recs[start:start + 256], encs):
            ids = [eot] + list(enc.ids)[: context - 1]
            offs = [(0, 0)] + [tuple(o) for o in enc.offsets[: context - 1]]
            if len(ids) >= min_tokens:
                out.append(Story(ids, offs, text, rec.get("meta") or {}, str(rec.get("id", ""))))
    return out


def batches(stories: list, batch_size: int, pad: int = 0) -> Iterator[tuple[list[int], torch.Tensor, torch.Tensor]]:
    """(indices, tokens [B, T] right-padded, lengths [B]) with stories of similar length together."""
    seqs = [s.ids if isinstance(s, Story) else list(s) for s in stories]
    order = sorted(range(len(seqs)), key=lambda i: -len(seqs[i]))
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        T = len(seqs[idx[0]])
        tokens = torch.full((len(idx), T), pad, dtype=torch.long)
        for r, i in enumerate(idx):
            tokens[r, :len(seqs[i])] = torch.tensor(seqs[i], dtype=torch.long)
        yield idx, tokens, torch.tensor([len(seqs[i]) for i in idx])


# --- where a run's stories come from --------------------------------------------


def run_dir_of(run: str | os.PathLike) -> Path:
    run = Path(run)
    if run.is_file():  # a checkpoint inside runs/NAME/checkpoints/
        run = run.parent.parent
    return run


def run_data_dir(run: str | os.PathLike) -> Path | None:
    """The prepared data directory named in the run's config.toml, if it still exists."""
    from storylab.config import load_toml

    cfg = run_dir_of(run) / "config.toml"
    if not cfg.exists():
        return None
    data = load_toml(cfg).get("data")
    if not data:
        return None
    p = Path(data)
    return p if p.is_dir() else None


def run_corpus(run: str | os.PathLike) -> tuple[Path | None, dict]:
    """(corpus JSONL the run's data was prepared from, the data index) — either may be missing."""
    d = run_data_dir(run)
    if d is None or not (d / "index.json").exists():
        return None, {}
    index = json.loads((d / "index.json").read_text())
    c = index.get("corpus")
    for cand in ([Path(c), d / Path(c).name, d.parent / Path(c).name] if c else []):
        if cand.is_file():
            return cand, index
    return None, index


def sample_records(corpus: str | os.PathLike, n: int, index: dict | None = None, prefer: str = "val") -> list[dict]:
    """Up to `n` corpus records, the run's validation stories first (streamed, bounded)."""
    from storylab.corpus import read_corpus
    from storylab.shards import in_val

    index = index or {}
    seed, frac = index.get("seed", 0), index.get("val_fraction", 0.0)
    first, rest = [], []
    for i, rec in enumerate(read_corpus(corpus)):
        is_val = frac > 0 and in_val(str(rec.get("id") or i), seed, frac)
        if is_val == (prefer == "val"):
            first.append(rec)
            if len(first) >= n:
                break
        elif len(rest) < n:
            rest.append(rec)
    return (first + rest)[:n]


def records_from_shard(run: str | os.PathLike, n: int, split: str = "val") -> list[dict]:
    """Stories decoded from the token shards, for runs whose corpus file is gone (no meta)."""
    from storylab.shards import load_data

    d = run_data_dir(run)
    if d is None:
        return []
    data = load_data(d)
    arr = data.split(split)
    if len(arr) == 0:
        arr = data.split("train")
    eot = data.index["eot_id"]
    out, start, pos = [], 0, 0
    chunk = 1 << 16
    while pos < len(arr) and len(out) < n:
        block = np.asarray(arr[pos:pos + chunk])
        for e in np.flatnonzero(block == eot):
            end = pos + int(e)
            if end > start:
                out.append({"id": f"{split}:{start}", "text": data.tokenizer.decode(arr[start:end].tolist()), "meta": {}})
            start = end + 1
            if len(out) >= n:
                break
        pos += chunk
    return out


def load_stories(run: str | os.PathLike, n: int, corpus: str | os.PathLike | None = None) -> list[dict]:
    """`n` story records for a run: from `corpus` if given, else the run's own corpus, else its shards."""
    if corpus is not None:
        return sample_records(corpus, n)
    path, index = run_corpus(run)
    if path is not None:
        return sample_records(path, n, index)
    recs = records_from_shard(run, n)
    if not recs:
        raise StorylabError(f"{run}: cannot find the run's corpus or token shards; pass --corpus")
    return recs


def load_run(run: str | os.PathLike, device: str = "cpu"):
    """(model in eval mode, tokenizer) of a run directory or checkpoint."""
    from storylab.sample import load_for_sampling

    model, tok = load_for_sampling(run, device)
    model.eval()
    return model, tok


def write_json(path: Path, obj, indent: int | None = 2) -> None:
    from storylab.io import write_json as _write

    _write(path, _plain(obj), indent=indent)


def _plain(x):
    """JSON-safe: numpy/torch scalars and arrays to Python, NaN/inf to None."""
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, torch.Tensor):
        return _plain(x.tolist())
    if isinstance(x, np.ndarray):
        return _plain(x.tolist())
    if isinstance(x, (np.floating, float)):
        x = float(x)
        return x if np.isfinite(x) else None
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.bool_):
        return bool(x)
    return x


def update_summary(out_dir: Path, key: str, value: dict) -> None:
    """Merge one analysis' headline numbers into ``inspect/summary.json``."""
    path = out_dir / "summary.json"
    summary = {}
    if path.exists():
        try:
            summary = json.loads(path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError):
            summary = {}
    summary[key] = value
    write_json(path, summary)
