"""Every plot, forced: its stories replay without contradiction, use the seed words, end the way the
features say, and a contradiction planted in one of the newer plots is caught."""

from __future__ import annotations

import pytest

from storylab.world import check
from storylab.world.generate import story_rng
from storylab.world.model import World
from storylab.world.plots import PLOTS
from storylab.world.story import Story

NEW = ("build", "brave", "truth", "newfriend", "sick", "race")


def _write(name: str, i: int, features: list[str] | None = None) -> Story:
    st = Story(World.get(), story_rng(77, i), features=features)
    st.flags["plot"] = name  # (how a replanned story keeps its plot)
    st.record = st.build(None)
    return st


@pytest.mark.parametrize("name", sorted(PLOTS))
def test_each_plot_writes_consistent_stories(name):
    for i in range(40):
        st = _write(name, i)
        text, words, _, meta = st.record
        assert meta["plot"] == name and meta["goal"]
        assert check(st.state.events, World.get().place_outdoor) == [], (st.state.events, text)
        assert text.count('"') % 2 == 0 and "{" not in text and "  " not in text, text
        n = World.get().vocab.noun[words["noun"]]
        assert any(f" {x}" in f" {text.lower()}" for x in (n["word"], n["plural"])), (words, text)  # the seed noun
        hero = meta["main_character"]
        assert text.startswith(hero) or text.index(hero) < text.index("."), text


@pytest.mark.parametrize("name", NEW)
def test_new_plots_end_as_the_features_say(name):
    """A bad ending and a good one of the same plot tell different outcomes (their last lines never agree),
    and a story with MoralValue can say the plot's own lesson (frame.lesson falls back to the plan's moral)."""
    bad = [_write(name, i, ["BadEnding", "MoralValue"]) for i in range(15)]
    good = [_write(name, i, ["MoralValue"]) for i in range(15)]
    assert all(st.record[3]["outcome"] == "bad" for st in bad)
    last_bad = {st.record[0].rsplit(".", 2)[-2] for st in bad}
    last_good = {st.record[0].rsplit(".", 2)[-2] for st in good}
    assert not last_bad & last_good
    from storylab.world import frame
    lessons = {frame.lesson(st, st.flags["plan"]) for st in good}
    assert all(lessons) and len(lessons) > 1


def test_a_planted_swim_on_a_snowy_day_is_caught_in_the_brave_plot():
    """The waves at the beach are only planned on a warm day; moving that swim to a snowy day is caught."""
    for i in range(400):
        st = _write("brave", i)
        if st.flags["plan"].fear == "waves":
            break
    else:
        pytest.fail("no story about the waves")
    events = [("start", "winter", "snowy", "morning")] + [e for e in st.state.events[1:] if e[0] != "weather"]
    assert any("swim" in p and "snowy" in p for p in check(events, World.get().place_outdoor))


@pytest.mark.parametrize("name", ("brave", "truth", "build"))
def test_nobody_comes_back_home_who_never_left(name):
    """"Back at home" and "on the way home" only in a story whose hero went somewhere (the state's log)."""
    home_lines = ("back at home", "on the way home", "when they got home", "way back from")
    stayed = 0
    for i in range(60):
        st = _write(name, i)
        if not st.state.went_out(st.hero.name):
            stayed += 1
            assert not any(x in st.record[0].lower() for x in home_lines), st.record[0]
    assert stayed >= 5  # the plot does keep some stories at home
