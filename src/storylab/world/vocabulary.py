"""The vocabulary of simple words that the story world (and the LLM backend) may use.

The words are data, not code: ``storylab/data/vocab/*.json``, one file per part of
speech, so that they can be read, reviewed and extended without touching Python.

- ``nouns.json``: ``{"word", "plural", "kind", "attrs", "article", "mass"?}``. ``kind`` is
  one of animal, food, toy, clothing, body, vehicle, household, tool, instrument,
  nature, person, place, event; ``attrs`` are world facts (edible is implied by kind
  food; sweet, soft, can_fly, pet, char = can be a story's main character, ...);
  ``article`` is "a", "an" or "some" (mass nouns such as milk or sand). A few nouns are
  two words ("ice cream").
- ``verbs.json``: ``{"word", "past", "participle", "ing", "third", "transitive",
  "intransitive", "prep"?, "objects"?, "seed"}``. ``objects`` lists the nouns a verb
  fits: a word, ``kind:<kind>`` or ``@<attr>``; ``prep`` is the preposition it takes
  before an object ("look at"); ``seed`` says the verb works as a story's seed word.
- ``adjectives.json``: ``{"word", "class", "article", "comparative"?, "superlative"?,
  "fits"?, "adverb"?, "predicative_only"?}``; class is feeling, trait, any, thing,
  color, weather, place or abstract; ``fits`` lists the nouns it can describe as above
  (``*`` = any object).
- ``names.json`` (name, gender, kind child|pet), ``places.json`` (the village map:
  word, x, y, prep), ``times.json`` (word, kind time_of_day|day|season|relative_day,
  order, hour), ``function_words.json`` (groups of closed-class words).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from storylab.errors import StorylabError

VOCAB_DIR = Path(__file__).resolve().parent / "vocab"
_FILES = ("nouns", "verbs", "adjectives", "names", "places", "times", "function_words")


@dataclass
class Vocabulary:
    """All word lists, plus indexes the story world needs (by word, by kind)."""

    verbs: list[dict]
    nouns: list[dict]
    adjectives: list[dict]
    names: list[dict]
    places: list[dict]
    times: list[dict]
    function_words: dict[str, list[str]]
    noun: dict[str, dict] = field(default_factory=dict, repr=False)
    verb: dict[str, dict] = field(default_factory=dict, repr=False)
    adjective: dict[str, dict] = field(default_factory=dict, repr=False)
    by_kind: dict[str, list[dict]] = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self.noun = {n["word"]: n for n in self.nouns}
        self.verb = {v["word"]: v for v in self.verbs}
        self.adjective = {a["word"]: a for a in self.adjectives}
        self.by_kind = {}
        for n in self.nouns:
            self.by_kind.setdefault(n["kind"], []).append(n)

    # --- queries -------------------------------------------------------------

    def has_attr(self, noun: str, attr: str) -> bool:
        n = self.noun.get(noun)
        return bool(n) and attr in n["attrs"]

    def matches(self, noun: dict, specs: list[str]) -> bool:
        """Whether `noun` fits a list of specs: words, ``kind:K``, ``@attr`` or ``*`` (any object)."""
        for s in specs:
            if s == "*":
                if noun["kind"] in ("toy", "household", "clothing", "tool", "instrument", "vehicle", "food", "nature"):
                    return True
            elif s.startswith("kind:"):
                if noun["kind"] == s[5:]:
                    return True
            elif s.startswith("@"):
                if s[1:] in noun["attrs"]:
                    return True
            elif s == noun["word"]:
                return True
        return False

    def fitting_nouns(self, specs: list[str]) -> list[dict]:
        return [n for n in self.nouns if self.matches(n, specs)]

    def allowed_words(self) -> set[str]:
        """Every lowercase word form the vocabulary licenses.

        Includes inflections (plurals, past, participle, -ing, third person), comparatives,
        adverbs, names (and their possessive "lily's"), places, times, function words,
        contractions and numbers. Used to reject LLM stories with off-vocabulary words.
        """
        return set(_allowed(self))

    def recipe_words(self) -> tuple[list[str], list[str], list[str]]:
        """Base forms usable as TinyStories-style seed words: (verbs, nouns, adjectives)."""
        verbs = [v["word"] for v in self.verbs if v.get("seed")]
        nouns = [n["word"] for n in self.nouns]
        adjs = [a["word"] for a in self.adjectives]
        return verbs, nouns, adjs


def _allowed(v: Vocabulary) -> list[str]:
    out: list[str] = []
    for n in v.nouns:  # a two-word noun ("ice cream") licenses its words
        out += n["word"].split() + n["plural"].split() + [n["word"].split()[-1] + "'s"]
    for x in v.verbs:
        out += [x["word"], x["past"], x["participle"], x["ing"], x["third"]]
    for a in v.adjectives:
        out.append(a["word"])
        for k in ("comparative", "superlative", "adverb"):
            if k in a:
                out += a[k].split()
    for n in v.names:
        out += [n["name"], n["name"] + "'s"]
    out += [p["word"] for p in v.places]
    out += [t["word"] for t in v.times]
    for ws in v.function_words.values():
        out += ws
    return [w.lower() for w in out]


def _read(directory: Path, name: str):
    path = directory / f"{name}.json"
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise StorylabError(f"vocabulary file not found: {path}") from None
    except json.JSONDecodeError as e:
        raise StorylabError(f"{path}: invalid JSON ({e.msg}, line {e.lineno})") from None


@lru_cache(maxsize=4)
def _load(directory: str) -> Vocabulary:
    d = Path(directory)
    if not d.is_dir():
        raise StorylabError(f"vocabulary directory not found: {d}")
    parts = {name: _read(d, name) for name in _FILES}
    for name in ("nouns", "verbs", "adjectives"):
        for i, e in enumerate(parts[name]):
            if not isinstance(e, dict) or not isinstance(e.get("word"), str):
                raise StorylabError(f"{d / name}.json: entry {i} has no string 'word'")
    return Vocabulary(**parts)


def load_vocabulary(path: str | os.PathLike | None = None) -> Vocabulary:
    """Load the vocabulary from a directory of JSON files (default: the packaged one).

    Cached per directory: the returned object is shared, so treat it as read-only.
    """
    return _load(str(Path(path or VOCAB_DIR).resolve()))
