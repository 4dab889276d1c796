"""What the curricula generators share: seeded RNGs, words from the story vocabulary,
and balanced contrast groups of task items.

Each generator module (lego, logic, variables, evidence) has ``example(seed, i,
**knobs)`` -> corpus record (its answers in ``meta``) and ``items(n, seed)`` -> task
items for the capability suite (the format of ``evaluate/tasks/*.jsonl``), built in
contrast groups: items with the same options, each option the answer of one item, so a
model that prefers an option regardless of the context scores chance exactly.
"""

from __future__ import annotations

import random
from functools import lru_cache

from storylab.world.vocabulary import load_vocabulary

HELD_OUT_SEED = 990_017  # task items come from here; no storylab default trains on it


def rng_for(seed: int, i: int, family: str) -> random.Random:
    """Record i of `family` depends only on (seed, i)."""
    return random.Random(f"{family}:{seed}:{i}")


@lru_cache(maxsize=1)
def words() -> dict[str, list[str]]:
    """Word lists from the story vocabulary (names, toys, colours, places, days)."""
    v = load_vocabulary()
    colors = [a["word"] for a in v.adjectives if a.get("class") == "color"]
    toys = [n["word"] for n in v.nouns if n.get("kind") == "toy" and " " not in n["word"]]
    names = [(n["name"], n["gender"]) for n in v.names if n.get("kind") == "child" and not n.get("rare")]
    places = [(p["word"], p.get("prep", "at")) for p in v.places]
    days = [t["word"] for t in sorted((t for t in v.times if t.get("kind") == "day"), key=lambda t: t["order"])]
    animals = [n["word"] for n in v.nouns if n.get("kind") == "animal" and " " not in n["word"]]
    plural = {n["word"]: n.get("plural", n["word"] + "s") for n in v.nouns}
    return {"colors": colors, "toys": toys, "names": names, "places": places, "days": days, "animals": animals,
            "plural": plural}


def pronoun(gender: str) -> str:
    return "she" if gender == "female" else "he"


def item(family: str, n: int, prompt: str, answer: str, distractors: list[str], seed: int, group: str,
         subskill: str = "", skill: str | None = None) -> dict:
    d = {"id": f"{family}-{seed}-{n}", "skill": skill or family, "prompt": prompt, "answer": answer,
         "distractors": distractors, "source": f"curricula:{family}:seed={seed}", "group": group}
    if subskill:
        d["subskill"] = subskill
    return d


def mention_order(prompt: str, options: list[str]) -> list[str]:
    """The options ordered by where they first appear in the prompt (unmentioned ones
    last, in the given order): what a model that copies the first or the last
    candidate it read would pick from."""
    low = prompt.lower()

    def pos(o):
        k = low.find(o.strip().lower().rstrip("."))
        return k if k >= 0 else len(low) + 1

    return sorted(options, key=pos)
