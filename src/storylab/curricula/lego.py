"""LEGO chains (after Zhang et al. 2022, "Unveiling Transformers with LEGO"): a chain of
sign assignments ``a = +1; b = -a; c = +b; ...`` given in shuffled order, then every
variable resolved in chain order. Resolving variable j needs the j clauses before it,
so `length` (the chain length) is the reasoning-depth knob.

Text: ``d = -c; a = +1; c = +b; b = -a. So a = +1, b = -1, c = -1, d = +1.``
``meta``: clauses, the chain order and every value.
"""

from __future__ import annotations

import string

from storylab.corpus.records import make_record
from storylab.curricula.common import HELD_OUT_SEED, item, rng_for

FAMILY = "lego"


def chain(rng, length: int) -> tuple[list[str], list[str], dict[str, int]]:
    """(clauses in shuffled order, variables in chain order, value of each)."""
    names = rng.sample(string.ascii_lowercase, length)
    values, clauses = {}, []
    for j, v in enumerate(names):
        sign = rng.choice([1, -1])
        if j == 0:
            values[v] = sign
            clauses.append(f"{v} = {'+' if sign > 0 else '-'}1")
        else:
            values[v] = sign * values[names[j - 1]]
            clauses.append(f"{v} = {'+' if sign > 0 else '-'}{names[j - 1]}")
    rng.shuffle(clauses)
    return clauses, names, values


def fmt(x: int) -> str:
    return "+1" if x > 0 else "-1"


def example(seed: int, i: int, length: int = 6) -> dict:
    rng = rng_for(seed, i, FAMILY)
    clauses, order, values = chain(rng, length)
    text = "; ".join(clauses) + ". So " + ", ".join(f"{v} = {fmt(values[v])}" for v in order) + "."
    meta = {"clauses": clauses, "order": order, "values": values, "length": length}
    return make_record(text, FAMILY, id=f"{FAMILY}-{seed}-{i}", meta=meta)


def items(n: int = 48, seed: int = HELD_OUT_SEED, length: int = 6) -> list[dict]:
    """Minimal pairs (a contrast group of two): one chain, and the same chain with the
    sign of the queried variable's own clause flipped, so its value (the answer, +1 or
    -1) flips and nothing else in the prompt changes. The prompt gives the earlier
    variables' values, as the training text does."""
    out = []
    for g in range(n // 2):
        rng = rng_for(seed, g, FAMILY)
        clauses, order, values = chain(rng, length)
        j = rng.randrange(1, length)
        q = order[j]
        flipped = [c.replace(" = +", " = ~").replace(" = -", " = +").replace(" = ~", " = -")
                   if c.startswith(f"{q} = ") else c for c in clauses]
        shown = ", ".join(f"{v} = {fmt(values[v])}" for v in order[:j])
        for cl, answer in ((clauses, values[q]), (flipped, -values[q])):
            prompt = "; ".join(cl) + f". So {shown}, {q} ="
            out.append(item(FAMILY, len(out), prompt, " " + fmt(answer), [" " + fmt(-answer)], seed,
                            f"{FAMILY}-{seed}-g{g}", subskill=f"depth{j}"))
    return out
