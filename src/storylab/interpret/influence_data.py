"""What influence is computed over: queries (prompt, completion) and training windows.

A *query* is a prompt and a completion; the measured quantity is log p(completion |
prompt), the prompt preceded by the end-of-text token as every story is in training.

A *training story* is one document of the run's ``train.bin`` (in the order `prepare`
wrote it). It is seen as ``EOT story EOT`` cut into windows of the model's context, each
window one training example; a story's influence is the sum over its windows. Windows
are read from the memory-mapped shard when asked for, so the training set is streamed:
memory holds the story boundaries (two integers a story), not the tokens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from storylab.errors import StorylabError
from storylab.io import iter_jsonl

IGNORE = -100


@dataclass
class Query:
    prompt: str
    completion: str
    id: str = ""
    prompt_ids: list[int] = field(default_factory=list)
    completion_ids: list[int] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.prompt + self.completion


def read_queries(path: str | Path) -> list[Query]:
    """Queries from JSONL: one {"prompt", "completion", "id"?} per line."""
    out = []
    for i, rec in enumerate(iter_jsonl(path, "queries file"), 1):
        p, c = rec.get("prompt"), rec.get("completion")
        if not isinstance(p, str) or not isinstance(c, str):
            raise StorylabError(f"{path}: query {i} needs string fields 'prompt' and 'completion'")
        out.append(Query(p, c, str(rec.get("id") or f"q{i}")))
    if not out:
        raise StorylabError(f"{path}: no queries")
    return out


def encode_query(q: Query, tok, vocab_size: int, context: int) -> Query:
    """Tokenise a query, or say in one line why its completion cannot be scored."""
    if not q.completion.strip():
        raise StorylabError(f"query {q.id or q.prompt!r}: the completion is empty; nothing to measure")
    p = tok.encode(q.prompt, add_special_tokens=False).ids if q.prompt else []
    c = tok.encode(q.completion, add_special_tokens=False).ids
    if not c or tok.decode(c).strip() != q.completion.strip():
        raise StorylabError(f"query {q.id or q.prompt!r}: the completion {q.completion!r} cannot be tokenised by "
                            f"the run's tokenizer (it comes back as {tok.decode(c)!r})")
    bad = [t for t in p + c if t >= vocab_size]
    if bad:
        raise StorylabError(f"query {q.id or q.prompt!r}: token id {bad[0]} is outside the model's vocabulary "
                            f"({vocab_size})")
    if len(p) + len(c) > context:
        raise StorylabError(f"query {q.id or q.prompt!r}: {len(p) + len(c)} tokens, longer than the model's "
                            f"context ({context})")
    q.prompt_ids, q.completion_ids = p, c
    return q


def query_batch(queries: list[Query], eot: int) -> dict:
    """Queries as one padded batch: inputs EOT+prompt+completion[:-1], labels on the completion only."""
    n = max(len(q.prompt_ids) + len(q.completion_ids) for q in queries)
    ids = torch.full((len(queries), n), eot, dtype=torch.long)
    labels = torch.full((len(queries), n), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(queries), n), dtype=torch.long)
    for i, q in enumerate(queries):
        seq = [eot] + q.prompt_ids + q.completion_ids
        L = len(seq) - 1
        ids[i, :L] = torch.tensor(seq[:-1])
        labels[i, len(q.prompt_ids):L] = torch.tensor(q.completion_ids)
        mask[i, :L] = 1
    return {"input_ids": ids, "labels": labels, "attention_mask": mask}


class QueryDataset(torch.utils.data.Dataset):
    def __init__(self, queries: list[Query], eot: int):
        self.batch = query_batch(queries, eot)

    def __len__(self):
        return self.batch["input_ids"].shape[0]

    def __getitem__(self, i):
        return {k: v[i] for k, v in self.batch.items()}


def story_bounds(arr: np.ndarray, eot: int, limit: int | None = None, chunk: int = 1 << 20):
    """(starts, ends) of every non-empty document in a flat token array, as `TokenData.documents` sees them."""
    starts, ends = [], []
    start, pos = 0, 0
    while pos < len(arr):
        e = np.flatnonzero(np.asarray(arr[pos:pos + chunk]) == eot) + pos
        for end in e.tolist():
            if end > start:
                starts.append(start)
                ends.append(end)
                if limit is not None and len(starts) >= limit:
                    return np.asarray(starts, np.int64), np.asarray(ends, np.int64)
            start = end + 1
        pos += chunk
    return np.asarray(starts, np.int64), np.asarray(ends, np.int64)


class TrainWindows(torch.utils.data.Dataset):
    """The run's training stories as fixed-length windows, read lazily from the shard."""

    def __init__(self, arr: np.ndarray, eot: int, context: int, limit: int | None = None):
        self.arr, self.eot, self.T = arr, eot, context
        self.starts, self.ends = story_bounds(arr, eot, limit)
        lengths = self.ends - self.starts
        per = -(-(lengths + 1) // context)              # windows over L+1 targets (the story, then EOT)
        self.story = np.repeat(np.arange(len(lengths)), per)
        first = np.concatenate(([0], np.cumsum(per)[:-1]))
        self.part = np.arange(len(self.story)) - first[self.story]
        self.first = first                              # the first window of each story
        self.per = per

    @property
    def n_stories(self) -> int:
        return len(self.starts)

    def __len__(self):
        return len(self.story)

    def tokens(self, s: int) -> np.ndarray:
        return np.asarray(self.arr[self.starts[s]:self.ends[s]]).astype(np.int64)

    def windows_of(self, stories) -> np.ndarray:
        return np.concatenate([np.arange(self.first[s], self.first[s] + self.per[s]) for s in stories])

    def __getitem__(self, i):
        s, j, T = int(self.story[i]), int(self.part[i]), self.T
        seq = np.concatenate(([self.eot], self.tokens(s), [self.eot]))
        piece = seq[j * T: j * T + T + 1]
        n = len(piece) - 1
        ids = torch.full((T,), self.eot, dtype=torch.long)
        labels = torch.full((T,), IGNORE, dtype=torch.long)
        mask = torch.zeros(T, dtype=torch.long)
        ids[:n] = torch.from_numpy(piece[:-1])
        labels[:n] = torch.from_numpy(piece[1:])
        mask[:n] = 1
        return {"input_ids": ids, "labels": labels, "attention_mask": mask}

    def token_index(self, window: int, t: int, by: str = "target") -> int:
        """The story token a window position stands for: the token predicted at `t` ("target")
        or the token read at `t` ("input"); -1 for the framing end-of-text tokens."""
        j = int(self.part[window])
        k = j * self.T + t - (1 if by == "input" else 0)
        s = int(self.story[window])
        return k if 0 <= k < self.ends[s] - self.starts[s] else -1


def catalog(run, n_stories: int) -> list[dict]:
    """{"id", "planted"} for each training story, from the run's corpus when it can be matched to
    the shard (same split rule as `prepare`); ids like "train:17" when it cannot."""
    from storylab.corpus.records import read_corpus
    from storylab.shards import in_val

    path = run.corpus()
    index = run.data_index or {}
    out: list[dict] = []
    if path is not None:
        seed, frac = index.get("seed", 0), index.get("val_fraction", 0.0)
        for i, rec in enumerate(read_corpus(path)):
            sid = str(rec.get("id") or i)
            if frac > 0 and in_val(sid, seed, frac):
                continue
            if not rec["text"]:
                continue
            planted = (rec.get("meta") or {}).get("planted")
            out.append({"id": sid, "planted": planted.get("word") if isinstance(planted, dict) else None})
        if len(out) >= n_stories:
            return out[:n_stories]
    return [{"id": f"train:{i}", "planted": None} for i in range(n_stories)]


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())
