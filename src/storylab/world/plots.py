"""Plots: want -> problem -> help (or twist) -> outcome, shaped by the story's features.

Each plot writes the middle paragraph (`middle`) and the last one (`ending`), and may
plant a hint in the setup (`foreshadow`) that the middle pays off. Every beat has
several surface forms, with and without dialogue, so that the corpus is not a handful
of sentences repeated.
"""

from __future__ import annotations

from storylab.world import facts, skills
from storylab.world.model import HIDING_PREP, HIDING_SPOTS
from storylab.world.text import a, cap

POS_FEEL = ["happy", "excited", "proud", "glad", "calm", "cheerful"]
NEG_FEEL = ["sad", "scared", "angry", "mad", "upset", "worried", "lonely", "grumpy", "jealous", "nervous", "bored",
            "afraid", "sorry", "surprised"]
_PRED_ONLY = {"glad", "afraid", "sorry"}


def feel(st, valence: str) -> str:
    """A feeling word; the seed adjective if it is a feeling of this kind and still unused."""
    adj = st.adj
    pool = POS_FEEL if valence == "pos" else NEG_FEEL
    if not st.used_adj and adj["word"] in pool:
        st.used_adj = True
        return adj["word"]
    return st.rng.choice(pool[:4] if valence == "pos" else ["sad", "sad", "upset", "worried"])


def more(st, base: str = "happy") -> str:
    """A comparative for the ending: 'happier', or the seed adjective's if it is a positive feeling."""
    adj = st.adj
    if adj["word"] in POS_FEEL and "comparative" in adj:
        st.used_adj = True
        return adj["comparative"]
    return st.w.vocab.adjective[base]["comparative"]


class Plot:
    name = "plot"

    def foreshadow(self, st) -> None:
        pass

    def middle(self, st) -> None:
        raise NotImplementedError

    def ending(self, st) -> None:
        ending(st, self)

    def moral(self, st) -> str:
        return ""


# --- shared beats -------------------------------------------------------------------------


def conflict_beat(st, thing: str) -> None:
    """Conflict: the hero and the friend fall out over `thing`."""
    c, F, doc = st.main, st.friend, st.doc
    Fm = st.mention(F)
    if "Dialogue" in st.f:
        doc.s(st.pick(f"Just then, {Fm} walked by.", f"Then {c.name} saw {Fm}."))
        st.say(c.name, f"{F.name}, you took my {thing}!", "shouted")
        st.say(F.name, "No, I did not!", st.pick("shouted", "said", "cried"))
    else:
        doc.s(f"{c.name} thought that {Fm} had taken the {thing}.")
        doc.s(st.pick(f"They started to fight, and {F.name} went away angry.",
                      f"They had a big fight, and nobody was happy."))
    st.conflict_open = True


def help_beat(st, line: str, narr: str) -> None:
    h = st.helper
    hm = st.mention(h)
    if "Dialogue" in st.f:
        st.doc.s(st.pick(f"Then {hm} came over.", f"Just then, {hm} saw {st.main.name}.",
                         f"{cap(hm)} heard {st.main.o} and came to help."))
        if h.kind in facts.K.rel["says"].facts and st.rng.random() < 0.7:  # an animal says its call first
            call = facts.K.main("says", h.kind)
            line = f"{facts.Ep(st, 'says', h.kind).v(call, cap)}! {line}"
        st.say(h.title, line)
    else:
        st.doc.s(narr.format(H=hm, N=st.main.name, s=st.main.s, o=st.main.o, p=st.main.p))


def ending(st, plot) -> None:
    """Last paragraph: resolve the conflict, how it ended (main character), and the moral."""
    c, doc, N = st.main, st.doc, st.main.name
    bad = "BadEnding" in st.f
    if getattr(st, "conflict_open", False):
        F = st.friend
        if bad:
            doc.s(f"{N} and {F.name} did not play together for a long time.")
        else:
            doc.s(st.pick(f"Later, {N} said sorry to {F.name}, and they became friends again.",
                          f"In the end, {N} and {F.name} said sorry to each other and shared a big hug."))
    st.ensure_seed_words()
    if doc.nwords < 185:
        st.seed_extras()
    if st.late_skill is not None and doc.nwords < 175:
        doc.s(st.pick("Later that day, they went back home.", "After that, they went home.",
                      f"When they got home, {N} sat down to rest."))
        st.late_skill(st)
    end_fact = st.rng.random() < 0.3 and doc.nwords < 200
    if end_fact:
        skills.fact(st, "end")
    elif doc.nwords < 180 and st.rng.random() < 0.3 and "time_order" not in [s["skill"] for s in st.pending_skills]:
        doc.s(st.pick(f"The next day was a busy day for {N}.", f"The next day, {N} went out again."))
        skills.time_order(st)
    elif doc.nwords < 185 and st.rng.random() < 0.3:
        facts.episode(st, "scene")
    others = [x.name for x in (st.friend, st.helper) if x and x.name != N and x.name[0].isupper()]
    if len(others) < 2:
        pool = st.w.girls if c.gender == "female" else st.w.boys
        others += [x for x in st.rng.sample(pool, 3) if x != N and x not in others][: 2 - len(others)]
    rec = {"skill": "main_character", "answer": N, "distractors": others}
    st.pending_skills.append(rec)
    Nm = doc.m(N, rec, "prompt_end")
    if end_fact:
        doc.s(st.pick(f"{Nm} had a good dream that night." if not bad else f"{Nm} was still a little sad.",
                      f"{Nm} slept well." if not bad else f"{Nm} hoped tomorrow would be better."))
    elif bad:
        doc.s(st.pick(f"That night, {Nm} went to bed feeling {feel(st, 'neg')}.",
                      f"{Nm} walked home slowly. It was not a good day.",
                      f"{Nm} never forgot that day."))
    else:
        doc.s(st.pick(f"That night, {Nm} went to bed with a big smile.",
                      f"{Nm} felt {more(st)} than ever.",
                      f"{Nm} knew it was the best day ever.",
                      f"From that day on, {Nm} was {more(st)} than before."))
    if "MoralValue" in st.f:
        m = plot.moral(st)
        if m:
            doc.s(m)


# --- the plots -----------------------------------------------------------------------------


class Lost(Plot):
    """The hero loses their thing, searches the village, and (maybe) gets it back."""

    name = "lost"

    def foreshadow(self, st):
        c = st.main
        st.flags["hole"] = st.rng.random() < 0.5
        if st.flags["hole"]:
            st.doc.s(f"There was a small hole in {c.p} bag, but {c.name} did not see it.")
        else:
            st.doc.s(f"{cap(st.parent)} always told {c.o} to keep {c.p} things in a safe place.")

    def middle(self, st):
        c, doc, it, N, rng = st.main, st.doc, st.item["word"], st.main.name, st.rng
        P = st.place_mark(st.place)
        doc.s(st.pick(f"One day, {N} took {c.p} {it} to the {P}.", f"One {st.time_mark(st.pick('morning', 'afternoon'))}, {N} "
                      f"went to the {P} with {c.p} {it}."))
        doc.s(st.pick(f"{c.s} played with it for a long time.", f"{c.s} was having so much fun."))
        if st.flags.get("hole"):
            doc.s(f"On the way home, the {it} fell out of the hole in {c.p} bag.")
            doc.s(f"When {N} got home, the {it} was gone!")
        else:
            doc.s(f"When it was time to go home, {N} looked for {c.p} {it}, but it was gone!")
        doc.s(st.pick(f"{N} felt very {feel(st, 'neg')}.", f"{c.s} was so {feel(st, 'neg')} that {c.s} started to cry."))
        if "Conflict" in st.f:
            conflict_beat(st, it)
        if not skills.space(st):
            doc.s(f"{c.s} looked everywhere.")
        if rng.random() < 0.5:
            st.scenery()
        doc.s(f"{c.s} looked around, but the {it} was not there.")
        help_beat(st, st.pick(f"Don't worry, {N}. Let's look for it together.",
                              f"Where did you play with it last, {N}?"),
                  "{H} came to help, and they looked for it together.")
        spot = rng.choice(HIDING_SPOTS)
        where = f"{HIDING_PREP[spot]} the {spot}" if spot not in ("tree", "rock") else f"behind a big {spot}"
        if "Twist" in st.f:
            pet = rng.choice(["dog", "puppy", "cat", "kitten", "squirrel", "bird"])
            doc.s(f"Then they heard a noise {where}.")
            doc.s(f"It was a little {pet}, and it had the {it}!",
                  st.pick(f"The {pet} wanted to play with it too.", f"The {pet} thought it was a new toy."))
        if "Twist" in st.f and "BadEnding" not in st.f:
            doc.s(f"The {pet} let go of the {it}, and {N} picked it up.")
            doc.s(f"{N} laughed and thanked {st.helper.title}.")
        elif "BadEnding" in st.f:
            doc.s(st.pick(f"They looked until it was dark, but they never found the {it}.",
                          f"When they found the {it} {where}, it was broken."))
        else:
            doc.s(st.pick(f"At last, they found the {it} {where}!", f"There it was, {where}!"))
            doc.s(f"{N} hugged {c.p} {it} and thanked {st.helper.title}.")

    def moral(self, st):
        c = st.main
        return st.pick(f"{c.name} learned to take good care of {c.p} things.",
                       f"{c.name} learned that it is good to ask for help when something is lost.")


class Stuck(Plot):
    """The hero's thing gets stuck up in a tree; trying alone fails; help (or a bird) saves it."""

    name = "stuck"

    def foreshadow(self, st):
        st.doc.s(st.pick("The wind was very strong that day.",
                         f"{cap(st.parent)} said that it was a windy day and to be careful."))

    def middle(self, st):
        c, doc, it, N = st.main, st.doc, st.item["word"], st.main.name
        P = st.place_mark(st.place)
        doc.s(f"One day, {N} was playing with {c.p} {it} at the {P}.")
        doc.s(st.pick(f"Suddenly, a big wind came and blew the {it} up into a tall tree.",
                      f"{c.s} threw the {it} up high, and it got stuck in a tall tree."))
        doc.s(f"The {it} was on a high branch, and {N} could not reach it.")
        doc.s(st.pick(f"{c.s} jumped and jumped, but {c.s} was too small.",
                      f"{c.s} tried to climb the tree, but the branch was too high."))
        doc.s(f"{N} felt {feel(st, 'neg')}.")
        if "Conflict" in st.f:
            Fm = st.mention(st.friend)
            doc.s(f"{Fm} laughed at {c.o}, and that made {N} angry.")
            st.say(N, "It is not funny!", "shouted")
            st.conflict_open = True
        if "Twist" in st.f:
            doc.s("Then something strange happened.",
                  f"A big bird flew down, took the {it}, and put it right in front of {N}!")
        else:
            help_beat(st, st.pick(f"I can help you, {N}. I will get a ladder.", f"Let me try, {N}."),
                      "{H} saw the problem and got a long ladder.")
            if "BadEnding" in st.f:
                doc.s(f"But when {st.helper.title} reached for it, the branch broke.",
                      f"The {it} fell into the mud and broke into pieces.")
            else:
                doc.s(f"{cap(st.helper.title)} climbed up and got the {it} down.",
                      f"{N} was so happy to have {c.p} {it} back.")

    def moral(self, st):
        return st.pick(f"{st.main.name} learned that it is okay to ask for help.",
                       f"{st.main.name} learned to be more careful with {st.main.p} things.")


class Share(Plot):
    """Conflict over the hero's thing with a friend: share, or it breaks."""

    name = "share"

    def foreshadow(self, st):
        st.doc.s(f"{cap(st.parent)} always said that things are more fun when you share them.")

    def middle(self, st):
        c, doc, it, N, F = st.main, st.doc, st.item["word"], st.main.name, st.friend
        P = st.place_mark(st.place)
        Fm = st.mention(F)
        doc.s(st.pick(f"One day, {N} took {c.p} {it} to the {P}.", f"One day, {N} was at the {P} with {c.p} {it}."))
        doc.s(f"There {c.s} met {Fm}.")
        if "Dialogue" in st.f:
            st.say(F.name, f"Can I play with your {it}?", "asked")
            st.say(N, st.pick(f"No, it is my {it}!", "No! It is mine!"))
        else:
            doc.s(f"{F.name} wanted to play with the {it} too, but {N} said no.")
        doc.s(st.pick(f"{F.name} felt sad.", f"{F.name} was {feel(st, 'neg')}."))
        if "Conflict" in st.f or "BadEnding" in st.f:
            doc.s(f"{F.name} tried to take the {it}, and they both pulled on it.")
            st.conflict_open = "BadEnding" in st.f
        if "BadEnding" in st.f:
            doc.s(f"Then the {it} broke!", f"Now nobody could play with it, and they both cried.")
            return
        if "Twist" in st.f:
            other = st.rng.choice(st.w.toys)["word"]
            doc.s(f"Then {F.name} showed {N} something. {F.s} had {a(other)} in {F.p} bag!")
            doc.s(f"They traded, and each of them had a new toy to play with.")
        else:
            help_beat(st, f"{N}, your {it} is more fun when you share it.",
                      "{H} told {N} that sharing is kind.")
            doc.s(f"{N} thought about it and gave the {it} to {F.name}.")
            doc.s(st.pick(f"They took turns, and they had so much fun together.",
                          f"They played together all day and laughed a lot."))

    def moral(self, st):
        return st.pick(f"{st.main.name} learned that sharing makes everyone happy.",
                       f"{st.main.name} learned that friends are more important than toys.")


class Fear(Plot):
    """The hero is scared of something; help makes them brave (or not)."""

    name = "fear"
    THINGS = [("the dark", "the shadow on the wall", "a coat on a chair"),
              ("the big dog next door", "the dog", "a friendly dog who wanted to play"),
              ("the deep water in the pool", "the water", "not so deep after all"),
              ("the loud storm", "the window", "just the wind and the rain")]

    def foreshadow(self, st):
        st.flags["noise"] = True
        st.doc.s(f"Every night, {st.main.name} heard a strange sound outside {st.main.p} window.")

    def middle(self, st):
        c, doc, N, rng = st.main, st.doc, st.main.name, st.rng
        if st.flags.get("noise"):
            night = st.time_mark("night")
            doc.s(f"One {night}, the sound came again.", f"{N} was {feel(st, 'neg')} and hid under {c.p} blanket.")
            doc.s(f"{c.s} held {c.p} {st.item['word']} very close.")
            help_beat(st, f"Let's go and see what it is, {N}.", "{H} took {N}'s hand, and they went to look.")
            if "BadEnding" in st.f:
                doc.s(f"They did not find anything, and {N} could not sleep all night.")
            else:
                owl = rng.choice(("owl", "cat", "frog"))
                doc.s(f"It was only a little {owl} sitting on the fence!")
                doc.s(f"{N} laughed. {c.s} was not scared anymore.")
            return
        fear, short, truth = rng.choice(self.THINGS)
        doc.s(f"{N} was scared of {fear}.", f"{c.s} did not want to go near {short}.")
        if "Conflict" in st.f:
            Fm = st.mention(st.friend)
            doc.s(f"{Fm} said that {N} was a baby, and they had a fight.")
            st.conflict_open = True
        help_beat(st, f"Be brave, {N}. I am here with you.", "{H} held {N}'s hand and told {o} to be brave.")
        if "Twist" in st.f:
            doc.s(f"When {N} looked again, {c.s} saw that it was {truth}!")
        if "BadEnding" in st.f:
            doc.s(f"But {N} was still too scared, and {c.s} ran home.")
        else:
            doc.s(f"{N} took a deep breath and was brave.", f"It was not so bad after all.")

    def moral(self, st):
        return st.pick(f"{st.main.name} learned that being brave is not so hard with a friend.",
                       f"{st.main.name} learned that many scary things are not scary at all.")


class Trip(Plot):
    """A walk across the village map to somewhere; a problem on the way; arriving (or not)."""

    name = "trip"

    def foreshadow(self, st):
        st.doc.s(f"{cap(st.parent)} put an umbrella in the bag, just in case.")
        st.flags["umbrella"] = True

    def middle(self, st):
        c, doc, N, rng, w = st.main, st.doc, st.main.name, st.rng, st.w
        P = st.place_mark(st.place)
        doc.s(st.pick(f"One day, {N} and {st.parent} went for a long walk.",
                      f"One day, {N} wanted to see the whole village."), f"They started at the {P}.")
        start = st.place
        moved = skills.space(st)
        st.scenery()
        if moved:
            skills.space(st, avoid=start)
        if "Conflict" in st.f:
            Fm = st.mention(st.friend)
            doc.s(f"On the way, they met {Fm}.", f"{st.friend.name} wanted to go another way, and they had a fight.")
            st.conflict_open = True
        if st.flags.get("umbrella"):
            doc.s("Then it started to rain.", f"{cap(st.parent_title)} opened the umbrella, and they stayed dry.")
        else:
            doc.s(f"After a while, {N} felt {feel(st, 'neg')}.", f"{c.s} did not know the way back.")
            help_beat(st, "I know the way. Follow me!", "{H} showed them the way.")
        if "Twist" in st.f:
            doc.s(f"When they came to the {st.place_mark(st.place)}, all of {N}'s friends were there.",
                  "It was a surprise party!")
        if "BadEnding" in st.f:
            if w.places[st.place]["outdoor"]:
                doc.s(f"But when they got to the {st.place_mark(st.place)}, a big storm came.",
                      f"{N} was sad, and they had to go home.")
            else:
                doc.s(f"But when they got to the {st.place_mark(st.place)}, it was closed.",
                      f"{N} was sad, and they had to go home.")
        else:
            doc.s(f"{N} liked the {st.place_mark(st.place)} very much.",
                  f"{c.s} showed {c.p} {st.item['word']} to everyone there.")

    def moral(self, st):
        return st.pick(f"{st.main.name} learned that it is good to stay close to your family.",
                       f"{st.main.name} learned that every walk can be a little adventure.")


class Hurt(Plot):
    """The hero runs, falls, gets hurt, is helped, and learns to be careful."""

    name = "hurt"

    def foreshadow(self, st):
        st.doc.s(f"{cap(st.parent)} always said, \"Do not run too fast, or you will fall.\"")

    def middle(self, st):
        c, doc, N = st.main, st.doc, st.main.name
        P = st.place_mark(st.place)
        part = st.noun["word"] if st.noun["kind"] == "body" and st.noun["word"] not in ("tail", "wing", "hair") \
            else st.pick("knee", "arm", "hand", "leg")
        st.used_noun |= part == st.noun["word"]
        doc.s(f"One day, {N} was running fast at the {P} with {c.p} {st.item['word']}.")
        if st.rng.random() < 0.5:
            st.scenery()
        doc.s(f"{c.s} did not see a big rock, and {c.s} fell down.")
        doc.s(f"{c.s} hurt {c.p} {part}, and it hurt a lot.", f"{N} started to cry.")
        if "Conflict" in st.f:
            Fm = st.mention(st.friend)
            doc.s(f"{Fm} had pushed {c.o} by mistake, and {N} was angry at {st.friend.o}.")
            st.conflict_open = True
        help_beat(st, f"Oh no, {N}! Let me help you.", "{H} came quickly to help {o}.")
        bandage = facts.Ep(st, "remedy", "hurt", annotate=True).v("bandage", extra=["cookie", "sock"])
        doc.s(f"{cap(st.helper.title)} cleaned {N}'s {part} and put a {bandage} on it.")
        if "Twist" in st.f:
            doc.s(f"Then they saw that the rock was not a rock at all. It was a turtle!")
        if "BadEnding" in st.f:
            doc.s(f"{N} could not play for many days.")
        else:
            doc.s(f"Soon {N} felt better, and {c.s} played again, but more slowly.")

    def moral(self, st):
        return f"{st.main.name} learned to be careful and look where {st.main.s} was going."


PLOTS = [Lost(), Stuck(), Share(), Fear(), Trip(), Hurt()]
_BY_NAME = {p.name: p for p in PLOTS}


def choose(st) -> Plot:
    """Pick a plot that suits the seed words and features."""
    rng, n = st.rng, st.noun
    if n["kind"] == "body" and rng.random() < 0.7:
        return _BY_NAME["hurt"]
    if "Conflict" in st.f and rng.random() < 0.5:
        return _BY_NAME["share"]
    if n["kind"] == "vehicle" or n["kind"] == "place":
        if rng.random() < 0.5:
            return _BY_NAME["trip"]
    return rng.choice(PLOTS)


# --- seed words that the plot had no natural place for -------------------------------------------

_EVENT = {
    "game": "{N} liked to play a game of tag with {p} friends.", "song": "{N} liked to sing a happy song.",
    "story": "Every night, {P} read {o} a story.", "party": "{N} was going to a party soon.",
    "picnic": "Last week, they had a picnic in the park.", "race": "{N} liked to have a race with {p} friends.",
    "dream": "The night before, {N} had a funny dream.", "wish": "{N} had a wish: to see a real dragon.",
    "surprise": "{P} had a surprise for {o}: a new book.", "idea": "Then {N} had an idea.",
    "plan": "{N} had a plan for the day.", "trip": "Last summer, they went on a trip to the sea.",
    "nap": "After lunch, {N} took a nap.", "hug": "{P} gave {N} a big hug.", "smile": "{N} had a big smile.",
    "word": "{N} knew a new word.", "name": "{N} liked {p} name very much.",
    "birthday": "Soon it would be {N}'s birthday.", "prize": "{N} had won a prize for a picture.",
    "treasure": "{N} liked to play that {s} was looking for treasure.", "secret": "{N} had a secret.",
    "adventure": "{N} wanted to go on an adventure.", "question": "{N} had a question for {P}.",
    "lesson": "That day, {N} had a music lesson.", "job": "{N}'s job was to feed the cat.",
    "joke": "{P} told {N} a funny joke.", "trick": "{N} could do a trick with a ball.",
    "fun": "{N} was always looking for fun.", "music": "{N} liked to dance to music.",
    "noise": "{N} heard a noise in the kitchen.", "sound": "{N} liked the sound of the rain.",
    "color": "Red was {N}'s favorite color.", "shape": "{N} could draw every shape.",
    "circle": "{N} drew a big circle on the ground.", "square": "{N} drew a square and a star.",
    "heart": "{N} drew a red heart for {P}.", "day": "It was a good day to play outside.",
    "walk": "{N} liked to go for a walk.", "bath": "{N} did not like to take a bath.",
    "show": "{N} liked to watch a show with {P}.", "mistake": "{N} made a mistake, but that was okay.",
    "choice": "{N} had to make a choice.", "problem": "{N} had a small problem.",
    "piece": "{P} gave {N} a piece of cake.", "breath": "{N} took a deep breath.", "tag": "{N} liked to play tag.",
    "shadow": "{N} looked at {p} shadow on the ground.", "hour": "They walked for an hour.",
    "food": "{N} always ate all {p} food.",
}
_HOUSE = {"table": "{N} sat at the table.", "chair": "{N} sat on a little chair.",
          "bed": "{N} made {p} bed.", "door": "{N} opened the door.", "window": "{N} looked out of the window.",
          "sink": "{N} washed {p} hands in the sink.", "oven": "{P} had a cake in the oven.",
          "fridge": "{N} got some milk from the fridge.", "shelf": "{N}'s books were on a high shelf.",
          "couch": "{N} sat on the couch with {P}.", "rug": "{N} sat on the soft rug.",
          "tent": "{N} had a tent in the yard.", "ladder": "There was a ladder by the house.",
          "fence": "There was a white fence around the yard.", "wall": "{N} had a picture on the wall.",
          "floor": "{N} sat on the floor.", "fan": "The fan went round and round.",
          "light": "{N} turned on the light."}
_MISC = {"swing": "{N} liked to play on the swing.", "slide": "{N} went down the slide.",
         "rope": "{N} could jump over a rope.", "bubble": "{N} blew a big bubble.",
         "toy": "{N} had many toys.", "knife": "{P} said that a knife is not a toy.",
         "needle": "{P} said that a needle is sharp.", "breakfast": "{N} ate breakfast with {P}.",
         "lunch": "They ate lunch together.", "dinner": "{P} made dinner.", "snack": "{N} had a snack."}


def noun_sentence(st, n: dict) -> str:
    """A sentence that puts the seed noun into the scene, by what kind of thing it is."""
    c, w = st.main, n["word"]
    fill = {"N": c.name, "s": c.s, "o": c.o, "p": c.p, "P": st.parent_title}
    for table in (_EVENT, _HOUSE, _MISC):
        if w in table:
            return table[w].format(**fill)
    k = n["kind"]
    if w in ("mom", "dad", "grandma", "grandpa", "mommy", "daddy"):
        return f"{c.name} gave {c.p} {w} a big hug."
    P = st.place_mark(st.place)
    if k == "animal":
        sound = facts.vf(facts.K.main("cry", w), "past") if w in facts.K.rel["cry"].facts else None
        tail = f" The {w} {sound} at {c.o}." if sound else ""
        return f"At the {P}, {c.name} liked to watch {a(w)}." + tail if sound else \
            st.pick(f"Near the {P} lived {a(w)}, and {c.name} liked to watch it.",
                    f"Sometimes {c.name} saw {a(w)} at the {P}.")
    if k == "person":
        if w in ("sister", "brother", "baby"):
            return f"{c.name}'s little {w if w != 'baby' else 'baby brother'} came too."
        if w in ("fairy", "ghost", "monster", "giant", "pirate", "dragon", "king", "queen", "prince", "princess"):
            return f"{c.name} liked to pretend to be {a(w)}."
        if w == "people" or w == "person":
            return f"There were many people at the {P}."
        return f"At the {P}, {c.name} waved to {a(w)}."
    if k == "place":
        if w in ("room", "kitchen", "yard", "classroom", "house"):
            return f"Before they left, {c.name} helped to clean the {w}."
        if w in ("town", "village", "city"):
            return f"{c.name} lived in a small {w}."
        if w in ("street", "road", "path"):
            return f"They walked down the {w} together."
        if w in ("jungle", "ocean", "island"):
            return f"{c.name} liked to read books about the {w}."
        if w == "home":
            return f"{c.name} liked to be at home."
        return f"On the way, they walked past the {w}."
    if k == "vehicle":
        return f"On the way, {c.name} saw {a('big ' + w)}."
    if k == "body":
        if w in ("tail", "wing", "paw"):
            return {"wing": f"At the {P}, {c.name} saw a little bird with a hurt wing.",
                    "paw": f"At the {P}, {c.name} saw a puppy with a hurt paw.",
                    "tail": f"At the {P}, a happy dog wagged its tail at {c.name}."}[w]
        if w == "hair":
            return f"{st.parent_title} brushed {c.name}'s hair."
        return f"{c.name} had a little scratch on {c.p} {w}, but {c.s} did not mind."
    if k == "nature":
        if w in ("sun", "moon", "sky", "rainbow", "cloud", "star"):
            return {"sun": "The sun was shining.", "moon": f"{c.name} liked to look at the moon.",
                    "sky": "The sky was blue and clear.", "rainbow": "Then a rainbow came out in the sky.",
                    "cloud": f"{c.name} saw a cloud that looked like a rabbit.",
                    "star": f"{c.name} liked to count the stars at night."}[w]
        if w in ("rain", "storm", "wind", "snow"):
            return {"rain": "The rain had stopped, and the grass was wet.", "storm": "There had been a storm the night before.",
                    "wind": "The wind was blowing the leaves.", "snow": f"{c.name} liked to play in the snow."}[w]
        return f"{c.name} stopped to look at the {w if n.get('mass') or True else w}."
    if n.get("mass"):
        return f"For breakfast, {c.name} had some {w}." if k == "food" else f"{c.name} saw some {w}."
    return f"{c.name} also had {a(w)} in {c.p} bag."


_PRED = {"ready": "{N} was ready to go.", "awake": "{N} was still awake.", "asleep": "Soon, {N} was fast asleep.",
         "alone": "{N} did not like to be alone.", "fine": "{N} said that {s} was fine.",
         "well": "{N} did not feel well.", "hurt": "{N} was not hurt.", "glad": "{N} was glad.",
         "afraid": "{N} was a little afraid.", "sorry": "{N} was sorry.", "alive": "The little plant was alive.",
         "easy": "It was not easy, but {N} did not give up.", "difficult": "It was difficult, but {N} did not give up.",
         "simple": "{N} had a simple plan for the next day.",
         "fun": "It was fun.", "great": "It was a great day.", "wonderful": "It was a wonderful day.",
         "amazing": "It was an amazing day.", "perfect": "It was a perfect day.",
         "different": "This day was different.", "same": "Every day was the same.",
         "real": "It was a real adventure.", "important": "It was an important day.",
         "free": "That day, {N} was free to play."}


def adjective_sentence(st, adj: dict) -> str:
    """A sentence for the seed adjective, with a noun it fits."""
    c, w = st.main, adj["word"]
    fill = {"N": c.name, "s": c.s, "o": c.o, "p": c.p}
    if w in _PRED:
        return _PRED[w].format(**fill)
    cls = adj["class"]
    if cls == "feeling":
        if w in NEG_FEEL and "BadEnding" not in st.f:
            return f"For a while, {c.name} had felt {w}, but not anymore."
        return f"{c.name} felt {w}."
    if w in ("grassy", "sandy", "rocky", "muddy", "icy", "bumpy"):
        return f"The path back home was {w}."
    if cls == "trait":
        return st.pick(f"{c.name} was very {w}.", f"Everyone said that {c.name} was {w}.")
    if cls == "weather":
        return f"It was {a(w)} day."
    nouns = [n for n in st.w.scene_nouns.get(w, []) if st.w.portable(n)] or \
        [n for n in st.w.adj_nouns.get(w, []) if n["kind"] not in ("body", "event", "person")
         and (n["kind"] != "place" or cls == "place") and n["word"] not in ("wind", "sun", "moon", "sky", "storm")] or \
        [st.w.vocab.noun["ball"]]
    n = st.rng.choice(nouns)
    if n.get("mass"):
        return f"{c.name} saw some {w} {n['word']} on the way."
    if n["kind"] == "place" or not st.w.portable(n):
        return f"The {n['word']} was very {w}." if n["kind"] == "place" else f"On the way, {c.name} saw {a(w + ' ' + n['word'])}."
    return st.pick(f"On the way, {c.name} saw {a(w + ' ' + n['word'])}.",
                   f"{c.name} found {a(w + ' ' + n['word'])} and showed it to {st.parent}.")
