"""The judge's two figures: parse rate of written answers by style, and repeat agreement
measured through HTTP against a server that adds noise to its grades.

    python benchmarks/judge_reliability.py [--completions 200] [--repeats 3] [--sigmas 0,0.5,1,2]

1. Parse rate: every answer of ``tests/_judge_answers.py`` (written for storylab in the
   styles of GPT-4-class models, Llama/Qwen behind vLLM, Ollama and llama.cpp, plus
   refusals and broken answers) through `parse_grades`; an answer counts as right when the
   four grades and the age group are exactly the expected ones, or, for answers that must
   be rejected, when it is rejected for the expected reason.
2. Agreement: ``tests/_judge_server.NoisyJudge`` on 127.0.0.1. Noise model: each completion
   has a true grade per dimension, uniform on the integers 3..8; every request answers
   ``clip(round(true + N(0, sigma)), 1, 10)`` with fresh noise. Each completion is graded
   ``--repeats`` times by `judge_completions` (the real client, cache and parser); the
   Krippendorff alpha (interval) and mean pairwise Spearman it reports are printed next to
   the alpha of the same noise model simulated directly with NumPy (200,000 completions),
   which is what a correct pipeline should measure up to sampling error.

CPU: a few seconds (one process, one thread; the server is a thread).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from _judge_answers import ANSWERS  # noqa: E402
from _judge_server import NoisyJudge  # noqa: E402

from storylab.evaluate.grades import DIMENSIONS, parse_grades  # noqa: E402
from storylab.evaluate.judge import judge_completions, judge_endpoint  # noqa: E402


def _right(a: dict) -> bool:
    g = parse_grades(a["text"])
    if "scores" in a:
        return g.ok and tuple(g.scores[d] for d in DIMENSIONS) == a["scores"] and g.age_group == a["age"]
    return not g.ok and a["reason"] in g.reason


def parse_rates() -> None:
    right, total = defaultdict(int), defaultdict(int)
    for a in ANSWERS:
        right[a["style"]] += _right(a)
        total[a["style"]] += 1
    print("parse rate by style (right / answers):")
    for s in ("gpt4", "vllm", "ollama", "llamacpp", "refusal"):
        print(f"  {s:9s} {right[s]:2d}/{total[s]:2d} = {right[s] / total[s]:.0%}")
    print(f"  {'all':9s} {sum(right.values()):2d}/{len(ANSWERS):2d}")
    late = [a for a in ANSWERS if a.get("late")]
    late_ok = sum(_right(a) for a in late)
    print(f"  of which written after the parser was finished: {late_ok}/{len(late)}")


def simulated_alpha(sigma: float, repeats: int, n: int = 200_000, seed: int = 1) -> float:
    rng = np.random.default_rng(seed)
    true = rng.integers(3, 9, size=n)[:, None]
    g = np.clip(np.rint(true + rng.normal(0, sigma, size=(n, repeats))), 1, 10)
    # Krippendorff's alpha for complete data in closed form (same formula as reliability.py)
    d_o = (((g[:, :, None] - g[:, None, :]) ** 2).sum(axis=(1, 2)) / (repeats - 1)).sum() / g.size
    v = g.ravel()
    d_e = (2 * v.size * (v ** 2).sum() - 2 * v.sum() ** 2) / (v.size * (v.size - 1))
    return 1 - d_o / d_e


def agreement(n: int, repeats: int, sigmas: list[float]) -> None:
    print(f"\nrepeat agreement, {n} completions x {repeats} repeats through HTTP "
          f"(noise: true ~ U{{3..8}}, answer = clip(round(true + N(0, sigma)), 1, 10)):")
    print("  sigma  alpha(measured, per dimension)   mean   rho(mean)  sd_within  alpha(simulated)")
    comps = [{"id": f"c{i}", "prompt": f"Beginning {i % 50} and", "completion": f" completion {i}."}
             for i in range(n)]
    for sigma in sigmas:
        server = NoisyJudge(sigma, seed=0)
        try:
            with tempfile.TemporaryDirectory() as tmp:
                r = judge_completions(comps, judge_endpoint(server.url, "noisy", in_flight=8, temperature=1.0),
                                      Path(tmp) / "cache.jsonl", repeats=repeats)
        finally:
            server.close()
        al = [r.reliability[d]["alpha"] for d in DIMENSIONS]
        rho = np.mean([r.reliability[d]["spearman"] for d in DIMENSIONS])
        sd = np.mean([r.reliability[d]["sd_within"] for d in DIMENSIONS])
        print(f"  {sigma:5.2f}  {' '.join(f'{a:.3f}' for a in al)}  {np.mean(al):.3f}  {rho:9.3f}  {sd:9.3f}  "
              f"{simulated_alpha(sigma, repeats):.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--completions", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--sigmas", default="0,0.5,1,2")
    a = ap.parse_args()
    parse_rates()
    agreement(a.completions, a.repeats, [float(x) for x in a.sigmas.split(",")])


if __name__ == "__main__":
    main()
