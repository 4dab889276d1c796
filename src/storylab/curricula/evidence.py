"""In-context evidence against memory: FreshPrompt (Vu et al. 2023) in miniature.

A passage gives dated evidence, oldest to newest (as FreshPrompt orders search
results), then a question whose answer needs that evidence rather than what the model
memorised from the world's stories:

- ``fact``: evidence against the world's usual facts ("Most cows say moo. On Tuesday,
  the cow said quack." -> what did the cow say? quack);
- ``update``: evidence against earlier evidence ("On Monday, the ball was in the red
  box. On Tuesday, Tom moved the ball to the blue box." -> where is it now? blue);
- ``premise``: a question with a false premise ("Why did the cow say moo?" when it said
  quack) must be answered "It did not."; the same passage with a true premise is
  answered with the reason it gives.

`add_evidence` appends passages to corpus records at a chosen rate (a function over
records, so any corpus can get them; `storylab generate --evidence-rate R`), and
`items` builds the capability-suite family, balanced three ways: contrast groups (each
option the answer once), and the answer's position among the options as they are first
mentioned in the prompt, so that always taking the first- or the last-mentioned
candidate scores chance exactly.
"""

from __future__ import annotations

import hashlib
from typing import Iterable, Iterator

from storylab.corpus.records import make_record
from storylab.curricula.common import HELD_OUT_SEED, item, rng_for, words
from storylab.errors import StorylabError

FAMILY = "evidence"
KINDS = ("fact", "update", "premise")
# the world's usual facts (world/vocab/knowledge.json, relation "says"), one sound each
SOUNDS = {"cow": "moo", "dog": "woof", "duck": "quack", "sheep": "baa", "horse": "neigh", "hen": "cluck",
          "owl": "hoot", "pig": "oink", "cat": "meow"}
FEELINGS = ("happy", "sad", "hungry", "scared", "cold", "tired")
POSITIONS = ("first", "middle", "last")


def _days(rng, k: int) -> list[str]:
    days = words()["days"]
    start = rng.randrange(len(days) - k + 1)
    return days[start:start + k]


def fact(rng, animal: str, new: str, answer_first: bool) -> tuple[str, str, list[str]]:
    """Evidence that the animal said another animal's sound."""
    w = words()
    name, _ = rng.choice(w["names"])
    d1, d2 = _days(rng, 2)
    usual = SOUNDS[animal]
    if answer_first:
        ev = f"On {d1}, {name} went to the farm and saw a {animal}. On {d2}, the {animal} said {new}, not {usual}."
    else:
        ev = (f"On {d1}, {name} went to the farm. Most {w['plural'].get(animal, animal + 's')} say {usual}. "
              f"On {d2}, the {animal} said {new}.")
    return f"{ev} Mom asked what the {animal} said. {name} said that it said", " " + new, [" " + usual]


def update(rng, ans: str, d1: str, d2: str, position: str) -> tuple[str, str, list[str]]:
    """Two toys in coloured boxes over three days; the queried toy's newest place is `ans`,
    and `position` says where `ans` is first mentioned among the three colours."""
    w = words()
    name, _ = rng.choice(w["names"])
    x, y = rng.sample(w["toys"], 2)
    days = _days(rng, 3)
    if position == "first":      # Y in ans; X in d1; X moved to d2; ask Y
        events, query = [f"the {y} was in the {ans} box", f"the {x} was in the {d1} box",
                         f"{name} moved the {x} to the {d2} box"], y
    elif position == "middle":   # X in d1; X moved to ans; Y in d2; ask X
        events, query = [f"the {x} was in the {d1} box", f"{name} moved the {x} to the {ans} box",
                         f"the {y} was in the {d2} box"], x
    else:                        # X in d1; Y in d2; X moved to ans; ask X
        events, query = [f"the {x} was in the {d1} box", f"the {y} was in the {d2} box",
                         f"{name} moved the {x} to the {ans} box"], x
    ev = " ".join(f"On {d}, {e}." for d, e in zip(days, events))
    return (f"{ev} Mom asked where the {query} was now. {name} said that it was in the", " " + ans,
            [" " + d1, " " + d2])


def premise(rng, animal: str, new: str, true_premise: bool) -> tuple[str, str, list[str]]:
    """The animal said `new` for a reason; the question asks why it said `new` (true
    premise: answer the reason) or its usual sound (false premise: "It did not.")."""
    w = words()
    name, _ = rng.choice(w["names"])
    d1, d2 = _days(rng, 2)
    feeling = rng.choice(FEELINGS)
    asked = new if true_premise else SOUNDS[animal]
    because, did_not = f"Because it was {feeling}.", "It did not."
    prompt = (f"On {d1}, {name} saw a {animal} at the farm. On {d2}, the {animal} said {new} because it was "
              f"{feeling}. {name} asked, \"Why did the {animal} say {asked}?\" Mom said, \"")
    return (prompt, because, [did_not]) if true_premise else (prompt, did_not, [because])


def _other_sound(rng, animal: str) -> str:
    return SOUNDS[rng.choice([a for a in SOUNDS if a != animal])]


def passage(rng, kind: str | None = None) -> dict:
    """One training passage: {kind, prompt, answer, distractors, text}."""
    kind = kind or rng.choice(KINDS)
    colors = words()["colors"]
    if kind == "fact":
        animal = rng.choice(sorted(SOUNDS))
        p, a, ds = fact(rng, animal, _other_sound(rng, animal), rng.random() < 0.5)
    elif kind == "update":
        ans, d1, d2 = rng.sample(colors, 3)
        p, a, ds = update(rng, ans, d1, d2, rng.choice(POSITIONS))
    else:
        animal = rng.choice(sorted(SOUNDS))
        p, a, ds = premise(rng, animal, _other_sound(rng, animal), rng.random() < 0.5)
    end = '"' if kind == "premise" else "."
    return {"kind": kind, "prompt": p, "answer": a, "distractors": ds, "text": p + a + end}


def example(seed: int, i: int, length: int = 0) -> dict:
    ps = passage(rng_for(seed, i, FAMILY))
    return make_record(ps["text"], FAMILY, id=f"{FAMILY}-{seed}-{i}",
                       meta={"kind": ps["kind"], "prompt_end": len(ps["prompt"]), "answer": ps["answer"].strip(),
                             "distractors": [d.strip() for d in ps["distractors"]]})


def add_evidence(records: Iterable[dict], rate: float, seed: int = 0) -> Iterator[dict]:
    """Append an evidence passage (its own paragraph, at the end, so the story's character
    offsets in ``meta`` stay valid) to a `rate` share of the records, chosen by a hash of
    (seed, id); ``meta["evidence"]`` records the passage, its offset and its answer."""
    if not 0 <= rate <= 1:
        raise StorylabError(f"--evidence-rate must be in [0, 1], got {rate}")
    for i, rec in enumerate(records):
        key = f"{seed}:{rec.get('id', i)}"
        u = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big") / 2**64
        if u < rate:
            ps = passage(rng_for(seed, i, "evidence-insert"))
            offset = len(rec["text"]) + 1
            rec = {**rec, "text": rec["text"] + "\n" + ps["text"],
                   "meta": {**rec.get("meta", {}), "evidence": {
                       "kind": ps["kind"], "offset": offset, "prompt_end": offset + len(ps["prompt"]),
                       "answer": ps["answer"].strip(), "distractors": [d.strip() for d in ps["distractors"]]}}}
        yield rec


def items(n: int = 72, seed: int = HELD_OUT_SEED) -> list[dict]:
    """`n` items in equal thirds: ``fact`` pairs, ``update`` triples, ``premise`` pairs
    (see the module docstring for how each is balanced; ``fact`` pairs alternate the
    answer-first and answer-last forms, so use a multiple of 12 for exact balance).
    Pairs are minimal: the two passages differ only in the words that set the answer."""
    out: list[dict] = []
    colors = words()["colors"]
    animals = sorted(SOUNDS)
    per = n // 3
    g = 0

    def add(kind, p, a, ds, group):
        out.append(item(FAMILY, len(out), p, a, ds, seed, group, subskill=kind))

    while sum(1 for it in out if it["subskill"] == "fact") + 2 <= per:  # cow says woof / dog says moo
        rng = rng_for(seed, g, "evidence-fact")
        a, b = rng.sample(animals, 2)
        state = rng.getstate()
        for animal, new in ((a, SOUNDS[b]), (b, SOUNDS[a])):  # the same passage but for the two words
            rng.setstate(state)
            add("fact", *fact(rng, animal, new, g % 2 == 0), f"{FAMILY}-{seed}-fact{g}")
        g += 1
    while sum(1 for it in out if it["subskill"] == "update") + 3 <= per:
        rng = rng_for(seed, g, "evidence-update")
        cs = rng.sample(colors, 3)
        for k in range(3):  # each colour the answer once, each position once
            ans, d1, d2 = cs[k], cs[(k + 1) % 3], cs[(k + 2) % 3]
            add("update", *update(rng, ans, d1, d2, POSITIONS[(k + g) % 3]), f"{FAMILY}-{seed}-update{g}")
        g += 1
    while sum(1 for it in out if it["subskill"] == "premise") + 2 <= per:
        rng = rng_for(seed, g, "evidence-premise")
        animal = rng.choice(animals)
        new = _other_sound(rng, animal)
        state = rng.getstate()
        for true in (True, False):
            rng.setstate(state)  # the same passage; only the question differs
            add("premise", *premise(rng, animal, new, true), f"{FAMILY}-{seed}-premise{g}")
        g += 1
    return out
