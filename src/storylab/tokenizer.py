"""Byte-level BPE tokenizers (Hugging Face `tokenizers`) and the end-of-text token.

Stories are separated by `EOT` everywhere: in TinyStories text files, in token shards
(each story followed by it), and as the first token a model sees before a story.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from itertools import chain
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


# GPT-2's pre-tokenizer pattern (what `tokenizers`' ByteLevel splits with, use_regex=True) for
# ASCII text, where \p{L} is [A-Za-z], \p{N} is [0-9] and \s is [ \t\n\v\f\r]
_ASCII_WORDS = re.compile(r"'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^A-Za-z0-9 \t\n\v\f\r]+"
                          r"|[ \t\n\v\f\r]+(?![^ \t\n\v\f\r])|[ \t\n\v\f\r]+")


class WordCacheEncoder:
    """Exact, faster encoding of text with the byte-level BPE that `train_tokenizer` builds.

    Why: for stories, `tokenizers` spends its time in its regex and in building an Encoding
    object per text, not in BPE. Stories reuse a few thousand words, so splitting ASCII text with
    the same pattern (Python's `re`) and looking each word's ids up in a dict gives the same ids
    ~2x faster per core (`benchmarks/prepare_scale.py`). Other text (non-ASCII, or containing an
    added token such as EOT) goes through the tokenizer itself. BPE merges never cross a
    pre-token boundary, so a word's ids do not depend on its neighbours."""

    def __init__(self, tok):
        self.tok = tok
        self.added = [t.content for t in tok.get_added_tokens_decoder().values()]
        self.ids = _WordIds(tok)

    @staticmethod
    def supports(tok) -> bool:
        """True for a BPE with the plain ByteLevel pre-tokenizer and nothing around it."""
        cfg = json.loads(tok.to_str())
        pre, model = cfg.get("pre_tokenizer") or {}, cfg.get("model") or {}
        return (cfg.get("normalizer") is None and cfg.get("post_processor") is None and model.get("type") == "BPE"
                and not model.get("dropout") and pre.get("type") == "ByteLevel" and pre.get("use_regex", True)
                and not pre.get("add_prefix_space"))

    def __call__(self, text: str) -> list[int]:
        if not text.isascii() or any(a in text for a in self.added):
            return self.tok.encode(text, add_special_tokens=False).ids
        return list(chain.from_iterable(map(self.ids.__getitem__, _ASCII_WORDS.findall(text))))


class _WordIds(dict):
    """word -> its token ids, filled on first sight (lookups of known words stay in C)."""

    MAX_WORDS = 1 << 20  # cleared when it grows past this (a corpus of random tokens)

    def __init__(self, tok):
        super().__init__()
        self.tok = tok

    def __missing__(self, word: str) -> list[int]:
        if len(self) >= self.MAX_WORDS:
            self.clear()
        ids = self[word] = self.tok.encode(word, add_special_tokens=False).ids
        return ids
