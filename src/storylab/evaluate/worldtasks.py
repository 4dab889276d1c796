"""Capability items cut from procedural stories of a held-out seed.

The story world records, for each story, skill episodes with ground truth
(``meta["skills"]``: ``prompt_end``, ``answer``, ``distractors``). An item is the story
cut at ``prompt_end`` with the answer and distractors as continuations. Items are chosen in balanced contrast groups (see
`world_items`). Stories come
from `HELD_OUT_SEED`, a seed that no storylab default trains on (the demo and
``storylab generate`` default to seed 0), so the exact stories are unseen in training —
though, being procedural, their sentence patterns are not: these items measure the
skills *in the world's own language*, and the hand-written items measure transfer.

``python -m storylab.evaluate.worldtasks [PER_SKILL] [SEED]`` rewrites
``tasks/world.jsonl`` (the suite reads the file, so results do not silently change
when the world's templates do).
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

from storylab.evaluate.tasks import TASK_DIR, write_items
from storylab.world import generate_stories

HELD_OUT_SEED = 990_001
PER_SKILL = 40
# everyday facts: 160 items (80 balanced pairs), so that a fact score is not decided by a handful of pairs
PER_SKILL_OF = {"everyday_fact": 160}


def _candidates(seed: int, max_stories: int, skills: list[str] | None):
    for rec in generate_stories(max_stories, seed):
        text = rec["text"]
        used = set()
        for j, sk in enumerate(rec["meta"].get("skills", [])):
            name = sk["skill"]
            if name in used or (skills and name not in skills):
                continue
            answer = str(sk["answer"]).strip()
            ds = list(dict.fromkeys(str(d).strip() for d in sk.get("distractors", [])))
            ds = [d for d in ds if d and d != answer]
            prompt = text[: sk["prompt_end"]]
            if not answer or not ds or not prompt.strip():
                continue
            # the answer follows the prompt directly: a space (or a quote, a line break) ends the prompt
            sep = "" if prompt[-1:].isspace() or prompt[-1:] in "\"'(" else " "
            used.add(name)
            yield {"id": f"world-{rec['id']}-{j}", "skill": name, "prompt": prompt, "answer": sep + answer,
                   "distractors": [sep + d for d in ds], "source": f"world:seed={seed}"}


def world_items(per_skill: int = PER_SKILL, seed: int = HELD_OUT_SEED, max_stories: int = 20_000,
                skills: list[str] | None = None, min_items: int = 16, per_skill_of: dict | None = None) -> list[dict]:
    """Balanced contrast groups of world items, up to `per_skill` items per skill.

    Items are grouped by their option set; a group is used only with every option as
    the answer equally often (one item per option, from different stories). So, as with
    the hand-written contrast pairs, a model that prefers some option regardless of the
    story — a random model preferring fewer tokens, a trained one preferring frequent
    words — scores exactly chance, and only reading the story beats it. Skills whose
    world items never form such groups (the world ties their answers to fixed
    distractors: everyday facts, counting, time order, main character) are left to
    the hand-written items; a skill with fewer than `min_items` balanced items is dropped.
    `per_skill_of` sets the number for some skills (default `PER_SKILL_OF`).
    """
    caps = PER_SKILL_OF if per_skill_of is None else per_skill_of
    groups: dict[str, dict[tuple, dict[str, list[dict]]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for it in _candidates(seed, max_stories, skills):
        key = tuple(sorted(o.strip() for o in [it["answer"], *it["distractors"]]))
        groups[it["skill"]][key][it["answer"].strip()].append(it)
    out: list[dict] = []
    for name in sorted(groups):
        complete = [(key, by_answer) for key, by_answer in groups[name].items() if len(by_answer) == len(key)]
        chosen: list[dict] = []
        # round robin over the option sets: one balanced group from each before a second from any
        for r in range(max((min(len(v) for v in b.values()) for _, b in complete), default=0)):
            for key, by_answer in complete:
                if r < min(len(v) for v in by_answer.values()) and len(chosen) + len(key) <= caps.get(name, per_skill):
                    group = f"world-{name}-{len(chosen)}"
                    chosen += [{**by_answer[a][r], "group": group} for a in key]
        if len(chosen) >= min_items:
            out += chosen
    return out


def main(per_skill: str | None = None, seed: str | None = None) -> None:
    items = world_items(int(per_skill or PER_SKILL), int(seed or HELD_OUT_SEED))
    path = Path(TASK_DIR) / "world.jsonl"
    n = write_items(path, items)
    print(f"{n} items -> {path}")


if __name__ == "__main__":
    main(*sys.argv[1:])
