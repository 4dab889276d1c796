"""Knowledge episodes: sentences that state or use an everyday fact from the knowledge base.

A story states facts that fit it: the animals and things at its place, its season,
the night at its end, the hero's kind, item and seed noun (`episode`), and the needs
of its characters (`need`: hungry -> eat, cold -> coat, dark -> lamp, ...). Each
relation has many surface forms (narration, something seen, a grown-up explaining,
question and answer, cause, contrast, habit), so that a model learns the fact and not
one template.

When the prompt before a word determines that word by a fact, the episode may record
an ``everyday_fact`` skill item for it: answer = that word, distractor = the same slot
filled with a value the knowledge base knows to be false (moo vs quack, hot vs cold,
fly vs swim), so that for many pairs A/B some items have answer A and others answer B.
The record keeps ``fact`` ("relation:subject"), ``relation``, ``subject``, ``value``,
``asks`` ("value", or "subject" when the word asked for is the subject: "We get milk
from ...") and ``contrast`` (the knowledge-base words behind the distractors).
"""

from __future__ import annotations

from contextlib import contextmanager

from storylab.world.knowledge import load_knowledge
from storylab.world.model import World
from storylab.world.record import skill
from storylab.world.state import WARM
from storylab.world.text import a, cap

K = load_knowledge()
ANNOTATE_P = 0.85

_BUGS = {"bee", "butterfly", "ladybug", "dragonfly"}
_WHERE = {"fly": ("high in the sky", "over the trees"),
          "swim": ("in the water", "in the deep water", "in the cool water"), "hop": ("across the grass", "along the path"),
          "climb": ("up a tall tree", "up a tree"), "crawl": ("on the ground", "along a leaf"),
          "run": ("across the field", "very fast")}
_LIVES = {"sea": ("in the", "sea", "in the sea"), "pond": ("in", "ponds", "in a pond"),
          "river": ("in", "rivers", "in a river"), "lake": ("in", "lakes", "in a lake"),
          "farm": ("on", "farms", "on a farm"), "barn": ("in", "barns", "in a barn"),
          "tree": ("in", "trees", "in a tree"), "nest": ("in", "nests", "in a nest"),
          "forest": ("in the", "forest", "in the forest"), "hole": ("in", "holes", "in a hole"),
          "cave": ("in", "caves", "in a cave"), "jungle": ("in the", "jungle", "in the jungle"),
          "web": ("in", "webs", "on a web"), "hive": ("in", "hives", "in a hive")}
_VEHICLES = {"car", "train", "plane", "rocket"}
_FEED = {"carrot", "banana", "nut", "acorn", "bone", "seed", "grass", "apple", "lettuce", "corn", "berry", "fish",
         "cheese", "leaf"}
_PAIRED = {"eye", "ear", "foot", "leg", "hand", "arm", "tooth"}
_JOB_TAG = {  # tag -> (prompt before the job word, rest); {N} {P} {p} {o} {s} filled in; plural job if "pl"
    "sick": ("{N} felt sick, so {P} took {o} to see the ", "."),
    "hurt": ("{N} hurt {p} arm, so {P} took {o} to see the ", "."),
    "animal": ("{N}'s puppy was sick, so they took it to the ", "."),
    "bread": ("{P} bought some fresh bread from the ", "."),
    "cake": ("For {N}'s birthday, they got a big cake from the ", "."),
    "fire": ("There was a fire near the station, so they called the ", "pl"),
    "school": ("At school, the ", " read a story to {N} and the other children."),
    "letter": ("A letter came for {N}. The ", " had brought it."),
    "plane": ("There was a big plane in the sky, and a ", " was flying it."),
    "tooth": ("To keep {p} teeth clean and strong, {N} went to see the ", "."),
    "house": ("To build a new house, they needed a ", "."),
    "bus": ("The bus stopped, and the ", " opened the door."),
    "cow": ("On the farm, the ", " fed the cows."),
    "soup": ("In the kitchen, the ", " made a big pot of soup."),
}
# tags that tell an event of their own, told only in the plot that has it (not "For Max's birthday, they got a big
# cake from the baker" in a story about baking one, nor "Zoe hurt her arm" on her sick day): tag -> that plot
_EVENT_TAGS = {"sick": "sick", "hurt": "", "animal": "", "cake": "", "fire": "", "letter": "", "plane": "", "tooth": "",
               "house": ""}
_SLOTS = {  # remedy slots: the same words before the answer, a different need decides it
    "ate": {"hungry": ["eat"], "thirsty": ["drink"]},
    "asked": {"hungry": ["food", "bread", "soup"], "thirsty": ["water", "milk", "juice"]},
    "gave": {"hungry": ["food", "bread", "soup"], "thirsty": ["water", "milk", "juice"], "sick": ["medicine"]},
    "wear": {"cold": ["coat", "sweater", "jacket", "scarf"], "hot": ["swimsuit"]},
    "turn": {"dark": ["lamp", "light", "flashlight"], "hot": ["fan"]},
    "take": {"tired": ["nap"], "dirty": ["bath"]},
    "went": {"tired": ["bed"], "hot": ["swim"]},
    "took": {"rain": ["umbrella", "raincoat"], "wind": ["kite"], "snow": ["sled"]},
}


def _words():
    return World.get().vocab


def pl(word: str) -> str:
    n = _words().noun.get(word)
    return n["plural"] if n else word


_GENERIC_SG = {"ice cream", "candy", "fire", "chocolate", "popcorn"}  # "Candy is sweet", not "Candies are"


def mass(word: str) -> bool:
    """Whether `word` takes a singular verb when it means the kind: milk, honey, snow, ice cream."""
    n = _words().noun.get(word)
    return word in _GENERIC_SG or bool(n and n.get("mass"))


def generic(st, subj: str, verb: str) -> str:
    """A generic subject with its verb: "cows say" or, half the time, "a cow says", so that the
    stories also show present-tense agreement with a singular subject."""
    if mass(subj) or st.rng.random() < 0.5:
        return f"{pl(subj)} {verb}"
    return f"{a(subj)} {verb if verb == 'can' else vf(verb, 'third')}"


def vf(verb: str, form: str) -> str:
    return _words().verb[verb][form]


# --- recording -------------------------------------------------------------------------------


class Ep:
    """One knowledge episode: marks at most one answer as a skill item. `here`: whether the subject is
    where the story is now (found at its place, or met by the plot there), so that it may be seen, heard
    or fed; a subject that is not here is only told about ("cows say moo", not "Mia saw a cow" at the library)."""

    __slots__ = ("st", "rel", "subj", "annotate", "done", "value", "here")

    def __init__(self, st, rel: str, subj: str, annotate: bool | None = None, value: str | None = None,
                 here: bool | None = None):
        self.st, self.rel, self.subj, self.value = st, rel, subj, value
        self.annotate = st.rng.random() < ANNOTATE_P if annotate is None else annotate
        self.done = False
        self.here = subj in K.found_at.get(st.place, ()) if here is None else here

    def _mark(self, answer: str, distractors: list[str], value: str, contrast: list[str], asks: str,
              subj: str | None = None, wrap=None) -> str:
        self.done = True
        subj = subj or self.subj
        rec = skill(self.st, "everyday_fact", answer, distractors, fact=f"{self.rel}:{subj}", relation=self.rel,
                     subject=subj, value=value, asks=asks, contrast=contrast)
        return self.st.doc.m(wrap(answer) if wrap else answer, rec, "prompt_end")

    def v(self, value: str, form=None, pool=None, subj: str | None = None, extra: list[str] | None = None,
          wrap=None) -> str:
        """`form(value)`, marked as the answer with a false value of the relation as distractor.

        `pool` limits the distractor to values that fit the slot; `extra` gives distractors from
        outside the knowledge base (never true values) where no value of the relation fits the
        slot; `wrap` marks the answer for something else too (a time word)."""
        form = form or (lambda x: x)
        subj = subj or self.subj
        plain = wrap(form(value)) if wrap else form(value)
        if not self.annotate or self.done:
            return plain
        if extra is not None:
            ds = [x for x in extra if not K.true(self.rel, subj, x)]
            return self._mark(form(value), [form(d) for d in ds], value, ds, "value", subj, wrap) if ds else plain
        cands = K.contrast_values(self.rel, subj, pool)
        if not cands:
            return plain
        d = self.st.rng.choice(cands)
        return self._mark(form(value), [form(d)], value, [d], "value", subj, wrap)

    def s(self, subj: str, value: str, form=None, pool=None) -> str:
        """`form(subj)`, marked as the answer: the subject that has `value`, against one that has not."""
        form = form or (lambda x: x)
        if not self.annotate or self.done:
            return form(subj)
        cands = [x for x in K.contrast_subjects(self.rel, value, pool) if form(x) != form(subj)]
        if not cands:
            return form(subj)
        d = self.st.rng.choice(cands)
        return self._mark(form(subj), [form(d)], value, [d], "subject", subj)


def _ctx(st):
    """The hero, their name, the grown-up who may speak (introduced: the state checks), the rng;
    within `told_by`, the friend who is there instead of the grown-up who is not."""
    c = st.main
    st.state.act(c.name)
    teller = st.flags.get("teller")
    if teller is not None:
        st.state.act(teller.name)
        return c, c.name, teller.name, st.rng
    st.state.act(st.grownup.name)
    return c, c.name, st.parent_title, st.rng


@contextmanager
def told_by(st, teller):
    """Facts stated in this block are told, asked and answered by `teller` (the friend at the
    place), not by the grown-up who stayed at home ("Rabbits eat lettuce," Fred said)."""
    st.flags["teller"] = teller
    try:
        yield
    finally:
        del st.flags["teller"]


def _here(st, cands) -> list[str]:
    """Of `cands`, the things this story has: met at its place (the knowledge base's found_at) or
    already named in it. A contrast names only these (no "cows moo, and ducks quack" with no duck)."""
    at, said = K.found_at.get(st.place, ()), st.doc.words
    return [x for x in cands if x in at or (x in said or pl(x) in said if " " not in x else st.doc.has_word(x))]


def _H(st) -> str:
    """The hero as the subject that begins a sentence: he or she where that is clear, else the name."""
    return st.sub(st.main)


def _pick(rng, *makers) -> str:
    """One of several sentences, only that one written (so only it can mark an answer)."""
    return rng.choice(makers)()


def _ask(st, asker: str, question: str) -> None:
    """A question as a line of dialogue (a paragraph never starts with a quote)."""
    if st.doc.cur and st.rng.random() < 0.5:
        st.say(asker, question, "asked")
    else:
        st.s(f'{asker} asked, "{question}"')


_TELL_AT = ("pointed and said", "smiled and said", "looked around and said", "said with a smile")


_SEEN = {"can", "eats", "builds", "size", "speed", "color", "baby"}  # what one sees of a thing (not its voice)


def _tell(e: Ep, clause: str, we: bool = False) -> None:
    """A general fact ("cows say moo"), told by a grown-up or a friend, known or learned by
    the hero, asked about, or just stated. `we`: the clause speaks as "we", so it is quoted.
    "At the castle" only of a subject that is there, and "saw that" only of what one can see there
    (not "Now he saw that bats live in barns" at the castle)."""
    st = e.st
    c, N, P, rng = _ctx(st)
    who = P
    if st.known(st.friend) and rng.random() < 0.3:  # only someone the story has introduced speaks
        who = st.nm(st.friend)
    r = rng.random()
    if r < 0.3 or (we and r < 0.75):
        k = rng.random()
        if k < 0.2:
            st.s(f'{who} told {N}, "{cap(clause)}."')
        elif k < 0.4:
            st.s(rng.choice((f'{who} said, "You know, {N}, {clause}."', f'{N} told {who} proudly, "{cap(clause)}!"',
                             f'{who} said to {N}, "Look, {clause}!"' if not we else f'{who} said, "{cap(clause)}, {N}."')))
        elif k < 0.7 or not st.doc.cur:
            st.s(f'{who} {rng.choice(_TELL_AT)}, "{cap(clause)}, {N}."')
        else:
            st.s(f'"{cap(clause)}," {who} told {N}.')
    elif we or r < 0.42:
        if rng.random() < 0.5:
            st.s(f'{who} asked {N}, "Did you know that {clause}?"')
        elif not we:
            st.s(f'{N} asked {who}, "Is it true that {clause}?"', rng.choice((f"{who} nodded.", f'"Yes, it is," {who} said.',
                                                                                f"{who} smiled and said yes.")))
        else:
            st.s(f'{who} asked, "{N}, did you know that {clause}?"')
    elif r < 0.9:  # narration in short parts: who, how they knew, sometimes when or where (not with "had")
        how = rng.choice((f"{who} told {N}", f"{who} said", f"{who} explained to {N}", f"{who} had once told {N}",
                          f"{who} showed {N}", f"{who} whispered to {N}", f"{who} had told {N} again and again",
                          f"{who} once read {N} a book that said") if r < 0.56 else
                         ("{H} knew", "{H} remembered", "{H} learned", "{H} found out", "{H} already knew",
                          "{H} had heard", "{H} knew from a book", "{H} remembered from school",
                          f"{{H}} knew from {who}", "{H} had seen in a book", "{H} was glad to know",
                          "{H} liked to tell everyone") + (("{H} saw", "{H} noticed") if _seen(e) else ()))
        when = rng.choice(("", "", "", "Now ", "Then ") + (() if " had " in how or "knew" in how or "remembered" in how
                                                         else ("That day, ",) + (("At the {P}, ",) if e.here else ())))
        when = when.replace("{P}", st.place_mark(st.place)) if "{P}" in when else when
        how = how.replace("{H}", st.sub(c)) if "{H}" in how else how
        bare = how.endswith((" said", " knew", " remembered", " found out", " heard", f" told {N}")) and rng.random() < 0.4
        that = "" if how.endswith("book that said") or bare else " that"
        st.s(f"{when}{how}{that} {clause}.")
    else:
        st.s(rng.choice((f"{cap(clause)}.", f"Everyone knows that {clause}.", f"It is true: {clause}.")))


def _seen(e: Ep) -> bool:
    """Whether the hero can see the fact where the story is: a thing here, and what it does or looks
    like (where it lives only at that very place: "fish live in lakes" at the lake)."""
    return e.here and (e.rel in _SEEN or (e.rel == "lives" and e.value == e.st.place))


def _qa(st, question: str, asker: str, answer: str, answerer: str) -> None:
    """A question, then its answer, each as a line of dialogue."""
    _ask(st, asker, question)
    st.say(answerer, answer)


# --- relations ---------------------------------------------------------------------------------


def _says(e: Ep) -> None:
    st, s = e.st, e.subj
    c, N, P, rng = _ctx(st)
    v = K.main("says", s)
    r = rng.random() if e.here else 0.45 + 0.55 * rng.random()  # (not here: asked, played or told, not heard)
    met = st.doc.has_word(s)  # the story has it already: "the cat", not "saw a cat" again
    if r < 0.25:
        where = f" at the {st.place_mark(st.place)}" if s in K.found_at.get(st.place, ()) else ""
        if met:
            st.s(f'The {s} looked at {N} and said, "{e.v(v, cap)}, {v}!"')
        else:
            st.s(f"{_H(st)} saw {a(s)}{where}.", f'The {s} looked at {N} and said, "{e.v(v, cap)}, {v}!"')
    elif r < 0.45:
        st.s(f'{N} heard {"the " + s if met else a(s)} say, "{e.v(v, cap)}!"')
    elif r < 0.65:
        _ask(st, N, f"What does {a(s)} say?")
        if rng.random() < 0.5:
            st.s(f'{P} laughed and said, "{e.v(v, cap)}!"')
        else:
            st.s(f'{P} said, "{cap(pl(s))} say {e.v(v)}."')
    elif r < 0.8:
        st.s(f"{_H(st)} pretended to be {a(s)}.", f'"{e.v(v, cap)}, {v}," {N} said, and everyone laughed.')
    else:
        _tell(e, f"{generic(st, s, 'say')} {e.v(v)}")


def _cry(e: Ep) -> None:
    st, s = e.st, e.subj
    c, N, P, rng = _ctx(st)
    v = K.main("cry", s)
    r = rng.random()
    if not e.here:  # (not heard here: told)
        _tell(e, f"{pl(s)} {e.v(v)}")
    elif r < 0.3 and st.doc.has_word(s):  # the story has it already
        st.s(f"When the {s} saw {N}, it {e.v(v, lambda x: vf(x, 'past'))}.")
    elif r < 0.3:
        st.s(f"{_H(st)} saw {a(s)}.", f"When the {s} saw {N}, it {e.v(v, lambda x: vf(x, 'past'))}.")
    elif r < 0.5:
        _hear(e, v)
    elif r < 0.7:
        st.s(f'{P} said, "Listen, {N}, the {s} is {e.v(v, lambda x: vf(x, "ing"))}."')
    elif not (others := _here(st, [x for x in K.rel["cry"].subjects if K.main("cry", x) != v and x != "bird"
                                   and not mass(x)])):
        _hear(e, v)
    else:
        s2 = rng.choice(others)
        if rng.random() < 0.5:
            st.s(f"{cap(pl(s))} {e.v(v)}, and {pl(s2)} {K.main('cry', s2)}.")
        else:
            st.s(f"{cap(a(s))} {e.v(v, lambda x: vf(x, 'third'))}, and {a(s2)} {vf(K.main('cry', s2), 'third')}.")


def _hear(e: Ep, v: str) -> None:
    st, s, rng, N = e.st, e.subj, e.st.rng, e.st.main.name
    ing = lambda: e.v(v, lambda x: vf(x, "ing"))  # noqa: E731
    st.s(_pick(rng, lambda: f"{_H(st)} could hear the {pl(s)} {ing()}.", lambda: f"{_H(st)} listened to the {pl(s)} {ing()}.",
               lambda: f"All around {N}, the {pl(s)} were {ing()}."))


def _can(e: Ep) -> None:
    st, s = e.st, e.subj
    c, N, P, rng = _ctx(st)
    v = e.value or rng.choice(K.values("can", s))
    r = rng.random() if e.here else 0.3 + 0.35 * rng.random()  # (not here: told or asked, not seen)
    if r < 0.3:
        st.s(f"{_H(st)} saw {a(s)} {e.v(v, lambda x: vf(x, 'ing'))} {_where(rng, s, v)}.")
    elif r < 0.5:
        _tell(e, f"{generic(st, s, 'can')} {e.v(v)}")
    elif r < 0.65:
        _qa(st, f"What can {a(s)} do?", N, _pick(rng,
                                                 lambda: f"It can {e.v(v)}!",
                                                 lambda: f"{cap(pl(s))} can {e.v(v)}, {N}."), P)
    elif r < 0.8 and K.rel["can"].not_.get(s):
        neg = rng.choice(K.rel["can"].not_[s])
        _tell(e, f"{pl(s)} can't {neg}, but they can {v}")
    else:
        st.s(f"The {s} {e.v(v, lambda x: vf(x, 'past'))} {_where(rng, s, v)}.")


def _where(rng, s: str, ability: str) -> str:
    return "from flower to flower" if ability == "fly" and s in _BUGS else rng.choice(_WHERE[ability])


def _lives(e: Ep) -> None:
    st, s = e.st, e.subj
    c, N, P, rng = _ctx(st)
    vals = K.values("lives", s)
    v = e.value = e.value or (st.place if st.place in vals else rng.choice(vals))  # the fish at the lake live in lakes
    prep, word, sg = _LIVES[v]
    pool = [x for x, t in _LIVES.items() if t[0] == prep]
    r = rng.random()
    ans = e.v(v, lambda x: _LIVES[x][1], pool=pool) if r < 0.8 else ""
    if r < 0.5:
        _tell(e, f"{generic(st, s, 'live')} {prep} {ans}")
    elif r < 0.8:
        _qa(st, f"Where do {pl(s)} live?", N, f"{cap(pl(s))} live {prep} {ans}.", P)
    else:
        st.s(f"{a(s)} lived {sg}, and {N} liked to visit it.")


def _gives(e: Ep) -> None:
    st, s = e.st, e.subj
    c, N, P, rng = _ctx(st)
    v = e.value or K.main("gives", s)
    vs = "eggs" if v == "egg" else v
    subs = K.rel["gives"].subjects
    r = rng.random()
    if r < 0.3:
        _tell(e, f"{generic(st, s, 'give')} us {e.v(v, lambda x: 'eggs' if x == 'egg' else x)}")
    elif r < 0.55:
        _tell(e, f"we get {vs} from {e.s(s, v, pl, pool=subs)}", we=True)
    elif r < 0.75:
        q = "Where do eggs come from?" if v == "egg" else f"Where does {v} come from?"
        _qa(st, q, N, f"From {e.s(s, v, pl, pool=subs)}!", P)
    else:
        st.s({"egg": f"Every morning, the {s} laid an egg, and {N} {st.pick('found', 'collected', 'looked for')} it.",
              "milk": f"The farmer got some milk from the {s} for {N}.",
                  "honey": f"{N} watched the bees, and the bees made sweet honey.",
                  "wool": f"The farmer got wool from the {s} to make warm sweaters."}[v])


def _eats(e: Ep) -> None:
    st, s = e.st, e.subj
    c, N, P, rng = _ctx(st)
    v = e.value or rng.choice(K.values("eats", s))
    form = lambda x: x if mass(x) else pl(x)  # noqa: E731
    r = rng.random() if e.here else 0.55 * rng.random()  # (not here: told or asked, not fed or watched)
    if r < 0.3:
        _tell(e, f"{generic(st, s, 'like')} to eat {e.v(v, form)}")
    elif r < 0.55:
        _qa(st, f"What do {pl(s)} eat?", N, f"{cap(pl(s))} eat {e.v(v, form)}.", P)
    elif r < 0.75 and v in _FEED and s not in ("owl", "spider", "bear"):
        st.s(f"{_H(st)} gave the {s} some {form(v)}.")
    else:
        st.s(_pick(rng, lambda: f"{_H(st)} watched the {s}, and the {s} was eating {e.v(v, form)}.",
                         lambda: f"{_H(st)} sat very still and watched the {s} eat {e.v(v, form)}.",
                         lambda: f"The {s} did not see {N}, because it was busy eating {e.v(v, form)}."))


def _builds(e: Ep) -> None:
    st, s = e.st, e.subj
    c, N, P, rng = _ctx(st)
    v = e.value or K.main("builds", s)
    r = rng.random()
    if r < 0.4 or not e.here:
        _tell(e, f"{generic(st, s, 'make')} {e.v(v, pl)}")
    elif r < 0.7:
        st.s(f"{_H(st)} saw {a(s)} making a {e.v(v)} in a tree.")
    else:
        st.s(f"The {s} was busy making a {e.v(v)}.")


def _baby(e: Ep) -> None:
    st, s = e.st, e.subj
    c, N, P, rng = _ctx(st)
    v = K.main("baby", s)
    r = rng.random()
    if r < 0.3:
        _tell(e, f"a baby {s} is called a {e.v(v)}")
    elif r < 0.55 and e.here:
        st.s(f"{_H(st)} saw a mommy {s} with her little {e.v(v, pl)}.")
    elif r < 0.8:
        st.s(f"A {v} is a baby {e.s(s, v)}.")
    else:
        _qa(st, f"What is a baby {s} called?", N, f"A baby {s} is a {e.v(v)}.", P)


def _binary(e: Ep, rel: str) -> None:
    """size (big/small), speed (fast/slow), temp (hot/cold), light (dark/bright)."""
    st, s = e.st, e.subj
    c, N, P, rng = _ctx(st)
    v = K.main(rel, s)
    r = rng.random()
    if not e.here and rel in ("size", "speed"):  # (not here: told or asked, not seen)
        r = 0.3 + 0.45 * r
    others = _here(st, [x for x in K.rel[rel].subjects if K.main(rel, x) != v and x not in ("sun", "night", "day")]) \
        if r < 0.3 else []
    is_ = "is" if mass(s) else "are"
    if rel == "temp":
        if v == "hot" and s == "sun":
            melt = rng.choice(("ice cream", "popsicle", "snowman"))
            st.s(_pick(rng,
                           lambda: f"The {melt} melted because the sun was {e.v(v)}.",
                           lambda: f"The sun was {e.v(v)}, so {N} sat in the shade of a tree."))
        elif v == "hot":
            st.s(_pick(rng,
                           lambda: f'{P} said, "{N}, do not touch the {s}, it is very {e.v(v)}!"',
                           lambda: f"The {s} was very {e.v(v)}, so {N} stayed away from it.",
                           lambda: f'"Stay back, {N}, the {s} is {e.v(v)}!" {P} said.',
                           lambda: f"{N} could feel from far away that the {s} was {e.v(v)}.",
                           lambda: f"{P} put on big mittens for {N}, because the {s} was so {e.v(v)}."))
        elif r < 0.4:
            st.s(_pick(rng,
                           lambda: f"{_H(st)} touched the {s}, and the {s} felt very {e.v(v)} in {c.p} hand!",
                           lambda: f"When {N} touched the {s}, it felt very {e.v(v)}."))
        elif r < 0.7:
            _qa(st, f"Is the {s} hot or cold?", N, _pick(rng,
                                                         lambda: f"It is {e.v(v)}.",
                                                         lambda: f"It is {e.v(v)}, {N}."), P)
        else:
            st.s(f"The {s} was so {e.v(v)} that {N} shivered.")
        return
    if rel == "light":
        if s == "night":
            if rng.random() < 0.5:
                st.s(_pick(rng,
                               lambda: f"When the sun went down, it got {e.v(v)}, and {N} went inside.",
                               lambda: f"When the sun went down, the sky over the {st.place_mark(st.place)} got {e.v(v)}."))
            else:
                _tell(e, f"at night it is {e.v(v)}, and in the day it is bright")
        elif s == "cave":
            st.s(f"The cave was very {e.v(v)}, so {N} turned on {c.p} flashlight.")
        elif s == "sun":
            st.s(_pick(rng, lambda: f"The sun was so {e.v(v)} that {N} had to close {c.p} eyes.",
                             lambda: f"{N} looked up, but the sun was too {e.v(v)} to look at.",
                             lambda: f"The sun was very {e.v(v)}, and {N} put a hand over {c.p} eyes."))
        elif s == "day":
            _tell(e, f"in the day it is {e.v(v)}, and at night it is dark")
        elif s == "star":
            st.s(f"The stars were {e.v(v)} in the night sky, and {N} counted them.")
        else:
            st.s(f"The {s} was warm and {e.v(v)}, and {N} sat near it.")
        return
    if r < 0.15 and others and rel in ("size", "speed"):  # a comparison: a horse is faster than a snail
        s2 = rng.choice([x for x in others if x not in _VEHICLES] or others)
        cmp = lambda x: _words().adjective[x]["comparative"]  # noqa: E731
        st.s(_pick(rng,
                   lambda: f"{P} told {N} that {a(s)} is {cmp(v)} than {a(s2)}.",
                   lambda: f"{_H(st)} knew that {a(s)} is {cmp(v)} than {a(s2)}."))
    elif r < 0.3 and others:
        s2 = rng.choice(others)
        v2 = K.main(rel, s2)
        if rel == "speed" and rng.random() < 0.5 and not {s, s2} & _VEHICLES:
            st.s(f"The {s} and the {s2} had a race.")
        st.s(f"The {s} was {v}, but the {s2} was {e.v(v2, subj=s2)}.")
    elif r < 0.55:
        _tell(e, f"{pl(s)} {is_} very {e.v(v)}")
    elif r < 0.75:
        opts = "big or small" if rel == "size" else "fast or slow"
        _qa(st, f"Is {a(s)} {opts}?", N, _pick(rng,
                                               lambda: f"It is {e.v(v)}.",
                                               lambda: f"{cap(a(s))} is {e.v(v)}, {N}."), P)
    else:
        st.s(_pick(rng,
                       lambda: f"{_H(st)} saw {a(s)}, and the {s} was so {e.v(v)}!",
                       lambda: f'"Look at that {s}, it is so {e.v(v)}!" said {N}.',
                       lambda: f"{_H(st)} watched {a(s)}, and it was very {e.v(v)}."))


def _color(e: Ep) -> None:
    st, s = e.st, e.subj
    c, N, P, rng = _ctx(st)
    v = K.main("color", s)
    r = rng.random()
    the = "the " if s in ("sky", "sun", "grass", "sea", "snow") else ""
    if r < 0.25 and the:
        st.s(_pick(rng,
                       lambda: f"{_H(st)} looked at the {s}. It was {e.v(v)}.",
                       lambda: f"The {s} was {e.v(v)} that day."))
    elif r < 0.45:
        subj = f"the {s}" if the else pl(s)
        be = "is" if the or mass(s) else "are"
        pron = "It" if be == "is" else "They"
        _qa(st, f"What color {be} {subj}?", N, _pick(rng,
                                                     lambda: f"{pron} {be} {e.v(v)}.",
                                                     lambda: f"{pron} {be} {e.v(v)}, {N}."), P)
    elif r < 0.7 and not mass(s):
        obj = f"the {s}" if the else a(s)
        st.s(f"{_H(st)} drew {obj} and colored it {e.v(v)}.")
    else:
        subj = f"the {s}" if the else (s if mass(s) else pl(s))
        _tell(e, f"{subj} {'is' if mass(s) or the else 'are'} {e.v(v)}")


def _taste(e: Ep) -> None:
    st, s = e.st, e.subj
    c, N, P, rng = _ctx(st)
    v = K.main("taste", s)
    r = rng.random()
    if s == "sea":
        st.s(_pick(rng, lambda: f"{_H(st)} tasted the water in the sea, and it was so {e.v(v)}!",
                   lambda: f"The sea water that {N} tasted was very {e.v(v)}.",
                   lambda: f"A wave got into {N}'s mouth, and it tasted {e.v(v)}!",
                   lambda: f"{N} got some sea water in {c.p} mouth, and it was very {e.v(v)}!"))
    elif s in ("honey", "sugar") and r < 0.4:
        st.s(f"{P} put some {s} in the tea to make it {e.v(v)}.")
    elif r < 0.35:
        st.s(_pick(rng,
                       lambda: f"{_H(st)} tasted the {s}, and the {s} was very {e.v(v)}!",
                       lambda: f"The {s} that {N} tasted was very {e.v(v)}.") +
                 (f" {cap(c.s)} made a funny face." if v == "sour" else ""))
    elif r < 0.6 and (others := _here(st, [x for x in K.rel["taste"].subjects if K.main("taste", x) != v
                                          and x != "sea"])):
        s2 = rng.choice(others)
        st.s(f"The {s} was {v}, but the {s2} was {e.v(K.main('taste', s2), subj=s2)}.")
    else:
        _tell(e, f"{s if mass(s) else pl(s)} {'is' if mass(s) else 'are'} {e.v(v)}")


def _tool(e: Ep) -> None:
    st, task = e.st, e.subj
    c, N, P, rng = _ctx(st)
    v = e.value or K.main("tool", task)
    do, did = K.tasks[task]
    pp = st.flags.get("teller", st.parent_char).p
    r = rng.random()
    if r < 0.3:
        st.s(_pick(rng, lambda: f"{_H(st)} wanted to {do.format(p=c.p)}, so {c.s} got {c.p} {e.v(v)}.",
                   lambda: f"Because {N} wanted to {do.format(p=c.p)}, {c.s} took out {c.p} {e.v(v)}.",
                   lambda: f"{N} had to {do.format(p=c.p)}, and for that {c.s} needed {c.p} {e.v(v)}.",
                   lambda: f"\"I want to {do.format(p='my')},\" {N} said, and {c.s} ran to get {c.p} {e.v(v)}."))
    elif r < 0.5 and task not in ("tell the time", "see yourself", "see in the dark", "dry"):
        st.s(f"{P} {did.format(p=pp)} with the {e.v(v)}, and {N} {rng.choice(('watched', 'did too', 'helped'))}.")
    elif r < 0.7:
        _ask(st, N, f"What do we use to {do.format(p='our')}?")
        st.s(f'{P} said, "We use the {e.v(v)}, {N}."' if rng.random() < 0.5 else
                 f'{P} said, "To {do.format(p="your")}, you need the {e.v(v)}, {N}."')
    elif r < 0.85:
        st.s(f"To {do.format(p=c.p)}, {N} used {c.p} {e.v(v)}.")
    else:
        st.s(f"{P} gave {N} {a(v) if not mass(v) else 'some ' + v} so {c.s} could {do.format(p=c.p)}.")


def _sense(e: Ep) -> None:
    st, act = e.st, e.subj
    c, N, P, rng = _ctx(st)
    v = e.value or K.main("sense", act)
    form = lambda x: pl(x) if x in _PAIRED else x  # noqa: E731
    r = rng.random()
    do = _sense_do(st, act)
    if r < 0.35 or (r >= 0.65 and do is None and act not in _SENSE_SAY):
        _tell(e, f"we {act} with our {e.v(v, form)}", we=True)
    elif r < 0.65:
        _qa(st, f"What do you {act} with, {N}?", P, f"With my {e.v(v, form)}, {P}!", N)
    elif do:
        st.s(f"{_H(st)} {do.format(p=c.p)} {e.v(v, form)}.")
    else:
        st.s(f'{P} said, "We {act} with our {e.v(v, form)}."')


_SENSE_SAY = ("chew", "clap", "hold", "walk")
_SMELLS = {"bakery": "the fresh bread", "market": "the ripe fruit", "garden": "the flowers", "field": "the grass",
           "farm": "the animals", "forest": "the trees", "park": "the flowers"}


def _sense_do(st, act: str) -> str | None:
    """What the hero senses here, with what: an animal the place has, its smell ("{p}": their)."""
    animals = [x for x in K.found_at.get(st.place, ()) if x in K.rel["says"].facts or x in K.rel["cry"].facts]
    day = st.state.time in ("morning", "noon", "afternoon")
    if act == "see" and animals and day:
        return f"watched the {pl(st.rng.choice(animals))} with {{p}}"
    if act == "see" and not day:
        return "looked at the stars with {p}"
    if act == "hear" and animals:
        return f"listened to the {pl(st.rng.choice(animals))} with {{p}}"
    if act == "smell" and st.place in _SMELLS:
        return f"smelled {_SMELLS[st.place]} with {{p}}"
    if act == "walk":
        return "walked all the way home on {p}"
    return None


def _time(e: Ep) -> None:
    st, s = e.st, e.subj
    c, N, P, rng = _ctx(st)
    sky = ["sun", "moon", "star"]
    form = lambda x: "stars" if x == "star" else x  # noqa: E731
    r = rng.random()
    if s in ("moon", "star") and r < 0.5:
        st.s(f"At night, the {e.s(s, 'night', form, pool=sky)} came out, and {N} "
             f"{rng.choice(('looked up at', 'waved at', 'smiled at', 'watched'))} {'them' if s == 'star' else 'it'}.")
    elif s == "star":
        st.s(_pick(rng,
                       lambda: f"{_H(st)} could see the stars because it was {e.v('night')}.",
                       lambda: f"The stars came out over the {st.place_mark(st.place)} because it was {e.v('night')}."))
    elif s == "moon":
        st.s(rng.choice((f"Every night, the moon and the stars came out over {N}'s house.",
                         f"The moon and the stars were bright in the sky over the {st.place_mark(st.place)}.")))
    elif s == "sun":
        if rng.random() < 0.5 and st.state.time == "morning" and st.state.weather in WARM:
            st.s(f"In the morning, {N} saw the {e.s('sun', 'day', form, pool=sky)} come up over the "
                     f"{st.place_mark(st.place)}.")
        else:
            clause = rng.choice(("the sun shines in the {}, and the moon shines at night",
                                 "the sun is up in the {}, and the stars come out at night",
                                 "we see the sun in the {} and the moon at night"))
            _tell(e, clause.format(e.v('day')), we=clause.startswith("we"))
    else:
        _tell(e, f"{pl(s)} sleep in the day and fly at {e.v('night')}")


def _season(e: Ep) -> None:
    st, s = e.st, e.subj
    c, N, P, rng = _ctx(st)
    v = K.main("season", s)
    if st.season == v and rng.random() < 0.4:
        st.s(rng.choice(_SCENE[v]).format(N=N, P=st.place_mark(st.place), s=st.time_mark(v)))
        return
    clause = {"snow": "snow falls in the {}", "snowman": "we can make a snowman in the {}",
              "sled": "we can ride a sled in the {}", "flower": "many flowers bloom in the {}",
              "leaf": "the leaves fall from the trees in the {}", "swim": "we can swim in the lake in the {}"}[s]
    if s in ("snowman", "sled") and st.season != v and rng.random() < 0.5:  # "had to wait for the winter"
        st.s(f"{_H(st)} wanted to make a snowman, but {c.s} had to wait for the {e.v(v, wrap=st.time_mark)}." if s == "snowman"
                 else f"{N} could only ride {c.p} sled in the {e.v(v, wrap=st.time_mark)}.")
    else:
        _tell(e, clause.format(e.v(v, wrap=st.time_mark)), we=clause.startswith("we"))


_SCENE = {"winter": ("It was {s}, and there was snow on the ground near the {P}.",
                     "Snow lay on the trees around the {P}, because it was {s}.",
                     "It was {s}, and the path to the {P} was white with snow."),
          "spring": ("It was {s}, and there were new flowers all around the {P}.",
                     "It was {s}, and little green leaves grew on every tree by the {P}.",
                     "Birds sang in the trees near the {P}, because it was {s}."),
          "summer": ("It was {s}, and the sun was hot over the {P}.",
                     "It was {s}, and the grass by the {P} was warm and dry.",
                     "Bees buzzed over the flowers near the {P}, because it was {s}."),
          "fall": ("It was {s}, and the leaves were falling from the trees near the {P}.",
                   "It was {s}, and red and yellow leaves lay on the path to the {P}.",
                   "The wind blew brown leaves all around the {P}, because it was {s}.")}


def _weather(e: Ep) -> None:
    st, s = e.st, e.subj
    c, N, P, rng = _ctx(st)
    v = K.main("weather", s)
    other = "summer" if s == "winter" else "winter"
    if st.season == s and rng.random() < 0.5:
        st.s(_pick(rng,
                       lambda: f"It was {st.time_mark(s)}, so it was very {e.v(v)} outside for {N}.",
                       lambda: f"It was {st.time_mark(s)}, so it was {e.v(v)} at the {st.place_mark(st.place)}."))
    elif rng.random() < 0.5:
        _tell(e, f"in the {st.time_mark(s)} it is {e.v(v)}, and in the {other} it is {K.main('weather', other)}")
    else:
        _qa(st, f"Is it hot or cold in the {st.time_mark(s)}?", N, f"It is {e.v(v)}.", P)


def _job(e: Ep) -> None:
    st, job = e.st, e.subj
    c, N, P, rng = _ctx(st)
    plan = st.flags.get("plan")
    tags = [t for t in K.values("job", job) if t in _JOB_TAG and (t not in _EVENT_TAGS or plan is not None and
                                                                 _EVENT_TAGS[t] == plan.name)]
    does, do, where = K.jobs[job]
    r = rng.random()
    if tags and r < 0.6:
        tag = rng.choice(tags)
        pre, post = _JOB_TAG[tag]
        plural = post == "pl"
        form = pl if plural else (lambda x: x)
        ans = e.s(job, tag, form)
        fill = dict(N=N, P=P, p=c.p, o=c.o, s=c.s)
        st.s(pre.format(**fill) + ans + ("." if plural else post.format(**fill)))
    elif r < 0.8:
        _tell(e, f"{a(job)} {does}")
    else:
        st.s(f"{_H(st)} wanted to be {a(job)} one day, because {pl(job)} {do}.")


_RELS = {"says": _says, "cry": _cry, "can": _can, "lives": _lives, "gives": _gives, "eats": _eats,
         "builds": _builds, "baby": _baby, "size": lambda e: _binary(e, "size"),
         "speed": lambda e: _binary(e, "speed"), "temp": lambda e: _binary(e, "temp"),
         "light": lambda e: _binary(e, "light"), "color": _color, "taste": _taste, "tool": _tool, "sense": _sense,
         "time": _time, "season": _season, "weather": _weather, "job": _job}


def state(st, rel: str, subj: str, annotate: bool | None = None, value: str | None = None,
          here: bool | None = None) -> None:
    """Write one sentence (or a question and answer) stating (rel, subj) (with `value`, if given;
    `here`: whether the subject is where the story is, by default if it is found at its place)."""
    _stated(st).add((rel, subj))
    _RELS[rel](Ep(st, rel, subj, annotate, value, here))


def _stated(st) -> set:
    """The (relation, subject) pairs this story has stated already: each is stated once."""
    return st.flags.setdefault("facts", set())


# --- which fact fits the story --------------------------------------------------------------------


def _about(subj: str, st) -> list[str]:
    """The relations one may state about `subj` in this story."""
    rels = [r for r in K.by_subject.get(subj, ()) if r in _RELS]
    if subj == "grass" and st.season == "winter":
        rels = [r for r in rels if r != "color"]
    if subj == "sun" and (st.season != "summer" or st.state.weather not in WARM):  # "the sun was hot"
        rels = [r for r in rels if r != "temp"]
    if subj in ("sky", "sun", "grass", "sea") and st.state.weather not in WARM:  # "the sky was blue"
        rels = [r for r in rels if r != "color"]
    if subj in ("summer", "winter", "snow", "swim", "snowman", "sled", "sun") and st.state.weather not in (
            WARM if st.season == "summer" else WARM | {"snowy", "cold", "icy", "cloudy"}):
        rels = [r for r in rels if r not in ("weather", "season")]
    return rels


_SEASON_THINGS = {"snowman", "sled", "ice cream", "popsicle", "pumpkin", "ice"}  # things, not the weather


def episode(st, where: str = "setup") -> bool:
    """One knowledge episode that fits the story here; False if none does."""
    rng = st.rng
    subs: list[str] = []
    if where == "night":
        subs = ["moon", "star", "star", "bat", "night"]
        if rng.random() < 0.3:
            subs.append("owl")
    else:
        if where != "setup":  # in the setup the hero is at home: the place's animals are met later
            subs += K.found_at.get(st.place, []) * 2
        subs += K.season_of.get(st.season, [])
        if st.season in ("winter", "summer"):
            subs.append(st.season)
        kind = st.main.kind
        if kind in K.by_subject:
            subs += [kind] * 2
        if where == "setup":
            for w in (st.noun["word"], st.item["word"]):
                if w in K.by_subject and st.doc.has_word(w, pl(w)):  # a thing the story has named
                    subs += [w] * 2
    rng.shuffle(subs)
    done = _stated(st)
    for subj in subs[:4]:
        rels = [r for r in _about(subj, st) if (r, subj) not in done]
        if subj in _SEASON_THINGS and rels and not st.doc.has_word(subj, pl(subj)):  # no popsicle: only its season
            rels = [r for r in rels if r == "season"]
        if rels:
            state(st, rng.choice(rels), subj)
            return True
    return False


def meet(st, subj: str, rels: tuple[str, ...] = (), annotate: bool | None = None, here: bool = True) -> bool:
    """The plot meets `subj` (an animal, a food, the oven): state a fact about it, preferring
    `rels`, if the knowledge base has one not yet stated. False if none. `here`: False when the plot only
    talks of it (the dog both children have at home)."""
    done = _stated(st)
    options = [r for r in _about(subj, st) if (r, subj) not in done and r in _RELS]
    if not options:
        return False
    preferred = [r for r in rels if r in options]
    state(st, st.rng.choice(preferred or options), subj, annotate, here=here)
    return True


def about_word(st, word: str) -> bool:
    """A fact that names `word` (the seed noun or the hero's item), if the knowledge base has one."""
    facts = [f for f in K.mentions.get(word, ()) if f[0] in _RELS and f[0] not in ("time", "light", "remedy")]
    if not facts:
        return False
    rel, subj, value = st.rng.choice(facts)
    if (rel, subj) in _stated(st):
        return False
    if subj == word:
        if rel not in _about(subj, st):
            return False
        state(st, rel, subj)
    elif rel in ("tool", "sense", "can", "lives", "eats", "builds", "gives"):
        state(st, rel, subj, value=value)
    else:
        return False
    return True


def use_of(st, thing: str) -> bool:
    """The plot has `thing` in hand again (the mended clock, the lamp): what one needs it for, with
    `thing` as the answer ("To know the time, you need a clock"). False if the knowledge base has no use."""
    tasks = [subj for rel, subj, v in K.mentions.get(thing, ()) if rel == "tool" and v == thing
             and ("tool", subj) not in _stated(st)]
    if not tasks:
        return False
    c, N, P, rng = _ctx(st)
    task = rng.choice(tasks)
    _stated(st).add(("tool", task))
    e = Ep(st, "tool", task, value=thing)
    do = K.tasks[task][0]
    if rng.random() < 0.5:
        st.s(f'"Now we can {do.format(p="our")} again," {P} said. "To {do.format(p="your")}, you need a {e.v(thing)}."')
    else:
        st.s(f"{_H(st)} was glad, because to {do.format(p=c.p)}, you need a {e.v(thing)}.")
    return True


def night(st) -> bool:
    """The end of the day: the moon, the stars, the dark (an everyday_fact item where it fits)."""
    c, N, P, rng = _ctx(st)
    if rng.random() < 0.5:
        e = Ep(st, "time", "moon", annotate=True)
        moon = lambda: e.s("moon", "night", pool=["sun", "moon", "star"])  # the answer, marked in the line written
        st.state.at("night")
        T, where = st.time_mark("night"), rng.choice(("in the sky", f"over {c.p} house", "over the trees", "up high"))
        st.s(_pick(rng, lambda: f"That {T}, {N} looked out of the window and saw the bright {moon()} {where}.",
                   lambda: f"Before bed that {T}, {N} waved at the {moon()} {where}.",
                   lambda: f"When {N} looked up that {T}, the {moon()} was {where}, round and bright.",
                   lambda: f"Out of {c.p} window that {T}, {N} could see the {moon()} {where}.",
                   lambda: f"That {T}, the {moon()} came out {where}, and {N} said good night to it."))
    else:
        st.state.at("night")
        episode(st, "night")
    return True


def need(st, key: str) -> bool:
    """A character's need and what helps, as an everyday_fact item where the slot allows one."""
    c, N, P, rng = _ctx(st)
    s, p = c.s, c.p
    _stated(st).add(("remedy", key))
    e = Ep(st, "remedy", key, annotate=True)
    slots = [name for name, by in _SLOTS.items() if key in by]
    slot = rng.choice(slots) if slots and not (key in ("dirty", "snow") and rng.random() < 0.5) else None

    def ans(val):
        pool = [x for k2, vals in _SLOTS[slot].items() if k2 != key for x in vals] if slot else None
        return e.v(val, (lambda x: vf(x, "past")) if slot == "ate" else None, pool=pool)

    if slot:
        val = rng.choice(_SLOTS[slot][key])
    adj = st.adj_or(key) if key in ("hungry", "thirsty", "tired", "sick") else key
    if slot == "ate":
        obj = rng.choice(("a sandwich", "some bread", "an apple", "some soup")) if key == "hungry" else \
            rng.choice(("some water", "some milk", "a cup of juice"))
        st.s(f"{_H(st)} was {adj}, so {s} {ans(val)} {obj}.")
    elif slot == "asked":
        st.s(f"{_H(st)} was {adj}, so {s} asked {st.parent} for some {ans(val)}.")
    elif slot == "gave":
        st.s(_pick(rng, lambda: f"{_H(st)} was {adj}, so {P} gave {c.o} some {ans(val)}.",
                         lambda: f"Because {N} was {adj}, {P} gave {c.o} some {ans(val)}.",
                         lambda: f"{P} saw that {N} was {adj} and brought {c.o} some {ans(val)}.",
                         lambda: f"{N} felt {adj}, and {P} gave {c.o} some {ans(val)}."))
    elif slot == "wear":
        r2, day = rng.random(), "cold outside" if key == "cold" else "a hot day"
        how = (f"It was {day}, so {N}" if r2 < 0.3 else f"{N} felt {key}, so {s}" if r2 < 0.5 else
               f"{N} was {adj}, so {s}" if r2 < 0.7 else f"Because it was so {key} that day, {N}"
               if r2 < 0.85 or not st.w.place_outdoor.get(st.place) else
               f"Because it was so {key} at the {st.place_mark(st.place)}, {N}")
        st.s(f"{how} put on {p} {ans(val)}.")
    elif slot == "turn":
        if key == "dark":
            room = rng.choice((f"{p} room", "the room", "the kitchen"))
            st.s(_pick(rng, lambda: f"It was dark in {room}, so {N} turned on the {ans(val)}.",
                             lambda: f"{N} could not see in the dark, so {s} turned on the {ans(val)}.",
                             lambda: f"When {room} got dark, {N} turned on the {ans(val)}.",
                             lambda: f"{cap(room)} was too dark to read, so {N} turned on the {ans(val)}.",
                             lambda: f"{N} could not find {p} {rng.choice(('shoes', 'book', 'socks', 'hat'))} in the "
                                     f"dark, so {s} turned on the {ans(val)}."))
        else:
            st.s(f"It was very hot in the house, so {P} turned on the {ans(val)}.")
    elif slot == "take":
        if key == "tired":
            st.s(_pick(rng, lambda: f"{_H(st)} was {adj}, so {s} took a {ans(val)}.",
                             lambda: f"{_H(st)} felt so {adj} that {s} took a {ans(val)}.",
                             lambda: f"After all that, {N} was {adj} and took a {ans(val)}."))
        else:
            st.s(f"After playing in the mud, {N} was very dirty, so {s} took a {ans(val)}.")
    elif slot == "went":
        if key == "tired":
            st.s(_pick(rng,
                           lambda: f"After such a long day, {N} was very {adj}, so {s} went to {ans(val)}.",
                           lambda: f"{_H(st)} yawned. After the long day, {N} was {adj}, so {s} went to {ans(val)}."))
        else:
            st.state.doing(c.name, "swim")
            st.s(f"It was very hot, so {N} went to {ans(val)}.")
    elif slot == "took":
        if key == "rain":
            st.s(_pick(rng, lambda: f"It was raining, so {N} took {p} {ans(val)}.",
                       lambda: f"Rain was falling on the {rng.choice(('window', 'path', 'street', 'grass'))}, so {N} "
                               f"took {p} {ans(val)}.",
                       lambda: f"{N} heard the rain and took {p} {ans(val)}.",
                       lambda: f"Big drops of rain fell, and {N} got {p} {ans(val)}."))
        elif key == "wind":
            st.s(f"It was very windy, so {N} took out {p} {ans(val)}.")
        else:
            st.s(f"It was a snowy day, so {N} took {p} {ans(val)} outside.")
    elif key == "dirty":
        st.s(f"{N}'s hands were dirty, so {s} washed them with {e.v('soap', extra=['mud', 'sand'])} and water.")
    elif key == "dry":
        st.s(f"The flowers in the garden were dry, so {N} gave them some {e.v('water', extra=['sand', 'bread'])}.")
    elif key == "snow":
        st.s(f"There was a lot of snow, so {N} made a big {e.v('snowman', extra=['cake', 'kite'])} with a carrot nose.")
    else:
        return False
    return True


# --- where the plot meets the thing ----------------------------------------------------------------

_PLACE_RELS = ("says", "cry", "can", "eats", "gives", "color", "taste", "size", "lives", "job")
_TASKS_AT = {"river": ("catch fish",), "lake": ("catch fish",), "pond": ("catch fish",), "garden": ("dig",),
             "beach": ("dig", "carry water"), "field": ("dig",), "farm": ("carry water",),
             "library": ("write", "draw"), "school": ("write", "draw", "cut paper", "stick paper"),
             "park": ("draw",), "castle": ("see in the dark",), "playground": ("draw",),
             "kitchen": ("wash", "dry"), "home": ("sweep", "see in the dark")}
_MORNING_TASKS = ("brush teeth", "comb hair", "wash", "dry", "see yourself")
_DRESS = {"cold": "cold", "snowy": "cold", "icy": "cold", "rainy": "rain"}


def place(st, where: str, most: int = 1, rels: tuple[str, ...] = _PLACE_RELS) -> int:
    """The plot is at `where`: up to `most` facts about what one meets there (the cow on the
    farm says moo, the lemons at the market are sour, the baker bakes the bread)."""
    subs = list(dict.fromkeys(K.found_at.get(where, ())))
    st.rng.shuffle(subs)
    n = 0
    for s in subs:
        if n >= most:
            break
        n += meet(st, s, rels)
    return n


def task(st, where: str | None = None) -> bool:
    """A tool for a job the plot has here (a net at the river, a toothbrush in the morning)."""
    tasks = _TASKS_AT.get(where, ()) if where else _MORNING_TASKS
    tasks = [t for t in tasks if ("tool", t) not in _stated(st)]
    if not tasks:
        return False
    state(st, "tool", st.rng.choice(tasks))
    return True


_SENSES_AT = {"bakery": ("smell", "taste"), "market": ("smell", "taste"), "forest": ("hear", "see"),
              "zoo": ("see", "hear"), "farm": ("hear", "smell"), "garden": ("smell", "see"), "park": ("hear", "see"),
              "library": ("see",), "castle": ("see", "hear"), "beach": ("hear", "walk"), "hill": ("walk", "see"),
              "mountain": ("walk", "see"), "field": ("smell", "walk")}


def sense(st, where: str) -> bool:
    """What the hero sees, hears or smells here, and what with (eyes, ears, nose)."""
    acts = [x for x in _SENSES_AT.get(where, ("see", "hear")) if ("sense", x) not in _stated(st)]
    if not acts:
        return False
    state(st, "sense", st.rng.choice(acts))
    return True


def dress(st) -> bool:
    """Getting ready to go out: what the weather calls for (a coat in the cold, an umbrella in the rain)."""
    key = _DRESS.get(st.state.weather)
    if key is None or ("remedy", key) in _stated(st):
        return False
    return need(st, key)


def vet(st, animal: str) -> None:
    """The rescued animal goes to the one whose job is sick animals (an everyday_fact item: vet, not baker)."""
    c, N, P, rng = _ctx(st)
    _stated(st).add(("job", "vet"))
    e = Ep(st, "job", "vet")
    st.s(_pick(rng,
               lambda: f"The next day, {N} and {P} took the {animal} to the {e.s('vet', 'animal')}, just in case.",
               lambda: f"{P} said the {animal} should see the {e.s('vet', 'animal')}, because a vet helps sick animals.",
               lambda: f"Later, the {e.s('vet', 'animal')} looked at the {animal} and said it was fine."))
