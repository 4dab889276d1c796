"""Where bf16 autocast pays on a CPU: one training step (forward, backward, AdamW) in float32
and in bf16 autocast, side by side in one process, for narrow and wide models.

    python benchmarks/bf16_width.py

It is the measurement behind `device.BF16_MIN_WIDTH`: `train.dtype=auto` keeps float32 when
d_model x the widest output (MLP hidden or vocabulary) is below it. Run with the threads
you train with (OMP_NUM_THREADS); the figures in resolve_dtype's docstring are one thread.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from storylab.config import ModelConfig  # noqa: E402
from storylab.device import BF16_MIN_WIDTH  # noqa: E402
from storylab.model import GPT  # noqa: E402

SHAPES = [  # d_model, layers, context, batch, vocab
    (64, 2, 64, 16, 512), (128, 4, 40, 64, 64), (64, 4, 256, 16, 2048), (128, 4, 256, 16, 4096),
    (256, 6, 256, 16, 4096)]


def step_seconds(model, opt, x, bf16: bool, steps: int = 8) -> float:
    times = []
    for _ in range(steps):
        t = time.perf_counter()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            logits = model(x[:, :-1])
        loss = torch.nn.functional.cross_entropy(logits.float().flatten(0, 1), x[:, 1:].flatten())
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times[2:])  # after two warm-up steps


def main() -> None:
    torch.manual_seed(0)
    print(f"{torch.get_num_threads()} threads; auto picks bf16 from width {BF16_MIN_WIDTH:,}")
    for d, layers, T, B, V in SHAPES:
        cfg = ModelConfig(vocab_size=V, context=T, d_model=d, n_layers=layers, n_heads=max(2, d // 32))
        model = GPT(cfg)
        opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
        x = torch.randint(0, V, (B, T + 1))
        fp32, bf16 = step_seconds(model, opt, x, False), step_seconds(model, opt, x, True)
        width = d * max(cfg.hidden, V)
        print(f"d{d} L{layers} T{T} B{B} V{V} width {width:>9,}: fp32 {fp32 * 1e3:6.0f} ms, bf16 {bf16 * 1e3:6.0f} ms, "
              f"bf16 {fp32 / bf16:.2f}x  (auto: {'bf16' if width >= BF16_MIN_WIDTH else 'fp32'})")


if __name__ == "__main__":
    main()
