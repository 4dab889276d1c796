"""Random legal Othello games per second on one core: the rules engine alone, and with
corpus records (the JSON lines `storylab generate --backend othello` writes).

    OMP_NUM_THREADS=1 python benchmarks/othello_speed.py
"""

import json
import time

import numpy as np

from storylab.games.othello import generate_games, play_random


def rate(fn, count: int) -> tuple[float, float]:
    """(games per CPU second, games per wall second): on a busy machine the first is the per-core figure."""
    c0, t0 = time.process_time(), time.perf_counter()
    fn(count)
    return count / (time.process_time() - c0), count / (time.perf_counter() - t0)


def main() -> None:
    for n, count in ((6, 40_000), (8, 20_000)):
        play_random(n, 0, np.arange(256))  # warm up
        engine = rate(lambda c: play_random(n, 0, np.arange(c)), count)
        records = rate(lambda c: [json.dumps(r, separators=(",", ":")) for r in generate_games(n, c, 0)], count)
        print(f"{n}x{n}: engine {engine[0]:,.0f} games per CPU-second ({engine[1]:,.0f}/s wall), with JSON records "
              f"{records[0]:,.0f} per CPU-second ({records[1]:,.0f}/s wall)")


if __name__ == "__main__":
    main()
