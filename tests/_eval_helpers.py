"""Shared fixtures' building blocks for the evaluation and report tests (memoised per session)."""

from __future__ import annotations

import shutil
from pathlib import Path

_CACHE: dict[str, Path] = {}


def one_thread():
    """Generator for an autouse fixture: tiny models run fastest on one torch thread (more
    threads only add synchronisation), restored afterwards for the other tests."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def world_data(base: Path, stories: int = 600, vocab: int = 512, seed: int = 3) -> Path:
    """Procedural stories (fixed seed), prepared into a data directory."""
    key = f"data-{stories}-{vocab}-{seed}"
    if key not in _CACHE:
        from storylab.corpus import write_corpus
        from storylab.world import generate_stories
        from storylab.shards import prepare

        root = base / key
        root.mkdir(parents=True, exist_ok=True)
        write_corpus(root / "stories.jsonl", generate_stories(stories, seed=seed))
        prepare(root / "stories.jsonl", root / "data", vocab_size=vocab, val_fraction=0.1, progress=False)
        _CACHE[key] = root / "data"
    return _CACHE[key]


TINY = ["model.d_model=32", "model.n_layers=2", "model.n_heads=2", "model.context=128"]


def random_run(data: Path, out: Path, seed: int = 0, steps: tuple[int, ...] = (0,), model: list[str] = TINY) -> Path:
    """A run directory holding randomly initialised checkpoints (no training)."""
    import torch

    from storylab.checkpoint import save_checkpoint
    from storylab.config import load_run_config, save_toml, to_dict
    from storylab.model import GPT
    from storylab.shards import load_data

    d = load_data(data)
    cfg = load_run_config(None, [f"data={data}", *model, f"model.vocab_size={d.index['vocab_size']}"])
    out.mkdir(parents=True, exist_ok=True)
    save_toml(out / "config.toml", to_dict(cfg))
    shutil.copyfile(data / "tokenizer.json", out / "tokenizer.json")
    for s in steps:
        torch.manual_seed(seed * 1000 + s)
        save_checkpoint(out, s, GPT(cfg.model))
    return out


def trained_run(data: Path, out: Path, overrides: list[str]) -> Path:
    from storylab.config import load_run_config
    from storylab.train import train

    cfg = load_run_config(None, [f"data={data}", *overrides])
    train(cfg, out, progress=False)
    return out
