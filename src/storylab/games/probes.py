"""Board probes: does the residual stream of a move-sequence model hold the board?

After each move of a held-out game, the residual stream at that move's token (the
embedding, then each layer's output) is probed for the state of every square, in two
codings (Li et al. 2023; Nanda 2023):

- ``color``: black / white / empty;
- ``mine``: the pieces of the player to move next / the other player's / empty;

and for ``flipped``: did the last move turn this square over. Each probe reads all
squares at once (one linear map d → squares × classes, or one hidden layer of 256 ReLU
units then that map), fitted by cross-entropy on the probe-training games and scored on
other games (whole games held out, so positions of one game never sit on both sides).
The control is the same pipeline on the same architecture at random initialisation;
the floor is each square's majority class. The mean per-square accuracy carries a 95%
interval from a bootstrap over held-out games.

One intervention (`intervene`): move the residual stream along one square's linear
``mine``/``theirs`` direction so the probe reads the square's owner swapped, and check
whether the model's legal-move predictions follow the edited board.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from storylab.games.evaluate import game_inputs, random_init_like
from storylab.games.othello import Replay, _flips_int, _legal_int, square_names
from storylab.games.tokenizer import SQUARE0, token_of
from storylab.interpret.probes import Standardizer, layer_names, one_thread

CODINGS = ("color", "mine", "flipped")
KINDS = ("linear", "mlp")
CLASS_NAMES = {"color": ["empty", "black", "white"], "mine": ["empty", "mine", "theirs"],
               "flipped": ["kept", "flipped"]}


# --- examples --------------------------------------------------------------------------------


@dataclass
class BoardExamples:
    """One example per (game, ply): where to read the model and the board's labels."""

    n: int
    game: np.ndarray          # [N] game number
    pos: np.ndarray           # [N] token position (ply t sits at position t: 0 is end-of-text)
    labels: dict              # coding -> [N, n²] int class ids (see CLASS_NAMES)

    def __len__(self) -> int:
        return len(self.game)


def board_examples(replays: list[Replay], context: int) -> BoardExamples:
    """Labels after every ply (1..plies) that fits in `context` tokens."""
    n = replays[0].n
    S = n * n
    game, pos, color, mine, flipped = [], [], [], [], []
    for g, r in enumerate(replays):
        for t in range(1, min(r.plies, context - 1) + 1):
            b = np.array([(r.black[t] >> i) & 1 for i in range(S)], dtype=np.int8)
            w = np.array([(r.white[t] >> i) & 1 for i in range(S)], dtype=np.int8)
            c = b * 1 + w * 2
            # "mine" = the player to move next (passes are plies, so it alternates)
            m = c if r.black_to_move[t] else np.where(c == 0, 0, 3 - c)
            f = np.array([(r.flipped[t] >> i) & 1 for i in range(S)], dtype=np.int8)
            game.append(g)
            pos.append(t)
            color.append(c)
            mine.append(m)
            flipped.append(f)
    return BoardExamples(n, np.array(game), np.array(pos),
                         {"color": np.stack(color), "mine": np.stack(mine), "flipped": np.stack(flipped)})


@torch.no_grad()
def residuals(model, replays: list[Replay], ex: BoardExamples, batch_size: int = 64) -> dict[str, np.ndarray]:
    """{layer label: [N, d]} residual stream at each example's token."""
    names = layer_names(model.cfg.n_layers)
    out = {lab: np.zeros((len(ex), model.cfg.d_model), dtype=np.float32) for lab, _ in names}
    dev = next(model.parameters()).device
    for a in range(0, len(replays), batch_size):
        x, _ = game_inputs(replays[a:a + batch_size], model.cfg.context)
        _, cache = model.run_with_cache(x.to(dev), names=[h for _, h in names])
        k = np.flatnonzero((ex.game >= a) & (ex.game < a + batch_size))
        rows, cols = torch.as_tensor(ex.game[k] - a), torch.as_tensor(ex.pos[k])
        for lab, h in names:
            out[lab][k] = cache[h][rows, cols].float().cpu().numpy()
    return out


# --- the probe -------------------------------------------------------------------------------


class BoardProbe:
    """All squares at once: linear (d → S·C) or one hidden layer (d → 256 → S·C), on
    standardized activations; Adam with weight decay, the best epoch on a validation slice."""

    def __init__(self, X: np.ndarray, Y: np.ndarray, n_classes: int, kind: str = "linear", epochs: int = 12,
                 batch: int = 256, lr: float = 3e-3, weight_decay: float = 1e-4, hidden: int = 256, seed: int = 0):
        torch.manual_seed(seed)
        self.kind, self.C, self.S = kind, n_classes, Y.shape[1]
        self.scaler = Standardizer.fit(torch.as_tensor(X, dtype=torch.float64))
        Z = self.scaler(torch.as_tensor(X, dtype=torch.float64)).float()
        Yt = torch.as_tensor(Y, dtype=torch.long)
        d = Z.shape[1]
        if kind == "linear":
            self.net = torch.nn.Linear(d, self.S * self.C)
        else:
            self.net = torch.nn.Sequential(torch.nn.Linear(d, hidden), torch.nn.ReLU(),
                                           torch.nn.Linear(hidden, self.S * self.C))
        g = np.random.default_rng(seed)
        perm = g.permutation(len(Z))
        nv = max(1, len(Z) // 10)
        va, tr = perm[:nv], perm[nv:]
        opt = torch.optim.AdamW(self.net.parameters(), lr=lr, weight_decay=weight_decay)
        best, state = -1.0, None
        with one_thread(), torch.enable_grad():
            for _ in range(epochs):
                self.net.train()
                for b in np.array_split(g.permutation(tr), max(1, len(tr) // batch)):
                    opt.zero_grad()
                    logits = self.net(Z[b]).view(len(b), self.S, self.C)
                    torch.nn.functional.cross_entropy(logits.reshape(-1, self.C), Yt[b].reshape(-1)).backward()
                    opt.step()
                with torch.no_grad():
                    acc = float((self._logits(Z[va]).argmax(-1) == Yt[va]).float().mean())
                if acc > best:
                    best, state = acc, {k: v.clone() for k, v in self.net.state_dict().items()}
        self.net.load_state_dict(state)
        self.net.eval()

    def _logits(self, Z: torch.Tensor) -> torch.Tensor:
        return self.net(Z).view(len(Z), self.S, self.C)

    @torch.no_grad()
    def logits(self, X) -> torch.Tensor:
        return self._logits(self.scaler(torch.as_tensor(np.asarray(X), dtype=torch.float64)).float())

    def predict(self, X) -> np.ndarray:
        return self.logits(X).argmax(-1).numpy()

    def class_direction(self, square: int, a: int, b: int) -> tuple[np.ndarray, float]:
        """Linear probes: raw-space direction u with logit[a] - logit[b] = x·u + c, and c."""
        W = self.net.weight.detach().double().view(self.S, self.C, -1)
        bias = self.net.bias.detach().double().view(self.S, self.C)
        w = W[square, a] - W[square, b]                      # on standardized x
        u = w / self.scaler.std
        c = float(bias[square, a] - bias[square, b] - (self.scaler.mean * u).sum())
        return u.numpy(), c


def per_square_accuracy(pred: np.ndarray, Y: np.ndarray) -> np.ndarray:
    return (pred == Y).mean(0)


def bootstrap_ci(correct: np.ndarray, game: np.ndarray, reps: int = 1000, seed: int = 0) -> tuple[float, float]:
    """95% interval of the mean accuracy (over examples and squares), resampling whole games."""
    games, inv = np.unique(game, return_inverse=True)
    per_game_sum = np.bincount(inv, weights=correct.mean(1), minlength=len(games))
    per_game_n = np.bincount(inv, minlength=len(games)).astype(float)
    g = np.random.default_rng(seed)
    draws = g.integers(0, len(games), size=(reps, len(games)))
    means = per_game_sum[draws].sum(1) / per_game_n[draws].sum(1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def balanced_accuracy(pred: np.ndarray, Y: np.ndarray) -> float:
    """Mean of the recalls of 'flipped' and 'kept', over squares that were ever flipped."""
    vals = []
    for s in range(Y.shape[1]):
        pos, neg = Y[:, s] == 1, Y[:, s] == 0
        if pos.any() and neg.any():
            vals.append(0.5 * ((pred[pos, s] == 1).mean() + (pred[neg, s] == 0).mean()))
    return float(np.mean(vals)) if vals else float("nan")


def probe_layers(acts: dict[str, np.ndarray], ex: BoardExamples, train: np.ndarray, test: np.ndarray,
                 codings=CODINGS, kinds=KINDS, seed: int = 0, progress=None, keep: bool = False) -> dict:
    """{coding: {kind: {layer: scores}}}: mean and per-square accuracy on the test examples."""
    out: dict = {}
    for coding in codings:
        Y = ex.labels[coding]
        C = len(CLASS_NAMES[coding])
        majority = np.array([np.bincount(Y[train, s], minlength=C).argmax() for s in range(Y.shape[1])])
        chance = float((Y[test] == majority[None]).mean())
        out[coding] = {"chance": chance}
        for kind in kinds:
            res = {}
            for lab, X in acts.items():
                p = BoardProbe(X[train], Y[train], C, kind, seed=seed)
                pred = p.predict(X[test])
                correct = pred == Y[test]
                r = {"accuracy": float(correct.mean()), "ci95": bootstrap_ci(correct, ex.game[test], seed=seed),
                     "per_square": [round(float(v), 4) for v in correct.mean(0)]}
                if coding == "flipped":
                    r["balanced"] = balanced_accuracy(pred, Y[test])
                if keep:
                    r["_probe"] = p
                res[lab] = r
                if progress:
                    progress(1)
            out[coding][kind] = res
    return out


def split_games(n_games: int, test_fraction: float = 0.25, seed: int = 0) -> np.ndarray:
    """Which games are held out from probe training (a bool per game)."""
    g = np.random.default_rng(seed)
    held = np.zeros(n_games, dtype=bool)
    held[g.permutation(n_games)[:max(1, int(round(n_games * test_fraction)))]] = True
    return held


# --- the intervention ------------------------------------------------------------------------


def _hook_of(layer: str) -> str:
    return "blocks.0.hook_resid_pre" if layer == "embed" else f"blocks.{int(layer[1:])}.hook_resid_post"


@torch.no_grad()
def intervene(model, replays: list[Replay], ex: BoardExamples, probes: dict, test: np.ndarray,
              max_cases: int = 400, strength: float = 1.0, seed: int = 0) -> dict:
    """Swap one square's owner in the residual stream and compare the model's move
    predictions with the edited board's legal moves.

    Cases: held-out positions where the player to move has a square to play, and one
    occupied square (chosen at random among those whose swap changes the legal moves)
    is swapped mine ↔ theirs. `probes` maps each edited layer ("embed", "L0", ...) to
    its linear mine/theirs probe; at each, in order, the residual at that position gets
    a multiple of the probe's direction for (new owner − old owner), computed from the
    stream as it arrives (earlier edits included), so that the probe's logit margin for
    the old owner, m < 0, becomes `-strength * m` in favour of the new one.
    Only cases whose owner the first probe reads correctly count. A case "follows" when
    the model's top-k moves (k = the edited board's number of legal moves) are exactly
    the edited board's legal moves. Controls: the same cases unedited, and edits of the
    same norms along random directions.
    """
    n = ex.n
    S = n * n
    g = np.random.default_rng(seed)
    layers = list(probes)
    cases = []
    for k in g.permutation(np.flatnonzero(test)):
        r, t = replays[ex.game[k]], ex.pos[k]
        own, opp = (r.black[t], r.white[t]) if r.black_to_move[t] else (r.white[t], r.black[t])
        legal = _legal_int(own, opp, n)
        if not legal:
            continue
        for s in g.permutation(S):
            bit = 1 << int(s)
            if (own | opp) & bit == 0:
                continue
            o2, p2 = (own & ~bit, opp | bit) if own & bit else (own | bit, opp & ~bit)
            new = _legal_int(o2, p2, n)
            if new and new != legal:
                cases.append((k, int(s), 1 if own & bit else 2, legal, new))
                break
        if len(cases) >= max_cases:
            break
    name = "+".join(layers) if len(layers) <= 2 else f"{layers[0]}..{layers[-1]}"
    if not cases:
        return {"layer": name, "cases": 0}
    ks = np.array([c[0] for c in cases])
    x_in, _ = game_inputs([replays[ex.game[k]] for k in ks], model.cfg.context)
    pos = torch.as_tensor(ex.pos[ks])
    rows = torch.arange(len(ks))
    # per layer and case: the raw-space direction u and offset c of (new − old owner) logits
    dirs = {}
    for L, probe in probes.items():
        uc = [probe.class_direction(s, 3 - cur, cur) for _, s, cur, _, _ in cases]
        dirs[L] = (torch.as_tensor(np.stack([u for u, _ in uc])), torch.as_tensor([c for _, c in uc]))
    rand = {L: torch.as_tensor(g.standard_normal((len(cases), model.cfg.d_model))) for L in layers}
    _, cache = model.run_with_cache(x_in, names=[_hook_of(layers[0])])
    first = cache[_hook_of(layers[0])][rows, pos].double().numpy()
    probe0 = probes[layers[0]]
    squares = np.array([c[1] for c in cases])
    ok = probe0.predict(first)[np.arange(len(cases)), squares] == np.array([c[2] for c in cases])

    def run(random: bool | None):
        if random is None:
            return model(x_in)[rows, pos].float()
        fns = {}
        for L in layers:
            U, Cc = dirs[L]

            def fn(x, name, U=U, Cc=Cc, L=L):
                r = x[rows, pos].double()
                m = (r * U).sum(1) + Cc
                delta = ((-strength * m - m) / (U * U).sum(1))[:, None] * U
                if random:
                    R = rand[L]
                    delta = R * (delta.norm(dim=1, keepdim=True) / R.norm(dim=1, keepdim=True))
                x = x.clone()
                x[rows, pos] += delta.to(x.dtype)
                return x

            fns[_hook_of(L)] = fn
        return model.run_with_hooks(x_in, fns)[rows, pos].float()

    def follows(logits, sets):
        hits = []
        for i in range(len(cases)):
            want = {SQUARE0 + j for j in range(S) if sets[i] >> j & 1}
            hits.append(set(torch.topk(logits[i], len(want)).indices.tolist()) == want)
        return float(np.array(hits)[ok].mean()) if ok.any() else float("nan")

    new_sets, old_sets = [c[4] for c in cases], [c[3] for c in cases]
    base, edited, control = run(None), run(False), run(True)
    pb = base.softmax(-1).numpy()

    def right_way(after):
        pe, right = after.softmax(-1).numpy(), []
        for i, (_, _, _, legal, new) in enumerate(cases):
            gained = [SQUARE0 + j for j in range(S) if (new & ~legal) >> j & 1]
            lost = [SQUARE0 + j for j in range(S) if (legal & ~new) >> j & 1]
            right.append(all(pe[i, j] > pb[i, j] for j in gained) and all(pe[i, j] < pb[i, j] for j in lost))
        return float(np.array(right)[ok].mean()) if ok.any() else float("nan")

    return {"layer": name, "layers": layers, "cases": int(ok.sum()), "strength": strength,
            "follows_edited": follows(edited, new_sets),
            "unedited_matches_edited_board": follows(base, new_sets),
            "unedited_matches_true_board": follows(base, old_sets),
            "random_direction_follows": follows(control, new_sets),
            "edited_still_matches_true_board": follows(edited, old_sets),
            "changed_moves_move_right_way": right_way(edited),
            "random_direction_move_right_way": right_way(control)}


# --- the whole analysis ------------------------------------------------------------------------


@dataclass
class BoardProbeResult:
    board: int
    games: int
    examples: int
    layers: list[str]
    trained: dict
    control: dict
    best_layer: str
    intervention: list = field(default_factory=list)
    seconds: float = 0.0

    def headline(self, which: str = "trained") -> dict:
        d = getattr(self, which)
        L = self.best_layer
        return {c: {k: d[c][k][L]["accuracy"] for k in KINDS if k in d[c]} for c in d}

    def summary(self) -> str:
        t, c, L = self.trained, self.control, self.best_layer
        s = (f"board probes at {L}: mine/theirs linear {t['mine']['linear'][L]['accuracy']:.1%} vs black/white "
             f"{t['color']['linear'][L]['accuracy']:.1%} (random init {c['mine']['linear'][L]['accuracy']:.1%}, "
             f"chance {t['mine']['chance']:.1%})")
        if self.intervention:
            best = max(self.intervention, key=lambda r: r.get("follows_edited", 0))
            s += (f"; intervention at {best['layer']}: {best['follows_edited']:.0%} of {best['cases']} follow the "
                  f"edited board (random direction {best['random_direction_follows']:.0%})")
        return s

    def to_json(self) -> dict:
        def strip(d):
            return {k: strip(v) for k, v in d.items() if not k.startswith("_")} if isinstance(d, dict) else d

        return {"board": self.board, "games": self.games, "examples": self.examples, "layers": self.layers,
                "best_layer": self.best_layer, "trained": strip(self.trained), "control": strip(self.control),
                "intervention": self.intervention, "squares": square_names(self.board),
                "seconds": round(self.seconds, 1)}


def analyze_board(model, replays: list[Replay], seed: int = 0, codings=CODINGS, kinds=KINDS, control: bool = True,
                  intervention_layers: list[str] | None = None, strength: float = 1.0,
                  progress=None) -> BoardProbeResult:
    """Probes per layer × coding × kind on the model and its random-init control, then the intervention."""
    t0 = time.time()
    ex = board_examples(replays, model.cfg.context)
    held = split_games(len(replays), seed=seed)
    test = held[ex.game]
    train = ~test
    acts = residuals(model, replays, ex)
    trained = probe_layers(acts, ex, train, test, codings, kinds, seed, progress, keep=True)
    ctrl = {}
    if control:
        rnd = random_init_like(model, seed)
        ctrl = probe_layers(residuals(rnd, replays, ex), ex, train, test, codings, kinds, seed, progress)
    layers = list(acts)
    ref = trained["mine"]["linear"] if "mine" in trained and "linear" in trained["mine"] else None
    best = max(layers, key=lambda L: ref[L]["accuracy"]) if ref else layers[-1]
    inter = []
    if ref is not None:  # each layer alone, then each layer and all after it
        for L in intervention_layers if intervention_layers is not None else layers[1:]:
            inter.append(intervene(model, replays, ex, {L: ref[L]["_probe"]}, test, strength=strength, seed=seed))
        for i in range(1, len(layers) - 1) if intervention_layers is None else ():
            inter.append(intervene(model, replays, ex, {L: ref[L]["_probe"] for L in layers[i:]}, test,
                                   strength=strength, seed=seed))
    return BoardProbeResult(ex.n, len(replays), len(ex), layers, trained, ctrl, best, inter, time.time() - t0)


# --- figures ----------------------------------------------------------------------------------


def plot_layers(res: BoardProbeResult, path: Path) -> Path:
    """Accuracy per layer: both codings × both probe kinds, trained (solid) vs random init (dashed)."""
    from storylab.interpret.common import pyplot

    plt = pyplot()
    codings = [c for c in ("mine", "color", "flipped") if c in res.trained]
    fig, axes = plt.subplots(1, len(codings), figsize=(4.2 * len(codings), 3.4), squeeze=False)
    x = np.arange(len(res.layers))
    for ax, c in zip(axes[0], codings):
        for kind, color in (("linear", "C0"), ("mlp", "C1")):
            if kind not in res.trained[c]:
                continue
            ax.plot(x, [res.trained[c][kind][L]["accuracy"] for L in res.layers], "o-", color=color, label=f"{kind}")
            if res.control:
                ax.plot(x, [res.control[c][kind][L]["accuracy"] for L in res.layers], "x--", color=color,
                        label=f"{kind}, random init")
        ax.axhline(res.trained[c]["chance"], color="k", lw=0.8, ls=":", label="majority class")
        ax.set_xticks(x)
        ax.set_xticklabels(res.layers)
        names = "/".join(CLASS_NAMES[c])
        ax.set_title(f"{c}: {names}", fontsize=9)
        ax.set_ylabel("held-out accuracy (mean over squares)")
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)


def plot_heatmap(res: BoardProbeResult, path: Path, kind: str = "linear") -> Path:
    """Per-square accuracy at the best layer, mine/theirs beside black/white."""
    from storylab.interpret.common import pyplot

    plt = pyplot()
    n, L = res.board, res.best_layer
    codings = [c for c in ("mine", "color") if c in res.trained]
    fig, axes = plt.subplots(1, len(codings), figsize=(3.8 * len(codings), 3.6), squeeze=False)
    for ax, c in zip(axes[0], codings):
        a = np.array(res.trained[c][kind][L]["per_square"]).reshape(n, n)
        im = ax.imshow(a, vmin=min(0.5, a.min()), vmax=1.0, cmap="viridis")
        for i in range(n):
            for j in range(n):
                ax.text(j, i, f"{a[i, j]:.2f}", ha="center", va="center", fontsize=6 if n > 6 else 7,
                        color="w" if a[i, j] < 0.85 else "k")
        ax.set_xticks(range(n))
        ax.set_xticklabels([chr(65 + j) for j in range(n)])
        ax.set_yticks(range(n))
        ax.set_yticklabels([str(i + 1) for i in range(n)])
        ax.set_title(f"{c} ({kind}) at {L}", fontsize=9)
        fig.colorbar(im, ax=ax, fraction=0.046)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)


def inspect_board(run, n_games: int = 600, out=None, device: str = "cpu", seed: int = 0,
                  progress: bool = True) -> BoardProbeResult:
    """`storylab inspect RUN --probes` on a game run: probes, figures and the intervention in RUN/inspect/."""
    from storylab.games.evaluate import game_board, held_out_games
    from storylab.games.othello import replay
    from storylab.io import write_json
    from storylab.progress import progress as make_progress
    from storylab.rundir import RunDir

    rd = RunDir.open(run)
    model, tok = rd.load(device=device)
    n = game_board(tok)
    replays = [replay(t, n) for t in held_out_games(rd, n_games)]
    out_dir = Path(out) if out is not None else rd.inspect_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    total = 2 * len(CODINGS) * len(KINDS) * (model.cfg.n_layers + 1)
    with make_progress(disable=not progress) as bar:
        task = bar.add_task("board probes", total=total)
        res = analyze_board(model, replays, seed=seed, progress=lambda k=1: bar.advance(task, k))
    write_json(out_dir / "board_probes.json", res.to_json())
    plot_layers(res, out_dir / "board_probes.png")
    plot_heatmap(res, out_dir / "board_heatmap.png")
    return res
