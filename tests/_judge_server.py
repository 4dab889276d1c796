"""Chat-completions servers on 127.0.0.1 that play a judge (for tests and benchmarks/judge_reliability.py).

- ``StyleJudge``: answers each completion with one of the written answers in
  `_judge_answers.ANSWERS`, chosen by a ``#N`` tag in the completion, so every style goes
  through the real HTTP client, cache and parser.
- ``NoisyJudge``: each completion has a true grade per dimension (from a hash of its
  text, uniform on 3..8); every request answers ``round(true + N(0, sigma))`` clipped to
  1..10, with fresh noise per request, in the paper's one-line format. The k-th request
  for a text draws its noise from a generator seeded by (seed, text, k), so the grades a
  run receives do not depend on the order in which concurrent requests arrive.
"""

from __future__ import annotations

import hashlib
import random
import re

from _chat_server import ChatServer
from _judge_answers import ANSWERS

DIMS = ("grammar", "creativity", "consistency", "plot")


def student_part(body: dict) -> str:
    """The completion inside the judge prompt (after the *** mark)."""
    prompt = body["messages"][-1]["content"]
    return prompt.split("\n\nFirst,")[0].rsplit("***", 1)[-1]


class StyleJudge(ChatServer):
    def answer(self, body: dict) -> str:
        m = re.search(r"#(\d+)", student_part(body))
        return ANSWERS[int(m.group(1)) % len(ANSWERS)]["text"] if m else "Grammar: 6/10, Creativity: 6/10, " \
            "Consistency: 6/10, Plot: 6/10. Age group: B (4-5)."


def true_grades(text: str) -> dict:
    h = hashlib.sha256(text.encode()).digest()
    return {d: 3 + h[i] % 6 for i, d in enumerate(DIMS)}


class NoisyJudge(ChatServer):
    def __init__(self, sigma: float, seed: int = 0):
        self.sigma = sigma
        self.seed = seed
        self.seen: dict[str, int] = {}
        super().__init__()

    def answer(self, body: dict) -> str:
        text = student_part(body)
        k = self.seen[text] = self.seen.get(text, -1) + 1
        rng = random.Random(hashlib.sha256(f"{self.seed}|{k}|{text}".encode()).digest())
        true = true_grades(text)
        g = {d: min(10, max(1, round(v + rng.gauss(0, self.sigma)))) for d, v in true.items()}
        return (f"The student keeps the characters.\nGrammar: {g['grammar']}/10, Creativity: {g['creativity']}/10, "
                f"Consistency: {g['consistency']}/10, Plot: {g['plot']}/10. Age group: C (6-7).")
