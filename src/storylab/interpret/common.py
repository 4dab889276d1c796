"""Shared plumbing for the inspect analyses: encoding stories, batching, plotting.

Stories are encoded the way training saw them: the end-of-text token first (it ends
the previous story in the token shards), then the story, cut to the model's context.
Batches are right-padded, which is exact for a causal model: a position never sees
the padding after it, and analyses read valid positions only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

import torch

from storylab.errors import StorylabError
from storylab.io import write_json
from storylab.tokenizer import EOT


def pyplot():
    """matplotlib.pyplot on the Agg backend, imported only when a plot is drawn."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


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
