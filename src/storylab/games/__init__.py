"""Generated worlds other than stories: games whose every position has exact ground truth.

A game corpus is an ordinary corpus (one game per record, the text its moves) whose
records carry ``meta["game"]``; `prepare` then uses the game's fixed move tokenizer
instead of training a BPE (see `tokenizer_for_meta`).
"""

from __future__ import annotations

from storylab.errors import StorylabError
from storylab.games.tokenizer import board_of_tokenizer, move_tokenizer

__all__ = ["board_of_tokenizer", "move_tokenizer", "tokenizer_for_meta"]


def tokenizer_for_meta(meta: dict):
    """The fixed tokenizer for a record's ``meta`` if it names a game, else None."""
    game = (meta or {}).get("game")
    if not game:
        return None
    if game != "othello":
        raise StorylabError(f"unknown game {game!r} in the corpus meta")
    return move_tokenizer(int(meta.get("board", 8)))
