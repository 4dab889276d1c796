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
    """Pairs of chains whose queried variables resolve to +1 and -1 (a contrast group
    of two); the prompt gives the earlier variables' values, as training text does."""
    out, i = [], 0
    want = [1, -1]
    while len(out) < n:
        group = f"{FAMILY}-{seed}-g{len(out) // 2}"
        for target in want:
            while True:
                rng = rng_for(seed, i, FAMILY)
                i += 1
                clauses, order, values = chain(rng, length)
                j = rng.randrange(1, length)
                if values[order[j]] == target:
                    break
            prompt = ("; ".join(clauses) + ". So " + ", ".join(f"{v} = {fmt(values[v])}" for v in order[:j])
                      + f", {order[j]} =")
            out.append(item(FAMILY, len(out), prompt, " " + fmt(target), [" " + fmt(-target)], seed, group,
                            subskill=f"depth{j}"))
        want.reverse()
    return out[:n]
