"""Data mixtures and phases: batch rows drawn from several prepared data directories.

A run config names its sources and, optionally, a schedule of phases::

    [train]
    sources = {stories = "data/stories", lego = "data/lego"}

    [[train.phase]]              # steps 0..1999: 80% stories, 20% LEGO chains
    until_step = 2000
    mix = {stories = 0.8, lego = 0.2}

    [[train.phase]]              # then stories only, to the end
    until_step = 4000
    mix = {stories = 1.0}

Every row of every batch picks its source with the phase's weights (so a batch of 16
at 80/20 holds about 3 LEGO rows, not one all-LEGO batch in five), then a random
window of that source, as `train.Batches` does for one source. Each source has its own
sampler RNG and the row assignment has one more; all of them and the number of
micro-batches drawn (which fixes the phase) are the sampler's `state`, saved in every
checkpoint, so a resume is exact across phase switches.

The training loss of each source is logged too: `train_loss` takes each row's loss from
the same forward pass and credits it to the row's source; every training log line has
``loss_<name>``, the mean over that source's rows since the previous log line (the sums
are part of the sampler state, so a resume between log lines logs the same values).

All sources must share one tokenizer (`storylab prepare a.jsonl b.jsonl --out DIR`
makes one over several corpora). The run's `data` is its primary source — by default
the first one named — and its `val_loss` is measured there, so runs with different
mixtures stay comparable on the same held-out text; every eval step also logs
``val_loss_<name>`` for each source.
"""

from __future__ import annotations

import hashlib

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F

from storylab.config import Phase, RunConfig
from storylab.errors import StorylabError
from storylab.shards import TokenData, load_data


def load_sources(cfg: RunConfig) -> dict[str, TokenData]:
    """The run's sources, checked to share one tokenizer; sets `cfg.data` to the first
    source when it is empty. {} for a plain single-directory run."""
    tc = cfg.train
    if not tc.sources:
        return {}
    data = {name: load_data(path) for name, path in tc.sources.items()}
    hashes = {name: d.index["tokenizer_hash"] for name, d in data.items()}
    if len(set(hashes.values())) > 1:
        raise StorylabError("train.sources use different tokenizers (" + ", ".join(f"{n}: {h}" for n, h in hashes.items())
                            + "); prepare them together: storylab prepare A.jsonl B.jsonl --out DIR")
    if not cfg.data:
        cfg.data = next(iter(tc.sources.values()))
    elif load_data(cfg.data).index["tokenizer_hash"] != next(iter(hashes.values())):
        raise StorylabError(f"data={cfg.data} and train.sources use different tokenizers")
    return data


def _seed(seed: int, name: str) -> int:
    return int.from_bytes(hashlib.blake2b(f"{seed}:{name}".encode(), digest_size=8).digest(), "big")


class MixtureBatches:
    """`train.Batches` over several sources, with the same `next(device)` / `state` interface."""

    def __init__(self, sources: dict[str, np.ndarray], phases: list[Phase], context: int, batch: int, seed: int,
                 grad_accum: int = 1):
        if not phases:
            raise StorylabError("a mixture needs at least one phase")
        for name, tokens in sources.items():
            if len(tokens) <= context + 1:
                raise StorylabError(f"source {name}: only {len(tokens)} tokens of data; need more than the "
                                    f"context ({context})")
        self.names = sorted(sources)
        self.tokens, self.phases = sources, phases
        self.context, self.batch, self.grad_accum = context, batch, grad_accum
        self.mix_rng = np.random.Generator(np.random.PCG64(seed))
        self.rngs = {n: np.random.Generator(np.random.PCG64(_seed(seed, n))) for n in self.names}
        self.draws = 0                                  # micro-batches drawn so far
        self.rows = {n: 0 for n in self.names}          # rows drawn from each source so far
        self.which = np.zeros(0, dtype=np.int64)        # source of each row of the last micro-batch
        self.loss_sum = {n: 0.0 for n in self.names}    # training loss summed over rows since the last log line
        self.loss_rows = {n: 0 for n in self.names}
        self.device = "cpu"

    def phase_at(self, step: int) -> int:
        """Index of the phase that step `step` (0-based) trains in."""
        for i, ph in enumerate(self.phases):
            if step < ph.until_step:
                return i
        return len(self.phases) - 1

    @property
    def phase(self) -> int:
        return self.phase_at(self.draws // self.grad_accum)

    def assign(self) -> np.ndarray:
        """Source index (into `names`) of each row of the next micro-batch."""
        mix = self.phases[self.phase].mix
        p = np.array([mix.get(n, 0.0) for n in self.names])
        return self.mix_rng.choice(len(self.names), size=self.batch, p=p / p.sum())

    def next(self, device: str) -> tuple[torch.Tensor, torch.Tensor]:
        which = self.assign()
        w = np.empty((self.batch, self.context + 1), dtype=np.int64)
        for i, name in enumerate(self.names):
            rows = np.flatnonzero(which == i)
            if not len(rows):
                continue
            tokens = self.tokens[name]
            for r, start in zip(rows, self.rngs[name].integers(0, len(tokens) - self.context - 1, size=len(rows))):
                w[r] = tokens[start:start + self.context + 1]
            self.rows[name] += len(rows)
        self.draws += 1
        self.which, self.device = which, device
        xy = torch.from_numpy(w)
        xy = xy.pin_memory().to(device, non_blocking=True) if device.startswith("cuda") else xy.to(device)
        return xy[:, :-1], xy[:, 1:]

    def record(self, row_losses: torch.Tensor) -> None:
        """Credit each row's loss of the last micro-batch to its source."""
        sums = np.bincount(self.which, weights=row_losses.detach().float().cpu().numpy(), minlength=len(self.names))
        counts = np.bincount(self.which, minlength=len(self.names))
        for i, n in enumerate(self.names):
            self.loss_sum[n] += float(sums[i])
            self.loss_rows[n] += int(counts[i])

    def source_losses(self) -> dict:
        """``loss_<name>`` over the rows since the last call (summed over DDP ranks), then reset."""
        sums = [self.loss_sum[n] for n in self.names]
        counts = [float(self.loss_rows[n]) for n in self.names]
        if dist.is_available() and dist.is_initialized():
            t = torch.tensor(sums + counts, dtype=torch.float64, device=self.device)
            dist.all_reduce(t)
            sums, counts = t[:len(sums)].tolist(), t[len(sums):].tolist()
        self.loss_sum = {n: 0.0 for n in self.names}
        self.loss_rows = {n: 0 for n in self.names}
        return {f"loss_{n}": s / c for n, s, c in zip(self.names, sums, counts) if c}

    @property
    def state(self) -> dict:
        return {"draws": self.draws, "rows": dict(self.rows), "mix": self.mix_rng.bit_generator.state,
                "sources": {n: r.bit_generator.state for n, r in self.rngs.items()},
                "loss_sum": dict(self.loss_sum), "loss_rows": dict(self.loss_rows)}

    @state.setter
    def state(self, value: dict) -> None:
        if not isinstance(value, dict) or "sources" not in value:
            raise StorylabError("cannot resume a mixture from a single-source checkpoint")
        if sorted(value["sources"]) != self.names:
            raise StorylabError(f"cannot resume: the checkpoint's sources ({', '.join(sorted(value['sources']))}) "
                                f"differ from train.sources ({', '.join(self.names)})")
        self.draws = int(value["draws"])
        self.rows = {n: int(value.get("rows", {}).get(n, 0)) for n in self.names}
        self.loss_sum = {n: float(value.get("loss_sum", {}).get(n, 0.0)) for n in self.names}
        self.loss_rows = {n: int(value.get("loss_rows", {}).get(n, 0)) for n in self.names}
        self.mix_rng.bit_generator.state = value["mix"]
        for n, r in self.rngs.items():
            r.bit_generator.state = value["sources"][n]


def make_batches(cfg: RunConfig, data: TokenData, rank: int):
    """The run's training sampler: `train.Batches` over `data`, or a `MixtureBatches`
    when the config names sources (seeded the same way, per rank)."""
    from storylab.train import Batches

    tc, seed = cfg.train, cfg.train.seed * 1000 + rank
    if not tc.sources:
        return Batches(data.split("train"), cfg.model.context, tc.batch_size, seed=seed,
                       align_eot=data.eot_id if tc.align == "document" else None)
    sources = {n: load_data(p).split("train") for n, p in tc.sources.items()}
    return MixtureBatches(sources, tc.phases(), cfg.model.context, tc.batch_size, seed, tc.grad_accum)


def train_loss(model, batches, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The mean loss of a micro-batch. For a mixture, from the logits, so that each row's
    loss (from the same forward pass) is credited to its source; else the model's own
    loss-only path (fused under torch.compile)."""
    if not isinstance(batches, MixtureBatches):
        return model(x, y)
    logits = model(x)                                                         # [B, T, V]
    per_token = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1), reduction="none")
    batches.record(per_token.detach().view(y.shape).mean(1))
    return per_token.mean()


def log_fields(batches) -> dict:
    """Extra fields for a training log line: the phase, rows drawn per source so far, and
    each source's training loss since the previous log line (``loss_<name>``)."""
    if not isinstance(batches, MixtureBatches):
        return {}
    last_step = max(batches.draws - 1, 0) // batches.grad_accum
    return {"phase": batches.phase_at(last_step), "rows": dict(batches.rows), **batches.source_losses()}


def source_val_losses(batches, cfg: RunConfig, loss_fn) -> dict:
    """``val_loss_<name>`` for each source (its val split, or train when val is too small);
    `loss_fn(tokens)` is the run's `evaluate_loss` with its settings bound."""
    if not isinstance(batches, MixtureBatches):
        return {}
    out = {}
    for name, path in cfg.train.sources.items():
        d = load_data(path)
        val = d.split("val")
        out[f"val_loss_{name}"] = loss_fn(val if len(val) > cfg.model.context + 1 else d.split("train"))
    return out
