"""The ``build`` plot: the hero builds something, it falls down, and they build it again.

The plan picks a project that the place and the weather allow (a tower of blocks or a fort
of pillows at home, a sandcastle on a warm day at the beach, a snowman on a snowy one, a
little house of sticks in the forest, a tower of stones by the river), what it is built of,
what knocks it down there (the cat, a wave, the wind, a little brother, one block too many),
the advice that helps (a wide bottom, wet sand, going slowly, building it together) and
how the second try turns out. The materials gathered outdoors with a friend are the
counting item; the blocks put away afterwards, the entity-tracking item.
"""

from __future__ import annotations

from storylab.world import doings, facts, frame, skills
from storylab.world.model import DIRECTIONS
from storylab.world.plots import (
    Plan,
    _cast,
    ends_fit,
    feel,
    fits,
    middle_words,
    travel,
)
from storylab.world.text import NUMBERS, cap

# project: (what, its short name, materials, where, the weather it needs or None, the things gathered for it)
PROJECTS = {
    "tower": ("a tall tower of blocks", "tower", ("blocks", "big blocks and small blocks", "all {p} blocks",
                                                    "every block in the box"), "home", None, None),
    "castle": ("a castle of blocks", "castle", ("blocks", "red and blue blocks", "all {p} blocks"), "home", None, None),
    "fort": ("a tent of blankets in the living room", "tent", ("pillows and blankets", "two chairs and a big blanket",
                                                   "all the pillows from the couch", "a big blanket and four pillows"),
             "home", None, None),
    "boxhouse": ("a house of boxes for {p} {it}", "house", ("old boxes", "three big boxes and some tape",
                                                             "boxes from the kitchen"), "home", None, None),
    "cards": ("a house of cards", "house of cards", ("cards", "a whole box of cards", "old cards"), "home", None, None),
    "sandcastle": ("a big castle of sand", "castle", ("wet sand", "sand and water", "sand, shells and sticks"),
                   "beach", "sandcastle", "shell"),
    "snowman": ("the biggest snowman in the village", "snowman", ("snow", "three big balls of snow",
                                                                   "soft new snow"), None, "snowman", "stone"),
    "sticks": ("a little house of sticks", "little house", ("sticks", "sticks and leaves", "long sticks and big leaves"),
               None, None, "stick"),
    "stones": ("a tower of stones", "tower", ("flat stones", "round stones", "big and small stones"), None, None,
               "stone"),
}
_OUTSIDE = {"sticks": ("forest", "garden", "park", "field"), "stones": ("river", "lake", "pond", "beach"),
            "snowman": ("park", "hill", "field", "garden")}
_HOW_BIG = ("as tall as {g}", "taller than {c}", "up to the window", "as high as the table", "with {n} floors",
            "with a door and {n} windows", "big enough to sit in", "bigger than anyone had ever built")
_WHY = ("to show {g}", "for {p} {it}", "just for fun", "so that everyone could see it", "to surprise {g}",
        "because {s} had seen one in a book")

# what knocks it down at home and outside
_KNOCK_HOME = ("the cat jumped on it", "the dog ran past and wagged its tail", "a ball rolled into it",
               "{c} put one more piece on top, and it began to shake", "the door hit it",
               "{c} sneezed", "the cat walked right through it", "{c} bumped it with {p} foot",
               "the little puppy pulled at the bottom")
_KNOCK_OUT = {"beach": ("a big wave came up the sand", "a dog ran right over it", "the sea came in",
                        "a boy kicked a ball into it"),
              "snowman": ("a dog ran into it", "{c} pushed the head on too hard", "a big sled slid into it",
                          "the snow was too soft, and the head rolled off"),
              "other": ("the wind blew hard", "a dog ran through it", "a big duck walked into it",
                        "{c} put one more piece on top, and it began to shake", "a squirrel jumped on it",
                        "{c} tripped over a stick and fell on it")}
_SOUND = ("with a crash", "with a loud bump", "with a big boom", "all at once", "in one second")
_FELL = ("fell down", "fell over", "came down in pieces", "fell to the ground", "fell to pieces", "came down")
# what helps the second time (said by the grown-up or the friend), and how it is done
_FIX = {"home": (("put the big pieces at the bottom", "This time, {c} put the biggest pieces at the bottom"),
                 ("go slowly, one piece at a time", "This time, {c} went slowly, one piece at a time"),
                 ("make the bottom wide", "This time, the bottom of the {short} was wide and strong"),
                 ("build it where nobody walks", "This time, {c} built it in a quiet corner, far from the door"),
                 ("build it together", "This time, they built the {short} together")),
        "beach": (("use wet sand", "This time, {c} used wet sand and patted it down hard"),
                  ("build it far from the water", "This time, they built it high up on the sand, far from the sea"),
                  ("make a wall around it", "This time, {c} made a little wall of sand around it")),
        "snowman": (("pack the snow tight", "This time, {c} packed the snow tight"),
                    ("make the bottom ball the biggest", "This time, the bottom ball was the biggest of all"),
                    ("build it together", "This time, they rolled the big balls together")),
        "other": (("put the big pieces at the bottom", "This time, {c} put the biggest pieces at the bottom"),
                  ("build it by a big rock, out of the wind", "This time, {c} built it next to a big rock"),
                  ("go slowly", "This time, {c} went slowly and checked every piece"),
                  ("build it together", "This time, they built the {short} together"))}
# what each project is built of, piece by piece (singular, plural), and the looks those pieces have
_PIECES = {"tower": ("block", "blocks"), "castle": ("block", "blocks"), "fort": ("pillow", "pillows"),
           "boxhouse": ("box", "boxes"), "cards": ("card", "cards"), "sandcastle": ("bucket of sand", "buckets of sand"),
           "snowman": ("ball of snow", "balls of snow"), "sticks": ("stick", "sticks"), "stones": ("stone", "stones")}
_PIECE_LOOKS = {"block": ("red", "blue", "green", "yellow", "big", "small", "square", "long", "orange",
                          "purple", "white", "pink"),
                "pillow": ("soft", "big", "round", "blue", "red", "fluffy", "small", "striped", "green", "white"),
                "box": ("big", "small", "brown", "old", "empty", "long", "flat", "heavy"),
                "card": ("red", "black", "old", "new", "shiny", "colorful"),
                "bucket of sand": ("full", "big", "small", "heavy"),
                "ball of snow": ("big", "small", "round", "heavy", "white"),
                "stick": ("long", "short", "thin", "brown", "dry", "straight", "old"),
                "stone": ("flat", "round", "smooth", "gray", "big", "small", "white", "heavy", "brown")}
# what a building gets: its parts, where the hero builds at home or outside
_FEATURES = {"home": ("a door", "two windows", "a little bridge", "a tower at each side", "a road for {p} toy cars",
                      "a top of paper", "a secret room", "a bed for {p} {it}", "steps to the top", "a big door",
                      "a garden of paper flowers", "a window at the top"),
             "beach": ("a door", "four towers", "a wall around it", "a little bridge", "a road of shells", "a little river around it",
                       "steps of sand", "a window for the crabs"),
             "snowman": ("a carrot nose", "two stone eyes", "a big smile of stones", "stick arms", "a warm hat",
                         "{p} own scarf", "three stone buttons"),
             "other": ("a door", "a top of big leaves", "a little window", "a path of stones", "a fence of sticks",
                       "a bed of leaves", "a garden of flowers", "a bridge over a puddle")}
_PUT = ("put", "stacked", "put", "stacked")
_WHERE_PIECES = ("at the bottom", "in a ring", "in a long row", "in a square", "side by side", "in the middle",
                 "on each side")
_ANIMAL_MOVES = ("ran right into it", "jumped on it", "walked through it", "sat on it", "ran past and bumped it",
                 "hopped onto the top")
_PETS = ("the cat", "the dog", "the puppy", "the kitten", "the family cat", "the little dog")
_ON_TOP = ("teddy", "doll", "robot", "puppet", "crown", "spaceship")
_TOP = {"home": ("a paper star", "{p} {it}", "{p} {it}", "a shiny button", "a little paper hat"),
        "beach": ("a shell", "a little paper star", "a feather", "a long stick", "a row of pebbles"),
        "snowman": ("a carrot nose", "two stones for eyes", "an old hat", "a long scarf", "stick arms"),
        "other": ("a leaf", "a feather", "a flower", "a big red leaf", "a small white stone")}
_TWIST = {"home": ("the cat that had knocked it down went inside and fell asleep there",
                   "it was so tall that {g} had to stand on a chair to see the top",
                   "the pieces that fell had made a little bridge, and {c} liked the bridge even more"),
          "beach": ("a tiny crab came and sat in the castle's door, as if it lived there",
                    "the wave that had knocked it down had left a shiny shell right by {c}'s feet"),
          "snowman": ("a little bird came and sat on the snowman's hat",
                      "the next morning, someone had put a second scarf on the snowman"),
          "other": ("a little bird came and sat on top of it", "a squirrel came and looked inside, as if it wanted to live there")}


class Build(Plan):
    """Build something; it falls down; build it again (better)."""

    name = "build"
    uses_thing = False

    def flags_late_companion(self):
        return False

    def __init__(self, st):
        super().__init__(st)
        rng, w, n = st.rng, st.w, st.noun
        weather = st.weather
        ok = [k for k, p in PROJECTS.items() if p[4] is None or weather in _needs(p[4])]
        seed = {"block": "tower", "card": "cards", "pillow": "fort", "blanket": "fort", "box": "boxhouse",
                "sand": "sandcastle", "snow": "snowman", "snowman": "snowman", "stick": "sticks", "stone": "stones",
                "rock": "stones", "castle": "castle", "tower": "tower", "shell": "sandcastle"}.get(n["word"])
        if weather in ("rainy", "snowy", "icy", "cold") and rng.random() < 0.6:  # a day to build inside
            ok = [k for k in ok if PROJECTS[k][3] == "home"] + (["snowman"] if "snowman" in ok else [])
        self.project = seed if seed in ok and rng.random() < 0.85 else rng.choice(ok)
        what, self.short_name, mats, where, _, self.gather = PROJECTS[self.project]
        self.mats = rng.choice(mats)
        self.where = where or rng.choice([p for p in _OUTSIDE[self.project] if p in w.coords])
        self.inside = self.where == "home"
        self.kind = "snowman" if self.project == "snowman" else "sandcastle" if self.project == "sandcastle" else None
        if self.inside:
            self.home = rng.choice(["park", "garden", "school", "library", "bakery", "field", "river", "hill",
                                    "market", "pond", "playground"])
        else:
            self.home = rng.choice([p for d in DIRECTIONS if (p := w.neighbor(self.where, d))])
        st.used_noun |= bool(seed) and self.project == seed
        # the thing: the toy that goes on top at home (put away afterwards), else what is gathered
        top = n["word"] if n["word"] in _ON_TOP else rng.choice(_ON_TOP)
        st.used_noun |= where == "home" and top == n["word"]
        st.thing = w.vocab.noun[top] if where == "home" else w.vocab.noun[self.gather]
        _cast(st, self, 0.55)
        self.what = what.format(p=st.hero.p, it=st.thing["word"])
        self.place_key = ("home" if self.inside else "beach" if self.project == "sandcastle" else
                          "snowman" if self.project == "snowman" else "other")
        self.fix = rng.choice(_FIX[self.place_key])
        knocks = _KNOCK_HOME if self.inside else _KNOCK_OUT.get(self.place_key, _KNOCK_OUT["other"])
        f = self.companion
        if f and (self.conflict or rng.random() < 0.25):  # the friend or sibling knocks it over
            self.knock = f"{f.name} ran past and bumped into it" if rng.random() < 0.5 else \
                f"{f.name} wanted to help and put one more piece on top"
            self.by_friend = True
        else:
            self.knock = rng.choice(knocks)
            if rng.random() < 0.5:  # an animal of this place (or a pet at home) runs into it
                an = rng.choice(_PETS) if self.inside else "the " + rng.choice(w.scene_animals(self.where))["word"]
                self.knock = f"{an} {rng.choice(_ANIMAL_MOVES)}"
            self.by_friend = False
        self.goal = f"build {self.what}"
        self.size = rng.choice(_HOW_BIG)

    def _fmt(self, st, t: str) -> str:
        c, g = st.hero, st.grownup
        G = f"{c.p} {g.title.lower()}" if g.title[:1].isupper() and g.kind in ("mom", "dad", "grandma", "grandpa") else g.title
        return t.format(c=c.name, p=c.p, s=c.s, g=G, n=NUMBERS[st.rng.randint(2, 5)], it=st.thing["word"],
                        short=self.short_name)

    def want(self, st):
        c, g, rng = st.hero, st.grownup, st.rng
        size, why = self._fmt(st, self.size), self._fmt(st, rng.choice(_WHY))
        at = "" if self.inside else f" at the {st.place_mark(self.where)}"
        when = rng.choice(("That day, ", "That morning, ", "After breakfast, ", "", "", f"On {st.time_mark(st.day)}, "))
        if "Dialogue" in st.f and rng.random() < 0.6:
            mine = self.what.replace(f" {c.p} ", " my ")
            size = self._fmt(st, rng.choice(_HOW_BIG[2:]))  # (not "as tall as her dad" said to Dad)
            line = rng.choice((f"{g.title}, I am going to build {mine}{at}, {size}!",
                               f"Can I build {mine}{at} today, {g.title}?",
                               f"Look, {g.title}, I will make {mine}, {size}!"))
            st.speak(c, line, "asked" if line.endswith("?") else rng.choice(("said", "shouted")))
        else:
            st.s(rng.choice((f"{when}{st.sub(c)} wanted to build {self.what}{at}, {size}.",
                             f"{when}{st.sub(c)} had a big plan: {self.what}{at}, {size}.",
                             f"{when}{st.sub(c)} decided to build {self.what}{at} {why}.",
                             f"{st.sub(c)} had never built {self.what} before, and today {c.s} wanted to try{at}.")))
        if self.inside and st.weather in ("rainy", "snowy", "cold", "icy") and rng.random() < 0.6:
            st.s(rng.choice((f"It was too {st.weather} to play outside, so {c.name} stayed in with {c.p} {st.thing['word']}.",
                             f"Outside it was {st.weather}, but inside it was warm, and {c.p} {st.thing['word']} was waiting.")))

    def hint(self, st):
        c, g, rng = st.hero, st.grownup, st.rng
        if self.by_friend:
            st.s(f"{st.nm(self.companion)} was running around and could not sit still.")
            return
        line = rng.choice((f"{st.nm(g)} said that a tall {self.short_name} needs a strong bottom, but {c.name} was in a hurry.",
                           f"{c.name} did not think about what could knock it down.",
                           f"\"Tall things fall easily,\" {st.nm(g)} said, but {c.name} only laughed.") +
                          ((f"The family cat was watching {c.name} from the couch with big eyes.",) if self.inside else
                           ("The waves were coming up the sand, higher and higher.",) if self.place_key == "beach" else
                           ("The wind was getting stronger.",)))
        st.s(line)
        if "cat was watching" in line:  # the cat on the couch: what it says
            facts.meet(st, "cat", ("says", "cry"))

    def middle(self, st):
        c, g, f, rng = st.hero, st.grownup, self.companion, st.rng
        group = [c, g] + ([f] if f else [])
        st.state.at(st.pick("morning", "noon"))
        mats = self._fmt(st, self.mats)
        if self.inside:  # (st.place stays the map place they live by: "home" is not on the map)
            for x in ([c, f] if f else [c]):
                st.state.go(x.name, "home")
            room_ = rng.choice(("the living room", f"{c.p} room", "the kitchen", "the big room"))
            st.s(rng.choice((f"{st.sub(c)} got out {mats} and sat down in {room_}.",
                             f"{st.sub(c)} carried {mats} to {room_}.",
                             f"In {room_}, {st.sub(c, False)} put {mats} all over the floor.")))
        else:
            travel(st, group, self.home, self.where, self.kind)
            st.place = self.where
            if f and self.gather and rng.random() < 0.75:  # gathering what it is built of (the counting item)
                skills.counting_gather(st, self.gather, c, f)
            else:
                st.s(rng.choice((f"{st.sub(c)} found {mats} and began right away.",
                                 f"There was a lot of {mats.split()[-1]} there, and {c.name} began right away."
                                 if self.project in ("snowman", "sandcastle") else
                                 f"{st.sub(c)} looked for {mats} all around the {st.place_mark(self.where)}.")))
            if self.kind:
                st.state.doing(c.name, self.kind)
            facts.place(st, self.where, 1) or facts.episode(st, "scene")  # what lives where they build
        self.build_lines(st, first=True)
        if self.project == "fort" and ("tool", "see in the dark") not in facts._stated(st):  # a light in the tent
            st.s(st.pick("Inside the tent it was dark.", "It was dark under the big blanket.",
                         "Under the blankets, it was as dark as night."))
            facts.state(st, "tool", "see in the dark")
        elif getattr(self, "paper", False) and ("tool", "cut paper") not in facts._stated(st):  # the paper top
            facts.state(st, "tool", "cut paper")
        doings.fill(st, [c] + ([f] if f else []), "home" if self.inside else self.where, middle_words(st) - 30, 2, 1)
        self.fall(st)

    def build_lines(self, st, first: bool) -> None:
        """Building: what goes at the bottom, how it grows, what goes on top."""
        c, f, rng = st.hero, self.companion, st.rng
        who = st.sub(c) if not f or rng.random() < 0.6 else rng.choice((f"{st.nm(c)} and {st.nm(f)}", "they"))
        n = NUMBERS[rng.randint(3, 9)]
        top = self._fmt(st, rng.choice(_TOP[self.place_key]))
        grew = rng.choice(((f"The {self.short_name} grew {rng.choice(('higher and higher', 'taller and taller', 'bigger and bigger'))}"
                           f"{rng.choice(('', '', ', piece by piece', ' until lunch', ', and ' + c.name + ' smiled', ', one piece at a time'))}."),
                           f"Soon the {self.short_name} had {n} {'floors' if self.project != 'snowman' else 'buttons'}.",
                           f"The {self.short_name} got taller and taller, until it was {self._fmt(st, rng.choice(_HOW_BIG[:4]))}.",
                           f"{st.sub(c)} put {top} on top, and it looked {rng.choice(('great', 'wonderful', 'just right', 'so funny'))}."))
        one, many = _PIECES[self.project]
        looks = _PIECE_LOOKS.get(one, ("big", "small"))
        x, y = rng.sample(looks, 2)
        k, m = NUMBERS[rng.randint(2, 7)], NUMBERS[rng.randint(2, 6)]
        feats = rng.sample(_FEATURES[self.place_key], 2)
        pieces = rng.choice((f"{who} made {self._fmt(st, feats[0])} and {self._fmt(st, feats[1])}.",
                             f"{who} gave the {self.short_name} {self._fmt(st, feats[0])}.",f"{who} {rng.choice(_PUT)} {k} {x} {many} {rng.choice(_WHERE_PIECES)}, and then {m} {y} ones on top.",
                             f"First came {k} {x} {many}, then {m} {y} {many}, and then {top}.",
                             f"{who} {rng.choice(_PUT)} {k} {x} {many} {rng.choice(_WHERE_PIECES)}.",
                             f"{who} used {k} {x} {many} and {m} {y} {many}, one by one."))
        if first:
            st.s(pieces, grew)
            self.paper = "paper" in pieces + grew  # (a paper star or top on it: the scissors that cut it)
        else:
            st.s(grew if rng.random() < 0.5 else pieces)

    def fall(self, st) -> None:
        c, f, g, rng = st.hero, self.companion, st.grownup, st.rng
        if rng.random() < 0.5:  # one sentence: what knocked it, and down it came
            st.s(f"{rng.choice(('Then ', 'But then ', 'Just then, ', 'Suddenly, ', ''))}{self._fmt(st, self.knock)}, "
                 f"and {rng.choice(('the ', 'the whole ', 'the ' + rng.choice(_PIECE_LOOKS.get(_PIECES[self.project][0], ('big',))) + ' '))}"
                 f"{self.short_name} {rng.choice(_FELL)}.")
        else:
            st.s(f"{rng.choice(('Then ', 'But then ', 'Just then, ', 'Suddenly, '))}{self._fmt(st, self.knock)}.",
                 f"{cap(rng.choice(('the ', 'the whole ', c.name + chr(39) + 's ')))}{self.short_name} {rng.choice(_FELL)} {rng.choice(_SOUND)}.")
        pet = next((x for x in ("cat", "dog", "puppy", "kitten") if f" {x} " in f" {self.knock} "), None)
        if pet:  # the pet that knocked it down
            facts.meet(st, pet, ("cry",))
        elif self.project == "snowman":
            facts.meet(st, "snow", ("temp", "color")) or facts.meet(st, "snowman", ("temp",))
        fl = feel(st, "neg")
        fl = fl if fl in ("sad", "upset", "angry", "mad", "grumpy") else "sad"
        st.state.feel(c.name, fl)
        if self.by_friend and self.conflict:
            st.speak(c, rng.choice((f"You broke it, {f.name}!", f"Go away, {f.name}! Look what you did!",
                                    f"It was my {self.short_name}, {f.name}!")), rng.choice(("shouted", "cried", "yelled")))
            st.s(rng.choice((f"{st.nm(f)} looked at the floor and said {f.s} did not mean to.",
                             f"{st.nm(f)} felt bad, and {c.name} was still angry.")))
            st.flags["quarrel"] = True
        elif rng.random() < 0.5 or self.bad:
            st.s(rng.choice((f"{st.nm(c)} looked at the pieces and felt {fl}.",
                             (f"{st.sub(c)} {rng.choice(('sat down', 'kicked the floor', 'wanted to cry'))}, "
                             f"because {c.s} had built it with so much care."),
                             f"{st.sub(c)} felt so {fl} about the {self.short_name} that {c.s} wanted to give up.",
                             f"Everything {c.s} had built was gone, and {c.name} felt {fl}.")))
        adv = self.fix[0]
        if self.bad:
            return
        helper = f if f and rng.random() < 0.4 else g
        if "Dialogue" in st.f:
            st.speak(helper, rng.choice((f"Let's try again, {c.name}. This time we {adv}.",
                                         f"Do not give up, {c.name}! We can {adv}.",
                                         f"I know, {c.name}! Let's {adv}.")), rng.choice(("said", "said", "told " + c.o)))
        else:
            st.s(rng.choice((f"{st.nm(helper)} sat down next to {c.name} and said they could {adv}.",
                             f"{st.nm(helper)} had an idea: they could {adv}.",
                             f"{st.nm(helper)} told {c.name} not to give up, and to {adv}.")))

    def ending(self, st):
        c, f, g, rng = st.hero, self.companion, st.grownup, st.rng
        if self.bad:
            st.s(rng.choice((f"{st.nm(c)} tried to build it again, but it fell down again, and then again.",
                             f"{st.nm(c)} did not want to build anything any more, and {c.s} left the pieces where they were.",
                             f"{st.nm(c)} tried once more, but the {self.short_name} fell again, and this time a piece broke."
                             if self.inside else "Then it began to get dark, and there was no time to build it again.")))
            return
        st.state.at("afternoon")
        if self.by_friend and self.conflict:
            st.s(rng.choice((f"{st.nm(f)} said sorry and helped to pick up the pieces.",
                             f"{st.nm(f)} came back and said, \"Can I help you build it again?\"")))
        st.s(self._fmt(st, self.fix[1]) + rng.choice((".", ", and this time it stood.", f", and the {self.short_name} stood strong.")))
        if ends_fit(st, 12):
            self.build_lines(st, first=False)
        if self.twist:
            twists = [t for t in _TWIST[self.place_key] if "the cat that" not in t or " cat " in f" {self.knock} "]
            st.s(cap(self._fmt(st, rng.choice(twists))) + ".")
        if self.inside and rng.random() < 0.5 and ends_fit(st, 40):  # tidying up: the entity-tracking item
            skills.boxes(st, c, st.thing, tidy=True)
        self.remember(st)

    def remember(self, st) -> None:
        """What the closing lines recall of this story (`frame.Recap`)."""
        rc = frame.Recap(st, self)
        rc.nps = [x for x in rc.nps if x != f"the day at the {self.home}"]  # (home is only where they live)
        if not self.inside:
            rc.place = self.where
            rc.nps.append(f"the day at the {self.where}")
        what = self.what
        rc.nps += [f"the {self.short_name}", what.replace("a ", "the ", 1) if what.startswith("a ") else what]
        if not self.bad:
            rc.proud += [("build", what)]
            rc.fun += [("build", what)]
            rc.again += [("build", f"another {self.short_name}")]
            rc.praise += ["patient", "brave", "clever"]
        else:
            rc.losses += [f"the {self.short_name} that fell down", f"the {self.short_name}"]
        st.flags["recap"] = rc

    def lessons(self, st):
        if self.bad:
            return ("that tall things need a strong bottom",
                    "to build slowly and carefully")
        return ("that when something falls down, you can build it again",
                "that good things take time",
                "that it is okay to try again",
                f"to {self.fix[0]}",
                "that building is more fun with help")


def _needs(kind):
    from storylab.world.state import ACTIVITY_WEATHER
    return ACTIVITY_WEATHER.get(kind, ())
