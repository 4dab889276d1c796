"""A run directory, opened once: config, tokenizer, checkpoints, data, stories, model.

``runs/NAME/`` holds ``config.toml``, ``tokenizer.json``, ``metrics.jsonl`` and
``checkpoints/step_NNNNNNN.safetensors``; evaluation writes ``eval/``, inspection
``inspect/``. Every verb that reads a run (sample, eval, inspect, report, export-hf)
opens it here, so the checks between model, tokenizer and data are made the same way
everywhere. A path to a checkpoint file inside ``checkpoints/`` opens its run at that
checkpoint.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from storylab.checkpoint import list_checkpoints, load_model
from storylab.config import load_toml
from storylab.corpus.records import read_corpus
from storylab.errors import StorylabError
from storylab.shards import TokenData, in_val, load_data
from storylab.tokenizer import load_tokenizer, tokenizer_hash


@dataclass
class RunDir:
    path: Path
    checkpoints: list[tuple[int, Path]]   # (step, model file), oldest first
    chosen: Path | None = None            # the checkpoint a file path named; None: the latest
    config: dict = field(default_factory=dict)

    @classmethod
    def open(cls, run: str | os.PathLike) -> RunDir:
        """Check that `run` is a run directory (or a checkpoint in one) with a checkpoint and a tokenizer."""
        path, chosen = Path(run), None
        if not path.exists():
            raise StorylabError(f"run not found: {path}")
        if path.is_file():
            if path.parent.name != "checkpoints" or not path.name.endswith(".safetensors"):
                raise StorylabError(f"{path}: expected a run directory (runs/NAME) or a checkpoint inside one")
            path, chosen = path.parent.parent, path
        ckpts = list_checkpoints(path)
        if not ckpts and chosen is None:
            raise StorylabError(f"{path}: no checkpoints (is this a run directory, and has training saved one?)")
        if not (path / "tokenizer.json").is_file():
            raise StorylabError(f"{path}: no tokenizer.json (not a complete run directory)")
        config = load_toml(path / "config.toml") if (path / "config.toml").is_file() else {}
        return cls(path, ckpts, chosen, config)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def eval_dir(self) -> Path:
        return self.path / "eval"

    @property
    def inspect_dir(self) -> Path:
        return self.path / "inspect"

    @property
    def latest(self) -> tuple[int, Path]:
        if self.chosen is not None:
            return next(((s, p) for s, p in self.checkpoints if p == self.chosen), (-1, self.chosen))
        return self.checkpoints[-1]

    def pick(self, which: str | int | None = None) -> list[tuple[int, Path]]:
        """Checkpoints by `which`: None/'latest', 'all', a step, or 'S1,S2,...'."""
        if which in (None, "", "latest", "last"):
            return [self.latest]
        if which == "all":
            return list(self.checkpoints)
        by_step = dict(self.checkpoints)
        out = []
        for part in str(which).split(","):
            try:
                step = int(part.strip())
            except ValueError:
                raise StorylabError(f"--checkpoints must be 'latest', 'all' or steps like 100,200; got {which!r}") from None
            if step not in by_step:
                raise StorylabError(f"{self.path}: no checkpoint at step {step} "
                                    f"(have {', '.join(str(s) for s, _ in self.checkpoints)})")
            out.append((step, by_step[step]))
        return out

    # --- data ------------------------------------------------------------------

    @property
    def data_dir(self) -> Path | None:
        """The prepared data directory named in config.toml (it may since have moved)."""
        d = self.config.get("data")
        return Path(d) if d else None

    @cached_property
    def data_index(self) -> dict | None:
        """The data's index.json, if the data directory is still there."""
        d = self.data_dir
        if d is None or not (d / "index.json").is_file():
            return None
        try:
            return json.loads((d / "index.json").read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise StorylabError(f"{d / 'index.json'}: corrupt index") from None

    def data(self) -> TokenData | None:
        """The run's token shards, checked, or None when they are gone."""
        return load_data(self.data_dir) if self.data_index is not None else None

    def corpus(self) -> Path | None:
        """The corpus JSONL the run's data was prepared from, if it can still be found."""
        c = (self.data_index or {}).get("corpus")
        if not c:
            return None
        d = self.data_dir
        return next((p for p in (Path(c), d / Path(c).name, d.parent / Path(c).name) if p.is_file()), None)

    def stories(self, n: int, corpus: str | os.PathLike | None = None) -> list[dict]:
        """`n` corpus records: from `corpus` if given, else the run's own corpus (validation
        stories first), else decoded from its token shards (without meta)."""
        if corpus is not None:
            return sample_records(corpus, n)
        path = self.corpus()
        if path is not None:
            return sample_records(path, n, self.data_index)
        data = self.data()
        if data is None:
            raise StorylabError(f"{self.path}: cannot find the run's corpus or token shards; pass --corpus")
        split = "val" if data.index["tokens"]["val"] else "train"
        return [{"id": f"{split}:{i}", "text": t, "meta": {}} for i, t in enumerate(data.texts(split, n))]

    # --- model -----------------------------------------------------------------

    def tokenizer(self, model=None, against_data: bool = False):
        """The run's tokenizer, checked against the model's vocabulary and, when the caller
        reads the run's shards with it, against the data's tokenizer."""
        tok_path = self.path / "tokenizer.json"
        tok = load_tokenizer(tok_path)
        recorded = getattr(model, "tokenizer_hash", None)  # written at save time (older checkpoints: none)
        if recorded and tokenizer_hash(tok) != recorded:
            raise StorylabError(f"{tok_path} does not match this model (wrong tokenizer: hash {tokenizer_hash(tok)}, "
                                f"the checkpoint records {recorded})")
        if model is not None and tok.get_vocab_size() > model.cfg.vocab_size:
            raise StorylabError(f"{tok_path} has {tok.get_vocab_size()} tokens but the model only "
                                f"{model.cfg.vocab_size}: wrong tokenizer for this model")
        index = self.data_index if against_data else None
        if index and index.get("tokenizer_hash") and tokenizer_hash(tok) != index["tokenizer_hash"]:
            raise StorylabError(f"{tok_path} does not match the tokenizer of the run's data {self.data_dir} "
                                f"(hash {tokenizer_hash(tok)} vs {index['tokenizer_hash']})")
        if model is not None and index and index.get("vocab_size") and index["vocab_size"] != model.cfg.vocab_size:
            raise StorylabError(f"{self.path}: model vocabulary ({model.cfg.vocab_size}) does not match the "
                                f"run's data ({index['vocab_size']} tokens)")
        return tok

    def load(self, checkpoint: str | os.PathLike | None = None, device: str = "cpu", against_data: bool = False):
        """(model in eval mode, checked tokenizer) at `checkpoint` (default: the chosen or latest)."""
        model = load_model(checkpoint or self.latest[1], device)
        model.eval()
        return model, self.tokenizer(model, against_data)


def check_tokenizer(run: str | os.PathLike) -> None:
    """Without loading the model: the run's tokenizer.json against the hash its latest checkpoint
    records (for `report`, which reads a run's files but not its weights)."""
    from safetensors import safe_open

    run = Path(run)
    ckpts, tok_path = list_checkpoints(run), run / "tokenizer.json"
    if not ckpts or not tok_path.is_file():
        return
    try:
        with safe_open(str(ckpts[-1][1]), "pt") as f:
            recorded = (f.metadata() or {}).get("tokenizer_hash")
    except Exception:  # a corrupt checkpoint is reported by the verbs that load it
        return
    if recorded and tokenizer_hash(load_tokenizer(tok_path)) != recorded:
        raise StorylabError(f"{tok_path} does not match {ckpts[-1][1].name} (wrong tokenizer: hash "
                            f"{tokenizer_hash(load_tokenizer(tok_path))}, the checkpoint records {recorded})")


def open_run(run: str | os.PathLike) -> RunDir:
    return RunDir.open(run)


def load_run(run: str | os.PathLike, device: str = "cpu"):
    """(model in eval mode, tokenizer) of a run directory or checkpoint file: the notebook one-liner."""
    return RunDir.open(run).load(device=device)


def sample_records(corpus: str | os.PathLike, n: int, index: dict | None = None) -> list[dict]:
    """Up to `n` corpus records, the run's validation stories first (streamed, bounded)."""
    index = index or {}
    seed, frac = index.get("seed", 0), index.get("val_fraction", 0.0)
    first, rest = [], []
    for i, rec in enumerate(read_corpus(corpus)):
        if frac > 0 and in_val(str(rec.get("id") or i), seed, frac):
            first.append(rec)
            if len(first) >= n:
                break
        elif len(rest) < n:
            rest.append(rec)
    return (first + rest)[:n]
