"""The story frame (storylab.world.frame): openings and endings composed from the story's own details."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from storylab.world import World, frame, generate_stories, write_story


def _norm(s: str, names: set) -> str:
    return " ".join("N" if w in names else w.lower() for w in re.findall(r"[A-Za-z']+", s))


def _last_line(r: dict) -> str:
    t = r["text"]
    s = next(k for k in r["meta"]["skills"] if k["skill"] == "main_character")
    return t[s["prompt_end"]: s["prompt_end"] + re.search(r"[.!?]", t[s["prompt_end"]:]).end()]


@pytest.fixture(scope="module")
def stories():
    return list(generate_stories(2000, seed=5))


def test_openings_and_last_lines_vary(stories):
    """One plan, many surface forms: almost every first sentence differs from every other (names
    aside), no opening dominates, and most last lines are the story's own (main's frame: 0.89 / 0.12 /
    0.52 on these stories)."""
    names = {n["name"] for n in World.get().vocab.names}
    first, heads, last = Counter(), Counter(), Counter()
    for r in stories:
        s = re.split(r'(?<=[.!?])"?\s+', r["text"])[0]
        first[_norm(s, names)] += 1
        heads[" ".join(_norm(s, names).split()[:4])] += 1
        last[_norm(_last_line(r), names)] += 1
    n = len(stories)
    assert len(first) / n > 0.95, first.most_common(5)
    assert heads.most_common(1)[0][1] / n < 0.09, heads.most_common(5)
    assert len(last) / n > 0.6, last.most_common(5)


def test_the_ending_recalls_only_what_happened():
    """What the ending recalls (`Recap`) is this story's: every thing, place or friend in it was named
    before the last line; and in many stories it is something the hero did in the middle, read
    from the sentences as written ("Mia found four shiny pebbles" -> "finding four shiny pebbles")."""
    from_middle = 0
    for i in range(400):
        st = write_story(11, i)
        rc = st.flags["recap"]
        text, meta = st.record[0], st.record[3]
        before = text[: next(k for k in meta["skills"] if k["skill"] == "main_character")["prompt_end"]]
        for verb, rest in rc.fun + rc.proud:
            last = rest.split()[-1]
            assert re.search(rf"\b{last}\b", before), (verb, rest, text)
        done = frame._done(st)
        from_middle += bool(done)
        for verb, np in done:
            assert st.w.vocab.verb[verb]["past"] in text and np.split()[-1] in text, (verb, np, text)
    assert from_middle > 0.2 * 400, from_middle


def test_the_grown_up_speaks_to_the_hero_as_you(stories):
    """A line said to the hero about the hero's things says 'your', not 'her' or 'his'."""
    for r in stories:
        hero, item = r["meta"]["main_character"], r["meta"]["item"]
        for q in re.findall(r'"([^"]*)"', r["text"]):
            if q.rstrip(".!?").endswith(", " + hero):
                assert not re.search(rf"\b(?:his|her) (?:[a-z]+ )?{item}\b", q), q


def test_many_last_lines_are_short_and_the_storys_own(stories):
    """TinyStories' endings are often one short sentence: many last lines are (`frame.short_last`), and
    every name and place in them was told before."""
    names = {n["name"] for n in World.get().vocab.names}
    short = 0
    for r in stories:
        line = _last_line(r)
        ws = re.findall(r"[A-Za-z']+", line)
        if len(ws) <= 7:
            short += 1
            before = r["text"][: r["text"].rindex(line)]
            for w in ws[1:]:
                assert w not in names or w in before, (w, r["text"])
    assert 0.2 < short / len(stories) < 0.7, short
