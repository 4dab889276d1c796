"""Openers and seed-word lines that contradict the story's time (issue 13): each test plants or scans
for one class of fault, and failed before its fix."""

import re

from storylab.world import story
from storylab.world.generate import write_story
from storylab.world.story import Story

_SENT = re.compile(r"(?<=[.!?])\"?\s+")
# what no frame may go before: a habit, a past before the story's now, a time phrase of the sentence's own
_NOT_NOW = re.compile(r"\b(always|never|every day|liked to|loved to|used to|had (?:never )?(?:won|seen|told|lost|found)|"
                      r"morning|evening|at night|the next day|breakfast|out of bed)\b")


_TIME_OPENER = re.compile(r"((?:Early |Later )?That (?:morning|afternoon|evening|night|day)|At (?:noon|night|dinner)|"
                          r"After (?:a while|that)|Before (?:long|bed)|Next|A (?:moment|little|while) later|Later|Soon|"
                          r"Some time later|On the way home|Back at home|Just then), ")


def _written(monkeypatch, name: str, n: int, seed: int = 5) -> list[tuple[str, str]]:
    """(what `Story.<name>` returned or wrote, the sentence) over `n` stories."""
    got = []
    f = getattr(Story, name)

    def spy(self, *a, **k):
        if name == "frame":
            out = f(self, *a, **k)
            got.append((out, k.get("sentence", "")))
            return out
        n0 = len(self.doc.cur)
        out = f(self, *a, **k)
        got.extend((name, t) for t in self.doc.cur[n0:])
        return out

    monkeypatch.setattr(Story, name, spy)
    for i in range(n):
        write_story(seed, i).free()
    return got


def test_a_frame_goes_only_before_a_new_event_of_the_story_now(monkeypatch):
    """Not "After watching the snails, Tom had won a prize", "At noon, Dad always said ...",
    "Early that morning, Keith spent the morning in bed"."""
    framed = [(f, t) for f, t in _written(monkeypatch, "frame", 300) if f]
    assert len(framed) > 100
    bad = [f + t for f, t in framed if _NOT_NOW.search(t)]
    assert not bad, bad[:5]


def test_now_refuses_habits_pasts_and_own_times():
    assert story._now("Tom ran to the pond.")
    for t in ("Tom had won a prize for a picture.", "Dad always said that Emma wiggles better than anyone.",
              "Keith spent the morning in bed.", "Hazel did not come to play on the next day."):
        assert not story._now(t), t


def test_no_story_says_the_same_opener_twice():
    """Not "That evening, ... That evening, ..." nor "After a while, ... After a while, ..." in one story."""
    n = 0
    for i in range(400):
        text = write_story(6, i).record[0]
        said = [m[1] for s in _SENT.split(text) if (m := _TIME_OPENER.match(s))]
        n += len(said)
        assert len(said) == len(set(said)), (said, text)
    assert n > 400


def test_seed_word_lines_are_told_in_the_story_day(monkeypatch):
    """The late lines for seed words the plot had no place for are about the end of the story's day: not a
    habit that has nothing to do with it ("liked to read books about the ocean"), nor the morning after
    dinner ("At breakfast, Mia spilled some milk"), nor a second time with no first ("once more")."""
    lines = [t for _, t in _written(monkeypatch, "ensure_seed_words", 400)]
    assert len(lines) > 200
    bad = [t for t in lines if re.search(r"\b(liked to|loved to|always|Last|At breakfast|out of bed|morning light|"
                                         r"once more|came too)\b", t)]
    assert not bad, bad[:5]
    for words in ({"verb": "spill"}, {"verb": "glow"}, {"noun": "ocean"}, {"adjective": "dangerous"}):
        for i in range(6):
            text = write_story(8, i, words=words).record[0]
            assert not re.search(r"At breakfast|at night once more|books about|was very dangerous", text), text


def test_seed_word_lines_keep_a_quarrel(monkeypatch):
    """After a quarrel, the seed words' lines do not have the two playing together ("Eli and Kitty didn't play
    together for hours. ... At the library, Eli and Kitty played that the bushes were a jungle.")."""
    seen = []
    f = Story.ensure_seed_words

    def spy(self):
        n0 = len(self.doc.cur)
        f(self)
        friend = self.flags["plan"].companion
        if self.flags.get("quarrel") and friend is not None:
            seen.extend((friend.name, t) for t in self.doc.cur[n0:])

    monkeypatch.setattr(Story, "ensure_seed_words", spy)
    for i in range(300):
        write_story(4, i, words={"noun": ("game", "race", "picnic", "tag")[i % 4]}).free()
    assert len(seen) > 20
    bad = [t for name, t in seen if re.search(rf"\b{name}\b", t)]
    assert not bad, bad[:5]
