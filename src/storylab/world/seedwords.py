"""The seed noun and adjective, in a sentence of their own, when the plot had no place for them.

The plot uses the seed words where they fit (the noun as the destination, the animal met,
the food made, the helper; the adjective as a trait, a feeling, the weather or the
item's look). These tables are the fallback, by what kind of word it is.
"""

from __future__ import annotations

from storylab.world import doings, facts
from storylab.world.text import a

NEG_FEEL = ["sad", "scared", "angry", "mad", "upset", "worried", "lonely", "grumpy", "jealous", "nervous", "bored",
            "afraid", "sorry", "surprised"]

# --- seed words that the plot had no natural place for -------------------------------------------

_EVENT = {
    "game": "{N} liked to play a game of tag with {p} friends.", "song": "{N} liked to sing a happy song.",
    "story": "Every night, {P} read {o} a story.", "party": "{N} was going to a party soon.",
    "picnic": "Last week, {N} and {P} had a picnic in the park.", "race": "{N} liked to have a race with {p} friends.",
    "dream": "The night before, {N} had a funny dream.", "wish": "{N} had a wish: to see a real dragon.",
    "surprise": "{P} had a surprise for {o}: a new book.", "idea": "Then {N} had an idea.",
    "plan": "{N} had a plan for the day.", "trip": "Last summer, {N} went on a trip to the sea.",
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
    "shadow": "{N} looked at {p} shadow on the ground.", "hour": "{N} and {P} walked for an hour.",
    "food": "{N} always ate all {p} food.",
}
_HOUSE = {"table": "{N} sat at the table.", "chair": "{N} sat on a little chair.",
          "bed": "{N} made {p} bed.", "door": "{N} opened the door.", "window": "{N} looked out of the window.",
          "sink": "{N} washed {p} hands in the sink.", "oven": "{P} had a cake in the oven.",
          "fridge": "{N} got some milk from the fridge.", "shelf": "{N}'s books were on a high shelf.",
          "couch": "{N} sat on the couch with {P}.", "rug": "{N} sat on the soft rug.",
          "tent": "{N} had a tent in the yard.", "ladder": "There was a ladder by {N}'s house.",
          "fence": "There was a white fence around {N}'s yard.", "wall": "{N} had a picture on the wall.",
          "floor": "{N} sat on the floor.", "fan": "{N} watched the fan go round and round.",
          "light": "{N} turned on the light."}
_MISC = {"swing": "{N} liked to play on the swing.", "slide": "{N} went down the slide.",
         "rope": "{N} could jump over a rope.", "bubble": "{N} blew a big bubble.",
         "toy": "{N} had many toys.", "knife": "{P} said that a knife is not a toy.",
         "needle": "{P} said that a needle is sharp.", "breakfast": "{N} ate breakfast with {P}.",
         "lunch": "{N} and {P} ate lunch together.", "dinner": "{P} made dinner for {N}.", "snack": "{N} had a snack."}


_MASS_THINGS = {"paper": "That evening, {N} drew a picture of the day on a big piece of paper.",
                "soap": "Before dinner, {N} washed {p} hands with soap and warm water.",
                "glue": "That evening, {N} used some glue to make a card for {P}.",
                "paint": "That evening, {N} used some paint to make a picture of the day.",
                "tape": "{N} used some tape to put {p} new picture on the wall.",
                "money": "{N} put some money in a little box for the next trip.",
                "wool": "That evening, {P} made {N} a warm hat of soft wool.",
                "medicine": "{N} did not need any medicine, because {s} felt fine.",
                "scissors": "That evening, {N} used the scissors to cut out a paper star.",
                "sand": "Before dinner, {N} played with some sand in the yard.",
                "mud": "In the yard, {N} stepped in some mud.",
                "grass": "{N} lay down in the soft grass for a while.",
                "ground": "{N} sat down on the ground to rest for a while.",
                "shade": "{N} rested in the shade for a while.",
                "thunder": "Far away, {N} heard thunder, but it did not come close.",
                "ice": "At dinner, {N} had some cold juice with ice in it."}
_INGREDIENTS = {"flour", "sugar", "salt", "butter", "dough", "pepper", "oil", "rice", "pasta", "yeast"}


# the seed noun in the day the story told: at the place the plot went to (`{L}`), with the one who was
# there (`{W}`: the companion, or the grown-up)
_DAY = {
    "game": "Before they went home, {N} and {W} played a game of tag at the {L}.",
    "song": "On the way back from the {L}, {N} sang a happy song.",
    "race": "{N} and {W} had a race at the {L}, and {N} won.",
    "walk": "After that, {N} and {W} went for a walk around the {L}.",
    "shadow": "At the {L}, {N} looked at {p} long shadow on the ground.",
    "noise": "At the {L}, {N} heard a funny noise in the bushes.",
    "sound": "{N} liked the sound of the wind at the {L}.",
    "picnic": "{N} and {W} had a little picnic at the {L}.",
    "circle": "At the {L}, {N} drew a big circle on the ground with a stick.",
    "shape": "At the {L}, {N} drew every shape {s} knew on the ground.",
    "square": "At the {L}, {N} drew a square and a star on the ground.",
    "hour": "{N} and {W} stayed at the {L} for an hour.",
    "treasure": "At the {L}, {N} pretended to look for treasure.",
    "adventure": "For {N}, the day at the {L} was a real adventure.",
    "fun": "{N} had so much fun at the {L}.",
    "day": "It was a good day to be at the {L}.",
    "smile": "{N} had a big smile all the way home from the {L}.",
    "tag": "{N} and {W} played tag at the {L}.",
    "music": "At the {L}, {N} danced to the music of the birds.",
    "trip": "The trip to the {L} was {N}'s best trip yet.",
    "story": "That night, {P} told {N} a story about the {L}.",
    "dream": "That night, {N} had a dream about the {L}.",
    "wish": "{N} made a wish to go back to the {L} soon.",
    "joke": "On the way home from the {L}, {W} told {N} a funny joke.",
    "question": "On the way home, {N} had a question for {P} about the {L}.",
    "breath": "At the {L}, {N} stopped and took a deep breath.",
    "bubble": "At the {L}, {N} blew a big bubble.",
    "hug": "At the {L}, {W} gave {N} a big hug.",
    "show": "That evening, {N} put on a little show about the {L} for {P}.",
}


def noun_sentence(st, n: dict) -> str:
    """A sentence that puts the seed noun into the scene, by what kind of thing it is: where it can,
    into the day the story told (the place the plot went to, the people there)."""
    c, w = st.main, n["word"]
    fill = {"N": c.name, "s": c.s, "o": c.o, "p": c.p, "P": st.parent_title}
    plan = st.flags.get("plan")
    if w in _DAY and plan is not None and st.known(st.grownup) and st.state.went_out(c.name):
        f = plan.companion
        place = _day_place(plan)
        fill["W"] = f.name if f is not None and st.known(f) else st.parent_title
        if fill["W"][:1].isupper() and place in st.w.coords:
            fill["L"] = st.place_mark(place)
            return _DAY[w].format(**fill)
    for table in (_EVENT, _HOUSE, _MISC):
        if w in table:
            return table[w].format(**fill)
    if w in _MASS_THINGS:  # a thing one has no single piece of: what the day's end does with it
        return _MASS_THINGS[w].format(**fill)
    k = n["kind"]
    if w in ("mom", "dad", "grandma", "grandpa", "mommy", "daddy"):
        return f"{c.name} gave {c.p} {w} a big hug."
    P = st.place_mark(st.place)
    if k == "animal":
        sound = facts.vf(facts.K.main("cry", w), "past") if w in facts.K.rel["cry"].facts else None
        tail = f" The {w} {sound} at {c.name}." if sound else ""
        pl = st.w.vocab.noun[w]["plural"]
        if w in facts.K.found_at.get(st.place, ()):  # an animal that lives here
            return f"At the {P}, {c.name} liked to watch {a(w)}." + tail if sound else \
                f"Near the {P} lived {a(w)}, and {c.name} liked to watch it."
        if n in st.w.scene_animals(st.place):  # one that lives around here: met on the way home
            return st.pick(f"On the way home, {c.name} saw {a(w)} and waved at it.",
                           f"Near the {P}, {c.name} saw {a(w)} and stopped to watch it.") if st.state.went_out(c.name) \
                else f"From the window, {c.name} saw {a(w)} and waved at it."

        return _pretend(st, w, pl) or st.pick(f"{c.name} had a book about {pl} and looked at it every night.",
                                               f"{c.name}'s favorite animal was the {w}.")
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
            return f"{c.name} and {st.parent_title} walked down the {w} together."
        if w in ("jungle", "ocean", "island"):
            return f"{c.name} liked to read books about the {w}."
        if w == "home":
            return f"{c.name} liked to be at home."
        return f"On the way, {c.name} walked past the {w}."
    if k == "vehicle":
        return f"On the way, {c.name} saw {a('big ' + w)}."
    if k == "body":
        if w in ("tail", "wing", "paw"):
            return {"wing": f"At the {P}, {c.name} saw a little bird with a hurt wing.",
                    "paw": f"At the {P}, {c.name} saw a puppy with a hurt paw.",
                    "tail": f"At the {P}, a happy dog wagged its tail at {c.name}."}[w]
        if w == "hair":
            return f"{st.parent_title} brushed {c.name}'s hair."
        own = {"eye": "{N} rubbed {p} eyes and yawned.", "ear": "{N} had a little leaf stuck behind {p} ear.",
               "tooth": "Before bed, {N} brushed {p} teeth.", "mouth": "{N} opened {p} mouth wide and yawned.",
               "nose": "{N} had a little mud on {p} nose.", "tummy": "{N} patted {p} tummy after dinner.",
               "face": "{N} washed {p} face before dinner.", "head": "{N} put {p} head on the pillow.",
               "neck": "{N} put a warm scarf around {p} neck.", "back": "{N} lay on {p} back and looked at the sky.",
               "cheek": "{P} gave {N} a kiss on the cheek."}
        if w in own:
            return own[w].format(**fill)
        return f"{c.name} had a little scratch on {c.p} {w}, but {c.s} did not mind."
    if k == "nature":
        if w in ("sun", "moon", "sky", "rainbow", "cloud", "star"):
            return {"sun": f"{c.name} liked it best when the sun was shining.",
                    "moon": f"{c.name} liked to look at the moon.",
                    "sky": f"{c.name} liked to look up at the big blue sky.",
                    "rainbow": f"{c.name} had once seen a rainbow and still talked about it.",
                    "cloud": f"{c.name} saw a cloud that looked like a rabbit.",
                    "star": f"{c.name} liked to count the stars at night."}[w]
        if w in ("rain", "storm", "wind", "snow"):
            return {"rain": f"{c.name} liked the sound of the rain on the window.",
                    "storm": f"{c.name} did not like the loud storms at night.",
                    "wind": f"The wind was blowing the leaves around {c.name}.", "snow": f"{c.name} liked to play in the snow."}[w]
        return f"{c.name} stopped to look at the {w if n.get('mass') or True else w}."
    if n.get("mass"):
        if w in _INGREDIENTS:
            cook = st.nm(st.grownup) if st.known(st.grownup) else f"{c.p} family"
            return f"That evening, {cook} used some {w} to make dinner, and {c.name} helped."
        return st.pick(f"At dinner, {c.name} had some {w}.", f"That evening, {c.name} had some {w} with dinner.") if k == "food" else f"{c.name} saw some {w}."
    # a thing the plot had no place for comes at the end of the day, as the grown-up's surprise, for
    # a reason from the story (not "also had a spaceship in his bag", unrelated to anything else)
    from storylab.world import frame

    return frame.gift(st, a(w))


def _day_place(plan) -> str:
    """Where the plot took the hero that day: the shop, the outing's or the rescue's place, or home's."""
    return getattr(plan, "shop", None) or getattr(plan, "dest", None) or getattr(plan, "where", None) or plan.home


def _pretend(st, w: str, pl: str) -> str:
    """An animal that is not where the story went, in a game at that place: 'At the park, Mia hopped
    like a kangaroo, and Tom laughed.' (what it can do or says, from the knowledge base)."""
    plan, c, rng = st.flags.get("plan"), st.main, st.rng
    if plan is None or not st.known(st.grownup):
        return ""
    f = plan.companion
    W = f.name if f is not None and st.known(f) else st.parent_title
    place = _day_place(plan)
    if not W[:1].isupper() or place not in st.w.coords:
        return ""
    L = st.place_mark(place)
    K = facts.K
    if w in K.rel["cry"].facts and rng.random() < 0.5:
        return f"At the {L}, {c.name} {facts.vf(K.main('cry', w), 'past')} like {a(w)}, and {W} laughed."
    if w in K.rel["can"].facts:
        return f"At the {L}, {c.name} pretended to {rng.choice(K.values('can', w))} like {a(w)}."
    return f"At the {L}, {c.name} and {W} pretended to be {pl}."


_PRED = {"ready": "{N} was ready to go.", "awake": "{N} was still awake.", "asleep": "Soon, {N} was fast asleep.",
         "alone": "{N} did not like to be alone.", "fine": "{N} said that {s} was fine.",
         "well": "{N} did not feel well.", "hurt": "{N} was not hurt.", "glad": "{N} was glad.",
         "afraid": "{N} was a little afraid.", "sorry": "{N} was sorry.", "alive": "For {N}, the little plant was alive.",
         "easy": "It was not easy, but {N} did not give up.", "difficult": "It was difficult, but {N} did not give up.",
         "simple": "{N} had a simple plan for the next day.", "early": "{N} wanted to get up early the next day.",
         "fun": "For {N}, it was fun.", "great": "For {N}, it was a great day.", "wonderful": "For {N}, it was a wonderful day.",
         "amazing": "For {N}, it was an amazing day.", "perfect": "For {N}, it was a perfect day.",
         "different": "For {N}, this day was different.", "same": "For {N}, every day was the same.",
         "real": "For {N}, it was a real adventure.", "important": "For {N}, it was an important day.",
         "free": "That day, {N} was free to play."}


_FOOD_ADJ = {"fresh", "yummy", "tasty", "juicy", "sweet", "crunchy", "big", "little", "small", "ripe", "soft", "round",
             "warm", "hot", "cold", "sour", "salty", "delicious", "spicy", "sticky", "huge", "tiny", "giant", "creamy",
             "crispy", "healthy", "red", "green", "yellow", "orange", "brown", "white", "purple"}


_MASS_OK = doings.MASS_ADJ | {"cold", "warm", "hot", "sour", "salty", "spicy", "sticky", "wet", "dry", "muddy"}


def adjective_sentence(st, adj: dict) -> str:
    """A sentence for the seed adjective, with a noun it fits."""
    c, w = st.main, adj["word"]
    fill = {"N": c.name, "s": c.s, "o": c.o, "p": c.p}
    when = st.pick("", "", "That evening, ", "By then, ", "At the end of the day, ", "After all that, ", "Later, ")
    if w in _PRED:
        t = _PRED[w].format(**fill)
        return when + t if when and t.startswith(c.name) else t
    cls = adj["class"]
    if cls == "feeling":
        from storylab.world import frame

        t = frame.end_feeling(st, w)
        if t:
            return t
        if w in NEG_FEEL and "BadEnding" not in st.f:
            return f"For a while, {c.name} had felt {w}, but not anymore."
        return f"{when}{c.name} felt {w}."
    if w in ("grassy", "sandy", "rocky", "muddy", "icy", "bumpy"):
        return f"The path back to {c.name}'s house was {w}."
    if cls == "trait":
        return st.pick(f"{c.name} was very {w}.", f"Everyone said that {c.name} was {w}.")
    if cls == "weather":  # the story's weather is the state's: a different one is a liking, not a fact
        return f"It was {a(w)} day." if st.state.weather == w else f"{c.name} liked {w} days the most."
    nouns = [n for n in st.w.scene_nouns.get(w, []) if st.w.portable(n) and "meal" not in n["attrs"]] or \
        [n for n in st.w.adj_nouns.get(w, []) if n["kind"] not in ("body", "event", "person") and "meal" not in n["attrs"]
         and (n["kind"] != "place" or cls == "place") and n["word"] not in ("wind", "sun", "moon", "sky", "storm")] or \
        [st.w.vocab.noun["ball"]]
    if w not in _FOOD_ADJ:  # not "a heavy lollipop" at dinner
        nouns = [n for n in nouns if n["kind"] != "food"] or [st.w.vocab.noun["ball"]]
    if w not in _MASS_OK:  # not "some big milk", "some blue sand"
        nouns = [n for n in nouns if not n.get("mass")] or [st.w.vocab.noun["ball"]]
    n = st.rng.choice(nouns)
    done = _handled(st, n, w)
    if done:
        return done
    if n.get("mass"):
        return f"{c.name} saw some {w} {n['word']} on the way."
    if n["kind"] == "place" or not st.w.portable(n):
        return f"The {n['word']} was very {w}." if n["kind"] == "place" else f"On the way, {c.name} saw {a(w + ' ' + n['word'])}."
    return st.pick(f"On the way, {c.name} saw {a(w + ' ' + n['word'])}.",
                   f"{c.name} found {a(w + ' ' + n['word'])} and showed it to {st.parent}.")


def _handled(st, n: dict, w: str) -> str | None:
    """The seed adjective on a thing the end of the day really brings: a stone found on the way home,
    the food at dinner, a toy played with at home."""
    rng, c, k = st.rng, st.main, n["kind"]
    np = f"some {w} {n['word']}" if n.get("mass") else a(f"{w} {n['word']}")
    out = st.state.went_out(c.name)
    if k == "nature" and not n.get("mass") and st.w.portable(n) and out:
        return rng.choice((f"On the way home, {c.name} found {np} and took it home.",
                           f"On the way home, {c.name} picked up {np}."))
    if k == "food":
        if n.get("mass"):  # milk, soup, juice: had, not ate
            return rng.choice((f"At dinner, {c.name} had {np}.", f"That evening, {c.name} had {np} with dinner."))
        return rng.choice((f"At dinner, {c.name} ate {np}.", f"That evening, {c.name} had {np} for dinner."))
    if k == "toy":
        return rng.choice(((f"Back at home, {c.name} played with {np}.",) if out else ()) +
                          (f"That evening, {c.name} played with {np}.",))
    return None


# --- seed verbs that do not suit the hero -----------------------------------------------------------
# Some verbs are what an animal or a thing does (a girl does not love to bark or to sparkle), or what
# happens to one rather than what one chooses (nobody loves to sneeze). A hero who cannot do the verb
# watches or hears someone who can; a verb that happens to you happens once, in the morning.
ANIMAL_VERBS = {"bark": ("dog", "puppy"), "meow": ("cat", "kitten"), "quack": ("duck",), "roar": ("lion", "tiger"),
                "chirp": ("bird", "robin"), "growl": ("bear", "dog"), "purr": ("cat", "kitten"),
                "howl": ("wolf", "dog"), "buzz": ("bee",), "flap": ("bird", "duck", "owl", "robin"),
                "wag": ("dog", "puppy")}
_HEARD = {"bark", "meow", "quack", "roar", "chirp", "growl", "purr", "howl", "buzz"}
_OWN = {"flap": "their wings", "wag": "their tails"}
THING_VERBS = {"glow": "the stars", "sparkle": "the water", "twinkle": "the stars", "bloom": "the flowers",
               "melt": "the butter", "zoom": "the cars", "grow": "the flowers", "fall": "the leaves"}
_THING_TAIL = {"glow": " at night", "sparkle": " in the sun", "twinkle": " at night", "bloom": " in the garden",
               "melt": " in the hot pan", "zoom": " by", "grow": " in the garden", "fall": " from the trees"}
HAPPENS = {
    "sneeze": "Every time {N} smelled a flower, {s} sneezed, and it made {o} laugh.",
    "cough": "{N} had a little cough that morning, but {s} felt fine.",
    "yawn": "{N} yawned and rubbed {p} eyes, because {s} had gotten up so early.",
    "shiver": "{N} shivered a little when {s} got out of bed.",
    "bump": "{N} bumped {p} knee on the bed, but it did not hurt for long.",
    "spill": "At breakfast, {N} spilled some milk on the table and had to clean it up.",
    "break": "{N} was always careful not to break {p} things.",
    "tear": "{N} was always careful not to tear {p} books.",
    "frown": "{N} never frowned for long.",
    "sigh": "{N} sighed, because {s} wanted to go out and play.",
    "blink": "{N} blinked in the bright morning light.",
    "cry": "{N} did not cry often, but that morning {s} had a bad dream and cried a little.",
}


def hero_can(st) -> bool:
    """Whether the hero can be the one who does the seed verb (and love to do it)."""
    v, c = st.verb["word"], st.hero
    if v in ANIMAL_VERBS:
        return c.kind in ANIMAL_VERBS[v]
    return v not in THING_VERBS and v not in HAPPENS


def other_doer_sentence(st) -> str:
    """The seed verb done by what can do it, in a sentence about the hero (for a hero who cannot)."""
    v, c = st.verb, st.hero
    fill = {"N": c.name, "s": c.s, "o": c.o, "p": c.p, "P": st.parent_title}
    w = v["word"]
    if w in HAPPENS:
        return HAPPENS[w].format(**fill)
    if w in ANIMAL_VERBS:
        who = st.w.vocab.noun[ANIMAL_VERBS[w][0]]["plural"]
        own = f" {_OWN[w]}" if w in _OWN else ""
        sense = "hear" if w in _HEARD else "watch"
        return st.pick(f"{c.name} loved to {sense} the {who} {w}{own}.",
                       f"{c.name} loved the sound of {v['ing']} {who}." if w in _HEARD else
                       f"{c.name} loved to look at the {who} {v['ing']}{own}.",
                       f"Nothing made {c.name} as happy as the sound of {who} that {w}." if w in _HEARD else
                       f"Nothing made {c.name} as happy as watching {who} {w}{own}.",
                       f"{c.name} liked to sit outside and {sense} the {who} {w}{own}.")
    what, tail = THING_VERBS[w], _THING_TAIL[w]
    return st.pick(f"{c.name} loved to watch {what} {w}{tail}.",
                   f"{c.name} loved to look at {what.replace('the ', 'the ' + v['ing'] + ' ', 1)}{tail}.",
                   f"{c.name} could sit for hours and watch {what} {w}{tail}.")


def other_doer_late(st) -> str:
    """A later sentence with the seed verb's other forms, its doer not the hero."""
    v, c = st.verb, st.hero
    w = v["word"]
    if w in HAPPENS:
        return ""
    if w in ANIMAL_VERBS:
        one = st.w.vocab.noun[ANIMAL_VERBS[w][0]]
        own = {"flap": " its wings", "wag": " its tail"}.get(w, "")
        when = "On the way home" if st.state.went_out(c.name) else "Outside the window"
        if not st.known(st.grownup):
            return f"{when}, {a(one['word'])} {v['past']}{own} at {c.name}."
        return st.pick(f"{when}, {a(one['word'])} {v['past']}{own} at {c.name}.",
                       f"{st.nm(st.grownup)} told {c.name} that {a(one['word'])} {v['third']}{own} when it is happy.")
    what, tail = THING_VERBS[w], _THING_TAIL[w]
    return f"That evening, {c.name} watched {what} {w}{tail} once more."
