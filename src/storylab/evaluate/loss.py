"""Held-out loss, perplexity and bits per byte, over every token exactly once.

The token stream is cut into non-overlapping windows of the model's context: window
``k`` feeds tokens ``[kC, (k+1)C)`` and predicts ``[kC+1, (k+1)C+1)``, so every token
after the first is predicted once, with a context that restarts at each window (the
usual "non-overlapping" evaluation; a sliding window would give lower numbers). The
last, shorter window is padded and its padding ignored. Windows are independent, so
the totals do not depend on the batch size.

Bits per byte divide the summed loss (nats) by the UTF-8 bytes of the text the tokens
encode, and by ln 2, so numbers are comparable across tokenizers:
``bpb = total_nats / total_bytes / ln 2``. Perplexity is per token and is not.
"""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from storylab.corpus.readers import iter_jsonl_text, iter_plain_text
from storylab.errors import StorylabError
from storylab.io import read_text, require_file
from storylab.shards import load_data
from storylab.tokenizer import EOT, tokenizer_hash


@dataclass
class LossResult:
    source: str          # "val split of DIR", or a file path
    tokens: int          # tokens predicted
    bytes: int           # UTF-8 bytes of the text
    nats: float          # summed cross-entropy
    windows: int
    context: int

    @property
    def loss(self) -> float:
        return self.nats / max(self.tokens, 1)

    @property
    def perplexity(self) -> float:
        return math.exp(min(self.loss, 700.0))

    @property
    def bits_per_byte(self) -> float:
        return self.nats / max(self.bytes, 1) / math.log(2)

    def as_dict(self) -> dict:
        d = asdict(self)
        d.update(loss=self.loss, perplexity=self.perplexity, bits_per_byte=self.bits_per_byte)
        return d

    def summary(self) -> str:
        return (f"loss {self.loss:.4f}, perplexity {self.perplexity:.2f}, {self.bits_per_byte:.4f} bits/byte "
                f"over {self.tokens:,} tokens ({self.source})")


@torch.no_grad()
def stream_nats(model, tokens: np.ndarray, batch_size: int = 16, progress=None) -> tuple[float, int, int]:
    """(summed nats, predicted tokens, windows) over non-overlapping context windows."""
    model.eval()
    C = model.cfg.context
    n = len(tokens)
    if n < 2:
        return 0.0, 0, 0
    device = next(model.parameters()).device
    starts = list(range(0, n - 1, C))
    total, count = 0.0, 0
    for b in range(0, len(starts), batch_size):
        chunk = starts[b:b + batch_size]
        x = torch.zeros(len(chunk), C, dtype=torch.long)
        y = torch.full((len(chunk), C), -1, dtype=torch.long)
        for r, s in enumerate(chunk):
            w = np.asarray(tokens[s:s + C + 1], dtype=np.int64)
            x[r, :len(w) - 1] = torch.from_numpy(w[:-1])
            y[r, :len(w) - 1] = torch.from_numpy(w[1:])
        x, y = x.to(device), y.to(device)
        logits = model(x).float()
        nll = F.cross_entropy(logits.view(-1, logits.size(-1)), y.view(-1), ignore_index=-1, reduction="none")
        # sum per window in float64, then over windows: independent of how windows are batched
        total += float(nll.view(len(chunk), C).double().sum(dim=1).sum())
        count += int((y >= 0).sum())
        if progress is not None:
            progress(len(chunk))
    return total, count, len(starts)


def _check_ids(model, tokens: np.ndarray, what: str) -> None:
    if len(tokens) and int(tokens.max()) >= model.cfg.vocab_size:
        raise StorylabError(f"{what}: token id {int(tokens.max())} is beyond the model's vocabulary "
                            f"({model.cfg.vocab_size}); the tokenizer does not match this model")


def split_loss(model, data_dir: str | os.PathLike, split: str = "val", batch_size: int = 16,
               tokenizer=None, progress=None) -> LossResult:
    """Loss over the whole `split` of a prepared data directory."""
    data = load_data(data_dir)
    if tokenizer is not None and tokenizer_hash(tokenizer) != data.index["tokenizer_hash"]:
        raise StorylabError(f"{data_dir}: its tokenizer does not match the run's tokenizer")
    tokens = data.split(split)
    if len(tokens) < 2:
        raise StorylabError(f"{data_dir}: the {split} split is empty (prepare with --val-fraction > 0)")
    _check_ids(model, tokens, f"{data_dir}/{split}.bin")
    nbytes = (data.index.get("bytes") or {}).get(split)
    if nbytes is None:  # older index: count the bytes of the decoded stories
        eot = data.index["eot_id"]
        arr = np.asarray(tokens)
        cuts = np.flatnonzero(arr == eot)
        nbytes, prev = 0, 0
        for c in cuts:
            nbytes += len(data.tokenizer.decode(arr[prev:c].tolist()).encode("utf-8"))
            prev = c + 1
    # tokens are stored as "story EOT story EOT ...": prepend one EOT so the first story
    # is predicted from the same context as in training
    eot = data.index["eot_id"]
    stream = np.concatenate([np.array([eot], dtype=np.int64), np.asarray(tokens, dtype=np.int64)])
    nats, count, windows = stream_nats(model, stream, batch_size, progress)
    return LossResult(f"{split} split of {data_dir}", count, int(nbytes), nats, windows, model.cfg.context)


def read_documents(path: str | os.PathLike, mode: str = "auto") -> tuple[list[str], str]:
    """Texts of an evaluation file and the mode used.

    - ``tinystories``: stories separated by ``<|endoftext|>`` lines;
    - ``jsonl``: a corpus or any JSONL with a ``text`` field;
    - ``blocks``: blank-line separated blocks, each its own document;
    - ``stream``: the whole file as one document (``auto`` picks this for plain text,
      since blank lines may separate paragraphs as well as stories).
    """
    path = require_file(path, "text file")
    if mode == "auto":
        if path.suffix in (".jsonl", ".ndjson"):
            mode = "jsonl"
        else:
            with open(path, "rb") as f:
                mode = "tinystories" if EOT.encode() in f.read(1 << 20) else "stream"
    if mode == "jsonl":
        docs = [r["text"] for r in iter_jsonl_text(path)]
    elif mode == "tinystories":
        text = read_text(path)
        docs = [d.strip() for d in text.split(EOT) if d.strip()]
    elif mode == "blocks":
        docs = list(iter_plain_text(path))
    elif mode == "stream":
        text = read_text(path)
        docs = [text] if text.strip() else []
    else:
        raise StorylabError(f"unknown text mode {mode!r}; choose auto, stream, blocks, tinystories or jsonl")
    if not docs:
        raise StorylabError(f"{path}: no text to evaluate")
    return docs, mode


def encode_documents(tokenizer, docs: list[str], eot_id: int) -> np.ndarray:
    """``EOT doc EOT doc ...`` as in training (each story preceded by end-of-text).

    Long documents are encoded in pieces cut before a blank line, so memory stays bounded."""
    parts: list[np.ndarray] = []
    for doc in docs:
        parts.append(np.array([eot_id], dtype=np.int64))
        pieces = _pieces(doc, 1 << 20)
        for enc in tokenizer.encode_batch(pieces, add_special_tokens=False):
            parts.append(np.asarray(enc.ids, dtype=np.int64))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _pieces(text: str, size: int) -> list[str]:
    if len(text) <= size:
        return [text]
    out, start = [], 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = text.rfind("\n\n", start + 1, end)
            if cut > start:
                end = cut  # the blank line starts the next piece, as a pre-tokenizer boundary
        out.append(text[start:end])
        start = end
    return out


def text_loss(model, tokenizer, path: str | os.PathLike, mode: str = "auto", batch_size: int = 16,
              progress=None) -> LossResult:
    """Loss over a text or corpus file (see `read_documents` for the layouts)."""
    docs, mode = read_documents(path, mode)
    eot = tokenizer.token_to_id(EOT)
    tokens = encode_documents(tokenizer, docs, eot)
    _check_ids(model, tokens, str(path))
    nbytes = sum(len(d.encode("utf-8")) for d in docs)
    nats, count, windows = stream_nats(model, tokens, batch_size, progress)
    return LossResult(f"{Path(path).name} ({mode})", count, nbytes, nats, windows, model.cfg.context)
