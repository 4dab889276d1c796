"""The ``brave`` plot: the hero is scared of something, and is brave.

What scares the hero is planned from the place, the season and the weather: the dark at
bedtime (the shape in the corner is a coat on a chair), a storm at night (count from the
flash to the boom), a big dog behind a fence on the way somewhere (it only wants to play),
the tall slide at the playground, a spider on the wall, the waves at the beach. Each has
its own signs, the help that comes (a grown-up's words, a lamp, a hand to hold, a friend
who goes first), the brave thing the hero does and what turns out to be true; the
features shape it (a bad ending stays scared, a twist in what the scary thing was).
"""

from __future__ import annotations

from storylab.world import doings, facts, frame
from storylab.world.model import DIRECTIONS
from storylab.world.plots import Plan, _cast, fits, middle_words, travel
from storylab.world.state import SEASON_WEATHER, WARM
from storylab.world.text import NUMBERS, a, cap

# the fear: (what the hero is scared of, where it happens, the lesson's noun phrase)
FEARS = {"dark": ("the dark", "home"), "storm": ("storms", "home"), "dog": ("big dogs", "out"),
         "slide": ("the big slide", "playground"), "spider": ("spiders", "home"), "waves": ("the big waves", "beach")}
# the fear as the first line names it (each ends in the word the closing lines recall)
_OF = {"dark": ("the dark", "the deep dark", "being alone in the dark", "the big black dark", "the quiet dark"),
       "storm": ("storms", "big storms", "loud storms", "windy storms", "noisy storms"),
       "dog": ("big dogs", "big barking dogs", "huge dogs", "loud dogs", "very big dogs"),
       "slide": ("the big slide", "the tall slide", "the new slide", "the very tall slide"),
       "spider": ("spiders", "little spiders", "all spiders", "big black spiders", "tiny spiders"),
       "waves": ("the big waves", "big waves", "the loud waves", "the tall waves", "the white waves")}
_SCARED = ("{c}'s knees began to shake", "{c}'s heart went very fast", "{c} held {p} {{toy}} tight", "{c} wanted to run back to {p} {{spot}}",
           "{c} held on tight to {g}'s hand", "{c} hid behind {g}", "{c} could not move", "{c} felt cold all over",
           "{c}'s tummy felt funny", "{c}'s mouth went dry", "{c} could hear {p} own heart", "{c} stood very still and did not say a word", "{c}'s hands went cold",
           "{c} wished {s} could be somewhere else", "{c} did not want to look, but {s} could not look away",
           "{c} felt {p} heart jump", "{c} made {r} as small as {s} could", "{c} wanted to hide under a blanket and never come out")
_BRAVE = ("{c} took a deep breath", "{c} counted to three", "{c} closed {p} eyes for a moment",
          "{c} told {r} that {s} could do it", "{c} remembered what {g} always said about being brave",
          "{c} held {p} head up high", "{c} stood up very tall",
          "{c} thought of how proud {g} would be", "{c} sang a little song to feel brave",
          "{c} pretended to be a brave lion", "{c} decided to be brave, just this once",
          "{c} thought about the bravest person {s} knew: {g}", "{c} counted {p} fingers, one to ten, and felt a little better")
_BRAVE_BY = {"dark": ("{c} sat up and looked right at the corner", "{c} reached for the flashlight by the bed",
                      "{c} got out of bed and went to see", "{c} pushed the blanket away and sat up",
                      "{c} put {p} feet on the cold floor and walked over", "{c} turned to face the dark corner"),
             "storm": ("{c} came out from under the blanket", "{c} looked out of the window at the rain",
                       "{c} let go of {g} and sat up all by {r}", "{c} went to the window to watch the sky"),
             "dog": ("{c} let go of {g}'s hand and walked up to the fence", "{c} stood by the fence and did not run",
                     "{c} walked right up to the fence", "{c} looked the dog in the eyes", "{c} stepped up to the fence and said hello"),
             "slide": ("{c} climbed the ladder, one step at a time", "{c} held on tight at the top and looked down",
                       "{c} went up the ladder and did not look back", "{c} sat down at the very top",
                       "{c} put one foot on the ladder, then the other"),
             "spider": ("{c} picked up a cup from the table", "{c} walked up to the spider, very slowly",
                        "{c} looked at the spider for a long time", "{c} went back to the spider with {g}",
                        "{c} got down to look at its eight thin legs"),
             "waves": ("{c} took one step into the water, then another", "{c} let the next wave run over {p} feet",
                       "{c} walked down to the water", "{c} stood in the water and waited for the next wave",
                       "{c} ran at the next wave with a shout")}
# ways in to the brave thing ("With Dad's words in her head, she ...")
_BRAVE_HOW = ("After a long moment", "With {g}'s words in {p} head", "Before {s} could think about it",
              "With a big breath", "Still a little scared", "Even though {p} knees were shaking",
              "Slowly, very slowly", "Without a sound", "With {g} right behind {o}", "Holding {p} breath",
              "One small step at a time", "Trying hard not to cry")
# what the scary thing does while the hero is scared ({it}: the thing now), and what the hero fears it may do
_ACTS = {"dark": ("{it} did not move", "{it} was still there", "nothing moved, but {it} seemed to get bigger"),
         "sound": ("{it} came again", "{it} stopped, and then it came again", "there it was again"),
         "storm": ("the thunder came again", "the wind shook the windows", "the lights went on and off", "the rain hit the window hard"),
         "dog": ("{it} barked again", "{it} jumped up at the fence", "{it} showed its big teeth", "{it} ran along the fence"),
         "slide": ("the ladder looked longer and longer", "a big boy went down with a shout", "the slide looked even taller from there"),
         "spider": ("the spider moved one long leg", "the spider ran a little way", "the spider sat very still"),
         "waves": ("another big wave came in", "a wave hit the sand with a loud noise", "the water came up around {p} feet")}
_WHAT_IF = {"dark": ("what if it was a monster?", "what if it came over to the bed?", "what if it was looking at {o}?", "what if it got out of the corner?", "what if it was hungry?"),
            "storm": ("what if the wind blew the house away?", "what if the lights went out?", "what if the storm never stopped?", "what if the thunder came inside?", "what if the big tree fell on the house?"),
            "dog": ("what if it jumped over the fence?", "what if it bit {o}?", "what if it ran after {o}?", "what if the fence broke?", "what if it was hungry?"),
            "slide": ("what if {s} fell?", "what if {s} got stuck at the top?", "what if {s} went too fast?", "what if everyone laughed?", "what if {s} fell on {p} head?"),
            "spider": ("what if it crawled onto {o}?", "what if it ran up {p} arm?", "what if there were more?", "what if it got into {p} bed?", "what if it had friends under the rug?"),
            "waves": ("what if a wave knocked {o} over?", "what if the water went over {p} head?", "what if the sea took {o} away?", "what if {s} could not get back to the sand?", "what if a fish bit {p} toes?")}
# what foreshadows the brave part, per fear
_HINT_BY = {"dark": ("{c}'s flashlight was in the box by {p} bed, where {s} had put it the day before.",
                     "{c} did not know yet that the dark is just {p} own room without the light.",
                     "Under {p} bed, a little flashlight was waiting for a dark night."),
            "storm": ("Far away, over the hills, the sky was getting gray.", "The birds were flying low, the way they do before rain.",
                      "{g} had a good game for storms, but {c} did not know it yet."),
            "dog": ("{c} did not know that big dogs can be the friendliest dogs of all.",
                    "Every day, the big dog by the road barked at everyone who walked by.", "{g} knew the big dog's name, but {c} did not."),
            "slide": ("{c} had never been to the top of a big slide, not even once.",
                      "The big children said the new slide was the fastest one in the village.",
                      "{c} liked to watch the big children on the slide, from far away."),
            "spider": ("Spiders are small, and most of them are much more scared of people than people are of them.",
                       "A little spider had lived in the house for a week, and nobody had seen it yet.", "{g} was not afraid of spiders at all."),
            "waves": ("Small waves are fun to jump over, if you hold a hand.", "{g} swam very well and knew all about waves.",
                      "The sea is not so scary when someone holds your hand.")}
_SHAPES = ("a big dark shape in the corner", "two shiny eyes under the table", "a long arm by the window",
           "something tall behind the door", "a monster with a big hat on the chair", "a black shape on the wall")
_SHAPE_WAS = ("{p} coat on the chair", "{p} toys on the chair", "{p} teddy on the shelf", "the shadow of the tree outside",
              "two shiny buttons on {p} bag", "a big box of books")
_NIGHT_SOUND = ("a scratch at the window", "a strange sound by the door", "a soft tap, tap, tap on the window",
                "a funny sound under the bed")
_SOUND_WAS = ("a branch on the window", "the cat playing with a ball", "the wind", "{g} walking to bed", "the family cat")
_DOGS = ("a big brown dog", "a huge black dog", "a big dog with a loud bark", "a very big white dog",
         "a big spotted dog", "a tall gray dog")
_DOG_WANTED = ("it only wanted to play", "it wanted someone to throw its ball", "it was just saying hello",
               "it was lonely and wanted a friend", "it barked at everyone, because it was happy to see them")
# the dog behind the fence, in parts: where, what it does, how it barks
_DOG_WHERE = ("Just past their house", "At the third house", "Two houses down", "Down the road", "By the old tree on the corner",
              "At the end of the street", "Next to the bus stop")
_DOG_DOES = ("ran along {fence}", "jumped up at {fence}", "pushed its nose through {fence}", "stood up on its back legs behind {fence}",
             "came running to {fence}", "was waiting behind {fence}")
_DOG_BARK = (" and barked at them", ", barking and barking", " with a loud woof", " and barked right at {c}",
             " and barked so loudly that the birds flew away", " and would not stop barking", ", and its big bark made {c} jump")
_OWNER = ("A lady", "An old man", "A boy", "A girl", "A tall man", "An old lady", "A woman with a basket")
_OWNER_CAME = ("came out of the house", "looked over the fence", "ran out from the garden", "opened the window", "came up the path")
_OWNER_SAYS = ("quiet", "sit", "stop that", "come here", "be nice", "that is enough", "down")
# the spider caught and let go, in parts
_CUP = ("put a cup over the spider", "caught the spider in a cup", "slid a piece of paper under the spider and the cup",
        "let the spider walk into the cup", "held the cup very still until the spider went in")
_LET_GO = ("carried it outside", "let it go in the garden", "took it out to the flowers", "put it down by the door, outside",
           "let it walk out onto a big leaf", "carried it all the way to the garden, very slowly")
_STORM_WHEN = ("In the evening", "That evening", "After dinner", "Just before bed", "When it got dark", "At night")
_STORM_DID = ("the rain came down hard on {c}'s window", "the wind began to shake the trees outside", "the sky over the {P} went black",
              "big drops of rain began to hit the window", "the wind blew so hard that the door shook", "the storm came, with rain and wind",
              "the rain came down hard and fast, and the wind blew")
_SPIDER_AT = ("on the wall by {p} bed", "in the bath", "on the window", "in the corner of {p} room",
              "on {p} pillow", "on the kitchen door", "by the sink")


# why the hero is scared of it: a reason with its own things in it
_WHY = {"dark": ("because {s} thought there was {a_an} under {p} bed", "because the shadows on the wall looked like {pl}",
                 "because in the dark, every {thing} looked like {a_an}", "because {s} could not see {p} {toy} at night",
                 "because the house made funny sounds at night", "because {s} had once had a bad dream about {a_an} in the dark",
                 "because at night, {p} {toy} looked like a little monster"),
        "storm": ("because the thunder was as loud as a giant {an}", "because the wind made the {thing} shake",
                  "because a storm had once broken the {thing} in the yard", "because the lights had once gone out in a storm",
                  "because a storm had once blown {p} {toy} away at the {place}", "because the wind made the whole house shake"),
        "dog": ("because a big dog had once barked at {o} at the {place}", "because a dog had once taken {p} {toy}",
                "because big dogs had such big teeth", "because a dog had jumped on {o} at the {place}",
                "because big dogs barked so loudly", "because a big dog at the {place} had once run after {o}",
                "because a dog had once barked at {p} {toy} and taken it away"),
        "slide": ("because it was as tall as {a_tall}", "because {s} had once fallen off the little slide at the {place}",
                  "because the big children went down it so fast", "because a big boy had once pushed {o} at the top",
                  "because {s} had once bumped {p} head at the bottom of a slide at the {place}",
                  "because from the top, the children down below looked as small as ants"),
        "spider": ("because spiders had so many long legs", "because a spider had once crawled onto {p} {toy}",
                   "because {s} had found one in {p} {shoe} once", "because spiders could run so fast",
                   "because a spider had once come down on {p} head at the {place}"),
        "waves": ("because a wave had once knocked {o} over", "because the sea was so big and so loud",
                  "because a wave had once taken {p} {toy} away", "because the water had once gone over {p} head",
                  "because the waves were as tall as {a_tall} in a book {s} had read")}
# the fear told: with its reason, alone, or as what the hero always does ({C}: the hero as subject)
_AFRAID = ("{C} was afraid of {of}, {why}.", "{C} was scared of {of}, {why}.", "More than anything, {c} was scared of {of}, {why}.",
           "{C} did not like {of} at all, {why}.", "{C} was afraid of {of}: {why2}.",
           "Just thinking about {of} made {c} want to hide, {why}.", "Only one thing scared {c}: {of}, {why}.",
           "{C} was afraid of {of}. {Why2}.", "{C} never liked {of}, {why}.", "{C} got scared of {of} very easily. {Why2}.",
           "{Why2}, and that is why {c} stayed far away from {of}.", "{C} kept away from {of}, {why}.",
           "{G} knew that {c} hated {of}, {why}.", "{C} had a secret: {of} made {o} shake, {why}.",
           "{C} could be brave about almost anything, but {of} made {o} want to run, {why}.",
           "Whenever anyone talked about {of}, {c} hid {p} face, {why}.", "{Why2}, so now {c} did not go near {of}.")
_AWAY = ("far away from", "kept away from", "go near")  # (the frames that need a thing, not "the dark" or "storms")
_AFRAID_ONLY = ("For a long time, {C} had been afraid of {of}.", "{C} was scared of {of}, but {s} did not tell anyone.",
                "If there was one thing {c} did not like, it was {of}.", "{C} was brave about most things, but not about {of}.")
_HABIT = {"dark": ("{C} did not like it when the lights went out and the room got dark.",
                   "When it got dark at night, {c} always pulled the blanket over {p} head."),
          "storm": ("When there were storms, {c} always hid under {p} blanket.",
                    "{C} did not like storms at all: the thunder was so loud."),
          "dog": ("When {c} saw big dogs, {s} always hid behind {g}.", "{C} always crossed the road when {s} saw big dogs coming."),
          "slide": ("{C} liked the little slide, but the big slide made {o} shake.", "{C} never went on the big slide, only on the little one."),
          "spider": ("Every time {c} saw spiders, {s} ran out of the room.", "{C} always looked for spiders before {s} got into bed."),
          "waves": ("{C} loved to play in the sand, but {s} never went near the big waves.",
                    "{C} liked the beach, but the big waves made {o} want to run.")}
# after the brave part: what the hero does now, per fear ({n}: the dog's name, {was}: what the dark thing was),
# told in frames shared by all fears
_AFTER_VP = {"dark": ("turned off the light and went back to bed", "closed {p} eyes and went to sleep", "said good night to {was}",
                      "put the flashlight by the bed and went to sleep"),
             "storm": ("watched the rain from the window", "listened to the rain on the window", "counted the next boom all by {r}",
                       "fell asleep to the sound of the rain"),
             "dog": ("threw a stick for {n}", "waved to {n} every time {s} walked by", "petted {n} on the head", "gave {n} a hug through the fence"),
             "slide": ("went down the big slide again", "ran back to the ladder", "went down the slide on {p} tummy"),
             "spider": ("waved to the spider in the garden", "watched the spider make a web", "went to look for the spider in the garden the next day"),
             "waves": ("jumped over the next wave, and the next", "ran into the water with {g}", "splashed {g} with water")}
_AFTER = ("Now {c} {vp}, and {s} was not scared at all.", "{c} {vp} and laughed.", "With a big smile, {c} {vp}.",
"It felt good to be brave, so {c} {vp}.", "Happy and brave, {c} {vp}.",
          "{c} was not scared any more: {s} {vp}.", "After that, {c} {vp} and felt very proud.")
# bedtime in the dark plot: alone, then what is seen or heard; or both in one sentence ({saw}: "Mia heard a scratch ...")
_BEDTIME = ("That night, {g} turned off the light and said good night to {c}.", "At night, {g} put {c} to bed and turned off the light.",
            "That night, the light by the door was broken, and {c}'s room was very dark.",
            "{g} read {c} a story, said good night and turned off the lamp.", "When it was time for bed, {g} kissed {c} and closed the door.")
_SAW = ("Then {saw}.", "In the dark, {saw}.", "Suddenly, {saw}.")
_BED_SAW = ("After {g} had turned off the light, {saw}.", "As soon as {g} closed the door, {saw}.",
            "That night, when the house was quiet, {saw}.", "{g} said good night, and a moment later, {saw}.",
            "Later that night, in the dark room, {saw}.")
_ERRANDS = {"park": ("meet Grandma", "feed the ducks", "play ball", "see the new swings"),
            "farm": ("get some eggs", "buy fresh milk", "see the new lambs"),
            "market": ("buy {food}", "get {n} bags of {food}", "buy bread and {food}"),
            "library": ("take back {n} books", "get a new book", "hear a story"),
            "school": ("get a drawing", "see the teacher", "get a lost hat"),
            "playground": ("play on the swings", "meet a friend", "play in the sand")}
# the way to where the fear waits
_GO = {"dog": ("That day, {c} and {g} walked to the {P} to {errand}.", "{c} had to go with {g} to {errand} at the {P}.",
               "That day, {c} and {g} had to go to the {P} to {errand}, and the way went past the house with the big dog.",
               "That day, {g} needed to {errand} at the {P}, and the only way there went past the big dog's house.",
               "On the way to the {P}, where they had to {errand}, there was a house with a big dog."),
       "slide": ("The {P} had a new slide, taller than the old one.", "That morning, {c} and {g} walked to the {P} to play.",
                 "That day, {g} took {c} to the {P}, where there was a new slide.",
                 "On the way to the {P}, {c} could already see the top of the big slide.",
                 "That morning, {g} said they could go to the {P} and try the new slide.",
                 "{g} and {c} went to the {P}, and the first thing {c} saw was the big slide.",
                 "There was a new slide at the {P}, and all the children in the village were talking about it.",
                 "{g} and {c} went to the {P} to {errand}, and the big slide stood right next to the sand."),
       "waves": ("{g} and {c} took a bucket and went to the {P}.", "That day, they were going to the {P} to swim.", "It was a good day for a swim, and {g} wanted to go to the {P}.",
                 "That morning, {g} packed a towel for a swim at the {P}.")}
_TALL = ("a tree", "a house", "the school", "a giraffe", "a bus", "the big tree by the school")


def _cap(t: str) -> str:
    """Capitalised, unless it begins with the subject placeholder of `Story.sub` (resolved and capitalised there)."""
    return t if t.startswith("\x03") else cap(t)


class Brave(Plan):
    """Scared of something; help; a brave act; what was true all along."""

    name = "brave"
    uses_thing = False

    def flags_late_companion(self):
        return False

    def __init__(self, st):
        super().__init__(st)
        rng, w, n = st.rng, st.w, st.noun
        weather, season = st.weather, st.season
        ok = ["dark", "dog", "spider", "slide"]
        if "rainy" in SEASON_WEATHER[season] and weather != "snowy":
            ok.append("storm")
        if weather in WARM:
            ok.append("waves")
        seed = {"dog": "dog", "puppy": "dog", "spider": "spider", "storm": "storm", "thunder": "storm",
                "rain": "storm", "slide": "slide", "wave": "waves", "sea": "waves", "lamp": "dark",
                "flashlight": "dark", "moon": "dark", "star": "dark", "night": "dark"}.get(n["word"])
        self.fear = seed if seed in ok and rng.random() < 0.85 else rng.choice(ok)
        st.used_noun |= seed == self.fear and n["word"] in ("dog", "spider", "storm", "slide")
        self.afraid_of, where = FEARS[self.fear]
        if where == "out":
            self.where = rng.choice([p for p in ("park", "farm", "market", "library", "school", "playground")
                                     if p in w.coords])
        else:
            self.where = where if where != "home" else None
        if self.where:
            self.home = rng.choice([p for d in DIRECTIONS if (p := w.neighbor(self.where, d))])
        else:
            self.home = rng.choice(["park", "garden", "school", "library", "field", "river", "hill", "market",
                                    "pond", "playground", "bakery"])
        st.thing = w.vocab.noun[{"dark": "flashlight", "storm": "blanket", "dog": "ball", "slide": "ball",
                                 "spider": "cup", "waves": "bucket"}[self.fear]]
        _cast(st, self, 0.45 if self.fear in ("slide", "waves", "dog") else 0.25)
        self.goal = f"be brave about {self.afraid_of}"
        c = st.hero
        P = lambda t: t.format(c=c.name, p=c.p, g=st.grownup.title, r=c.r)
        self.was = P(rng.choice(_SHAPE_WAS if rng.random() < 0.6 else _SOUND_WAS))
        self.sign = rng.choice(_SHAPES) if self.was in [P(x) for x in _SHAPE_WAS] else rng.choice(_NIGHT_SOUND)
        self.dog = rng.choice(_DOGS)
        self.dog_name = rng.choice([x for x in w.pet_names if x[0] != c.name])[0]  # (not "Ziggy gave Ziggy a hug")
        self.spider_at = P(rng.choice(_SPIDER_AT))

    def _f(self, st, t: str) -> str:
        c, g = st.hero, st.grownup
        return t.format(c=c.name, p=c.p, g=g.title, r=c.r, s=c.s, o=c.o)

    def want(self, st):
        c, g, rng = st.hero, st.grownup, st.rng
        of = rng.choice(_OF[self.fear])
        w = st.w
        an = rng.choice(w.char_animals)
        why = rng.choice(_WHY[self.fear]).format(
            s=c.s, p=c.p, o=c.o, a_an=a(an["word"]), an=an["word"], pl=an["plural"], thing=rng.choice(("chair", "coat", "lamp", "box", "tree", "door", "window")),
            toy=rng.choice(w.toys)["word"], place=rng.choice(("park", "farm", "market", "beach", "zoo", "school")),
            a_tall=rng.choice(_TALL), shoe=rng.choice(("shoe", "boot", "sock", "hat", "bag")))
        r = rng.random()
        why2 = why.split(" ", 1)[1]  # (the reason as its own clause: "she had once fallen off the little slide")
        if " had once " in why2 and r < 0.15:  # (when it began: "Once, a dog had taken her ball, and from then on ...")
            t = "Once, " + why2.replace(" had once had ", " had ").replace(" had once ", " had ") + ", and from then on, {c} was afraid of {of}."
        else:
            near = self.fear in ("dog", "slide", "spider", "waves") and not of.startswith("all ")  # (a thing one can keep away from)
            t = rng.choice([x for x in _AFRAID if not (x.startswith("{Why2}") and why2.startswith("it "))  # (not "It was as tall ..." first)
                            and (near or not any(w in x for w in _AWAY))]
                           if r < 0.55 else _AFRAID_ONLY if r < 0.8 else _HABIT[self.fear])
        st.s(_cap(t.format(why2=why2, Why2=cap(why2), C=st.sub(c), c=c.name, s=c.s, p=c.p, o=c.o, g=st.nm(g), G=st.nm(g), of=of, why=why)))
        if self.fear == "dark" and rng.random() < 0.3:
            st.s(rng.choice((f"Every night, {c.name} asked {st.nm(g)} to leave the light on.",
                             f"{c.name} had a little lamp by the bed that stayed on all night.",
                             f"At night, {c.name} always slept with the door open and {rng.choice(('the light by the door on', c.p + ' lamp on', c.p + ' teddy in ' + c.p + ' arms', 'the light on in the kitchen'))}.")))
        elif self.fear in ("dog", "slide", "waves"):
            errand = rng.choice(_ERRANDS.get(self.where, ("see a friend",))).format(
                food=rng.choice(st.w.countable_foods)["plural"], n=NUMBERS[rng.randint(2, 5)])
            if self.fear == "slide" or rng.random() < 0.35:  # (the way there; the middle shows the dog or the waves anyway)
                st.s(rng.choice(_GO[self.fear]).format(c=c.name, g=st.nm(g), P=st.place_mark(self.where), errand=errand))
        elif self.fear == "storm":
            st.s(rng.choice((f"That afternoon, {st.nm(g)} said a storm was coming.",
                             f"That day, the sky over the {st.place_mark(self.home)} was getting darker and darker.")))

    def hint(self, st):
        c, g, rng = st.hero, st.grownup, st.rng
        st.s(rng.choice(_HINT_BY[self.fear]).format(c=c.name, p=c.p, s=c.s, g=st.nm(g)) if rng.random() < 0.6 else
             rng.choice((f"{st.nm(g)} always said that being brave does not mean you are not scared.",
                         f"\"Things are not so scary once you look at them, {c.name},\" {st.nm(g)} liked to say.",
                         f"{c.name} did not know it yet, but that day {c.s} would be brave about {self.afraid_of}.",
                         f"{c.name} wanted to be brave about {self.afraid_of}, like {st.nm(g)}.",
                         f"\"Being scared is okay,\" {st.nm(g)} told {c.name} once. \"Brave is what you do next.\"")))

    def middle(self, st):
        getattr(self, "mid_" + self.fear)(st)

    def end(self, st):
        getattr(self, "end_" + self.fear)(st)

    def ending(self, st):
        self.end(st)
        self.remember(st)

    # --- the scared part, per fear -----------------------------------------------------------------

    def _it(self, st) -> str:
        """The scary thing as it is right now ("the huge black dog", "the thunder")."""
        dark = "the sound" if self.sign in _NIGHT_SOUND else "the shape"
        return st.rng.choice({"dark": (dark, f"{dark} in the dark"), "storm": ("the thunder", "the storm", "the wind"),
                              "dog": ("the" + self.dog[1:], "the dog", "the big dog"),
                              "slide": ("the big slide", "the top of the slide", "the long ladder"),
                              "spider": ("the spider", "the little black spider"), "waves": ("the waves", "the big waves", "the sea")}[self.fear])

    def scared(self, st, p: float = 1.0) -> None:
        """The fear felt: the body's answer alone, or with the thing, what it does or a "what if" (parts that combine)."""
        c, rng = st.hero, st.rng
        st.state.feel(c.name, "scared")
        if rng.random() >= p:
            return
        r = rng.choice(_SCARED)
        r = self._f(st, r).format(toy=rng.choice(st.w.toys)["word"], spot=rng.choice(("bed", "room", "mom", "dad", "blanket", "teddy")))
        k = rng.random()
        if k < 0.2 or ", " in r:
            st.s(cap(r) + ".")
        elif k < 0.45:
            see = "heard" if self.fear == "storm" or (self.fear == "dark" and self.sign in _NIGHT_SOUND) else rng.choice(("saw", "looked at"))
            st.s(cap(f"{r} when {c.s} {see} {self._it(st)}") + ".")
        elif k < 0.7:
            key = "sound" if self.fear == "dark" and self.sign in _NIGHT_SOUND else self.fear
            st.s(cap(self._f(st, rng.choice(_ACTS[key]).replace("{it}", self._it(st)))) + f", and {r}.")
        else:
            st.s(cap(r) + ": " + self._f(st, rng.choice(_WHAT_IF[self.fear])))

    def _by(self) -> tuple:
        """This fear's brave acts (not up the ladder when the hero is at the top already)."""
        return tuple(t for t in _BRAVE_BY[self.fear] if not (getattr(self, "up", False) and "ladder" in t))

    def brave_act(self, st) -> None:
        """The brave thing: a way to find courage, what the hero does about this fear, or both in one sentence."""
        c, rng = st.hero, st.rng
        k = rng.random()
        gen = [t for t in _BRAVE if ", " not in t and ":" not in t]
        if k < 0.3:
            t = rng.choice(_BRAVE + self._by())
        elif k < 0.75:
            vp = rng.choice(self._by()).split(" ", 1)[1]
            t = rng.choice(gen) + rng.choice((", and then {s} ", ". Then {s} ", ". After that, {s} ", ", and at last {s} ",
                                              ". Now {s} was ready, so {s} ") +
                                             (() if " and " in vp else (" and ", ", and slowly ", ", and {s} "))) + vp
        else:
            t = rng.choice(_BRAVE_HOW) + ", " + rng.choice(self._by())
        st.s(cap(self._f(st, t)) + ".")
        st.state.feel(c.name, "brave")

    def after(self, st, own: tuple) -> None:
        """What the hero does once brave: this fear's own lines, or a shared frame around what the hero does now."""
        c, rng = st.hero, st.rng
        if rng.random() < 0.4:
            st.s(rng.choice(own))
            return
        vp = rng.choice(_AFTER_VP[self.fear]).format(p=c.p, s=c.s, r=c.r, g=st.nm(st.grownup), n=self.dog_name, was=self.was)
        frames = [t for t in _AFTER if "sleep" not in vp or "laughed" not in t]  # (not "went to sleep and laughed")
        st.s(cap(rng.choice(frames).format(c=c.name, s=c.s, vp=vp)))

    def mid_dark(self, st):
        c, g, rng = st.hero, st.grownup, st.rng
        st.state.at("evening")
        doings.fill(st, [c], "home", middle_words(st) - 60, 2, 1)
        st.state.at("night")
        sound = self.sign in _NIGHT_SOUND
        saw = f"{c.name} {'heard' if sound else 'saw'} {self.sign}"
        g_ = st.nm(g)
        if rng.random() < 0.5:  # bedtime and the sign in one sentence
            st.s(rng.choice(_BED_SAW).format(g=g_, saw=saw))
        else:
            st.s(rng.choice(_BEDTIME).format(g=g_, c=c.name),
                 rng.choice(_SAW + ((f"Suddenly, there was {self.sign}.",) if sound else ())).format(saw=saw))
        self.scared(st)
        if "Dialogue" in st.f:
            st.speak(c, rng.choice((f"{g.title}! There is something in my room!", f"{g.title}, come here!",
                                    "Who is there?", f"{g.title}, something is looking at me!", "Go away, please!")),
                     rng.choice(("called", "cried", "whispered")))

    def end_dark(self, st):
        c, g, rng = st.hero, st.grownup, st.rng
        if self.bad:
            st.s(rng.choice((f"{st.sub(c)} ran out of the room and slept in {st.nm(g)}'s bed all night.",
                             f"{st.sub(c)} pulled the blanket over {c.p} head and did not sleep for a long time.")))
            return
        self.brave_act(st)
        if not facts.need(st, "dark"):
            st.s(f"{st.sub(c)} turned on {c.p} flashlight.")
        st.s(rng.choice((f"It was only {self.was}!", f"There was nothing there but {self.was}.",
                         f"{st.sub(c)} looked, and it was just {self.was}.",
                         f"The light showed what it was: {self.was}!", f"{st.sub(c)} could not believe it: just {self.was}.",
                         f"{st.sub(c)} went to look and laughed: it was {self.was}.", f"{cap(self.sign)} {'were' if self.sign.startswith('two') else 'was'} only {self.was}!")))
        if fits(st, 16):
            facts.night(st)  # the moon and the stars in the window
        if self.twist:
            st.s(rng.choice((f"And under the bed, {c.name} found the toy car {c.s} had lost a week ago!",
                             f"Then {c.name} saw the moon in the window, big and bright, and it was not dark at all.")))
        self.after(st, (f"{st.sub(c)} laughed, turned off the light and went back to bed.",
                         f"{st.sub(c)} smiled, and the dark did not look so scary any more.",
                         f"After that, {c.name} was not afraid of the dark, and {c.s} fell asleep right away.",
                         f"{st.sub(c)} said good night to {self.was} and closed {c.p} eyes.",
                         f"Soon {c.name} was asleep, with the flashlight still in {c.p} hand.",
                         f"Now {c.name} knew: in the dark, {self.was} can look like anything.",
                         f"{st.sub(c)} put the flashlight by the bed, just in case, and went to sleep."))

    def mid_storm(self, st):
        c, g, rng = st.hero, st.grownup, st.rng
        st.state.at("evening")
        st.state.weather_turns("rainy")
        doings.fill(st, [c], "home", middle_words(st) - 60, 1, 1)
        came = (f"{rng.choice(_STORM_WHEN)}, {rng.choice(_STORM_DID).format(c=c.name, P=st.place_mark(self.home))}."
                if rng.random() < 0.8 else
                f"After dinner, the wind began to shake the {rng.choice(('trees', 'fence', 'door', 'windows'))}, and the rain came down {rng.choice(('hard', 'fast', 'all at once'))}.")
        st.s(came,
             rng.choice((f"There was a big bright light over the {st.place_mark(self.home)}, and then a loud boom!",
                         f"The sky over the {st.place_mark(self.home)} went white for a second, and then: boom!",
                         f"Boom! The thunder was so loud that the {rng.choice(('cups', 'windows', 'pictures', 'plates'))} shook.",
                         f"Then the thunder came, so loud that {c.p} {rng.choice(('bed', 'window', 'cup', 'door'))} shook.",
                         f"Then the thunder came: boom, boom, right over the {st.place_mark(self.home)}!")))
        self.scared(st)
        if "Dialogue" in st.f:
            st.speak(c, rng.choice((f"{g.title}, I do not like the thunder!", f"Make it stop, {g.title}!")),
                     rng.choice(("cried", "said")))
        else:
            st.s(f"{st.sub(c)} ran to {st.nm(g)} and hid {c.p} face.")

    def end_storm(self, st):
        c, g, rng = st.hero, st.grownup, st.rng
        if self.bad:
            st.s(rng.choice((f"{st.sub(c)} could not sleep until the storm was over, in the middle of the night.",
                             f"Every time the thunder came, {c.name} cried, and the storm went on for a long time.")))
            return
        n = NUMBERS[rng.randint(4, 9)]
        st.s(rng.choice((f"{st.nm(g)} showed {c.name} a game: count from the light to the boom.",
                         f"{st.nm(g)} told {c.name} that thunder is just the sound the sky makes, like a big drum.",
                         f"{st.nm(g)} said that thunder is only a big noise, and it can't hurt you inside the house.",
                         f"{st.nm(g)} held {c.name} close and said the house was strong, much stronger than the wind.",
                         f"{st.nm(g)} said the storm would soon go past the {st.place_mark(self.home)}, like a big noisy bus.",
                         f"{st.nm(g)} said the rain was good for the flowers, and the thunder was only the sky's big voice.")),
             rng.choice((f"The next time, they counted to {n} before the boom, and then even more: the storm was going away.",
                         f"{c.name} and {g.title} counted to {NUMBERS[rng.randint(3, 9)]}, and the boom was softer every time.",
                         f"They counted together: one, two, three, boom! Then one, two, three, four, five, and a softer boom.",
                         f"Every boom came later and softer, until {c.name} could not hear it at all.")))
        if rng.random() < 0.7:
            self.after(st, (f"{st.nm(c)} and {st.nm(g)} made a little tent of blankets and read a book inside with a flashlight.",
                             f"{st.sub(c)} sat with {st.nm(g)} by the window and watched the rain.",
                             f"{st.sub(c)} took a deep breath and counted all by {c.r} the next time.",
                            f"Soon the thunder was far away, and {c.name} fell asleep to the sound of the rain."))
        if self.twist:
            st.s("In the morning, there was a big rainbow over the village, as if the storm was saying sorry.")

    def mid_dog(self, st):
        c, g, f, rng = st.hero, st.grownup, self.companion, st.rng
        group = [c, g] + ([f] if f else [])
        st.state.at("morning")
        d = self.dog
        fence = rng.choice(("the", "the tall", "the low", "the green", "the white", "the old", "the red")) + " fence"
        st.s(f"{rng.choice(_DOG_WHERE)}, {d} {rng.choice(_DOG_DOES).format(fence=fence)}{rng.choice(_DOG_BARK).format(c=c.name)}."
             if rng.random() < 0.7 else
             rng.choice((f"There it was: {d}, with its nose through the fence, barking at {c.name}.",
                         f"As soon as they left the house, {d} ran up to the next fence and barked at {c.name}.",
                         f"Behind the green fence by the road stood {d}, and it barked: woof, woof!")))
        self.scared(st)
        if "Dialogue" in st.f:
            st.speak(c, rng.choice((f"{g.title}, I do not want to go past it!", "It will bite me!")),
                     rng.choice(("cried", "said", "whispered")))
        st.s(f"{rng.choice(_OWNER)} {rng.choice(_OWNER_CAME)} and called, \"{self.dog_name}, {rng.choice(_OWNER_SAYS)}!\""  # (whose dog it is)
             if rng.random() < 0.5 else
             rng.choice((f"\"{self.dog_name}, sit!\" called a boy from the garden, and the dog sat.",
                         f"An old man came to the fence and said the dog's name was {self.dog_name}.",
                         f"A girl ran out and said, \"Do not be scared. {self.dog_name} is just happy to see you!\"")))
        if rng.random() < 0.8 and fits(st, 15):
            facts.meet(st, "dog", ("says", "can", "eats"))
        travel(st, group, self.home, self.where)
        st.place = self.where
        doings.fill(st, group, self.where, middle_words(st) - 30, 2, 1)

    def end_dog(self, st):
        c, _g, rng = st.hero, st.grownup, st.rng
        st.state.at("afternoon")
        n = self.dog_name
        if self.bad:
            st.s(rng.choice((f"On the way home, {n} barked again, and {c.name} ran all the way home.",
                             f"On the way back, {c.name} went the long way, far from {n}'s fence.")))
            return
        st.s(rng.choice(("On the way home, they stopped by the fence again.", f"When they came back, {n} was still at the fence.",
                         f"On the way back, {n} was sleeping by the fence in the sun.")))
        self.brave_act(st)
        st.s(rng.choice((f"{st.sub(c)} held out {c.p} hand, and {n} sniffed it and licked it.",
                         f"{st.sub(c)} said, \"Hello, {n},\" very softly, and the big dog wagged its tail.",
                         f"{st.sub(c)} put {c.p} hand through the fence, and {n} sat down to be petted.")),
             rng.choice((f"It turned out that {rng.choice(_DOG_WANTED)}.", f"{n} was not angry at all: {rng.choice(_DOG_WANTED)}.",
                         f"All that barking meant only one thing: {rng.choice(_DOG_WANTED)}.",
                         f"Now {c.name} could see it: {rng.choice(_DOG_WANTED)}.", f"{n} had never wanted to scare anyone, and {rng.choice(_DOG_WANTED)}.")))
        if self.twist:
            st.s(f"The lady laughed and said that {n} was afraid of cats, and even of {rng.choice(('little birds', 'the mailman', 'the rain'))}!")
        self.after(st, (f"Now {c.name} waved to {n} every time {c.s} walked by.",
                         f"{st.sub(c)} threw a stick, and {n} ran to get it, again and again.",
                        f"From then on, {n} was {c.name}'s friend, and the fence did not look so big any more."))

    def mid_slide(self, st):
        c, g, f, rng = st.hero, st.grownup, self.companion, st.rng
        group = [c, g] + ([f] if f else [])
        st.state.at("morning")
        travel(st, group, self.home, self.where)
        st.place = self.where
        if fits(st, 12):
            facts.place(st, self.where, 1) or facts.episode(st, "scene")
        line = rng.choice((f"The new slide was so tall that {c.name} had to look up and up to see the top.",
                           f"The big slide at the {st.place_mark(self.where)} was {rng.choice(('red', 'blue', 'yellow', 'green'))} and shiny, and it went up as high as {rng.choice(_TALL)}.",
                           f"{st.sub(c)} stood at the bottom and counted the steps of the ladder: {NUMBERS[rng.randint(7, 10)]}!",
                           f"From the sand, {c.name} watched a {rng.choice(('girl', 'boy'))} go down the big slide, fast as the wind.",
                           f"The new slide was as tall as {rng.choice(_TALL)}, and it went around and around.",
                           f"{st.sub(c)} climbed the ladder to the top of the slide and looked down.",
                           f"Other children went down the big slide, laughing, but {c.name} just watched.",
                           f"{st.sub(c)} stood at the bottom of the slide and looked at the long ladder."))
        st.s(line)
        self.up = "to the top" in line  # (already at the top: the brave part does not climb the ladder)
        self.scared(st)
        if f:
            st.s(rng.choice((f"\"I will go first, {c.name},\" said {st.nm(f)}, and {f.s} went down with a big \"Whee!\"",
                             f"{st.nm(f)} went down first and waved from the bottom.")))
        doings.fill(st, group, self.where, middle_words(st) - 30, 1, 1)

    def end_slide(self, st):
        c, _g, rng = st.hero, st.grownup, st.rng
        if self.bad:
            st.s(rng.choice((f"In the end, {c.name} climbed back down the ladder and went home without trying.",
                             f"{st.sub(c)} stood at the top for a long time, and then climbed down again.")))
            return
        self.brave_act(st)
        st.s(rng.choice((f"Then {c.name} sat down at the top of the {st.place_mark(self.where)}'s big slide and let go: whee!",
                         f"{st.sub(c)} let go, and down {c.s} went, faster and faster!",
                         f"Down went {c.name}, with {c.p} arms up high!", f"{st.sub(c)} pushed off, and in a moment {c.s} was at the bottom!")),
             rng.choice((f"It was not scary at all: it was the most fun {c.name} had ever had.",
                         f"At the bottom, {c.name} laughed and laughed.", f"The wind blew in {c.p} hair, and it felt like flying.",
                         f"Down at the bottom, {c.name} jumped up and shouted, \"Again!\"",
                         f"{cap(c.p)} heart was still going fast, but now it was a happy kind of fast.")))
        if rng.random() < 0.6:
            self.after(st, (f"{st.sub(c)} went down the slide again and again until lunch.",
                             f"By lunch, {c.name} had been down the big slide so often that {c.s} could not count it any more.",
                             f"{c.name} ran back to the ladder to go again, and again, and again.",
                            f"Now {c.name} wanted to go down the big slide all the time."))
        if self.twist:
            st.s(f"At the end of the day, {c.name} showed a smaller {rng.choice(('boy', 'girl'))} how to go down the slide.")

    def mid_spider(self, st):
        c, g, rng = st.hero, st.grownup, st.rng
        st.state.at("noon")
        doings.fill(st, [c], "home", middle_words(st) - 60, 2, 1)
        st.s(rng.choice((f"Then {c.name} saw a spider {self.spider_at}.", f"There was a black spider {self.spider_at}!",
                         f"Suddenly, something moved {self.spider_at}: a spider!")))
        self.scared(st)
        st.s(rng.choice((f"{st.sub(c)} called {st.nm(g)} to come and take it away.", f"{st.sub(c)} ran to get {st.nm(g)}.")))
        if fits(st, 15):
            facts.meet(st, "spider", ("eats", "builds"))

    def end_spider(self, st):
        c, g, rng = st.hero, st.grownup, st.rng
        if self.bad:
            st.s(rng.choice((f"{st.nm(g)} took the spider outside, but {c.name} checked the wall every night after that.",
                             f"When they came back, the spider was gone, and {c.name} did not know where it was.")))
            return
        st.s(rng.choice((f"{st.nm(g)} said the spider was much more afraid of {c.name} than {c.name} was of it.",
                         f"{st.nm(g)} showed {c.name} how small the spider was: smaller than {c.p} little finger.",
                         f"{st.nm(g)} said that spiders eat flies, so a spider in the house is a good friend.",
                         f"{st.nm(g)} said the little spider only wanted a quiet corner, not {c.name}.")))
        self.brave_act(st)
        st.state.has(c.name, "cup")
        st.s(rng.choice((f"{st.sub(c)} put a cup over the spider, slid a piece of paper under it and carried it outside.",
                         f"{st.sub(c)} caught the spider in a cup, very gently, and let it go in the garden.",
                         f"{st.sub(c)} held the cup {self.spider_at}, and the spider walked right in.")) if rng.random() < 0.4 else
             f"{st.sub(c)} {rng.choice(_CUP)} and {rng.choice(_LET_GO)}.")
        if not self.twist and rng.random() < 0.5:
            self.after(st, (f"{st.sub(c)} was not so scared of spiders any more.", f"{st.sub(c)} said goodbye to the spider and went back inside."))
        if self.twist:
            st.s(rng.choice((f"The next morning, there was a pretty web in the garden, shining with water drops, and {c.name} said it was the spider's new home.",
                             f"Later, {c.name} saw the spider again, on a flower in the garden, and waved to it.")))

    def mid_waves(self, st):
        c, g, f, rng = st.hero, st.grownup, self.companion, st.rng
        group = [c, g] + ([f] if f else [])
        st.state.at("morning")
        travel(st, group, self.home, self.where, "swim")
        st.place = self.where
        st.s(rng.choice(("The waves were big that day, and they hit the sand with a loud noise.",
                         f"A big wave came up the sand and ran over {c.name}'s feet.",
                         f"The sea was loud, and the waves rolled in, white and fast, one after another.")))
        self.scared(st)
        if fits(st, 12):
            facts.meet(st, "sea", ("taste", "color")) or facts.place(st, self.where, 1)
        doings.fill(st, group, self.where, middle_words(st) - 30, 1, 1)

    def end_waves(self, st):
        c, g, rng = st.hero, st.grownup, st.rng
        if self.bad:
            st.s(rng.choice((f"{st.sub(c)} stayed on the sand all day and did not go in the water.",
                             f"{st.sub(c)} went in just a little, but a wave splashed {c.p} face, and {c.s} ran back out.")))
            return
        st.s(rng.choice((f"{st.nm(g)} held {c.name}'s hands, and they walked into the water together, step by step.",
                         f"{st.nm(g)} showed {c.name} how to jump over the small waves.",
                         f"{st.nm(g)} said they would only go in up to their knees, and not one step more.")))
        self.brave_act(st)
        st.state.doing(c.name, "swim")
        st.s(rng.choice((f"{st.sub(c)} jumped, and the wave went right under {c.o}!",
                         f"Soon {c.name} was jumping over every wave and laughing.")))
        if not self.twist and rng.random() < 0.5:
            self.after(st, (f"{st.nm(c)} and {st.nm(g)} stayed in the water until lunch.", f"{st.sub(c)} did not want to get out of the water at all."))
        if self.twist:
            st.s(f"A big wave brought a shiny shell right to {c.name}'s feet, like a prize.")

    # --- the closing --------------------------------------------------------------------------------

    def remember(self, st) -> None:
        rc = frame.Recap(st, self)
        # the ending recalls the fear faced, not what the hero did on the side ("Timmy had so much fun sweeping the floor")
        side = {np for _, np in rc.done} | {"the " + np.split(" ", 1)[1] for _, np in rc.done}
        rc.nps = [x for x in rc.nps if not x.startswith("the day at") and x not in side]
        rc.fun = []
        of = self.afraid_of
        if self.where:
            rc.place = self.where
            rc.nps.append(f"the day at the {self.where}")
        if self.bad:
            rc.losses += [of, f"how scared {st.hero.s} had been"]
        else:
            what = {"dark": ("look", "in the dark"), "storm": ("be", "brave in the storm"), "dog": ("pet", f"{self.dog_name}"),
                    "slide": ("go", "down the big slide"), "spider": ("help", "the little spider"),
                    "waves": ("jump", "over the waves")}[self.fear]  # (the last word is one the story has said)
            rc.proud += [what, ("be", f"brave about {of}")]
            if self.fear == "storm":
                rc.proud.remove(what)
            rc.fun += [what] if self.fear in ("slide", "waves", "dog") else []
            rc.nps += [{"dark": self.was, "storm": "the storm", "dog": f"{self.dog_name}, the big dog",
                        "slide": "the big slide", "spider": "the little spider", "waves": "the waves"}[self.fear]]
            rc.praise += ["brave", "brave"]
        st.flags["recap"] = rc

    def memories(self, st):
        """The fear faced, for the plot's own last line ("Mia would always remember the big slide")."""
        s, n = st.hero.s, self.dog_name
        nps, ings = {"dark": ([self.was, f"the night {s} looked in the dark"], ["being brave in the dark"]),
                     "storm": (["the storm", "the wind and the rain"], ["being brave in the storm"]),
                     "dog": ([f"{n}, the big dog", f"the day {s} met {n}"], [f"petting {n}"]),
                     "slide": (["the big slide", "the first time down the big slide"], ["going down the big slide"]),
                     "spider": (["the little spider", "the spider and how small it was"], ["helping the little spider"]),
                     "waves": (["the waves", f"the day at the {self.where}"], ["jumping over the waves"])}[self.fear]
        return nps, ings

    def lessons(self, st):
        if self.bad:
            return ("that it is okay to be scared sometimes",
                    "that being brave takes time")
        return ("that being brave means doing something even when you are scared",
                "that things are not so scary once you look at them",
                f"that {self.afraid_of} {'were' if self.afraid_of.endswith('s') else 'was'} not so scary after all",
                "that it helps to ask for help when you are scared")
