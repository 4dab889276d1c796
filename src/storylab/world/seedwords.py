"""The seed noun and adjective, in a sentence of their own, when the plot had no place for them.

The plot uses the seed words where they fit (the noun as the destination, the animal met,
the food made, the helper; the adjective as a trait, a feeling, the weather or the
item's look). These tables are the fallback, by what kind of word it is.
"""

from __future__ import annotations

import re

from storylab.world import doings, facts
from storylab.world.model import FAMILY
from storylab.world.text import FIXED, a, article, words_of

NEG_FEEL = ["sad", "scared", "angry", "mad", "upset", "worried", "lonely", "grumpy", "jealous", "nervous", "bored",
            "afraid", "sorry", "surprised"]

# --- seed words that the plot had no natural place for -------------------------------------------

# the seed noun at the end of the story's day, at home (lines tied to the place the plot went to are `_DAY`'s):
# not a habit or a memory that has nothing to do with the day ("Last summer, Tom went on a trip to the sea")
_EVENT = {
    "game": "After dinner, {N} and {P} played a game of cards.", "song": "Before bed, {P} sang {N} a happy song.",
    "story": "That night, {P} read {N} a story.", "party": "At dinner, {N} talked about the party {s} was going to soon.",
    "picnic": "That evening, {N} and {P} had a little picnic on the floor of the living room.",
    "race": "Before dinner, {N} had a race with {P} to the door, and {N} won.",
    "dream": "That night, {N} had a funny dream about the day.", "wish": "That night, {N} saw the first star and made a wish.",
    "surprise": "That evening, {P} had a surprise for {N}: a new book.", "idea": "At dinner, {N} had an idea for the next day.",
    "plan": "Before bed, {N} made a plan for the next day.", "trip": "At dinner, {N} and {P} talked about a trip to the sea.",
    "nap": "After all that, {N} took a little nap on the couch.", "hug": "{P} gave {N} a big hug.",
    "smile": "{N} had a big smile all evening.", "word": "That evening, {N} told {P} a new word {s} had learned that day.",
    "name": "That evening, {N} wrote {p} name on a picture of the day.",
    "birthday": "At dinner, {N} asked {P} how long it was until {p} birthday.",
    "prize": "That evening, {N} drew a picture of the day, and {P} said it should win a prize.",
    "treasure": "After dinner, {N} played that {s} was looking for treasure under the bed.",
    "secret": "That night, {N} told {P} a secret about the day.", "adventure": "That night, {N} dreamed of a big adventure.",
    "question": "At dinner, {N} had a question for {P}: when could they do it all again?",
    "lesson": "That evening, {N} had a music lesson with {P}.", "job": "Before dinner, {N} did {p} job: {s} fed the cat.",
    "joke": "At dinner, {P} told {N} a funny joke.", "trick": "After dinner, {N} showed {P} a trick with a ball.",
    "fun": "{N} had so much fun that day.", "music": "After dinner, {N} danced to the music on the radio.",
    "noise": "That evening, {N} heard a noise in the kitchen, but it was only the cat.",
    "sound": "That night, {N} listened to the sound of the wind by the window.",
    "color": "That evening, {N} drew the day in {p} favorite color.", "shape": "That evening, {N} drew every shape {s} knew.",
    "circle": "That evening, {N} drew a big circle and put the day in it.",
    "square": "That evening, {N} drew a square and a star.", "heart": "That evening, {N} drew a red heart for {P}.",
    "day": "For {N}, it had been a good day.", "walk": "After dinner, {N} and {P} went for a short walk.",
    "bath": "That evening, {N} took a bath, and the water was warm.", "show": "After dinner, {N} watched a show with {P}.",
    "mistake": "At dinner, {N} made a mistake and spilled some water, but that was okay.",
    "choice": "At dinner, {N} had to make a choice: soup or rice.",
    "problem": "That evening, {N} had a small problem: one shoe was gone, but {P} found it under the bed.",
    "piece": "After dinner, {P} gave {N} a piece of cake.", "breath": "{N} took a deep breath and smiled about the day.",
    "tag": "Before dinner, {N} played tag with {P} in the yard.",
    "shadow": "That evening, {N} made a shadow of a bird on the wall with {p} hands.",
    "hour": "After dinner, {N} and {P} read for an hour.", "food": "At dinner, {N} ate all {p} food.",
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
         "needle": "{P} said that a needle is sharp.", "breakfast": "The next morning, {N} ate breakfast with {P}.",
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
        f = _friend(st, plan)
        place = _day_place(plan)
        fill["W"] = f.name if f is not None and st.known(f) else st.parent_title
        if fill["W"][:1].isupper() and place in st.w.coords:
            fill["L"] = st.place_mark(place)
            return _DAY[w].format(**fill)
    t = _in_day(st, n, fill) if w not in _EVENT else ""  # (its thing used in the day, before a line of its own)
    if t:
        return t
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
            return f"At the {P}, {c.name} stopped to watch {a(w)}." + tail if sound else \
                f"Near the {P}, {c.name} saw {a(w)} and watched it for a while."
        if n in st.w.scene_animals(st.place):  # one that lives around here: met on the way home
            return st.pick(f"On the way home, {c.name} saw {a(w)} and waved at it.",
                           f"Near the {P}, {c.name} saw {a(w)} and stopped to watch it.") if st.state.went_out(c.name) \
                else f"From the window, {c.name} saw {a(w)} and waved at it."

        return _pretend(st, w, pl) or st.pick(f"{c.name} had a book about {pl} and looked at it every night.",
                                               f"{c.name}'s favorite animal was the {w}.")
    if k == "person":
        if w in ("sister", "brother", "baby"):  # (not "came too" after the day was over)
            return _in_story_day(st, ("Back at home, {N} told {p} little {w} all about the {L}.",
                                      "That evening, {N} played with {p} little {w}."),
                                 dict(fill, w=w if w != "baby" else "baby brother"))
        if w in ("fairy", "ghost", "monster", "giant", "pirate", "dragon", "king", "queen", "prince", "princess"):
            return f"After dinner, {c.name} played that {c.s} was {a(w)} and made {st.parent_title} laugh."
        if w == "people" or w == "person":
            return f"There were many people at the {P}."
        return f"At the {P}, {c.name} {st.pick('waved to', 'said hello to', 'smiled at', 'met')} {a(w)}."
    if k == "place":
        if w in ("room", "kitchen", "yard", "classroom", "house"):
            return f"Before they left, {c.name} helped to clean the {w}."
        if w in ("town", "village", "city"):
            return f"{c.name} lived in a small {w}."
        if w in ("street", "road", "path"):
            return f"{c.name} and {st.parent_title} walked down the {w} together."
        if w in ("jungle", "ocean", "island"):  # (a game at the day's place, not "liked to read books about")
            plan = st.flags.get("plan")
            out = plan is not None and st.w.place_outdoor.get(_day_place(plan))  # (bushes, puddles, rocks)
            return _in_story_day(st, _PLAY_PLACE[w] * bool(out) + (f"That night, {{P}} read {{N}} a story about the {w}.",),
                                 fill)
        if w == "home":
            return f"{c.name} was glad to be back home." if st.state.went_out(c.name) else \
                f"{c.name} was happy to be at home that day."
        return _in_story_day(st, ("On the way to the {L}, {N} and {W} walked past the {w}.",
                                  "On the way home from the {L}, {N} saw the {w}.",
                                  "That day, {N} went by the {w}."), dict(fill, w=w))
    if k == "vehicle":
        return f"On the way, {c.name} saw {a('big ' + w)}."
    if k == "body":
        if w in ("tail", "wing", "paw"):
            return {"wing": f"At the {P}, {c.name} watched a little bird flap its wings.",  # (not a hurt one left there)
                    "paw": f"At the {P}, a friendly puppy put its paw on {c.name}'s knee.",
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
        if w in _SKY:
            snow = "snowy" if w == "snow" and st.state.weather == "snowy" else ""
            grey = w == "sun" and st.state.weather in ("rainy", "stormy", "snowy", "foggy", "cloudy")
            return _in_story_day(st, _SKY[w + snow][:1] if grey else _SKY[w + snow], fill)
        if w.startswith("snow") and st.state.weather != "snowy":  # (not a snowman on the way home in summer)
            v = {"snowman": "make", "snowball": "throw", "snowflake": "catch"}.get(w, "see")
            return _in_story_day(st, _NO_SNOW, dict(fill, A=a(w), v=v))
        if st.state.went_out(c.name):  # (a moment of that day)
            return _in_story_day(st, _NATURE_SEEN, dict(fill, A=a(w)))
        return f"From the window, {c.name} {st.pick('looked at', 'pointed at')} {a(w)}."
    if n.get("mass"):
        if w in _INGREDIENTS:
            cook = st.nm(st.grownup) if st.known(st.grownup) else f"{c.p} family"
            return f"That evening, {cook} used some {w} to make dinner, and {c.name} helped."
        if k == "food":
            return _in_story_day(st, ("At dinner, {N} had some {w}.", "That evening, {N} had some {w} with dinner.",
                                      "After the {L}, {P} gave {N} some {w}."), dict(fill, w=w))
        return f"{c.name} saw some {w}."
    # a thing the plot had no place for comes at the end of the day, as the grown-up's surprise, for
    # a reason from the story (not "also had a spaceship in his bag", unrelated to anything else)
    from storylab.world import frame

    if w in _PAIR:  # "new sandals", not "a sandal"
        return frame.gift(st, f"new {st.w.vocab.noun[w]['plural']}")
    return frame.gift(st, a(w))


_PLAY_PLACE = {"jungle": ("At the {L}, {N} and {W} played that the bushes were a jungle.",),
               "ocean": ("At the {L}, {N} and {W} played that a big puddle was the ocean.",),
               "island": ("At the {L}, {N} and {W} played that a big rock was an island.",)}
# the sky and the weather, liked or seen that day ("snowsnowy": snow on a snowy day)
_SKY = {
    "sun": ("{N} liked it best when the sun was shining.", "That evening, {N} watched the sun go down.",
            "Back from the {L}, {N} and {W} watched the sun go down."),
    "moon": ("That night, {N} looked at the moon from {p} window.", "On the way back from the {L}, {N} saw the moon come up.",
             "That night, the moon was big and round, and {N} waved at it."),
    "sky": ("That evening, {N} looked up at the sky for a long time.", "At the {L}, {N} lay on {p} back and looked up at the sky.",
            "On the way back, {N} and {W} looked up at the sky."),
    "rainbow": ("{N} had once seen a rainbow and still talked about it.", "That evening, {N} drew a rainbow for {P}.",
                "{N} told {W} about the rainbow {s} had once seen."),
    "cloud": ("{N} saw a cloud that looked like a rabbit.", "At the {L}, {N} and {W} looked for clouds that looked like animals.",
              "On the way back from the {L}, {N} saw a cloud that looked like a fish."),
    "star": ("That night, {N} counted the stars from {p} window.", "That night, {N} and {P} looked at the stars from the window.",
             "After the day at the {L}, {N} saw the first star in the sky and made a wish."),
    "rain": ("{N} liked the sound of the rain on the window.", "{N} hoped it would rain soon, so {s} could jump in puddles."),
    "storm": ("{N} did not like the loud storms at night.", "That night, {N} was glad that there was no storm."),
    "wind": ("The wind was blowing the leaves around {N}.", "At the {L}, the wind blew {N}'s hair all around.",
             "On the way back, the wind blew hard, and {N} held on to {W}."),
    "snow": ("That evening, {N} told {P} how much {s} wanted to play in the snow.", "{N} hoped for snow, so {s} could play in it with {W}."),
    "snowsnowy": ("{N} liked to play in the snow.", "At the {L}, {N} and {W} played in the snow."),
    "fire": ("That evening, {N} and {P} sat by a warm fire.",),
    "wave": ("At the {L}, {N} told {W} about the big waves at the sea.", "That night, {N} dreamed of big waves at the sea."),
}
# a snowman, a snowball, a snowflake on a day with no snow
_NO_SNOW = ("{N} hoped it would snow soon, so that {s} could {v} {A}.", "That evening, {N} drew {A} and hoped for snow.",
            "{N} told {W} that {s} wanted to {v} {A} when the winter came.",
            "At the {L}, {N} wished that {s} could {v} {A} there.")
# a thing of nature seen on the day's way home
_NATURE_SEEN = ("On the way home, {N} stopped to look at {A}.",
                "On the way back from the {L}, {N} and {W} stopped to look at {A}.",
                "Back from the {L}, {N} spotted {A} by the door and smiled.",
                "Just before they got home, {W} pointed at {A}, and {N} looked at it for a long time.",
                "Near the {L}, {N} saw {A} and showed it to {W}.",
                "{N} walked home slowly, because {s} wanted to look at {A} by the path.")


_PAIR = {"sandal", "shoe", "boot", "mitten", "sock", "glove", "slipper", "sneaker"}


# the seed noun in the evening after the story's day, at home, used as one uses it (not "Mom had a
# comb for Emily" or "Jill had a tent in the yard")
_HOME_USE = {
    "comb": "Before bed, {P} combed {N}'s hair with a little comb.",
    "brush": "Before bed, {P} brushed {N}'s hair with a soft brush.",
    "toothbrush": "Before bed, {N} brushed {p} teeth with {p} new toothbrush.",
    "phone": "That evening, {P} called {R} on the phone, and {N} told {R} all about {D}.",
    "radio": "After dinner, {N} and {P} listened to music on the radio.",
    "candle": "At dinner, {P} put a little candle on the table.",
    "pan": "That evening, {P} made eggs in a big pan, and {N} watched.",
    "pot": "That evening, {P} made soup in a big pot, and {N} helped to stir it.",
    "fork": "At dinner, {N} ate {p} food with a little fork.", "spoon": "At dinner, {N} ate soup with a big spoon.",
    "knife": "At dinner, {P} cut the bread with a knife, and {N} watched from far away.",
    "scissors": "That evening, {N} cut out a paper star with the scissors, very carefully.",
    "needle": "That evening, {P} sewed a button back on {N}'s coat with a needle.",
    "button": "That evening, {P} sewed a new button on {N}'s coat.",
    "oven": "That evening, {P} put some bread in the oven for dinner.",
    "stove": "That evening, {P} made soup on the stove, and {N} helped.",
    "fridge": "When they were back home, {N} got some cold milk from the fridge.",
    "light": "When it got dark, {N} turned on the light in {p} room.",
    "lamp": "Before bed, {N} read a book by the lamp.", "fan": "That night, the fan hummed softly in {N}'s room.",
    "soap": "Before dinner, {N} washed {p} hands with soap and warm water.",
    "towel": "Before bed, {N} had a bath, and {P} wrapped {o} in a big towel.",
    "tape": "That evening, {N} used some tape to put a picture of {D} on the wall.",
    "glue": "That evening, {N} used some glue to make a card for {P}.",
    "paint": "That evening, {N} used some paint to make a picture of {D}.",
    "pencil": "That evening, {N} drew a picture of {D} with a pencil.",
    "crayon": "That evening, {N} drew a picture of {D} with a red crayon.",
    "pen": "That evening, {N} wrote {p} name on a card with a pen.",
    "paper": "That evening, {N} drew a picture of {D} on a big piece of paper.",
    "clock": "When the clock said eight, it was time for bed.",
    "mirror": "Before bed, {N} made a funny face in the mirror.",
    "bed": "That night, {N} was so tired that {s} fell asleep as soon as {s} got into bed.",
    "pillow": "That night, {N} put {p} head on the pillow and fell asleep.",
    "blanket": "That night, {P} put a warm blanket over {N}.",
    "rug": "After dinner, {N} sat on the rug and played.", "couch": "After dinner, {N} sat on the couch with {P}.",
    "chair": "At dinner, {N} sat on {p} little chair.", "table": "At dinner, {N} sat at the table next to {P}.",
    "door": "When they got home, {N} ran to open the door.", "window": "That night, {N} looked out of the window.",
    "sink": "After dinner, {N} helped to wash the cups in the sink.", "wall": "{N} put a picture of {D} on the wall.",
    "floor": "After dinner, {N} sat on the floor and played.", "cup": "At dinner, {N} had a cup of warm milk.",
    "plate": "At dinner, {N} ate everything on {p} plate.", "bowl": "At dinner, {N} ate a big bowl of soup.",
    "bottle": "When they got home, {N} drank a whole bottle of water.", "jar": "After dinner, {P} opened a jar of jam.",
    "book": "That night, {P} read {N} a book before bed.", "letter": "That evening, {N} wrote a letter to {R} about {D}.",
    "card": "That evening, {N} made a card for {P}.", "picture": "That evening, {N} drew a picture of {D}.",
    "drawing": "That evening, {N} made a drawing of {D}.", "photo": "That evening, {P} showed {N} a photo of {D}.",
    "bandage": "That evening, {P} put a bandage on a little scratch on {N}'s knee.",
    "medicine": "{N} did not need any medicine, because {s} felt fine.",
    "key": "When they got home, {P} opened the door with a big key.",
    "bag": "When they got home, {N} put {p} bag by the door.", "basket": "When they got home, {N} put the basket on the table.",
    "box": "That evening, {N} put {p} toys back in their box.", "toy": "Before bed, {N} put all {p} toys away.", "shelf": "That evening, {N} put {p} books back on the shelf.",
    "broom": "After dinner, {N} helped {P} sweep the floor with a broom.",
    "bucket": "Back at home, {N} helped {P} fill a bucket with water for the plants.",
    "umbrella": "When they got home, {N} put the umbrella by the door.",
    "flashlight": "That night, {N} read a book under the blanket with a flashlight.",
    "bell": "When they got home, {N} rang the bell by the door.", "fence": "Back at home, {N} sat on the fence by the yard.",
    "ladder": "Back at home, {N} held the ladder while {P} picked apples from the tree.",
    "tent": "After dinner, {N} made a little tent of blankets in {p} room.",
    "coin": "That evening, {N} put a coin in a little box for the next trip.", "money": "That evening, {N} put some money in a little box for the next trip.",
    "ring": "That evening, {P} showed {N} an old ring that was once {R}'s.",
    "necklace": "That evening, {P} let {N} try on a pretty necklace.",
    "vase": "When they got home, {N} put some flowers in a vase.", "present": "That evening, {N} made a present for {P}.",
    "gift": "That evening, {N} made a little gift for {P}.", "note": "That evening, {N} wrote a note to say thank you.",
    "ticket": "That evening, {N} kept {p} ticket from {D} in a little box.",
    "wheel": "Back at home, {P} fixed the wheel on {N}'s bike.", "bench": "Back at home, {N} sat on the bench by the door.",
    "wool": "That evening, {P} made {N} a warm hat of soft wool.", "gum": "Back at home, {P} gave {N} a piece of gum.",
    "rope": "Back at home, {N} jumped rope in the yard.", "swing": "Back at home, {N} played on the swing in the yard.",
    "bubble": "After dinner, {N} blew a big bubble in the yard.", "slide": "Back at home, {N} went down the little slide in the yard.",
    "stick": "On the way home, {N} found a long stick.", "rake": "Back at home, {N} helped {P} rake the leaves in the yard.",
    "shovel": "Back at home, {N} helped {P} dig in the garden with a little shovel.",
    "net": "Back at home, {N} caught a butterfly with a net and let it go.",
}
_PRETEND = {"fairy", "ghost", "monster", "giant", "pirate", "dragon", "king", "queen", "prince", "princess", "wizard",
            "witch", "knight", "superhero", "robot", "astronaut", "unicorn"}
_GO_BY = {"van", "train", "bus", "truck", "car", "tractor", "bike", "plane", "helicopter", "taxi", "ambulance",
          "motorcycle", "scooter", "wagon"}


def _in_day(st, n: dict, fill: dict) -> str:
    """The seed noun in a line set in the story's day: at the place the hero went to, on the way home,
    or at home that evening, doing with it what one does with it ('' if this kind has no such line)."""
    c, w, k = st.main, n["word"], n["kind"]
    out = st.state.went_out(c.name)
    plan = st.flags.get("plan")
    place = _day_place(plan) if plan is not None and out else None
    L = place if place in st.w.coords else None  # (marked only where a line says it: meta's places have offsets)
    if w in _HOME_USE and (out or not _HOME_USE[w].startswith(("When they", "On the way"))):
        t = _HOME_USE[w]
        if out and t.startswith(_HOME_OPENERS) and "dinner" not in t and st.rng.random() < 0.7:
            rest = t.split(", ", 1)[1]  # ("Back from the zoo, "; "After feeding the ducks, " only before the hero)
            t = (day_opener(st, rest.startswith("{N}")) or t.split(", ", 1)[0] + ", ") + rest
        R = "Grandpa" if fill["P"] == "Grandma" else "Grandma"  # (not "Grandma called Grandma")
        D = "the day"
        if L and "{D}" in t:  # what the day was: the place, or who was there
            f = _friend(st, plan)
            D = st.rng.choice(("the day at the {L}", "the {L}") +
                              ((f"{f.name} at the {{L}}",) if f is not None and st.known(f) else ()))
            D = D.format(L=st.place_mark(L))
        t = t.format(D=D, R=R, **fill)
        return t if out else t.replace("Back at home, ", "Before dinner, ")
    if k == "food" and not n.get("mass") and "meal" not in n["attrs"]:
        snack = w != "lemon" and ({"fruit", "sweet"} & set(n["attrs"]) or w in _SNACKS)  # (not "a pumpkin for a snack")
        return _in_story_day(st, ("At dinner, {N} had {A}.", "After dinner, {N} ate {A}.") +
                             (("{P} gave {N} {A} for a snack.", "{N} was hungry after the {L} and ate {A}.",
                               "Back from the {L}, {N} and {W} shared {A}.") if snack else ()), dict(fill, A=a(w)))
    if k == "vehicle" and w in _GO_BY:
        return f"On the way home, {c.name} saw {a(w)} go by and waved." if out else \
            f"From the window, {c.name} saw {a(w)} go by and waved."
    if k == "body" and L and w not in ("tail", "wing", "paw", "hair"):
        return f"At the {st.place_mark(L)}, {c.name} {st.pick('got a little scratch on', 'got some mud on')} " \
               f"{c.p} {w}, but {c.s} did not mind."
    if k == "person" and w in _PRETEND and L and w not in ("king", "queen", "prince", "princess"):
        W = f.name if (f := _friend(st, plan)) else fill["P"]
        return f"At the {st.place_mark(L)}, {c.name} and {W} played that they were {st.w.vocab.noun[w]['plural']}."
    if k == "nature" and L and w in doings._NATURE_AT.get(L, ()):  # (a thing of nature that is at that place)
        return f"At the {st.place_mark(L)}, {c.name} stopped to look at {('the ' + w) if n.get('mass') else a(w)}."
    return ""



_HOME_OPENERS = ("That evening, ", "Back at home, ", "When they got home, ")


def _day_place(plan) -> str:
    """Where the plot took the hero that day: the shop, the outing's or the rescue's place, or home's."""
    return getattr(plan, "shop", None) or getattr(plan, "dest", None) or getattr(plan, "where", None) or plan.home


def _friend(st, plan):
    """The companion who was there that day, if they are still friends (not "Mia and Tom played tag" after
    a quarrel that was not made up)."""
    f = plan.companion
    return f if f is not None and st.known(f) and not st.flags.get("quarrel") else None


def _in_story_day(st, shapes: tuple, fill: dict) -> str:
    """One of `shapes` said with this story's day: {L} the place the plot went to, {W} who was there
    (the companion, or the named grown-up); shapes that need what this story does not have are left out."""
    plan, c = st.flags.get("plan"), st.main
    L = W = None
    if plan is not None and st.state.went_out(c.name):
        place = _day_place(plan)
        L = place if place != plan.home and place in st.w.coords else None
        f = _friend(st, plan)
        W = f.name if f else st.parent_title if st.known(st.grownup) else None
        W = W if W and W[:1].isupper() else None
    out = st.state.went_out(c.name)  # (nobody comes back home who never left)
    ok = [t for t in shapes if (L or "{L}" not in t) and (W or "{W}" not in t) and (out or not any(
        x in t for x in ("Back at home", "On the way home", "When they got home", "way back", "Back from")))]
    t = st.rng.choice(ok)
    return t.format(L=st.place_mark(L) if "{L}" in t else "", W=W or "", **fill)


def _pretend(st, w: str, pl: str) -> str:
    """An animal that is not where the story went, in a game at that place: 'At the park, Mia hopped
    like a kangaroo, and Tom laughed.' (what it can do or says, from the knowledge base)."""
    plan, c, rng = st.flags.get("plan"), st.main, st.rng
    if plan is None or not st.known(st.grownup):
        return ""
    f = _friend(st, plan)
    W = f.name if f else st.parent_title
    place = _day_place(plan)
    if not W[:1].isupper() or place not in st.w.coords:
        return ""
    L = st.place_mark(place)
    K = facts.K
    if w in K.rel["cry"].facts and rng.random() < 0.5:
        return f"At the {L}, {c.name} {facts.vf(K.main('cry', w), 'past')} like {a(w)}, and {W} laughed."
    if w in K.rel["can"].facts:
        return f"At the {L}, {c.name} pretended to {rng.choice(K.values('can', w))} like {a(w)}."
    return f"At the {L}, {c.name} and {W} {st.pick('pretended to be', 'played that they were', 'played at being')} {pl}."


# the seed adjective said of the hero or the day; a tuple: ways to say it, tied to this story's day ({L}, {W})
_PRED = {"ready": "{N} was ready to go.",
         "awake": ("That night, {N} lay awake for a while and thought about the {L}.",
                   "That night, {N} lay awake for a while and thought about the day."),
         "alone": ("At the {L}, {N} did not want to play alone, so {s} played with {W}.",
                   "{N} was glad not to be alone that day."), "fine": "{N} said that {s} was fine.",
         "well": ("That evening, {N} did not feel well, so {P} made {o} some warm tea.",),
         "hurt": ("{N} fell down at the {L}, but {s} was not hurt.", "{N} tripped on the rug that evening, but {s} was not hurt."),
         "glad": ("{N} was glad that {s} had gone to the {L}.", "{N} was glad about the day."),
         "afraid": ("That night, {N} was a little afraid of the dark, so {P} left the light on.",
                    "At the {L}, {N} was a little afraid of a big dog, but {W} said it was friendly."),
         "high": ("At the {L}, {N} climbed up a high rock, and {W} held {p} hand.",
                  "That evening, {N} saw a bird on a high branch by the window."),
         "low": ("At the {L}, {N} sat on a low wall next to {W}.", "That evening, {N} sat on a low chair by the door."),
         "safe": ("That night, {N} was safe in bed, and {P} turned off the light.",
                  "At the {L}, {W} held {N}'s hand, so that {s} was safe."),
         "dangerous": ("On the way home from the {L}, {W} said that the road can be dangerous, so {N} held {p} hand.",
                       "At dinner, {P} said that the hot stove can be dangerous, so {N} stayed away from it."),
         "peaceful": ("The {L} was peaceful, and {N} did not want to leave.", "That evening, {N}'s house was quiet and peaceful."),
         "far": ("The {L} was far from home, so {N} was tired when they got back.",
                 "That night, {N} looked at a star that was very far away."), "sorry": ("{N} was sorry that the day was over.", "{N} was sorry to leave the {L}."),
         "easy": "It was not easy, but {N} did not give up.", "difficult": "It was difficult, but {N} did not give up.",
         "simple": "{N} had a simple plan for the next day.", "early": "{N} wanted to get up early the next day.",
         "asleep": ("Soon, {N} was fast asleep.", "That night, {N} was asleep as soon as {s} got into bed.",
                    "After the long day at the {L}, {N} was soon fast asleep."),
         "alive": ("Near the {L}, {N} found a little snail, still alive, and put it back in the grass.",
                   "In the yard, {N} found a little snail, still alive, and put it back in the grass."),
         "different": ("For {N}, this day was different.", "The {L} looked different than {N} had thought.",
                       "For {N}, the day at the {L} was different from every other day."),
         "same": ("{N} wanted to do the same thing again soon.", "At the {L}, {N} and {W} liked the same games.",
                  "{N} hoped that every day could be the same."),
         "real": ("For {N}, it was a real adventure.", "For {N}, the trip to the {L} was a real adventure.",
                  "{N} told {W} that it felt like a real adventure."),
         "important": ("For {N}, it was an important day.", "{P} said that it had been an important day for {N}."),
         "free": ("That day, {N} was free to play.", "At the {L}, {N} was free to run and play.")}


# the seed adjective said of the whole day ("For Mia, it was a great day."), with where it was and who was there
_DAY_ADJ = {"great", "wonderful", "amazing", "perfect", "fun"}
_DAY_ADJ_SAID = ("For {N}, it was {A} day.", "The day at the {L} was {A} day for {N}.",
                 "On the way home from the {L}, {N} said, \"This was {A} day!\"",
                 "{N} and {W} agreed that it had been {A} day.",
                 "That night, {N} told {P} that the {L} was {w}.",
                 "{N} hugged {W} and said that the day had been {w}.")
# a bad feeling of the morning, gone by the end of the day
_NOT_ANYMORE = ("For a while, {N} had felt {w}, but not anymore.",
                "{N} had felt {w} that morning, but now {s} was smiling.",
                "By the time they left the {L}, {N} did not feel {w} at all.",
                "{N} had been {w} when the day began, but the {L} made {o} smile.",
                "Playing with {W} made {N} forget that {s} had been {w}.",
                "{N} was not {w} anymore, and {s} held {W}'s hand as they walked back.")
# the ground on the way back
_WAY_HOME = ("The path back to {N}'s house was {w}.", "{N} walked home on {A}.",
             "The road home was {w}, so {N} walked slowly.",
             "The way back from the {L} was {w}, so {N} held {W}'s hand.",
             "{N} and {W} walked home from the {L} on {A}.",
             "The path home was {w}, but {N} did not mind, because {s} was with {W}.")
# a weather that is not the story's: a liking, a hope
_OTHER_WEATHER = ("{N} liked {w} days the most.", "{N} hoped the next day would be {w}.",
                  "{N} liked {w} days best of all, but this one was good too.",
                  "{N} wanted to go back to the {L} on {A} day.",
                  "{W} said that the {L} is fun on {w} days too.",
                  "Walking back from the {L}, {N} said that {s} hoped for {A} day soon.")


_FOOD_ADJ = {"fresh", "yummy", "tasty", "juicy", "sweet", "crunchy", "big", "little", "small", "ripe", "soft", "round",
             "warm", "hot", "cold", "sour", "salty", "delicious", "spicy", "sticky", "huge", "tiny", "giant", "creamy",
             "crispy", "healthy", "red", "green", "yellow", "orange", "brown", "white", "purple"}


_MASS_OK = doings.MASS_ADJ | {"cold", "warm", "hot", "sour", "salty", "spicy", "sticky", "wet", "dry", "muddy"}


def adjective_sentence(st, adj: dict) -> str:
    """A sentence for the seed adjective, with a noun it fits."""
    c, w, rng = st.main, adj["word"], st.rng
    fill = {"N": c.name, "s": c.s, "o": c.o, "p": c.p}
    when = st.pick("", "", "That evening, ", "By then, ", "At the end of the day, ", "After all that, ", "Later, ")
    if w in _DAY_ADJ:
        return _in_story_day(st, _DAY_ADJ_SAID, dict(fill, A=a(w), w=w, P=st.parent_title))
    if w == "rotten":  # (not "a rotten ball": what is rotten is fruit, found on the day)
        return _in_story_day(st, ("Under a tree, {N} found a rotten apple, and {s} did not eat it.",
                                  "At dinner, {N} found a rotten grape in the bowl and put it away.",
                                  "Near the {L}, {N} saw a rotten apple on the ground, and {W} said not to touch it."), fill)
    if w in _PRED and not isinstance(_PRED[w], str):
        return _in_story_day(st, _PRED[w], dict(fill, P=st.parent_title))
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
            after = day_opener(st)
            if after and rng.random() < 0.3:
                return f"{after}{c.name} " + rng.choice((f"did not feel {w} anymore.", f"was no longer {w}."))
            return _in_story_day(st, _NOT_ANYMORE, dict(fill, w=w))
        return f"{when}{c.name} felt {w}."
    if w in ("grassy", "sandy", "rocky", "muddy", "icy", "bumpy"):
        if st.state.went_out(c.name):
            return _in_story_day(st, _WAY_HOME, dict(fill, w=w, A=a(w + " path")))
        return rng.choice((f"The path to {c.name}'s house was {w}.", f"The ground in {c.name}'s yard was {w}."))
    if cls == "trait":
        return st.pick(f"{c.name} was very {w}.", f"Everyone said that {c.name} was {w}.")
    if cls == "weather":  # the story's weather is the state's: a different one is a liking, not a fact
        return f"It was {a(w)} day." if st.state.weather == w else \
            _in_story_day(st, _OTHER_WEATHER[:3] + _OTHER_WEATHER[3 + (w in ("stormy", "foggy")) * 2:], dict(fill, w=w, A=a(w)))
    nouns = [n for n in st.w.scene_nouns.get(w, []) if st.w.portable(n) and "meal" not in n["attrs"]] or \
        [n for n in st.w.adj_nouns.get(w, []) if n["kind"] not in ("body", "event", "person") and "meal" not in n["attrs"]
         and (n["kind"] != "place" or cls == "place") and n["word"] not in ("wind", "sun", "moon", "sky", "storm")] or \
        [st.w.vocab.noun["ball"]]
    if w not in _FOOD_ADJ:  # not "a heavy lollipop" at dinner
        nouns = [n for n in nouns if n["kind"] != "food"] or [st.w.vocab.noun["ball"]]
    if w not in _MASS_OK:  # not "some big milk", "some blue sand"
        nouns = [n for n in nouns if not n.get("mass")] or [st.w.vocab.noun["ball"]]
    here = st.w.scene_animals(st.place)  # not "a dry bubble", nor "In the yard, she noticed a scary camel"
    nouns = [n for n in nouns if n["word"] != "bubble" and (n["kind"] != "animal" or n in here)] or \
        [st.w.vocab.noun["ball"]]
    n = st.rng.choice(nouns)
    done = _handled(st, n, w)
    if done:
        return done
    way = rng.choice(("On the way", "Walking home", "Later", "Before dinner", "On the road back") if st.state.went_out(c.name) else
                     ("From the window", "In the yard", "Later", "Before dinner"))
    saw = rng.choice(("saw", "spotted", "noticed"))
    if n.get("mass"):
        return f"{way}, {c.name} {saw} some {w} {n['word']}."
    if n["kind"] == "place" or not st.w.portable(n):
        return f"The {n['word']} was very {w}." if n["kind"] == "place" else f"{way}, {c.name} {saw} {a(w + ' ' + n['word'])}."
    return _in_story_day(st, _SEEN, {"N": c.name, "s": c.s, "A": a(w + " " + n["word"]), "P": st.parent, "way": way,
                                     "saw": saw})


# a thing the seed adjective fits, seen that day
_SEEN = ("{way}, {N} {saw} {A}.", "{N} found {A} and showed it to {P}.", "At the {L}, {N} {saw} {A}.",
         "Near the {L}, {W} showed {N} {A}.", "That evening, {N} told {P} about {A} {s} had seen at the {L}.")
_SNACKS = {"sandwich", "cracker", "nut", "peanut", "biscuit", "bun", "snack", "carrot"}
_MADE = {"soup", "rice", "pasta", "pudding", "tea", "cocoa", "porridge", "stew", "popcorn"}  # (made for dinner)
# a thing of nature the seed adjective fits, found that day
_FOUND = ("On the way home, {N} found {A} and took it home.", "Walking back with {W}, {N} picked up {A}.",
          "{N} {f} {A} by the path and {k} it.", "At the {L}, {N} found {A} and took it home for {P}.",
          "{W} helped {N} look for {A} near the {L}, and they found one.", "Near the {L}, {N} picked up {A} to show {P}.")
# a toy at home that evening
_TOY_HOME = ("Back at home, {N} played with {A}.", "That evening, {N} got out {A} and played until bed.",
             "Before bed, {N} and {P} took turns with {A}.", "While {P} made dinner, {N} sat on the floor with {A}.",
             "{N} was tired after the {L}, but not too tired for {A}.")


def day_opener(st, hero: bool = True) -> str:
    """'After the day at the lake, ', 'After baking muffins for Grandma, ': the end of the day, said
    with what this story's day was (a seed word's late line tied to the plot), or ''. `hero`: the sentence
    it opens is about the hero (else not what the hero did: not "After baking muffins, Dad made soup")."""
    from storylab.world import frame

    plan, c, rng = st.flags.get("plan"), st.main, st.rng
    if plan is None:
        return ""
    opts = []
    place = _day_place(plan)
    if st.state.went_out(c.name) and place != plan.home and place in st.w.coords:
        opts += ["After the day at the {L}, ", "Back from the {L}, ", "When they got home from the {L}, ",
                 "Home from the {L}, ", "At home after the {L}, "]
    rc = frame.recap(st, plan)
    if rc.fun and hero:  # (what the hero did: not before "Dad made soup")
        opts.append(f"After {frame.Recap.form(st, rng.choice(rc.fun), 'ing')}, ")
    if not opts or st.flags.get("day_opener"):  # (once a story: not "Home from the zoo, ..." twice in a row)
        return ""
    t = st.flags["day_opener"] = rng.choice(opts)
    return t.format(L=st.place_mark(place)) if "{L}" in t else t


_MENDED = {"wet": "made {A} dry with a towel", "dirty": "washed {A}", "muddy": "washed the mud off {A}",
           "sticky": "washed {A}", "broken": "fixed {A} with {P}"}


def _handled(st, n: dict, w: str) -> str | None:
    """The seed adjective on a thing the end of the day really brings: a stone found on the way home,
    the food at dinner, a toy played with at home."""
    rng, c, k = st.rng, st.main, n["kind"]
    np = f"some {w} {n['word']}" if n.get("mass") else a(f"{w} {n['word']}")
    out = st.state.went_out(c.name)
    if k == "nature" and not n.get("mass") and st.w.portable(n) and out:
        return _in_story_day(st, _FOUND, {"N": c.name, "s": c.s, "p": c.p, "P": st.parent_title, "A": np,
                                          "f": rng.choice(("found", "spotted")), "k": rng.choice(("kept", "took"))})
    N = c.name
    after = day_opener(st) if rng.random() < 0.6 else ""
    if k == "food":
        if n.get("mass"):  # milk, soup, juice: had, not ate
            if not after:
                G, nice = st.parent_title, w not in ("sour", "sticky", "salty", "wet", "dry", "muddy")
                return rng.choice((f"At dinner, {N} had {np}.", f"That evening, {N} had {np} with dinner.") +
                                  ((f"At dinner, {G} gave {N} {np}.",) if nice else ()) +
                                  ((f"{G} made {np} for dinner, and {N} had it all.",) if nice and n["word"] in _MADE else ()))
            return f"{after}{N} {rng.choice(('had', 'was given'))} {np}."
        if after:
            G = st.parent_title
            if st.known(st.grownup) and G[:1].isupper() and not after.startswith("When they") and rng.random() < 0.5:
                return f"{after}{N} {rng.choice(('shared', 'ate', 'had'))} {np} with {G}."
            return f"{after}{N} {rng.choice(('ate', 'was hungry and ate', 'had'))} {np}."
        snack = n["word"] != "lemon" and ({"fruit", "sweet"} & set(n["attrs"]) or n["word"] in _SNACKS)
        return _in_story_day(st, ("At dinner, {N} ate {A}.", "That evening, {N} had {A} for dinner.") +
                             (("After the {L}, {N} was hungry and had {A}.", "After the {L}, {N} shared {A} with {W}.")
                              if snack else ()), {"N": N, "A": np})
    if k == "toy" and st.w.portable(n) and n["word"] not in ("swing", "slide", "dollhouse"):
        if w in _MENDED:  # not "played with a wet crown": what one does with a toy that is so
            own = f"{c.p} {w} {n['word']}"  # ("washed his dirty kite")
            return f"{after or 'That evening, '}{N} {_MENDED[w].format(A=own, P=st.parent_title)}."
        if after:
            return f"{after}{N} {rng.choice(('played with', 'found', 'got out', 'played a game with'))} {np}."
        return _in_story_day(st, _TOY_HOME[not out:], {"N": N, "s": c.s, "P": st.parent_title, "A": np})
    return None


# --- seed verbs that do not suit the hero -----------------------------------------------------------
# Some verbs are what an animal or a thing does (a girl does not love to bark or to sparkle), or what
# happens to one rather than what one chooses (nobody loves to sneeze). A hero who cannot do the verb
# watches or hears someone who can; a verb that happens to you happens once, in the story's day.
ANIMAL_VERBS = {"bark": ("dog", "puppy"), "meow": ("cat", "kitten"), "quack": ("duck",), "roar": ("lion", "tiger"),
                "chirp": ("bird", "robin"), "growl": ("bear", "dog"), "purr": ("cat", "kitten"),
                "howl": ("wolf", "dog"), "buzz": ("bee",), "flap": ("bird", "duck", "owl", "robin"),
                "wag": ("dog", "puppy")}
# what happens to the hero, told where the seed words' lines go: at the end of the story's day ({L}: the place
# the plot went to, {W}: who was there; shapes without them for a day at home), not "At breakfast, ..." after dinner
HAPPENS = {
    "sneeze": ("At the {L}, {N} smelled a flower and sneezed, and {W} laughed.",
               "That evening, {N} sneezed twice, and {P} laughed."),
    "cough": ("{N} had a little cough that morning, but {s} felt fine.",
              "On the way back from the {L}, {N} coughed a little, and {W} gave {o} some water."),
    "yawn": ("{N} yawned and rubbed {p} eyes, because {s} had gotten up so early.",
             "On the way home from the {L}, {N} yawned and yawned.", "At dinner, {N} yawned, and {P} smiled."),
    "shiver": ("On the way home from the {L}, the wind was cold, and {N} shivered a little.",
               "After {p} bath that evening, {N} shivered a little until {P} gave {o} a warm towel."),
    "bump": ("At the {L}, {N} bumped {p} knee on a rock, but it did not hurt for long.",
             "That evening, {N} bumped {p} knee on the bed, but it did not hurt for long."),
    "spill": ("At dinner, {N} spilled some milk on the table and had to clean it up.",),
    "break": ("That evening, {N} put {p} toys away carefully, so that nothing would break.",),
    "tear": ("That evening, {N} read {p} book very carefully, so that it would not tear.",),
    "frown": ("When it was time to leave the {L}, {N} frowned, but only for a moment.",
              "Before bed, {N} frowned, but only until {P} read {o} a story."),
    "sigh": ("On the way back from the {L}, {N} sighed, because {s} wanted to stay longer.",
             "That evening, {N} sighed happily and thought about the day."),
    "blink": ("When {P} turned on the light that evening, {N} blinked.",
              "Back from the {L}, {N} blinked in the bright light of the kitchen."),
    "cry": ("{N} did not cry often, but that morning {s} had a bad dream and cried a little.",),
}
# a thing that does the seed verb, seen in the story's day (not "That evening, Tom watched the stars glow at
# night once more" with no first time)
THING_LATE = {
    "glow": ("That night, {N} watched the stars glow from {p} window.",
             "On the way back from the {L}, {N} and {W} watched the first stars glow."),
    "twinkle": ("That night, {N} watched the stars twinkle from {p} window.",
                "On the way back from the {L}, {N} and {W} saw the first stars twinkle."),
    "sparkle": ("At the {L}, {N} saw a little stone sparkle in the grass and showed it to {W}.",
                "That evening, {N} watched the water in {p} cup sparkle in the lamp light."),
    "bloom": ("At the {L}, {N} found a little flower that had just bloomed.",
              "That evening, {N} saw that a new flower had bloomed by the door."),
    "melt": ("That evening, {N} watched the butter melt in the hot pan while {P} made dinner.",),
    "zoom": ("On the way home from the {L}, {N} and {W} watched the cars zoom by.",
             "That evening, {N} watched the cars zoom by from the window."),
    "grow": ("That evening, {N} showed {P} how much the beans in the garden had grown.",
             "At the {L}, {W} showed {N} a little tree that was still growing."),
    "fall": ("At the {L}, {N} watched a leaf fall into the grass.",
             "That evening, {N} watched a leaf fall from the tree by the window."),
}


def hero_can(st) -> bool:
    """Whether the hero can be the one who does the seed verb (and love to do it)."""
    v, c = st.verb["word"], st.hero
    if v in ANIMAL_VERBS:
        return c.kind in ANIMAL_VERBS[v]
    return v not in THING_LATE and v not in HAPPENS


# the seed noun's plural at the end of the day (`Story.seed_forms`), only where those things can be:
# many of them in a house (not "counted all the fences in the house"), loved or in a picture book (not dinners,
# suns or storms), dirty after playing (not teeth or wings), passed on the way home (fences, benches)
_MANY_INDOORS = {"bag", "basket", "bell", "blanket", "book", "bottle", "bowl", "box", "brush", "button", "candle", "card",
                 "chair", "clock", "coin", "comb", "crayon", "cup", "door", "drawing", "fork", "jar", "key", "lamp",
                 "letter", "light", "mirror", "note", "pan", "pen", "pencil", "photo", "picture", "pillow", "plate", "pot",
                 "present", "gift", "shelf", "spoon", "towel", "vase", "window", "rug", "toothbrush"}
_PASSED = {"fence", "bench", "tent", "ladder", "umbrella", "wheel", "bucket", "rake", "shovel", "broom", "net", "lamp",
           "light", "door", "window"}
_NOT_LOVED = {"breakfast", "lunch", "dinner", "snack", "sun", "moon", "sky", "storm", "wind", "fire", "hole", "puddle",
              "hive", "web", "wave", "log", "bone"}
_DIRTY = {"hand", "foot", "knee", "face", "toe", "finger", "arm", "leg", "nose", "cheek"}


def plural_line(st) -> str:
    """The seed noun's plural in a line of its own at the end of the day, or "" where it has none."""
    n, c = st.noun, st.hero
    w, k, pl, out = n["word"], n["kind"], n["plural"], st.state.went_out(c.name)
    if k in ("toy", "food", "animal", "nature", "clothing", "vehicle") and w not in _NOT_LOVED:
        return st.pick(f"{c.name} loved {pl} more than anything.", f"{c.name} had a book with pictures of {pl} in it.")
    if w in _PASSED and out and st.rng.random() < 0.5:
        return f"On the way home, {c.name} counted all the {pl} {c.s} saw, one by one."
    if w in _MANY_INDOORS:
        return f"{c.name} counted all the {pl} in the house, one by one."
    if k == "person" and w not in FAMILY and w not in _PRETEND and out:
        return f"On the way home, {c.name} waved to some {pl}."
    if w in _DIRTY and out:
        return f"After the long day, {c.name} and {c.p} friends all had dirty {pl}."
    return ""


def other_doer_sentence(st) -> str:
    """The seed verb that happens to the hero (a sneeze, a yawn), in the story's day."""
    c = st.hero
    return _in_story_day(st, HAPPENS[st.verb["word"]], {"N": c.name, "s": c.s, "o": c.o, "p": c.p, "P": st.parent_title})


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
    return _in_story_day(st, THING_LATE[w], {"N": c.name, "s": c.s, "o": c.o, "p": c.p, "P": st.parent_title})


# --- the seed adjective on a thing the story already named ----------------------------------------
# Before a line of its own, the seed adjective goes onto the first bare mention of a thing it fits
# ("a rock" -> "a bumpy rock", "the hill" -> "the rocky hill"): the story's own noun, its own line.
# Not the adjectives of a moment (wet, empty, broken: the thing may be otherwise later in the story).
_MOMENT = frozenset(("cold", "hot", "warm", "cool", "wet", "dry", "sticky", "clean", "dirty", "broken", "new", "empty",
                     "full", "open", "closed", "loose", "rotten", "muddy", "icy", "noisy", "strange", "ugly",
                     "favorite", "special", "dangerous", "safe", "far", "light", "magic"))
_PLACE_ADJ = {"rocky": ("hill", "mountain", "beach", "river", "path", "cave"), "sandy": ("beach", "path"),
              "grassy": ("hill", "park", "field", "meadow", "garden"), "high": ("hill", "mountain"),
              "peaceful": ("lake", "pond", "meadow", "garden", "forest", "field", "river", "park", "beach")}
_NEXT = re.compile(r" (?:\x01\d+\x02)?([a-z]+)")  # the word after the noun: 'an orange bowl' is a bowl
_DET_RE = re.compile(r"\b(a|an|the|A|An|The)( (?:\x01\d+\x02)?)([a-z]+)\b")


_FITS: dict = {}  # seed adjective -> {noun form: noun} it may be put on


def place_adjective(st) -> bool:
    """Put the seed adjective before the first bare mention of a noun it fits, in a sentence already
    written (not one holding a skill's answer or fixed wording). True if it did."""
    adj, doc, v = st.adj, st.doc, st.w.vocab
    w = adj["word"]
    if not st.used_adj and w in _FEEL_OF:
        return _swap_feeling(st, w)
    if st.used_adj or adj.get("predicative_only") or adj["class"] not in ("thing", "any", "color", "place") \
            or w in _MOMENT:
        return False
    fits = _FITS.get(w)
    if fits is None:  # (once per adjective and process)
        fits = _FITS[w] = {}
        for n in st.w.adj_nouns.get(w, ()):
            k = n["kind"]
            if k in ("body", "event", "person") or n["word"] == w or (n.get("mass") and w not in _MASS_OK) \
                    or (k == "food" and w not in _FOOD_ADJ) or (k == "place") != (adj["class"] == "place") \
                    or (k == "place" and n["word"] not in _PLACE_ADJ.get(w, ())):
                continue
            fits[n["word"]] = n
            fits[n["plural"]] = n
    if not any(x in fits for x in doc.words):  # (no noun it fits in the story: nothing to scan)
        return False
    boxed = [b["item"] for b in st.meta.get("boxes") or ()]  # (a skill's wording: "the crown in the red box")
    for para in (*doc.paras, doc.cur):
        for i, t in enumerate(para):
            if FIXED in t or not any(x in fits for x in doc.toks.get(t) or words_of(t)) or doc._answers(t) \
                    or any(x in t for x in boxed):
                continue
            for m in _DET_RE.finditer(t):
                noun = m.group(3)
                n = fits.get(noun)
                nxt = _NEXT.match(t, m.end())
                if n is None or (nxt and nxt.group(1) in v.noun) or (noun == n["plural"] and m.group(1).lower() in ("a", "an")) or \
                        (n.get("mass") and m.group(1).lower() != "the"):
                    continue
                det = m.group(1)
                if det.lower() in ("a", "an"):
                    det = article(w)
                    det = det.capitalize() if m.group(1)[0].isupper() else det
                new = f"{t[:m.start()]}{det} {w}{m.group(2)}{t[m.start(3):]}"
                para[i] = new
                doc.toks[new] = toks = words_of(new)
                doc.words.update(toks)
                doc.nwords += 1
                st.used_adj = True
                return True
    return False


# a feeling the story already told, said with the seed word where it means the same ("was happy" ->
# "was glad"): only within these groups of near-synonyms
_FEEL_GROUPS = (("happy", "glad", "cheerful"), ("sad", "upset"), ("scared", "afraid", "nervous", "worried"),
                ("angry", "mad", "grumpy"), ("tired", "sleepy"))
_FEEL_OF = {w: g for g in _FEEL_GROUPS for w in g}
_FEEL_RE = {w: re.compile(rf"\b(was|felt|feel|feels|feeling|is|am|are|were|be) ((?:very |so |a little |a bit )?)"
                          rf"({'|'.join(x for x in g if x != w)})\b") for g in _FEEL_GROUPS for w in g}


def _swap_feeling(st, w: str) -> bool:
    """The first predicate feeling of `w`'s group in the story ('Mia was happy'), said as `w`."""
    doc = st.doc
    pat = _FEEL_RE[w]
    if not any(x in doc.words for x in _FEEL_OF[w] if x != w):
        return False
    for para in (*doc.paras, doc.cur):
        for i, t in enumerate(para):
            if FIXED in t or doc._answers(t):
                continue
            m = pat.search(t)
            if m is None:
                continue
            new = f"{t[:m.start(3)]}{w}{t[m.end(3):]}"
            para[i] = new
            doc.toks[new] = toks = words_of(new)
            doc.words.update(toks)
            st.used_adj = True
            return True
    return False
