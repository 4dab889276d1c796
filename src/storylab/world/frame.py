"""The frame of a story: how it opens and how it closes, kept short and tied to the plot.

The opening is the hero's first line (carrying one of: what they love to do, the seed verb;
the thing the plot turns on; who they live with; what they are doing as the day begins),
then only what the plot needs that the first line did not tell: what the hero loves to do,
their thing (a lost thing the goal names, or a day out's kite or bucket, needs no line of its
own), the grown-up with a line about what the plot will need (a bag packed for the day out,
the kitchen's things out before baking, toys put away in the house where something will go
missing, boots on for a walk), the companion. The weather is told only where it is the seed
adjective. The closing is one to three sentences: making up after a quarrel, the grown-up's
word where the story still lacks its dialogue (carrying the lesson, if it has one), and the
last line about the hero: the lesson (MoralValue), or what the day left them with (a sad
line after a bad ending).

Every beat is composed from independent choices, and its content is the story's own, from
large pools: the grown-up's things are drawn from the vocabulary's food and household things
(with the seed noun and adjective among them where they fit), and the closing recalls what
happened in *this* story (`Recap`: the place the plot went to, the animal helped, the dish
baked for someone, the friend and the things found together, where the lost thing turned
up): "Mia fell asleep thinking about the little kitten" rather than "Mia said it was the best
day ever" in every story.
"""

from __future__ import annotations

import re

from storylab.world import beats, doings, seedwords
from storylab.world.model import FAMILY
from storylab.world.text import FIXED, NUMBERS, a, cap, has_whole


def _plots():
    from storylab.world import plots  # (plots imports this module: look it up at call time)

    return plots


# --- what happened: the plan, read back for the ending ------------------------------------------


class Recap:
    """What the story's plot did, as phrases the closing beats can use.

    `nps`: things the hero will remember ("the little kitten", "the muffins for Grandma");
    `proud`: (verb, rest) of what the hero did that deserves praise ("help", "the little kitten
    down from the tree"), any form of the verb from the vocabulary; `fun`: what the hero did for
    fun; `again`: what they would like to do again; `thanks`: what the grown-up gave them that
    day; `losses`: what went wrong (bad endings); `praise`: adjectives that suit what they did.
    A noun phrase about the hero's things says `{p}` for the possessive ("her kite").
    """

    __slots__ = ("nps", "proud", "fun", "thanks", "losses", "praise", "place", "again", "done")

    def __init__(self, st, plan):
        c = st.hero
        p = c.p
        self.nps: list[str] = []
        self.proud: list[tuple[str, str]] = []
        self.fun: list[tuple[str, str]] = []
        self.thanks: list[str] = []
        self.losses: list[str] = []
        self.praise: list[str] = ["good"]
        self.again: list[tuple[str, str]] = []
        self.place = plan.home
        name = plan.name
        counted = next((s for s in reversed(st.pending_skills) if s.get("skill") == "counting"), None)
        if name == "outing":
            D, act = plan.dest, plan.activity
            self.place = D
            failed = getattr(plan, "failed", False)
            day = f"the {st.rng.choice(('day', 'fun', 'time', 'happy day', 'big day'))} at the {D}"
            self.nps += [f"the {D}", f"the trip to the {D}"]
            verb, _, rest = act.partition(" ")
            if not failed:
                self.fun += [(verb, rest if D in rest else f"{rest} at the {D}".strip())]  # not "climbing the mountain at the mountain"
                self.again += [(verb, rest), ("go", f"back to the {D}")]
                self.thanks += [day, f"the trip to the {D}"]
                self.praise += ["brave", "patient"] if plan.rain_later else ["happy"]
            else:
                self.losses += ["the rain", f"the day at the {D}"]
                self.again += [(verb, rest)]
            if getattr(plan, "stop", None):
                self.nps.append(f"the {plan.stop} and the {D}")
            if st.thing and st.state.holder.get(st.thing["word"]) == c.name:
                self.nps.append(f"{p} {st.thing['word']}")
            elif st.thing and plan.bad:
                self.losses.append(f"{p} lost {st.thing['word']}")
        elif name == "lost":
            it = st.thing["word"]
            self.nps += [f"{p} {it}"]
            box = next((b for b in st.meta.get("boxes", ()) if b.get("item") == it), None)
            if plan.bad:
                self.losses += [f"{p} broken {it}", f"{p} {it}"]
            else:
                where = f" in the {box['color']} {box['container']}" if box else ""
                self.proud += [("find", f"{p} {it}{where}")]
                self.nps += [f"{p} {it}", f"the {it} and where it had been"]
                self.again += [("play", f"with {p} {it}")]
                self.fun += [("play", f"with {p} {it}")]
                self.praise += ["patient", "clever"]
        elif name == "baking":
            dish, who = plan.dish, plan.for_whom
            self.nps += [f"the {dish}", f"the {dish} for {who}"]
            if plan.bad:
                self.losses += ["the broken eggs", f"the {dish}"]
                self.again += [("bake", dish)]
            else:
                self.proud += [("bake", f"{dish} for {who}"), ("help", f"with the {dish}")]
                self.fun += [("bake", f"{dish} for {who}"), ("mix", f"the {dish}")]
                self.thanks += [f"the help with the {dish}"]
                self.again += [("bake", dish), ("make", f"something for {who}")]
                self.praise += ["helpful", "careful"]
            if counted and counted.get("item") == "egg" and counted.get("result", 0) > 0:
                k = counted["result"]
                self.nps.append(f"the {NUMBERS[k]} {'egg' if k == 1 else 'eggs'} that did not break")
        elif name == "rescue":
            an, where = plan.animal, plan.where
            self.place = where
            self.nps += [f"the little {an}", f"the {an} at the {where}"]
            if plan.bad:
                self.losses += [f"the little {an}", f"the {an} that ran away"]
            else:
                trouble = plan.trouble
                if trouble == "stuck":
                    self.proud += [("help", f"the little {an} down from the tree")]
                    self.nps.append(f"the {an} in the tree")
                elif trouble == "family":
                    mother = getattr(plan, "mother", None)
                    self.proud += [("bring", f"the lost {an} back to the {mother}" if mother else f"the lost {an} home")]
                    if mother:
                        self.nps.append(f"the {an} and the big {mother}")
                else:
                    self.proud += [("help", f"the hungry {an}")]
                self.proud.append(("help", f"the {an}"))
                self.fun.append(("help", f"the little {an}"))
                self.praise += ["brave", "kind", "gentle", "helpful"]
                self.again += [("go", f"back to the {where}"), ("visit", f"the {an}")]
        elif name == "share":
            f, it = plan.companion, st.thing["word"]
            self.nps += [f.name, f"the {it}", f"the {plan.gather_pl}"]
            if plan.bad:
                self.losses += [f"the broken {it}", f"the fight with {f.name}"]
            else:
                self.fun += [("play", f"with {f.name} at the {plan.home}")]
                if not plan.twist:
                    self.proud.append(("share", f"{p} {it} with {f.name}"))
                else:
                    self.fun.append(("trade", f"toys with {f.name}"))
                if counted and counted.get("item") == plan.gather and counted.get("result", 0) > 1:
                    n = NUMBERS[counted["result"]]
                    self.nps.append(f"the {n} {plan.gather_pl}")
                    self.fun.append(("find", f"{n} {plan.gather_pl} with {f.name}"))
                self.praise += ["kind", "nice"]
                self.again += [("play", f"with {f.name}")]
        else:  # a plot this module does not know: what every plan has
            self.nps.append(f"the day at the {plan.home}")
        if plan.companion and name != "share" and not plan.bad:
            self.nps.append(f"the day with {plan.companion.name}")
        self.done = _done(st)
        for verb, np in self.done:  # what the hero did in the middle, as it was told
            self.fun.append((verb, np))
            self.nps.append("the " + np.split(" ", 1)[1] if np.startswith(("a ", "an ", "some ")) else np)
        self.nps = [x.replace("{p}", p) for x in self.nps]

    def heart(self) -> list[tuple[str, str]]:
        """The fun the plot itself was about (what the hero wanted and did), else what the hero did on the
        way (`_done`): the last line recalls the day's heart, not "Timmy had so much fun sweeping the floor"."""
        return [d for d in self.fun if d not in self.done] or self.fun

    @staticmethod
    def form(st, deed: tuple[str, str], form: str) -> str:
        """A deed as a verb phrase in `form` ("past", "participle", "ing", "word")."""
        verb, rest = deed
        v = st.w.vocab.verb.get(verb)
        head = v[form] if v else verb
        return f"{head} {rest}".strip()

    @staticmethod
    def again_phrase(st, deed: tuple[str, str]) -> str:
        """'fly a kite again', 'go back to the hill' (no 'again' after 'back')."""
        t = Recap.form(st, deed, "word")
        return t if " back " in f" {t} " else t + " again"


_NOT_RECALLED = {"be", "have", "get", "say", "let", "need", "want", "know", "think", "seem", "like", "love", "do",
                 "take", "put", "give", "lose", "drop", "break", "spill", "tear", "bump", "trip", "hit", "hurt", "open",
                 "close", "lock", "buy", "pay", "see", "notice", "spot", "watch", "look", "hear", "smell", "touch",
                 "push", "hide", "kick", "try", "reach"}  # (not "so much fun pushing the broken lamp", "trying the blue box")
_CONCRETE = {"toy", "food", "household", "nature", "animal", "clothing", "instrument", "tool", "vehicle"}
_DET = r"(a|an|the|some|two|three|four|five|six)"


_TABLES: dict = {}


def _tables(v) -> tuple[dict, dict]:
    """(past form -> verb, plural -> noun) of the vocabulary, built once."""
    t = _TABLES.get(id(v))
    if t is None:
        t = _TABLES[id(v)] = ({x["past"]: x["word"] for x in v.verbs if x["word"] not in _NOT_RECALLED},
                              {n["plural"]: n["word"] for n in v.nouns})
    return t


_AFTER = re.compile(rf"(?:[a-z]+ly )?([a-z]+) {_DET} ((?:[a-z]+ )?)([a-z]+)\b")  # after the subject


def _done(st) -> list[tuple[str, str]]:
    """(verb, noun phrase) of what the hero did to a concrete thing in the story so far, read from
    the sentences as written ("Mia quickly found two shiny pebbles" -> ("find", "two shiny pebbles")),
    so the ending can recall it in its own words. Not the skill episodes (their set-up, written `FIXED`:
    the things put away in boxes, the morning errand; their answers: the snack taken, not the other): those
    are the plot's side steps, not what the day was about ("Rex had so much fun keeping the old scarf")."""
    v = st.w.vocab
    pasts, plural = _tables(v)
    c = st.hero
    keys = [c.title + " "]
    if not any(o is not c and o.gender == c.gender for o in st.cast):  # he/she can only be the hero
        keys += [f" {c.s} ", f"{c.s.title()} "]
    out = []
    doc = st.doc  # (not what was said, nor a skill's set-up or answer)
    t = " ".join(x for para in (*doc.paras[1:], doc.cur) for x in para
                 if '"' not in x and FIXED not in x and not doc._answers(x))
    # (offset marks stay: they come before place and time words, which are never the thing done)
    hits = []
    for k in keys:  # where the hero is the subject: the clause after it (found with str.find, matched in place)
        i = t.find(k)
        while i >= 0:
            j = i + len(k)
            if i == 0 or not t[i - 1].isalpha() or k[0] == " ":
                m = _AFTER.match(t, j)
                if m:
                    hits.append(m)
            i = t.find(k, j)
    for m in hits:
        verb = pasts.get(m.group(1))
        word = m.group(4)
        n = v.noun.get(word) or v.noun.get(plural.get(word, word))
        adj = m.group(3).strip()
        if verb is None or n is None or n["kind"] not in _CONCRETE or (adj and adj not in v.adjective):
            continue
        out.append((verb, f"{m.group(2)} {m.group(3)}{word}"))
    return out


def recap(st, plan) -> Recap:
    if "recap" not in st.flags:
        st.flags["recap"] = Recap(st, plan)
    return st.flags["recap"]


# --- the opening ----------------------------------------------------------------------------------

_TRAITS = ("kind", "happy", "curious", "brave", "cheerful", "playful", "busy", "friendly", "clever", "gentle", "shy",
           "funny", "smart", "sweet", "helpful", "careful", "quiet", "silly", "polite", "nice", "lucky", "good")
_HOUSE_ADJ = ("little", "small", "big", "old", "new", "yellow", "white", "red", "blue", "pink", "green", "brown",
              "pretty")
_NEAR = ("near the", "by the", "next to the", "close to the", "not far from the", "right by the", "across from the",
         "on the road to the", "just past the", "on a quiet street near the", "on the path to the")
_HOUSE_TAIL = ("", "", "", "", " with {c} door", " with a big yard", " with {c} fence", " with flowers by the door",
               " with a swing in the yard", " with a tall tree in the yard", " with a little garden")
_COLORS = ("red", "blue", "green", "yellow", "white", "pink", "brown", "orange", "purple")

# what the season looks like (any weather), and the weather's scene near a place
_SEASON_SCENE = {
    "spring": ("the trees were green again", "the first flowers were out", "birds were singing in the trees",
               "there were new leaves on every tree", "the grass was soft and green", "baby birds were in their nests"),
    "summer": ("the grass was tall and green", "the days were long", "there were ripe berries on the bushes",
               "the flowers were big and bright", "the trees gave a lot of shade"),
    "fall": ("the leaves were red and yellow", "leaves were falling from the trees", "the trees were orange and brown",
             "there were red apples on the trees", "the wind blew the leaves around"),
    "winter": ("the trees had no leaves", "everyone wore warm coats", "the ground was hard and cold",
               "the days were short", "there was ice on the windows"),
}
_WEATHER_SCENE = {
    "sunny": ("the sun was shining over the {P}", "the sky over the {P} was blue and clear",
              "the sun was bright over the {P}"),
    "hot": ("the sun was hot over the {P}", "it was so hot that even the birds near the {P} sat in the shade",
            "the ground near the {P} was hot and dry"),
    "warm": ("a warm wind was blowing over the {P}", "it was soft and warm near the {P}",
             "the sun was warm on the {P}"),
    "rainy": ("rain was falling on the {P}", "there were big puddles all around the {P}",
              "the paths by the {P} were wet and muddy"),
    "cloudy": ("big gray clouds hung over the {P}", "the sky over the {P} was gray",
               "clouds hid the sun over the {P}"),
    "windy": ("the wind was blowing the leaves around the {P}", "the wind was strong near the {P}",
              "the trees by the {P} shook in the wind"),
    "cool": ("it was cool near the {P}", "a cool wind was blowing over the {P}", "the grass by the {P} was wet and cool"),
    "foggy": ("the {P} was hard to see", "everything near the {P} was gray and wet", "nobody could see far near the {P}"),
    "snowy": ("there was snow all over the ground near the {P}", "soft snow was falling on the {P}",
              "the {P} was white with snow"),
    "cold": ("it was cold near the {P}", "there was ice on the ground near the {P}", "the wind by the {P} was cold"),
    "icy": ("there was ice on every path near the {P}", "the paths near the {P} were icy",
            "the ground by the {P} was hard and white"),
}


def trait(st) -> str:
    """The hero's trait: the seed adjective if it is one, else one drawn (or none)."""
    adj = st.adj
    if adj["class"] == "trait" and not st.used_adj and not adj.get("predicative_only"):
        st.used_adj = True
        st.flags["trait"] = adj["word"]
        return adj["word"]
    st.flags["trait"] = t = st.rng.choice(("", "", "", "little", "small") + _TRAITS)
    return t


def weather_word(st) -> str:
    w = st.weather
    if st.adj["word"] == w:
        st.used_adj = True
    return w


def _house(st, home: str) -> str:
    """'in a little yellow house near the park' (the home place marked)."""
    rng = st.rng
    adj = rng.choice(_HOUSE_ADJ)
    if rng.random() < 0.3 and adj in ("little", "small", "big", "old", "new", "pretty"):
        adj += " " + rng.choice(_COLORS[:6])
    tail = rng.choice(_HOUSE_TAIL).format(c=a(rng.choice([x for x in _COLORS if x not in adj])))
    near = rng.choice(_NEAR[:6] if tail else _NEAR)
    if tail and rng.random() < 0.5:  # "in a red house near the park, with a big yard"
        return f"in {a(adj)} house {near} {st.place_mark(home)},{tail}"
    return f"in {a(adj)} house{tail} {near} {st.place_mark(home)}"


def _desc(st, c, t: str, bare: bool = True) -> str:
    """'a brave little girl', 'a curious puppy' (`bare`: 'a girl' will do)."""
    rng = st.rng
    if not t:
        return a(c.kind) if bare else a(f"little {c.kind}")
    if t not in ("little", "small") and c.is_child and rng.random() < 0.3:
        return a(f"{t} little {c.kind}")
    return a(f"{t} {c.kind}")


def _named(st, c) -> str:
    return st.rng.choice(("named ", "named ", "named ", "called ")) + st.intro(c)


ONCE_P = 0.1  # how often the first line is "Once upon a time, there was ..." (or "Long ago", "There once was")


def opening(st, plan) -> set:
    """The hero's first sentence; returns what it told besides the hero ('loves': the seed verb,
    'thing', 'grownup', 'home', 'weather'). One sentence, as TinyStories' are, carrying one of the
    story's own details: what the hero loves to do, the thing the plot turns on, who they live with
    (the grown-up the plot needs), what they are doing as the day begins."""
    c, rng = st.hero, st.rng
    home = plan.home
    t = trait(st)
    desc = _desc(st, c, t)
    ww = weather_word(st)
    told: set = set()
    can = seedwords.hero_can(st)
    has_thing = plan.uses_thing and not st.thing.get("mass") and not getattr(plan, "tool", False)
    tails = ["loves"] * (4 if can else 0) + ["thing"] * (3 if has_thing else 0) + ["grownup", ""]
    r = rng.random()
    weather_seed = st.adj["word"] == ww
    if weather_seed:  # the seed adjective is the day's weather: the first line says so
        r = 0.35
    if r < ONCE_P:  # Once upon a time, there was ... who ...
        lead = rng.choice(("Once upon a time, there was", "Once upon a time, there lived",
                           "Once, there was", "There once was", "Long ago, there was"))
        st.s(f"{lead} {desc} {_named(st, c)}{_who(st, plan, rng.choice(tails), told)}.")
    elif r < 0.55:  # the day begins (with its weather, sometimes)
        when = rng.choice((f"On {st.time_mark(st.day)} {st.time_mark('morning')}, ", f"Early one {st.time_mark('morning')}, ",
                           f"One {ww} {st.time_mark('morning')}, ", f"One {ww} {st.time_mark(st.season)} day, ",
                           f"One {st.time_mark(st.season)} {st.time_mark('morning')}, ", "One day, ", "As the sun came up, ",
                           f"On {a(ww)} {st.time_mark(st.day)}, ", f"Last {st.time_mark(st.day)}, "))
        if weather_seed:
            when = rng.choice((f"One {ww} {st.time_mark('morning')}, ", f"One {ww} {st.time_mark(st.season)} day, "))
        if ww in when:
            told.add("weather")
        named = _named(st, c)  # (introduced before anything they do or have)
        k = rng.randrange(8)
        if k < 3 and has_thing:  # with the thing the plot turns on
            st.thing_adj = adj = thing_adj(st)
            st.state.has(c.name, st.thing["word"])
            told.add("thing")
            act = f"was {beats.play(st, c, st.thing['word'], 'ing')}" if rng.random() < 0.5 else \
                f"was {rng.choice(('playing with', 'holding', 'looking at'))} {c.p} {adj} {st.thing['word']}"
        elif k < 5:
            act = f"was {doings.activity(st)}"
        else:
            act = rng.choice(("woke up early", "jumped out of bed", "looked out of the window", "woke up and smiled",
                              f"opened {c.p} eyes and stretched", "was eating breakfast", f"ran to {c.p} window"))
        r = rng.random()
        if r < 0.2:  # "Early one morning, Mia, a kind girl, woke up early."
            st.s(f"{when}{named.split(' ', 1)[1]}, {desc if t else _desc(st, c, t, bare=False)}, {act}.")
        else:
            st.s(f"{when}{desc} {named} {act}.")
    elif r < 0.63:  # "Mia, a curious girl, lived with her mom near the pond."
        g = st.grownup
        d = desc if t else _desc(st, c, t, bare=False)
        N = st.intro(c)
        G, near, P = f"{c.p} {st.intro(g, g.title.lower())}", rng.choice(_NEAR), st.place_mark(home)
        k = rng.choice((0, 1, 4, 5)) if t == st.adj["word"] else rng.randrange(6)  # (the seed trait is told)
        if k < 2 or k == 5:  # "Mia, a kind girl, lived with her mom in a little house near the pond."
            home_np = f" {near} {P}" if k == 1 else f" {_house(st, home)}" if k == 0 else ""
            st.s(rng.choice((f"{N}, {d}, lived with {G}{home_np}.", f"{cap(d)} called {N} lived with {G}{home_np}.",
                             f"{N} was {d} who lived with {G}{home_np}.")))
        elif k < 4:  # "Mia and her mom lived in a little house near the pond." (no trait)
            st.flags["trait"] = ""
            st.s(f"{N} and {G} lived {_house(st, home) if k == 2 else near + ' ' + P}.")
        else:
            st.s(rng.choice((f"{N} lived {near} {P} with {G}, and {c.s} was {d}.",
                             f"{N} was {d}, and {c.s} lived with {G} {near} {P}.")))
        told |= {"home", "grownup"} if k != 5 else {"grownup"}
    else:  # the name first: "Mia was a kind girl who loved to paint."
        tail = rng.choice([x for x in tails if x] or [""])
        N = st.intro(c)  # (introduced before anything they have)
        who = _who(st, plan, tail, told)
        if not t and who.startswith((".", ",")):  # not "Ryan was a boy. He and his dad lived ..."
            desc = _desc(st, c, t, bare=False)
        r = rng.random()
        if r < 0.3 and who.startswith(" who "):  # "A kind girl named Mia loved to paint."
            st.s(f"{cap(desc)} {rng.choice(('named', 'called'))} {N}{who[4:]}.")
        elif r < 0.42 and (not who or who.startswith((" who", " with", " whose"))):
            # "There was a kind girl who loved to paint, and her name was Mia."
            st.s(f"{rng.choice(('There was', 'There was once', 'Once there was', 'This is a story about'))} {desc}{who}, "
                 f"and {c.p} name was {N}.")
        else:
            st.s(f"{N} was {desc}{who}.")
    return told


def _who(st, plan, tail: str, told: set) -> str:
    """The end of the hero's first sentence: ' who loved to paint', ' who had a red kite', ' who lived
    with her dad near the park', or '' (where the hero lives, alone, is not the plot's); what it told is
    added to `told`."""
    c, rng = st.hero, st.rng
    s, p = c.s, c.p
    if tail == "loves":
        told.add("loves")
        vp = st.verb_phrase("word")
        return rng.choice((f" who {rng.choice(('loved', 'liked', 'loved'))} to {vp}"
                           f"{rng.choice(('', '', ' more than anything', ' all day long'))}",
                           f" who could {vp} {rng.choice(('all day', 'for hours'))}",
                           f" who dreamed of {st.verb_phrase('ing')} {rng.choice(('day and night', 'all the time'))}",
                           f" who liked {st.verb_phrase('ing')} best of all", f" who wanted to {vp} every day"))
    if tail == "thing":
        st.thing_adj = adj = thing_adj(st)
        st.state.has(c.name, st.thing["word"])
        told.add("thing")
        it = f"{adj} {st.thing['word']}"
        return rng.choice((f" who had {a(it)}" + rng.choice(("", f" from {p} {rng.choice(('grandma', 'grandpa', 'mom', 'dad'))}",
                                                              f" that {s} {rng.choice(('loved very much', 'took everywhere'))}")),
                           f" with {a(it)}", f" who never went anywhere without {p} {it}",
                           f", and {p} {it} went everywhere with {c.o}", f" who took {p} {it} everywhere"))
    if tail == "grownup":
        g = st.grownup
        told |= {"grownup", "home"}
        near, P = rng.choice(_NEAR), st.place_mark(plan.home)
        G = f"{p} {st.intro(g, g.title.lower())}"
        return rng.choice((f" who lived with {G} {near} {P}",
                           f" who lived with {G} in {a(rng.choice(_HOUSE_ADJ))} house {near} {P}",
                           f". {cap(s)} and {G} lived {near} {P}"))
    return ""


def _weather(st, home: str, ww: str) -> str:
    """A sentence about the day's weather and season near `home`."""
    rng = st.rng
    P = st.place_mark(home)
    scene = rng.choice(_WEATHER_SCENE[st.weather]).format(P=P)
    season = rng.choice(_SEASON_SCENE[st.season])
    if any(x in scene for x in ("ground", "trees", "grass", "leaves") if x in season):  # not the ground twice
        season = _SEASON_SCENE[st.season][0]
    if st.weather in ("rainy", "foggy", "cloudy") and season.startswith(("the sun", "the flowers were big")):
        season = "the days were long" if st.season == "summer" else season
    r = rng.random()
    S = st.time_mark(st.season)
    if r < 0.35:
        return f"It was {a(ww)} {S} day, and {rng.choice((scene, scene, season))}."
    if r < 0.55:
        return f"It was {S}, and {scene}."
    if r < 0.85:
        return f"{cap(season)}, and {scene}."
    return f"That {S} {st.time_mark('morning')}, {scene}."


def weather_line(st, plan) -> None:
    """The day's weather (where the seed adjective is the weather and the first line did not say it)."""
    st.s(_weather(st, plan.home, weather_word(st)))


# --- the hero's loves, thing, grown-up and companion -----------------------------------------------

_CARRIED = ("cup", "plate", "basket", "towel", "blanket", "book", "letter", "bowl", "apple", "bread", "pear", "jar",
            "box", "bag", "pillow", "lamp", "cake", "pie", "banana", "cookie", "ball", "kite", "teddy", "puzzle", "drum",
            "doll", "robot", "marble", "balloon", "crayon", "flower", "shell", "feather", "hat", "scarf")


def fitting(st, word: str) -> list[str]:
    """The adjectives (looks, colours, sizes) that the vocabulary says fit noun `word`, once per world."""
    t = _TABLES.setdefault(("fit", id(st.w)), {})
    if not t:
        for adj in st.w.scene_adjs:
            for n in st.w.adj_nouns[adj["word"]]:
                if n["word"] != adj["word"]:
                    t.setdefault(n["word"], []).append(adj["word"])
    return t.get(word, [])


def carried(st, words=_CARRIED) -> str:
    """'a warm blanket', 'two shiny marbles', 'some fresh bread': a thing someone brings along."""
    rng, v = st.rng, st.w.vocab
    word = rng.choice(words)
    n = v.noun[word]
    adjs = fitting(st, word)
    adj = rng.choice(adjs) + " " if adjs and rng.random() < 0.8 else ""
    if n.get("mass"):
        return f"some {adj}{word}"
    if rng.random() < 0.3 and n["plural"] != word:
        return f"{rng.choice(NUMBERS[2:6])} {adj}{n['plural']}"
    return a(adj + word)



def loves(st) -> None:
    """What the hero loves to do (the seed verb), composed: a frame, a way of liking it, a tail. A verb
    the hero cannot do (a girl does not bark) gets no line here: the seed words' late line places it."""
    c, rng = st.hero, st.rng
    if not seedwords.hero_can(st):
        return
    phrase, ing = st.verb_phrase("word"), st.verb_phrase("ing")
    g = st.grownup
    rel = g.title.lower() if g.kind in FAMILY else None
    when = ["every day", "every morning", "after breakfast", "before dinner", "on sunny days", "on rainy days",
            "all day long", "whenever {s} could", "when nobody was looking", "in the yard", "at home"]
    if c.is_child:
        when += ["after school", "after school"]
    if st.weather in ("rainy", "snowy", "cold", "icy") and "on sunny days" in when:
        when.remove("on sunny days")
    if st.weather in ("sunny", "hot", "warm") and "on rainy days" in when:
        when.remove("on rainy days")
    whom = ["", "", "", f" with {c.p} friends" if st.flags.get("plot") != "newfriend" else ""]  # (a new friend's story)
    if rel:
        whom.append(f" with {c.p} {rel}")
    why = [""] * 9 + [", because it made {o} {f}", ", because it was so much fun", ", and {s} was very good at it",
                      ", and {s} was getting better at it every day"]
    r = rng.random()
    fill = {"s": c.s, "o": c.o, "p": c.p, "f": rng.choice(("happy", "laugh", "smile", "feel happy", "feel brave"))}
    w = rng.choice(when).format(**fill)
    if r < 0.45:
        like = rng.choice(("loved to", "liked to", "loved to", "was always happy when {s} could", "enjoyed",
                           "was happiest when {s} could", "liked nothing better than to", "never got tired of",
                           "could spend hours", "was always ready to", "was very good at", "always wanted to",
                           "thought it was fun to")).format(**fill)
        vp = ing if like.endswith(("of", "hours", "at", "enjoyed")) else phrase
        if "could" in like and "could" in w:  # not "happy when she could dance whenever she could"
            w = "at home"
        if "when" in like:  # not "happiest when she could swim when nobody was looking"
            w = ""
        tail = rng.choice((f" {w}" if w else "", "", rng.choice(whom))) + \
            rng.choice([x for x in why if "good at" not in x or "good at" not in like]).format(**fill)
        st.s(f"{st.sub(c)} {like} {vp}{tail}.")  # (no "Most of all, he could spend hours ...")
    elif r < 0.6:
        st.s(rng.choice((f"{c.name}'s favorite thing to do was to {phrase}",
                         f"The thing {c.name} liked best was to {phrase}",
                         f"{c.name} liked to {phrase}")) +
             rng.choice(("", f" {w}", rng.choice(whom), " more than anything")) + ".")
    elif r < 0.75:
        st.s(rng.choice((f"Nothing made {c.name} as happy as {ing}", f"{c.name} was never happier than when {c.s} was {ing}",
                         f"For {c.name}, {ing} was the best fun in the world", f"{c.name} thought {ing} was more fun than anything")) +
             rng.choice(("", f" {w}", rng.choice(whom))) + ".")
    elif r < 0.88:
        st.s(rng.choice((f"{st.sub(c)} spent {rng.choice(('many happy hours', 'hours and hours', 'every free minute'))} {ing}",
                         f"{st.sub(c)} dreamed of {ing} {rng.choice(('every day', 'all the time', 'day and night'))}",
                         f"{st.sub(c)} could {phrase} {rng.choice(('all day', 'for hours', 'from morning until night'))}",
                         f"{st.sub(c)} had just learned to {phrase}, and {c.s} wanted to do it all the time")) + ".")
    else:
        st.s(f"{cap(w)}, {st.sub(c)} {rng.choice(('would', 'liked to', 'loved to', 'tried to'))} {phrase}"
             f"{rng.choice(whom)}{rng.choice(why).format(**fill)}.")


def thing_adj(st) -> str:
    adj, it = st.adj, st.thing
    fits = st.w.adj_nouns.get(adj["word"], [])
    if adj["class"] in ("color", "any", "thing") and not adj.get("predicative_only") and it in fits and not st.used_adj:
        st.used_adj = True
        return adj["word"]
    if it["kind"] == "food":
        return st.pick("yummy", "fresh") if it.get("mass") else st.pick("big", "little", "yummy", "fresh")
    return st.pick("red", "blue", "green", "yellow", "pink", "purple", "shiny", "little", "big", "new", "orange",
                   "soft" if "soft" in it["attrs"] else "old", "brown", "white", "striped", "spotted", "golden")


_KEEP = ("took it everywhere", "kept it close", "played with it every day", "took good care of it",
         "never let it go", "kept it by {p} bed at night", "kept it on a shelf by {p} bed", "carried it everywhere",
         "slept with it every night", "showed it to everyone", "kept it in a special box")
_WHERE_KEPT = ("on {p} bed", "by {p} pillow", "on a shelf in {p} room", "in {p} bag", "next to {p} bed",
               "on {p} little table")
_LOOKS = {"soft", "smooth", "round", "shiny", "sparkly", "bright", "fluffy", "fuzzy", "furry", "striped", "spotted",
          "colorful", "light", "long", "flat", "fancy", "magic", "clean", "heavy", "thin", "wide", "squishy", "pretty",
          "beautiful", "special", "strange", "tiny", "huge", "giant", "old", "new"}
_BIG = {"sled", "boat", "dollhouse", "swing", "slide", "rope", "kite", "bucket", "basket", "map", "book", "towel"}
_WHY = {"soft": "it was so soft", "round": "it was round and rolled so well", "shiny": "it was so shiny",
        "sound": "it made a funny sound", "fly": "it could fly so high"}


THING_QUIET_P = 0.6  # how often a lost thing gets no line of its own before the goal names it


def thing(st, plan) -> None:
    """The hero's thing, if the plot uses one, composed: whose it is, where it came from, how the
    hero keeps it, why they love it."""
    c, it, rng = st.hero, st.thing, st.rng
    if not plan.uses_thing:
        return
    was = st.used_adj
    st.thing_adj = adj = thing_adj(st)
    word = it["word"]
    if getattr(plan, "tool", False) or (plan.name == "lost" and st.used_adj == was and rng.random() < THING_QUIET_P):
        # what a day out is done with (a kite, a bucket), or a thing the plot's goal names ("Mia wanted to
        # play with her kite"): the plot brings it out, with no line of its own
        st.state.has(c.name, word)
        return
    desc = f"{adj} {word}"
    g = st.grownup
    fam = [x for x in ("grandma", "grandpa", "mom", "dad") if x != g.title.lower()]
    giver = rng.choice((g.title.lower(),) * 2 + tuple(fam)) if g.kind in FAMILY else rng.choice(fam)
    st.state.has(c.name, word)
    p = c.p
    origin = rng.choice(("", "", "", f" from {p} {giver}", f" from {p} {giver}"))
    occasion = rng.choice((" for " + p + " birthday", " last summer", " a long time ago", " one winter",
                           " when " + c.s + " was very little", " last week"))
    kind = "toy" if it["kind"] == "toy" else "thing"
    keep = rng.choice(_KEEP[:6] if word in _BIG or "soft" not in it["attrs"] else _KEEP).format(p=p)
    why = [v for k, v in _WHY.items() if k in it["attrs"]]
    looks = [x for x in fitting(st, word) if x in _LOOKS and x != adj]
    r = rng.random()
    if looks and not it.get("mass") and rng.random() < 0.2:  # what it is like: "a red kite, long and light"
        two = rng.sample(looks, 2) if len(looks) > 1 else looks
        st.s(f"{st.sub(c)} had {a(desc)}, {' and '.join(two)}.")
    elif it.get("mass"):  # "some fresh bread", never "a fresh bread", and not a thing one plays with
        st.s(f"{st.sub(c)} had some {desc}{origin} in {p} bag.")
    elif r < 0.2:
        love = rng.choice(("loved very much", "loved more than anything", "played with every day",
                           "kept close all the time", "took good care of", "liked best of all", "never let go of"))
        st.s(f"{st.sub(c)} had {a(desc)}{origin} that {c.s} {love}.")
    elif r < 0.32 and "favorite" not in (st.doc.cur[-1] if st.doc.cur else ""):
        st.s(rng.choice((f"{c.name}'s favorite {kind} was {a(desc)}{origin}",
                         f"{c.name}'s favorite {kind} in the whole world was {a(desc)}",
                         f"Of all {p} toys, {c.name} loved {p} {desc} best" if kind == "toy" else
                         f"{c.name}'s favorite {kind} was {p} {desc}")) +
             (f", because {rng.choice(why)}" if why and rng.random() < 0.5 else "") + ".")
    elif r < 0.5:
        st.s(f"{cap(p)} {giver} had given {c.o} {a(desc)}{occasion}, and {c.s} {keep}.")
    elif r < 0.62:
        st.s(f"{st.sub(c)} {rng.choice(('never went anywhere', 'did not go anywhere', 'never left the house'))} "
             f"without {p} {desc}.")
    elif r < 0.74:
        st.s(f"{c.name}'s {desc} {rng.choice(('went everywhere with', 'was always with', 'sat next to'))} {c.o}"
             f"{rng.choice(('', ', even at dinner', ', even in bed', ' all day'))}.")
    elif r < 0.86 and word not in _BIG:
        st.s(f"{cap(rng.choice(_WHERE_KEPT).format(p=p))} sat {p} {desc}{origin}" +
             (f", and {c.s} loved it because {rng.choice(why)}" if why else
              f", and {c.s} {rng.choice(('loved it very much', 'looked at it every day', 'liked it best of all'))}") + ".")
    else:
        st.s(rng.choice((f"{st.sub(c)} got {a(desc)}{occasion}, and {c.s} {keep}.",
                         f"{st.sub(c)} took good care of {p} {desc}, because it was a gift from {p} {giver}.",
                         f"{st.sub(c)} had {a(desc)}{origin}. It was {rng.choice((p, c.name + chr(39) + 's'))} favorite {kind}.")))


# what the grown-up has in hand in the morning, by what the plot will need: food and things for a day
# out, the kitchen's things before baking, the toys picked up in a tidy house (the lost thing's story),
# clothes for the weather before a walk
_FOOD = ("apple", "banana", "sandwich", "cookie", "water", "juice", "bread", "cheese", "pear", "orange", "grape",
         "carrot", "snack", "plum", "peach", "cracker", "muffin", "lemon", "cherry", "strawberry", "blueberry", "berry",
         "melon", "tomato", "cucumber", "cupcake", "donut", "tea", "honey", "jam", "nut", "peanut", "biscuit", "bun",
         "popcorn", "yogurt", "candy", "lollipop", "chocolate", "pie", "cake", "corn", "toast", "pudding")
_DAY_OUT = ("blanket", "bottle", "cup", "hat", "map", "towel", "umbrella", "cap", "scarf", "ball", "book", "pencil",
            "crayon", "flashlight", "sweater", "jacket", "sock", "plate", "spoon", "jar", "kite", "bucket")
_KITCHEN = ("bowl", "spoon", "cup", "plate", "jar", "flour", "sugar", "butter", "milk", "pan", "honey", "jam",
            "bottle", "basket", "towel")
_TIDY = ("block", "doll", "ball", "car", "puzzle", "book", "crayon", "teddy", "robot", "drum", "sock", "truck",
         "marble", "train", "puppet", "balloon", "sticker", "crown", "wand", "whistle", "pencil", "pen", "brush",
         "comb", "pillow", "blanket", "hat", "cap", "scarf", "mitten", "shoe", "shirt", "dress", "ribbon", "bow",
         "card", "picture", "drawing", "letter", "rope", "box", "spaceship", "button", "bell")
_WEAR = {"cold": ("coat", "scarf", "mitten", "hat", "boot", "sweater", "glove"), "wet": ("raincoat", "boot"),
         "warm": ("hat", "shoe", "jacket")}
_SEED_KINDS = {"pack": {"food", "household", "clothing", "toy", "tool", "instrument"}, "kitchen": {"food", "household"},
               "meal": {"food"},
               "tidy": {"toy", "household", "clothing", "instrument"}, "wear": {"clothing"}}


_FOOD_ADJ = {"fresh", "yummy", "tasty", "juicy", "sweet", "crunchy", "big", "little", "small", "ripe", "soft", "round"}
_PAIRS = {"boot", "mitten", "glove", "sock", "shoe"}


def _item_np(st, word: str, taken: set) -> str:
    """'two ripe pears', 'some milk', 'a soft blanket': one (food: one or a few) of `word`, with an
    adjective that fits it (the seed adjective if it does and is still unused)."""
    rng, n = st.rng, st.w.vocab.noun[word]
    if n.get("mass"):  # (no adjective: "some silver milk" is what the vocabulary allows, not what one says)
        return f"some {word}"
    adjs = [x for x in _fit_adjs(st, word) if x not in taken]  # (not "two tasty snacks and four tasty cookies")
    seed = st.adj["word"]
    if not st.used_adj and seed in adjs and not st.adj.get("predicative_only"):
        adj, st.used_adj = seed + " ", True
    else:
        adj = rng.choice(adjs) + " " if adjs and rng.random() < 0.6 else ""
    taken.add(adj.strip())
    if n["kind"] == "food" and n["plural"] != word and (rng.random() < 0.45 or "small" in n["attrs"]):
        return f"{rng.choice(NUMBERS[2:5])} {adj}{n['plural']}"
    return a(adj + word)


def _items(st, pool, use: str, k: int = 2) -> str:
    """`k` things from `pool` as a noun phrase ("two apples and a warm blanket"), the seed noun among
    them where it is that kind of thing and the story has no place for it yet."""
    rng, v, n = st.rng, st.w.vocab, st.noun
    words = [w for w in rng.sample(pool, min(len(pool), k + 2)) if w in v.noun][:k]
    seed = st.adj["word"]
    if not st.used_adj and not st.adj.get("predicative_only") and not any(seed in _fit_adjs(st, w) for w in words):
        key = ("fit_pool", use, len(pool), seed)  # (the pools are fixed per use, the lost thing's aside)
        fit = _TABLES.get(key)
        if fit is None:
            fit = _TABLES[key] = [w for w in pool if w in v.noun and seed in _fit_adjs(st, w)]
        fit = [w for w in fit if w not in words and w in pool]
        if fit:  # a thing the seed adjective suits (rather than a line of its own at the end)
            words[-1] = rng.choice(fit)
    if ((n["kind"] == "food" or n["word"] in _SEED_ITEMS[use]) and n["kind"] in _SEED_KINDS[use]
            and "meal" not in n["attrs"] and st.w.portable(n) and n["word"] not in _NOT_ITEM
            and not st.doc.has_word(n["word"], n["plural"]) and n["word"] not in words
            and not (use == "meal" and n.get("mass"))):
        words[rng.randrange(len(words))] = n["word"]
        st.used_noun = True
    taken: set = set()
    nps = [_item_np(st, w, taken) for w in words]
    return nps[0] if len(nps) == 1 else ", ".join(nps[:-1]) + " and " + nps[-1]


def _fit_adjs(st, word: str) -> list[str]:
    """Adjectives that fit `word` and hold whatever the weather (not "two hot cherries"); for food,
    only those that say how it tastes or looks to eat (not "a blue pear")."""
    t = _TABLES.setdefault(("fit_item", id(st.w)), {})
    adjs = t.get(word)
    if adjs is None:
        adjs = [x for x in fitting(st, word) if x not in doings._PASSING and x not in ("pretty", "ugly")]
        adjs = t[word] = [x for x in adjs if x in _FOOD_ADJ] if st.w.vocab.noun[word]["kind"] == "food" else adjs
    return adjs


# household things (and toys, clothes) that the seed noun may be among, by the grown-up's line
_SEED_ITEMS = {"pack": {"blanket", "bottle", "cup", "towel", "book", "map", "umbrella", "hat", "scarf", "coat", "ball",
                        "kite", "jar", "box", "bucket", "basket", "napkin", "plate", "spoon", "shovel", "net",
                        "boot", "mitten", "sweater", "jacket", "glove", "raincoat", "sock", "shoe", "cap", "doll",
                        "teddy", "puzzle", "block", "marble", "crayon", "whistle", "flashlight", "pencil", "sticker",
                        "bandage", "rope", "bottle", "towel", "camera", "book", "flute", "car", "truck", "robot",
                        "puppet", "wand"},
               "kitchen": {"bowl", "spoon", "cup", "plate", "jar", "pot", "pan", "fork", "apron", "napkin", "mug"},
               "tidy": set(_TIDY) | {"box", "book", "crayon", "pillow", "blanket", "sock", "shoe", "hat", "kite",
                                     "puzzle", "marble", "whistle", "guitar", "flute", "piano", "ball", "toy"},
               "wear": set(_WEAR["cold"] + _WEAR["wet"] + _WEAR["warm"]) | {"cap", "sweater", "jacket", "sock"},
               "meal": set()}
_NOT_ITEM = {"egg", "knife", "needle", "scissors", "money", "medicine", "glue", "soap", "toothbrush", "paint",
             "tape", "key", "ring", "phone", "radio", "clock", "oven", "stove", "fridge", "sink"}


def _wear(st) -> tuple:
    w = st.weather
    return _WEAR["cold" if w in ("cold", "snowy", "icy", "windy", "cool") else "wet" if w in ("rainy", "foggy", "cloudy")
                 else "warm"]


def grownup_line(st, plan, who: str) -> str:
    """What the grown-up is doing when the story opens, about what the plot will need: a bag packed for
    the day out, the kitchen's things out before baking, toys picked up off the floor in the house where
    something will go missing, boots on for a walk."""
    g, rng = st.grownup, st.rng
    name, p = plan.name, g.p
    if name == "baking":
        things = _items(st, _KITCHEN, "kitchen", rng.choice((1, 2, 2)))
        return _composed(st, who, (f"had {things} out on the table", f"was getting out {things}",
                                   f"put {things} on the table", f"was in the kitchen with {things}",
                                   f"had {things} out on the kitchen table", f"took out {things}",
                                   f"brought {things} to the table", f"found {things} for the two of them"))
    if name == "lost":
        things = _items(st, [x for x in _TIDY if x != st.thing["word"]], "tidy", 2)
        return _composed(st, who, (f"put away {things}", f"was picking up {things} from the floor",
                                   f"put {things} back in a box", f"was putting away {things}",
                                   f"was sweeping the floor around {things}", f"found {things} under the bed",
                                   f"picked up {things}", f"put {things} on a shelf"))
    if name == "rescue" and rng.random() < 0.5:
        n = st.noun
        word = n["word"] if n["word"] in _SEED_ITEMS["wear"] and not st.doc.has_word(n["word"], n["plural"]) \
            else rng.choice(_wear(st))
        st.used_noun |= word == n["word"]
        things = f"{p} {st.w.vocab.noun[word]['plural'] if word in _PAIRS else word}"
        return _composed(st, who, (f"was looking for {things}", f"put on {things}", f"got {things} from the door"))
    if name != "outing" and rng.random() < BUSY_P:  # a plot that needs nothing of the morning: busy at home
        return f"{who} {'was ' + doings.activity(st) if rng.random() < 0.3 else doings.activity(st, form='past')}."
    if name != "outing":  # breakfast, with what there is to eat
        things = _items(st, _MEAL, "meal", rng.choice((1, 1, 2)))
        o = st.hero.o
        return _composed(st, who, (f"gave {o} {things} for breakfast", f"had {things} on the table",
                                   f"was eating {things}", f"brought home {things} from the market",
                                   f"cut {things} for {o}", f"put {things} on {st.hero.p} plate",
                                   f"shared {things} with {o} at breakfast", f"brought {things} to the table"))
    things = _items(st, _FOOD + _DAY_OUT, "pack", rng.choice((1, 2, 2)))
    own = "a" if g.gender == st.hero.gender else p  # (not "Liam's grandpa put an apple in his basket": whose?)
    bag = rng.choice(("a bag", "a basket", f"{own} bag", f"{own} basket", "a big bag"))
    why = rng.choice(("", "", " for the day", " for later", " for the trip", " for the two of them"))
    return _composed(st, who, (f"was packing {things}{why}", f"packed {things} in {bag}",
                               f"put {things} by the door{why}", f"had {things} ready{why}", f"was looking for {things}",
                               f"got out {things}{why}", f"had bought {things}{why}", f"filled {bag} with {things}",
                               f"found {things}{why}"))


BUSY_P = 0.5  # how often, in a plot that needs nothing of the morning, the grown-up is just busy at home
_MEAL = tuple(x for x in _FOOD if x not in ("water", "juice", "tea", "honey", "jam", "snack", "candy", "lollipop",
                                             "popcorn", "chocolate"))


def _composed(st, who: str, acts) -> str:
    """'Mia's dad packed two pears in a bag.' (with the seed noun where the grown-up is, if it is a place
    at home: "by the fridge"). One clause: a lead ("was up early, and he ...") only repeated the frame."""
    act = st.rng.choice(acts)
    if not any(x in act for x in ("kitchen", "table", "floor", "door", "bag", "basket", "box")):
        act += doings.home_spot(st)
    return f"{who} {act}."


def grownup(st, plan) -> None:
    """The grown-up comes in with a line about what the plot will need (`grownup_line`), named as the
    hero's: "Mia's dad" (the name makes the frame's words this story's own, where "her dad" repeats)."""
    c, g = st.hero, st.grownup
    rel = g.title.lower()
    who = f"{c.name}{chr(39)}s {st.intro(g, rel)}"
    st.s(grownup_line(st, plan, who))


def _possessed(st, c, n: int) -> bool:
    """Whether each of the last `n` sentences began with "Mia's" (the hero's name, possessive)."""
    cur = st.doc.cur[-n:]
    return len(cur) == n and all(re.sub("\x01\\d+\x02", "", t).startswith(c.name + chr(39) + "s ") for t in cur)


def companion(st, plan) -> None:
    """The companion arrives (a friend) or is there (a sibling), composed: who they are, how they
    come, what they are doing or bring."""
    c, f, rng = st.hero, plan.companion, st.rng
    rel = f.first[: -len(f.name)]
    if not _possessed(st, c, 2):  # "Mia's friend " (as "Mia's dad"), but not three "Mia's" in a row
        rel = f"{c.name}{chr(39)}s {rel.split(' ', 1)[1]}"
    if st.flags.get("sibling"):
        what = rng.choice(("was still asleep", "was already awake", "was eating breakfast", "was looking for {p} socks",
                           "wanted to come too", "was brushing {p} teeth", "ran in with only one sock on"))
        if rng.random() < 0.55:
            what = f"was {doings.activity(st)}"
        st.s(f"{cap(rel)}{st.intro(f, f.name)} {what.format(p=f.p)}.")
        return
    nbrs = [x for d in ("north", "south", "east", "west") if (x := st.w.neighbor(plan.home, d))]
    where = rng.choice(("next door", "down the road", "across the street", "on the same street", "near the {X}",
                        "by the {X}", "close to the {X}", "just past the {X}", "on the other side of the {X}")).format(X=st.place_mark(rng.choice(nbrs)) if nbrs else "park")
    came = rng.choice(("knocked on the door", "came over to play", "came to visit", "ran over", "came by on {p} bike",
                       "came over with a big smile", "waved from the yard", "rang the bell", "came over after breakfast",
                       "knocked on the window", "came running down the street", "came to the door and called " + c.name))
    if rng.random() < 0.4:
        came = rng.choice(("came over with", "came to play and brought", "ran over with", "came by with")) + " " + \
            carried(st, _CARRIED[19:])
    r = rng.random()
    near = where in ("next door", "down the road", "across the street")
    if r < 0.1 and near and "knock" not in came:  # "Soon someone knocked on the door. It was her friend Ben from next door."
        st.s(f"{rng.choice(('Soon', 'Just then,', 'After breakfast,'))} someone knocked on the door. "
             f"It was {rel}{st.intro(f, f.name)} from {where}.")
    elif r < 0.2 and near:  # "Ben, her friend from next door, came over to play."
        st.s(f"{st.intro(f, f.name)}, {rel.strip()} from {where}, {came.format(p=f.p)}.")
    elif r < 0.45:  # "Mia's friend Ben came over with a ball." (where the friend lives is not the plot's)
        st.s(f"{cap(rel)}{st.intro(f, f.name)} {came.format(p=f.p)}.")
    elif r < 0.6:
        st.s(f"{rng.choice(('Then', 'Soon', 'Just then,', 'After a while,'))} {c.p} "
             f"{rng.choice(('friend', 'best friend', 'good friend'))} {st.intro(f, f.name)} {came.format(p=f.p)}.")
    elif r < 0.8:
        st.s(f"{cap(rel)}{st.intro(f, f.name)}, who lived {where}, {came.format(p=f.p)}.")
    else:
        st.s(f"{cap(rel)}{st.intro(f, f.name)} lived {where}, and {rng.choice(('', '', 'that morning ', 'soon '))}{f.s} "
             f"{came.format(p=f.p)}.")


# --- the closing ------------------------------------------------------------------------------------


def make_up(st, plan) -> None:
    """After a quarrel: making up (or not, in a bad ending), with the thing they fought over."""
    c, f, rng = st.hero, plan.companion, st.rng
    it = st.thing["word"] if st.thing else "toy"
    if plan.bad:
        st.s(rng.choice((f"{st.nm(c)} and {st.nm(f)} did not play together for a long time.",) + (
            (f"{st.nm(f)} did not talk to {c.name} for the rest of the day.",  # (a brother lives in the same house)
             f"At dinner, {st.nm(c)} and {st.nm(f)} did not look at each other.",
             f"{st.nm(f)} went to {f.p} room and closed the door.") if st.flags.get("sibling") else
            (f"That day, {st.nm(f)} went home without saying goodbye to {c.name}.",
             f"{st.nm(f)} did not come to play the next day, or the day after.",
             f"{st.nm(c)} wanted to say sorry to {f.name}, but {f.s} had already gone home."))))
        return
    first, second = (c, f) if rng.random() < 0.6 else (f, c)
    how = rng.choice(("said sorry to {B}", "went to {B} and said sorry", "told {B} {x} was sorry",
                      "gave {B} a hug and said sorry"))
    after = rng.choice(("and they were friends again", "and they played together until dinner",
                        f"and they played with the {it} together", "and they both laughed",
                        "and {B} said sorry too", "and soon they were laughing again"))
    opener = rng.choice(("Later, ", "In the end, ", "After a while, ", "Soon ", "", "That afternoon, "))
    t = f"{opener}{st.nm(first)} {how}, {after}."
    st.s(t.format(B=st.nm(second), x=first.s))


def closing_line(st, plan) -> str:
    """What the grown-up says at the end, about what happened in this story."""
    c, rng, rc = st.hero, st.rng, recap(st, plan)
    N = c.name
    if plan.bad:
        loss = rng.choice(rc.losses) if rc.losses else None
        opts = [f"I am sorry, {N}, we can try again another day.", f"Do not be sad, {N}, tomorrow will be better.",
                f"It is okay to be sad, {N}."]
        if loss:
            opts += [f"I am sorry about {_you(loss, c)}, {N}.", f"We will think of something, {N}, I promise."]
        if rc.again:
            d = rng.choice(rc.again)
            opts.append(f"We can {_you(rc.form(st, d, 'word'), c)} {rng.choice(('another day', 'next week', 'tomorrow', 'soon'))}, {N}.")
        return rng.choice(opts)
    adj, ch = rng.choice(rc.praise), rng.choice
    opts = [f"You were so {adj} today, {N}.", f"What a {ch(('good', 'busy', 'happy', 'fun', 'big'))} day, {N}!"]
    if rc.proud:  # what the hero did, said back to them: the grown-up's word is this story's own
        d = ch(rc.proud)
        ing, did = _you(rc.form(st, d, "ing"), c), _you("you " + rc.form(st, d, "past"), c)
        opts += [f"{ch(('I am so proud of you', 'Well done', 'Thank you'))} for {ing}, {N}.",
                 f"{cap(did)}, {N}! {ch(('I am so proud of you.', 'Well done!', 'That was very ' + adj + '.'))}",
                 f"{cap(did)} today, {N}."]
    if rc.fun:
        d = ch(rc.heart())
        opts += [f"{ch(('Did you have fun', 'Did you like', 'How was'))} {_you(rc.form(st, d, 'ing'), c)}, {N}?"]
    if rc.again:
        d = ch(rc.again)
        opts.append(f"{ch(('We can', 'Maybe we can', 'Next time we will'))} {_you(Recap.again_phrase(st, d), c)}"
                    f"{ch((' soon', ' next week', ' another day', ''))}, {N}.")
    return ch(opts)


_NIGHT = ("That night, ", "Later that night, ", "When the moon came up, ", "When it was time for bed, ", "Before bed, ",
          "When the stars came out, ", "After dinner, ", "When the day was over, ", "That evening, ", "At the end of the day, ",
          "When the sun went down, ", "After a warm bath, ")
_EVENING = 6  # the openers from here on are still evening, not night
LAST_OPENER_P = 0.2  # how often the last line opens with the evening ("That night, ")
LAST_OWN_P = 0.8  # how often it tells of this story's events (`Recap`) rather than of the hero's feelings
LAST_TAIL_P = 0.15  # how often it goes on after the beat ("..., and she would always remember the lake")
# what the hero does with a sad memory ({x}), and when
_SAD = ("thought about {x}", "sat by the window and thought about {x}", "lay in bed and thought about {x}",
        "could not stop thinking about {x}", "sighed about {x}", "did not want to talk about {x}",
        "cried a little about {x}", "told {rel} about {x}", "kept going over {x} in {p} head", "was still sad about {x}")
_SAD_WHEN = ("", "", " for a long time", " until it was dark", " all evening", " at dinner",
             " before bed", " with a heavy heart", " long after the lights were out")
# what the hero does with a memory ({x}: an -ing phrase or a noun phrase; _RECALL_NP: a noun phrase only), and when
_RECALL = ("thought about {x}", "smiled about {x}", "dreamed of {x}", "told {p} teddy about {x}", "told {rel} about {x}",
           "talked about {x}", "kept thinking about {x}", "hummed a song about {x}", "whispered to {p} pillow about {x}",
           "still giggled about {x}", "told {p} doll all about {x}", "went over {x} in {p} head")
_RECALL_NP = ("drew a picture of {x}", "smiled at the thought of {x}", "made up a song about {x}", "could still see {x}")
_RECALL_WHEN = ("", "", " in bed", " at dinner", " before bed", " that night", " all evening", " as {s} fell asleep",
                " under {p} warm blanket", " with a big smile", " again and again", " until {s} fell asleep",
                " while {s} brushed {p} teeth", " over a cup of warm milk")
_DUSK = ("", "That evening, ", "When the sun went down, ", "At the end of the day, ", "When the day was over, ")
_LATE = tuple(o for o in _NIGHT if o not in _DUSK)
_SUPPER = (" at dinner", " all evening", " until it was dark", "everyone at dinner")  # said before bed only
_GOOD_DAY = ("wonderful", "great", "happy", "special", "perfect", "fun", "busy but happy", "good", "long but happy")


def _late(st) -> bool:
    """Whether the story is already past dinner: night, or the last sentence began "Before bed, "."""
    return st.state.time == "night" or bool(st.doc.cur) and st.doc.cur[-1].lstrip(FIXED).startswith(_LATE)


def _after(opener: str, st, whens: tuple) -> tuple:
    """The `whens` that can follow `opener` in one sentence: time does not run back ("Before bed, Mia told her
    mom at dinner") nor say itself twice ("That night, ... that night")."""
    late = opener not in _DUSK or _late(st)
    o = opener.lower()
    return tuple(w for w in whens if not (late and w in _SUPPER) and not (w and (w.strip() in o or w.endswith(" bed") and "bed" in o)))


def last_line(st, plan, N: str, bad: bool) -> str:
    """The story's last sentence about the hero, composed from an opener, a beat about what happened
    today and a tail (the main-character item: `N` is the hero's name, marked)."""
    c, rng, rc = st.hero, st.rng, recap(st, plan)
    P = _plots()
    g = st.grownup.title.lower() if st.grownup.kind in FAMILY else st.grownup.title
    pool = _NIGHT if st.state.time != "night" else _NIGHT[:_EVENING]  # no evening once it is night
    opener = rng.choice(pool) if rng.random() < LAST_OPENER_P else ""
    if opener and st.doc.cur and st.doc.cur[-1].startswith(opener):  # not "At the end of the day," twice
        opener = ""
    if opener:
        st.state.at("evening" if pool.index(opener) >= _EVENING else "night")
    mem = rng.choice(rc.nps) if rc.nps else f"{c.p} day"
    rel = f"{c.p} {g}" if st.grownup.kind in FAMILY else g
    it = st.thing["word"] if st.thing else None
    holds = it and st.state.holder.get(it) == c.name and not st.thing.get("mass")
    ch = rng.choice
    if bad:
        loss = ch(rc.losses) if rc.losses else mem
        G = st.grownup.title if st.grownup.title[:1].isupper() else st.grownup.s
        def sad():  # "Mia sat by the window and thought about the broken eggs until it was dark"
            how = ch(_SAD).format(x=loss, p=c.p, s=c.s, rel=f"{c.p} {g}")
            when = ch(_after(opener, st, _SAD_WHEN))  # (not after a clause: "sighed about how scared she had been at dinner")
            return f"{N} {how}{'' if loss.startswith('how ') else when}"

        bed = "lay in bed" if "bed" in opener else "went to bed"  # (not "When it was time for bed, Mia went to bed")
        beats = [lambda: f"{N} {bed} feeling {P.feel(st, 'neg')}", sad, sad, sad,
                 lambda: f"{N} was {P.feel(st, 'neg')}{ch(_after(opener, st, (' for a long time', ' all evening', ' until it was time for bed')))}",
                 lambda: f"{N} was {P.feel(st, 'neg')}, and {c.s} could not stop thinking about {loss}",
                 lambda: f"{N} {ch(('hugged', 'held'))} {c.p} pillow and {ch(('cried', 'sighed', 'sniffled', 'sobbed'))} a little",
                 lambda: f"{N} wished the day had gone {ch(('another way', 'better', 'a different way'))}",
                 lambda: f"{N} felt like the {ch(('saddest', 'loneliest'))} {c.kind} in the whole world",
                 lambda: f"{N} told {c.p} {g} about {loss}, and {G} held {c.o} close"]
        if not opener and plan.name in ("outing", "rescue"):
            beats.append(lambda: f"{N} {ch(('walked', 'went'))} home {ch(('slowly', 'quietly', 'without a word'))}")
        if rc.again:
            beats.append(lambda: f"{N} hoped to {Recap.again_phrase(st, ch(rc.again))} another day")
        tail = "" if rng.random() >= LAST_TAIL_P else ch((f". It was not a good day for {c.name}",
                   f". Tomorrow, {c.s} hoped, would be {ch(('better', 'a better day', 'kinder', 'a happier day', 'a new day'))}",
                   f", and {c.s} {ch(('never forgot it', 'did not sleep well', 'felt very small'))}"))
        return opener + ch(beats)() + tail + "."
    fam = st.grownup.kind in FAMILY
    beats = [lambda: f"{N} {'lay in bed' if 'bed' in opener else 'went to bed'} with a big smile",
             lambda: f"{N} fell asleep {ch(('right away', 'with a smile', 'quickly', 'as soon as ' + c.s + ' lay down'))}",
             lambda: recall(mem, True), lambda: recall(mem, True), lambda: f"{N} felt {P.more(st)} than ever",
             lambda: f"{N} could not wait to tell {ch(('everyone', c.p + ' friends', 'the whole village', c.p + ' teacher'))} about {mem}",
             lambda: f"{N} closed {c.p} eyes and {ch(('smiled', 'thought about ' + mem))}",
             lambda: f"{N} {ch(('knew', 'thought', 'said'))} it was the best {ch(('', '', st.season + ' '))}day ever",
             lambda: f"{N} felt like the {ch(('luckiest', 'happiest', 'proudest'))} {c.kind} in the {ch(('whole world', 'village', 'world'))}"]
    own = []  # beats about this story's events: told more often than the general ones
    if rc.thanks and fam:
        own.append(lambda: ch((f"{N} hugged {c.p} {g} and said thank you for {ch(rc.thanks)}",
                               f"{N} thanked {c.p} {g} for {ch(rc.thanks)}")))
    if rc.proud:
        def proud():
            d = ch(rc.proud)
            pp, ing = rc.form(st, d, "participle"), rc.form(st, d, "ing")
            return ch((f"{N} was proud that {c.s} had {pp}", f"{N} felt proud of {c.r} for {ing}",
                       f"{N} smiled, because {c.s} had {pp}", f"{N} told {ch(_after(opener, st, ('everyone at dinner', rel, c.p + ' friends')))} how {c.s} had {pp}",
                       f"{cap(ing)} {ch(('had been hard', 'had been a big job', 'had not been easy'))}, "
                       f"{ch(('but ' + N + ' had done it', 'but ' + N + ' had not given up', 'and ' + N + ' was glad ' + c.s + ' had tried'))}",
                       f"{N} could hardly believe that {c.s} had {pp}"))
        own += [proud, proud]
    def recall(x: str, np: bool) -> str:  # "Mia told her teddy about the lake before bed"
        how = ch(_RECALL + (_RECALL_NP if np else ())).format(x=x, p=c.p, s=c.s, rel=rel)
        return f"{N} {how}{ch(_after(opener, st, _RECALL_WHEN)).format(p=c.p, s=c.s)}"

    if rc.fun:
        def fun():
            ing = rc.form(st, ch(rc.heart()), "ing")
            return recall(ing, False) if rng.random() < 0.8 else \
                ch((f"For {N}, {ing} had been the best {ch(('thing about the day', 'fun of all', 'thing of all'))}",
                    f"Of all the things {c.s} did that day, {N} liked {ing} best"))
        own += [fun, fun]
    if st.state.went_out(c.name) and rc.place != plan.home and not opener:
        own.append(lambda: f"{ch(('On the way home from', 'Walking home from', 'All the way back from', 'As they left'))} "
                           f"the {st.place_mark(rc.place)}, {N} {ch(('sang a happy song', 'skipped and hopped', 'talked about ' + mem, 'could not stop smiling', 'was smiling from ear to ear', 'waved goodbye to every tree'))}")
    f = getattr(plan, "kid", None) or plan.companion  # (the new friend, not the sister who came along)
    if f and st.known(f) and f.name not in mem:
        own.append(lambda: f"{N} and {f.name} talked about {mem} {ch(('until they fell asleep', 'in their beds'))}"
                   if st.flags.get("sibling") and f is plan.companion else
                   f"{N} {ch(('waved goodbye to', 'hugged'))} {f.name}, and they {ch(('promised to play again soon', 'said they would meet again the next day'))}")
    neg = [e[2] for e in st.state.events if e[0] == "feel" and e[1] == c.name and e[2] in P.NEG_FEEL]
    if neg:
        own.append(lambda: ch((f"{N} had been {neg[-1]} {ch(('at first', 'before', 'for a while'))}, but now {c.s} felt {P.feel(st, 'pos')}",
                               f"{N} was not {neg[-1]} anymore, and {c.s} {ch(('smiled', 'hummed a little song', 'hugged ' + rel))}")))
    if st.known(st.grownup):
        def praised():  # the grown-up's praise, with what suits this story's deeds
            adj, R = ch(rc.praise), rel if opener else cap(rel)
            hug = ch((f"gave {N} a big hug and said", f"hugged {N} and told {c.o}", f"sat by {N}'s bed and whispered that"))
            return ch((f"{N} {ch(('smiled', 'beamed', 'blushed'))} when {rel} said {c.s} had been {ch(('very ', 'so ', ''))}"
                       f"{adj} {ch(('that day', 'today'))}",
                       f"{N} felt {P.more(st)} than ever when {rel} called {c.o} {a(adj + ' ' + c.kind)}",
                       f"{R} {hug} {c.s} was {ch(('the best', 'a very ' + adj, 'such ' + a(adj)))} {c.kind}"))
        own.append(praised)
    if holds:
        def pillow():
            st.state.uses(c.name, it)
            return ch((f"{N} put {c.p} {it} next to {c.p} pillow and closed {c.p} eyes",
                       f"{N} fell asleep with {c.p} {it} {'in ' + c.p + ' arms' if it not in _BIG else 'by the bed'}"))
        own.append(pillow)
    beat = ch(own if own and rng.random() < LAST_OWN_P else beats)()
    if opener and beat[:1].isupper():  # "When the stars came out, of all the things ..." (the name comes marked)
        beat = beat[0].lower() + beat[1:]
    tail = "" if rng.random() >= LAST_TAIL_P else rng.choice((
        f", thinking about {mem}", f". It had been a {rng.choice(_GOOD_DAY)} day",
        f", and {c.s} would always remember {mem}", f". Every time {c.s} thought about {mem} after that, {c.s} smiled"))
    if mem in beat and mem in tail or ("thinking" in beat and "thinking" in tail) or (it and it in beat and it in tail):
        tail = ""
    return opener + beat + tail + "."


SHORT_P = 0.75  # how often a good ending's last line is one short line of this story's own
_SOON = ("soon", "the next day", "tomorrow", "one day soon", "before long", "very soon")


def short_last(st, plan, N: str) -> str:
    """A short last line (TinyStories' endings are often one short sentence), still this story's own:
    what the hero did or wants to do again, the thing in their arms, the friend, the grown-up, the place
    ("Mia had found her doll!", "Mia hugged her dad.", after a bad ending "Mia cried a little."); "" 1 - `SHORT_P`
    of the time.
    `N` is the hero's name, marked as the main-character item."""
    if st.rng.random() >= SHORT_P:
        return ""
    c, rng, rc = st.hero, st.rng, recap(st, plan)
    ch, g, f = rng.choice, st.grownup, getattr(plan, "kid", None) or plan.companion
    # after "That night, Mia told Dad, ..." not "Mia smiled all evening"
    ev = () if _late(st) else ("all evening",)
    if plan.bad:  # "Mia was sad.", "Mia cried a little."
        return ch((f"{N} was {ch(('very ', 'so ', ''))}{_plots().feel(st, 'neg')}.",
                   f"{N} {ch(('cried', 'sniffled', 'sighed'))} {ch(('a little', 'quietly', 'into ' + c.p + ' pillow'))}.",
                   f"{N} {ch(('did not want any dinner', 'sat by the window', 'was very quiet'))} that {ch(('night', 'evening'))}.",
                   f"{N} did not {ch(('smile', 'play', 'sing', 'laugh'))} {ch(('again that day', *ev, 'for the rest of the day'))}."))
    it = st.thing["word"] if st.thing and not st.thing.get("mass") else None
    opts = []
    if rc.again:
        opts.append(lambda: f"{N} {ch(('wanted', 'asked', 'hoped', 'could not wait'))} to "
                            f"{Recap.again_phrase(st, ch(rc.again))} {ch(_SOON)}.")
    if rc.proud:
        opts += [lambda: f"{N} had {rc.form(st, ch(rc.proud), 'participle')}!"] * 2
    if rc.fun:
        opts.append(lambda: f"{N} {ch(('loved', 'had loved', 'had so much fun'))} {rc.form(st, ch(rc.heart()), 'ing')}.")
    if it and st.state.holder.get(it) == c.name:
        def hold():
            st.state.uses(c.name, it)
            how = ("held", "hugged", "held on to") if it not in _BIG else ("looked at", "smiled at", "took care of")
            return f"{N} {ch(how)} {c.p} {it}{ch(('', '', ' and smiled', *(' ' + x for x in ev)))}."
        opts.append(hold)
    if f and st.known(f) and not st.flags.get("quarrel"):
        opts.append(lambda: f"{N} and {f.name} {ch(('had so much fun', 'laughed and played', 'were the best of friends', *('played until dinner' for _ in ev), 'were very happy'))}.")
    if st.known(g):
        rel = f"{c.p} {g.title.lower()}" if g.kind in FAMILY else g.title
        opts.append(lambda: f"{N} {ch(('hugged ' + rel, 'gave ' + rel + ' a big hug', 'thanked ' + rel, 'smiled at ' + rel))}.")
    if st.state.went_out(c.name) and rc.place != plan.home:
        opts.append(lambda: f"{N} {ch(('loved', 'liked', 'really liked'))} the {st.place_mark(rc.place)}.")
    nps = [x for x in rc.nps if not x.startswith("the day") and " and " not in x]
    if nps:
        opts.append(lambda: f"{N} dreamed {ch(('of', 'about'))} {ch(nps)} that night.")
    opts += [lambda: f"{N} was {ch(('so ', 'very ', ''))}{_plots().feel(st, 'pos')}.",
             lambda: f"{N} {ch(('fell asleep smiling', 'slept well that night', *('smiled ' + x for x in ev)))}."]
    return ch(opts)()


# what the story teaches, by plot and outcome: the lesson and how it can be said of this story's things
def lesson(st, plan) -> tuple[str, str] | None:
    """('that', clause) or ('to', verb phrase): the story's lesson, from its plot and what happened."""
    c, rng, rc = st.hero, st.rng, recap(st, plan)
    name, p = plan.name, c.p
    it = st.thing["word"] if st.thing else "toy"
    g = st.grownup.title
    opts: list[tuple[str, str]]
    if name == "outing":
        if getattr(plan, "failed", False):
            opts = [("that", "some days do not go the way you want, and that is okay"), ("to", "look at the sky before going out"),
                    ("that", "a rainy day is not the end of the world"), ("that", "there is always another day"),
                    ("that", f"the {plan.dest} would still be there another day")]
        elif plan.bad:
            opts = [("to", f"keep {p} things close"), ("to", f"take good care of {p} {it}"),
                    ("that", "things get lost when you do not look after them"), ("to", f"hold on tight to {p} {it}"),
                    ("to", f"hold {p} {it} close on a busy day at the {plan.dest}")]
        else:
            verb, _, rest = plan.activity.partition(" ")
            ing = rc.form(st, (verb, rest), "ing")
            rel = st.grownup.title if st.grownup.title[:1].isupper() else "family"
            opts = [("that", "a day out is best with the people you love"), ("that", f"{ing} is more fun with someone you love"),
                    ("that", f"a day at the {plan.dest} is best with {rel}"), ("that", f"{ing} is one of the best things to do"),
                    ("that", "there is always something new to see"), ("that", "the best days are the ones you share"),
                    ("that", f"a {st.season} day at the {plan.dest} can be full of surprises"),
                    ("to", f"say thank you for a day at the {plan.dest}"),
                    ("that", "a good day can start with a small plan")]
            if plan.dest not in ing:
                opts.append(("that", f"the {plan.dest} was a fine place for {ing}"))
            if plan.rain_later:
                opts += [("that", "waiting a little can make fun even better"), ("that", "rain does not last for long")]
    elif name == "lost":
        if plan.bad:
            opts = [("to", f"keep {p} {it} in a safe place"), ("to", "put things away with care"),
                    ("that", "broken things are hard to fix")]
        else:
            opts = [("that", "it is good to keep your things in their place"), ("to", "ask before getting upset"),
                    ("that", f"{p} {it} had not been lost at all"), ("that", f"a {it} is easy to find when it is put away"),
                    ("to", f"put {p} {it} back when {c.s} was done with it"), ("that", "a neat room makes things easy to find"),
                    ("that", "things are not lost just because you can't see them"),
                    ("to", f"look carefully before getting sad about a lost {it}"), ("that", f"{p} {it} was never far away"),
                    ("to", "look under and behind things first"),
                    ("that", f"a lost {it} likes to hide in the last place you look"), ("to", "stay calm and look again")]
    elif name == "baking":
        if plan.bad:
            opts = [("to", "be careful with things that can break"), ("to", "walk slowly when carrying eggs"),
                    ("that", "when things break, you can always try again")]
        else:
            dish = plan.dish
            opts = [("that", "a gift you make yourself is the best gift"), ("to", "be careful with things that can break"),
                    ("that", f"{dish} made with love {'are' if dish.endswith('s') else 'is'} the best gift"),
                    ("that", f"{dish} you bake for someone {'taste' if dish.endswith('s') else 'tastes'} the best"),
                    ("that", "cooking is more fun when you do it together"), ("that", "giving makes you as happy as getting"),
                    ("that", f"helping {g} was fun" if g[:1].isupper() else "helping is fun"),
                    ("that", f"good things take time, like {dish} in the oven"),
                    ("to", "carry eggs slowly and carefully"), ("that", f"baking for {plan.for_whom} was a way to say I love you"),
                    ("that", f"{plan.for_whom} liked the {dish} because {c.s} had made {'them' if dish.endswith('s') else 'it'}"),
                    ("to", f"wait for the {dish} to cool before eating"), ("that", "a kitchen is a fun place to help")]
    elif name == "rescue":
        an = plan.animal
        if plan.bad:
            opts = [("that", "you can't always help, but it is good to try"), ("to", "ask for help right away"),
                    ("that", "some animals are happier when they are free")]
        else:
            opts = [("that", "it is good to help animals in need"), ("that", "even a small child can be a big help"),
                    ("that", f"even a little {an} needs a friend"), ("that", f"a {an} in need should always get help"),
                    ("to", f"be gentle with little animals like the {an}"), ("to", "ask a grown-up for help when an animal needs it"),
                    ("that", "every animal needs a friend sometimes"), ("that", f"a scared {an} needs a soft, quiet voice"),
                    ("to", f"stay calm when a little {an} is scared"), ("that", f"a {an} can be a friend too"),
                    ("that", f"a quiet voice helps a scared {an}"), ("to", f"move slowly near a little {an}"),
                    ("that", f"the {plan.where} is home to many little animals")]
    elif name == "share":
        f = plan.companion
        if plan.bad:
            opts = [("that", "friends are more important than toys"), ("that", "pulling and grabbing only breaks things"),
                    ("to", "share the first time a friend asks")]
        else:
            opts = [("that", "sharing makes everyone happy"), ("that", "friends are more important than toys"),
                    ("that", f"{p} {it} was more fun when {f.name} played with it too"), ("that", "it feels good to share"),
                    ("that", f"a friend like {f.name} is better than any {it}"), ("that", f"a {it} is more fun with two"),
                    ("that", "taking turns makes everyone happy"), ("to", f"let {f.name} have a turn"),
                    ("that", f"playing with {f.name} was more fun than playing alone"),
                    ("to", f"ask {f.name} what {f.s} wanted to play"), ("that", f"{f.name} liked to share too"),
                    ("that", f"one {it} can make two friends happy")]
    else:
        m = plan.moral(st)
        head = f"{c.name} learned "
        if not m.startswith(head):
            return None
        rest = m[len(head):-1]
        return ("that", rest[5:]) if rest.startswith("that ") else ("to", rest[3:])
    if st.flags.get("quarrel") and not plan.bad:
        opts += [("that", "saying sorry makes things better"), ("to", "say sorry after a fight")]
    return rng.choice(opts)


def moral(st, plan, said: bool = False, last: str | None = None) -> str:
    """The lesson in one of many frames: who learned it, when, because of what, or a grown-up
    saying it (`said`: only that, as the story's line of dialogue; "" if the grown-up cannot say it).
    `last`: the hero's name, marked as the main-character item: the lesson is the story's last line,
    in a frame that names the hero once."""
    c, rng, rc = st.hero, st.rng, recap(st, plan)
    g = st.grownup
    if said and not (st.known(g) and g.title[:1].isupper() and not plan.bad):
        return ""
    got = lesson(st, plan)
    if not got:
        return ""
    kind, clause = got
    N = c.name
    if said:
        if "{" in clause or g.title in clause:  # not "Dad told Mia that a day out is best with Dad"
            return ""
        st.state.act(g.name)
        text = cap(_you(clause, c)) if kind == "that" else f"Always remember to {_you(clause, c)}"
        opts = [f'{g.title} smiled and said, "{text}, {N}."', f'{g.title} hugged {N} and said, "{text}."']
        if st.doc.cur:  # (a paragraph never starts with a quote)
            opts += [f'"{text}, {N}," {g.title} said.', f'"{text}," {g.title} told {N}.']
        return rng.choice(opts)
    return _lesson_line(st, plan, kind, clause, last or N)


def _habit(st, clause: str) -> str:
    """A lesson to do something, told as the hero's new habit: 'keep her things close' -> 'always kept
    her things close' ('' if its verb is not in the vocabulary)."""
    verb, _, rest = clause.partition(" ")
    if verb == "be":
        return f"was always {rest}"
    v = st.w.vocab.verb.get(verb)
    return f"always {v['past']} {rest}".strip() if v else ""


def _lesson_line(st, plan, kind: str, clause: str, N: str) -> str:
    """The lesson as the story's last line, in one of many shapes tied to this story: what the hero did
    (`Recap`), the place they went to, the friend, the thing, how they feel now, a grown-up's words, a
    new habit. `N` (the hero's name, marked as the main-character item) is said once."""
    c, rng, rc = st.hero, st.rng, recap(st, plan)
    ch, s, p = rng.choice, c.s, c.p
    g, f = st.grownup, plan.companion
    bad = plan.bad
    deeds = [] if bad else rc.proud + rc.fun
    pool = rc.losses if bad else [x for x in rc.nps if " and " not in x]
    np = ch(pool) if pool else ""
    np = np if np and not np[0].isupper() and np.split()[-1] not in clause else ""
    G = g.title if st.known(g) and g.title[:1].isupper() and "{" not in clause and g.title not in clause else ""
    out = st.state.went_out(c.name) and rc.place != plan.home and not bad
    friend = f if f and st.known(f) and not bad and f.name not in clause else None
    it = st.thing["word"] if st.thing and not st.thing.get("mass") else None
    holds = it and st.state.holder.get(it) == c.name and it not in clause

    def held():
        st.state.uses(c.name, it)
        return ch(("held", "hugged")) if it not in _BIG else "looked at"

    if kind == "that":
        def knew():
            lead = ch(("", "", "That day, ", "Now ", "In the end, ", "After that day, ", "That was how "))
            know = "learned" if lead == "That was how " else ch(("learned", "knew", "understood", "found out", "saw",
                                                                  "had learned") + (("knew now",) if lead != "Now " else ()))
            return f"{lead}{N} {know} that {clause}."

        shapes = [knew, knew,
                  lambda: f"{N} {ch(('would never forget', 'would always remember', 'never forgot') if 'never' not in clause else ('would always remember',))} that {clause}."]
        if deeds:
            shapes += [lambda: (lambda d: ch((f"After {rc.form(st, d, 'ing')}, {N} knew that {clause}.",
                                             f"{N} had {rc.form(st, d, 'participle')}, and now {s} knew that {clause}."
                                             if d[0] != "have" else f"{N} thought about {rc.form(st, d, 'ing')} and knew that {clause}.",
                                             f"By {rc.form(st, d, 'ing')}, {N} had learned that {clause}.")))(ch(deeds))] * 2
        if np:
            shapes.append(lambda: ch(((f"Because of {np}, {N} learned that {clause}.",) if bad else ()) + (
                                      f"Thinking about {np}, {N} knew that {clause}.",
                                      f"Every time {N} thought of {np} after that, {s} remembered that {clause}.")))
        if G:
            shapes += [lambda: f'"{cap(_you(clause, c))}," {G} said, and {N} {ch(("nodded", "smiled", "agreed"))}.',
                       lambda: f"{N} remembered what {G} {ch(('always said', 'had told ' + c.o))}: {clause}.",
                       lambda: f"{G} told {N} that {clause}, and {s} {ch(('nodded', 'smiled', 'knew it was true'))}."]
        if friend:
            shapes.append(lambda: f"{N} and {friend.name} {ch(('both learned', 'both knew', 'knew now'))} that {clause}.")
        if out:
            shapes.append(lambda: f"On the way home from the {st.place_mark(rc.place)}, {N} "
                                  f"{ch(('thought about it and knew', 'knew', 'understood'))} that {clause}.")
        if holds:
            shapes.append(lambda: f"{N} {held()} {p} {it} and knew that {clause}.")
        return ch(shapes)()
    habit = _habit(st, clause)
    shapes = [lambda: f"{ch(('', 'That day, '))}{N} learned to {clause}.",
              lambda: f"{N} {ch(('promised', 'decided', 'made up ' + p + ' mind'))} to {clause} from then on.",
              lambda: f"Next time, {N} would {clause}."]
    if habit:
        shapes += [lambda: f"{ch(('From that day on', 'From then on', 'After that', 'After that day'))}, {N} {habit}."] * 2
    if np:
        shapes.append(lambda: f"{ch(('Thinking about',) + (('Because of',) if bad else ()))} {np}, {N} "
                              f"{ch(('promised', 'decided'))} to {clause}.")
    if deeds:
        shapes.append(lambda: f"After {rc.form(st, ch(deeds), 'ing')}, {N} knew it was good to {clause}.")
    if G:
        shapes.append(lambda: f'"Always remember to {_you(clause, c)}," {G} said, and {N} promised {s} would.')
    if holds and habit:
        shapes.append(lambda: f"{N} {held()} {p} {it}, and after that {s} {habit}.")
    return ch(shapes)()


def _you(clause: str, c) -> str:
    """A lesson about the hero said to the hero: 'her doll was more fun' -> 'your doll was more fun'."""
    out = f" {clause} ".replace(f" {c.p} ", " your ").replace(f" {c.s} ", " you ")
    for verb, agreed in _YOU_AGREE:  # "you was brave" -> "you were brave"
        out = out.replace(verb, agreed)
    return out.strip()


_YOU_AGREE = ((" you was ", " you were "), (" you has ", " you have "), (" you is ", " you are "))


_END_FEEL = ("tired", "sleepy", "hungry", "thirsty", "happy", "excited", "proud", "glad", "cheerful", "calm", "curious")


def end_feeling(st, adj: str) -> str:
    """A sentence for a feeling that suits the end of this story's day, recalling what happened
    ("Mia was tired after the long day at the lake"); "" if it does not suit it."""
    plan = st.flags.get("plan")
    bad = "BadEnding" in st.f
    if plan is None or adj not in _END_FEEL or (bad and adj not in _END_FEEL[:4]):
        return ""
    c, rng, rc = st.hero, st.rng, recap(st, plan)
    N = c.name
    mem = rng.choice(rc.nps) if rc.nps else None
    if adj in _END_FEEL[:4]:
        return rng.choice((f"After the long day, {N} was very {adj}.",
                           f"By the evening, {N} was {adj}" + (f" after {mem}." if mem and mem.startswith("the day") else ".")))
    if rc.fun and rng.random() < 0.6:
        line = f"{N} felt {adj} when {c.s} thought of {rc.form(st, rng.choice(rc.fun), 'ing')}."
        friend = getattr(plan, "companion", None)
        if not (st.flags.get("quarrel") and friend is not None and has_whole(line, friend.name)):  # (not after a quarrel)
            return line
    if mem:
        return rng.choice((f"{N} was still {adj} about {mem}.", f"Thinking about {mem}, {N} felt {adj}."))
    return ""


def gift(st, x: str) -> str:
    """A thing the plot had no place for, given to the hero at the end of the day by the grown-up,
    with a reason from the story (the seed noun's last resort)."""
    c, rng = st.hero, st.rng
    g = st.grownup
    if not st.known(g):
        return f"That evening, {c.name} found {x} on {c.p} bed, a surprise from home."
    P = st.nm(g)
    plan = st.flags.get("plan")
    rc = recap(st, plan) if plan is not None else None
    if "BadEnding" in st.f:
        loss = rng.choice(rc.losses) if rc and rc.losses else None
        why = rng.choice(("to cheer {o} up", "to make {o} feel better", "because {s} was so sad") +
                         ((f"because {{s}} was sad about {loss}",) if loss else ()))
    else:
        why = []  # this story's reason first: what the hero did, how they were
        if rc and rc.proud:
            why.append(f"for {rc.form(st, rng.choice(rc.proud), 'ing')}")
        if rc and len(rc.praise) > 1:
            why.append(f"for being so {rng.choice(rc.praise[1:])}")
        if rc and rc.fun:
            why.append(f"after a day of {rc.form(st, rng.choice(rc.fun), 'ing')}")
        why = rng.choice(why or ["as a surprise", "for being so good", "to say well done", "just because"])
    why = why.format(s=c.s, o=c.o)
    when = rng.choice(("At the end of the day, ", "That evening, ", "After dinner, ", "Before bed, ", "Later, ") +
                      (("When they got home, ", "Back at home, ") if st.state.went_out(c.name) else ()))
    return rng.choice((f"{when}{P} gave {c.name} {x} {why}.", f"{when}{P} had {x} for {c.name}, {why}.",
                       f"{when}{P} surprised {c.name} with {x}, {why}.",
                       f"{when}{c.name} found {x} from {P} on {c.p} bed, {why}."))
