"""How much memory a model will need, checked against the machine before anything is allocated.

A typo such as ``model.context=100000000``, or a checkpoint whose metadata claims a vocabulary
of 10^12, would otherwise grow the process until the kernel kills it (or the machine
swaps). The estimate is deliberately simple (parameters, AdamW state, the largest
activations) and errs high by little; the refusal prints it, so the user sees why.
"""

from __future__ import annotations

import os

from storylab.errors import StorylabError

GiB = 1 << 30


def param_count(mc) -> int:
    """Parameters of `storylab.model.GPT(mc)`, from the config alone."""
    d, v, L, h = mc.d_model, mc.vocab_size, mc.n_layers, mc.hidden
    kv = mc.kv_heads * mc.d_head
    emb = v * d + (0 if mc.tie_embeddings else v * d) + (mc.context * d if mc.positions == "learned" else 0)
    attn = d * (d + 2 * kv) + d * d
    mlp = d * h * (3 if mc.activation == "swiglu" else 2)
    return emb + L * (attn + mlp + 4 * d) + 2 * d


def estimate_bytes(mc, batch: int = 1, training: bool = False, bytes_per: int = 4) -> int:
    """Peak bytes, roughly: weights (+ gradients and two AdamW moments when training) plus the
    activations of one batch of full context windows (kept for backward when training) and logits."""
    p = param_count(mc) * bytes_per
    T, d, L = mc.context, mc.d_model, mc.n_layers
    per_layer = batch * T * (12 * d + 2 * mc.hidden) + batch * mc.n_heads * T * T  # attention scores
    logits = batch * T * mc.vocab_size * (3 if training else 1)
    if training:
        return 4 * p + (L * per_layer + logits) * bytes_per
    return p + (per_layer + logits) * bytes_per


def available_bytes() -> int | None:
    """Memory available to a new allocation: MemAvailable from /proc/meminfo, else sysconf."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return None


def check_memory(mc, batch: int = 1, training: bool = False, what: str = "model", device: str = "cpu") -> int:
    """Refuse (one line, with the estimate) a model that cannot fit; return the estimate in bytes.

    Only host memory is checked (a CUDA device is checked by PyTorch itself, cleanly); the
    environment variable STORYLAB_MEMORY_LIMIT (bytes) overrides the measured limit."""
    need = estimate_bytes(mc, batch, training)
    limit = os.environ.get("STORYLAB_MEMORY_LIMIT")
    have = int(limit) if limit and limit.isdigit() else (available_bytes() if str(device).startswith("cpu") else None)
    if have is not None and need > have:
        raise StorylabError(f"{what} needs about {need / GiB:,.1f} GiB ({param_count(mc):,} parameters, context "
                            f"{mc.context}, vocabulary {mc.vocab_size}{f', batch {batch}' if batch > 1 else ''}) "
                            f"but only {have / GiB:,.1f} GiB is available; make it smaller")
    return need
