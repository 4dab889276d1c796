"""Where tensors live and in what precision: the one device helper every verb uses."""

from __future__ import annotations

from contextlib import nullcontext

import torch

from storylab.errors import StorylabError

DEVICES = ("auto", "cpu", "cuda", "mps")
DTYPES = ("float32", "bfloat16")


def pick_device(name: str = "auto") -> str:
    """`auto` picks cuda > mps > cpu; a named device must exist here."""
    if name != "auto":
        if name.split(":")[0] not in DEVICES:
            raise StorylabError(f"unknown device {name!r}; choose one of {', '.join(DEVICES)}")
        if name.startswith("cuda") and not torch.cuda.is_available():
            raise StorylabError("device cuda requested but CUDA is not available")
        if name == "mps" and not torch.backends.mps.is_available():
            raise StorylabError("device mps requested but MPS is not available")
        return name
    if torch.cuda.is_available():
        return "cuda"
    if torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def device_of(model: torch.nn.Module) -> torch.device:
    return next(model.parameters()).device


def autocast(device: str, dtype: str):
    """bf16 autocast for matmuls (the loss still runs in fp32), or nothing for fp32."""
    if dtype == "float32":
        return nullcontext()
    if dtype != "bfloat16":
        raise StorylabError(f"dtype {dtype!r}; choose one of {', '.join(DTYPES)}")
    return torch.autocast(device_type=str(device).split(":")[0], dtype=torch.bfloat16)


def set_threads(threads: int) -> None:
    """0 keeps torch's default; tiny models often run fastest on one thread."""
    if threads < 0:
        raise StorylabError(f"threads must be 0 (torch's default) or more, got {threads}")
    if threads:
        torch.set_num_threads(threads)
