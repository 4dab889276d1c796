"""Checkpoints as safetensors: the model, and beside it the state that makes a resume exact.

``checkpoints/step_0000100.safetensors`` holds the weights and, in its metadata, the
model config, so it can be loaded on its own. ``step_0000100.state.safetensors`` holds
AdamW's moments, the RNG states and the data position. The state file is written
first and the model file last, each atomically: a checkpoint whose model file exists
is complete. Never pickles: a run directory from a stranger is safe to open.
"""

from __future__ import annotations

import errno
import json
import os
import re
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file

from storylab.budget import check_memory
from storylab.config import ModelConfig, from_dict, to_dict
from storylab.errors import StorylabError
from storylab.model import GPT

FORMAT = "storylab-v1"
_STEP = re.compile(r"^step_(\d+)\.safetensors$")


def model_path(run_dir: Path, step: int) -> Path:
    return Path(run_dir) / "checkpoints" / f"step_{step:07d}.safetensors"


def state_path(run_dir: Path, step: int) -> Path:
    return Path(run_dir) / "checkpoints" / f"step_{step:07d}.state.safetensors"


def list_checkpoints(run_dir: str | os.PathLike) -> list[tuple[int, Path]]:
    """(step, path) of every complete model checkpoint, oldest first."""
    d = Path(run_dir) / "checkpoints"
    if not d.is_dir():
        return []
    out = [(int(m.group(1)), p) for p in d.iterdir() if (m := _STEP.match(p.name))]
    return sorted(out)


def _save(tensors: dict, path: Path, metadata: dict) -> None:
    """Atomic: safetensors writes a temporary file, which is synced and renamed."""
    tensors = {k: v.detach().contiguous().cpu() for k, v in tensors.items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        save_file(tensors, str(tmp), metadata={k: str(v) for k, v in metadata.items()})
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        tmp.unlink(missing_ok=True)
        if isinstance(e, SafetensorError):  # an I/O error inside safetensors (disk full, file too large)
            raise OSError(errno.EIO, str(e).splitlines()[0][:120], str(path)) from None
        raise


def read_safetensors(path: Path, what: str) -> tuple[dict, dict]:
    if not path.exists():
        raise StorylabError(f"{what} not found: {path}")
    try:
        tensors = load_file(str(path))
        with safe_open(str(path), "pt") as f:
            meta = f.metadata() or {}
    except (SafetensorError, OSError, ValueError, RuntimeError) as e:
        raise StorylabError(f"{path}: corrupt or truncated checkpoint ({str(e).splitlines()[0][:100]})") from None
    return tensors, meta


def save_checkpoint(run_dir: Path, step: int, model: torch.nn.Module, optimizer=None, state: dict | None = None) -> Path:
    """Write the state file (if optimizer/state given), then the model file."""
    names = {id(p): n for n, p in model.named_parameters()}
    if optimizer is not None:
        tensors = {}
        for group in optimizer.param_groups:
            for p in group["params"]:
                for k, v in optimizer.state.get(p, {}).items():
                    tensors[f"optim.{names[id(p)]}.{k}"] = v if torch.is_tensor(v) else torch.tensor(v)
        tensors["rng.torch"] = torch.get_rng_state()
        if torch.cuda.is_available() and torch.cuda.is_initialized():
            tensors["rng.cuda"] = torch.cuda.get_rng_state()
        _save(tensors, state_path(run_dir, step), {"format": FORMAT, "step": step,
                                                   "state": json.dumps(state or {})})
    path = model_path(run_dir, step)
    meta = {"format": FORMAT, "step": step, "config": json.dumps(to_dict(model.cfg))}
    tok = Path(run_dir) / "tokenizer.json"
    if tok.is_file():  # sample/inspect/export-hf/report check the run's tokenizer against it
        from storylab.tokenizer import load_tokenizer, tokenizer_hash

        meta["tokenizer_hash"] = tokenizer_hash(load_tokenizer(tok))
    _save(model.state_dict(), path, meta)
    return path


def check_shapes(tensors: dict, model: torch.nn.Module, path) -> None:
    """Every tensor the checkpoint holds has the shape the config gives it (one line if not)."""
    want = model.state_dict()
    for k, v in tensors.items():
        if k in want and tuple(v.shape) != tuple(want[k].shape):
            raise StorylabError(f"{path}: tensor {k} has shape {tuple(v.shape)} but its config needs "
                                f"{tuple(want[k].shape)}")


def check_finite(tensors: dict, path) -> None:
    """A diverged checkpoint (NaN or infinite weights) is refused rather than sampled from."""
    for k, v in tensors.items():
        if v.is_floating_point() and not bool(torch.isfinite(v).all()):
            raise StorylabError(f"{path}: tensor {k} holds NaN or infinite values (training diverged?)")


def load_model(path: str | os.PathLike, device: str = "cpu"):
    """A GPT from a model checkpoint file, or from a run directory's latest checkpoint."""
    path = Path(path)
    if path.is_dir():
        ckpts = list_checkpoints(path)
        if not ckpts:
            raise StorylabError(f"{path}: no checkpoints (is this a run directory?)")
        path = ckpts[-1][1]
    tensors, meta = read_safetensors(path, "checkpoint")
    if meta.get("format") != FORMAT or "config" not in meta:
        raise StorylabError(f"{path}: not a storylab checkpoint (no config in its metadata)")
    try:
        cfg = from_dict(ModelConfig, json.loads(meta["config"]))
    except json.JSONDecodeError:
        raise StorylabError(f"{path}: corrupt config in checkpoint metadata") from None
    except StorylabError as e:
        raise StorylabError(f"{path}: bad config in checkpoint metadata ({e})") from None
    check_memory(cfg, what=f"{path} (its metadata's model)")  # before allocating what the metadata claims
    model = GPT(cfg)
    check_shapes(tensors, model, path)
    missing, unexpected = model.load_state_dict(tensors, strict=False)
    if missing or unexpected:
        raise StorylabError(f"{path}: checkpoint does not match its config "
                            f"(missing {list(missing)[:3]}, unexpected {list(unexpected)[:3]})")
    check_finite(tensors, path)
    model.tokenizer_hash = meta.get("tokenizer_hash")  # None for checkpoints from before it was recorded
    return model.to(device)


def load_state(run_dir: Path, step: int, model: torch.nn.Module, optimizer) -> dict:
    """Restore optimizer moments and the torch RNG; return the saved JSON state."""
    tensors, meta = read_safetensors(state_path(run_dir, step), "training state")
    names = {id(p): n for n, p in model.named_parameters()}
    for group in optimizer.param_groups:
        for p in group["params"]:
            prefix = f"optim.{names[id(p)]}."
            st = {k[len(prefix):]: v.to(p.device) for k, v in tensors.items() if k.startswith(prefix)}
            if st:
                if "step" in st and not optimizer.defaults.get("capturable") and not optimizer.defaults.get("fused"):
                    st["step"] = st["step"].cpu()
                optimizer.state[p] = st
    torch.set_rng_state(tensors["rng.torch"])
    if "rng.cuda" in tensors and torch.cuda.is_available():
        torch.cuda.set_rng_state(tensors["rng.cuda"])
    return json.loads(meta.get("state", "{}"))
