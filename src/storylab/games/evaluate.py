"""Legal-move rate: does a model trained on move sequences only ever propose legal moves?

For each held-out game the model reads ``<|endoftext|>`` followed by the moves; after
each prefix its top-1 next token is scored against the rules (the legal squares, else
``pass``, else the end token once neither side can move). Reported overall and by the
number of moves played so far, with a softer figure beside it: the probability mass on
legal tokens. The same figures for the same architecture at random initialisation are
the control (what an untrained model's guesses score).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import numpy as np
import torch

from storylab.errors import StorylabError
from storylab.games.othello import Replay, replay
from storylab.games.tokenizer import board_of_tokenizer, token_of


def game_board(tok) -> int:
    """The board size of a run's move tokenizer, or a clear error for a story run."""
    n = board_of_tokenizer(tok)
    if n is None:
        raise StorylabError("not a game run: its tokenizer is not an Othello move tokenizer "
                            "(train on `storylab generate --backend othello` games)")
    return n


def held_out_games(rd, n_games: int) -> list[str]:
    """Up to `n_games` game texts the run did not train on (its validation split), else its stories."""
    data = rd.data()
    if data is not None and data.index["tokens"].get("val"):
        texts = list(data.texts("val", n_games))
    else:
        texts = [r["text"] for r in rd.stories(n_games)]
    if not texts:
        raise StorylabError(f"{rd.path}: no held-out games to evaluate on")
    return texts


def game_inputs(replays: list[Replay], context: int) -> tuple[torch.Tensor, np.ndarray]:
    """[B, T] token ids (end-of-text, then the moves; padded with 0) and each game's length
    in tokens, cut to the model's context."""
    n = replays[0].n
    seqs = [[0] + [token_of(_move_index(r, t), n) for t in range(r.plies)] for r in replays]
    seqs = [s[:context] for s in seqs]
    T = max(len(s) for s in seqs)
    x = torch.zeros(len(seqs), T, dtype=torch.long)
    for i, s in enumerate(seqs):
        x[i, :len(s)] = torch.tensor(s)
    return x, np.array([len(s) for s in seqs])


def _move_index(r: Replay, t: int) -> int:
    """The move of ply t+1 as the engine numbers it (square index, or n² for a pass)."""
    placed = (r.black[t + 1] | r.white[t + 1]) & ~(r.black[t] | r.white[t])
    return placed.bit_length() - 1 if placed else r.n * r.n


def legal_masks(replays: list[Replay], T: int, vocab: int) -> np.ndarray:
    """[B, T, V] bool: the legal next tokens after each prefix (position t: t moves played)."""
    out = np.zeros((len(replays), T, vocab), dtype=bool)
    for i, r in enumerate(replays):
        for t in range(min(T, r.plies + 1)):
            out[i, t, [token_of(m, r.n) for m in r.legal[t]]] = True
    return out


@torch.no_grad()
def legal_scores(model, replays: list[Replay], batch_size: int = 64) -> dict:
    """Top-1 legality and legal probability mass per prediction, by moves played."""
    dev = next(model.parameters()).device
    top1, mass, pos = [], [], []
    for a in range(0, len(replays), batch_size):
        rs = replays[a:a + batch_size]
        x, lengths = game_inputs(rs, model.cfg.context)
        probs = model(x.to(dev)).float().softmax(-1).cpu().numpy()
        legal = legal_masks(rs, x.shape[1], probs.shape[-1])
        pred = probs.argmax(-1)
        for i, L in enumerate(lengths):
            top1.append(legal[i, np.arange(L), pred[i, :L]])
            mass.append((probs[i, :L] * legal[i, :L]).sum(-1))
            pos.append(np.arange(L))
    per_game = np.array([t.mean() for t in top1])
    weights = np.array([len(t) for t in top1])
    top1, mass, pos = np.concatenate(top1), np.concatenate(mass), np.concatenate(pos)
    by = []
    for t in range(pos.max() + 1):
        k = pos == t
        if k.any():
            by.append({"moves_played": t, "n": int(k.sum()), "top1_legal": float(top1[k].mean()),
                       "legal_mass": float(mass[k].mean())})
    return {"predictions": int(len(top1)), "top1_legal": float(top1.mean()), "legal_mass": float(mass.mean()),
            "top1_ci95": _game_bootstrap(per_game, weights), "by_position": by}


def _game_bootstrap(per_game: np.ndarray, weights: np.ndarray, n: int = 2000, seed: int = 0) -> list[float]:
    """95% interval of the top-1 legal rate, resampling whole games (a game's predictions are not independent)."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(per_game), size=(n, len(per_game)))
    w = weights[idx]
    rates = (per_game[idx] * w).sum(1) / w.sum(1)
    return [float(np.percentile(rates, 2.5)), float(np.percentile(rates, 97.5))]


def random_init_like(model, seed: int = 0):
    """The same architecture at random initialisation (the control)."""
    from storylab.model import GPT

    torch.manual_seed(seed)
    return GPT(model.cfg).to(next(model.parameters()).device).eval()


@dataclass
class LegalResult:
    run: str
    step: int
    board: int
    games: int
    trained: dict
    control: dict
    seconds: float = 0.0
    extra: dict = field(default_factory=dict)

    def summary(self) -> str:
        t, c = self.trained, self.control
        return (f"legal top-1 {t['top1_legal']:.1%} (untrained {c['top1_legal']:.1%}), legal mass "
                f"{t['legal_mass']:.1%} (untrained {c['legal_mass']:.1%}) on {t['predictions']:,} predictions "
                f"in {self.games} held-out {self.board}x{self.board} games, step {self.step}")

    def to_json(self) -> dict:
        return {"run": self.run, "step": self.step, "board": self.board, "games": self.games,
                "trained": self.trained, "control": self.control, "seconds": round(self.seconds, 2), **self.extra}


def evaluate_legal(run: str | os.PathLike, n_games: int = 500, checkpoint: str | None = None, device: str = "cpu",
                   seed: int = 0, write: bool = True) -> list[LegalResult]:
    """Legal-move rate of a game run at its chosen checkpoints (`checkpoint`: latest | all | S1,S2),
    each beside its random-init control; written to RUN/eval/legal.json (one entry per checkpoint)."""
    from storylab.io import write_json
    from storylab.rundir import RunDir

    rd = RunDir.open(run)
    n = game_board(rd.tokenizer())
    texts = held_out_games(rd, n_games)
    replays = [replay(t, n) for t in texts]
    out, control = [], None
    for step, path in rd.pick(checkpoint):
        t0 = time.time()
        model, _ = rd.load(path, device)
        if control is None:
            control = legal_scores(random_init_like(model, seed), replays)
        out.append(LegalResult(str(rd.path), step, n, len(replays), legal_scores(model, replays), control,
                               time.time() - t0))
    if write:
        write_json(rd.eval_dir / "legal.json", {"checkpoints": [r.to_json() for r in out]})
    return out
