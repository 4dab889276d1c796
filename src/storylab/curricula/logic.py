"""Propositional logic in words, in the story world's vocabulary.

Two forms, each a two-way choice the premises decide:
- disjunctive syllogism: "Either the ball is in the red box or it is in the blue box.
  It is not in the red box. So the ball is in the blue box."
- modus ponens over two rules: "If Tom goes to the park, he will see a duck. If Tom goes
  to the farm, he will see a cow. Tom went to the farm. So Tom saw a cow."
  (the rule that fires is the first or the second, at random, so the answer is not
  always the last thing mentioned)

``meta``: the form, the answer and the other option.
"""

from __future__ import annotations

from storylab.corpus.records import make_record
from storylab.curricula.common import HELD_OUT_SEED, item, pronoun, rng_for, words

FAMILY = "logic"
FORMS = ("either", "if")


def _either(rng, flip: bool | None = None):
    w = words()
    toy = rng.choice(w["toys"])
    a, b = rng.sample(w["colors"], 2)
    deny_first = rng.random() < 0.5 if flip is None else flip
    no, yes = (a, b) if deny_first else (b, a)
    prompt = (f"Either the {toy} is in the {a} box or it is in the {b} box. It is not in the {no} box. "
              f"So the {toy} is in the")
    return prompt, yes, no


def _if(rng, flip: bool | None = None):
    w = words()
    name, gender = rng.choice(w["names"])
    (p1, _), (p2, _) = rng.sample(w["places"], 2)
    a1, a2 = rng.sample(w["animals"], 2)
    he = pronoun(gender)
    first = rng.random() < 0.5 if flip is None else flip
    went = p1 if first else p2
    yes, no = (a1, a2) if first else (a2, a1)
    prompt = (f"If {name} goes to the {p1}, {he} will see a {a1}. If {name} goes to the {p2}, {he} will see a {a2}. "
              f"{name} went to the {went}. So {name} saw a")
    return prompt, yes, no


def problem(rng, form: str | None = None, flip: bool | None = None) -> tuple[str, str, str, str]:
    form = form or rng.choice(FORMS)
    prompt, yes, no = (_either if form == "either" else _if)(rng, flip)
    return form, prompt, yes, no


def example(seed: int, i: int, length: int = 0) -> dict:
    rng = rng_for(seed, i, FAMILY)
    form, prompt, yes, no = problem(rng)
    end = " box." if form == "either" else "."
    return make_record(f"{prompt} {yes}{end}", FAMILY, id=f"{FAMILY}-{seed}-{i}",
                       meta={"form": form, "prompt_end": len(prompt), "answer": yes, "distractors": [no]})


def items(n: int = 48, seed: int = HELD_OUT_SEED) -> list[dict]:
    """Contrast pairs: the same premises but the other option denied (or the other rule
    firing), so each option is the answer once and is first-mentioned once."""
    out = []
    for g in range(n // 2):
        form = FORMS[g % 2]
        for flip in (True, False):
            rng = rng_for(seed, g, FAMILY)  # the same draw twice: only `flip` differs
            _, prompt, yes, no = problem(rng, form, flip)
            out.append(item(FAMILY, len(out), prompt, " " + yes, [" " + no], seed, f"{FAMILY}-{seed}-g{g}",
                            subskill=form))
    return out
