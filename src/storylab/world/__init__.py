"""The procedural story world: TinyStories-style stories with ground-truth annotations.

Offline and deterministic: story i of a seed depends only on (seed, i). Each story is
seeded like TinyStories with one verb, one noun and one adjective from the vocabulary
(`storylab.world.vocabulary`), which appear in the text, and a random subset of the
features Dialogue, BadEnding, MoralValue, Twist, Foreshadowing, Conflict.

A story is planned, then written (`storylab.world.plots`): one hero, a grown-up and maybe
a companion; one goal (an outing, a lost thing, baking, an animal rescue, sharing); one or
two obstacles; a resolution; an ending shaped by the features. It is written through a
world state (`storylab.world.state`: who is introduced, where everyone and everything is,
who holds what, time, weather, feelings) that refuses contradictions as they are written,
and `check(events)` replays a story's events to find them. The skills happen inside the
plot (the route is the space item, the shopping the exclusion and negation items, ...),
and everyday facts from the knowledge base (`storylab.world.knowledge`,
``vocab/knowledge.json``) come up where the plot meets the thing (the cow on the farm).

API
---
``generate_stories(n, seed, start=0) -> Iterator[dict]`` corpus records;
``generate_corpus(out, n, seed, workers=None, progress=True) -> GenerateStats`` JSONL file;
``make_story(seed, index, words=None, features=None) -> dict`` one record;
``write_story(seed, index) -> Story`` the same story written, with ``.state.events``;
``check(events) -> [problem]`` the consistency checker (`State` raises `Inconsistent`);
``generate_skill_items(n, seed, skills=None) -> list[dict]`` prompts cut before answers;
``village_map() -> {place: (x, y)}`` the map (x grows east, y grows north).

Record
------
``{"id": "proc-<seed>-<index>", "text", "source": "procedural",
"words": {"verb", "noun", "adjective"}, "features": [...], "meta": {...}}``

``meta`` schema (all offsets are character offsets into ``text``; for any recorded
word, ``text[offset:offset+len(word)]`` is that word, up to the case of its first letter):

- ``characters``: ``[{"name", "gender": "female"|"male", "kind": "girl"|"boy"|<animal>|"mom"|...,
  "role": "main"|"friend"|"helper"|"parent", "first_mention": offset}]`` (those that appear).
- ``main_character``: the hero's name.
- ``plot``: outing | lost | baking | rescue | share | build | brave | truth | newfriend | sick | race;
  ``goal``: the plan's goal in words
  ("fly a kite at the hill");  ``outcome``: good | bad.
- ``item``: the hero's thing (noun);  ``setting``: ``{"name", "x", "y"}`` the map place the
  hero lives by (where the story starts).
- ``places``: one entry per mention of a map place: ``{"name", "x", "y", "offset"}`` (probe
  targets for space).
- ``times``: one entry per mention of a time word: ``{"word", "kind": "time_of_day"|"day"|"season",
  "value", "offset"}``; value is the hour (morning 8 .. night 22), the weekday (Monday 0) or
  the season (spring 0 .. winter 3) (probe targets for time).
- ``time``: ``{"season", "day", "time_of_day", "weather"}`` of the story's start.
- ``boxes``: entity tracking state when present: ``[{"container", "color", "item"}]``.
- ``skills``: ``[{"skill", "prompt_end", "answer", "distractors", ...}]``: ``text[:prompt_end]``
  is a prompt whose correct continuation is ``answer`` (at ``prompt_end``) and not any of
  ``distractors``. Skills and their extra fields:

  - ``exclusion``: options, excluded (never the answer), category (pet|food|toy);
  - ``negation``: attribute (the answer lacks it; the distractor has it), negated;
  - ``everyday_fact``: fact ("relation:subject", e.g. "says:cow", "temp:ice", "remedy:tired"),
    relation, subject, value (the knowledge-base value: the answer is a form of it, or of
    the subject when asks == "subject"), asks, contrast (the knowledge-base words behind the
    distractors, each known false); see `storylab.world.knowledge` and `.facts`;
  - ``entity_tracking``: boxes, query (the item asked about, or the container color);
  - ``counting``: item, start, change (+/-), result (= start + change; answer is its word);
  - ``space``: origin, direction, dx, dy (answer = the place one block that way), in_context;
  - ``time_order``: events ``[{"place", "time_of_day"}]`` in order; answer = the second place;
  - ``main_character``: answer = the hero's name, distractors = other names.
"""

from storylab.world.generate import (GenerateStats, generate_corpus, generate_skill_items, generate_stories,
                                     make_story, story_rng, write_story)
from storylab.world.state import Inconsistent, State, check
from storylab.world.model import World, village_map
from storylab.world.story import FEATURES

__all__ = ["FEATURES", "GenerateStats", "Inconsistent", "State", "World", "check", "generate_corpus",
           "generate_skill_items", "generate_stories", "make_story", "story_rng", "village_map", "write_story"]
