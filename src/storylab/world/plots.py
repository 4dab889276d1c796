"""Plans and plots: one goal per story, one or two obstacles, a resolution, an ending.

`plan(st)` decides the whole story before a word is written: the hero, the grown-up and
(maybe) a companion, where they live on the village map, the goal, the obstacles, how it
resolves and how it ends (shaped by the features Dialogue, BadEnding, MoralValue, Twist,
Foreshadowing, Conflict). `Plan.write` then realises it in three paragraphs: the setup
(the frame's opening: the hero, what they love, what the plot needs of their thing, the
grown-up and the companion; then the goal and a hint), the middle (the route, the obstacles,
the skills the plot needs) and the ending (the resolution, the outcome, and the frame's
closing: the hero's name as the main-character item, the moral).

The plots:

- ``outing``: go somewhere to do something (swim, fly a kite, see the animals); the route
  is the space item, a stop on the way the time-order item, the weather an obstacle;
- ``lost``: the hero's thing was put away by someone with a reason; where it is, is the
  entity-tracking item;
- ``baking``: make something for someone; the shopping is the exclusion and negation
  items, the eggs that break on the way home the counting item;
- ``rescue``: an animal needs help (stuck, lost from its family, hungry); its facts come
  with it;
- ``share``: two children and one thing; a quarrel, sharing, a game of collecting
  (counting) and tidying up (entity tracking).

and, each in a module of its own, ``build`` (it falls down; build it again), ``brave`` (the dark,
a storm, a big dog, the tall slide, a spider, the waves), ``truth`` (a broken thing, hidden, then
told), ``newfriend`` (a new child, alone; a way in), ``sick`` (the trip missed, the doctor, rest)
and ``race`` (losing well).

Each beat has several realisations (narration or dialogue, clause orders, synonyms,
pronouns where unambiguous), so that one plan yields many surface forms.
"""

from __future__ import annotations

from storylab.world import beats, doings, facts, frame, seedwords, skills
from storylab.world.model import DIRECTIONS, FAMILY, WISE_ANIMALS, Char
from storylab.world.state import ACTIVITY_WEATHER, SEASON_WEATHER, WARM
from storylab.world.text import a, cap

POS_FEEL = ["happy", "excited", "proud", "glad", "cheerful", "calm"]
NEG_FEEL = ["sad", "scared", "angry", "mad", "upset", "worried", "lonely", "grumpy", "nervous", "bored", "afraid"]
THEN = ("Then", "Soon", "After a while,", "Before long,", "A moment later,", "Just then,", "Right away,", "Next,")
WALK = ("walked", "went", "hurried", "skipped", "marched", "ran", "wandered", "hopped", "rushed", "jogged")
SMALL_WALK = ("walked", "went", "hurried", "skipped", "ran")

# where an outing goes, what one does there, what one brings, and the activity's weather class
ACTIVITIES = {
    "pool": [("swim in the pool", "swim", "swimsuit"), ("splash in the water", "swim", "towel")],
    "beach": [("build a castle of sand", "sandcastle", "bucket"), ("look for shells", None, "bucket"),
              ("swim in the sea", "swim", "towel")],
    "lake": [("sail a little boat", "boat", "boat"), ("feed the ducks", None, "bread"),
             ("look for frogs", None, "bucket")],
    "pond": [("feed the ducks", None, "bread"), ("look for frogs", None, "bucket")],
    "hill": [("fly a kite", "kite", "kite"), ("ride a sled", "sled", "sled"), ("have a picnic", "picnic", "basket")],
    "park": [("play ball", None, "ball"), ("have a picnic", "picnic", "basket"), ("play on the swings", None, "ball"),
             ("make a snowman", "snowman", "scarf")],
    "farm": [("see the animals", None, "basket"), ("help the farmer", None, "basket")],
    "zoo": [("see the animals", None, "map"), ("watch the animals eat", None, "map")],
    "forest": [("pick berries", None, "basket"), ("look for mushrooms", None, "basket")],
    "garden": [("plant flowers", "flowers", "bucket"), ("pick flowers", "flowers", "basket")],
    "field": [("fly a kite", "kite", "kite"), ("pick flowers", "flowers", "basket")],
    "library": [("read a new book", None, "book"), ("listen to a story", None, "book")],
    "playground": [("play on the slide", None, "ball"), ("play on the swings", None, "ball")],
    "river": [("sail a little boat", "boat", "boat"), ("watch the fish", None, "bucket")],
    "castle": [("see the old castle", None, "map")],
    "mountain": [("climb the mountain", None, "map"), ("ride a sled", "sled", "sled")],
}
STOPS = {"market": ("some apples", "some pears", "a bag of plums"), "bakery": ("some bread", "a bun", "fresh bread"),
         "shop": ("a new hat", "some candy", "a small gift"), "library": ("a book", "two books", "a new book"),
         "station": ("the trains", "a big train", "the trains"), "school": ("a book", "a drawing", "a ball")}


def feel(st, valence: str) -> str:
    """A feeling word; the seed adjective if it is a feeling of this kind and still unused."""
    adj = st.adj
    pool = POS_FEEL if valence == "pos" else NEG_FEEL
    if not st.used_adj and adj["word"] in pool:
        st.used_adj = True
        return adj["word"]
    return st.rng.choice(pool[:5] if valence == "pos" else ("sad", "upset", "worried", "sad", "scared"))


def more(st) -> str:
    adj = st.adj
    if adj["word"] in POS_FEEL and " " not in adj.get("comparative", " "):
        st.used_adj = True
        return adj["comparative"]
    return st.pick("happier", "happier", "prouder", "calmer", "braver")


def middle_words(st) -> int:
    """Where the middle should end: 65% of the story's planned length."""
    return int(0.65 * budget(st))


BUDGET = (95, 200, 120)  # the planned length's triangular distribution (low, high, mode), in words
SHORT = 160  # a story planned shorter than this has the plot's beats and nothing optional
SHORT_COMPANION = 0.4  # how much less often a short story (without a quarrel) has a companion
ROUTE_SHORT_P = 0.6  # how often a short story still takes the route (the space item) rather than one line
ROUTE_AND_STOP = 170  # an outing planned at least this long takes both the errand and the route
SLACK = None  # words an optional middle or ending beat may run past the planned length (`fits`, `ends_fit`):
# None, no limit but the hard one (those beats are the knowledge facts and details that vary the text most:
# leaving them out of a story planned short shortens it by ~10 words and lowers distinct-3 by 0.012)


def budget(st) -> int:
    """The story's planned length in words, drawn once (TinyStories' spread, a little narrower)."""
    if "budget" not in st.flags:
        st.flags["budget"] = int(st.rng.triangular(*BUDGET))
    return st.flags["budget"]


def short(st) -> bool:
    """A short story: the plot's beats and nothing optional."""
    return budget(st) < SHORT


# words the beats still to come usually take, by part (a story's hard limit is `Story.max_words`): an
# optional beat that would leave them no room is left out, so that fewer stories have to be replanned
RESERVE = {"setup": 125, "middle": 55, "ending": 20}
FIT_RESERVE = 90  # words the rest of a story usually takes after the middle's optional beats
END_REST = 45  # words the closing lines (seed words, the grown-up's line, the last line, the moral) usually take
END_MIN = 36  # words that nine in ten endings need: a story with less room left is replanned before its ending


def room(st, words: int) -> bool:
    """Whether an optional beat of about `words` words still fits the planned length."""
    n = st.doc.nwords + words
    limit = st.max_words
    return n <= budget(st) and not short(st) and (limit is None or n + RESERVE[st.flags.get("part", "ending")] <= limit)


def fits(st, words: int) -> bool:
    """Whether an optional beat of about `words` words leaves the rest of the story (about `FIT_RESERVE`
    words) room under the hard limit: a story that would overflow is replanned, and replanning costs a
    second writing, so the middle's optional facts give way first."""
    n = st.doc.nwords + words + FIT_RESERVE
    return (SLACK is None or n <= budget(st) + SLACK) and (st.max_words is None or n <= st.max_words)


def ends_fit(st, words: int) -> bool:
    """In the ending: whether a beat of about `words` words leaves the closing lines (about `END_REST`) room."""
    n = st.doc.nwords + words + END_REST
    return (SLACK is None or n <= budget(st) + SLACK) and (st.max_words is None or n <= st.max_words)


def then(st, p: float = 0.45) -> str:
    return (st.pick(*THEN) + " ") if st.rng.random() < p else ""


def travel(st, group, start: str, dest: str, kind: str | None = None, indoor: bool = False, why: str = "",
           said: float | None = None) -> None:
    """The group goes from `start` to `dest`: the route over the map (the space item), or, in a short
    story, one line (about half of the middle's words is its plot's beats, the rest is the way there),
    built from parts: who, how they went, which way, and `why` (" to get eggs"), the plot's reason.
    `said`: the chance that line is left out, because the plot's wish already said where they went and why
    (by default a half when the last lines before it name the place)."""
    if not short(st) or st.rng.random() < ROUTE_SHORT_P:
        skills.route(st, group, start, dest, kind, indoor=indoor)
        return
    for x in group:
        st.state.go(x.name, dest, kind, indoor)
    if said is None:
        last = st.doc.cur or (st.doc.paras[-1] if st.doc.paras else [])
        said = 0.5 if any(dest in t for t in last[-2:]) else 0.0
    if said and st.rng.random() < said:
        return
    rng = st.rng
    names, D, S = beats.group(st, group), st.place_mark(dest), st.place_mark(start)
    walk, small = rng.choice(WALK), rng.choice(SMALL_WALK)
    how = rng.choice(("", "", "", " hand in hand", " side by side", " together"))
    st.s(rng.choice((f"{names} {walk}{how}{beats.way(st, 0.8)} to the {D}{why}.",
                     f"{beats.soon(st)}{names} {rng.choice(('got to', 'reached', 'came to'))} the {D}{how}.",
                     f"From the {S}, {names} {small}{how}{beats.way(st, 0.8)} to the {D}.",
                     f"{names} {small} from the {S} to the {D}{beats.way(st, 0.5)}.",
                     f"{rng.choice(('It was not far to the ' + D, 'The ' + D + ' was close by', 'The ' + D + ' was only a short walk away'))}, so {names} {small}{beats.way(st, 0.7) or ' there'}.")))


# --- the plan -------------------------------------------------------------------------------------


class Plan:
    name = "plan"

    def __init__(self, st):
        self.st = st
        self.goal = ""
        self.home = "park"
        self.companion: Char | None = None
        self.bad = "BadEnding" in st.f
        self.conflict = "Conflict" in st.f
        self.twist = "Twist" in st.f
        self.moral_text = ""

    def write(self, st) -> None:
        st.flags["part"] = "setup"
        setup(st, self)
        st.doc.para()
        st.flags["part"] = "middle"
        self.middle(st)
        st.doc.para()
        st.flags["part"] = "ending"
        st.reserve(END_MIN)
        self.ending(st)
        finish(st, self)

    # overridden by each plot
    def want(self, st) -> None:
        raise NotImplementedError

    def hint(self, st) -> None:
        pass

    def middle(self, st) -> None:
        raise NotImplementedError

    def ending(self, st) -> None:
        pass

    def lessons(self, st) -> tuple[str, ...]:
        """What the hero may have learned ("that ...", "to ..."): the plot's own lessons, by its ending."""
        return ()

    def moral(self, st) -> str:
        lessons = self.lessons(st)
        return f"{st.hero.name} learned {st.rng.choice(lessons)}." if lessons else ""

    def memories(self, st) -> tuple[list[str], list[str]]:
        """What the hero keeps of this plot's day, for the last line: noun phrases ("the little kitten up in the
        tree") and -ing phrases ("sharing her kite with Ben"); none: the frame's last line (`frame.last_line`)."""
        return [], []

    def last(self, st, N: str) -> str:
        """The last line told from this plot's own details (`memories`), `OWN_LAST_P` of the time (else "");
        `N` is the hero's name, marked as the main-character item."""
        nps, ings = self.memories(st)
        if not nps or self.bad or st.rng.random() >= OWN_LAST_P:
            return ""
        c, rng = st.hero, st.rng
        f = rng.choice(_LAST_NP + _LAST_ANY + (_LAST_ING if ings else ()))
        x = rng.choice(ings if f in _LAST_ING else nps + ings if f in _LAST_ANY else nps)
        tail = rng.choice(_LAST_TAIL).format(s=c.s) if "{t}" in f else ""
        if frame._late(st):  # (after "That night, ...": not "at dinner", "that evening")
            f, tail = f.replace(" at dinner", ""), "" if "evening" in tail else tail
        return f"{N} " + f.format(x=x, s=c.s, p=c.p, rel=beats.rel(st), t=tail) + "."

    def closing_line(self, st) -> str:
        """What the grown-up says at the end, about this story's day (the story's dialogue, if it had none yet)."""
        return frame.closing_line(st, self)


def _cast(st, plan: Plan, companion_p: float = 0.5, same_kind: bool = True) -> None:
    """The hero, the grown-up, and maybe a companion (a friend, a brother or a sister)."""
    rng, w, n = st.rng, st.w, st.noun
    animal_main = n["kind"] == "animal" and "char" in n["attrs"] and rng.random() < 0.5
    if animal_main or rng.random() < 0.15:
        kind = n["word"] if animal_main else rng.choice(w.char_animals)["word"]
        st.used_noun |= kind == n["word"]
        if rng.random() < 0.5:
            name, gender = rng.choice(w.pet_names)
        else:
            gender = rng.choice(("female", "male"))
            name = rng.choice(w.girls if gender == "female" else w.boys)
        st.hero = Char(name, gender, kind, "main")
    else:
        gender = rng.choice(("female", "male"))
        st.hero = Char(rng.choice(w.girls if gender == "female" else w.boys), gender,
                       "girl" if gender == "female" else "boy", "main")
    if n["word"] in FAMILY and rng.random() < 0.8:
        title, g = FAMILY[n["word"]]
        st.used_noun = True
    else:
        title = rng.choice(("Mom", "Mom", "Dad", "Dad", "Grandma", "Grandpa"))
        g = FAMILY[title.lower()][1]
    st.grownup = Char(title, g, title.lower(), "parent")
    if companion_p < 1 and "Conflict" not in st.f and short(st):  # a short story: fewer in the cast
        companion_p *= SHORT_COMPANION
    kin = {"sister": "female", "brother": "male"}.get(n["word"]) if st.hero.is_child else None
    if n["word"] in ("friend", "sister", "brother") and companion_p > 0:  # the seed noun is who comes along
        companion_p = max(companion_p, 0.9)
    if rng.random() < companion_p:
        fg = kin or rng.choice(("female", "male"))
        names = w.girls if fg == "female" else w.boys
        if st.hero.is_child:
            kind = "sibling" if kin else "friend" if n["word"] == "friend" else rng.choice(("friend", "friend", "sibling"))
            ckind = "girl" if fg == "female" else "boy"
        else:
            kind, ckind = "friend", st.hero.kind if rng.random() < 0.5 else rng.choice(w.char_animals)["word"]
        name = rng.choice(names)
        while name == st.hero.name:  # (drawn again rather than filtering the weighted list each time)
            name = rng.choice(names)
        c = Char(name, fg, ckind, "friend")
        c.first = (f"{st.hero.p} {'sister' if fg == 'female' else 'brother'} {c.name}" if kind == "sibling"
                   else f"{st.hero.p} {st.pick('friend', 'best friend', 'friend')} {c.name}")
        plan.companion = st.friend = c
        st.flags["sibling"] = kind == "sibling"


# --- setup ---------------------------------------------------------------------------------------


def setup(st, plan: Plan) -> None:
    """The first paragraph: the frame's opening (`storylab.world.frame`): the hero's first line, what
    they love to do (the seed verb), the thing the plot turns on, the grown-up with a line about what
    the plot will need, the companion; then the plot's goal (and a hint of what is to come)."""
    st.flags["plan"] = plan
    st.place = plan.home
    told = frame.opening(st, plan)
    if "weather" not in told and st.weather == st.adj["word"] and not st.used_adj:
        frame.weather_line(st, plan)
    beats = [b for b in ("loves", "thing") if b not in told]
    if len(beats) == 2 and st.rng.random() < 0.3:
        beats.reverse()
    for b in beats:
        frame.loves(st) if b == "loves" else frame.thing(st, plan)
    if "grownup" not in told:
        frame.grownup(st, plan)
    if plan.companion and not plan.flags_late_companion():
        frame.companion(st, plan)
    plan.want(st)
    if "Foreshadowing" in st.f:
        plan.hint(st)


def _other_names(st, n: int = 2) -> list[str]:
    c = st.hero
    others = [x.name for x in st.cast if x is not c and x.name[:1].isupper() and x.kind not in FAMILY]
    pool = st.w.girls if c.gender == "female" else st.w.boys
    for x in st.rng.sample(pool, 8):  # the pool repeats common names: take distinct ones
        if x != c.name and x not in others:
            others.append(x)
    return others[:n]


def finish(st, plan: Plan) -> None:
    """The closing: one to three sentences, chosen by what this plan's ending needs (composed in
    `storylab.world.frame`): making up after a quarrel; the grown-up's word where the story still
    lacks the dialogue its features promise (carrying the lesson, if it has one); the last line
    about the hero (the main-character item: a recap of this story's events, a sad one after a bad
    ending); the lesson (MoralValue). Seed words the plot had no place for come first
    (`Story.ensure_seed_words`)."""
    c, g = st.hero, st.grownup
    if st.flags.get("quarrel") and plan.companion:
        frame.make_up(st, plan)
    seedwords.place_adjective(st)  # the seed adjective on a thing the story named, before a line of its own
    st.ensure_seed_words()
    if room(st, 20):  # the seed words' other forms (the vocabulary's forms in context)
        st.seed_forms()
    elif not short(st) and st.rng.random() < 0.45 and fits(st, 10):  # a full story: fewer of them
        st.seed_forms(light=True)
    moral = "MoralValue" in st.f
    if ("Dialogue" in st.f and '"' not in "".join(st.doc.cur) + "".join("".join(p) for p in st.doc.paras)) \
            or not st.doc.has_exact(g.title):
        said = frame.moral(st, plan, said=True) if moral else ""
        if said:  # the grown-up's word is the lesson: one sentence for both
            st.s(said)
            moral = False
        else:
            st.speak(g, plan.closing_line(st), st.pick("said", "said", "called"))
    rec = skills.main_character(st, _other_names(st, 1))  # the companion if there is one: the name to tell apart
    N = st.doc.m(c.name, rec, "prompt_end")
    st.state.act(c.name)
    frame.recap(st, plan)  # (what the ending recalls: read once, whichever line is written)
    # the last line is about the hero: the lesson (MoralValue), or what this story's day left them with
    st.s((moral and frame.moral(st, plan, last=N)) or frame.short_last(st, plan, N) or plan.last(st, N)
         or frame.last_line(st, plan, N, plan.bad))


# the plot's own last line: a frame for what the hero keeps of the day (a noun phrase, an -ing phrase or either),
# some with a tail ({t})
OWN_LAST_P = 0.5
_LAST_NP = ("drew a picture of {x}{t}", "told {p} teddy about {x}{t}", "would never forget {x}",
            "told {rel} at dinner about {x}", "dreamed about {x} that night",
            "liked to remember {x}{t}", "would always remember {x}")
_LAST_ANY = ("kept thinking about {x}{t}", "could not stop talking about {x}", "still remembered {x}",
             "talked and talked about {x}{t}", "smiled every time {s} thought about {x}")
_LAST_ING = ("was proud of {x}", "fell asleep dreaming of {x}", "hoped for another day of {x}",
             "liked {x} best of all")
_LAST_TAIL = ("", "", "", " before bed", " that evening", ", and {s} smiled", " for a long time")


# --- outing ----------------------------------------------------------------------------------------


GO_HOME_P = 0.45  # how often an outing tells the way home (else it ends where the day was)


class Outing(Plan):
    """Go somewhere to do something; maybe a stop on the way; the weather or a need in the way."""

    name = "outing"
    uses_thing = True

    def flags_late_companion(self):
        return False

    def __init__(self, st):
        super().__init__(st)
        rng, w = st.rng, st.w
        noun = st.noun["word"]
        dests = [p for p in ACTIVITIES if p in w.coords]
        dest = noun if noun in ACTIVITIES and rng.random() < 0.9 else rng.choice(dests)
        st.used_noun |= dest == noun
        acts = list(ACTIVITIES[dest])
        weather = st.weather
        # plan an activity that the weather allows (or an indoor pool for a swim on a cold day)
        ok = [x for x in acts if x[1] is None or weather in ACTIVITY_WEATHER.get(x[1], {weather})]
        self.indoor = False
        if not ok:
            if dest == "pool":
                ok, self.indoor = acts[:1], True
            else:
                ok = [x for x in acts if x[1] is None] or acts
                if not any(x[1] is None for x in acts):
                    dest = rng.choice(["library", "zoo", "farm", "castle"])
                    ok = ACTIVITIES[dest]
        self.dest = dest
        self.activity, self.kind, bring = rng.choice(ok)
        self.goal = f"{self.activity} at the {dest}"
        nbrs = [p for d in DIRECTIONS if (p := w.neighbor(dest, d))]
        self.home = rng.choice(nbrs)
        # a stop on the way in the morning (time order), before the destination in the afternoon
        stops = [p for p in STOPS if p not in (dest, self.home)]
        self.stop = rng.choice(stops) if rng.random() < 0.5 else None
        # the route (the space item) as well as the stop only in a long story: the stop's own line takes them on
        self.route = not self.stop or budget(st) >= ROUTE_AND_STOP
        item = w.vocab.noun.get(bring)
        n = st.noun
        if w.portable(n) and n["kind"] in ("toy", "clothing") and not n.get("mass") and n in w.items:
            item = n
            st.used_noun = True
        st.thing = item or rng.choice(w.toys)
        self.tool = st.thing is w.vocab.noun.get(bring)  # the thing is what the activity is done with (not a teddy)
        self.rain_later = (not self.indoor and weather in WARM | {"cloudy", "windy", "cool"} and
                           "rainy" in SEASON_WEATHER[st.season] and
                           w.places[dest]["outdoor"] and rng.random() < 0.45)
        self.rain_weather = "rainy"
        _cast(st, self, 0.5)

    def want(self, st):
        c, g, rng = st.hero, st.grownup, st.rng
        D = st.place_mark(self.dest)
        act, it = self.activity, st.thing["word"]
        there = "" if self.dest in act else f" at the {D}"  # not "see the old castle at the castle"
        if "Dialogue" in st.f or rng.random() < 0.3:
            G, can = g.title, rng.choice(("Can we", "Could we", "Please, can we"))
            line = rng.choice((f"{can} go to the {D} and {act}, {G}?" if there else f"{can} {act} today, {G}?",
                               f"{can} {act}{there} today, {G}?",
                               f"{G}, I really want to {act}{there} today!",
                               f"Look, {G}, it is {a(st.weather)} day! {can} {act}{there}?",
                               f"My {it} is ready, {G}! {can} {act}{there} now?",
                               f"{G}, {can.lower()} take my {it} to the {D}? I want to {act}!",
                               f"Let's {act}{there}, {G}!",
                               f"When can we {act}{there}, {G}?",
                               f"{G}, is today a {D} day? I want to {act} so much!",
                               f"Do you know what I dreamed about, {G}? The {D}! Can we go?",
                               f"I will {act}{there}, and you can watch me, {G}!",
                               f"{G}, my {it} wants to go to the {D} too. Is it time yet?",
                               f"Today we {act}{there}, right, {G}?"))
            st.speak(c, line, st.pick("asked", "said") if line.endswith("?") else st.pick("said", "shouted"))
            if line.endswith("?") and rng.random() < 0.4:  # (a wish needs no answer, nor every question: the next line sets off)
                st.speak(g, rng.choice((f"Yes, {c.name}, get your {it} and we will go.",
                                        f"That is a good idea, {c.name}, we can {act} after lunch.",
                                        f"Okay, {c.name}, and we can {doings.activity(st, self.dest, 'word')} there too.",
                                        f"We can go to the {st.place_mark(self.dest)} after lunch, {c.name}.",
                                        f"Yes, {c.name}, and do not forget your {it}.",
                                        f"Yes, {c.name}, and maybe we can {doings.activity(st, self.dest, 'word')}!",
                                        f"Maybe, {c.name}, but let's look at the sky first.",
                                        f"Only if you help me pack the bag, {c.name}.",
                                        f"Good idea! The {D} is so nice in the {st.time_mark(st.season)}, {c.name}.")),
                         rng.choice(("said", "answered", "said")))  # not '"...," smiled and said Dad' 
        else:
            when = rng.choice(("That day, ", "That morning, ", "", ""))
            st.s(rng.choice((f"{when}{st.sub(c)} wanted to {act}{there}.",
                             f"For days, {st.sub(c, False)} had wanted to {act}{there}.",
                             f"When {c.name} asked to {act}{there}, {st.nm(g)} said they could go after {rng.choice(('breakfast', 'lunch'))}.",
                             f"{st.sub(c)} had waited all {rng.choice(('week', 'morning', 'spring' if st.season == 'summer' else 'week'))} to {act}{there}.",
                             f"{c.name} loved the {D}, and today {c.s} would {act}{' there' if there else ''}.",
                             f"{when}{st.sub(c)} wanted to {act}{there} and {doings.activity(st, self.dest, 'word')}.",
                             f"{when}{st.sub(c)} could not stop thinking about the {D}, where {c.s} wanted to {act}.",
                             f"{c.name} packed {c.p} {it} early, because today {c.s} would {act}{there}.",
                             f"All {st.time_mark(st.season)}, {c.name} had wanted to {act}{there}, and today was the day.")))
            why = beats.reason(st, self.dest) if rng.random() < 0.45 and room(st, 90) else None
            if why:  # what is there to see (the animals the knowledge base puts there)
                st.s(why)
        if self.indoor:
            st.s(st.pick(f"The {st.place_mark(self.dest)} was inside a big warm house, so {c.name} could swim even on {a(st.weather)} day.",
                         f"In the {st.time_mark(st.season)}, the {st.place_mark(self.dest)} was inside, where the water was warm for {c.name}."))

    def hint(self, st):
        c, rng, g = st.hero, st.rng, st.grownup
        if self.rain_later:
            st.s(rng.choice((f"Far away, over the hills, {c.name} saw some dark clouds, but {c.s} did not think about them.",
                             f"{st.nm(g)} looked at the sky and said, \"{c.name}, we should take an umbrella.\"",
                             f"The wind smelled a little like rain, but {c.name} did not notice.",
                             f"{st.nm(g)} looked at the gray sky far away and took an umbrella, just in case.")))
            self.flags_umbrella = "umbrella" in st.doc.cur[-1]
        else:
            it = st.thing["word"]
            st.s(rng.choice((f"{st.nm(g)} said, \"Hold on to your {it}, {c.name}, and do not lose it.\"",
                             f"{st.nm(g)} told {c.name} to stay close and not to run away.",
                             f"\"Stay where I can see you, {c.name},\" {st.nm(g)} said.",
                             f"{st.nm(g)} told {c.name} to keep {c.p} {it} in {c.p} bag on the way.")))

    def middle(self, st):
        c, g, f = st.hero, st.grownup, self.companion
        group = [c, g] + ([f] if f else [])
        if st.rng.random() < 0.8 and room(st, 60) and not self.stop:  # a stop makes the day long enough
            facts.dress(st)
        if self.stop:
            skills.time_order_start(st, self, group, st.rng.choice(STOPS[self.stop]))
        else:
            st.state.at(st.pick("morning", "noon"))
        if self.route:
            travel(st, group, self.stop or self.home, self.dest, self.kind, indoor=self.indoor,
                   why="" if self.dest in self.activity else f" to {self.activity}", said=0.5)  # (the wish said it)
        else:
            for x in group:
                st.state.go(x.name, self.dest, self.kind, self.indoor)
        st.place = self.dest
        self.arrive(st)
        if st.rng.random() < 0.5 and room(st, 70):
            facts.task(st, self.dest)
        doings.fill(st, group, self.dest, middle_words(st) - (25 if self.rain_later else 0), 4,
                    0 if self.stop else 1)
        # obstacle
        if self.rain_later:
            self.rain(st)
        elif self.conflict and f:
            quarrel(st, f, st.thing["word"])
        else:
            need = _need_for(st) if room(st, 40) else None
            if need:
                facts.need(st, need)
            else:
                self.scene(st)

    def arrive(self, st):
        c, rng, g = st.hero, st.rng, st.grownup
        D = st.place_mark(self.dest)
        act, it = self.activity, st.thing["word"]
        got = rng.choice(("got to", "arrived at", "reached", "came to"))
        do = rng.choice(("could not stop smiling", "laughed and laughed", "ran in front of everyone", "clapped",
                         "looked all around", "jumped for joy", "ran on in front", "shouted with joy",
                         f"held {c.p} {it} up high", "took a deep breath", "waved at everyone",
                         f"wanted to {act} right away"))
        r = rng.random()
        if r < 0.5:
            pass  # (the way there said they came: the day goes on with what they did)
        elif r < 0.55:
            st.s(rng.choice((f"At the {D}, there was so much for {c.name} to see.",
                             f"{c.name} thought the {D} was {rng.choice(('busy', 'quiet', 'big', 'beautiful', 'wonderful', 'pretty'))} that day.",
                             f"The {D} was even {rng.choice(('bigger', 'prettier', 'nicer', 'busier'))} than {c.name} remembered.")))
        elif r < 0.7 and st.w.places[self.dest]["outdoor"]:
            an = rng.choice(st.w.scene_animals(self.dest))
            st.s(rng.choice((f"At the {D}, there were {an['plural']} and {beats.outdoor_thing(st, True)} everywhere.",
                             f"The first thing {c.name} saw at the {D} was {a(an['word'])}.",
                             f"When they {got} the {D}, {a(an['word'])} was there, as if it was waiting for them.")))
        elif r < 0.82 and st.known(g) and g.title[:1].isupper():
            st.speak(c, rng.choice((f"Look, {g.title}, we are here!", f"The {D} is so {rng.choice(('big', 'pretty', 'beautiful'))}, {g.title}!",
                                    f"{g.title}, can I {act} now?", f"{g.title}, we are at the {D} at last!")),
                     rng.choice(("shouted", "said", "called")))
        else:
            st.s(f"{rng.choice(('As soon as', 'The moment'))} they {got} the {D}, {st.sub(c, False)} {do}.")
        if rng.random() < 0.15 and not self.stop:
            pl_ = st.w.vocab.noun[self.dest]["plural"]
            st.s(st.pick(f"Of all the {pl_} in the village, {c.name} liked this one best.",
                         f"{c.name} had seen many {pl_} before, but this one was the best of all."))
        if self.kind:
            st.state.doing(c.name, self.kind, self.indoor)
        if not short(st) and fits(st, 18):
            facts.place(st, self.dest, 2 if rng.random() < 0.4 and room(st, 90) and not self.stop else 1)
        if rng.random() < 0.15 and fits(st, 12):
            facts.sense(st, self.dest)
        if not short(st) and (not self.stop or room(st, 110)) and fits(st, 12):
            self.scene(st)
        if not self.rain_later:
            st.state.uses(c.name, it)
            own = "" if it in act.split() else f" with {c.p} {it}"  # not "ride a sled with her sled"
            detail = rng.random() < 0.85 and fits(st, 16)
            if detail and beats.activity_detail(st, self):
                return  # (the activity told by what is really there says it began: no line of its own)
            first = rng.choice(("First, ", "Right away, ", "", "", "Then "))
            done, doing = beats.verb(st, act, "past"), beats.verb(st, act, "ing")
            st.s(rng.choice((f"{first}{st.sub(c)} {'got to ' + act if rng.random() < 0.5 else 'began to ' + act}{own}.",
                             f"{st.sub(c)} {done}{own} {rng.choice(('for a long time', 'with a big smile', 'for hours'))}.",
                             f"Soon {st.sub(c, False)} was {doing}{own}, and {c.s} {rng.choice(('laughed', 'sang a little song', 'did not want to stop', 'forgot about everything else'))}.",
                             f"{st.sub(c)} took out {c.p} {it}, and {rng.choice(('soon', 'before long', 'in no time'))} "
                             f"they were ready to {act}.",
                             f"They used {c.p} {st.thing_adj} {it} to {act}, and it was so much fun." if self.tool
                             else f"{st.sub(c)} {act.split(' ', 1)[0] in ('swim', 'splash') and 'jumped in' or 'began'} "
                                  f"right away, and it was so much fun.",
                             f"{first}{st.sub(c)} and {st.nm(g)} went to {act}{own}.",
                             f"{cap(doing)}{own} was even more fun than {c.name} had hoped.",
                             f"{c.name} did not wait a minute: {c.s} {done}{own} right away.",
                             f"It was time to {act} at last, and {c.name} had {c.p} {it} ready.")))

    def memories(self, st):
        if getattr(self, "failed", False):
            return [], []
        c, D, ch = st.hero, self.dest, st.rng.choice
        doing = beats.verb(st, self.activity, "ing") + ("" if D in self.activity else f" at the {D}")
        nps = [f"the {ch(('happy', 'long', 'busy', 'fun'))} day at the {D}" if not self.rain_later else f"the rain at the {D}",
               f"the {D} and everything {c.s} saw there"]
        if self.stop:
            nps.append(f"the {self.stop} and the {D}")
        if self.companion and st.known(self.companion):
            nps.append(f"the trip to the {D} with {self.companion.name}")
        return nps, [doing]

    def scene(self, st):
        if not facts.episode(st, "scene"):
            _scenery(st)

    def rain(self, st):
        c, g, rng = st.hero, st.grownup, st.rng
        st.state.weather_turns(self.rain_weather)
        D = st.place_mark(self.dest)
        drops = rng.choice(("the first drops of rain", "a big drop on " + c.p + " nose", "rain on " + c.p + " hands",
                            "the wind turn cold"))
        st.s(rng.choice((f"Then dark clouds came over the {D}, and {c.name} felt {drops}.",
                         f"Suddenly, the sky over the {D} turned gray, and big drops of rain fell on {c.name}.",
                         f"But before {c.name} could {self.activity}, it started to rain.",
                         f"{beats.soon(st)}it began to rain on the {D}.",
                         f"Just then, {c.name} felt {drops}.",
                         f"{c.name} was just about to {self.activity} when rain came down on the {D}.",
                         f"A cloud as big as a house came over the {D}, and then it rained.")))
        if rng.random() < 0.4:
            st.s(rng.choice((f"{st.sub(c)} was {feel(st, 'neg')}, because {c.s} wanted to {self.activity} so much.",
                             f"{c.name} hoped that the rain would stop soon, so that {c.s} could {self.activity}.",
                             f"{c.name} said, \"Oh no, not now, {g.title}!\"",
                             f"{c.name} wished that the sun would come back to the {D}.")))
        if getattr(self, "flags_umbrella", False) or (not self.bad and rng.random() < 0.5):
            facts.need(st, "rain")
        if self.bad:
            st.s(rng.choice((f"{c.name} and {g.title} had to go home, and {c.name} could not {self.activity} that day.",
                             f"The rain did not stop, so {c.name} and {g.title} went home wet and cold.",
                             f"It rained and rained, and {c.name} had to go home.")))
            self.failed = True
        elif self.twist:
            st.s(rng.choice((f"But then the rain stopped, and a big rainbow came out over the {D}!",
                             f"The rain stopped as fast as it had started, and the sun came out over the {D}.",
                             f"Then, just like that, the rain stopped, and the sun came out over the {D} again.")))
            st.state.weather_turns("sunny")
        else:
            under = rng.choice(("a big tree", "a tall tree", "a big bush", "the little bridge", "a big umbrella",
                                f"{c.p} {g.title.lower()}'s coat" if g.kind in FAMILY else "a big tree"))
            wait = rng.choice((f"watched the rain fall on the {D}", "listened to the rain", "sang a little song",
                               "counted the drops", "told funny stories", "watched the puddles grow"))
            st.s(rng.choice((f"{st.nm(c)} and {st.nm(g)} waited under {under} for the rain to stop.",
                             f"{st.nm(c)} and {st.nm(g)} ran to {under}, and {c.name} {wait} while it rained.",
                             f"While it rained, they stayed dry under {under}, and {c.name} {wait}.",
                             f"They waited under {under} until the rain stopped.",
                             f"They sat under {under} and {wait}, and soon the rain was over.",
                             f"{st.nm(g)} had an idea, and they waited under {under}.",
                             f"Under {under}, {c.name} {wait} until the rain stopped.")))
            st.state.weather_turns("cloudy")

    def ending(self, st):
        c, g = st.hero, st.grownup
        failed = getattr(self, "failed", False)
        if not failed:
            if self.rain_later:
                st.state.uses(c.name, st.thing["word"])
                st.s(f"{cap(then(st, 0.8))}{st.sub(c)} could {self.activity} at last.")
                if st.rng.random() < 0.6 and ends_fit(st, 16):
                    beats.activity_detail(st, self)
            st.state.at(st.pick("afternoon", "evening"))
            if st.rng.random() < GO_HOME_P:
                beats.go_home(st, [c, g] + ([self.companion] if self.companion else []), self.dest, st.thing["word"],
                              beats.verb(st, self.activity, "ing"))
        if self.bad and not failed:
            it = st.thing["word"]
            st.state.lose(c.name, it)
            where = st.pick("on the way home", "somewhere on the path", f"at the {st.place_mark(self.dest)}",
                            "by the big tree", "when they were not looking")
            st.s(st.pick(f"But {c.name} lost {c.p} {it} {where}, and nobody could find it.",
                         f"But when they got home, {c.name}'s {it} was not in the bag.",
                         f"But {c.name} had left {c.p} {it} {st.pick('by the big tree', 'on a bench', 'on the grass')}, and when they went back, it was gone.",
                         f"At home, {c.name} looked for {c.p} {it}, but it was gone."))
        if self.stop and st.rng.random() < 0.9:
            skills.time_order_tell(st, self)


def _need_for(st) -> str | None:
    """A need that the day's weather and time make natural."""
    w = st.state.weather
    opts = ["hungry", "thirsty", "dirty"]
    if w in ("cold", "snowy", "icy"):
        opts += ["cold", "cold"]
    if w == "hot":
        opts += ["hot", "hot"]
    if w == "windy":
        opts.append("wind")
    if w == "snowy":
        opts.append("snow")
    done = st.flags.get("facts", ())
    opts = [k for k in opts if ("remedy", k) not in done]
    return st.rng.choice(opts) if opts else None


def _scenery(st) -> None:
    """Something seen where the hero is: words from the whole vocabulary, in this place and weather."""
    w, rng, c = st.w, st.rng, st.hero
    if rng.random() < 0.55:
        an = rng.choice(w.scene_animals(st.place))
        v = rng.choice(w.animal_verbs(an))
        where = "in the water" if v["word"] in ("swim", "splash") else \
            st.pick(f"by the {rng.choice(w.outdoor)['word']}", "near the path", "under a tree", "in the grass")
        st.s(st.pick(f"{st.sub(c, False)} saw {a(an['word'])} {v['ing']} {where}.",
                     f"There were some {an['plural']} {v['ing']} {where}.",
                     f"{cap(a(an['word']))} was {v['ing']} {where}, and {c.name} stopped to watch it."))
        return
    adj = rng.choice(w.scene_adjs)
    noun = rng.choice(w.scene_nouns[adj["word"]])
    if noun.get("mass"):
        st.s(f"There was some {adj['word']} {noun['word']} near the {st.place_mark(st.place)}.")
    else:
        st.s(st.pick(f"{st.sub(c, False)} saw {a(adj['word'] + ' ' + noun['word'])} and smiled.",
                     f"There were many {adj['word']} {noun['plural']} at the {st.place_mark(st.place)}.",
                     f"{st.sub(c, False)} found {a(adj['word'] + ' ' + noun['word'])} and showed it to {st.nm(st.grownup)}."))


def quarrel(st, f: Char, thing: str) -> None:
    """Conflict: the hero and the companion fall out over `thing`."""
    c = st.hero
    if "Dialogue" in st.f:
        st.speak(f, st.pick(f"Let me have the {thing}!", f"It is my turn with the {thing}!",
                            f"Give me the {thing}, {c.name}!"), st.pick("shouted", "said", "cried"))
        st.speak(c, st.pick(f"No, {f.name}, it is mine!", f"No, {f.name}, you will break it!", f"Go away, {f.name}!"),
                 st.pick("shouted", "said", "yelled"))
    else:
        st.s(st.pick(f"{st.nm(f)} wanted the {thing} too, and they began to fight over it.",
                     f"{st.nm(f)} grabbed the {thing}, and {c.name} got angry.",
                     f"{st.nm(c)} and {st.nm(f)} both wanted the {thing}, and soon they were shouting."))
    st.state.feel(c.name, "angry")
    st.flags["quarrel"] = True


# --- lost ------------------------------------------------------------------------------------------


class Lost(Plan):
    """The hero's thing is not where it was: someone put it away (with a reason), or a pet took it."""

    name = "lost"
    uses_thing = True

    def flags_late_companion(self):
        return False

    def __init__(self, st):
        super().__init__(st)
        rng, w = st.rng, st.w
        n = st.noun
        if n["kind"] == "toy" and n in w.toys:
            st.thing = n
            st.used_noun = True
        else:
            st.thing = rng.choice(w.toys)
        self.home = rng.choice(["park", "garden", "pond", "school", "library", "bakery", "field", "farm", "river",
                                "hill", "market", "zoo", "lake", "forest", "playground"])
        self.goal = f"find the {st.thing['word']}"
        self.pet_took = self.twist and rng.random() < 0.5
        _cast(st, self, 0.5)
        self.mover = st.grownup if not (self.companion and rng.random() < 0.4) else self.companion

    def want(self, st):
        c, rng = st.hero, st.rng
        it = st.thing["word"]
        P = st.place_mark(self.home)
        when = rng.choice((f"That {st.time_mark('morning')}, ", "After breakfast, ", "", "That day, ", "Right after breakfast, "))
        play = beats.play(st, c, it, 'word')
        st.s(rng.choice((f"{when}{st.sub(c)} {rng.choice(('wanted to', 'was going to', 'hoped to'))} {play} at the {P}.",
                         f"{when}{st.sub(c)} wanted to take {c.p} {it} to the {P}.",
                         f"{st.sub(c)} {rng.choice(('looked', 'searched'))} for {c.p} {it}, because {c.s} wanted to show it to everyone.",
                         f"{when}{st.sub(c)} had a plan: to {play} at the {P}.",
                         f"{when}{c.name} said, \"Today I will {play.replace(c.p + ' ' + it, 'my ' + it)} at the {P}!\"",
                         f"{c.name} could not wait to show {c.p} {it} to {rng.choice(('everyone', 'the other children', 'the ducks' if self.home in ('pond', 'lake', 'river') else 'everyone'))} at the {P}.",
                         f"{when}{st.sub(c)} put on {c.p} shoes, ready to {play} at the {P}.",
                         f"Nothing was more fun than to {play} at the {P}, {c.name} thought.")))

    def hint(self, st):
        c, rng, M = st.hero, st.rng, self.mover
        st.s(rng.choice((f"The night before, {st.nm(M)} had said that {c.name}'s room was not clean.",
                         f"{st.nm(st.grownup)} always said, \"{c.name}, a clean room is a happy room.\"",
                         f"There were toys all over {c.name}'s floor, and {st.nm(M)} did not like it.",
                         f"{c.name} always left {c.p} {st.thing['word']} and {c.p} other toys on the floor.")))

    def middle(self, st):
        c, it, rng = st.hero, st.thing["word"], st.rng
        st.state.at("noon")
        h1, h2 = beats.hiding(st)
        odd = [x["word"] for x in st.w.items if x.get("kind") in ("toy", "clothing") and x["word"] not in (it, "dollhouse", "kite")]
        x1, x2 = (doings._np(st, x, plural_ok=False) for x in rng.sample(odd, 2))  # what is there instead
        st.s(rng.choice((f"But the {it} was not {h1}, and it was not {h2}.",
                         f"{st.sub(c)} looked {h1} and found {x1} and {x2}, but no {it}.",
                         f"{cap(h1)} there was only {x1}, and {h2} only {x2}.",
                         f"But {c.name}'s {it} was gone, and it was not where {c.s} had left it.",
                         f"{st.sub(c)} looked {h1} and {h2}, but the {it} was not there.",
                         f"{st.sub(c)} looked everywhere, but the {it} was not there.",
                         f"The {it} was not {h1}, and it was not {h2}.",
                         f"{st.sub(c)} looked {h1}. No {it}! {cap(c.s)} looked {h2}. No {it} there!",
                         f"Was the {it} {h1}? No. Was it {h2}? No! It was not there.",
                         f"{c.name} ran from room to room, but {c.p} {it} was nowhere.")))
        st.state.lose(c.name, it)
        fl = feel(st, "neg")
        st.state.feel(c.name, "sad")  # until the thing is found: what the child does meanwhile is not glad
        if rng.random() < 0.5:
            st.s(rng.choice((f"{st.nm(c)} felt {fl} about {c.p} {it}.", f"{st.sub(c)} felt {fl} without {c.p} {it}.",
                             f"{st.sub(c)} sat down on the floor and felt {fl}.",
                             f"Without {c.p} {it}, the {st.place_mark(self.home)} did not sound like fun anymore.",
                             f"{c.name} had wanted to {beats.play(st, c, it, 'word')} so much, and now {c.s} felt {fl}.",
                             f"{c.name} {rng.choice(('cried', 'said'))}, \"My {it} is gone!\"",
                             f"{st.sub(c)} was {fl}, because the {it} was {c.p} favorite.",
                             f"{c.name}'s eyes filled with tears, and {c.s} wanted {c.p} {it} back.",
                             f"{st.sub(c)} looked {h1} again, just in case, but it was still not there.")))
        if self.pet_took:
            self.pet(st)
            return
        if self.conflict and self.companion and self.mover is not self.companion:
            f = self.companion
            st.s(rng.choice((f"{st.sub(c)} thought that {st.nm(f)} had taken it.",
                             f"\"{f.name}, did you take my {it}?\" {c.name} shouted.",
                             f"\"You took my {it}, {f.name}!\" {c.name} said.")))
            st.speak(f, rng.choice((f"No, {c.name}, I did not!", f"I did not take your {it}!",
                                    f"It was not me, {c.name}!")), rng.choice(("said", "cried")))
            st.flags["quarrel"] = True
        if st.rng.random() < 0.4 and room(st, 80):
            facts.task(st, "home") if st.rng.random() < 0.5 else facts.need(st, "dark")
        doings.fill(st, [c] + ([self.companion] if self.companion else []), "home", middle_words(st) - 40, 2, 0)
        skills.boxes(st, self.mover, st.thing)
        if self.bad:
            st.s(rng.choice((f"But when {c.name} took it out, {c.s} saw that the {it} was broken.",
                             f"But the {it} was broken, because something heavy had been on top of it.",
                             f"But the {it} had been at the bottom, and now it was broken.")))
            st.state.feel(c.name, "sad")
        else:
            st.state.feel(c.name, "happy")
            st.s(rng.choice((f"{st.sub(c)} was so happy to have {c.p} {it} back.",
                             f"{st.sub(c)} hugged {c.p} {it} and laughed.",
                             f"There it was, and {c.name} held {c.p} {it} close.",
                             f"{st.sub(c)} {rng.choice(('jumped up and down', 'smiled from ear to ear', 'laughed out loud'))}.",
                             f"{c.name} said, \"Thank you, {self.mover.title}!\"" if self.mover.title[:1].isupper()
                             else f"{st.sub(c)} was so happy.")))

    def memories(self, st):
        c, it = st.hero, st.thing["word"]
        nps = [f"the day {c.p} {it} was lost", f"the search for the {it}",
               f"the {it} and the afternoon at the {self.home}"]
        if self.pet_took:
            nps.append(f"the {self.pet_kind} with the {it} in its mouth")
        return nps, [f"looking for {c.p} {it}", f"finding {c.p} {it}"]

    def pet(self, st):
        c, rng, it = st.hero, st.rng, st.thing["word"]
        pet = self.pet_kind = rng.choice(["dog", "puppy", "cat", "kitten"])
        where = rng.choice(('under the bed', 'under the table', 'behind the couch', 'behind the door', 'in the yard',
                            'in the kitchen'))
        st.s(rng.choice((f"Then {c.name} heard a noise {where}.", f"{beats.soon(st)}there was a noise {where}.",
                         f"Just then, something moved {where}.")))
        st.s(rng.choice((f"It was the family {pet}, and it had the {it}!", f"There was the {pet}, with the {it} in its mouth!",
                         f"The family {pet} was {where}, and it was playing with the {it}!")),
             rng.choice((f"The {pet} thought {c.name}'s {it} was a new toy.", f"The {pet} wanted to play with {c.name}'s {it} too.",
                         f"The {pet} did not know the {it} was not a toy for {pet}s." if pet in ("dog", "cat") else
                         f"The {pet} thought the {it} was for it.")))
        facts.meet(st, pet, ("cry",))
        if self.bad:
            st.s(rng.choice((f"When {c.name} got it back, the {it} was wet and broken.",
                             f"The {it} was all wet, and it was broken.")))
        else:
            st.state.has(c.name, it)
            st.s(rng.choice((f"The {pet} let go of the {it}, and {c.name} laughed.",
                             f"When {c.name} gave the {pet} a ball, it let go of the {it}." if it != "ball"
                             else f"The {pet} dropped the ball, and {c.name} laughed.",
                             f"The {pet} dropped the {it} at {c.name}'s feet.")))

    def ending(self, st):
        c, rng = st.hero, st.rng
        if self.bad:
            return
        st.state.at("afternoon")
        it = st.thing["word"]
        st.state.uses(c.name, it)
        f = self.companion if self.companion and st.known(self.companion) else None
        P = st.place_mark(self.home)
        both = bool(f) and rng.random() < 0.4
        who = f"{st.nm(c)} and {st.nm(f)}" if both else st.sub(c)
        when = rng.choice((f"In the {st.time_mark('afternoon')}", "After lunch", "Later", "That afternoon",
                           "After that"))
        until = rng.choice(("", "", " until dinner", " until it was time for dinner", " all afternoon",
                            " until the sun went down", " for a long time"))
        line = rng.choice((f"{when}, {who} played with the {it} at the {P}{until}.",
                         f"{when}, {who} took the {it} to the {P} and played{until}.",
                         f"{when}, {st.sub(c)} went to the {P} and {beats.play(st, c, it)}{until}.",
                         f"{when}, {st.sub(c)} {beats.play(st, c, it)} at the {P}{until}.",
                         f"{when}, at the {P}, {st.sub(c, False)} {beats.play(st, c, it)}{until}.",
                         f"With the {it} back in {c.p} hands, {c.name} {rng.choice(('ran', 'skipped', 'hurried'))} to the {P} at last.",
                         f"The {P} was twice as much fun with the {it}, and {c.name} {beats.play(st, c, it)}{until}."))
        st.s(line)
        st.place = self.home
        if both and who in line:  # what one meets at the place they play (the ducks at the pond say quack)
            with facts.told_by(st, f):
                facts.place(st, self.home, 1)
        else:
            facts.place(st, self.home, 1)
        if st.rng.random() < 0.3:
            st.s(rng.choice((f"This time, {c.name} put the {it} back in the box when {c.s} was done.",
                             f"From then on, {c.name} always knew where to look for {c.p} {it}.",
                             f"When {c.s} got home, {c.name} put the {it} away {rng.choice(('in its place', 'in the box', 'on the shelf'))}.",
                             f"After that, {c.name} kept the {it} in the same place every day.")))


# --- baking -----------------------------------------------------------------------------------------


class Baking(Plan):
    """Make something for someone; shop for it (choices), carry it home (counting), bake it."""

    name = "baking"
    uses_thing = False

    def flags_late_companion(self):
        return False

    def __init__(self, st):
        super().__init__(st)
        rng, w = st.rng, st.w
        n = st.noun
        many = {"cookie": "cookies", "muffin": "muffins", "pancake": "pancakes", "cupcake": "cupcakes"}  # not "make cupcake"
        self.dish = many.get(n["word"], n["word"]) if n["word"] in ("cake", "pie", "bread", *many) \
            else rng.choice(("cake", "pie", "cookies", "muffins", "bread", "cupcakes", "pancakes"))
        st.used_noun |= self.dish in (n["word"], n["plural"])
        self.shop = rng.choice(("market", "bakery", "shop"))
        nbrs = [p for d in DIRECTIONS if (p := w.neighbor(self.shop, d))]
        self.home = rng.choice(nbrs)
        self.goal = f"bake {self.dish}"
        st.flags["dish"] = self.dish
        st.thing = w.vocab.noun["basket"]
        _cast(st, self, 0.4)
        self.for_whom = rng.choice([x for x in ("Grandma", "Grandpa", "the neighbor", "a sick friend", "the teacher",
                                                   "the farmer", "the old lady next door", "the nurse")
                                    if x != st.grownup.title])

    def want(self, st):
        c, g, rng = st.hero, st.grownup, st.rng
        dish = self.dish
        who = self.for_whom
        sick = {"the old lady next door": "the old lady"}.get(who, who)  # (not "for the old lady next door, because the old lady next door")
        why = rng.choice(("", "", "", f", because {sick} was sick" if who != "a sick friend" else "",
                          f", to say thank you", f", because it was {who}'s birthday" if who[:1].isupper() else ""))
        if "Dialogue" in st.f:
            st.speak(g, rng.choice((f"Today we will make {dish} for {who}.", f"Would you like to help me make {dish} for {who}?",
                                    f"{c.name}, shall we bake {dish} for {who} today?",
                                    f"I have an idea, {c.name}: let's make {dish} for {who}!")),
                     rng.choice(("said", "said", "asked")))
            line = rng.choice((f"Yes, {g.title}, can I help mix the {dish}?", f"Yay, {g.title}, I love to bake {dish}!",
                               f"Can I carry the basket to the {st.place_mark(self.shop)}, {g.title}?",
                               f"Can I stir the {dish}, {g.title}?", f"Oh yes, {g.title}, {who} will love it!"))
            st.speak(c, line, st.pick("said", "asked") if line.endswith("?") else st.pick("said", "shouted"))
        elif rng.random() < 0.4:  # the plan and the missing eggs in one sentence
            st.s(rng.choice((f"{st.sub(c)} and {beats.rel(st)} wanted to bake {dish} for {who}{why}, but the egg box was empty.",
                             f"{cap(dish)} for {who} needed eggs, and {st.nm(g)} had no eggs left.",
                             f"There was flour and sugar for {who}'s {dish}, but {st.nm(g)} could not find one egg.",
                             f"{st.nm(g)} and {c.name} were all ready to make {dish} for {who}, until they saw that the eggs were gone.")))
            return
        else:
            st.s(rng.choice((f"It was a special day, and they wanted to make {dish} for {who}{why}.",
                             f"{st.nm(g)} and {st.nm(c)} had a plan: to bake {dish} for {who}{why}.",
                             f"{st.sub(c)} wanted to bake {dish} for {who}, and {st.nm(g)} said {c.s} could help.",
                             f"That day, {st.nm(g)} was going to make {dish} for {who}{why}, and {c.name} wanted to help.",
                             f"{st.sub(c)} {rng.choice(('loved', 'liked'))} to help in the kitchen, and today they would make {dish} for {who}{why}.",
                             f"{st.sub(c)} wanted to surprise {who} with {dish}{why}.",
                             f"{cap(who)} {rng.choice(('loved', 'liked'))} {dish} more than anything, so {c.name} and {beats.rel(st)} would bake some{why}.")))
        st.s(rng.choice((f"But there were no eggs in {c.name}'s kitchen.", f"But {g.title} had no eggs for {c.name}'s {dish}.",
                         f"{c.name} got out the big bowl and the {rng.choice(('flour', 'sugar', 'butter'))}, but then {c.s} saw that there were no eggs.",
                         f"First, {c.name} needed to get eggs for the {dish}.",
                         f"But {st.nm(g)} had no eggs left for {c.name}'s {dish}.",
                         f"But when {st.nm(g)} opened the fridge, there were no eggs.",
                         f"{st.nm(c)} looked for the eggs, but the egg box was empty.",
                         f"The egg box was empty, so there could be no {dish} for {who} yet.",
                         f"\"Where are the eggs?\" {c.name} asked, and {st.nm(g)} looked: not one egg was left.",
                         f"{st.nm(g)} looked in the fridge and laughed: \"We have {rng.choice(('milk', 'butter', 'flour', 'sugar'))}, but we have no eggs!\"",
                         f"{cap(dish)} {'need' if dish.endswith('s') else 'needs'} eggs, but the last egg had gone into {c.name}'s {rng.choice([x for x in ('breakfast', 'pancakes', 'soup') if dish not in x])}.")))

    def memories(self, st):
        dish, who = self.dish, self.for_whom
        return ([f"the {dish} for {who}", "the long walk home with the eggs", f"{who}'s face when the {dish} came",
                 f"the eggs from the {self.shop}"],
                [f"baking {dish} with {beats.rel(st)}", f"making {dish} for {who}", f"carrying the eggs home"])

    def hint(self, st):
        c, rng = st.hero, st.rng
        st.s(rng.choice((f"{st.nm(st.grownup)} said, \"Be careful with the eggs, {c.name}, they break easily.\"",
                         f"{c.name}'s basket had a small hole in it, but nobody saw it.",
                         f"{c.name} liked to run and jump everywhere, even with a full basket.",
                         f"\"Eggs break easily, so we must walk slowly,\" {st.nm(st.grownup)} told {c.name}.")))

    def middle(self, st):
        c, g, f = st.hero, st.grownup, self.companion
        group = [c, g] + ([f] if f else [])
        st.state.at(st.pick("morning", "noon"))
        travel(st, group, self.home, self.shop, why=st.pick(" to get eggs", f" to buy eggs for the {self.dish}", ""))
        st.place = self.shop
        r = st.rng.random()
        if r < 0.5:
            skills.exclusion(st, "food", where=self.shop, why=f"for the {self.dish}")
        else:
            skills.negation(st, who=self.for_whom, why=self.dish)
        if fits(st, 18):
            facts.place(st, self.shop, 2 if st.rng.random() < 0.3 and room(st, 90) else 1) or facts.episode(st, "scene")
        if st.rng.random() < 0.25 and fits(st, 12):
            facts.about_word(st, "egg")
        doings.fill(st, group, self.shop, middle_words(st) - 40, 3)
        # counting: the eggs on the way home
        st.state.at("afternoon")
        skills.counting_loss(st, "egg", carrier=c, bad=self.bad)
        if self.conflict and f:
            st.s(st.pick(f"{st.nm(f)} said that {c.name} broke them, and {c.name} said that was not so.",
                         f"\"You broke them, {c.name}!\" {f.name} said, and {c.name} got angry."))
            st.state.feel(c.name, "angry")
            st.flags["quarrel"] = True

    def ending(self, st):
        c, g, rng = st.hero, st.grownup, st.rng
        st.place = self.home
        dish, who = self.dish, self.for_whom
        be, it = ("were", "they") if dish.endswith("s") else ("was", "it")
        if self.bad:
            st.s(rng.choice((f"There were too few eggs, so {c.name} could not make the {dish} for {who} that day.",
                             f"{c.name} and {g.title} tried to bake the {dish} with what they had, but it came out flat and dry.",
                             f"The {dish} needed more eggs, and {it} did not turn out well.",
                             f"With so few eggs, the {dish} {be} small and hard, and {c.name} was sad.")))
            return
        if st.rng.random() < 0.5 and room(st, 50):
            facts.task(st, "kitchen")  # wash your hands first
        if st.rng.random() < 0.8 and ends_fit(st, 14):
            facts.meet(st, "oven", ("temp",))
        ing = rng.sample(("the flour", "the sugar", "the eggs", "the butter", "some milk"), 2)
        st.s(rng.choice((f"At home, {c.name} and {g.title} mixed, stirred and baked, and soon the whole house smelled of {dish}.",
                         f"Back at home, {st.sub(c)} helped {st.nm(g)} mix everything in a big bowl.",
                         f"{st.nm(g)} put the {dish} in the oven, and {st.nm(c)} waited by the window.",
                         f"At home, {st.sub(c)} put in {ing[0]} and {ing[1]}, and {st.nm(g)} did the rest.",
                         f"{st.sub(c)} stirred {ing[0]} {rng.choice(('slowly', 'carefully', 'with a big spoon'))}, and {st.nm(g)} put in {ing[1]}.",
                         f"Soon the {dish} {be} in the oven, and the kitchen smelled {rng.choice(('sweet', 'so good', 'wonderful'))}.",
                         f"{st.sub(c)} broke the eggs into a bowl one by one, and {st.nm(g)} mixed them with {ing[0][4:] if ing[0].startswith('the ') else ing[0]}.",
                         f"{st.nm(g)} let {c.name} {rng.choice(('stir', 'mix', 'pour'))} {ing[0]}, and then {ing[1]} went in too.",
                         f"{c.name} got flour on {c.p} nose while {c.s} and {st.nm(g)} made the {dish}.",
                         f"{st.nm(g)} held the bowl, {c.name} stirred, and the {dish} {be} ready for the oven in no time.")))
        if rng.random() < 0.7 and ends_fit(st, 16):
            _kitchen(st, self)
        if self.twist:
            st.s(rng.choice((f"When they took the {dish} to {who}, there was a surprise: {who} had made {dish} too!",
                             f"But when they came to the door with the {dish}, {who} was already there with flowers for {c.name}!")))
        else:
            st.s(rng.choice((f"{cap(who)} loved {c.name}'s {dish} very much.",
                             f"{c.name} took the {dish} to {who}, who smiled and said thank you.",
                             f"{cap(who)} ate the {dish} and said {it} {be} the best {dish} ever.",
                             f"{cap(who)} smiled and smiled when {c.name} came in with the {dish}.",
                             f"{c.name} gave the {dish} to {who}, and got a big hug.")))
        dish1 = {"cookies": "cookie", "cupcakes": "cupcake", "muffins": "muffin", "pancakes": "pancake"}.get(dish, dish)
        if st.rng.random() < 0.6 and room(st, 30):
            facts.meet(st, dish1, ("taste",)) or facts.meet(st, "sugar", ("taste",))


_MISHAPS = {"the {pet} jumped on a chair and took one {one} off the plate": ("so they made one more",
                                                                               "but there were still enough"),
            "{c} put in the milk twice": ("but {g} saw it just in time", "and they laughed about it"),
            "there was no {x} left": ("so they asked the neighbor for some", "so {c} ran to get some from Grandma's"),
            "the oven was too hot, and one side got dark": ("so they cut that side off", "but nobody minded"),
            "{c} spilled the flour, and the floor was all white": ("and {c} swept it up all by {r}",
                                                                  "and the cat walked through it with white feet")}


def _kitchen(st, plan) -> None:
    """What else happens in the kitchen: the dish decorated with what is really there (fruits, colors), or a
    small mishap and how it is made right."""
    from storylab.world.text import NUMBERS
    rng, c, w = st.rng, st.hero, st.w
    dish = plan.dish
    one = {"cookies": "cookie", "cupcakes": "cupcake", "muffins": "muffin", "pancakes": "pancake"}.get(dish, "piece")
    if rng.random() < 0.6:
        small = [x for x in w.fruits if x["word"] in ("cherry", "strawberry", "blueberry", "berry", "grape", "raspberry")]
        fr = rng.sample(small, 2)
        n = NUMBERS[rng.randint(2, 9)]
        st.s(rng.choice((f"{st.sub(c)} put {n} {fr[0]['plural']} on top, and {rng.choice(('one', 'two', 'three'))} {fr[1]['plural']} in the middle.",
                         f"Then {c.name} made a little face on the {dish} with {n} {fr[0]['plural']}.",
                         f"On top went {fr[0]['plural']} and {fr[1]['plural']}, {rng.choice(('in a ring', 'in a long row', 'in the shape of a heart', 'in the shape of a star'))}.")))
        return
    k = rng.choice(list(_MISHAPS))
    t = k.format(pet=rng.choice(("dog", "cat", "puppy")), one=one, c=c.name, x=rng.choice(("sugar", "butter", "milk")))
    fix = rng.choice(_MISHAPS[k]).format(c=c.name, r=c.r, g=st.grownup.title)
    st.s(f"{rng.choice(('Oh no, ', 'Then ', 'Just then, ', ''))}{t}, {fix}.")


# --- rescue ---------------------------------------------------------------------------------------------


_UP_THERE = ("owl", "bird", "duck", "squirrel", "cat", "bear")  # helpers that can reach a stuck animal


class Rescue(Plan):
    """An animal needs help: stuck in a tree, lost from its family, or hungry in the cold."""

    name = "rescue"
    uses_thing = False

    def flags_late_companion(self):
        return False

    def __init__(self, st):
        super().__init__(st)
        rng, w = st.rng, st.w
        n = st.noun
        kinds = {"stuck": ["kitten", "cat", "squirrel", "bird", "monkey"],
                 "family": ["duckling", "chick", "lamb", "puppy", "bunny", "calf"],
                 "hungry": ["bird", "squirrel", "puppy", "kitten", "rabbit", "hedgehog", "deer"]}
        self.trouble = rng.choice(list(kinds))
        for t, ks in kinds.items():
            if n["word"] in ks and rng.random() < 0.8:
                self.trouble = t
        self.animal = n["word"] if n["word"] in kinds[self.trouble] else rng.choice(kinds[self.trouble])
        st.used_noun |= self.animal == n["word"]
        self.where = rng.choice(["park", "garden", "forest", "field", "farm", "pond", "hill", "playground"])
        nbrs = [p for d in DIRECTIONS if (p := w.neighbor(self.where, d))]
        self.home = rng.choice(nbrs)
        self.goal = f"help the {self.animal}"
        st.thing = rng.choice(w.toys)
        self.helper, self.met = None, False
        if not self.bad and rng.random() < 0.5:
            can = _UP_THERE if self.trouble == "stuck" else WISE_ANIMALS  # (up a tree: one that flies or climbs)
            an = rng.choice([x for x in can if x != self.animal])
            self.helper = Char(an, rng.choice(("female", "male")), an, "helper", title=f"the {an}")
        _cast(st, self, 0.45)

    def want(self, st):
        c, g, rng = st.hero, st.grownup, st.rng
        W = st.place_mark(self.where)
        go = rng.choice(("go to", "go to", "play at", "visit", "walk to"))
        when = rng.choice(("That day, ", "That morning, ", "After breakfast, ", "", f"On {st.time_mark(st.day)}, "))
        act = doings.activity(st, self.where, "word")  # what they mean to do there (the rescue interrupts it)
        self.act = act
        want = rng.choice(("wanted to", "hoped to", "was going to", "could not wait to", "had asked to"))
        yes = rng.choice(("said yes", "said they could go", "smiled and said yes", "said it was a good idea"))
        st.s(rng.choice((f"{when}{st.sub(c)} {want} {go} the {W} and {act}.",
                         f"{when}{st.sub(c)} {want} {act} at the {W}.",
                         f"{c.name} had one wish for the {W} that day: to {act}.",
                         f"It was {a(st.weather)} {st.time_mark(st.season)} day, just right to {act} at the {W}.",
                         f"\"Can we {act} at the {W} today?\" {c.name} asked, and {st.nm(g)} {yes}.",
                         f"{when}{st.sub(c)} and {st.nm(g)} {rng.choice(SMALL_WALK)} off to the {W}, where {c.name} {want} {act}.",
                         f"The {W} was the best place to {act}, and {c.name} had asked {st.nm(g)} to go there all week.")))
        why = beats.reason(st, self.where) if rng.random() < 0.4 and room(st, 80) else None
        if why:  # what the hero remembers of the place (the animals the knowledge base puts there)
            st.s(why)

    def hint(self, st):
        c, rng = st.hero, st.rng
        W = st.place_mark(self.where)
        st.s(rng.choice((f"The night before, {c.name} had heard a loud storm over the {W}.",
                         f"{st.nm(st.grownup)} had told {c.name} that animals sometimes need our help.",
                         f"{c.name} had a feeling that something special would happen at the {W}.",
                         f"That morning, {c.name} had seen {rng.choice(('a big bird', 'two birds', 'a dark cloud'))} "
                         f"fly over the {W}, {rng.choice(('very fast', 'making a lot of noise', 'in a hurry'))}.",
                         f"\"Always be kind to animals, {c.name},\" {st.nm(st.grownup)} often said.")))

    def middle(self, st):
        c, g, rng, f = st.hero, st.grownup, st.rng, self.companion
        group = [c, g] + ([f] if f else [])
        st.state.at("morning")
        travel(st, group, self.home, self.where, said=0.6)  # (the wish said what they would do there)
        st.place = self.where
        if st.rng.random() < 0.6 and room(st, 90):
            facts.place(st, self.where, 1)
        doings.fill(st, group, self.where, middle_words(st) - 50, 2)
        an = self.animal
        if self.trouble == "stuck":
            self.stuck(st)
        elif self.trouble == "family":
            mother = {"duckling": "duck", "chick": "hen", "lamb": "sheep", "puppy": "dog", "bunny": "rabbit",
                      "calf": "cow"}[an]
            self.mother = mother
            skills.counting_family(st, mother, an)
        else:
            self.hungry(st)
        if st.rng.random() < 0.85 and (not short(st) or not self.met):  # a short story: one fact of the animal
            facts.meet(st, getattr(self, "mother", an), ("lives", "eats", "can", "baby", "size", "says", "gives"))
        st.state.feel(c.name, "worried")
        if self.conflict and f:
            st.s(rng.choice((f"{st.nm(f)} wanted to leave it and go play, and they had a fight.",
                             f"{st.nm(f)} said it was a silly {an}, and that made {c.name} angry.",
                             f"\"It is just a {an}, let's go and play,\" said {st.nm(f)}, and {c.name} got angry.",
                             f"{st.nm(f)} did not want to help, and {c.name} and {f.name} began to fight.")))
            st.flags["quarrel"] = True

    def memories(self, st):
        an, W = self.animal, self.where
        where = {"stuck": ("up in the tree", "that could not get down"),
                 "family": (f"and its {getattr(self, 'mother', '')}", "that was lost"),
                 "hungry": ("that was so hungry", f"at the {W}")}[self.trouble]
        nps = [f"the little {an} {x}" for x in where] + [f"the day {st.hero.s} helped a little {an}"]
        if self.helper and self.trouble == "stuck" and st.known(self.helper):
            nps.append(f"the {self.helper.kind} that helped the little {an}")
        return nps, [f"helping the little {an}", {"stuck": f"getting the {an} down from the tree",
                                                  "family": f"finding the {an}'s {getattr(self, 'mother', 'family')}",
                                                  "hungry": f"taking care of the little {an}"}[self.trouble]]

    def stuck(self, st):
        c, rng, an = st.hero, st.rng, self.animal
        W = st.place_mark(self.where)
        tree = rng.choice(beats.WHERE_TREE)
        near = rng.choice(beats.NEAR)
        sound = rng.choice(beats.HEARD)
        cry = facts.K.main("cry", an) if an in facts.K.rel["cry"].facts else None
        if cry and rng.random() < 0.5:
            sound = f"{a(an)} {facts.vf(cry, 'ing')}"
        looked = rng.choice(("scared", "sad", "worried", "cold", "tired", "small"))
        up = rng.choice(("high up in", "at the top of", "on a high branch of", "up in"))
        r = rng.random()
        if r < 0.35:  # heard and seen in one sentence
            st.s(rng.choice((f"{cap(sound)} came from {tree} {near} the {W}: a little {an} was stuck {up} it.",
                             f"{beats.soon(st)}{st.sub(c, False)} saw a little {an} {up} {tree} {near} the {W}, too {looked} to climb down.",
                             f"{near.capitalize()} the {W}, {st.sub(c, False)} found a little {an} that could not get down from {tree}.")))
        elif r < 0.8:  # first heard, then seen
            st.s(rng.choice((f"{beats.soon(st)}{st.sub(c, False)} heard {sound} from {tree} {near} the {W}.",
                             f"{near.capitalize()} the {W}, {st.sub(c, False)} heard {sound}.",
                             f"{cap(sound)} came from {tree} {near} the {W}.")))
            st.s(rng.choice((f"It was a little {an}, and it could not get down from the tree.",
                             f"{st.sub(c, False)} looked up and saw a little {an} {up} the tree.",
                             f"The sound came from a little {an}, stuck {up} the tree.",
                             f"A little {an} sat {up} the tree, and it was too {looked} to climb down.",
                             f"Up in the tree was a {looked} little {an} that could not get down.",
                             f"A little {an} had climbed {up} the tree, and now it {rng.choice(('held on and shook', 'was too scared to come down', 'looked down and cried'))}.",
                             f"There, on a branch of the tree far above {c.name}'s head, was a little {an}, all alone and {looked}.")))
        else:
            st.s(f"{near.capitalize()} the {W}, a little {an} was {up} {tree}.",
                 rng.choice((f"It was stuck, and it looked {looked}.", f"It could not get down, and it was {looked}.",
                             f"It did not know how to get down, and it looked at {c.name}.", f"The little {an} was stuck!",
                             f"Every time it tried to climb down, it {rng.choice(('slipped', 'got scared', 'went back up'))}.",
                             f"The branch went up and down in the wind, and the {an} held on {rng.choice(('tight', 'with all its feet'))}.")))
        if rng.random() < 0.9:
            self.met = facts.meet(st, an, ("says", "cry", "baby", "can"))
        tried = rng.choice((f"tried to reach the {an}", "jumped and jumped", "stood on a rock", "stretched up high",
                            f"held out {c.p} hands to the {an}", "tried to climb the tree"))
        but = rng.choice((f"but {c.s} was too small", f"but the {an} was too high", "but it was no use",
                          f"but {c.s} could not reach it", f"but the branch was too high"))
        if rng.random() < 0.6:  # (the hero's own try: else the grown-up's help comes at once)
            st.s(rng.choice((f"{st.sub(c)} {tried}, {but}.", f"{st.sub(c)} {tried}, {but}.",
                             f"\"Come down, little {an}!\" {c.name} called, but the {an} {rng.choice(('only held on tight', 'did not move', 'cried'))}.")))

    def hungry(self, st):
        c, rng, an = st.hero, st.rng, self.animal
        W = st.place_mark(self.where)
        spot = rng.choice(("Under a bush", "By the path", "Behind a tree", "Next to an old log", "In the tall grass",
                           f"Near the {W}"))
        looked = rng.choice(("thin", "cold", "tired", "hungry", "sad", "weak"))
        how = rng.choice(("", "", " all alone", f" that looked {looked}", " in a little ball", " that did not move",
                          " with its eyes closed", " that was too weak to run away"))
        low = spot[0].lower() + spot[1:]
        st.s(rng.choice((f"{spot}, {st.sub(c, False)} {rng.choice(('found', 'came upon', 'saw', 'spotted'))} a little {an}{how}.",
                         f"{c.name} almost stepped on something {low}: a little {an}{how}!",
                         f"\"Look!\" {c.name} {rng.choice(('whispered', 'said'))}. {spot}, there was a little {an}{how}.",
                         f"A little {an} sat {rng.choice(('all alone', 'very still', 'in a little ball'))} {low}, "
                         f"and it {rng.choice(('did not move', 'did not run away', 'looked up at ' + c.name))}.",
                         f"Something moved {low}. It was a little {an}{how}!",
                         f"{c.name} heard {rng.choice(beats.HEARD)} {low}, and there sat a little {an}{how}.")))
        if rng.random() < 0.5:  # (how it looked: else the finding said it)
            st.s(rng.choice((f"The {an} looked {looked} and {rng.choice(('cold', 'tired', 'hungry'))}, and {c.name} sat down next to it.",
                             f"{c.name} sat down next to the {an} very {rng.choice(('slowly', 'quietly', 'gently'))}.",
                             f"It was so {looked} that it could not run away.",
                             f"{st.nm(st.grownup)} said the {an} must be very hungry.",
                             f"{c.name} bent down {rng.choice(('slowly', 'quietly'))}, so that the {an} would not be scared.",
                             f"Its {rng.choice(('eyes were closed', 'little legs were shaking', 'tummy was empty'))}, and {c.name} wanted to help it.")))
        self.met = facts.meet(st, an, ("eats",), annotate=True)
        if not self.met:
            st.s(rng.choice((f"{st.sub(c)} gave it some water.", f"{st.sub(c)} gave it a little water in {c.p} hands.",
                             f"{st.sub(c)} held out some water, and the {an} drank it.")))

    def ending(self, st):
        c, g, an, rng = st.hero, st.grownup, self.animal, st.rng
        if self.bad:
            st.s(rng.choice((f"{c.name} tried and tried, but the little {an} ran away, and {c.s} never saw it again.",
                             f"When {c.name} came back with help, the {an} was gone.",
                             f"But the {an} was scared of {c.name} and ran off into the {rng.choice(('bushes', 'trees', 'grass'))}.",
                             f"{c.name} looked for the {an} for a long time, but it was gone.")))
            return
        if self.helper and self.trouble == "stuck":
            h = self.helper
            st.s(f"Then {st.intro(h, a(st.pick('wise', 'kind', 'old') + ' ' + h.title[4:]))} flew down and showed the {an} the way down."
                 if h.kind in ("owl", "bird", "duck") else
                 f"Then {st.intro(h, a(st.pick('wise', 'kind', 'old') + ' ' + h.title[4:]))} climbed up and helped the {an} down.")
        elif self.trouble == "stuck":
            how = rng.choice((f"got a long ladder, climbed up and brought the {an} down",
                              f"lifted {c.name} up high, and {c.s} held the {an} gently and brought it down",
                              f"climbed up on a big rock and reached the {an}",
                              f"held up {g.p} arms, and the {an} jumped down into them",
                              f"put {c.name} on {g.p} back, and {c.name} reached the {an}"))
            st.s(f"{rng.choice(('', '', 'Then ', 'At last, ', 'Just then, '))}{st.nm(g)} {how}.")
            if rng.random() < 0.5:  # (else the rescue says it)
                st.s(rng.choice((f"The {an} was safe!", f"{c.name} held the {an} close, and it stopped shaking.",
                                 f"The little {an} looked at {c.name} with big eyes.", f"Everyone was happy, and {c.name} most of all.")))
        elif self.trouble == "family":
            skills.counting_family_end(st)
        else:
            eats = an in facts.K.rel["eats"].facts and facts.K.main("eats", an)
            food = f"some {st.w.vocab.noun[eats]['plural']}" if eats in st.w.vocab.noun else "some food"
            st.s(rng.choice((f"{st.nm(c)} and {st.nm(g)} took the {an} home, kept it warm, and gave it food until it was strong again.",
                             f"{st.nm(g)} made a little bed for the {an} in a box, and {c.name} fed it until it felt better.",
                             f"{st.nm(g)} wrapped the {an} in a warm blanket, and {c.name} gave it some food.",
                             f"They took the little {an} home, and {c.name} took care of it for three days.",
                             f"{c.name} carried the {an} home in {c.p} {rng.choice(('hat', 'arms', 'hands'))}, and {st.nm(g)} found it some food and a warm corner.",
                             f"At home, the little {an} ate {food} from {c.name}'s hand, "
                             f"{rng.choice(('and then it fell asleep', 'and soon it looked much better', 'one little bite at a time'))}.",
                             f"{c.name} wrapped the {an} in {c.p} {rng.choice(('scarf', 'coat', 'sweater'))}, and at home {st.nm(g)} gave it {food}.",
                             f"{st.nm(g)} showed {c.name} how to hold the {an} gently, and together they gave it {food}.",
                             f"At home, the {an} got a soft bed by the {rng.choice(('window', 'door', 'warm stove'))}, and {c.name} brought it {food}.")))
        if st.rng.random() < 0.35 and room(st, 30):
            facts.vet(st, an)
        if self.twist:
            when = rng.choice(("The next day", "The next morning", "A few days later", "That evening"))
            spot = rng.choice(("window", "door", "yard", "garden"))
            st.s(rng.choice((f"{when}, the {an} came back to {c.name}'s {spot}, as if to say thank you.",
                             f"Later, {c.name} found out that the {an} lived right next to {c.p} house!",
                             f"{when}, there was a little {an} in {c.name}'s {rng.choice(('yard', 'garden'))}, and it looked just like the one from the {st.place_mark(self.where)}!",
                             f"{when}, {c.name} heard a sound at the {spot}, and there was the {an}, {rng.choice(('with a friend', 'with its family', 'looking strong and happy'))}!")))


# --- share -----------------------------------------------------------------------------------------------


SHARE_FACT_ROOM = 75  # words the gathering's fact and the rest of a share story take: nearly always there


class Share(Plan):
    """Two children and one thing: a quarrel (or not), sharing, collecting together, tidying up."""

    def memories(self, st):
        c, f, it = st.hero, self.companion, st.thing["word"]
        nps = [f"the {self.gather_pl} {c.s} and {f.name} had found", f"the game with {f.name} at the {self.home}"]
        ings = [f"playing with {f.name} at the {self.home}", f"looking for {self.gather_pl} with {f.name}"]
        if not self.twist:
            ings.append(f"sharing {c.p} {it} with {f.name}")
        return nps, ings

    name = "share"
    uses_thing = True

    def flags_late_companion(self):
        return False

    def __init__(self, st):
        super().__init__(st)
        rng, w = st.rng, st.w
        n = st.noun
        st.thing = n if (n["kind"] == "toy" and n in w.toys) else rng.choice(w.toys)
        st.used_noun |= st.thing is n
        self.home = rng.choice(["beach", "park", "forest", "garden", "field", "river", "lake", "hill", "playground"])
        self.goal = f"share the {st.thing['word']}"
        _cast(st, self, 1.0)
        self.gather = rng.choice({"beach": ("shell", "shell", "pebble", "feather"), "river": ("pebble", "stone", "shell"),
                                  "lake": ("pebble", "feather", "stone"), "forest": ("acorn", "leaf", "mushroom", "feather"),
                                  "park": ("leaf", "acorn", "feather", "stone", "daisy"),
                                  "garden": ("feather", "flower", "leaf", "daisy"), "field": ("stone", "daisy", "flower"),
                                  "hill": ("stone", "daisy", "flower", "feather"),
                                  "playground": ("coin", "stone", "leaf")}[self.home])
        self.gather_pl = st.w.vocab.noun[self.gather]["plural"]

    def want(self, st):
        c, f, rng = st.hero, self.companion, st.rng
        P = st.place_mark(self.home)
        it = st.thing["word"]
        when = rng.choice(("That day, ", "After breakfast, ", "That morning, ", "After lunch, ", "", "",
                           f"On {st.time_mark(st.day)}, "))
        both = rng.choice((f"{st.nm(c)} and {st.nm(f)}", f"{st.nm(f)} and {st.nm(c)}"))
        go = rng.choice(("went to", "ran to", "went off to", "spent the day at", "walked to", "skipped to", "raced to"))
        hands = rng.choice(("in " + c.p + " hands", "under " + c.p + " arm", "in a bag"))
        st.s(rng.choice((f"{when}{both} {go} the {P}{rng.choice(('', ' to play', ' together'))}.",
                         f"{when}{st.nm(c)} took {c.p} {it} to the {P}, and {st.nm(f)} {rng.choice(('came too', 'came along', 'ran after ' + c.o))}.",
                         f"{when}{st.nm(c)} put {c.p} {it} in a bag, and {c.s} and {st.nm(f)} ran off to the {P}.",
                         f"{when}the two {'of them' if st.flags.get('sibling') else rng.choice(('friends', 'of them'))} went to the {P}, {c.name} with {c.p} {it} {hands} "
                         f"and {f.name} with {rng.choice(('nothing', 'empty hands'))}.",
                         f"{when}{st.nm(c)} wanted to show {c.p} {it} to {st.nm(f)}, so they met at the {P}.",
                         f"{when}{st.nm(c)} and {c.p} {it} went to the {P}, where {st.nm(f)} was waiting.",
                         f"{when}{st.nm(c)} and {st.nm(f)} went to look for {self.gather_pl} at the {P}, and {c.name} took {c.p} {it} along.",
                         f"{st.nm(f)} was already at the {P} when {c.name} came with {c.p} {it} {hands}.",
                         f"{when}{st.nm(c)} could not wait to play with {c.p} {it} at the {P}, and {st.nm(f)} {rng.choice(('came too', 'came along'))}.")))
        st.state.go(c.name, self.home)
        st.state.go(f.name, self.home)
        st.place = self.home

    def hint(self, st):
        c, g, rng = st.hero, st.grownup, st.rng
        st.s(rng.choice((f"\"Things are more fun when you share them, {c.name},\" {st.nm(g)} always said.",
                         f"{st.nm(g)} always told {c.name} that toys are more fun when you share them.",
                         f"Sharing was kind, {c.name} knew, but it was not always easy.",
                         f"Before they left, {st.nm(g)} said, \"Be nice and share, {c.name}.\"",
                         f"{c.name} did not like to share {c.p} {st.thing['word']} with anyone.",
                         f"{st.nm(g)} had once said that {a(st.thing['word'])} is more fun with two, but {c.name} did not think so.",
                         f"Until now, {c.name} had never let {st.nm(self.companion)} touch the {st.thing['word']}, not even once.")))

    def middle(self, st):
        c, f, it, rng = st.hero, self.companion, st.thing["word"], st.rng
        st.state.at("noon")
        adj = getattr(st, "thing_adj", "")
        thing = f"{adj} {it}" if adj and rng.random() < 0.4 else it
        if rng.random() < 0.3 and fits(st, 10):  # the hero plays with it first
            st.s(f"{beats.soon(st) if rng.random() < 0.4 else ''}{st.sub(c)} {beats.play(st, c, it)}"
                 f"{rng.choice(('', '', ' for a long time', ' again and again', ' all by ' + c.r))}.")
        if "Dialogue" in st.f:
            st.speak(f, rng.choice((f"{c.name}, can I play with your {it}?", f"Can I have a turn with the {thing}, {c.name}?",
                                    f"Please, {c.name}, can I {beats.play(st, c, it, 'word', own=False)} too?",
                                    f"Let me try, {c.name}!", f"Can I play too, {c.name}?",
                                    f"That {thing} looks like so much fun, {c.name}. May I try?",
                                    f"Will you show me how to {beats.play(st, c, it, 'word', own=False)}, {c.name}?")),
                     rng.choice(("asked", "asked", "said")))
            st.speak(c, rng.choice((f"No, {f.name}, it is my {it}!", f"No, {f.name}, the {it} is mine!",
                                    f"Not now, {f.name}, maybe later.", f"No, it is mine, {f.name}!",
                                    f"You will break it, {f.name}!", f"I only just got it out, {f.name}!",
                                    f"Go and find your own toy, {f.name}!")),
                     rng.choice(("said", "said", "shouted")))
        else:
            st.s(rng.choice((f"{st.nm(f)} wanted to play with the {thing} too, but {c.name} said no.",
                             f"{st.nm(f)} asked for a turn with the {thing}, but {c.name} held it {rng.choice(('close', 'tight'))}.",
                             f"{st.nm(f)} wanted a turn, but {c.name} did not want to share.",
                             f"When {f.name} asked to play with the {it}, {c.name} {rng.choice(('said no', 'turned away', 'held it tight', 'shook ' + c.p + ' head'))}.",
                             f"{st.nm(f)} held out {f.p} hands for the {thing}, but {c.name} put it behind {c.p} back.",
                             f"{st.nm(f)} wanted to {beats.play(st, f, it, 'word', own=False)} too, but {c.name} said, \"It is mine!\"",
                             f"\"Just one turn?\" {f.name} asked, but {c.name} kept the {thing} and looked the other way.",
                             f"{c.name} {beats.play(st, c, it)} all alone, and {f.name} could only watch.")))
        st.state.feel(f.name, "sad")
        fl = st.pick("sad", "upset", "lonely", "sad", "left out") if st.used_adj or st.adj["word"] not in NEG_FEEL \
            else feel(st, "neg")
        if rng.random() < 0.2:
            st.s(rng.choice((f"{st.nm(f)} felt {fl} and sat down alone.",
                             f"{st.nm(f)} was {fl} and walked away.",
                             f"{st.nm(f)} sat down {rng.choice(('under a tree', 'on the grass', 'on a rock', 'by the path'))} and looked {fl}.",
                             f"{st.nm(f)} {rng.choice(('kicked a little stone', 'pulled at the grass', 'looked at ' + f.p + ' shoes'))} and did not say a word.",
                             f"{st.nm(f)} watched the {it} {rng.choice(('from far away', 'with big, sad eyes', 'and wished it was ' + ('hers' if f.p == 'her' else 'his')))}.")))
        if self.conflict or self.bad:
            grab = rng.choice(("grabbed", "reached for", "took hold of", "tried to take"))
            then_ = rng.choice((f"and {c.name} pulled it back", "and nobody would let go",
                                f"and {c.name} pulled so hard that {c.s} almost fell over",
                                "and soon they were both shouting", "and they both pulled hard"))
            st.s(rng.choice((f"{st.nm(f)} {grab} the {it}, {then_}.",
                             f"{cap(then(st, 1))}{f.name} {grab} the {it}, {then_}.",
                             f"When {c.name} looked away, {f.name} {grab} the {it}, {then_}.",
                             f"\"My turn!\" {f.name} said and pulled the {it} one way, and {c.name} pulled it the other way.",
                             f"{st.nm(f)} wanted to {beats.play(st, f, it, 'word', own=False)} so much that {f.s} reached for it, "
                             f"and {c.name} held on {rng.choice(('tight', 'with both hands', 'and would not let go'))}.",
                             f"\"Give it to me!\" {f.name} shouted, but {c.name} held on to the {it} with both hands.",
                             f"{st.nm(f)} pulled on one end of the {it}, {c.name} pulled on the other, and nobody would stop.")))
            st.flags["quarrel"] = True
        if self.bad and rng.random() < 0.45:  # the break and the tears in one sentence
            st.s(rng.choice((f"{cap(then(st, 1))}the {it} broke in two, and {c.name} and {f.name} both cried.",
                             f"With a loud sound, the {it} broke, and now nobody could {beats.play(st, f, it, 'word', own=False)}.",
                             f"Oh no! The {it} broke, and {c.name} and {f.name} looked at the pieces with wet eyes.")))
            return
        if self.bad:
            st.s(rng.choice((f"Then {c.name}'s {it} broke!", f"Then there was a loud sound, and the {it} broke!",
                             f"Oh no, the {it} broke in two!")),
                 rng.choice((f"Now nobody could play with the {it}, and {c.name} and {f.name} both cried.",
                             f"Nobody could play with the {it} now, and {c.name} and {f.name} were both sad.",
                             f"{c.name} and {f.name} looked at the broken {it} and cried.")))
            return
        if self.twist:
            other = rng.choice([t for t in st.w.toys if t is not st.thing])["word"]
            st.state.has(f.name, other)
            show = (f"Then {st.nm(f)} showed {c.name} {a(other)} in {f.p} bag.",
                    f"Then {st.nm(f)} took {a(other)} out of {f.p} bag.",
                    f"But then {st.nm(f)} remembered the {other} in {f.p} bag.")
            trade = (f"{st.nm(c)} and {st.nm(f)} traded, and each of them had something new to play with.",
                     f"{st.nm(c)} said, \"Let's trade, {f.name}!\" So {f.name} gave {c.o} the {other}.",
                     f"So they traded: {c.name} got the {other}, and {f.name} got the {it}.",
                     f"They traded, and soon {f.name} {beats.play(st, f, it, own=False)}.")
            both = (f"Then {st.nm(f)} took {a(other)} out of {f.p} bag and said, \"Let's trade!\"",
                    f"But {st.nm(f)} had {a(other)} in {f.p} bag, so the two of them traded, the {it} for the {other}.",
                    f"{st.nm(f)} held up {a(other)}: \"My {other} for your {it}?\" And so they traded.")
            # the other toy and the trade in one sentence (40%), or in two
            st.s(*((rng.choice(both),) if rng.random() < 0.4 else (rng.choice(show), rng.choice(trade))))
            st.state.give(c.name, f.name, it)  # (traded: the hero does not take it to bed that night)
            st.state.give(f.name, c.name, other)
        else:
            st.s(rng.choice((f"{st.sub(c)} thought about it and gave the {it} to {st.nm(f)}.",
                             f"{st.sub(c)} remembered what {st.grownup.title} always said, and {c.s} decided to give the {it} to {st.nm(f)}.",
                             f"{st.sub(c)} saw that {f.name} was sad, so {c.s} gave the {it} to {f.o}.",
                             f"{st.sub(c)} walked over to {st.nm(f)} and gave {f.o} the {it}.",
                             f"After a while, {st.sub(c, False)} did not feel good about it, and {c.s} gave {f.name} the {it}.",
                             f"\"Here, {f.name}, you can {beats.play(st, f, it, 'word', own=False)} first,\" {c.name} said.",
                             f"{st.sub(c)} looked at {f.name}'s {rng.choice(('sad face', 'wet eyes', 'empty hands'))}, and then {c.s} held out the {it}.",
                             f"Playing all alone was not much fun, {c.name} found, so {c.s} gave {f.name} a turn with the {it}.",
                             f"\"Do you want to {beats.play(st, f, it, 'word', own=False)}?\" {c.name} asked at last, and {f.name} nodded fast.")))
            st.state.give(c.name, f.name, it)
            if rng.random() < 0.3:  # (else the giving says it)
                st.s(rng.choice((f"{st.nm(c)} and {st.nm(f)} took turns with the {it}.",
                                 f"{st.nm(f)} smiled, and soon they were laughing together.",
                                 f"{st.nm(f)} smiled {rng.choice(('a big smile', 'from ear to ear', 'and said thank you'))}, and they played with the {it} "
                                 f"{rng.choice(('together', 'one after the other', 'until lunch'))}.",
                                 f"{st.nm(f)} {beats.play(st, f, it, own=False)}, and then it was {c.name}'s turn.",
                                 f"{st.nm(f)} {beats.play(st, f, it, own=False)}, and then {c.name} {beats.play(st, c, it, own=False)}.",
                                 f"They took turns with the {it}, and each turn was more fun than the last.",
                                 f"First {f.name} had the {it}, then {c.name}, then {f.name} again, and nobody counted whose turn it was.",
                                 f"{st.nm(f)} {beats.play(st, f, it, own=False)} {rng.choice(('with a big smile', 'and laughed', 'very carefully'))}.",
                                 f"Now {c.name} and {f.name} could both play with the {it}, and it was much more fun.")))
        skills.counting_gather(st, self.gather, c, f)
        # while they gather: what lives at the place, or what eats what they gather (squirrels eat acorns)
        if st.max_words is None or st.doc.nwords + SHARE_FACT_ROOM <= st.max_words:  # (else replanned, and slower)
            with facts.told_by(st, f):  # (the grown-up is not there)
                facts.place(st, self.home, 1) or facts.about_word(st, self.gather) or facts.episode(st, "scene")
        doings.fill(st, [c, f], self.home, middle_words(st))

    def ending(self, st):
        c, f, rng = st.hero, self.companion, st.rng
        if self.bad:
            return
        st.state.at("evening")
        it = st.thing["word"]
        if not self.twist and rng.random() < 0.7 and ends_fit(st, 40):  # packing up: the entity-tracking item
            skills.boxes(st, f, st.thing, now=("When it was time to go home", "Before they went home", "At the end of the day",
                                               "Before going home", "When the sun went down"),
                         why=("it was time to go home", "it was getting dark", "the sun was going down",
                              "nothing should be left behind"),
                         want=(f"wanted {c.p} {it} back", f"was ready to take {c.p} {it} home"), movers=())
        elif not self.twist:
            st.state.give(f.name, c.name, it)
            when = rng.choice(("When it got dark", f"In the {st.time_mark('evening')}", "When it was time to go home",
                               "Before they went home", "At the end of the day", "When the sun went down"))
            give = rng.choice((f"gave the {it} back to {c.name}", f"gave {c.name} back the {it}",
                               f"put the {it} back in {c.name}'s hands"))
            tail = rng.choice(("", "", " and said thank you", f", and {c.name} was glad {c.s} had shared",
                               " with a big smile", f", and they said goodbye under the {rng.choice(('trees', 'big tree', 'old tree'))}"))
            st.s(rng.choice((f"{when}, {st.nm(f)} {give}{tail}.",
                             f"\"Thank you for sharing your {it}, {c.name}!\" {f.name} said {when[0].lower() + when[1:]}, and {f.s} gave it back.",
                             f"{when}, {st.nm(f)} {beats.play(st, f, it, own=False)} one last time and {give.split(' ', 1)[0]} it back.",
                             f"\"This was the best day, {c.name},\" {f.name} said, and {f.s} {give}.",
                             f"{when}, {c.name} got {c.p} {it} back, and {f.name} {rng.choice(('hugged ' + c.o, 'said thank you', 'promised to share ' + f.p + ' things too'))}.",
                             f"{st.nm(f)} {give} {rng.choice(('very carefully', 'with both hands', 'before going home'))}, and {c.name} said, \"Come back and play again soon!\"")))


from storylab.world.brave import Brave  # noqa: E402  (the plots in modules of their own build on the above)
from storylab.world.build import Build  # noqa: E402
from storylab.world.newfriend import NewFriend  # noqa: E402
from storylab.world.race import Race  # noqa: E402
from storylab.world.sick import Sick  # noqa: E402
from storylab.world.truth import Truth  # noqa: E402

PLOTS = {"outing": Outing, "lost": Lost, "baking": Baking, "rescue": Rescue, "share": Share, "build": Build,
         "brave": Brave, "truth": Truth, "newfriend": NewFriend,
         "sick": Sick, "race": Race}
# (the seed noun and Conflict pick outing, baking, rescue, share and the newer plots more often than these weights)
_WEIGHTS = {"outing": 0.2, "lost": 0.09, "baking": 0.08, "rescue": 0.09, "share": 0.11, "build": 0.10,
            "brave": 0.11, "truth": 0.06, "newfriend": 0.15, "sick": 0.06,
            "race": 0.08}
# seed nouns that suit a newer plot: (plot, how often it is then picked)
_SEED_PLOTS = {**{x: "build" for x in ("block", "card", "pillow", "blanket", "box", "sand", "snow", "snowman", "stick",
                                      "stone", "rock", "tower", "castle", "shell")},
               **{x: "brave" for x in ("dog", "puppy", "spider", "storm", "thunder", "slide", "wave", "lamp",
                                      "flashlight", "moon", "star", "shadow", "noise")},
               **{x: "truth" for x in ("vase", "cup", "plate", "mirror", "clock", "jar", "bowl", "picture", "glue")},
               **{x: "newfriend" for x in ("friend", "neighbor", "swing", "bench", "hello")},
               **{x: "race" for x in ("race", "game", "prize", "ribbon", "spoon", "shoe")},
               **{x: "sick" for x in ("doctor", "nurse", "medicine", "soup", "honey", "hospital", "tea", "nose")}}


def plan(st) -> Plan:
    """Pick a plot that suits the seed words and features, and plan the story."""
    rng, n = st.rng, st.noun
    w = n["word"]
    if st.flags.get("plot"):  # a replanned story keeps its plot (else long plots would be rarer)
        name = st.flags["plot"]
    elif w in ACTIVITIES and rng.random() < 0.7:
        name = "outing"
    elif w in _SEED_PLOTS and rng.random() < 0.6:
        name = _SEED_PLOTS[w]
    elif w in ("cake", "pie", "cookie", "muffin", "bread", "pancake", "cupcake", "egg") and rng.random() < 0.7:
        name = "baking"
    elif n["kind"] == "animal" and rng.random() < 0.4:
        name = "rescue"
    elif "Conflict" in st.f and rng.random() < 0.25:
        name = "share"
    else:
        names = list(_WEIGHTS)
        name = rng.choices(names, weights=[_WEIGHTS[k] for k in names])[0]
    st.flags["plot"] = name
    return PLOTS[name](st)
