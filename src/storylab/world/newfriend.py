"""The ``newfriend`` plot: a new child at the park, shyness, a way in, and a new friend.

The plan picks where the hero meets the new child (the park, the playground, the beach,
the library...), who they are (new in the village, from a town by the sea; what they look
like) and what they are doing alone, what stands in the way (the hero is shy, the new child
is shy, a friend does not want a new child in the game: the conflict), what opens the door
(the hero's own toy, a question, a common love found: both have a dog, both draw cats)
and the game they play (collecting together: the counting item). A bad ending is the
chance missed; a twist, that the new child lives right next door.
"""

from __future__ import annotations

from storylab.world import beats, doings, facts, frame, skills
from storylab.world.model import DIRECTIONS, Char
from storylab.world.plots import Plan, _cast, fits, middle_words, travel
from storylab.world.text import a, cap

PLACES = {"park": ("leaf", "acorn", "stone"), "playground": ("stone", "leaf"), "beach": ("shell", "pebble"),
          "garden": ("flower", "leaf"), "field": ("daisy", "stone"), "pond": ("pebble", "feather"),
          "forest": ("acorn", "leaf", "mushroom")}
_FROM = ("had just moved here from {town}", "had come from {town}", "was new in {here}", "was new here",
         "had moved in {when}", "was visiting {k_p} {family} for {stay}", "had come all the way from {town}",
         "had moved to {here} {when}")
_FAMILY = ("mom", "dad", "grandma", "grandpa", "big brother", "baby sister", "big sister", "little brother")
_PETS = ("a little dog", "two cats", "a big dog", "a gray cat", "three fish", "a bird", "a white rabbit")
_TOWN = (("a town", "a little town", "a big city", "a village", "a little village"),
         ("by the sea", "far away", "near the mountains", "by a big river", "where there was snow all winter", "in the hills",
          "with a big red bridge", "near a big forest"))
_LOOKS = ("a red cap", "short hair", "a big yellow bag", "long hair", "a blue hat", "a green coat",
          "a big smile", "a striped shirt", "muddy boots", "a hat with a flower on it")
_ALONE = ("sat alone on a bench", "was swinging all by {k_r}", "was drawing in the sand with a stick",
          "stood by the fence and watched the other children", "was reading a book under a tree",
          "was kicking a small stone, all alone", "sat on the steps and looked at {k_p} shoes",
          "was throwing a ball up and catching it, with nobody to throw it to", "sat under a tree with a leaf in {k_p} hands",
          "was making a little hill of sand, all by {k_r}", "watched the ducks from far away, alone")
_SHY_HERO = ("{c} wanted to say hello, but {s} did not know what to say.", "{c}'s cheeks went red, and {s} looked away.",
             "{c} took one step, then stopped.", "{c} was shy, and the words would not come out.",
             "{c} held {p} {it} tight and did not move.", "{c} wanted to play with {k}, but {p} feet would not go.",
             "{c} hid behind {g} and looked at {k} from there.", "What if {k} did not like {o}? {c} waited.")
_SHY_KID = ("{k} looked down and said nothing.", "{k} just shook {k_p} head and looked away.",
            "{k} said hello very quietly and then looked at the ground.", "{k} did not answer and looked at {k_p} shoes.",
            "{k} only looked at {c}'s {it} and did not say a word.", "{k} stepped back and hid behind the {spot}.")
_COMMON = ("loved dinosaurs", "had a dog at home", "liked to draw cats", "had blue shoes", "liked trains best of all",
           "hated carrots", "wanted to be a doctor one day", "had a little sister", "knew a silly song about a frog",
           "liked the color green best")
# the same thing liked by both, told in different ways ({vp}: "liked pears", {c}, {k}: the two children)
_BOTH = ("they both {vp}", "they both {vp}", "both of them {vp}", "{c} and {k} both {vp}", "{k} {vp} too, just like {c}",
         "{c} {vp}, and so did {k}", "{k} also {vp}", "the two of them {vp}")
_COLORS = ("red", "blue", "green", "yellow", "pink", "purple", "orange", "white")
_TOGETHER = ("played tag until they could not run any more", "took turns with the {it}", "made up a new game with the {it}",
             "ran after the birds and laughed", "built a little house of sticks under a tree",
             "played a game of hiding and finding", "raced to the big tree and back", "told each other funny stories",
             "drew pictures in the sand", "played on the swings side by side", "looked at the clouds and found animals in them")
_BYE = ("\"See you tomorrow, {c}!\" {k} called, and waved.", "{c} and {k} said goodbye and promised to play at the {{place}} again the next day.",
        "{k} gave {c} a big hug before {k_s} went home.", "Before {k_s} left, {k} told {c} where {k_s} lived.",
        "When it was time to go, {c} and {k} did not want to say goodbye.",
        "\"Can {k} come again tomorrow?\" {c} asked, and {g} said yes.", "{c} waved until {k} was gone, and then {s} smiled all the way home.",
        "{k} gave {c} a little {gift} to remember the day.", "{c} walked home with {g}, talking about {k} all the way.",
        "At the corner, {k} turned around and waved one more time.", "{c} and {k} made a plan to meet by the {spot} the next morning.")


class NewFriend(Plan):
    """A new child, alone; shyness; a way in; a new friend."""

    name = "newfriend"
    uses_thing = True

    def flags_late_companion(self):
        return False

    def __init__(self, st):
        super().__init__(st)
        rng, w = st.rng, st.w
        self.where = rng.choice([p for p in PLACES if p in w.coords])
        self.home = rng.choice([p for d in DIRECTIONS if (p := w.neighbor(self.where, d))])
        n = st.noun
        st.thing = n if n["kind"] == "toy" and n in w.toys else rng.choice(w.toys)
        st.used_noun |= st.thing is n
        _cast(st, self, 0.35)
        f = self.companion
        if f and not st.flags["sibling"]:  # who comes along is a brother or sister: the new friend is the only friend
            f = Char(f.name, f.gender, f.kind if st.hero.is_child else st.hero.kind, "friend")
            f.first = f"{st.hero.p} {'sister' if f.gender == 'female' else 'brother'} {f.name}"
            self.companion = st.friend = f
            st.flags["sibling"] = True
        g = rng.choice(("female", "male"))
        names = w.girls if g == "female" else w.boys
        taken = {st.hero.name} | ({self.companion.name} if self.companion else set())
        name = rng.choice(names)
        while name in taken:
            name = rng.choice(names)
        self.kid = Char(name, g, "girl" if g == "female" else "boy", "friend")
        self.goal = "make a new friend"
        self.shy = rng.choice(("hero", "kid"))
        self.gather = rng.choice(PLACES[self.where]) if PLACES[self.where] else None

    def _f(self, st, t: str) -> str:
        c, k, rng = st.hero, self.kid, st.rng
        return t.format(c=c.name, s=c.s, p=c.p, o=c.o, k=k.name, k_s=k.s, k_p=k.p, k_r=k.r, k_o=k.o, g=st.grownup.title,
                        it=st.thing["word"], town=" ".join(rng.choice(x) for x in _TOWN),
                        when=rng.choice(("that week", "only the day before", "on Monday", "a week ago")),
                        family=rng.choice(("grandma", "grandpa")), stay=rng.choice(("a few days", "a week", "the week")),
                        here=rng.choice(("the village", "the village", "town", f"{c.name}'s street")),
                        gift=rng.choice(("shell", "stone", "leaf", "feather", "flower", "drawing", "sticker")),
                        spot=rng.choice(("big tree", "bench", "slide", "fence")))

    def want(self, st):
        c, g, rng = st.hero, st.grownup, st.rng
        P = st.place_mark(self.where)
        when = rng.choice(("That day, ", "After breakfast, ", "That morning, ", "", f"On {st.time_mark(st.day)}, "))
        it = st.thing["word"]
        if rng.random() < 0.3:
            st.s(rng.choice((f"{when}{st.sub(c)} wanted to show {c.p} {it} to someone at the {P}.",
                             f"{when}{st.sub(c)} took {c.p} {it} and asked {st.nm(g)}, \"Can we go to the {P}?\"",
                             f"The {P} was {c.name}'s favorite place, and {st.nm(g)} said they could go there "
                             f"{rng.choice(('after lunch', 'that morning', 'right after breakfast', 'for an hour'))}.")))
        else:  # (who wanted it, and what for: each part drawn on its own)
            who, hero = rng.choice(((f"{st.sub(c)} wanted to go to", c.s), (f"{st.sub(c)} and {st.nm(g)} were going to", c.name),
                                    (f"{st.nm(g)} said they could visit", c.name), (f"{st.sub(c)} asked to play at", c.s),
                                    (f"{st.sub(c)} could not wait to see", c.s), (f"{st.nm(g)} was taking {c.name} to", c.s),
                                    (f"{st.sub(c)} and {st.nm(g)} had a plan to visit", c.name), (f"{st.sub(c)} asked to spend the day at", c.s),
                                    (f"{st.nm(g)} promised {c.name} a walk to", c.name), (f"{st.sub(c)} was off to", c.s),
                                    (f"{st.sub(c)} was so happy to go with {st.nm(g)} to", c.s)))
            what = rng.choice((f" with {c.p} {it}", f" to {doings.activity(st, self.where, 'word')}", f", and {hero} ran to get {c.p} {it}",
                               f", and {hero} took {c.p} {it} along", ""))
            st.s(f"{when}{who} the {P}{what}.")
        why = beats.reason(st, self.where) if rng.random() < 0.4 else None
        if why:
            st.s(why)
        elif rng.random() < 0.3:
            st.s(rng.choice((f"{c.name} hoped to find someone to play with at the {P}.",
                             f"{st.nm(g)} had heard that a new family had moved in near the {P}.",
                             f"All {c.p} friends were away that week, and {c.name} felt a little lonely.") +
                            (() if self.companion else (f"Most days, {c.name} played at the {P} all alone.",
                                                        f"It was no fun to play with {a(it)} all by {c.r}."))))

    def hint(self, st):
        c, rng = st.hero, st.rng
        st.s(rng.choice((f"{c.name} did not know it yet, but {rng.choice(('that day', 'that morning', 'soon'))} {c.s} would meet "
                         f"{rng.choice(('someone special', 'a new friend', 'someone new', 'a very good friend'))}.",
                         f"That morning, a big moving truck had stopped on {c.name}'s street.",
                         f"\"A friend is just someone you have not met yet,\" {st.nm(st.grownup)} liked to say.",
                         f"{rng.choice(('Someone new', 'A new family', 'A family with a little ' + self.kid.kind))} "
                         f"{rng.choice(('had moved into', 'had just moved into', 'was moving into'))} the "
                         f"{rng.choice(('yellow', 'blue', 'green', 'white', 'old', 'empty', 'little'))} house "
                         f"{rng.choice(('at the end of the street', 'across the road', 'next to ' + c.name + chr(39) + 's house', 'on the corner'))}.",
                         f"{c.name} had seen boxes and boxes outside the house next to the {st.place_mark(rng.choice(('bakery', 'school', 'market', 'library')))}.")))

    def middle(self, st):
        c, g, f, k, rng = st.hero, st.grownup, self.companion, self.kid, st.rng
        group = [c, g] + ([f] if f else [])
        st.state.at("morning")
        travel(st, group, self.home, self.where)
        st.place = self.where
        if fits(st, 15):
            facts.place(st, self.where, 1) or facts.episode(st, "scene")
        doings.fill(st, group, self.where, middle_words(st) - 70, 1, 1)
        looks = self._f(st, rng.choice(_LOOKS))
        r = rng.random()
        new = rng.choice((f"a new {k.kind} named {k.name}", f"a new {k.kind} named {k.name}", f"a {k.kind} called {k.name}",
                          f"a {k.kind} {c.name} had never seen before, {k.name}", f"a {k.kind} just as big as {c.name}, {k.name}",
                          f"a quiet {k.kind} named {k.name}", f"a {k.kind} {c.name} did not know yet, {k.name}"))
        if r < 0.35:
            intro = st.intro(k, rng.choice((new, f"a {k.kind} with {looks}, {k.name}")), self.where)
            there = rng.choice(("There was", "Not far away was", "Over there was", f"Across the {self.where} was"))
            st.s(f"{there} {intro}, who {self._f(st, rng.choice(_ALONE))}." if rng.random() < 0.5 else
                 f"{there} {intro}, {doings.activity(st, self.where)} all alone.")
        elif r < 0.65:
            spot = rng.choice(("swings", "big tree", "fence", "path", "slide", "bench", "old wall"))
            if rng.random() < 0.5:
                st.s(f"By the {spot}, {st.sub(c, False)} saw {st.intro(k, new, self.where)}.")
            else:  # (not "a girl with a yellow bag named Tara": the bag is not named)
                st.s(f"By the {spot}, {st.sub(c, False)} saw a {k.kind} with {looks}.",
                     f"{cap(k.p)} name was {st.intro(k, k.name, self.where)}.")
        else:
            intro = st.intro(k, new, self.where)
            st.s(f"{cap(intro)} {self._f(st, rng.choice(_ALONE))}." if rng.random() < 0.5 else
                 f"{cap(intro)} was {doings.activity(st, self.where)} {rng.choice(('all by ' + k.r, 'with nobody to play with', 'all alone'))}.")
        if rng.random() < 0.6 and fits(st, 12):
            fam = rng.choice(("", "", f" with {k.p} {rng.choice(_FAMILY)}", f" with {k.p} whole family",
                              f" with {k.p} {rng.choice(_FAMILY)} and {rng.choice(_PETS)}"))
            came = self._f(st, rng.choice(_FROM))
            fam = "" if "visiting" in came else fam
            st.s(rng.choice((f"{st.nm(k)} {came}{fam}.", f"{st.nm(g)} said that {k.name} {came}{fam}.",
                             f"Nobody knew {k.name} yet: {k.s} {came}{fam}.")))
        if self.conflict and f:
            st.s(rng.choice((f"{st.nm(f)} said, \"We do not need anyone else, {c.name}.\"",
                             f"{st.nm(f)} did not want a new {k.kind} in their game, and {f.s} pulled {c.name} away.")))
            st.s(f"{st.nm(c)} and {st.nm(f)} began to fight.")
            st.flags["quarrel"] = True
        if self.shy == "hero" and fits(st, 12):
            st.s(self._f(st, rng.choice(_SHY_HERO)))
        it = st.thing["word"]
        if self.bad:
            return
        if "Dialogue" in st.f:
            st.speak(c, rng.choice((f"Hello, I am {c.name}! Do you want to play with my {it}?",
                                    f"Hi, {k.name}, do you want to play with us?", f"Hello, I am {c.name}, and this is my {it}.",
                                    f"Hi! I like your {looks[2:] if looks.startswith('a ') else looks}.",
                                    f"Do you want to see my {it}?", f"Is this your first day at the {self.where}? I am {c.name}.",
                                    f"My name is {c.name}. We can share my {it}, if you like.")),
                     rng.choice(("said", "asked")))
        else:
            st.s(rng.choice((f"At last, {c.name} walked over and said hello.",
                             f"{st.sub(c)} took a deep breath, walked over and showed {k.name} {c.p} {it}.",
                             f"{st.nm(g)} gave {c.name} a little push, and {c.s} went over to {k.name}.",
                             f"{st.sub(c)} walked up to {k.name} and asked {k.o} to play.",
                             f"{st.sub(c)} sat down next to {k.name} and held out {c.p} {it}.",
                             f"{st.sub(c)} waved to {k.name} from far away, and after a moment {k.name} waved back.")))
        if self.shy == "kid" and fits(st, 20):
            st.s(self._f(st, rng.choice(_SHY_KID)))
            st.s(rng.choice((f"So {c.name} {beats.play(st, c, it)}, and {k.name} watched.",
                             f"{st.sub(c)} did not give up: {c.s} sat down next to {k.name} and waited.")))
        vp = rng.choice(_COMMON) if rng.random() < 0.15 else self.common(st)
        say = rng.choice(("Soon they found out that {x}!", "They talked, and it turned out that {x}.",
                          "It was funny: {x}.", "{k} laughed, because {x}.",
                          "They did not talk much at first, but then they saw that {x}.",
                          "{X}!", "After a while, {c} saw that {x}.",
                          "They had a lot to talk about, because {x}.", "The best thing was that {x}."))
        # (not "Billy saw that Billy and Ted both liked nuts")
        named = lambda t: "{c}" in t or "{k}" in t  # noqa: E731
        common = rng.choice([x for x in _BOTH if not (named(x) and named(say))])
        common = common.format(vp=vp, c=c.name, k=k.name)
        st.s(say.format(x=common, X=cap(common), c=c.name, k=k.name))
        pet = next((x for x in ("dog", "cat") if f" {x} " in common), None)
        if fits(st, 14):
            (pet and facts.meet(st, pet, ("says", "can", "eats"), here=False)) or facts.episode(st, "scene")

    def common(self, st) -> str:
        """What the two children both love, from the vocabulary: animals, food, toys, things to do."""
        rng, w = st.rng, st.w
        r = rng.random()
        if r < 0.1:
            return f"had {a(rng.choice(_COLORS))} {rng.choice(w.toys)['word']}"
        if r < 0.3:
            return f"{rng.choice(('loved', 'liked to draw', 'wanted to see', 'had books about'))} {rng.choice(w.char_animals)['plural']}"
        if r < 0.5:
            return f"liked {rng.choice(w.countable_foods)['plural']} {rng.choice(('best of all', 'more than cake', 'for breakfast', 'very much'))}"
        if r < 0.7:
            return f"had {a(rng.choice(w.toys)['word'])} {rng.choice(('at home', 'at home', 'by the bed', 'at home, in a big toy box'))}"
        return f"liked {doings.activity(st, self.where)}"

    def ending(self, st):
        c, _g, f, k, rng = st.hero, st.grownup, self.companion, self.kid, st.rng
        if self.bad:
            st.s(rng.choice((f"By the time {c.name} was ready to say hello, {k.name}'s mom had come to take {k.o} home.",
                             f"{st.sub(c)} waited too long, and then {k.name} was gone.",
                             f"{st.nm(k)} went home with {k.p} dad, and {c.name} did not even know where {k.s} lived.")))
            self.remember(st)
            return
        st.state.at("noon")
        if self.gather and rng.random() < 0.6:
            skills.counting_gather(st, self.gather, c, k)
        else:
            st.s(rng.choice((f"{st.nm(c)} and {st.nm(k)} {rng.choice(_TOGETHER)}.",
                             f"All morning, {c.name} and {k.name} {rng.choice(_TOGETHER)}.",
                             f"Then the two new friends {rng.choice(_TOGETHER)}.",
                             f"{st.sub(c)} had not had so much fun in a long time: {c.s} and {k.name} {rng.choice(_TOGETHER)}.")).replace("{it}", st.thing["word"]))
        if f and st.flags.get("quarrel"):
            st.s(f"After a while, {st.nm(f)} came to play too, and said sorry to {k.name}.")
            st.flags["quarrel"] = False
        st.state.at("afternoon")
        if self.twist:
            st.s(rng.choice((f"When they walked home, {c.name} found out that {k.name} lived right next door!",
                             f"And the next day, {k.name} came to {c.name}'s school!")))
        st.s(self._f(st, rng.choice(_BYE)).replace("{place}", self.where))
        self.remember(st)

    def remember(self, st) -> None:
        k = self.kid
        rc = frame.Recap(st, self)
        rc.nps = [x for x in rc.nps if not x.startswith("the day at")] + [f"the day at the {self.where}"]
        rc.place = self.where
        if self.bad:
            rc.losses += [f"the new {k.kind}", f"the {k.kind} at the {self.where}"]
            rc.again += [("say", f"hello to {k.name}")]
        else:
            rc.nps += [k.name, "the new friend", f"{k.name}, the new friend"]
            rc.proud += [("say", f"hello to {k.name}")]
            rc.fun += [("play", f"with {k.name}")]
            rc.again += [("play", f"with {k.name}")]
            rc.praise += ["friendly", "brave", "kind"]
        st.flags["recap"] = rc

    def lessons(self, st):
        if self.bad:
            return ("that it is better to say hello right away",
                    "that being shy can make you lose a friend",
                    f"to say hello the next time {st.hero.s} saw a new {self.kid.kind} at the {self.where}")
        k = self.kid
        return ("that a friend is just someone you have not met yet",
                "that saying hello is the first step to a new friend",
                "to be kind to someone who is new",
                "that new friends can be found anywhere",
                f"that a new friend can be waiting at the {self.where}",
                f"that saying hello to {k.name} was a very good idea",
                f"to say hello to the next new {k.kind} too",
                f"that sharing your {st.thing['word']} is a good way to make a friend")
