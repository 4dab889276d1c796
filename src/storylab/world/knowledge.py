"""Everyday knowledge of the story world, as data: ``storylab/data/vocab/knowledge.json``.

A fact is a triple (relation, subject, value): ("says", "cow", "moo"), ("temp", "ice",
"cold"), ("tool", "sweep", "broom"). The file has:

- ``relations``: ``{name: {"about", "closed", "facts": {subject: value | [values]},
  "not"?: {subject: [values]}}}``. A list gives every value the subject has, the first
  being its main one (the one stories name first). In a *closed* relation the list is
  complete within the relation's values (all values any subject has), so every other
  value is false for that subject: a cow says moo, so not quack. In an *open* relation
  (can, lives, eats) only the values in ``not`` are known to be false: a penguin cannot
  fly, but nothing is said about whether a dog can climb.
- ``tasks``: for the tool relation, task -> [present phrase, past phrase] ("{p}" is a
  possessive: "brush {p} teeth").
- ``jobs``: job -> [what one does ("puts out fires"), what they do ("put out fires"),
  workplace or ""]; the job relation maps a job to what it takes care of.
- ``found_at``: map place -> subjects one meets there; ``season_of``: season -> subjects.

Relations (subject -> value): says (animal -> what it says), cry (animal -> the verb
for its sound), can (animal -> ability), lives (animal -> home), gives (animal -> milk,
egg, honey, wool), eats, builds (nest, web, hive), baby (animal -> its young), size
(big/small), speed (fast/slow), color, temp (hot/cold), taste (sweet/sour/salty), tool
(task -> tool), sense (action -> body part), time (sun, moon, stars -> day/night),
light (dark/bright), season (snow, leaves, flowers, swimming -> season), weather
(season -> hot/cold), job (job -> what it takes care of), remedy (hungry, cold, dark,
rain, ... -> what helps).

Words are vocabulary words (checked by the tests), except task and job-tag names.
Stories state these facts (`storylab.world.facts`); a skill item's distractor is
always a value the knowledge base knows to be false, so an item's answer is the only
continuation the fact allows.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from storylab.world.vocabulary import VOCAB_DIR

KNOWLEDGE_FILE = Path(VOCAB_DIR) / "knowledge.json"

# adjectives a noun may not take because the knowledge base says otherwise ("hot ice cream")
_ADJ_VALUE = {"hot": ("temp", "hot"), "warm": ("temp", "hot"), "cold": ("temp", "cold"), "cool": ("temp", "cold"),
              "big": ("size", "big"), "huge": ("size", "big"), "giant": ("size", "big"), "small": ("size", "small"),
              "tiny": ("size", "small"), "fast": ("speed", "fast"), "slow": ("speed", "slow"),
              "sweet": ("taste", "sweet"), "sour": ("taste", "sour"), "salty": ("taste", "salty")}


class Relation:
    __slots__ = ("name", "about", "closed", "facts", "not_", "values", "subjects")

    def __init__(self, name: str, spec: dict):
        self.name, self.about, self.closed = name, spec.get("about", ""), bool(spec.get("closed"))
        self.facts: dict[str, list[str]] = {s: ([v] if isinstance(v, str) else list(v)) for s, v in spec["facts"].items()}
        self.not_: dict[str, list[str]] = {s: list(v) for s, v in spec.get("not", {}).items()}
        self.values = sorted({v for vs in self.facts.values() for v in vs})
        self.subjects = sorted(self.facts)

    def main(self, subj: str) -> str:
        return self.facts[subj][0]

    def true(self, subj: str, value: str) -> bool:
        return value in self.facts.get(subj, ())

    def false(self, subj: str, value: str) -> bool:
        """Known to be false: not the subject's (closed), or listed under "not" (open)."""
        if self.closed:
            return subj in self.facts and value in self.values and value not in self.facts[subj]
        return value in self.not_.get(subj, ())


class Knowledge:
    """The knowledge base with the indexes the story world needs."""

    def __init__(self, data: dict):
        self.rel = {name: Relation(name, spec) for name, spec in data["relations"].items()}
        self.tasks: dict[str, list[str]] = data["tasks"]
        self.jobs: dict[str, list[str]] = data["jobs"]
        self.found_at: dict[str, list[str]] = data["found_at"]
        self.season_of: dict[str, list[str]] = data["season_of"]
        self.by_subject: dict[str, list[str]] = {}
        self._contrast: dict[tuple, list[str]] = {}  # (kind, rel, subject or value, pool) -> contrasts
        self.mentions: dict[str, list[tuple[str, str, str]]] = {}  # word -> facts it takes part in
        for r in self.rel.values():
            for s, vs in r.facts.items():
                self.by_subject.setdefault(s, []).append(r.name)
                self.mentions.setdefault(s, []).append((r.name, s, vs[0]))
                for v in vs:
                    if v != s:
                        self.mentions.setdefault(v, []).append((r.name, s, v))

    def values(self, rel: str, subj: str) -> list[str]:
        return self.rel[rel].facts.get(subj, [])

    def main(self, rel: str, subj: str) -> str:
        return self.rel[rel].main(subj)

    def true(self, rel: str, subj: str, value: str) -> bool:
        return self.rel[rel].true(subj, value)

    def false(self, rel: str, subj: str, value: str) -> bool:
        return self.rel[rel].false(subj, value)

    def contrast_values(self, rel: str, subj: str, pool=None) -> list[str]:
        """Values known false for `subj`: other subjects' main values (or `pool`), sorted (computed once
        per question: the stories ask the same ones again and again)."""
        key = ("v", rel, subj, None if pool is None else tuple(pool))
        got = self._contrast.get(key)
        if got is None:
            r = self.rel[rel]
            cands = pool if pool is not None else {vs[0] for vs in r.facts.values()} | set(r.not_.get(subj, ()))
            got = self._contrast[key] = sorted(v for v in set(cands) if r.false(subj, v))
        return got

    def contrast_subjects(self, rel: str, value: str, pool=None) -> list[str]:
        """Subjects for which `value` is known false (from `pool` if given), sorted."""
        key = ("s", rel, value, None if pool is None else tuple(pool))
        got = self._contrast.get(key)
        if got is None:
            r = self.rel[rel]
            cands = pool if pool is not None else set(r.facts) | set(r.not_)
            got = self._contrast[key] = sorted(s for s in set(cands) if r.false(s, value))
        return got

    def clashes(self, adj: str, noun: str) -> bool:
        """Whether calling `noun` `adj` contradicts a fact ("hot ice cream", "a blue banana")."""
        if adj in _ADJ_VALUE:
            rel, value = _ADJ_VALUE[adj]
            return self.rel[rel].false(noun, value)
        return self.rel["color"].false(noun, adj)


@lru_cache(maxsize=2)
def load_knowledge(path: str | None = None) -> Knowledge:
    with open(path or KNOWLEDGE_FILE, encoding="utf-8") as f:
        return Knowledge(json.load(f))
