"""The ``sick`` plot: a sick day, the doctor, rest, and getting better.

The plan picks what the hero was looking forward to (a trip to a place to do something
there, from the outings' table), what is wrong (a cough, a hot head, a tummy ache...),
how the grown-up cares (soup, tea with honey, a warm blanket, medicine: the everyday-fact
items of what helps the sick, the thirsty, the tired), the visit to the doctor (the walk to
the hospital is the space item; the doctor's job an everyday fact), what the hero does in
bed, who sends something (a friend's drawing at the window) and the day they go at last.
A bad ending does not rest and misses the trip again; a twist, that the friend was sick too.
"""

from __future__ import annotations

from storylab.world import beats, doings, facts, frame
from storylab.world.model import DIRECTIONS
from storylab.world.plots import ACTIVITIES, Plan, _cast, fits, travel
from storylab.world.text import NUMBERS, a, cap

# what is wrong: (what the hero has, how it shows, the kind: what helps it, and how it goes away)
_WRONG = ((("a bad cough", "a big cough", "a cough"), ("coughed and coughed", "had coughed all night", "could not stop coughing"), "cough"),
          (("a cough and a hot head",), ("coughed, and {p} head was hot", "coughed and felt hot"), "cough"),
          (("a hot head", "a very hot head", "a hot head and cold feet"), ("felt hot all over", "was hot and very tired",
                                                                        "did not even want to get up"), "hot"),
          (("a bad tummy", "a sick tummy", "a tummy that hurt"), ("held {p} tummy", "did not want any breakfast",
                                                                   "felt sick in {p} tummy"), "tummy"),
          (("a cold", "a bad cold", "a big cold"), ("sneezed and sneezed", "sneezed again and again",
                                                     "could not stop sneezing", "sneezed so hard that the cat jumped"), "cold"),
          (("red eyes and a cold nose", "a red nose and a cold"), ("sneezed", "rubbed {p} red eyes"), "cold"))
_CARE = {"cough": ("made {o} a cup of tea with honey", "gave {o} a spoon of honey for the cough",
                   "brought {o} warm milk with honey in it", "made {o} hot {veg} soup", "put a warm blanket over {o}"),
         "hot": ("put a cool wet towel on {p} head", "gave {o} cold water to drink, little by little",
                 "opened the window to let the cool wind in", "took away the heavy blanket and gave {o} a light one",
                 "brought {o} a cup of orange juice"),
         "tummy": ("made {o} a little white rice", "brought {o} dry toast and a little water", "rubbed {p} tummy softly",
                   "put a warm blanket on {p} tummy", "gave {o} only water and crackers"),
         "cold": ("made {o} a bowl of {veg} soup", "brought {o} a bowl of warm soup", "gave {o} hot tea with lemon",
                  "put a warm hat on {p} head", "put another pillow under {p} head"),
         "any": ("read {o} a story about {story}", "sat by {p} bed and held {p} hand", "sang {o} a quiet song",
                 "cut {n} {fruit} into little pieces for {o}", "brought {o} {a_fruit} and a cup of water",
                 "brought {o} toast and warm milk", "found {p} old {toy} for {o}", "opened the window a little")}
# the care, told: {C} the hero as the subject, {G} the grown-up, {c1} a care for this illness, {c2} any care
_CARE_LINE = ("{C} stayed in bed, and {G} {c1}.", "{C} spent the morning in bed with {p} {toy}, and {G} {c1}.",
              "{G} {c1} and {c2}.", "{C} lay in bed with {p} {toy} while {G} {c1}.", "To help {c} feel better, {G} {c1}.",
              "All morning, {G} took care of {c}: {g_s} {c1}, and later {g_s} {c2}.", "{G} {c1}, and {c} {feel}.",
              "{G} made a soft bed on the couch for {c} and {c2}.")
_FEEL = ("felt a little better", "smiled a small smile", "fell asleep for a while", "said thank you in a small voice",
         "closed {p} eyes", "held {p} {toy} close")
_BETTER = {"cough": ("the cough went away", "{c} did not cough any more"),
           "hot": ("{c}'s head was cool again", "{c}'s head got cooler"),
           "tummy": ("{c}'s tummy felt fine again", "{c}'s tummy got better"),
           "cold": ("the cold was gone", "{c}'s nose got better")}
_VEG = ("carrot", "potato", "tomato", "pea", "bean", "pumpkin", "onion", "chicken", "noodle")
_FRUIT = ("apple", "banana", "orange", "pear", "peach", "plum", "strawberry", "grape", "melon", "cherry")
_STORIES = ("a brave little fox", "a dragon who could not fly", "a big red bus", "a lost puppy", "the moon",
            "a princess and a frog", "a clever mouse", "pirates", "a kind giant", "a little rocket")
_DOCTOR = ("looked in {p} mouth", "listened to {p} heart", "felt {p} head", "looked in {p} ears",
           "asked {o} to cough", "asked {o} to open {p} mouth wide", "looked at {p} eyes with a little light",
           "touched {p} tummy softly", "asked {o} to take a big breath")
_REST = ("rest and drink lots of water", "stay in bed for two days", "sleep a lot and eat warm soup",
         "rest, and not play outside for a few days", "drink warm tea and rest")
_COLORS = ("red", "blue", "green", "yellow", "orange", "pink", "purple")
_WINDOW = ("bird", "squirrel", "butterfly", "robin", "bee", "cat", "crow")
_SENT = ("a drawing of {a_an}", "a card with a big sun on it", "{n} {food}", "a book about {pl}",
         "a little {toy}", "a picture of the two of them at the {place}")


class Sick(Plan):
    """A sick day: the trip missed, care at home, the doctor, rest, better."""

    name = "sick"
    uses_thing = False

    def flags_late_companion(self):
        return False

    def __init__(self, st):
        super().__init__(st)
        rng, w = st.rng, st.w
        dests = [p for p in ACTIVITIES if p in w.coords and any(x[1] is None for x in ACTIVITIES[p])]
        self.dest = st.noun["word"] if st.noun["word"] in dests and rng.random() < 0.8 else rng.choice(dests)
        st.used_noun |= self.dest == st.noun["word"]
        self.activity = rng.choice([x for x in ACTIVITIES[self.dest] if x[1] is None])[0]
        self.home = rng.choice([p for d in DIRECTIONS if (p := w.neighbor("hospital", d))])
        wrongs, shows, self.kind = rng.choice(_WRONG)
        self.wrong = rng.choice(wrongs)
        self.shows = rng.choice(shows)
        st.thing = w.vocab.noun["blanket"]
        _cast(st, self, 0.4)
        self.doctor = rng.random() < 0.6
        self.goal = f"get better and {self.activity} at the {self.dest}"

    def _f(self, st, t: str) -> str:
        c, rng, w = st.hero, st.rng, st.w
        an = rng.choice(w.char_animals)
        food = rng.choice(w.countable_foods)
        return t.format(c=c.name, s=c.s, p=c.p, o=c.o, story=rng.choice(_STORIES), a_an=a(an["word"]),
                        pl=an["plural"], n=NUMBERS[rng.randint(2, 5)], food=food["plural"],
                        toy=rng.choice(w.toys)["word"], place=self.dest, veg=rng.choice(_VEG),
                        fruit=w.vocab.noun[rng.choice(_FRUIT)]["plural"], a_fruit=a(rng.choice(_FRUIT)),
                        day=rng.choice(("Saturday", "Sunday", "Monday", "Friday", "the next day")))

    def at(self, D: str) -> str:
        """The activity, with the place unless it already names it ('climb the mountain')."""
        return self.activity + ("" if self.dest in self.activity else f" at the {D}")

    def want(self, st):
        c, g, rng = st.hero, st.grownup, st.rng
        D = st.place_mark(self.dest)
        f = self.companion
        with_ = f" with {st.nm(f)}" if f and st.known(f) and rng.random() < 0.5 else ""
        day = rng.choice(("Saturday", "Sunday", "Friday"))
        if rng.random() < 0.3:
            st.s(rng.choice((f"{c.name} and {st.nm(g)} had a plan for {day}: they would {self.at(D)}.",
                             f"All week, {c.name} had counted the days until {day}, when {c.s} would {self.at(D)}{with_}.",
                             f"The night before, {c.name} had put {c.p} shoes by the door, ready for the {D}.",
                             f"{cap(day)} was going to be a big day, because {c.name} and {st.nm(g)} would {self.at(D)}.")))
        else:  # (when, who planned it, what, and a last word: each part drawn on its own)
            when = rng.choice(("That day, ", "For a whole week, ", "Today, ", "", "", "All week, ", f"On {day}, "))
            who = rng.choice((f"{st.sub(c)} was going to", f"{c.name} and {st.nm(g)} were going to",
                              f"{st.nm(g)} had promised that they would", f"{st.sub(c)} had waited all week to",
                              f"{st.sub(c)} could not wait to", f"{st.nm(g)} had said that they could",
                              f"{st.sub(c)} had asked {st.nm(g)} again and again to", f"{st.sub(c)} was so happy, because {c.s} would"))
            what = rng.choice((self.at(D), f"go to the {D}" + ("" if self.dest in self.activity else f" and {self.activity}"),
                               f"visit the {D}"))
            tail = rng.choice((with_, "", f" and {doings.activity(st, self.dest, 'word')}"))
            st.s(f"{when}{who} {what}{tail}.")
        why = beats.reason(st, self.dest) if rng.random() < 0.5 else None
        if why:  # what waits there (the animals the knowledge base puts at the place)
            st.s(why)
        shows = self._f(st, self.shows)
        x = self.wrong
        first = rng.choice((shows, shows, "felt strange", "did not feel well", "stayed under the blanket",
                            "could not get up", "did not want to eat"))
        st.s(rng.choice(("But that morning, ", "But on the big day, ", "But when the day came, ", "But early that morning, ",
                         "But the next morning, ", "But in the morning, ", "But when the sun came up, ",
                         "But on the morning of the trip, ")) +
             rng.choice((f"{c.name} woke up with {x}.", f"{c.name} had {x}, and {c.s} {shows}.",
                         f"{st.nm(g)} came in to wake {c.name} and saw at once that {c.s} had {x}.",
                         f"there was no jumping out of bed for {c.name}: {c.s} had {x}.",
                         f"{c.name} tried to get up for the {D}, but {c.s} had {x}.",
                         f"{c.name} {first}" + rng.choice((f": {c.s} had {x}.", f", and {st.nm(g)} saw that {c.s} had {x}.")),
                         f"{c.name} {first}" + rng.choice((f": {c.s} had {x}.", f", and {st.nm(g)} saw that {c.s} had {x}.",
                                                           f", because {c.s} had {x}.", f", and soon {c.s} knew why: {c.s} had {x}.")))))

    def hint(self, st):
        c, rng = st.hero, st.rng
        when = rng.choice(("The day before", "The night before", "Two days before", "Only the day before"))
        why = {"cough": (f"a boy at the {st.place_mark(rng.choice(('school', 'park', 'library')))} had been coughing all day",
                         f"{c.name} had run in the cold wind without {c.p} coat"),
               "hot": (f"{c.name} had played in the hot sun all day without {c.p} hat",
                       f"{c.name} had been too tired to eat {c.p} dinner"),
               "tummy": (self._f(st, "{c} had eaten {n} {food} and a big piece of cake"),
                         f"{c.name} had been too tired to eat {c.p} dinner"),
               "cold": (f"{c.name} had played in the rain without {c.p} coat",
                        f"{c.name} had jumped in every puddle on the way home")}[self.kind]
        st.s(f"{when}, {rng.choice(why)}.")

    def middle(self, st):
        c, g, rng = st.hero, st.grownup, st.rng
        D = st.place_mark(self.dest)
        ill = {"cough": "cough", "hot": "hot head", "tummy": "tummy", "cold": "cold"}[self.kind]
        if "Dialogue" in st.f:
            st.speak(c, rng.choice((f"But I want to go to the {D}, {g.title}!", f"{g.title}, I feel fine, can we still go?",
                                    f"Please, {g.title}, I want to {self.activity}!", f"Can we go to the {D} after lunch, {g.title}?",
                                    f"I am not sick, {g.title}! Look, I can jump!")), rng.choice(("said", "cried")))
            why = rng.choice(("you need to rest", f"your {ill} needs a quiet day", "sick children stay in bed",
                              f"the {D} will still be there when you are better", "first we get you better",
                              "a day in bed is what you need"))
            st.speak(g, rng.choice((f"Not today, {c.name}, because {why}.", f"No, {c.name}: {why}.", f"I am sorry, {c.name}, but {why}.",
                                    f"{why[0].upper() + why[1:]}, {c.name}.", f"Oh, {c.name}, {why}.")) +
                     rng.choice(("", "", " We will go when you are well, I promise.", f" The {D} can wait.")), "said")
        else:
            st.s(rng.choice((f"{st.nm(g)} said they could not go to the {D} today, and {c.name} was sad.",
                             f"There would be no trip to the {D} today, and {c.name} cried a little.",
                             f"{st.nm(g)} felt {c.p} head and shook {g.p} head: no {D} today.",
                             f"The trip to the {D} had to wait, and {c.name} cried into {c.p} pillow.")))
        if self.conflict:
            st.s(rng.choice((f"{st.sub(c)} did not want to stay in bed, and {c.s} got angry at {st.nm(g)}.",
                             f"{st.sub(c)} shouted that {c.s} was fine and threw {c.p} pillow on the floor.",
                             f"{st.sub(c)} kicked off the blanket and said {c.s} would not stay in bed, not for one minute.",
                             f"\"You are mean!\" {c.name} shouted at {st.nm(g)}, and {c.s} hid under the blanket.")))
        c1, c2 = self._f(st, rng.choice(_CARE[self.kind])), self._f(st, rng.choice(_CARE["any"]))
        toy = rng.choice(st.w.toys)["word"]
        G = st.nm(g)
        st.s(rng.choice(_CARE_LINE).format(C=st.sub(c), c=c.name, p=c.p, G=G, g_s=g.s, c1=c1, c2=c2, toy=toy,
                                           feel=self._f(st, rng.choice(_FEEL))))
        if fits(st, 14):
            facts.need(st, rng.choice(("sick", "sick", "thirsty", "hungry")))
        if self.doctor and not self.bad:
            st.state.at("noon")
            if fits(st, 14):  # (why one goes to the doctor, before going)
                facts.meet(st, "doctor", ("job",))
            travel(st, [c, g], self.home, "hospital")
            st.place = "hospital"
            d1, d2 = (self._f(st, x) for x in rng.sample(_DOCTOR, 2))
            rest = rng.choice(_REST)
            told = (f"{rng.choice(('The kind doctor', 'The doctor'))} told {c.name} to {rest}.",  # (not "She": the hero may be a she) f"The doctor said that {c.name} had to {rest}.",
                    f"\"You need to {rest},\" the doctor told {c.name}.")
            st.s(*rng.choice(((f"The doctor {d1} and then {d2}.", rng.choice(told)),
                              (f"At the hospital, a kind doctor {d1} and told {c.o} to {rest}.",),
                              (f"The doctor smiled, {d1}, and said it was {'only ' + self.wrong if self.wrong.split()[-1] in ('cough', 'cold') else 'nothing bad'}.", rng.choice(told)),
                              (f"{c.name} sat on a big chair while the doctor {d1}.", rng.choice(told)),
                              (f"First the doctor {d1}, and then she {d2}.", rng.choice(told)),
                              (f"The doctor {d1}. \"{cap(rest)}, and you will soon be well,\" she said.",))))
            if rng.random() < 0.6:
                an = rng.choice(st.w.char_animals)
                st.s(rng.choice((f"Then the doctor gave {c.name} {a(rng.choice(_COLORS))} sticker with {a(an['word'])} on it.",
                                 f"For being so brave, {c.name} got {a(rng.choice(_COLORS))} lollipop and a sticker of {a(an['word'])}.",
                                 f"On the wall of the room there was a big picture of {NUMBERS[rng.randint(2, 6)]} {an['plural']}, "
                                 f"and {c.name} counted them while {c.s} waited.")))
            st.state.at("afternoon")
            st.place = self.home
            self.bed(st, toy, 1)  # back in bed
            doings.fill(st, [c], "home", 0, 1, 1)
        else:
            st.state.at("afternoon")
            self.bed(st, toy, 1)
            doings.fill(st, [c], "home", 0, 1, 1)
            st.s(rng.choice((f"All afternoon, {c.name} lay in bed and {rng.choice(('looked out of the window', 'listened to the rain', 'counted the birds outside', 'read about ' + rng.choice(_STORIES)))}.",
                             f"The day was very long, and {c.name} thought about the {D} all the time.",
                             f"From {c.p} bed, {c.name} watched the clouds go by and found {a(rng.choice(st.w.char_animals)['word'])} in them.",
                             f"{c.name} counted the {rng.choice(st.w.char_animals)['plural']} on {c.p} blanket: there were {NUMBERS[rng.randint(3, 9)]}.",
                             f"{c.name} closed {c.p} eyes and pretended to {self.at(D)}.")))

    def bed(self, st, toy: str, k: int) -> None:
        """What the hero does in bed, from what is at hand and what was missed: the toy, a book, the
        window, the place they did not go to (its animals, what one does there)."""
        c, g, rng = st.hero, st.grownup, st.rng
        D = st.place_mark(self.dest)
        ans = [x for x in beats._animals_at(st, self.dest) if x != "farmer"] or [rng.choice(st.w.char_animals)["word"]]
        v = st.w.vocab.noun
        lines = [lambda: rng.choice((f"{st.sub(c)} drew a picture of the {D} with {NUMBERS[rng.randint(2, 6)]} {v[rng.choice(ans)]['plural']} in it.",
                                     f"{st.sub(c)} drew {NUMBERS[rng.randint(2, 6)]} {v[rng.choice(ans)]['plural']}, like the ones at the {D}.")),
                 lambda: f"{st.nm(g)} read {c.o} a story about {rng.choice(st.w.char_animals)['plural']}.",
                 lambda: f"{st.sub(c)} {beats.play(st, c, toy)} under the blanket.",
                 lambda: f"Outside the window, {a(rng.choice(_WINDOW))} sat on {beats.outdoor_thing(st)}.",
                 lambda: f"{st.sub(c)} thought of the {D}: {c.s} would {doings.activity(st, self.dest, 'word')} there.",
                 lambda: f"{st.nm(g)} and {c.name} played a quiet game of cards on the bed.",
                 lambda: f"{st.sub(c)} made a {D} out of pillows, and {c.p} {toy} went there for the day."]
        for f in rng.sample(lines, k):
            st.s(f())

    def ending(self, st):
        c, g, f, rng = st.hero, st.grownup, self.companion, st.rng
        D = st.place_mark(self.dest)
        if self.bad:
            st.s(rng.choice((f"But {c.name} did not rest: {c.s} played in the cold yard, and the next day {c.s} was even sicker.",
                             f"{st.sub(c)} was sick for a whole week, and the trip to the {D} had to wait.",
                             f"When {c.name} was better at last, the {D} was closed for the winter.",
                             f"{st.sub(c)} got out of bed to play, and {c.p} {self.kind if self.kind != 'hot' else 'head'} only got worse.",
                             f"{st.sub(c)} did not drink {c.p} tea or stay in bed, so the trip to the {D} never came.")))
            self.remember(st)
            return
        st.state.at("evening")
        if f and rng.random() < 0.6:
            st.s(rng.choice((f"In the evening, {st.nm(f)} came to the window and gave {c.name} {self._f(st, rng.choice(_SENT))}.",
                             f"{st.nm(f)} could not come in, so {f.s} left {self._f(st, rng.choice(_SENT))} by the door for {c.name}.",
                             f"Before dinner, {st.nm(f)} waved from the yard and held up {self._f(st, rng.choice(_SENT))}.")))
        elif fits(st, 12):
            facts.need(st, "tired")
        if self.twist:
            st.s(rng.choice((f"And at the doctor's, {c.name} saw {c.p} friend from the {st.place_mark(rng.choice(('school', 'park')))}: {c.s} had {self.wrong} too!"
                             if self.doctor else f"Then {st.nm(g)} began to sneeze, and it was {c.name}'s turn to bring the tea!",
                             f"Then it began to rain, and {st.nm(g)} laughed: nobody could {self.at(D)} on a rainy day.")))
        k = rng.choice(("two days", "three days", "a few days", "a week"))
        w = st.w
        food = rng.choice(w.countable_foods)
        day = rng.choice(("Saturday", "Sunday", "Monday", "Friday"))
        lead = rng.choice((f"After {k} in bed, ", f"{k.capitalize()} later, ", "Then one morning, ", f"On {day}, ", f"By {day}, ",
                           f"After {k} of {rng.choice(('soup', 'rest', 'tea with honey', 'stories', 'sleep'))}, "))
        well = rng.choice((f"{c.name} felt much better", f"{c.name} was well again", f"{c.name} woke up and felt fine",
                           f"{c.name} was hungry again and ate {NUMBERS[rng.randint(2, 4)]} {food['plural']} for breakfast",
                           self._f(st, rng.choice(_BETTER[self.kind]))))
        better = rng.choice((f"{lead}{well}.", f"{lead}{well}.", f"One {day} morning, {c.name} jumped out of bed: {c.s} was well!",
                             f"Slowly, with {st.nm(g)}'s {rng.choice(('soup', 'stories', 'tea', 'songs'))} every day, {c.name} got better.",
                             f"On {day}, {c.name} {beats.play(st, c, rng.choice(w.toys)['word'])} all over the house, and "
                             f"{st.nm(g)} knew {c.s} was well."))
        when = rng.choice(("Then ", "On the first sunny day, ", f"The very next {rng.choice(('Saturday', 'Sunday', 'morning'))}, ",
                           "After that, ", "Soon ", "And then the day came: ", "The next day, "))
        who = rng.choice(("they", "they", f"{c.name} and {st.nm(g)}", f"{st.nm(g)} and {c.name}"))
        go = rng.choice(("went to the", "went off to the", "walked to the", "went back to the"))
        tail = rng.choice((" at last", "", f", just as {st.nm(g)} had promised", f", and {c.name} ran all the way"))
        st.s(better, rng.choice((f"{when}{who} {go} {D}{tail}.", f"{when}{who} {go} {D}{tail}.", f"{when}{who} went to {self.at(D)}.",
                                 f"{st.nm(g)} kept {g.p} promise, and soon they were on the way to the {D}.",
                                 f"The first thing they did after that was {self.at(D)}.",
                                 f"{c.name} put on {c.p} shoes before breakfast, and off they went to the {D}.")))
        st.state.feel(c.name, "happy")
        st.place = self.dest
        if fits(st, 16):  # the day out at last: what is really there
            beats.activity_detail(st, self)
        self.remember(st)

    def remember(self, st) -> None:
        rc = frame.Recap(st, self)
        rc.nps = [x for x in rc.nps if not x.startswith("the day at")]
        D = self.dest
        verb, _, rest = self.activity.partition(" ")
        rc.nps += [f"the {D}", "the days in bed"]
        if self.bad:
            rc.losses += [f"the trip to the {D}", self.wrong]
            rc.again += [(verb, rest)]
        else:
            rc.fun += [(verb, rest if D in rest.split() else f"{rest} at the {D}".strip())]
            if st.doc.has_word("bed"):  # (the ending recalls only what the story told)
                rc.proud += [("stay", "in bed")]
            rc.again += [("go", f"back to the {D}")]
            rc.praise += ["patient", "brave"]
        st.flags["recap"] = rc

    def lessons(self, st):
        c = st.hero
        if self.bad:
            return ("that you get better faster when you rest",
                    "to listen when you are sick",
                    f"that playing when you are sick only keeps you away from the {self.dest} longer")
        D = self.dest
        return ("that rest helps you get better",
                "that it is good to wait for good things",
                f"to be patient when {c.s} was sick",
                f"that the {D} was even better after the long wait",
                f"to listen to {st.grownup.title} when {c.s} was sick",
                "that a day in bed is not so bad when someone takes care of you",
                f"that getting better comes first, and the {D} can wait")
