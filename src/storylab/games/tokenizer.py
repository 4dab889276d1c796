"""Move tokens: one token per square, one for a pass, and the end-of-text token (id 0).

A Hugging Face `tokenizers` WordLevel model over whitespace-separated words, so the
tokenizer.json it saves loads, encodes and decodes like any other storylab tokenizer
(`load_tokenizer`, `sample`, `RunDir`) and decoding joins moves with spaces again.
Ids: 0 = ``<|endoftext|>`` (the end of a game), 1 = ``pass``, 2 + square index.
"""

from __future__ import annotations

import math

from tokenizers import Tokenizer, decoders, models, pre_tokenizers

from storylab.errors import StorylabError
from storylab.games.othello import PASS, SIZES, square_names
from storylab.tokenizer import EOT

PASS_ID = 1
SQUARE0 = 2


def move_tokenizer(n: int) -> Tokenizer:
    """The move tokenizer of an n×n board (n² + 2 tokens)."""
    if n not in SIZES:
        raise StorylabError(f"board size must be one of {', '.join(map(str, SIZES))}, got {n}")
    vocab = {EOT: 0, PASS: PASS_ID, **{s: SQUARE0 + i for i, s in enumerate(square_names(n))}}
    tok = Tokenizer(models.WordLevel(vocab, unk_token=None))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.decoder = decoders.WordPiece(prefix="##", cleanup=False)  # joins words with single spaces
    tok.add_special_tokens([EOT])
    return tok


def board_of_tokenizer(tok) -> int | None:
    """The board size if `tok` is a move tokenizer (exactly its vocabulary), else None."""
    V = tok.get_vocab_size()
    n = math.isqrt(max(V - 2, 0))
    if n not in SIZES or n * n + 2 != V:
        return None
    vocab = tok.get_vocab()
    if vocab.get(EOT) != 0 or vocab.get(PASS) != PASS_ID:
        return None
    names = square_names(n)
    return n if all(vocab.get(s) == SQUARE0 + i for i, s in enumerate(names)) else None


def token_of(index: int, n: int) -> int:
    """Token id of a move index as the rules engine numbers them (square, n² pass, n²+1 end)."""
    if index < n * n:
        return SQUARE0 + index
    return PASS_ID if index == n * n else 0
