"""Where tensors live and in what precision: the one device helper every verb uses."""

from __future__ import annotations

import os
import time
from contextlib import nullcontext

import torch

from storylab.errors import StorylabError

DEVICES = ("auto", "cpu", "cuda", "mps")
DTYPES = ("auto", "float32", "bfloat16")


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


def has_fast_bf16(device: str = "cpu") -> bool:
    """Whether bf16 matmuls run on dedicated units here: AMX or AVX512-BF16 on x86 CPUs
    (read from /proc/cpuinfo), bf16 support on CUDA; never on MPS or other CPUs."""
    kind = str(device).split(":")[0]
    if kind == "cuda":
        return torch.cuda.is_bf16_supported()
    if kind != "cpu":
        return False
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            flags = next((line for line in f if line.startswith("flags")), "").split()
    except OSError:
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


BF16_MIN_WIDTH = 1 << 17  # d_model x the widest output (MLP hidden or vocabulary), per token


def resolve_dtype(dtype: str, device: str, width: int | None = None) -> str:
    """`auto` is bfloat16 autocast where the hardware has bf16 units, else float32. On a CPU
    the casts cost more than small matmuls gain: with one thread, d64/vocab 512 ran 0.69x and
    d128/MLP 512/vocab 64 0.73x as fast in bf16, d64/vocab 2048 1.16x, d128/vocab 4096 1.31x
    and d256/vocab 4096 1.69x (benchmarks/bf16_width.py, 2026-12, AMX). So `width` (d_model x
    the widest output) below BF16_MIN_WIDTH keeps float32."""
    if dtype not in DTYPES:
        raise StorylabError(f"dtype {dtype!r}; choose one of {', '.join(DTYPES)}")
    if dtype == "auto":
        small = str(device).startswith("cpu") and width is not None and width < BF16_MIN_WIDTH
        return "bfloat16" if has_fast_bf16(device) and not small else "float32"
    return dtype


def autocast(device: str, dtype: str):
    """bf16 autocast for matmuls (the loss still runs in fp32), or nothing for fp32."""
    dtype = resolve_dtype(dtype, device)
    if dtype == "float32":
        return nullcontext()
    if dtype != "bfloat16":
        raise StorylabError(f"dtype {dtype!r}; choose one of {', '.join(DTYPES)}")
    return torch.autocast(device_type=str(device).split(":")[0], dtype=torch.bfloat16)


def busy_cores(interval: float = 0.05) -> float:
    """Cores other processes keep busy right now: /proc/stat over a short sleep (this process
    sleeps meanwhile, so it is not counted). The load average would also count this process's
    own last minute of work and lag behind a machine that just went quiet; it is the fallback."""
    def sample():
        with open("/proc/stat", encoding="ascii") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return sum(v), v[3] + (v[4] if len(v) > 4 else 0)  # total, idle + iowait (jiffies)

    try:
        t0, i0 = sample()
        time.sleep(interval)
        t1, i1 = sample()
        ncpu = os.cpu_count() or 1
        return ncpu * (1 - (i1 - i0) / max(t1 - t0, 1))
    except (OSError, ValueError, IndexError):  # not Linux
        try:
            return os.getloadavg()[0]
        except (AttributeError, OSError):  # pragma: no cover
            return 0.0


def free_cores(interval: float = 0.05) -> int:
    """Cores this process may use that other work is not already using: the CPU affinity
    set minus the cores busy (over `interval` seconds, rounded), at least one."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        cores = os.cpu_count() or 1
    return max(1, min(cores, int(cores - busy_cores(interval) + 0.5)))


def auto_threads(work: int = 1 << 30, interval: float = 0.05) -> int:
    """Threads for `work` multiply-adds per operator: one for tiny ops (a thread hand-off costs
    more than it saves, ~50 us), else every free core. Oversubscribing a busy machine is what
    collapses throughput 3-10x; a thread count that fits the free cores keeps it."""
    if os.environ.get("OMP_NUM_THREADS"):  # the user (or a launcher) chose already
        return torch.get_num_threads()
    return 1 if work < 1 << 18 else free_cores(interval)


def set_threads(threads: int, work: int = 1 << 30, interval: float = 0.05) -> int:
    """Set torch's CPU threads and return the count: 0 picks `auto_threads(work)`, looking at
    the machine for `interval` seconds (longer for long jobs: a 50 ms look can land on a burst)."""
    if threads < 0:
        raise StorylabError(f"threads must be 0 (automatic) or more, got {threads}")
    threads = threads or auto_threads(work, interval)
    if threads != torch.get_num_threads():
        torch.set_num_threads(threads)
    return threads
