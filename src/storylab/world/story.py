"""One story: the machinery a plot writes through (cast, references, marks, state, seed words).

A `Story` is planned, then written (`storylab.world.plots`): the plan fixes the hero, the
grown-up and the companions, the goal, the obstacles, the resolution and the ending; the
writing realises each beat from the plan and the world `State` (`storylab.world.state`),
which refuses anything that contradicts what came before. This module holds what every
beat needs:

- characters are introduced once (`intro`), and afterwards referred to by name or by
  pronoun (`sub`, `obj`): a pronoun only when the previous sentence had the same subject
  and no other character of that gender, so coreference stays unambiguous;
- place and time words are marked (`place_mark`, `time_mark`) so that ``meta`` has their
  offsets, as are skill answers (through `Doc.m`);
- the seed verb, noun and adjective are used where the plan has room for them, and
  `ensure_seed_words` adds a sentence for any that the plot could not use.
"""

from __future__ import annotations

import random
import re
from functools import lru_cache

from storylab.world import doings, plots, seedwords
from storylab.world.model import DAYS, FAMILY, HOURS, SEASONS, Char, World
from storylab.world.realise import Realiser
from storylab.world.state import SEASON_WEATHER, State
from storylab.world.text import Doc, has_whole, quote, words_of

FEATURES = ("Dialogue", "BadEnding", "MoralValue", "Twist", "Foreshadowing", "Conflict")
FEATURE_P = {"Dialogue": 0.5, "BadEnding": 0.15, "MoralValue": 0.35, "Twist": 0.25, "Foreshadowing": 0.25,
             "Conflict": 0.3}
TIME_KIND = {"morning": "time_of_day", "noon": "time_of_day", "afternoon": "time_of_day", "evening": "time_of_day",
             "night": "time_of_day", **{d: "day" for d in DAYS}, **{s: "season" for s in SEASONS}}
TIME_VALUE = {**HOURS, **{d: i for i, d in enumerate(DAYS)}, **{s: i for i, s in enumerate(SEASONS)}}
PRONOUN_P = 0.85  # how often a name opening a sentence about them, after one about them, becomes he/she (they)
_MARK = re.compile("\x01\\d+\x02")
_PAIR = re.compile(r"and ([A-Z][a-z]+) (?=[a-z])")
_HE_SHE = re.compile(r"\b(he|she|He|She)\b")
# an opener ("Then ", "At noon, ") and a capitalised word: the hero's name, if it is theirs
_OPENS = re.compile(r"((?:(?:Then|Soon|Next|Later|So|But|And|Now) |[A-Z][^,\"\x01]{0,40}, )?)([A-Z][a-z]+) (?=[a-z])")
_LEAD = re.compile(r"(?:The next|On the next|The day|That|Early|Later|After|Before|When|Soon|Then|Next|One|Every|"
                   r"On|At|In|Back|Just|Suddenly|However)\b[^,\"]{0,30}, ")
# what makes a sentence no new event of the story's now, so that no frame goes before it: a time phrase
# of its own ("Early that morning, Keith spent the morning in bed"), a habit ("At noon, Dad always said")
_NOT_NOW = frozenset("always never often usually every today tonight tomorrow yesterday days morning afternoon evening "
                     "night noon week year breakfast lunch dinner bedtime monday tuesday wednesday thursday friday "
                     "saturday sunday".split())
_SEASON_WORDS = ("spring", "summer", "fall", "winter")
_NOT_NOW_PAIRS = frozenset({("used", "to"), ("liked", "to"), ("loved", "to"), ("again", "and"), ("once", "more"),
                            ("in", "bed"), ("to", "bed"), ("before", "bed"), *(("in", x) for x in _SEASON_WORDS),
                            *(("the", x) for x in _SEASON_WORDS),
                            *((x, "day") for x in ("that", "next", "the", "all", "one", "this", "same", "whole", "each",
                                                   "some"))})  # (word pairs: a regex over the sentence costs 4x more)
_HAD = re.compile(r"\bhad (?:(?:never|always|once|already|just|not|also|still) )*([a-z]+)")  # a past before the now
MAX_REALISED = 246  # the realiser adds no words past this length (a story stays within TinyStories' range)
ACT_FRAME_P = 0.5  # how often a frame tells what the subject (or one with them) was doing where they are
FRAME_P = 0.25  # how often a sentence that starts with its subject gets a frame from the state
_PAIRED = {"hand", "foot", "eye", "ear", "arm", "leg", "finger", "toe", "tooth", "cheek", "paw", "wing", "sock",
           "shoe", "boot", "mitten", "glove", "sandal"}


@lru_cache(maxsize=1)
def _participles() -> frozenset:
    """Every participle of the vocabulary (what makes "had found" a past before the story's now)."""
    return frozenset(v["participle"] for v in World.get().vocab.verb.values()) | {"been", "got", "gone", "seen"}


def _now(t: str) -> bool:
    """Whether `t` may take a frame ("That afternoon, ", "After feeding the ducks, "): only a sentence that
    tells a new event in the story's now, not one with its own opener or time phrase, a habit, or a past
    before the now ("After watching the snails, Tom had won a prize", "At noon, Dad always said ...")."""
    if _LEAD.match(t):
        return False
    toks = words_of(t)
    if not _NOT_NOW.isdisjoint(toks) or not _NOT_NOW_PAIRS.isdisjoint(zip(toks, toks[1:])):
        return False
    return "had" not in toks or not any(m[1] in _participles() for m in _HAD.finditer(t))


class _TooLong(Exception):
    """The story grew past its length limit while being written."""


class Story:
    """Writes one story from an rng; `build()` returns (text, words, features, meta)."""

    def __init__(self, world: World, rng: random.Random, words: dict | None = None,
                 features: list[str] | None = None):
        self.w, self.rng = world, rng
        self.doc = Doc()
        self.pending_skills: list[dict] = []
        self.meta: dict = {"places": [], "times": [], "skills": []}
        v = world.vocab
        words = words or {}
        self.verb = v.verb[words["verb"]] if "verb" in words else rng.choice(world.seed_verbs)
        self.noun = v.noun[words["noun"]] if "noun" in words else rng.choice(world.seed_nouns)
        self.adj = v.adjective[words["adjective"]] if "adjective" in words else rng.choice(world.adjectives)
        if features is None:
            features = [f for f in FEATURES if rng.random() < FEATURE_P[f]]
        self.features = list(features)
        self.f = set(features)
        self.used_adj = self.used_noun = False
        self.flags: dict = {}
        self.cast: list[Char] = []
        self.friend: Char | None = None
        self.helper: Char | None = None
        self.place = "park"
        self._prev: tuple = (None, (), -1)  # subject, characters named, doc.nwords when committed
        self._cur_subj: Char | None = None
        self._cur_named: list[Char] = []
        self.real = Realiser(self)
        self.max_words: int | None = None
        self._pend: Char | None = None  # whose he/she `sub` left for `s` to decide

    # --- the plan's world -----------------------------------------------------------------------

    def setting(self) -> None:
        rng, w = self.rng, self.w
        self.season = rng.choice(SEASONS)
        adj = self.adj["word"]
        weathers = SEASON_WEATHER[self.season]
        self.weather = adj if adj in weathers and rng.random() < 0.8 else rng.choice(weathers)
        self.day = rng.choice(DAYS)
        self.state = State(self.season, self.weather, "morning", w.place_outdoor)

    # --- characters -------------------------------------------------------------------------------

    def intro(self, c: Char, phrase: str | None = None, place: str | None = None) -> str:
        """The first mention of `c` (marked for meta): `phrase` is how it is introduced, ending in the
        character's title ("a wise owl" -> owl is marked). The state learns of them here."""
        self.state.intro(c.name, place if place in self.w.coords else None)
        if c not in self.cast:
            self.cast.append(c)
        self._cur_named.append(c)
        intro = phrase or c.title
        if intro != c.title and intro.endswith(c.title):
            return intro[: -len(c.title)] + self.doc.m(c.title, c.rec, "first_mention")
        if intro != c.title and intro.endswith(c.name):
            return intro[: -len(c.name)] + self.doc.m(c.name, c.rec, "first_mention")
        return self.doc.m(intro, c.rec, "first_mention")

    def known(self, c: Char | None) -> bool:
        return c is not None and c.name in self.state.introduced

    def sub(self, c: Char, act: bool = True) -> str:
        """`c` as the subject of a sentence: a pronoun where it is unambiguous (sometimes), else the title."""
        if act:
            self.state.act(c.name)
        prev_subj, prev_named, at = self._prev
        ok = (at == self.doc.nwords and self.doc.cur and prev_subj is c and self._cur_subj is None
              and not any(o is not c and o.gender == c.gender for o in (*prev_named, *self._cur_named)))
        if self._cur_subj is None:
            self._cur_subj = c
        self._cur_named.append(c)
        if ok:  # decided in `s`, once the whole sentence is known (a name later in it may make he/she ambiguous)
            self._pend = c
            return "\x03"
        return c.title

    def nm(self, c: Char) -> str:
        """`c` by name (or title) anywhere in a sentence; the state checks that they were introduced."""
        self.state.act(c.name)
        self._cur_named.append(c)
        return c.title

    def s(self, *sentences: str) -> None:
        """Write sentences, then remember who the (last) sentence was about, for pronouns.

        A sentence that begins with its subject may get a frame from the state first: where
        the subject is, the time, the day, what they hold, who is with them, how they feel."""
        c = self._cur_subj
        t = sentences[0]
        m = _OPENS.match(t) if hasattr(self, "hero") else None
        if c is None and m:
            c = self._cur_subj = self._opener(t, m)  # a sentence that names a character first is about them
        if len(sentences) == 1:
            if "\x03" in t:
                t = self._resolve(t)
                m = _OPENS.match(t) if m else None
        elif any("\x03" in x for x in sentences):
            sentences = tuple(self._resolve(x) if "\x03" in x else x for x in sentences)
            t = sentences[0]
            m = _OPENS.match(t) if m else None
        if m:
            t = self._pronoun(t, m)
        if self.doc.paras and self.rng.random() < FRAME_P and _now(t):  # not in the setup (habits), nor before
            frame = ""                                                  # an opener or a habit (`_now`)
            if t.startswith("They ") and self.known(getattr(self, "hero", None)):
                frame = self.frame(self.hero, group=True, sentence=t)
                t = "they" + t[4:]
            elif c is not None and (t.startswith(c.title + " ") or t.startswith(c.s + " ")):
                frame = self.frame(c, sentence=t)
            elif c is None and t.startswith("The ") and self.known(getattr(self, "hero", None)):
                frame = self.frame(self.hero, group=True, sentence=t)
                t = "the" + t[3:]
            if frame:
                t = frame + t
        if len(sentences) == 1:
            self.doc.s(self.real.adverb(t))
        else:
            self.doc.s(*map(self.real.adverb, (t, *sentences[1:])))
        if self.max_words is not None and self.doc.nwords > self.max_words:
            raise _TooLong  # a story that will be replanned: stop writing it now
        self._prev = (self._cur_subj, tuple(self._cur_named), self.doc.nwords)
        self._cur_subj, self._cur_named = None, []

    def reserve(self, words: int) -> None:
        """Stop writing a story that cannot fit: fewer than `words` words are left before its hard limit,
        and the beats still to come need at least that many (it will be replanned, so stop early)."""
        if self.max_words is not None and self.doc.nwords + words > self.max_words:
            raise _TooLong

    def _resolve(self, t: str) -> str:
        """The subject placeholder of `sub` as he/she, unless another character of that gender is named
        in this sentence or the one before (then the name, so the pronoun is never ambiguous)."""
        c = self._pend
        seen = _MARK.sub("", (self.doc.cur[-1] if self.doc.cur else "") + " " + t)
        clash = any(o is not c and o.gender == c.gender and has_whole(seen, o.title)
                    for o in self.cast)
        return t.replace("\x03", c.title if clash or self.rng.random() >= PRONOUN_P else c.s, 1)

    def _opens(self, t: str):
        """A match if `t` opens with the hero's name (after an opener such as "Then " or "At noon, ")."""
        m = _OPENS.match(t)
        return m if m and m.group(2) == self.hero.name else None

    def _opener(self, t: str, m: re.Match | None) -> Char | None:
        """The introduced character whose name (or title) opens `t` (`m`: its `_OPENS` match), if any."""
        if not m or t.startswith(("and ", "or "), m.end()):  # "A and B ...": about both of them
            return None
        name, introduced = m.group(2), self.state.introduced
        for o in self.cast:
            if o.title == name and o.name in introduced:
                return o
        return None

    def _pronoun(self, t: str, m: re.Match) -> str:
        """`t` with a character's name near its start turned into he/she (or "A and B" into they), as
        TinyStories does, where the sentence before was about them, in the same paragraph, not
        dialogue, and no other character of their gender is named in either sentence (so the
        pronoun is unambiguous)."""
        cur = self.doc.cur
        if not cur or '"' in cur[-1] or "\x01" in t or self._prev[2] != self.doc.nwords:
            return t
        prev = cur[-1]
        end = m.end()
        if t.startswith("and ", end):  # "A and B went ..." after a sentence that named both: "they went ..."
            rest = t[end:]
            g = _PAIR.match(rest)
            if not g or self.rng.random() >= PRONOUN_P:
                return t
            names = {o.title for o in self.cast if o.name in self.state.introduced}
            a, b = m.group(2), g.group(1)
            prev = _MARK.sub("", prev) if "\x01" in prev else prev
            if a not in names or b not in names or a == b or not all(has_whole(prev, x) for x in (a, b)):
                return t
            return f"{m.group(1)}{'they' if m.group(1) else 'They'} {rest[g.end():]}"
        c = self._opener(t, m)  # (None if "or " follows the name)
        if c is None:
            return t
        prev = _MARK.sub("", prev) if "\x01" in prev else prev
        if not (self._prev[0] is c or has_whole(prev, c.title)):
            return t
        rest, both = t[end:], prev + " " + t
        low = both.lower() if both.isascii() else None  # (in ASCII, a case-blind match is one of the lowercase)
        for o in self.cast:
            if o is not c and o.gender == c.gender and (
                    has_whole(low, o.title.lower()) if low is not None and o.title.isascii()
                    else re.search(rf"\b{re.escape(o.title)}\b", both, re.I)):
                return t
        if self.rng.random() >= PRONOUN_P:
            return t
        return f"{m.group(1)}{c.s if m.group(1) else c.s.title()} {rest}"  # m.end() is after the name's space

    def frame(self, c: Char, group: bool = False, sentence: str = "") -> str:
        """An opening phrase that the state makes true for `c` now ("At the pond, ", "Still holding
        her kite, "), or "" if none fits."""
        st, rng = self.state, self.rng
        opts = []
        where = st.where.get(c.name)
        if where in self.w.coords and where not in sentence:  # not "At the farm, they walked to the farm"
            opts.append(0)
        t = st.time  # the time of day, said only where the story has not said it ("That morning, ..." once),
        if t not in self.doc.words and (t != "morning" or len(self.doc.paras) == 1):  # and morning only early on
            opts.append(1)
        if not self.flags.get("day_framed"):  # the day, once a story
            opts.append(2)
        held = [t for t, h in st.holder.items() if h == c.name and " " not in t and t not in sentence
                and self.doc.has_word(t)]
        if held and not group:
            opts.append(3)
        with_ = [o for o in self.cast if o is not c and st.where.get(o.name) == where and o.name in st.introduced
                 and o.title[:1].isupper() and o.title not in sentence]  # not "With Mom close by, Nina and Mom"
        if with_ and where and not group:
            opts.append(4)
        if c.name in st.feeling and not group:
            opts.append(5)
        agent = not sentence.startswith("The ")  # "After feeding the ducks, the sun ..." would dangle
        if agent and where == self.place and where in self.w.places and ACT_FRAME_P and rng.random() < ACT_FRAME_P:
            one = not any(x in sentence for x in (". ", "! ", "? ")) and not _HE_SHE.search(sentence)
            opts = [6, 7] if with_ and not group and one else [6]  # what they did there just before (whole vocabulary)
        if not opts:
            return ""
        k = rng.choice(opts)
        if k == 6:
            return f"After {doings.activity(self, where)}, "
        if k == 7:
            return f"While {self.nm(rng.choice(with_))} was {doings.activity(self, where)}, "
        if k == 0:
            return rng.choice(("At the ", "Near the ", "There at the ")) + self.place_mark(where) + ", "
        if k == 1:
            return (f"At {self.time_mark(t)}, " if t in ("noon", "night") else
                    rng.choice((f"That {self.time_mark(t)}, ", f"Later that {self.time_mark(t)}, "
                                if t != "morning" else f"Early that {self.time_mark(t)}, ")))
        if k == 2:
            self.flags["day_framed"] = True
            return rng.choice((f"On that {st.weather} {self.time_mark(self.day)}, ",
                               f"That {self.time_mark(self.day)}, ", f"On that {st.weather} {self.time_mark(self.season)} day, "))
        if k == 3:
            return f"{rng.choice(('Still holding', 'With'))} {c.p} {rng.choice(held)}, "
        if k == 4:
            return f"With {rng.choice(with_).title} {rng.choice(('close by', 'by ' + c.p + ' side', 'next to ' + c.o))}, "
        return f"Still {st.feeling[c.name]}, "

    def _asked(self) -> bool:
        """Whether the sentence before was a question in dialogue (so this line answers it)."""
        cur = self.doc.cur
        return bool(cur) and ('?"' in cur[-1] or cur[-1].endswith('?"'))

    def say(self, who: str, line: str, verb: str = "said") -> None:
        self.s(quote(self.rng, who, line, verb, self._asked()))

    def speak(self, c: Char, line: str, verb: str = "said") -> None:
        """A line of dialogue by `c` (who must be introduced)."""
        self.state.act(c.name)
        self.s(quote(self.rng, c.title, line, verb, self._asked()))

    def pick(self, *options):
        return self.rng.choice(options)

    # --- what the knowledge episodes (facts.py) and seed sentences use ----------------------------

    @property
    def main(self) -> Char:
        return self.hero

    @property
    def parent_char(self) -> Char:
        return self.grownup

    @property
    def parent_title(self) -> str:
        return self.grownup.title

    @property
    def parent(self) -> str:
        """'her mom' as a noun phrase in narration."""
        g = self.grownup
        return f"{self.hero.p} {g.title.lower()}" if g.kind in FAMILY else g.title

    @property
    def item(self) -> dict:
        return self.thing

    def mention(self, c: Char) -> str:
        if not self.known(c):
            return self.intro(c)
        return self.nm(c)

    # --- marks ----------------------------------------------------------------------------------

    def place_mark(self, text: str, word: str | None = None) -> str:
        """A place word with its offset and map coordinates recorded in meta["places"]."""
        word = word or text
        x, y = self.w.coords[word]
        rec = {"name": word, "x": x, "y": y}
        self.meta["places"].append(rec)
        return self.doc.m(text, rec)

    def time_mark(self, word: str) -> str:
        rec = {"word": word, "kind": TIME_KIND[word], "value": TIME_VALUE[word]}
        self.meta["times"].append(rec)
        return self.doc.m(word, rec)

    def adj_or(self, default: str) -> str:
        """The seed adjective if it is `default`'s kind of word and unused (sleepy for tired), else `default`."""
        aw = self.adj["word"]
        if not self.used_adj and (aw == default or (default in ("tired", "sleepy") and aw in ("tired", "sleepy"))):
            self.used_adj = True
            return aw
        return default

    # --- the seed words ------------------------------------------------------------------------

    def verb_phrase(self, form: str) -> str:
        """The seed verb in `form` with a fitting object or preposition."""
        v, c = self.verb, self.hero
        head = v[form]
        objs = self.w.verb_objects.get(v["word"])
        if not objs:
            return head
        if "vobj" not in self.flags:
            it = self.thing
            self.flags["vobj"] = it if it in objs else (self.noun if self.noun in objs else self.rng.choice(objs))
            self.used_noun |= self.flags["vobj"] is self.noun
        o = self.flags["vobj"]
        if o is self.thing:
            np = f"{c.p} {o['word']}"
        elif o["kind"] in ("person",) or o["word"] in FAMILY:
            np = f"{c.p} {o['word']}"
        elif o["kind"] in ("place", "nature", "event", "vehicle") or o.get("mass"):
            np = o["word"] if o.get("mass") else f"the {o['word']}"
        elif o["kind"] in ("body", "clothing"):
            np = f"{c.p} {o['plural'] if o['word'] in _PAIRED else o['word']}"
        else:
            np = o["plural"]
        prep = v.get("prep")
        return f"{head} {prep} {np}" if prep else f"{head} {np}"

    def ensure_seed_words(self) -> None:
        """Make sure the three seed words made it into the text (the plot may have had no room for one)."""
        doc, v, n, a_ = self.doc, self.verb, self.noun, self.adj
        if not doc.has_word(v["word"], v["past"], v["ing"], v["third"], v["participle"]):
            self.s(self._seed_verb_sentence() if seedwords.hero_can(self) else
                   seedwords.other_doer_late(self) or seedwords.other_doer_sentence(self))
        if not doc.has_word(n["word"], n["plural"]):
            self.s(seedwords.noun_sentence(self, n))
        if not self.used_adj or not doc.has_word(a_["word"], a_.get("comparative"), a_.get("superlative")):
            self.s(seedwords.adjective_sentence(self, a_))
            self.used_adj = True

    def _seed_verb_sentence(self) -> str:
        """The seed verb late in the story, composed: an opener, the hero, a way of doing it again, a tail."""
        rng, c = self.rng, self.hero
        opener = rng.choice(("Later, ", "After that, ", "Before long, ", "Then ", "For a while, ", "Once more, ",
                             "", "", "That day, "))
        who = self.sub(c) if opener else self.nm(c)
        vp, word = self.verb_phrase("past"), self.verb_phrase("word")
        core = rng.choice((f"{vp} again", f"{vp} one more time", f"{vp} for a little while",
                           f"decided to {word} again", f"tried to {word} once more", f"began to {word} again",
                           f"wanted to {word} again", f"was glad to {word} again"))
        g = self.grownup
        with_ = [f" with {g.title}"] if g.title[:1].isupper() and self.known(g) else []
        tail = rng.choice(("", "", "", " with a smile", " just for fun", " before dinner", *with_))
        if tail.startswith(" with") and " with " in core:
            tail = ""
        return f"{opener}{who} {core}{tail}."

    def seed_forms(self, light: bool = False) -> None:
        """More forms of the seed words (past, participle, -ing, comparative, superlative, adverb,
        plural), so that across a corpus every form the vocabulary has is used in context.
        `light`: the verb's forms and one of the others (a story that is already long)."""
        rng, c, adj, n = self.rng, self.hero, self.adj, self.noun
        cmp_, sup, w = adj.get("comparative", ""), adj.get("superlative", ""), adj["word"]
        one = rng.randrange(3) if light else -1
        r = rng.random() if one in (-1, 0) else 1.0
        if cmp_ and " " not in cmp_ and r < 0.6:
            cls = adj["class"]
            if cls == "feeling":
                self.s(self.pick(f"{c.name} had never felt {cmp_} than on that day.",
                                 f"For {c.name}, it was the {sup} day in a long time."))
            elif cls == "weather" and " " not in sup:
                self.s(f"{c.name} said it was the {sup} day of the {self.season}.")
            elif cls == "place" and " " not in sup:
                self.s(f"{c.name} knew the {sup} path through the village.")
            elif cls == "trait":
                self.s(self.pick(f"Everyone said that {c.name} was {cmp_} than before.",
                                 f"{c.name} was the {sup} {c.kind} in the whole village."))
            else:
                nouns = self.w.scene_nouns.get(w) or [x for x in self.w.adj_nouns.get(w, [])
                                                      if x["kind"] not in ("person", "event", "body", "place")]
                if nouns:
                    x = rng.choice(nouns)
                    if x.get("mass"):
                        self.s(f"{c.name} thought that the {x['word']} there was {cmp_} than anywhere else.")
                    else:
                        self.s(self.pick(f"{c.name} saw the {sup} {x['word']} {c.s} had ever seen.",
                                         f"The {x['plural']} there were {cmp_} than the ones near {c.name}'s house."))
        can = seedwords.hero_can(self)
        if not can:  # the verb's doer is not the hero: one more sentence with its other forms
            t = seedwords.other_doer_late(self)
            if t and rng.random() < 0.6:
                self.s(t)
        if "adverb" in adj and one in (-1, 1) and rng.random() < 0.5:
            if can:
                self.s(f"{self.nm(c)} {self.verb_phrase('past')} {adj['adverb']} that {self.pick('evening', 'day', 'week')}.")
            else:
                self.s(f"That {self.pick('evening', 'day')}, {self.nm(c)} did everything {adj['adverb']}.")
        r = rng.random() if can else 2.0
        if self.verb["participle"] != self.verb["past"] and r < 0.4:
            self.s(f"{self.nm(c)} had never {self.verb_phrase('participle')} so much before.")
        elif r > 1.0:
            pass
        elif r < 0.7 and not self.w.verb_objects.get(self.verb["word"]):  # ("claps", not "drops robots", better than anyone)
            self.s(f"{self.grownup.title} always said that {c.name} {self.verb_phrase('third')} better than anyone.")
        else:
            self.s(f"Even in {c.p} dreams that night, {c.name} was {self.verb_phrase('ing')}.")
        if not n.get("mass") and n["plural"] != n["word"] and one in (-1, 2) and rng.random() < 0.5:
            if t := seedwords.plural_line(self):
                self.s(t)

    # --- the record -------------------------------------------------------------------------------

    def build(self, max_words: int | None = None) -> tuple[str, dict, list[str], dict] | None:
        """Plan and write the story; None if it came out longer than `max_words` (before the
        realiser's optional words, which are added only to a story that is kept)."""
        self.max_words = max_words
        self.setting()
        plan = plots.plan(self)
        try:
            plan.write(self)
        except _TooLong:
            return None
        self.doc.para()
        self.real.spare = MAX_REALISED - self.doc.nwords
        self.real.scan(t for p in self.doc.paras for t in p)
        self.doc.realise(self.real.sentence)
        text = self.doc.finish()
        return text, self.words(), self.features, self.finish_meta(plan)

    def free(self) -> None:
        """Let go of everything this story refers to, once no one will read it again. A story is held in
        reference cycles (its realiser, plan and recap point back at it), so a dropped story is freed only
        by the cyclic garbage collector, whose passes over its ~140 objects cost ~10% of generation
        (issue 13: stories per CPU-second); emptied, its objects are freed at once, by reference counting."""
        self.__dict__.clear()

    def words(self) -> dict:
        return {"verb": self.verb["word"], "noun": self.noun["word"], "adjective": self.adj["word"]}

    def finish_meta(self, plan) -> dict:
        m = self.meta
        m["characters"] = [c.rec for c in self.cast if "first_mention" in c.rec]
        m["main_character"] = self.hero.name
        m["plot"] = plan.name
        m["goal"] = plan.goal
        m["outcome"] = "bad" if "BadEnding" in self.f else "good"
        m["item"] = self.thing["word"]
        home = plan.home
        m["setting"] = {"name": home, "x": self.w.coords[home][0], "y": self.w.coords[home][1]}
        m["time"] = {"season": self.season, "day": self.day, "time_of_day": "morning", "weather": self.weather}
        m["places"] = [p for p in m["places"] if "offset" in p]
        m["times"] = [t for t in m["times"] if "offset" in t]
        m["skills"] = [s for s in self.pending_skills if "prompt_end" in s]
        m.setdefault("boxes", [])
        return m
