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
    feel,
    fits,
    middle_words,
    travel,
)
from storylab.world.text import NUMBERS, cap

# project: (what (one is picked per story), its short name, materials, where, the weather it needs or None,
# the things gathered for it)
PROJECTS = {
    "tower": (("a tall tower of blocks", "a big block tower", "the tallest tower of blocks ever"), "tower",
              ("blocks", "big blocks and small blocks", "all {p} blocks", "every block in the box"), "home", None, None),
    "castle": (("a castle of blocks", "a block castle with four towers", "a castle for {p} {it}"), "castle",
               ("blocks", "red and blue blocks", "all {p} blocks"), "home", None, None),
    "fort": (("a tent of blankets in the living room", "a blanket tent with a door", "a secret tent of pillows"), "tent",
             ("pillows and blankets", "two chairs and a big blanket", "all the pillows from the couch",
              "a big blanket and four pillows"), "home", None, None),
    "boxhouse": (("a house of boxes for {p} {it}", "a box house with windows", "a little town of boxes"), "house",
                 ("old boxes", "three big boxes and some tape", "boxes from the kitchen"), "home", None, None),
    "cards": (("a house of cards", "a tall house of cards"), ("house of cards", "card house"), ("cards", "a whole box of cards", "old cards"),
              "home", None, None),
    "sandcastle": (("a big castle of sand", "a sand castle with four towers", "the best sand castle on the beach"),
                   "castle", ("wet sand", "sand and water", "sand, shells and sticks"), "beach", "sandcastle", "shell"),
    "snowman": (("the biggest snowman in the village", "a big round snowman", "a snowman friend"),
                "snowman", ("snow", "three big balls of snow", "soft new snow"), None, "snowman", "stone"),
    "sticks": (("a little house of sticks", "a little home of sticks and leaves", "a tiny house of sticks for the birds"),
               "little house", ("sticks", "sticks and leaves", "long sticks and big leaves"), None, None, "stick"),
    "stones": (("a tower of stones", "a tall stone tower", "a tower of stones by the water"), "tower",
               ("flat stones", "round stones", "big and small stones"), None, None, "stone"),
}
_OUTSIDE = {"sticks": ("forest", "garden", "park", "field"), "stones": ("river", "lake", "pond", "beach"),
            "snowman": ("park", "hill", "field", "garden")}
_HOW_BIG = ("as tall as {g}", "taller than {c}", "up to the window", "as high as the table", "with {n} floors",
            "with a door and {n} windows", "big enough to sit in", "as tall as the lamp", "bigger than anything {c} had made before",
            "with room for {p} {it} inside", "so big that everyone would stop to look")
# the wish (narration): {C} the hero as subject, {G} the grown-up as a noun; the last one needs "a ..."
_WANT = ("{when}{C} wanted to build {what}{at}, {size}.", "{when}{C} had a big plan: {what}{at}, {size}.",
         "{when}{C} decided to make {what}{at} {why}.", "{C} had never made {what} before, and today {s} wanted to try{at}.",
         "{when}{C} wanted to make something big{at}: {what}, {size}.",
         "All week, {C} had been thinking about {what}, and today {s} would build it{at}.",
         "{when}{C} told {G} about {p} plan: {what}{at}, {size}.",
         "More than anything, {C} wanted {what}{at} {why}.",
         "{when}{C} wanted to try something new{at}: {what}, {size}.",
         "{when}{C} got a good idea{at}: {what}, {size}, {why}.",
         "{when}{C} told everyone that {s} would make {what}{at} {why}.",
         "{when}{C} said {s} could make {what}{at} all by {r}, {size}.",
         "Today, {C} thought, was the day for {what}{at}: {size}, {why}.",
         "{when}{C} wanted to surprise everyone with {what}{at}, {size}.",
         "{C} had thought about {what} for days, and today {s} would make it{at}.",
         "{when}{C} drew a picture of {what} first, {size}, and then went to build it{at}.",
         "{when}{C} wanted {what}{at}, and it had to be {size}.",
         "{C} had seen {what} in a book, and now {s} wanted to make one{at}.")
_TALL_NOW = {"home": ("as tall as {g}", "taller than {c}", "up to the window", "as high as the table", "as high as a chair",
                     "taller than the couch", "as high as the door", "up to {c}'s shoulders", "taller than the lamp",
                     "higher than the shelf", "so tall that {c} needed a chair to reach the top", "higher than {c}'s head",
                     "almost as tall as {g}", "as high as {p} bed", "as tall as the kitchen door"),
             "other": ("as tall as {g}", "taller than {c}", "as high as {c}'s knees", "as high as a bush", "up to {c}'s nose",
                       "up to {c}'s shoulders", "taller than the bush next to it", "so tall that {c} had to stand on a rock",
                       "as tall as a little tree", "higher than the grass all around", "as high as {g}'s knees")}
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
# how the hero feels about it ({C} as subject)
_SAD = ("{C} looked at the pieces and felt {fl}.", "{C} {did}, because {s} had built it with so much care.",
        "{C} felt so {fl} about the {short} that {s} wanted to give up.", "Everything {s} had built was gone, and {c} felt {fl}.",
        "All that building was gone in one second, and {c} felt {fl}.", "{C} wanted to cry: the {short} had taken so long!",
        "{C} sat down next to the pieces, and {p} eyes filled with tears.",
        "{C} looked at what was left of the {short} for a long time.", "Now there was no {short}, only a lot of {many}, and {c} felt {fl}.",
        "It had been such a good {short}, and now {c} did not want to look at it.", "{C} was so {fl} that {s} could not say a word.")
# other ways to say the same advice
_SAY_FIX = {"put the big pieces at the bottom": ("start with the biggest pieces", "put the big ones under the small ones"),
            "go slowly, one piece at a time": ("take it slow", "build it slowly and carefully"),
            "build it where nobody walks": ("build it away from the door", "find a quiet corner for it"),
            "build it together": ("make it together", "do it together, because four hands are better than two"),
            "make the bottom wide": ("give it a big, wide bottom",), "use wet sand": ("use sand from near the water, where it is wet",),
            "pack the snow tight": ("push the snow together hard",), "go slowly": ("take it slow",)}
# the advice, said and told
_ADVICE_SAID = ("Let's try again, {c}. This time we {adv}.", "Do not give up, {c}! We can {adv}.", "I know, {c}! Let's {adv}.",
                "Here is a trick, {c}: {adv}.", "It happens to everyone, {c}. Next time, {adv}.",
                "We can fix it, {c}. {Adv}, and it will stand.")
_ADVICE = ("{H} sat down next to {c} and said they could {adv}.", "{H} had an idea: they could {adv}.",
           "{H} told {c} not to give up, and to {adv}.", "{H} picked up a piece and showed {c} a trick: {adv}.",
           "{H} helped {c} pick up the pieces and said that this time they should {adv}.",
           "{H} knew what to do: {adv}.", "\"Next time, {adv},\" {H} told {c}, and gave {o} a hug.",
           "{H} looked at the pieces for a moment and then said they could {adv}.")
# the pieces flying when it falls, and where to
_SPILL = {"tower": "the {many} rolled {where}", "castle": "the {many} flew {where}", "fort": "the pillows slid {where}",
          "boxhouse": "the boxes fell {where}", "cards": "the cards flew {where}", "sandcastle": "the towers of sand fell flat",
          "snowman": "the head rolled off {where}", "sticks": "the sticks fell {where}", "stones": "the stones rolled {where}"}
_SPILL_TO = {"home": ("all over the floor", "under the couch", "across the room", "everywhere"),
             "beach": ("all over the sand",), "snowman": ("into the snow", "and broke in two"),
             "other": ("all over the ground", "into the grass", "everywhere")}
_FELL = ("fell down", "fell over", "came down in pieces", "fell to the ground", "fell to pieces", "came down")
# what helps the second time (said by the grown-up or the friend), and ways to tell it being done ({h}: the helper)
_BIG_DOWN = ("put the big pieces at the bottom", ("{c} put the biggest {many} at the bottom", "{c} started with the biggest {many}",
                                                  "the big {many} went down first and the small ones on top",
                                                  "{c} picked out the biggest {many} first", "the small {many} went up high, where they were light"))
_TOGETHER = ("build it together", ("they built the {short} together", "{c} and {h} built it side by side",
                                   "they took turns, one piece each"))
_FIX = {"home": (_BIG_DOWN,
                 ("go slowly, one piece at a time", ("{c} went slowly, one piece at a time", "{c} took {p} time with every piece",
                                                     "{c} put each piece down very slowly")),
                 ("make the bottom wide", ("the bottom of the {short} was wide and strong", "{c} made a wide, strong bottom first",
                                          "{c} made the bottom twice as wide")),
                 ("build it where nobody walks", ("{c} built it in a quiet corner, far from the door",
                                                  "{c} built it behind the couch, where nobody walks",
                                                  "the {short} went up in a corner, out of the way of everyone")),
                 _TOGETHER),
        "beach": (("use wet sand", ("{c} used wet sand and patted it down hard", "{c} mixed the sand with water until it was wet and strong",
                                    "{c} filled {p} bucket with wet sand and patted every tower hard")),
                  ("build it far from the water", ("they built it high up on the sand, far from the sea",
                                                   "{c} built it up on the dry sand, where the waves could not come",
                                                   "they moved up the beach, far from the waves")),
                  ("make a wall around it", ("{c} made a little wall of sand around it", "a wall of sand went all around the castle",
                                             "{c} dug a ring around the castle to keep the water out"))),
        "snowman": (("pack the snow tight", ("{c} packed the snow tight", "{c} pushed every ball of snow hard with {p} hands",
                                             "{c} patted the snow until it was hard")),
                    ("make the bottom ball the biggest", ("the bottom ball was the biggest of all", "{c} made a huge bottom ball and a small head",
                                                          "{c} rolled the bottom ball until it was as big as a chair")),
                    ("build it together", ("they rolled the big balls together", "{c} and {h} lifted the head on together",
                                           "they rolled and pushed the snow together"))),
        "other": (_BIG_DOWN,
                  ("build it by a big rock, out of the wind", ("{c} built it next to a big rock", "they built it where a big rock kept the wind away",
                                                               "{c} found a big rock and built the {short} behind it")),
                  ("go slowly", ("{c} went slowly and checked every piece", "{c} put each piece down slowly and carefully",
                                 "{c} took {p} time with every piece")),
                  _TOGETHER)}
_AGAIN = ("This time, ", "This time, ", "On the second try, ", "Now ", "So ", "After that, ", "", "The next time, ", "Once more, ",
          "After lunch, ")
_STOOD = (".", ", and this time it stood.", ", and the {short} stood strong.", ", and it did not even shake.",
          ", and it stayed up.", ", and this time nothing could knock it down.", ", and it did not fall.",
          ": it was even better than the first {short}!", ", and {c} clapped when it was done.", ", and it stood all day.",
          ", and soon it was {big}, even bigger than before.", ", and not one {one} fell.", ", and when the last {one} went on, it stood.",
          ", and {h} said it was the best {short} {h_s} had ever seen.", ", and the {x} {many} held it up like a strong wall.",
          ": it did not shake at all, and it was {big}!")
_AGAIN_MORE = ("When all the {many} were picked up, ", "With {h}'s help, ", "After a little rest, ", "The second time, ")
# the second try told the other way round: it stood, and why
_STOOD_BECAUSE = ("The second {short} did not fall, because {fix}.", "This time it went well: {fix}.",
                  "{fix}. For a moment nobody moved, but the {short} did not fall.")
# what cannot knock it down now, by where it is built
_STOOD_BY = {"home": ", and when {pet} came by again, it only looked at it.", "beach": ", and the waves could not reach it any more.",
             "snowman": ", and it stood in the snow until the evening.", "other": ", and the wind could not knock it down."}
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
# how it grows (the beat that shows the building before it falls)
_GREW = ("The {short} grew {up}{way}.", "{C} put {top} {on}, and it looked {great}.",
         "Piece by piece, the {short} went up, until it was {big}.", "By lunch, the {short} was {big}.",
         "Up and up it went, and soon it was {big}.", "When {C} stepped back to look, the {short} was {big}.",
         "The {short} was {big} now, and {c} was very proud of it.", "Soon the {short} stood {big}, and it still had room for more.",
         "{top} went {on}, last of all, and {c} clapped.",
         "Now the {short} was {big}, and {c} needed only {top} for the top.",
         "{C} put on one more piece, then one more, and the {short} was {big}.",
         "It took a long time, but at last the {short} was {big}.",
         "{C} built and built, and soon the {short} was {big}.", "Higher it went, and higher, until it was {big}.",
         "Before long, the {short} stood {big}.", "It was the best {short} {c} had ever made, {big}.",
         "{C} hummed a little song while the {short} grew {up}.")
_FLOORS, _FLOORED = "Soon the {short} had {n} floors.", ("tower", "castle", "boxhouse", "cards", "stones")
# getting out the materials at home
_GET_OUT = ("{C} got out {mats} and sat down in {room}.", "{C} carried {mats} to {room}.",
            "In {room}, {C} put {mats} all over the floor.", "{C} pushed the chairs back in {room} and brought {mats}.",
            "{room} was the best place for it, so {C} brought {mats} there.", "{C} sat on the floor of {room} with {mats}.",
            "{C} found {mats} and put them in the middle of {room}.", "One by one, {C} brought {mats} into {room}.",
            "{room} was quiet, and {C} began there with {mats}.", "{C} made room in {room} and got out {mats}.",
            "First, {C} needed {mats}, and {p} {it} waited in {room}.",
            "{C} counted {mats} on the floor of {room}: all there!", "Everything was ready in {room}: {mats}, and {p} {it} to watch.",
            "{C} put {mats} in a big circle in {room} and sat down in the middle.")
_PUT = ("put", "stacked", "put", "stacked")
_WHERE_PIECES = ("at the bottom", "in a ring", "in a long row", "in a square", "side by side", "in the middle",
                 "on each side", "in two rows", "one on top of the other", "around the middle")
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
                   "the pieces that fell had made a little bridge, and {c} liked the bridge even more",
                   "{g} took a picture of it to show everyone at dinner", "{p} {it} got to sit at the very top, like a king",
                   "{g} said the {short} could stay up all night, so nobody put it away"),
          "beach": ("a little girl asked if she could help build the next one",
                    "a tiny crab came and sat in the castle's door, as if it lived there",
                    "the wave that had knocked it down had left a shiny shell right by {c}'s feet",
                    "the sea came in later, but it stopped just before the castle's wall"),
          "snowman": ("a little bird came and sat on the snowman's hat",
                      "the next morning, someone had put a second scarf on the snowman",
                      "the snowman stood there for a whole week, smiling at everyone who walked by"),
          "other": ("a little bird came and sat on top of it", "a frog came and sat down right next to it", "a squirrel came and looked inside, as if it wanted to live there",
                    "the next day, a little snail was sitting on it, as if it had climbed all the way up")}


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
        whats, self.short_name, mats, where, _, self.gather = PROJECTS[self.project]
        what = rng.choice(whats)
        self.short_name = self.short_name if isinstance(self.short_name, str) else rng.choice(self.short_name)
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
        self.size = rng.choice([x for x in _HOW_BIG if self.inside or x not in ("up to the window", "as high as the table", "as tall as the lamp", "with room for {p} {it} inside")])

    def _fmt(self, st, t: str, **kw) -> str:
        c, g = st.hero, st.grownup
        G = f"{c.p} {g.title.lower()}" if g.title[:1].isupper() and g.kind in ("mom", "dad", "grandma", "grandpa") else g.title
        return t.format(c=c.name, p=c.p, s=c.s, g=G, n=NUMBERS[st.rng.randint(2, 5)], it=st.thing["word"],
                        short=self.short_name, many=_PIECES[self.project][1], **kw)

    def want(self, st):
        c, g, rng = st.hero, st.grownup, st.rng
        size, why = self._fmt(st, self.size), self._fmt(st, rng.choice(_WHY))
        at = "" if self.inside or f" {self.where}" in self.what else f" at the {st.place_mark(self.where)}"  # (not "on the beach at the beach")
        when = rng.choice(("That day, ", "That morning, ", "After breakfast, ", "", "", f"On {st.time_mark(st.day)}, "))
        if "Dialogue" in st.f and rng.random() < 0.6:
            mine = self.what.replace(f" {c.p} ", " my ")
            size = self._fmt(st, rng.choice([x for x in _HOW_BIG if "{c}" not in x and "{p}" not in x and "{g}" not in x]))  # (not "as tall as her dad" said to Dad)
            line = rng.choice((f"{g.title}, I am going to build {mine}{at}, {size}!",
                               f"Can I build {mine}{at} today, {g.title}?",
                               f"Look, {g.title}! Today I will make {mine}{at}!",
                               f"{g.title}, will you help me make {mine}{at}?",
                               f"I want to make {mine}{at}, {g.title}, {size}!",
                               f"Look, {g.title}, I will make {mine}, {size}!"))
            st.speak(c, line, "asked" if line.endswith("?") else rng.choice(("said", "shouted")))
        else:
            t = rng.choice(_WANT if self.what.startswith("a ") else _WANT[:-1])
            st.s(_cap(t.format(r=c.r, when=when, C=st.sub(c), what=self.what, at=at, size=size, why=why, s=c.s, p=c.p,
                              G=self._fmt(st, "{g}"))))
        if self.inside and st.weather in ("rainy", "snowy", "cold", "icy") and rng.random() < 0.4:
            it = f"{c.p} {st.thing['word']}"
            st.s(rng.choice((f"It was too {st.weather} to play outside, so {c.name} stayed in with {it}.",
                             f"Outside it was {st.weather}, but inside it was warm, and {it} was waiting.",
                             {"rainy": "Rain tapped on the window all morning: a good day for building.",
                              "snowy": f"Snow was falling outside, and {c.name} had the whole floor to {c.r}.",
                              "cold": f"The wind outside was cold, and {c.name} was glad to stay in with {it}.",
                              "icy": "The road outside was all ice, so nobody went out that day."}[st.weather])))

    def hint(self, st):
        c, g, rng = st.hero, st.grownup, st.rng
        if self.by_friend:
            f = self.companion
            st.s(rng.choice((f"{st.nm(f)} was running around and could not sit still.",
                             f"{st.nm(f)} was so excited that {f.s} jumped up and down all morning.",
                             f"{st.nm(f)} wanted to help, but {f.s} did not like to wait.")))
            return
        line = rng.choice((f"{st.nm(g)} said that a tall {self.short_name} needs a strong bottom, but {c.name} was in a hurry.",
                           f"{c.name} did not think about what could knock it down.",
                           f"{st.nm(g)} told {c.name} to go slowly, but {c.s} wanted it done fast.",
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
            if rng.random() < 0.5 and fits(st, 50):  # clearing the floor first: the entity-tracking item
                it, short = st.thing["word"], self.short_name
                skills.boxes(st, c, st.thing, now=("First", "Before starting", "Before building anything", "To begin with"),
                             why=("there was no room to build", f"the {short} needed the whole floor",
                                  "the floor had to be clear", "nothing could be in the way", "toys were all over the floor"),
                             want=(f"wanted {c.p} {it} for the top of the {short}", f"wanted the {it} to sit on the {short}",
                                   f"needed the {it} for the {short}"))
            room_ = "the living room" if "living room" in self.what else rng.choice(("the living room", f"{c.p} room", "the kitchen", "the big room", "the room by the window",
                                f"{c.p} {st.grownup.title.lower()}'s room" if st.grownup.kind in ("mom", "dad", "grandma", "grandpa") else "the living room"))
            st.s(_cap(rng.choice(_GET_OUT).format(C=st.sub(c), mats=mats, room=room_, p=c.p, it=st.thing["word"])))
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
        self.build_lines(st)
        if self.project == "fort" and ("tool", "see in the dark") not in facts._stated(st):  # a light in the tent
            st.s(st.pick("Inside the tent it was dark.", "It was dark under the big blanket.",
                         "Under the blankets, it was as dark as night."))
            facts.state(st, "tool", "see in the dark")
        elif getattr(self, "paper", False) and ("tool", "cut paper") not in facts._stated(st):  # the paper top
            facts.state(st, "tool", "cut paper")
        doings.fill(st, [c] + ([f] if f else []), "home" if self.inside else self.where, middle_words(st) - 30, 2, 1)
        self.fall(st)

    def build_lines(self, st) -> None:
        """Building: what goes at the bottom, how it grows, what goes on top."""
        c, f, rng = st.hero, self.companion, st.rng
        who = st.sub(c) if not f or rng.random() < 0.6 else rng.choice((f"{st.nm(c)} and {st.nm(f)}", "they"))
        n = NUMBERS[rng.randint(3, 9)]
        top = self._fmt(st, rng.choice(_TOP[self.place_key]))
        grews = _GREW + ((_FLOORS,) if self.project in _FLOORED else ())
        grew = rng.choice(grews).format(
            short=self.short_name, C=st.sub(c), c=c.name, p=c.p, n=n, top=top,
            on="on the snowman" if self.project == "snowman" else "on top",
            up=rng.choice(("higher and higher", "taller and taller", "bigger and bigger")),
            way=rng.choice(("", "", ", piece by piece", " until lunch", f", and {c.name} smiled", ", one piece at a time")),
            big=self._fmt(st, rng.choice(_TALL_NOW["home" if self.inside else "other"])), great=rng.choice(("great", "wonderful", "just right", "so funny")))
        grew = _cap(grew)
        one, many = _PIECES[self.project]
        looks = _PIECE_LOOKS.get(one, ("big", "small"))
        x, y = rng.sample(looks, 2)
        k, m = NUMBERS[rng.randint(2, 7)], NUMBERS[rng.randint(2, 6)]
        feats = rng.sample([x for x in _FEATURES[self.place_key] if self.project != "fort" or "tower" not in x], 2)
        pieces = rng.choice((f"{who} made {self._fmt(st, feats[0])} and {self._fmt(st, feats[1])}.",
                             f"{who} gave the {self.short_name} {self._fmt(st, feats[0])}.",f"{who} {rng.choice(_PUT)} {k} {x} {many} {rng.choice(_WHERE_PIECES)}, and then {m} {y} ones {rng.choice(('on top', 'over them', 'above those'))}.",
                             f"First came {k} {x} {many}, then {m} {y} {many}, and then {top}.",
                             f"{who} {rng.choice(_PUT)} {k} {x} {many} {rng.choice(_WHERE_PIECES)}.",
                             f"{who} used {k} {x} {many} and {m} {y} {many}, {rng.choice(('one by one', 'one after the other', 'very carefully', 'in a row'))}.",
                             f"{who} began with {k} {x} {many} {rng.choice(_WHERE_PIECES)} and then made {self._fmt(st, feats[0])}.",
                             f"At the bottom went {k} {x} {many}, and on top of them {m} {y} ones.",
                             f"{who} looked for the {x} {many} first, and found {k}.",
                             f"{who} wanted {self._fmt(st, feats[0])}, so {k} {x} {many} went {rng.choice(_WHERE_PIECES)}."))
        if rng.random() < 0.4:  # (how it grows says enough: the pieces one by one only sometimes)
            pieces = ""
        st.s(*(x for x in (pieces, grew) if x))
        self.paper = "paper" in pieces + grew  # (a paper star or top on it: the scissors that cut it)

    def fall(self, st) -> None:
        c, f, g, rng = st.hero, self.companion, st.grownup, st.rng
        k, fell = self._fmt(st, self.knock), rng.choice(_FELL)
        the = rng.choice(("the ", "the whole ", "the " + rng.choice(_PIECE_LOOKS.get(_PIECES[self.project][0], ("big",))) + " "))
        then = rng.choice(("Then ", "But then ", "Just then, ", "Suddenly, ", ""))
        r = rng.random()
        if r < 0.35:  # one sentence: what knocked it, and down it came
            st.s(cap(f"{then}{k}" + rng.choice((f", and {the}{self.short_name} {fell}.", f", and down came {the}{self.short_name}!",
                                                   f", and in one second {the}{self.short_name} {fell}.",
                                                   f". That was too much for the {self.short_name}, and it {fell}."))))
        elif r < 0.55 and "head" not in k:
            before = ("Oh no! ", "All at once, ") + (() if c.name in k else (f"Before {c.name} could stop it, ",))
            st.s(cap(f"{rng.choice(before)}{k}, and "
                     f"{self._fmt(st, _SPILL[self.project], where=rng.choice(_SPILL_TO[self.place_key]))}."))
        elif r < 0.75 and "shake" not in k and "head" not in k:
            st.s(cap(f"{then or 'Then '}{k}."),
                 cap(f"{rng.choice(('the ' + self.short_name + ' began to shake, and', 'the ' + self.short_name + ' shook, and then', 'for one second the ' + self.short_name + ' stood, and then'))} {self._fmt(st, _SPILL[self.project], where=rng.choice(_SPILL_TO[self.place_key]))}."))
        else:
            st.s(cap(f"{then or 'Then '}{k}."),
                 f"{cap(rng.choice(('the ', 'the whole ', c.name + chr(39) + 's ')))}{self.short_name} {fell} {rng.choice(_SOUND)}.")
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
        elif rng.random() < 0.3 or self.bad:  # (how it feels: the fall and the advice mostly say it)
            st.s(_cap(rng.choice(_SAD).format(C=st.sub(c), c=c.name, s=c.s, p=c.p, fl=fl, short=self.short_name,
                                             did=rng.choice(("sat down", "kicked the floor", "wanted to cry")), many=_PIECES[self.project][1])))
        adv = rng.choice(_SAY_FIX.get(self.fix[0], ()) + (self.fix[0],))
        if self.bad:
            return
        helper = self.helper = f if f and rng.random() < 0.4 else g
        if "Dialogue" in st.f:
            st.speak(helper, rng.choice(_ADVICE_SAID).format(c=c.name, adv=adv, Adv=cap(adv)),
                     rng.choice(("said", "said", "told " + c.o)))
        else:
            st.s(_cap(rng.choice(_ADVICE).format(H=st.nm(helper), c=c.name, o=c.o, adv=adv)))

    def ending(self, st):
        c, f, g, rng = st.hero, self.companion, st.grownup, st.rng
        if self.bad:
            st.s(rng.choice((f"{st.nm(c)} tried to build it again, but it fell down again, and then again.",
                             f"{st.nm(c)} did not want to build anything any more, and {c.s} left the pieces where they were.",
                             f"{st.nm(c)} tried once more, but the {self.short_name} fell again, and this time a piece broke."
                             if self.inside else "Then it began to get dark, and there was no time to build it again.",
                             f"{st.nm(c)} put the {_PIECES[self.project][1]} back without a word and went to sit alone.",
                             f"The second {self.short_name} fell even faster than the first, and {c.name} gave up.")))
            return
        st.state.at("afternoon")
        if self.by_friend and self.conflict:
            st.s(rng.choice((f"{st.nm(f)} said sorry and helped to pick up the pieces.",
                             f"{st.nm(f)} came back and said, \"Can I help you build it again?\"")))
        h = getattr(self, "helper", g)
        pet = next((f"the {x}" for x in ("cat", "dog", "puppy", "kitten") if f" {x} " in f" {self.knock} "), None)
        by = {"home": pet, "beach": "wave" in self.knock or "sea" in self.knock, "snowman": True, "other": "wind" in self.knock}
        stood = _STOOD + ((_STOOD_BY[self.place_key],) if by[self.place_key] else ())  # (what knocked it down cannot now)
        one = _PIECES[self.project][0]
        fix = rng.choice(self.fix[1])
        t = (rng.choice(_STOOD_BECAUSE).replace("{fix}", fix) if rng.random() < 0.3 else
             rng.choice(_AGAIN + _AGAIN_MORE) + fix + rng.choice(stood))
        st.s(cap(self._fmt(st, t, h=st.nm(h), h_s=h.s, pet=pet, one=one, x=rng.choice(_PIECE_LOOKS.get(one, ("big",))),
                           big=self._fmt(st, rng.choice(_TALL_NOW["home" if self.inside else "other"])))))
        if self.twist:
            twists = [t for t in _TWIST[self.place_key] if "the cat that" not in t or " cat " in f" {self.knock} "]
            st.s(cap(self._fmt(st, rng.choice(twists))) + ".")
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


def _cap(t: str) -> str:
    """Capitalised, unless it begins with the subject placeholder of `Story.sub` (resolved and capitalised there)."""
    return t if t.startswith("\x03") else cap(t)


def _needs(kind):
    from storylab.world.state import ACTIVITY_WEATHER
    return ACTIVITY_WEATHER.get(kind, ())
