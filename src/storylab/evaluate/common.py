"""Opening a run for evaluation: model, tokenizer, checkpoints, and the checks between them."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import torch

from storylab.errors import StorylabError


@dataclass
class RunInfo:
    """A run directory as evaluation sees it."""

    path: Path
    checkpoints: list[tuple[int, Path]]
    config: dict

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def eval_dir(self) -> Path:
        return self.path / "eval"

    @property
    def data_dir(self) -> Path | None:
        d = self.config.get("data")
        return Path(d) if d else None

    def data_index(self) -> dict | None:
        """The prepared data's index.json, if the data directory is still there."""
        d = self.data_dir
        if d is None or not (d / "index.json").exists():
            return None
        try:
            return json.loads((d / "index.json").read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise StorylabError(f"{d / 'index.json'}: corrupt index") from None

    def pick(self, which: str | int | None = None) -> list[tuple[int, Path]]:
        """Checkpoints by `which`: None/'latest', 'all', a step, or 'S1,S2,...'."""
        if which in (None, "", "latest", "last"):
            return self.checkpoints[-1:]
        if which == "all":
            return list(self.checkpoints)
        by_step = dict(self.checkpoints)
        out = []
        for part in str(which).split(","):
            part = part.strip()
            try:
                step = int(part)
            except ValueError:
                raise StorylabError(f"--checkpoints must be 'latest', 'all' or steps like 100,200; got {which!r}") from None
            if step not in by_step:
                raise StorylabError(f"{self.path}: no checkpoint at step {step} "
                                    f"(have {', '.join(str(s) for s, _ in self.checkpoints)})")
            out.append((step, by_step[step]))
        return out


def open_run(run: str | os.PathLike) -> RunInfo:
    """Check that `run` is a run directory with at least one checkpoint."""
    from storylab.checkpoint import list_checkpoints
    from storylab.config import load_toml

    path = Path(run)
    if not path.exists():
        raise StorylabError(f"run not found: {path}")
    if not path.is_dir():
        raise StorylabError(f"{path}: expected a run directory (runs/NAME)")
    ckpts = list_checkpoints(path)
    if not ckpts:
        raise StorylabError(f"{path}: no checkpoints (is this a run directory, and has training saved one?)")
    if not (path / "tokenizer.json").exists():
        raise StorylabError(f"{path}: no tokenizer.json (not a complete run directory)")
    config = load_toml(path / "config.toml") if (path / "config.toml").exists() else {}
    return RunInfo(path, ckpts, config)


def load_tokenizer_checked(info: RunInfo, model=None):
    """The run's tokenizer, checked against the model's vocabulary and the run's data."""
    from storylab.tokenizer import load_tokenizer, tokenizer_hash

    tok = load_tokenizer(info.path / "tokenizer.json")
    if model is not None and tok.get_vocab_size() > model.cfg.vocab_size:
        raise StorylabError(f"{info.path / 'tokenizer.json'} has {tok.get_vocab_size()} tokens but the model only "
                            f"{model.cfg.vocab_size}: the tokenizer does not match this model")
    index = info.data_index()
    if index is not None and index.get("tokenizer_hash") and tokenizer_hash(tok) != index["tokenizer_hash"]:
        raise StorylabError(f"{info.path / 'tokenizer.json'} does not match the tokenizer of the run's data "
                            f"{info.data_dir} (hash {tokenizer_hash(tok)} vs {index['tokenizer_hash']})")
    if model is not None and index is not None and index.get("vocab_size") and index["vocab_size"] != model.cfg.vocab_size:
        raise StorylabError(f"{info.path}: model vocabulary ({model.cfg.vocab_size}) does not match the run's data "
                            f"({index['vocab_size']} tokens)")
    return tok


def load_checkpoint(info: RunInfo, path: Path, device: str = "cpu"):
    """(model in eval mode, tokenizer) for one checkpoint of `info`."""
    from storylab.checkpoint import load_model

    model = load_model(path, device)
    model.eval()
    tok = load_tokenizer_checked(info, model)
    return model, tok


def model_device(model) -> torch.device:
    return next(model.parameters()).device
