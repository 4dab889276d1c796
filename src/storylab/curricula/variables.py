"""Variable tracking, as code and in words: assignments by value and by copy, then a query.

Code: ``x = 3; y = x; x = 5; print(y) -> 3`` (y keeps the value x had when it was copied).
Words, the same program with toys for variables and coloured boxes for values:
"Tom put the ball in the red box. Tom put the kite in the box with the ball. Then Tom
moved the ball to the blue box. Mom asked where the kite was. Tom said that it was in
the red box."

``meta``: the program (a list of ``[target, kind, source]`` with kind ``set`` or
``copy``), the final value of every variable, and the query.
"""

from __future__ import annotations

import string

from storylab.corpus.records import make_record
from storylab.curricula.common import HELD_OUT_SEED, item, pronoun, rng_for, words

FAMILY = "variables"
STYLES = ("code", "words")


def program(rng, length: int, n_vars: int, n_values: int):
    """(statements, final values): every variable is set before it is copied from; at
    least one copy is made, and its source is later overwritten when there is room."""
    names = list(range(n_vars))
    stmts, val = [], {}
    while len(stmts) < length:
        known = [v for v in names if v in val]
        if known and (rng.random() < 0.5 or len(known) == n_vars):
            src = rng.choice(known)
            tgt = rng.choice([v for v in names if v != src])
            stmts.append([tgt, "copy", src])
            val[tgt] = val[src]
        else:
            tgt = rng.choice(names)
            x = rng.randrange(n_values)
            stmts.append([tgt, "set", x])
            val[tgt] = x
    return stmts, val


def run(stmts) -> dict:
    val = {}
    for tgt, kind, src in stmts:
        val[tgt] = val[src] if kind == "copy" else src
    return val


def render(stmts, style: str, rng, query: int) -> tuple[str, dict]:
    """(prompt up to where the answer goes, naming: variable -> name, value -> word)."""
    if style == "code":
        letters = rng.sample("xyzabcmnpq", 10)
        var = {i: letters[i] for i in range(10)}
        value = {x: str(x) for x in range(10)}
        lines = [f"{var[t]} = {var[s] if k == 'copy' else value[s]}" for t, k, s in stmts]
        return "; ".join(lines) + f"; print({var[query]}) ->", value
    w = words()
    name, gender = rng.choice(w["names"])
    toys = rng.sample(w["toys"], 10)
    colors = w["colors"]
    value = {x: colors[x] for x in range(len(colors))}
    placed, out = set(), []
    for t, k, s in stmts:
        if k == "copy":
            out.append(f"{name} put the {toys[t]} in the box with the {toys[s]}.")
        elif t in placed:
            out.append(f"Then {name} moved the {toys[t]} to the {value[s]} box.")
        else:
            out.append(f"{name} put the {toys[t]} in the {value[s]} box.")
        placed.add(t)
    return (" ".join(out) + f" Mom asked where the {toys[query]} was. {name} said that it was in the", value)


def example(seed: int, i: int, length: int = 5) -> dict:
    rng = rng_for(seed, i, FAMILY)
    style = rng.choice(STYLES)
    stmts, val = program(rng, length, n_vars=3, n_values=10 if style == "code" else 6)
    query = rng.choice(sorted(val))
    prompt, value = render(stmts, style, rng, query)
    answer = value[val[query]]
    text = f"{prompt} {answer}" + ("" if style == "code" else " box.")
    return make_record(text, FAMILY, id=f"{FAMILY}-{seed}-{i}",
                       meta={"style": style, "program": stmts, "values": {str(k): v for k, v in val.items()},
                             "query": query, "prompt_end": len(prompt), "answer": answer})


def items(n: int = 48, seed: int = HELD_OUT_SEED, length: int = 5) -> list[dict]:
    """Contrast pairs: one program, two queried variables with different values (each
    the other's distractor). The two queries differ only in the variable asked about."""
    out, i = [], 0
    while len(out) < n:
        style = STYLES[(len(out) // 2) % 2]
        rng = rng_for(seed, i, FAMILY)
        i += 1
        stmts, val = program(rng, length, n_vars=3, n_values=10 if style == "code" else 6)
        # prefer the interesting pair: a copy whose source was later overwritten
        pairs = [(a, b) for a in sorted(val) for b in sorted(val) if a < b and val[a] != val[b]]
        if not pairs or not any(k == "copy" for _, k, _ in stmts):
            continue
        a, b = rng.choice(pairs)
        group = f"{FAMILY}-{seed}-g{len(out) // 2}"
        state = rng.getstate()
        for q, other in ((a, b), (b, a)):
            rng.setstate(state)  # the same names for both renderings
            prompt, value = render(stmts, style, rng, q)
            out.append(item(FAMILY, len(out), prompt, " " + value[val[q]], [" " + value[val[other]]], seed, group,
                            subskill=style))
    return out[:n]
