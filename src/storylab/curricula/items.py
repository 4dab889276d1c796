"""The curricula's capability-suite items, from the held-out seed.

``python -m storylab.curricula.items`` rewrites ``evaluate/tasks/curricula.jsonl`` (the
suite reads the file, so scores do not silently move when a template changes).
"""

from __future__ import annotations

from pathlib import Path

from storylab.curricula import evidence, lego, logic, variables
from storylab.curricula.common import HELD_OUT_SEED
from storylab.evaluate.tasks import TASK_DIR, write_items


def all_items(seed: int = HELD_OUT_SEED) -> list[dict]:
    return lego.items(48, seed) + logic.items(48, seed) + variables.items(48, seed) + evidence.items(72, seed)


def main() -> None:
    path = Path(TASK_DIR) / "curricula.jsonl"
    print(f"{write_items(path, all_items())} items -> {path}")


if __name__ == "__main__":
    main()
