"""Story faults seen in generated stories, each planted and caught: time running back within the last line,
the sick hero at a place they are not at, an adjective said twice, a thing where it cannot be, a brave story's
ending about a side activity, and a fact that tells an event the plot never has."""

from __future__ import annotations

import re

import pytest

from storylab.world import facts, frame, write_story

_LATE_OPENERS = ("That night, ", "Later that night, ", "When the moon came up, ", "When it was time for bed, ",
                 "Before bed, ", "When the stars came out, ", "After a warm bath, ")


@pytest.fixture(scope="module")
def stories():
    return [write_story(7, i) for i in range(300)]


def _lines(st, n0: int) -> list[str]:
    return [x for p in (*st.doc.paras, st.doc.cur) for x in p][n0:]


def _count(st) -> int:
    return sum(len(p) for p in st.doc.paras) + len(st.doc.cur)


def test_the_last_line_does_not_run_back_in_time(stories, monkeypatch):
    """Every last line opens with the evening: none goes back to dinner after bedtime ("Before bed, Mia told
    everyone at dinner"), none says its time twice ("That night, ... that night")."""
    monkeypatch.setattr(frame, "LAST_OPENER_P", 1.0)
    seen = 0
    for st in stories:
        plan = st.flags["plan"]
        for _ in range(4):
            t = re.sub("[\x01-\x05]\\d*\x02?", "", frame.last_line(st, plan, st.hero.name, plan.bad))
            o = next((o for o in _LATE_OPENERS if t.startswith(o)), None)
            if o is None:
                continue
            seen += 1
            assert not re.search(r"at dinner|all evening|until it was dark", t), t
            assert o.lower().strip(", ") not in t[len(o):].lower() or o == "When it was time for bed, ", t
            assert not ("bed" in o and t.endswith(" before bed.")), t
    assert seen > 300, seen


def test_the_sick_hero_stays_at_home(stories):
    """In bed, the hero draws the animals of the place they miss, but is not at it ("drew two crabs at the beach")."""
    sick = [st for st in stories if st.flags["plan"].name == "sick"]
    assert sick
    for st in sick:
        st.max_words, n0 = None, _count(st)
        for _ in range(10):
            st.flags["plan"].bed(st, "doll", 1)
        for t in _lines(st, n0):
            assert not re.search(r"\bdrew [a-z]+ [a-z]+ at the\b", t), t


def test_an_adjective_is_not_said_twice(stories):
    """The realiser does not give a noun the adjective the sentence says of it ("the big tiger was so big")."""
    for st in stories[:50]:
        r = st.real
        r.described["tiger"], r.spare = "big", 99
        for _ in range(20):
            t = r.sentence("The tiger was so big that Mia stopped.")
            assert "big tiger" not in t, t
            r.spare = 99


def test_a_seed_plural_is_where_it_can_be(stories):
    """The seed noun's plural at the end of the day: no fences counted in the house, no dirty teeth."""
    v = stories[0].w.vocab.noun
    for st in stories[:60]:
        st.max_words = None
        for w in ("fence", "bench", "tent", "piano", "tooth", "wing"):
            st.noun = v[w]
            n0 = _count(st)
            for _ in range(6):
                st.seed_forms()
            for t in _lines(st, n0):
                assert not re.search(r"(fences|benches|tents|pianos) in the house|dirty (teeth|wings)", t), t


def test_a_brave_ending_recalls_the_fear_faced(stories):
    """What a brave story's ending recalls is the fear faced, not what the hero did on the side."""
    brave = [st for st in stories if st.flags["plan"].name == "brave"]
    assert brave
    side = 0
    for st in brave:
        rc = st.flags["recap"]
        side += len(rc.done)
        assert not set(rc.fun) & set(rc.done), (rc.fun, rc.done)
        nps = {"the " + np.split(" ", 1)[1] for _, np in rc.done} | {np for _, np in rc.done}
        assert not set(rc.nps) & nps, (rc.nps, rc.done)
    assert side > 0  # (there were side activities to leave out)


def test_a_job_fact_tells_no_event_of_its_own(stories):
    """A job's fact is no new event the plot never has: no hurt arm on a sick day, no birthday cake from the baker."""
    for st in stories[:80]:
        st.max_words = None
        for job in facts.K.jobs:
            n0 = _count(st)
            for _ in range(8):
                facts.state(st, "job", job, annotate=False)
            for t in _lines(st, n0):
                assert not re.search(r"hurt (his|her) arm|birthday, they got|puppy was sick|There was a fire|"
                                     r"A letter came|big plane in the sky|build a new house|teeth clean", t), t
                if st.flags["plan"].name != "sick":
                    assert "felt sick, so" not in t, t
