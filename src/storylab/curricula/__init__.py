"""Structured curricula: generated corpora whose answers are known, and their task items.

- `lego`: LEGO sign chains (Zhang et al. 2022), chain length as a knob;
- `logic`: propositional logic in words (either/or, if/then);
- `variables`: variable tracking, as code (``x = 3; y = x; print(y)``) and in words;
- `evidence`: dated in-context evidence against memory (FreshPrompt in miniature),
  standalone or appended to stories at a rate (`evidence.add_evidence`).

Each is a `storylab generate --backend NAME`; their task items are the built-in task
file ``evaluate/tasks/curricula.jsonl`` (``python -m storylab.curricula.items``
rewrites it from the held-out seed).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from storylab.corpus.records import write_corpus
from storylab.errors import StorylabError
from storylab.progress import progress as make_progress

BACKENDS = ("lego", "logic", "variables", "evidence")


def _module(backend: str):
    if backend not in BACKENDS:
        raise StorylabError(f"unknown curriculum {backend!r}; choose one of {', '.join(BACKENDS)}")
    import importlib

    return importlib.import_module(f"storylab.curricula.{backend}")


@dataclass
class CurriculumStats:
    backend: str
    n: int
    path: Path
    seconds: float

    def summary(self) -> str:
        return f"{self.n:,} {self.backend} records -> {self.path} in {self.seconds:.1f}s"


def generate_curriculum(backend: str, out: str | os.PathLike, n: int, seed: int = 0, length: int | None = None,
                        progress: bool = True) -> CurriculumStats:
    """Write `n` records of curriculum `backend` (record i depends only on (seed, i)).
    `length`: the LEGO chain length (default 6) or the number of variable statements (5)."""
    t0 = time.time()
    mod = _module(backend)
    if n < 1:
        raise StorylabError(f"--n must be at least 1, got {n}")
    knobs = {}
    if length is not None:
        if backend not in ("lego", "variables"):
            raise StorylabError(f"--length applies to lego and variables, not {backend}")
        if length < 2 or (backend == "lego" and length > 26):
            raise StorylabError(f"--length must be in 2..{26 if backend == 'lego' else 'N'}, got {length}")
        knobs["length"] = length

    def records():
        with make_progress(disable=not progress) as bar:
            task = bar.add_task(backend, total=n)
            for i in range(n):
                yield mod.example(seed, i, **knobs)
                bar.advance(task)

    count = write_corpus(out, records())
    return CurriculumStats(backend, count, Path(out), time.time() - t0)
