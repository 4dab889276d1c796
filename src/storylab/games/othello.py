"""Othello on an n×n board (6 or 8): a rules engine, random legal games, corpus records.

Why a game: a model trained only on move sequences may still build a picture of the
board inside (Li et al. 2023; Nanda 2023). Every position's true board is known, so
probes and interventions have exact ground truth.

Conventions
- Squares are named column letter + row number, row 1 at the top: "A1" is index 0,
  index = row * n + col. Text is the move sequence, e.g. "C4 D3 pass E2 ...": one word
  per ply, "pass" when the player to move has no legal move but the game goes on. The
  game ends when neither player can move (no word is written for that).
- Black ('x') moves first; the start position has white ('o') on the top-left/bottom-
  right centre squares (D4/E5 on 8×8, C3/D4 on 6×6) and black on the other two.
- ``meta``: {"game": "othello", "board": n, "moves": [...], "boards": [one string of
  n² characters '.', 'x', 'o' per ply, the board after it], "to_move": ['x'|'o'
  per ply: who moves next, '-' after the last], "flipped": [squares each ply turned,
  as one space-separated string], "score": [black, white]}.

Speed: games are played in lockstep batches on NumPy uint64 bitboards (one array
element per game), so the Python overhead is per ply of a batch, not per move. The
random choice of game i at ply t is a hash of (seed, i, t): game i is the same in any
batch, any order, any number of workers.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator

import numpy as np

from storylab.corpus.records import make_record
from storylab.errors import StorylabError

SOURCE = "othello"
PASS = "pass"
SIZES = (4, 6, 8)
BATCH = 2048

# --- squares ---------------------------------------------------------------------------------


def square_name(index: int, n: int) -> str:
    return f"{chr(65 + index % n)}{index // n + 1}"


def square_names(n: int) -> list[str]:
    return [square_name(i, n) for i in range(n * n)]


def square_index(name: str, n: int) -> int:
    try:
        col, row = ord(name[0].upper()) - 65, int(name[1:]) - 1
    except (ValueError, IndexError):
        raise StorylabError(f"not a square name: {name!r}") from None
    if not (0 <= col < n and 0 <= row < n):
        raise StorylabError(f"square {name!r} is off a {n}x{n} board")
    return row * n + col


def _check_size(n: int) -> None:
    if n not in SIZES:
        raise StorylabError(f"board size must be one of {', '.join(map(str, SIZES))}, got {n}")


# --- bitboards ---------------------------------------------------------------------------------


@lru_cache(maxsize=None)
def _tables(n: int):
    """Shift amounts and wrap masks of the 8 directions, the full-board mask, bit values."""
    full = (1 << (n * n)) - 1
    col0 = sum(1 << (r * n) for r in range(n))
    coln = sum(1 << (r * n + n - 1) for r in range(n))
    dirs = []
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            if dr == dc == 0:
                continue
            mask = full & ~(col0 if dc == 1 else coln if dc == -1 else 0)  # where a shifted bit may land
            dirs.append((dr * n + dc, np.uint64(mask)))
    bits = np.array([1 << i for i in range(n * n)], dtype=np.uint64)
    return dirs, np.uint64(full), bits


def _shift(x: np.ndarray, s: int, mask: np.uint64) -> np.ndarray:
    return ((x << np.uint64(s)) if s > 0 else (x >> np.uint64(-s))) & mask


def legal_bits(own: np.ndarray, opp: np.ndarray, n: int) -> np.ndarray:
    """Bitboards of the squares where `own` may play (one per game)."""
    dirs, full, _ = _tables(n)
    empty = ~(own | opp) & full
    moves = np.zeros_like(own)
    for s, m in dirs:
        t = _shift(own, s, m) & opp
        for _ in range(n - 3):
            t |= _shift(t, s, m) & opp
        moves |= _shift(t, s, m)
    return moves & empty


def flip_bits(move: np.ndarray, own: np.ndarray, opp: np.ndarray, n: int) -> np.ndarray:
    """Bitboards of the discs that a move (one bit per game, or 0) turns over."""
    dirs, _, _ = _tables(n)
    flips = np.zeros_like(own)
    for s, m in dirs:
        t = _shift(move, s, m) & opp
        for _ in range(n - 3):
            t |= _shift(t, s, m) & opp
        closed = (_shift(t, s, m) & own) != 0
        flips |= np.where(closed, t, np.uint64(0))
    return flips


def _to_squares(x: np.ndarray, n: int) -> np.ndarray:
    """[B] bitboards -> [B, n²] bools."""
    _, _, bits = _tables(n)
    return (x[:, None] & bits[None, :]) != 0


def start_position(n: int) -> tuple[int, int]:
    """(black, white) bitboards of the start position."""
    m = n // 2
    white = (1 << ((m - 1) * n + m - 1)) | (1 << (m * n + m))
    black = (1 << ((m - 1) * n + m)) | (1 << (m * n + m - 1))
    return black, white


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser (wrapping uint64 arithmetic)."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def _uniform(seed: int, games: np.ndarray, ply: int) -> np.ndarray:
    """A uniform in [0, 1) for each (seed, game index, ply): a counter-based stream."""
    with np.errstate(over="ignore"):
        key = _mix(np.uint64(seed & (2**64 - 1)) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(0x632BE59BD9B4E019))
        x = _mix(key ^ _mix(games.astype(np.uint64) * np.uint64(0xD1B54A32D192ED03) + np.uint64(ply + 1)))
    return (x >> np.uint64(11)).astype(np.float64) * 2.0 ** -53


# --- playing ---------------------------------------------------------------------------------


@dataclass
class Games:
    """A batch of finished games, ply by ply: `tokens[t, g]` is a square index, n² for a
    pass, -1 once game g has ended; `boards[t, g]` the board after ply t as n² bytes."""

    n: int
    indices: np.ndarray     # [B] game indices
    tokens: np.ndarray      # [T, B] int16
    boards: np.ndarray      # [T, B, n²] uint8 ('.', 'x', 'o')
    flipped: np.ndarray     # [T, B] uint64 bitboards
    lengths: np.ndarray     # [B] plies per game

    def record(self, g: int, seed: int) -> dict:
        """Game g of the batch as a corpus record."""
        n, L = self.n, int(self.lengths[g])
        names = _names(n)
        moves = [names[t] for t in self.tokens[:L, g].tolist()]
        boards = [b.tobytes().decode("ascii") for b in self.boards[:L, g]]
        last = boards[-1] if boards else _board_string(*start_position(n), n)
        to_move = ["o" if t % 2 == 0 else "x" for t in range(L)]
        if L:
            to_move[-1] = "-"
        flipped = [_bit_names(x, n) for x in self.flipped[:L, g].tolist()]
        meta = {"game": "othello", "board": n, "moves": moves, "boards": boards, "to_move": to_move,
                "flipped": flipped, "score": [last.count("x"), last.count("o")]}
        i = int(self.indices[g])
        return make_record(" ".join(moves), SOURCE, id=f"othello{n}-{seed}-{i}", meta=meta)


@lru_cache(maxsize=None)
def _names(n: int) -> list[str]:
    return square_names(n) + [PASS]


@lru_cache(maxsize=1 << 16)
def _bit_names(x: int, n: int) -> str:
    """The squares of a bitboard, space-separated (flips repeat a lot: cached)."""
    names = _names(n)
    return " ".join(names[i] for i in range(n * n) if x >> i & 1)


def _board_string(black: int, white: int, n: int) -> str:
    return "".join("x" if black >> i & 1 else "o" if white >> i & 1 else "." for i in range(n * n))


def play_random(n: int, seed: int, indices) -> Games:
    """Play random legal games (uniform over legal moves) for the given game indices."""
    _check_size(n)
    idx = np.asarray(indices, dtype=np.int64)
    B = len(idx)
    b0, w0 = start_position(n)
    own = np.full(B, b0, dtype=np.uint64)   # the player to move
    opp = np.full(B, w0, dtype=np.uint64)
    black_to_move = np.ones(B, dtype=bool)
    alive = np.ones(B, dtype=bool)
    lengths = np.zeros(B, dtype=np.int64)
    _, _, bits = _tables(n)
    sq = np.arange(n * n)
    toks, boards, flips = [], [], []
    t = 0
    while alive.any():
        legal = legal_bits(own, opp, n)
        can = legal != 0
        opp_can = legal_bits(opp, own, n) != 0
        ended = alive & ~can & ~opp_can
        alive &= ~ended
        if not alive.any():
            break
        # choose the k-th legal square, k uniform from the game's own stream
        lsq = _to_squares(legal, n)
        count = lsq.sum(1)
        k = np.minimum((_uniform(seed, idx, t) * count).astype(np.int64), np.maximum(count - 1, 0))
        choice = np.argmax(lsq & (np.cumsum(lsq, 1) == (k + 1)[:, None]), axis=1)
        move = np.where(can & alive, bits[choice], np.uint64(0))
        f = flip_bits(move, own, opp, n)
        own_new = own | move | f
        opp_new = opp & ~f
        tok = np.where(alive, np.where(can, choice, n * n), -1).astype(np.int16)
        black = np.where(black_to_move, own_new, opp_new)
        white = np.where(black_to_move, opp_new, own_new)
        board = np.full((B, n * n), ord("."), dtype=np.uint8)
        board[_to_squares(black, n)] = ord("x")
        board[_to_squares(white, n)] = ord("o")
        toks.append(tok)
        boards.append(board)
        flips.append(np.where(alive, f, np.uint64(0)))
        lengths += alive
        own, opp = np.where(alive, opp_new, own), np.where(alive, own_new, opp)
        black_to_move = np.where(alive, ~black_to_move, black_to_move)
        t += 1
    T = len(toks)
    return Games(n, idx, np.stack(toks) if T else np.zeros((0, B), np.int16),
                 np.stack(boards) if T else np.zeros((0, B, n * n), np.uint8),
                 np.stack(flips) if T else np.zeros((0, B), np.uint64), lengths)


def generate_games(n: int, count: int, seed: int = 0, start: int = 0, batch: int = BATCH) -> Iterator[dict]:
    """Records of games start .. start+count-1 of `seed` on an n×n board."""
    _check_size(n)
    if count < 0 or start < 0:
        raise StorylabError("count and start must be non-negative")
    for a in range(start, start + count, batch):
        g = play_random(n, seed, np.arange(a, min(a + batch, start + count)))
        for j in range(len(g.indices)):
            yield g.record(j, seed)


def make_game(n: int, seed: int, index: int) -> dict:
    """Game `index` of `seed` alone (the same record as in any batch)."""
    return next(generate_games(n, 1, seed, index))


@dataclass
class GameStats:
    games: int
    plies: int
    passes: int
    seconds: float
    path: str = ""

    def summary(self) -> str:
        rate = self.games / max(self.seconds, 1e-9)
        return (f"{self.games:,} games, {self.plies / max(self.games, 1):.1f} plies per game, "
                f"{self.passes:,} passes, {rate:,.0f} games/s -> {self.path}")


def generate_corpus(out, n: int, count: int, seed: int = 0, progress: bool = True) -> GameStats:
    """Write `count` random games on an n×n board to the corpus JSONL `out` (atomically)."""
    from storylab.io import atomic_write
    from storylab.progress import progress as make_progress

    _check_size(n)
    if count < 1:
        raise StorylabError(f"number of games must be at least 1, got {count}")
    t0 = time.time()
    plies = passes = 0
    with atomic_write(out) as f, make_progress(disable=not progress) as bar:
        task = bar.add_task("games", total=count)
        for k, rec in enumerate(generate_games(n, count, seed), 1):
            moves = rec["meta"]["moves"]
            plies += len(moves)
            passes += moves.count(PASS)
            f.write(json.dumps(rec, separators=(",", ":")) + "\n")
            if k % 1000 == 0 or k == count:
                bar.update(task, completed=k)
    return GameStats(count, plies, passes, time.time() - t0, str(out))


# --- replaying ---------------------------------------------------------------------------------


@dataclass
class Replay:
    """A move sequence replayed: after each ply t (0 = the start position, t = after
    ply t), the board (black, white bitboards), the player to move, the legal tokens
    (square indices, n² for pass, n²+1 for the end of the game) and what was flipped."""

    n: int
    black: list[int]
    white: list[int]
    black_to_move: list[bool]
    legal: list[list[int]]
    flipped: list[int]

    @property
    def plies(self) -> int:
        return len(self.black) - 1

    def board(self, t: int) -> np.ndarray:
        """[n²] int8: 1 black, -1 white, 0 empty, after ply t."""
        b, w = self.black[t], self.white[t]
        out = np.zeros(self.n * self.n, dtype=np.int8)
        for i in range(self.n * self.n):
            out[i] = 1 if b >> i & 1 else -1 if w >> i & 1 else 0
        return out


@lru_cache(maxsize=None)
def _int_tables(n: int):
    dirs, full, _ = _tables(n)
    return [(s, int(m)) for s, m in dirs], int(full)


def _legal_int(own: int, opp: int, n: int) -> int:
    """`legal_bits` for one game on Python ints (replays are move by move)."""
    dirs, full = _int_tables(n)
    moves = 0
    for s, m in dirs:
        if s > 0:
            t = (own << s) & m & opp
            for _ in range(n - 3):
                t |= (t << s) & m & opp
            moves |= (t << s) & m
        else:
            t = (own >> -s) & m & opp
            for _ in range(n - 3):
                t |= (t >> -s) & m & opp
            moves |= (t >> -s) & m
    return moves & ~(own | opp) & full


def _flips_int(move: int, own: int, opp: int, n: int) -> int:
    dirs, _ = _int_tables(n)
    flips = 0
    for s, m in dirs:
        sh = (lambda x: (x << s) & m) if s > 0 else (lambda x: (x >> -s) & m)
        t = sh(move) & opp
        for _ in range(n - 3):
            t |= sh(t) & opp
        if sh(t) & own:
            flips |= t
    return flips


def legal_tokens(own: int, opp: int, n: int) -> list[int]:
    """Legal tokens for the player `own`: squares, else [pass], else [end] (n²+1)."""
    lg = _legal_int(own, opp, n)
    if lg:
        return [i for i in range(n * n) if lg >> i & 1]
    return [n * n] if _legal_int(opp, own, n) else [n * n + 1]


def replay(moves: list[str] | str, n: int) -> Replay:
    """Replay a game's moves (names or a space-separated string); an illegal move raises."""
    if isinstance(moves, str):
        moves = moves.split()
    b, w = start_position(n)
    bt = True
    r = Replay(n, [b], [w], [True], [], [0])
    for t, name in enumerate(moves):
        own, opp = (b, w) if bt else (w, b)
        legal = legal_tokens(own, opp, n)
        r.legal.append(legal)
        tok = n * n if name == PASS else square_index(name, n)
        if tok not in legal:
            raise StorylabError(f"ply {t + 1}: {name} is not legal (legal: {' '.join(_names(n)[i] if i <= n * n else 'end' for i in legal)})")
        f = 0
        if tok < n * n:
            f = _flips_int(1 << tok, own, opp, n)
            own, opp = own | (1 << tok) | f, opp & ~f
        b, w = (own, opp) if bt else (opp, own)
        bt = not bt
        r.black.append(b)
        r.white.append(w)
        r.black_to_move.append(bt)
        r.flipped.append(f)
    own, opp = (b, w) if bt else (w, b)
    r.legal.append(legal_tokens(own, opp, n))
    return r
