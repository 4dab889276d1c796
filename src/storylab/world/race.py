"""The ``race`` plot: a race with a friend, losing (or winning), and being a good sport.

The plan picks where they race (the park, the field, the beach, the playground, the hill),
what kind of race (running, hopping, on one foot, backwards, with an egg on a spoon), to
which landmark (something of nature at that place, from the vocabulary: the old tree, the
big rock), the prize, who wins and what happens on the way (a trip over a root, a shoe that
comes off, an animal to stop for). The hero loses and learns to lose well (or, in a bad
ending, goes home angry); a twist is a race that ends in a tie, or a hero who stops to help.
The race goes out from home over the village map (the space item).
"""

from __future__ import annotations

from storylab.world import beats, doings, facts, frame
from storylab.world.model import DIRECTIONS
from storylab.world.plots import Plan, _cast, fits, middle_words, travel
from storylab.world.text import a, cap

PLACES = ("park", "field", "beach", "playground", "hill", "garden")
KINDS = ("a running race", "a hopping race", "a race on one foot", "a race with an egg on a spoon",
         "a race like frogs", "a crawling race", "a skipping race")
_MOVE = {"a running race": "ran", "a hopping race": "hopped", "a race on one foot": "hopped",
         "a race with an egg on a spoon": "walked very carefully",
         "a race like frogs": "jumped like frogs", "a crawling race": "crawled", "a skipping race": "skipped"}
_PRIZE = ("a paper crown", "the first turn on the swing", "the last cookie", "a golden sticker", "a big red apple",
          "a shiny stone", "the best place on the bench", "a ride on {g}'s back", "the last {food}",
          "the biggest {food}", "two {foods}")
_NO_PRIZE = ("onion", "potato", "pea", "bean", "cucumber", "egg", "noodle", "nut", "peanut", "sausage", "pumpkin")
_OOPS = ("{c}'s shoe came off", "{c} tripped over a stick", "{c} slipped on the wet grass", "{c} ran the other way at first",
         "{c} stopped to laugh", "a dog ran in front of {c}", "{c} looked back for a moment")
_CHEER = ("clapped and shouted", "cheered from the bench", "counted to three, and off they went",
          "waved a red scarf at the end", "stood by the {mark} to see who came first",
          "shouted, \"Ready? Go!\"", "clapped loudly to start the race", "got ready to cheer")


# who wants the race ({c}, {f}: the hero and the friend by name) and what the winner gets
_WANT = ("{when}{c} and {f} wanted to have {kind} at the {P}.", "{when}{f} said, \"Let's have {kind} at the {P}, {C}!\"",
         "{when}{c} wanted to be faster than {f} in {kind} at the {P}.",
         "{when}{c} and {f} went to the {P} to see who was faster in {kind}.",
         "{f} said {fs} was faster than anyone, so {c} wanted {kind} at the {P}.",
         "{when}{c} had an idea for the {P}: {kind}, just {c} and {f}.",
         "{K}! That was the game {c} and {f} wanted to play at the {P}.",
         "{when}{c} and {f} wanted to find out {who} at the {P}.",
         "{Who}, {c} or {f}? They would find out at the {P}.",
         "{when}{c} said {s} was faster than {f}, so {fs} said, \"Race me at the {P}!\"",
         "{f} had never lost {kind}, and {c} wanted to win one at the {P}.",  # (no "That morning, ... had never")
         "{when}{f} wanted {kind} at the {P}, and {c} said yes right away.",
         "{when}{c} told {f} that {s} knew {who}, and {f} laughed: \"We will see!\"",
         "{when}{c} could not wait to race {f} across the {P}: {kind}!",
         "{when}{c} and {f} had a plan for the {P}, and it was {kind}.",
         "\"Who wants {kind}?\" {f} asked on the way to the {P}, and {c} put up {p} hand.",
         "{when}the {P} was empty, so {c} and {f} had all the room they needed for {kind}.",
         "{when}{f} laughed that {fs} could win {kind} with {fp} eyes closed, so {c} said, \"Let's see, at the {P}!\"")
_WHO = {"a running race": "who could run the fastest", "a hopping race": "who could hop the fastest",
        "a race on one foot": "who was fastest on one foot", "a race with an egg on a spoon": "who could carry an egg on a spoon the fastest",
        "a race like frogs": "who could jump like a frog the fastest", "a crawling race": "who could crawl the fastest",
        "a skipping race": "who could skip the fastest"}
_PRIZE_SAID = ("The one who won would get {prize}, {f} said.", "The first one to {mark} would get {prize}.",
               "{c} really wanted to win {prize}.", "The prize was {prize}, and {c} wanted it very much.",
               "\"The first one there gets {prize},\" said {f}.", "{prize} was for the one who got to {mark} first.",
               "They would race for {prize}.", "{prize}! {c} wanted it so much.",
               "{g} said {prize} would go to the one who got to {mark} first.",
               "{g} said that {prize} was for the one who won.", "The first to touch {mark} would win {prize}.",
               "{c} looked at {mark} and thought about {prize}.")
# the course, from {start} to {mark}
_COURSE = ("They would race from {start} to {mark} and back.", "The race went from {start} to {mark}.",
           "{c} made a mark in the {ground} with a stick, and {f} pointed at {mark}: that was the end.",
           "{start} was the start, and {mark} was the end.", "\"To {mark} and back!\" said {f} at {start}.",
           "They picked {mark} as the end and stood side by side at {start}.",
           "{c} and {f} put their toes next to {start} and looked at {mark}, far away.",
           "First to {mark}, {c} said, and {f} said yes.", "{mark}, not too far and not too near, would be the end.",
           "Their race would begin at {start} and end at {mark}.",
           "{f} picked {mark} for the end, and {c} picked {start} for the start.",
           "{c} scratched a mark in the {ground} by {start}, and the first one to {mark} would win.",
           "Side by side at {start}, they looked over at {mark}.",
           "From {start}, {mark} looked very far away.", "{c} said they should race to {mark}, and {f} said, \"Okay!\"")
# the twist: an animal to help on the way
_HELP = ("On the way, {c} saw {an} that could not get out of a hole, and {s} stopped to help it.",
         "Not far from the start, {c} heard a little sound: {an} could not get out of the long grass, so {s} stopped.",
         "{c} saw {an} with its foot stuck between two stones, and {s} forgot all about the race.",
         "Then {c} heard a little cry: {an} was stuck in a hole, so {s} stopped to help it.",
         "Just then, {c} saw {an} caught in the long grass, and {s} stopped running to help it.",
         "In the middle of the race, {c} saw {an} stuck under a branch, and {s} stopped right away.")
_LANDMARKS = ("tree", "rock", "bush", "fence", "log", "sunflower", "swing")  # (not the bench: they start there)
_SIZE = ("big", "old", "tall", "little", "small", "huge", "long")
_MARK_LOOKS = ("big", "old", "tall", "little", "small", "green", "brown", "gray", "red", "white", "huge", "long")


def _landmark(st, where: str) -> str:
    """Where the race ends: 'the old tree', 'the big gray rock' (the things of the place, with their looks)."""
    rng, v = st.rng, st.w.vocab.noun
    n = rng.choice([x for x in _LANDMARKS if x in v and (where != "beach" or x in ("rock", "log"))])
    looks = [x for x in doings._adjs().get(n, ()) if x in _MARK_LOOKS]
    k = rng.random()
    size = [x for x in looks if x in _SIZE]
    color = [x for x in looks if x not in _SIZE]
    two = f"{rng.choice(size)} {rng.choice(color)} " if size and color else rng.choice(looks) + " " if looks else ""
    adj = "" if not looks or k < 0.25 else rng.choice(looks) + " " if k < 0.8 else two  # ('the big gray rock', not 'the red big tree')
    return f"the {adj}{n}"


class Race(Plan):
    """Two children race; one wins; being a good sport."""

    name = "race"
    uses_thing = False

    def flags_late_companion(self):
        return False

    def __init__(self, st):
        super().__init__(st)
        rng, w = st.rng, st.w
        self.where = rng.choice([p for p in PLACES if p in w.coords])
        self.home = rng.choice([p for d in DIRECTIONS if (p := w.neighbor(self.where, d))])
        self.kind = rng.choice(KINDS)
        st.thing = w.vocab.noun["ball"]
        _cast(st, self, 1.0)  # a race needs two
        self.win = "friend" if rng.random() < 0.7 else "hero"  # (mostly the hero loses, and loses well)
        food = rng.choice([x for x in w.countable_foods if x["word"] not in _NO_PRIZE])  # (a prize to eat)
        self.prize = rng.choice(_PRIZE).replace("{food}", food["word"]).replace("{foods}", food["plural"])
        self.goal = f"win {self.kind} at the {self.where}"

    def _f(self, st, t: str, **kw) -> str:
        c, g = st.hero, st.grownup
        return t.format(c=c.name, p=c.p, s=c.s, o=c.o, g=g.title, **kw)

    def want(self, st):
        c, f, rng = st.hero, self.companion, st.rng
        P = st.place_mark(self.where)
        when = rng.choice(("That day, ", "After breakfast, ", "That morning, ", "", f"On {st.time_mark(st.day)}, "))
        prize = self._f(st, self.prize)
        self.mark = _landmark(st, self.where)
        kw = dict(when=when, c=st.nm(c), f=st.nm(f), C=c.name, F=f.name, kind=self.kind, P=P, mark=self.mark, prize=prize,
                  s=c.s, fs=f.s, p=c.p, fp=f.p, K=cap(self.kind), g=st.nm(st.grownup), who=_WHO[self.kind], Who=cap(_WHO[self.kind]))
        st.s(cap(rng.choice(_WANT).format(**kw)))
        if rng.random() < 0.6:  # the prize (a short story can do without it: the ending names it)
            st.s(cap(rng.choice(_PRIZE_SAID).format(**kw)))

    def hint(self, st):
        c, f, rng = st.hero, self.companion, st.rng
        st.s(rng.choice((f"{st.nm(f)} was very fast, faster than {c.name} knew.",
                         f"{c.name} always wanted to win, and {c.s} did not like to lose.",
                         f"{st.nm(st.grownup)} always said that the fun is in the playing, not in the winning.",
                         f"{c.name} had never been faster than {st.nm(f)}, not even once.")))

    def middle(self, st):
        c, g, f, rng = st.hero, st.grownup, self.companion, st.rng
        group = [c, g, f]
        st.state.at("morning")
        travel(st, group, self.home, self.where)
        st.place = self.where
        if fits(st, 14):
            facts.place(st, self.where, 1) or facts.episode(st, "scene")
        doings.fill(st, group, self.where, middle_words(st) - 60, 1, 1 if fits(st, 60) else 0)
        mark = self.mark.split(" ", 1)[1] if self.mark.startswith(("a ", "an ", "the ")) else self.mark
        start = _landmark(st, self.where)
        while start.split()[-1] == mark.split()[-1] and self.where != "beach":
            start = _landmark(st, self.where)
        start = start if start.split()[-1] != mark.split()[-1] else "the path"
        st.s(cap(rng.choice(_COURSE).format(c=st.nm(c), f=st.nm(f), start=start, mark=self.mark,
                                            ground="sand" if self.where == "beach" else "grass")))
        cheer = ""
        if fits(st, 12) and rng.random() < 0.6:  # (the grown-up cheering: not every race needs it)
            cheer = self._f(st, rng.choice(_CHEER), mark=mark)
            forable = cheer.startswith(("clapped", "cheered", "waved", "got ready"))  # (cheered ... for Sam and Kim)
            st.s(f"{st.nm(g)} {cheer} for {c.name} and {f.name}." if forable and rng.random() < 0.6
                 else f"{st.nm(g)} {cheer}" + ("" if cheer.endswith('"') else "."))
        move = _MOVE[self.kind]
        st.s(rng.choice((f"{st.nm(c)} and {st.nm(f)} {move} {rng.choice(('as fast as they could', 'as fast as their legs could go', 'and laughed all the way', 'side by side for a while'))}.",
                         f"{st.nm(f)} {move} {rng.choice(('like the wind', 'faster than ever', 'with big steps'))}, and {c.name} {move} after {f.o}.")
                        + (() if "off they" in cheer else  # (not "off they went. Off they ran")
                           (f"Off they {move.split()[0] if move.split()[0] != 'walked' else 'went'}, {c.name} first and {f.name} right behind.",))))
        oops = self._f(st, rng.choice(_OOPS))
        if self.twist:
            an = rng.choice(st.w.scene_animals(self.where))
            st.s(rng.choice(_HELP).format(c=c.name, s=c.s, an=a("little " + an["word"]), the=f"the little {an['word']}"))
            self.helped = an["word"]
        elif self.win == "friend":
            st.s(rng.choice((f"On the way, {oops}, and {st.nm(f)} ran past.", f"Not far from {self.mark}, {oops}, and {st.nm(f)} went past.",
                             f"{cap(oops)}, and that was all {st.nm(f)} needed to go first.",
                             f"Just before {self.mark}, {oops}, and {st.nm(f)} went past {c.o}.")))
        st.state.feel(c.name, "excited")

    def ending(self, st):
        c, g, f, rng = st.hero, st.grownup, self.companion, st.rng
        st.state.at("noon")
        prize = self._f(st, self.prize)
        if getattr(self, "helped", None):
            st.s(rng.choice((f"{st.nm(f)} came back to see, and the two of them helped the little {self.helped} together.",
                             f"{st.nm(f)} ran back, and together they got the little {self.helped} out.",
                             f"{st.nm(f)} stopped too, and soon the little {self.helped} was safe.")),
                 rng.choice((f"Nobody won the race, but {st.nm(g)} said that {c.name} had won something better.",
                             f"{st.nm(g)} said that helping was better than winning any race.",
                             f"There was no prize for anyone that day, but the little {self.helped} was safe and happy.",
                             f"{st.nm(g)} said {c.name} had done the best thing of all that day, race or no race.",
                             f"Nobody thought about the race any more: everyone wanted to see the little {self.helped}.")))
        elif self.win == "hero":
            st.s(rng.choice((f"{st.nm(c)} {rng.choice(('got to', 'reached', 'touched'))} {self.mark} first, just a little before {f.name}.",
                             f"In the end, {c.name} won by one step.", f"{st.nm(f)} was fast, but {c.name} was faster, and {c.s} got to {self.mark} first.",
                             f"With one last jump, {c.name} was at {self.mark}, and {f.name} was still two steps behind.")),
                 rng.choice((f"{st.sub(c)} shared {prize} with {st.nm(f)}, because {f.s} had run so well.",
                             f"{st.sub(c)} shook hands with {st.nm(f)} and said it was a good race.")))
        elif self.bad:
            st.s(f"{st.nm(f)} won, and got {prize}.",
                 rng.choice((f"{c.name} said it was not a real race, and {c.s} went home angry.",
                             f"{c.name} kicked the grass and did not say a word to {f.name} all the way home.")))
            st.flags["quarrel"] = True
            self.remember(st)
            return
        else:
            st.s(rng.choice((f"{st.nm(f)} got to {self.mark} first and won {prize}.",
                             f"{st.nm(f)} touched {self.mark} just before {c.name} and won {prize}.",
                             f"{st.nm(f)} reached {self.mark} first, so {prize} went to {f.o}.",
                             f"{c.name} tried hard, but {f.name} was at {self.mark} first and won {prize}.",
                             f"By the time {c.name} got to {self.mark}, {f.name} was already there, so {f.s} won {prize}.")))
            st.state.feel(c.name, "sad")
            if self.conflict:
                st.s(f"{c.name} said that {f.name} had started too soon, and they began to fight.")
                st.flags["quarrel"] = True
            if "Dialogue" in st.f:
                st.speak(g, rng.choice((f"You ran very well, {c.name}. Can you say well done to {f.name}?",
                                        f"You can't win every time, {c.name}.")), "said")
            st.s(rng.choice((f"{c.name} took a deep breath, walked over and said, \"Well done, {f.name}!\"",
                             f"{c.name} was sad for a moment, but then {c.s} gave {f.name} a high five.",
                             f"{c.name} shook {f.name}'s hand and said it was {rng.choice(('a good race', 'a fun race', 'the best race ever'))}.",
                             f"{c.name} wanted to cry, but {c.s} smiled and told {f.name} {f.s} had run like the wind.")))
            if rng.random() < 0.7:
                st.s(rng.choice((f"{st.nm(f)} smiled and shared {prize} with {c.name}.",
                                 f"Then they raced again and again, and {c.name} won once.",
                                 f"They laughed and raced to {beats.outdoor_thing(st)} next, just for fun.")))
        self.remember(st)

    def remember(self, st) -> None:
        f = self.companion
        rc = frame.Recap(st, self)
        rc.nps = [x for x in rc.nps if not x.startswith("the day at")] + [f"the day at the {self.where}", "the race"]
        rc.place = self.where
        if self.bad:
            rc.losses += ["the race", f"the fight with {f.name}"]
        else:
            rc.fun += [("race", f"with {f.name}")]
            rc.again += [("race", f"with {f.name}")]
            rc.praise += ["kind", "good", "brave"]
        st.flags["recap"] = rc

    def lessons(self, st):
        c = st.hero
        if self.bad:
            return ("that it is hard to lose", "that being angry takes away the fun")
        return ("that the fun is in the playing, not in the winning",
                f"to be a good friend, even when {c.s} lost" if self.win == "friend" else f"to be kind to {c.p} friend, even when {c.s} won",
                "that it feels good to say well done")
