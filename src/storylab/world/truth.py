"""The ``truth`` plot: the hero breaks something, hides it, and tells the truth.

The plan picks what breaks and how from what the hero was doing (a ball in the house hits
the vase, a jump on the couch knocks the lamp, a reach for the cookie jar on a high shelf),
where the pieces are hidden, the bad feeling that grows (no appetite at dinner, no sleep),
who gets the blame (the cat, a sibling: the conflict), the telling, and the mending (glue
at the kitchen table, or a walk to the shop for a new one: the route is the space item).
A bad ending keeps the lie; a twist is that the grown-up knew, or had once done the same.
"""

from __future__ import annotations

from storylab.world import beats, doings, facts, frame
from storylab.world.model import DIRECTIONS, FAMILY
from storylab.world.plots import (
    Plan,
    _cast,
    ends_fit,
    fits,
    middle_words,
    room,
    short,
    travel,
)
from storylab.world.text import NUMBERS, a, cap

# what breaks: (noun, how it is named, what one does with it when it is mended)
BREAKS = {"vase": ("{g}'s {adj} vase", "put flowers in it again"),
          "cup": ("{g}'s {adj} tea cup", "drink tea from it again"),
          "plate": ("the {adj} plate with the flowers on it", "put it back on the shelf"),
          "lamp": ("the {adj} lamp in the living room", "put it back on the table"),
          "mirror": ("the {adj} mirror by the door", "hang it on the wall again"),
          "clock": ("the {adj} clock on the shelf", "tell the time with it again"),
          "jar": ("the {adj} cookie jar", "fill it with cookies again"),
          "bowl": ("the {adj} bowl for the apples", "put the apples back in it"),
          "picture": ("the {adj} picture of Grandpa on the wall", "hang it on the wall again")}
# what happens when it breaks: the thing's own crash ({x}: its short name, {n}: a number of pieces)
_CRASH = {"vase": ("The {x} broke, and the water and the flowers went all over the rug.",
                   "The {x} lay on the floor in {n} pieces, with the flowers all around it.",
                   "The {x} hit the floor, and the flowers lay in a little puddle of water."),
          "cup": ("The {x} fell off the table, and a big piece came off.", "Now the {x} was in {n} pieces, and one piece was under the chair.", "A big piece broke off the {x} and rolled under the table."),
          "plate": ("The {x} went round and round on the floor, and then it broke in two.",
                    "The {x} broke into {n} pieces, and the flowers on it broke too.", "The {x} hit the side of the table and broke into {n} pieces."),
          "lamp": ("The {x} fell, the light went out, and the {x} broke.", "The {x} went down with a crash, and the room went dark.", "The {x} hit the floor, and the little light inside it broke."),
          "mirror": ("The {x} broke into {n} shiny pieces, and in every piece {c} could see {p} own scared face.",
                     "The {x} fell on its face, and when {c} lifted it up, it was in {n} pieces.", "The {x} slid down to the {where} and broke into {n} shiny pieces."),
          "clock": ("The {x} fell, broke, and stopped: it could not tell the time any more.",
                    "The {x} lay on the rug in {n} pieces, and it did not make a sound any more.", "The {x} hit the floor, broke in two and stopped right at {k}."),
          "jar": ("The {x} broke, and the cookies rolled all over the floor.", "The {x} broke into {n} pieces, and cookies went everywhere.", "The {x} broke, and {c} stood in a ring of cookies and pieces."),
          "bowl": ("The {x} broke, and the apples rolled under the table.", "The {x} broke into {n} pieces, and one apple rolled to the door.", "The {x} broke in two, and {n} red apples rolled across the floor."),
          "picture": ("The {x} fell off the wall and broke into {n} pieces.", "Grandpa's picture lay on the {where}, with {n} pieces all around it.", "The {x} slid down the wall and broke into {n} pieces on the {where}.")}
_USES = ("lamp", "clock", "mirror")  # the broken things a fact says what they are for (a clock tells the time)
_ADJ = ("blue", "old", "pretty", "white", "little", "green", "yellow", "shiny", "tall", "round", "red", "best")
# how: (what the hero was doing, the toy if any, how the thing fell, the house rule, the promise after)
_BALL_RULE = ("{g} always said: no ball games in the house", "{g} had asked {c} to play ball outside")
_RUN_RULE = ("{g} had said again and again that the house was not for running", "{g} had asked {c} to play outside",
             "{g} always said that the living room was for quiet games")
_HOW = (("playing ball in the living room", "ball", "the ball bounced off the wall and hit {it}", _BALL_RULE,
         "play ball outside"),
        ("bouncing {p} ball in the house", "ball", "the ball flew too far and knocked over {it}", _BALL_RULE,
         "play ball outside"),
        ("jumping on the couch", None, "{c} jumped too high and knocked over {it}", _RUN_RULE,
         "jump only on the grass outside"),
        ("dancing around the room", None, "{c} spun around and {p} arm hit {it}", _RUN_RULE,
         "dance where there was room"),
        ("running in the house", None, "{c} ran past too fast and bumped {it}", _RUN_RULE, "walk in the house"),
        ("flying {p} toy spaceship around the room", "spaceship", "the spaceship hit {it}", _RUN_RULE,
         "fly the spaceship outside"),
        ("reaching for the cookies on the high shelf", None, "{c} stood on a chair, and {it} slid off the shelf",
         ("{g} had told {c} to ask for help with the high shelf",), "ask for help with the high shelf"),
        ("playing with {p} balloon", "balloon", "{c} jumped for the balloon and fell on {it}", _RUN_RULE,
         "play with the balloon outside"))
# a toy the hero plays with in the house (any toy, any way one plays with it) and how it hits the thing
_TOY_ROOMS = ("in the living room", "in the kitchen", "by the window", "in the big room", "next to the table",
              "on the rug", "by the door", "on the couch")
_TOY_HIT = ("the {toy} flew out of {p} hands and hit {it}", "the {toy} slipped and fell on {it}",
            "{c} turned too fast, and the {toy} hit {it}", "the {toy} went too far and knocked over {it}",
            "{c} tripped, and the {toy} fell right on {it}", "{c} threw the {toy} up high, and it came down on {it}",
            "the {toy} rolled off the couch and hit {it}", "{c} swung the {toy} around, and it hit {it} hard",
            "{c} did not see {it}, and the {toy} knocked it over")
_LOOKS = ("little", "big", "small", "new", "old", "heavy", "pretty", "beautiful", "special", "colorful", "tiny",
          "shiny", "sparkly", "golden", "silver", "red", "blue", "green", "yellow", "pink", "purple", "brown",
          "black", "white", "gray", "orange")
_HIDE_VERB = ("hid", "pushed", "put", "carried", "hid")
_HIDE_WHAT = ("the pieces", "all the pieces", "every piece", "the broken {x}", "the sharp pieces")
_HIDE = ("under the rug", "behind the couch", "in a box under {p} bed", "in a bag, under some paper", "behind the door",
         "at the bottom of {p} toy box")
_BAD_FEELING = ("At dinner, {c} could not eat {p} {food}.", "At dinner, {c} did not even want {a_food}.",
                "{c} did not want to play with {p} {toy} any more.", "{c}'s tummy felt funny all afternoon.",
                "{c} did not want to play, not even with {p} friends.", "That night, {c} could not sleep, thinking about the pieces.",
                "Every time {c} looked at the empty shelf, {s} felt worse.", "{c} felt heavy inside, like a stone.",
                "When {g} smiled at {o}, {c} felt even worse.", "That night, {c} thought about the pieces {hid}.",
                "{c} kept looking at the place where the {x} had been.", "Even {p} favorite {food} did not taste good.")
_FOODS = ("soup", "pasta", "rice", "carrots", "peas", "fish", "bread", "potatoes")
_FORGIVE = ("Thank you for telling me the truth, {c}.", "I am glad you told me, {c}, and a {x} can be fixed.",
            "It is only a {x}, {c}, and the truth is more important.", "Everyone makes mistakes, {c}.",
            "I was sad about the {x}, but I am happy that you told me, {c}.", "Next time, come to me right away, {c}.",
            "Telling the truth is not easy, {c}, and you did it.")


class Truth(Plan):
    """Something breaks; the pieces are hidden; a bad feeling; the truth; mending it."""

    name = "truth"
    uses_thing = False

    def flags_late_companion(self):
        return False

    def __init__(self, st):
        super().__init__(st)
        rng, w, n = st.rng, st.w, st.noun
        self.broken = n["word"] if n["word"] in BREAKS and rng.random() < 0.85 else rng.choice(list(BREAKS))
        st.used_noun |= self.broken == n["word"]
        self.how = rng.choice(_HOW)
        if rng.random() < 0.5:  # any toy, played with any way, in some room
            toy = rng.choice([t for t in w.toys if t["word"] not in ("dollhouse", "kite", "sticker")])["word"]
            play = rng.choice(beats.PLAY.get(toy, ("play with {o}",)))
            self.how = (beats.verb(st, play, "ing").format(o="{p} " + toy) + " " + rng.choice(_TOY_ROOMS), toy,
                        rng.choice(_TOY_HIT).replace("{toy}", toy), _RUN_RULE, f"play with {{p}} {toy} outside")  # ({p}: `_f` fills it in)
        self.shop = rng.choice(("market", "shop"))
        self.home = rng.choice([p for d in DIRECTIONS if (p := w.neighbor(self.shop, d))])
        toy = self.how[1]
        st.thing = w.vocab.noun[toy or self.broken]
        _cast(st, self, 0.4)
        self.adj = rng.choice([x for x in doings._adjs().get(self.broken, ()) if x in _LOOKS] or _ADJ)
        self.goal = f"tell the truth about the {self.broken}"
        self.blame = None  # whom the hero blames: the companion (conflict) or the cat
        if self.conflict and self.companion:
            self.blame = self.companion
        elif self.conflict or rng.random() < 0.3:
            self.blame = "cat"
        self.mend = rng.choice(("glue", "shop")) if not short(st) else "glue"

    def _f(self, st, t: str, **kw) -> str:
        c, g = st.hero, st.grownup
        return t.format(c=c.name, p=c.p, s=c.s, o=c.o, g=g.title, **kw)

    def it(self, st) -> str:
        return self._f(st, BREAKS[self.broken][0], adj=self.adj)

    def want(self, st):
        c, g, rng = st.hero, st.grownup, st.rng
        doing = self._f(st, self.how[0])
        if self.how[1]:
            st.state.has(c.name, self.how[1])
        when = rng.choice(("That day, ", "After breakfast, ", "That morning, ", "", f"On {st.time_mark(st.day)}, "))
        st.s(rng.choice((f"{when}{st.sub(c)} was {doing}.", f"{when}{st.nm(g)} was busy, so {c.name} was {doing}.",
                         f"{when}{st.nm(g)} was {doings.activity(st)}, and {c.name} was {doing}.",
                         f"{when}{st.nm(g)} was {doings.activity(st)}, and {c.name} was {doing}.")
                        + ((f"{when}{st.sub(c)} was {doing}, and it was so much fun.",) if self.how[1] else ())
                        + (f"{when}the house was quiet, and {c.name} was {doing}.", f"{when}{c.name} was {doing}, and nobody was watching.",
                           f"{when}{c.name} had the whole room to {c.r}, so {c.s} was {doing}.")))
        if rng.random() < 0.5 and room(st, 100):
            st.s(cap(self._f(st, rng.choice(self.how[3]))) + ".")

    def hint(self, st):
        c, rng = st.hero, st.rng
        g, x = st.grownup, f"the {self.adj} {self.broken}"
        on_table = self.broken not in ("picture", "mirror", "lamp", "clock")  # (those have their own place: 'on the wall')
        st.s(rng.choice((f"On the table stood {self.it(st)}, right at the end of the table." if on_table else f"{st.nm(g)} loved {x} very much.",
                         f"{cap(self.it(st))} stood where it always stood, and {c.name} did not look at it.",
                         f"{st.nm(g)} loved {x} very much.", f"{c.name} knew that {x if self.adj != 'special' else 'the ' + self.broken} was very special to {st.nm(g)}.")))
        self.named = True  # (the crash then names it short: 'hit the blue vase')

    def middle(self, st):
        c, g, f, rng = st.hero, st.grownup, self.companion, st.rng
        st.state.at("noon")
        for x in ([c, f] if f else [c]):
            st.state.go(x.name, "home")
        it = f"the {self.adj} {self.broken}" if getattr(self, "named", False) else self.it(st)
        spots = [x for x in beats.hiding(st, 6) if x.startswith(("under", "behind", "by", "next"))]
        self.spots = (spots + ["under the table", "behind the couch"])[:2]
        x = rng.choice((self.broken, f"{self.adj} {self.broken}"))
        if rng.random() < 0.6:  # the thing's own crash
            crash = self._f(st, rng.choice(_CRASH[self.broken]), x=x, n=NUMBERS[rng.randint(2, 6)], where=rng.choice(("floor", "rug")),
                            k=NUMBERS[rng.randint(2, 10)])
            crash = crash.replace(f"The {x}", rng.choice((f"The {x}", f"Crash! The {x}", f"Boom! The {x}", f"In the quiet house, the {x}")), 1)
        else:
            crash = (rng.choice(("Crash! ", "", "In one second, ", "Boom! ", "Before anyone could catch it, ")) +
                     f"{rng.choice(('the ' + x, c.p + ' ' + st.grownup.title.lower() + chr(39) + 's ' + self.broken if st.grownup.kind in FAMILY else 'the ' + x))} "
                     f"{rng.choice(('broke into', 'fell and broke into', 'was in', 'went down and broke into', 'broke at once into', 'came down in'))} "
                     f"{rng.choice(('many little pieces', 'two big pieces', 'three pieces', 'so many pieces', 'tiny pieces', 'five pieces', 'big and small pieces'))}"
                     f"{rng.choice(('', ', and one piece flew ' + self.spots[0], ' right by the ' + rng.choice(beats.ROOM_THINGS), ' near ' + c.p + ' feet', ' all over the floor'))}.")
        st.s(rng.choice(("Then ", "Suddenly, ", "But then ", "", "Oh no! ")) + self._f(st, self.how[2], it=it) + ".", cap(crash))
        if rng.random() < 0.4 and fits(st, 14):
            st.s(rng.choice((f"{st.sub(c)} was scared that {st.nm(g)} would be angry about the {self.broken}.",
                             f"{st.sub(c)} looked at the door, but nobody had seen the {self.broken} fall.",
                             f"{c.name}'s heart went very fast, and {c.s} looked at the {rng.choice(beats.ROOM_THINGS)}.",
                             f"{st.sub(c)} stood very still and listened, but the house was quiet.",
                             f"\"Oh no,\" {c.name} thought. \"{g.title} loves that {self.broken}.\"",
                             f"{st.sub(c)} wanted to cry, but {c.s} was too scared to make a sound.")))
        st.state.feel(c.name, "scared")
        self.hid = self.spots[1]
        if rng.random() < 0.3:
            self.hid = self._f(st, rng.choice(_HIDE))
        what = rng.choice(_HIDE_WHAT).format(x=self.broken)
        st.s(rng.choice(("Quickly, ", "So ", "", "Before anyone came, ", "Very quietly, ")) + c.name + " " +
             f"{rng.choice(_HIDE_VERB)} {what} {self.hid}" +
             rng.choice(("", "", "", ", where nobody would look", f", and {c.p} hands were shaking", f" and ran to {c.p} room",
                         " and sat on the couch as if nothing had happened", f", and {c.p} heart went very fast",
                         f", and {c.s} did not make a sound", f", then went back to {c.p} room without a word")) + ".")
        doings.fill(st, [c] + ([f] if f else []), "home", middle_words(st) - 45, 1, 1 if fits(st, 60) else 0)
        st.state.at("afternoon")
        x = self.broken
        if "Dialogue" in st.f:
            st.speak(g, rng.choice((f"Where is my {x}?", f"Has anyone seen the {x}?", f"{c.name}, what happened to the {x}?",
                                    f"{c.name}, did you see my {x}?", f"That is strange, where did my {x} go?")),
                     rng.choice(("asked", "asked", "said")))
        else:
            st.s(rng.choice((f"Later, {st.nm(g)} looked for the {x} but it was not there.",
                             f"That afternoon, {st.nm(g)} saw that the {x} was gone.",
                             f"Later, {st.nm(g)} came in, {doings.activity(st)}, and saw that the {x} was gone.",
                             f"At tea time, {st.nm(g)} went to get the {x} and stopped: it was gone.",
                             f"{st.nm(g)} looked at the empty place and asked where the {x} was.")))
        if self.blame is self.companion and f:
            st.s(rng.choice((f"{st.sub(c)} said that {st.nm(f)} had done it.", f"\"{f.name} did it!\" {c.name} said.")))
            st.s(f"{st.nm(f)} said that was not so, and {f.s} was very upset.")
            st.flags["quarrel"] = True
        elif self.blame == "cat":
            st.s(rng.choice((f"{st.sub(c)} said the cat must have done it.", f"\"Maybe the cat broke the {self.broken},\" {c.name} said.",
                             f"\"It was the cat!\" {c.name} said, and {c.s} did not look at {st.nm(g)}.",
                             f"{st.sub(c)} pointed at the cat and said it had jumped on the {rng.choice(('shelf', 'table'))}.")))
            if rng.random() < 0.5:
                spot = rng.choice(('couch', 'rug', 'bed', 'chair', 'shelf', 'table', 'warm window'))
                st.s(rng.choice((f"The cat was {rng.choice(('asleep', 'sleeping', 'fast asleep'))} on the {spot} and did not even "
                                 f"{rng.choice(('open its eyes', 'look up', 'move its tail'))}.",
                                 f"But the cat had been asleep on the {spot} all {rng.choice(('day', 'afternoon', 'morning'))}.",
                                 f"On the {spot}, the cat only opened one eye and went back to sleep.")))
            else:  # the cat, awake, has its say
                facts.meet(st, "cat", ("says",))
        else:
            st.s(rng.choice((f"{st.sub(c)} said nothing.", f"{st.sub(c)} looked at {c.p} shoes and said {c.s} did not know.",
                             f"{st.sub(c)} said {c.s} had not seen it, and {c.p} cheeks went red.",
                             f"\"I do not know,\" {c.name} said {rng.choice(('very quietly', 'in a small voice', 'and looked away', 'to the floor'))}.", f"{st.sub(c)} shook {c.p} head and looked away.",
                             f"\"Not me,\" {c.name} said, and {c.s} looked out of the window.",
                             f"{st.sub(c)} said maybe the wind had done it, and did not look up.")))
        if not self.bad and fits(st, 12):
            food = rng.choice(st.w.countable_foods)
            st.s(self._f(st, rng.choice(_BAD_FEELING), food=rng.choice(_FOODS), a_food=a(food["word"]), hid=self.hid, x=x,
                         toy=rng.choice(st.w.toys)["word"]))

    def ending(self, st):
        c, g, f, rng = st.hero, st.grownup, self.companion, st.rng
        x = self.broken
        if self.bad:
            who = f.name if self.blame is f and f else "the cat" if self.blame == "cat" else None
            st.s(rng.choice(((f"{st.nm(g)} was cross with {who}, and {c.name} said nothing." if who else
                              f"{st.nm(g)} looked for the {x} for a long time and was very sad."),
                             f"{st.nm(g)} found the pieces the next day, and {g.s} was sad that nobody had told {g.o}.",
                             f"{c.name} never told anyone, but {c.s} felt bad about the {x} for a long, long time.")))
            self.remember(st)
            return
        st.state.at("evening")
        if "Dialogue" in st.f:
            st.speak(c, rng.choice((f"{g.title}, I broke the {x}, and I am sorry.", f"{g.title}, it was me. I broke your {x}.",
                                    f"I have to tell you something, {g.title}. I broke the {x} and hid it.",
                                    f"{g.title}, the pieces are {self.hid}. I broke the {x}.",
                                    f"It was me, {g.title}. The {x} fell when I was {self.how[0].format(p='my')}.")),
                     rng.choice(("said", "whispered", "said")))
        else:
            st.s(rng.choice((f"At last, {c.name} went to {st.nm(g)} and told {g.o} everything.",
                             f"{st.sub(c)} took {st.nm(g)} by the hand and showed {g.o} the pieces {self.hid}.",
                             f"After dinner, {c.name} sat next to {st.nm(g)} and said in a small voice that {c.s} had broken the {x}.",
                             f"{st.sub(c)} took a deep breath and told {st.nm(g)} the truth.",
                             f"{st.sub(c)} could not keep it inside any more, so {c.s} told {st.nm(g)} what had happened.")))
        if self.twist:
            st.s(rng.choice((f"{st.nm(g)} smiled: {g.s} had seen the pieces already and had been waiting for {c.name} to tell {g.o}.",
                             f"{st.nm(g)} laughed and said that {g.s} had broken the very same {x} when {g.s} was little!")))
        else:
            st.speak(g, self._f(st, rng.choice(_FORGIVE), x=x), "said")
        if self.blame is f and f:
            st.s(f"{st.nm(c)} said sorry to {st.nm(f)} too.")
            st.flags["quarrel"] = False  # (made up here)
        if self.mend == "shop" and st.state.time != "night" and ends_fit(st, 35):
            group = [c, g]
            travel(st, group, self.home, self.shop)
            st.place = self.shop
            st.s(rng.choice((f"There, {c.name} picked a new {x} with {c.p} own money.",
                             f"At the {st.place_mark(self.shop)}, they found a new {x}, just like the old one.")))
            self.mended = f"a new {x}"
            # what they see at the market, or what it is for
            facts.place(st, self.shop, 1) or (x in _USES and facts.use_of(st, x))
        else:
            where = rng.choice(("at the kitchen table", "on an old paper", "by the window", "on the floor", "at the big table",
                                "on the rug", "in the kitchen", "under the lamp", "on a big towel"))
            how = rng.choice(("piece by piece", "very slowly", "with great care", f"while {g.title} sang a little song",
                              "while the cat watched", "one piece at a time", "without a word", "little by little",
                              "and it took all evening", f"while {c.name} told {g.o} the whole story"))
            who = rng.choice((f"Then {c.name} and {st.nm(g)}", f"Together, {c.name} and {st.nm(g)}", f"After that, {st.nm(g)} and {c.name}",
                              f"After dinner, {c.name} and {st.nm(g)}", f"So {st.nm(g)} and {c.name}"))
            fix = rng.choice(("put the pieces back together with glue", f"fixed the {self.adj} {x} with glue",
                              f"put the {x} together again", f"made the {x} whole again with a little glue",
                              "put glue on every piece", f"fixed the broken {x}"))
            held, them = rng.choice((("each piece", "it"), ("the pieces", "them"), ("the big pieces", "them"), ("every piece", "it")))
            glue = rng.choice((f"{who} {fix} {where}, {how}.", f"{who} {fix} {where}.", f"{who} {fix}, {how}.",
                               f"{st.nm(g)} got the glue, and {c.name} held the pieces very still until it was dry.",
                               f"{st.nm(g)} found the glue, and {c.name} gave {g.o} the pieces one by one {where}.",
                               f"It took a long time to put all the pieces together {where}, but they did it.",
                               f"Piece after piece, {c.name} and {st.nm(g)} made the {x} whole again {where}.",
                               f"{st.nm(g)} put a little glue on each piece, and {c.name} held them together, {how}.",
                               f"{st.sub(c)} held {held}, and {st.nm(g)} put {rng.choice(('a little glue', 'some glue', 'glue', 'a bit of glue'))} "
                               f"on {them}, {how}."))
            st.s(glue, self.mended_use(st))
            self.mended = f"the fixed {x}"
            # what it is for (a clock tells the time), or what goes in it (we get milk from cows)
            if ends_fit(st, 0):
                (x in _USES and facts.use_of(st, x)) or (self.used and facts.about_word(st, self.used))
        if ends_fit(st, 10):
            st.s(rng.choice((f"{c.name} felt light and happy again, like a {rng.choice(('bird', 'feather', 'balloon', 'butterfly', 'leaf'))}.", f"The heavy feeling in {c.name}'s tummy was gone.",
                             f"{c.name} promised to {self._f(st, self.how[4])} from then on.")))
        st.state.feel(c.name, "happy")
        self.remember(st)

    def mended_use(self, st) -> str:
        """The mended thing in use again, with what is really put in it or on it."""
        rng, x, v = st.rng, self.broken, st.w.vocab.noun
        flowers = [v[f]["plural"] for f in beats._FLOWERS if f in v]
        food_n = rng.choice(st.w.countable_foods)
        food = food_n["plural"]
        drink = rng.choice(('warm milk', 'tea', 'juice', 'hot milk', 'water'))
        sweet = rng.choice(('cookie', 'candy', 'cracker', 'cupcake', 'muffin'))
        # what is put in it, for a fact about that (we get milk from cows; cookies are sweet)
        self.used = {"vase": "flower", "cup": "milk" if "milk" in drink else None, "plate": food_n["word"],
                     "bowl": food_n["word"], "jar": sweet}.get(x)
        use = {"vase": f"put {NUMBERS[rng.randint(2, 7)]} {rng.choice(flowers)} in it",
               "cup": f"drink {drink} from it",
               "plate": f"put {food} on it", "bowl": f"put {food} in it", "jar": f"fill it with {v[sweet]['plural']}",
               "lamp": "turn it on", "mirror": "hang it up by the door", "clock":
               "put it back on the shelf",
               "picture": "hang Grandpa's picture on the wall"}[x]
        c, g = st.hero.name, st.grownup.title
        mark = rng.choice(("a thin mark", "a dark mark", "a little hole", "a small chip", "a long mark on one side",
                           "a tiny hole at the top"))
        lead = rng.choice((f"It had {mark} now, but", "When the glue was dry,", "That evening,", "The next day,", "Soon",
                           "After that,", f"It still had {mark}, but"))
        who = rng.choice(("they", "they", c, g))
        tail = rng.choice(("", "", ", and it looked almost new", ", just like before", ", and nobody could tell",
                           f", and {c} smiled", f", and {c} was very careful with it"))
        return f"{lead} {who} could {use}{rng.choice((' again', ' again', ' once more', ''))}{tail}."

    def remember(self, st) -> None:
        rc = frame.Recap(st, self)
        rc.nps = [x for x in rc.nps if not x.startswith("the day at")]
        x = self.broken
        rc.nps += [f"the broken {x}", f"the {x}"]
        if self.bad:
            rc.losses += [f"the broken {x}", f"the {x}"]
        else:
            rc.proud += [("tell", f"the truth about the {x}")]
            rc.nps.append(self.mended)
            rc.praise += ["honest", "brave", "honest"]
        st.flags["recap"] = rc

    def lessons(self, st):
        if self.bad:
            return (f"that a secret can feel heavier than a broken {self.broken}",
                    "that hiding a mistake only makes it worse",
                    f"that the truth about the {self.broken} would have been better than a secret")
        x, g = self.broken, st.grownup.title
        return ("that it is always best to tell the truth",
                "that telling the truth makes you feel better",
                f"that a broken {x} can be fixed, but a secret is harder to fix",
                f"to {self._f(st, self.how[4])}",
                f"that {g} cared more about the truth than about any {x}",
                "that hidden pieces do not make a mistake go away",
                f"to tell {g} right away when something breaks",
                "that a heavy secret gets lighter when you tell it")
