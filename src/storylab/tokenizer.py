"""Byte-level BPE tokenizers (Hugging Face `tokenizers`) and the end-of-text token.

Stories are separated by `EOT` everywhere: in TinyStories text files, in token shards
(each story followed by it), and as the first token a model sees before a story.
"""

from __future__ import annotations

import hashlib
import os
from typing import Iterable

import numpy as np
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

from storylab.errors import StorylabError
from storylab.io import require_file

EOT = "<|endoftext|>"


def train_tokenizer(texts: Iterable[str], vocab_size: int = 4096, min_frequency: int = 2):
    """Train a byte-level BPE tokenizer with `<|endoftext|>` as token 0."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=min_frequency, special_tokens=[EOT],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(texts, trainer=trainer)
    return tok


def load_tokenizer(path: str | os.PathLike):
    path = require_file(path, "tokenizer")
    try:
        tok = Tokenizer.from_file(str(path))
    except Exception as e:  # tokenizers raises plain Exception subclasses
        raise StorylabError(f"{path}: not a valid tokenizer.json ({str(e).splitlines()[0][:120]})") from None
    if tok.token_to_id(EOT) is None:
        raise StorylabError(f"{path}: tokenizer has no {EOT} token")
    return tok


def tokenizer_hash(tok) -> str:
    return hashlib.sha256(tok.to_str().encode("utf-8")).hexdigest()[:16]


def token_dtype(vocab_size: int):
    return np.uint16 if vocab_size <= 1 << 16 else np.uint32
