"""Pieces the plot middles compose their beats from: each a small, independent choice.

A beat of a plot ("the eggs break on the way home", "the kitten is stuck in a tree") is
written as a combination of slots — who is named and how (a name, a pronoun, "Kim and
her dad", "they"), an opener, a clause frame, a verb, and concrete details drawn from
the plan and the world state (the thing the hero really holds and what one does with
it, the animals the knowledge base puts at this place, the day's weather, what lies
along the way). The slots vary independently, so one beat has dozens of surface forms
whose content words change with the story, rather than a few fixed sentences.
"""

from __future__ import annotations

from storylab.world.model import FAMILY
from storylab.world.text import a, join_and

# what one does with each toy (head verb + rest; {o} is the toy's noun phrase)
PLAY = {"ball": ("kick {o}", "throw {o}", "bounce {o}", "roll {o}", "play catch with {o}", "play with {o}"),
        "kite": ("fly {o}", "fly {o}", "run with {o}", "hold {o} up high"),
        "doll": ("hug {o}", "play with {o}", "brush {o}'s hair", "sing to {o}", "carry {o} around"),
        "teddy": ("hug {o}", "play with {o}", "squeeze {o}", "sing to {o}", "carry {o} around", "pat {o}"),
        "block": ("stack {o}", "build a tower with {o}", "play with {o}"),
        "puzzle": ("do {o}", "put together {o}", "play with {o}"),
        "balloon": ("bounce {o}", "chase {o}", "play with {o}", "hold {o} up high", "kick {o}"),
        "robot": ("play with {o}", "make {o} walk", "build a house for {o}", "make {o} dance"),
        "marble": ("roll {o}", "play with {o}", "spin {o}"),
        "puppet": ("put on a show with {o}", "play with {o}", "make {o} talk", "make {o} dance"),
        "sticker": ("show {o} to everyone", "look at {o}", "play with {o}"),
        "crown": ("wear {o}", "put on {o}", "wear {o}"),
        "wand": ("wave {o}", "play with {o}", "wave {o}", "spin {o}"),
        "dollhouse": ("play with {o}", "clean {o}", "put the little chairs in {o}"),
        "spaceship": ("fly {o}", "play with {o}", "fly {o} to the moon", "zoom {o} around"),
        "drum": ("play {o}", "tap {o}", "play {o}", "hit {o}", "march with {o}"),
        "whistle": ("blow {o}", "blow {o}", "play with {o}", "blow {o} loudly")}

SOON = ("Soon", "Before long,", "After a while,", "A little later,", "Then", "Not long after,", "A moment later,")
HEARD = ("a small sound", "a tiny sound", "a soft cry", "a little noise", "a sad little sound", "a funny noise")
WHERE_TREE = ("a tall tree", "a big tree", "an old tree", "the tallest tree", "a tree")
NEAR = ("by", "near", "next to", "close to", "behind")
HIDING = ("on {p} bed", "under the bed", "under the table", "behind the couch", "on the shelf", "by the door",
          "under the rug", "in the kitchen", "by the window", "under {p} pillow", "in the yard", "on the chair",
          "under the blanket", "behind the lamp", "on the table", "under the couch", "behind the mirror",
          "next to the radio", "by the sink", "behind the clock", "under the chair", "on the floor")


ROOM_THINGS = ("couch", "table", "door", "window", "lamp", "rug", "shelf", "chair", "bed", "clock", "radio", "sink",
               "mirror", "fridge", "box of toys")


def verb(st, phrase: str, form: str) -> str:
    """'fly {o}' in a form: 'flew {o}', 'flying {o}'."""
    head, _, rest = phrase.partition(" ")
    v = st.w.vocab.verb[head]
    return f"{v[form]} {rest}".rstrip() if rest else v[form]


def play(st, who, thing: str, form: str = "past", own: bool = True) -> str:
    """What `who` does with `thing`: 'flew her kite', 'stacking the blocks', 'played with his robot'."""
    phrase = st.rng.choice(PLAY.get(thing, ("play with {o}",)))
    np = f"{who.p} {thing}" if own else f"the {thing}"
    return verb(st, phrase, form).format(o=np)


def soon(st) -> str:
    t = st.rng.choice(SOON)
    return t + " "


def rel(st) -> str:
    """The grown-up as the hero's relation ('her dad'), or their title (a name)."""
    g = st.grownup
    return f"{st.hero.p} {g.title.lower()}" if g.kind in FAMILY else g.title


def group(st, people: list, they: float = 0.4) -> str:
    """The people of a group as a subject: 'Kim, Dad, and Ben', 'they', 'Kim and her dad',
    'the three of them'."""
    rng, c, g = st.rng, st.hero, st.grownup
    if len(people) == 1:
        return st.sub(people[0])
    r = rng.random()
    if r < they and st.doc.cur:
        for x in people:
            st.state.act(x.name)
        return "they"
    if len(people) == 2 and c in people and g in people and g.kind in FAMILY and r < they + 0.2:
        st.nm(g)
        return f"{st.nm(c)} and {rel(st)}"
    if len(people) == 3 and r < they + 0.1 and st.doc.cur:
        for x in people:
            st.state.act(x.name)
        return rng.choice(("the three of them", "all three of them"))
    names = [st.nm(x) for x in people]
    if c in people and r < 0.7:  # the hero first
        names.remove(c.title)
        names.insert(0, c.title)
    return join_and(names)


def outdoor_thing(st, plural: bool = False) -> str:
    """Something of nature one passes outside: 'a tall tree', 'some pretty flowers', 'the old log'."""
    from storylab.world.doings import _PASSING, _adjs
    rng, w = st.rng, st.w
    n = rng.choice(w.outdoor)
    while n["word"] in ("cloud", "rainbow", "nest", "puddle") and rng.random() < 0.9:
        n = rng.choice(w.outdoor)
    adjs = [x for x in _adjs().get(n["word"], ()) if x not in _PASSING]
    adj = rng.choice(adjs) + " " if adjs and rng.random() < 0.6 else ""
    if plural:
        return rng.choice(("some ", "the ", "many ")) + adj + n["plural"]
    return rng.choice((a(adj + n["word"]), "the " + adj + n["word"]))


def way(st, p: float = 0.6) -> str:
    """Where the way went: ' past a tall tree', ' along the path', ' over the little bridge'."""
    rng = st.rng
    if rng.random() >= p:
        return ""
    r = rng.random()
    if r < 0.45:
        return f" {rng.choice(('past', 'past', 'by', 'around'))} {outdoor_thing(st, rng.random() < 0.4)}"
    return rng.choice((" along the path", " down the road", " across the village", " over the little bridge",
                       " through the tall grass", " up the little hill", " along the old fence", " past the houses",
                       " past the bus stop", " down the long road", " along the river", " through the village"))


def hiding(st, n: int = 2) -> list[str]:
    """Places in a house where a thing is not ('under the bed', 'on her bed')."""
    return [x.format(p=st.hero.p) for x in st.rng.sample(HIDING, n)]


def go_home(st, people: list, place: str, thing: str | None = None, did: str = "") -> None:
    """The way home at the end of the day: when, who, how they went, what they talked about or carried;
    `did` is what they did there, as an -ing phrase ("flying the kite")."""
    rng, c = st.rng, st.hero
    P = st.place_mark(place)
    t = st.state.time
    T = st.time_mark(t) if t in ("afternoon", "evening") else None
    did = did or f"the {place}"
    when = rng.choice(([f"In the {T}", f"Later in the {T}", f"Later that {T}"] if T else []) +
                      ["When the sun went down", "When it was time to go", "At last", "After a long time",
                       "When it began to get dark", "When the sky turned orange"])
    r = rng.random()
    names = group(st, people, 0.75 if r < 0.25 else 0.4)
    walk = rng.choice(("walked", "went", "hurried", "skipped", "ran", "wandered"))
    how = rng.choice(("", "", " slowly", " hand in hand", " side by side", ", tired but happy",
                      f", with {c.p} {thing} in {c.p} arms" if thing else "",
                      f", talking about {did} all the way", ", singing a little song"))
    home = rng.choice((f"{walk} home from the {P}{how}", f"left the {P} and {walk} home{how}",
                       f"said goodbye to the {P} and {walk} home{how}", f"packed up their things and went home{how}",
                       f"{walk} back{way(st, 0.9)} to the house{how}", f"went back home{way(st, 0.9)}{how}"))
    if r < 0.25:  # "Then they walked home ...", as TinyStories goes on
        st.s(f"{rng.choice(('Then', 'Soon', 'Later'))} {names} {home}.")
    elif r < 0.45:
        st.s(f"{when}, {names} {home}.")
    elif r < 0.57:
        st.s(f"{when}, {st.nm(c)} " + rng.choice((f"did not want to leave the {P}", f"looked back at the {P} one more time",
                                                   f"waved goodbye to the {P}", f"was sad to leave the {P}")) + ".",
             rng.choice((f"But {names} had to go home.", f"\"We can come back soon, {c.name},\" said {st.nm(st.grownup)}."
                         if st.known(st.grownup) else f"But it was time to go, {c.name}.")))
    elif r < 0.67:
        wish = rng.choice(("hoped", "wished", "asked if"))
        st.s(f"When {names} got home, {c.name} {wish} they could come back to the {P} "
             f"{rng.choice(('soon', 'the next day', 'one day', 'very soon', 'again'))}.")
    elif r < 0.8:
        st.s(f"{rng.choice(('All the way home', 'On the way home', 'On the long way back'))}, {names} "
             f"{rng.choice(('talked about ' + did, 'sang songs', 'counted the birds', 'told funny stories', 'looked at the clouds'))}"
             f"{rng.choice(('', '', ', and ' + c.name + ' yawned', ', and ' + c.name + ' held ' + c.p + ' ' + thing + ' tight' if thing else ''))}.")
    elif r < 0.9:
        st.s(f"{c.name} was {rng.choice(('tired', 'sleepy', 'so tired'))} after {did}, and {c.s} "
             f"{rng.choice(('almost fell asleep on the way home', 'yawned all the way home', 'was glad to be home at last'))}.")
    else:
        st.s(f"{rng.choice(('The sun was low', 'It was getting dark', 'The sky was turning pink'))} when {names} "
             f"{walk} home{way(st, 0.7)}{how}.")


_PICNIC = ("apple", "banana", "orange", "grape", "pear", "peach", "cherry", "strawberry", "plum", "carrot", "tomato",
           "cookie", "cupcake", "muffin", "sandwich", "cracker", "biscuit", "bun", "sausage", "cucumber", "egg")
_FLOWERS = ("rose", "daisy", "tulip", "sunflower", "flower")
_BOOKS = ("dinosaurs", "trains", "the sea", "the stars", "a brave little fox", "a big red bus", "a lost puppy",
          "a dragon", "a princess and a frog", "the moon", "pirates", "animals on a farm", "a magic hat",
          "a little rocket", "a kind giant", "a clever mouse", "an old castle", "bees and flowers")


def _some(st, words: tuple[str, ...], k: int) -> list[str]:
    """`k` noun phrases for distinct words of `words`: 'an apple', 'two pears', 'some grapes'."""
    from storylab.world.text import NUMBERS
    v, rng = st.w.vocab, st.rng
    out = []
    for w_ in rng.sample([x for x in words if x in v.noun], k):
        n = v.noun[w_]
        r = rng.random()
        out.append(a(w_) if r < 0.4 or n.get("mass") else
                   (f"{NUMBERS[rng.randint(2, 5)]} {n['plural']}" if r < 0.75 else f"some {n['plural']}"))
    return out


def _animals_at(st, place: str) -> list[str]:
    v = st.w.vocab.noun
    kb = [x for x in st.w.kb.found_at.get(place, ()) if x in v and v[x]["kind"] == "animal"]
    return kb or [x["word"] for x in st.w.scene_animals(place)]


def activity_detail(st, plan) -> bool:
    """One sentence of the outing's activity itself, with what is really there: the animals the knowledge
    base puts at the place, the food in the picnic basket, the flowers picked, the book read, how high the kite
    went. Returns whether one was written."""
    from storylab.world.text import NUMBERS
    rng, c, g = st.rng, st.hero, st.grownup
    act = plan.activity
    n = NUMBERS[rng.randint(2, 7)]
    who = rng.choice((st.sub(c), st.sub(c), f"{st.nm(c)} and {st.nm(g)}", "they"))
    if act in ("see the animals", "watch the animals eat"):
        ans = _animals_at(st, plan.dest)
        if len(ans) < 2:
            return False
        x, y = rng.sample(ans, 2)
        v = st.w.vocab.noun
        st.s(rng.choice((f"{who} saw the {v[x]['plural']} and the {v[y]['plural']}, and {c.name} liked the {x} best.",
                         f"First they looked at the {v[x]['plural']}, and then at the {v[y]['plural']}.",
                         f"{c.name} waved to the {v[x]['plural']}, and {a(y)} looked back at {c.o}.",
                         (f"The {v[x]['plural']} were {rng.choice(('eating', 'sleeping', 'playing', 'resting'))}, "
                         f"and the {v[y]['plural']} were {rng.choice(('eating', 'sleeping', 'playing', 'resting'))} too."))))
    elif act == "help the farmer":
        ans = [x for x in _animals_at(st, plan.dest) if x != "farmer"]
        x = rng.choice(ans)
        pl = st.w.vocab.noun[x]["plural"]
        st.s(rng.choice((f"{who} helped the farmer feed the {pl}.",
                         f"The farmer showed {c.name} how to feed the {pl}, and {c.s} gave them {rng.choice(('some grass', 'some corn', 'some water'))}.",
                         f"{c.name} carried a bucket of water for the {pl}, all by {c.r}.",
                         f"The farmer let {c.name} feed {n} {pl}, and {c.s} {rng.choice(('laughed', 'was so proud', 'did it very gently'))}.")))
    elif act == "have a picnic":
        x, y, z = _some(st, _PICNIC, 3)
        st.s(rng.choice((f"They sat on a big blanket and ate {x}, {y} and {z}.",
                         f"In the basket there were {x}, {y} and {z}, and {c.name} ate {rng.choice(('all of it', 'a lot', 'slowly', 'with a big smile'))}.",
                         f"{st.nm(g)} took {x} and {y} out of the basket, and {c.name} found {z} too.")))
    elif act in ("pick flowers", "plant flowers"):
        f1, f2 = rng.sample(_FLOWERS, 2)
        v = st.w.vocab.noun
        verb_ = "picked" if act == "pick flowers" else "planted"
        st.s(rng.choice((f"{who} {verb_} {n} {v[f1]['plural']} and {a(f2)}.",
                         f"{c.name} {verb_} {v[f1]['plural']} and {v[f2]['plural']}, {rng.choice(('one by one', 'very carefully', 'with great care'))}.",
                         f"Soon {c.name} had {verb_} {n} {v[f1]['plural']} {rng.choice(('for ' + c.p + ' ' + g.title.lower(), 'in a long row', 'by the path'))}."
                         if g.kind in ("mom", "dad", "grandma", "grandpa") or verb_ == "planted" else
                         f"Soon {c.name} had {verb_} {n} {v[f1]['plural']}.")))
    elif act in ("pick berries", "look for mushrooms"):
        thing = "berries" if "berries" in act else "mushrooms"
        st.s(rng.choice((f"{who} found {n} {thing} under a bush and {rng.choice(('put them in the basket', 'showed them to ' + g.title))}.",
                         f"There were {thing} {rng.choice(('under the trees', 'by an old log', 'near the path', 'under a big bush'))}, and {c.name} found {n}.",
                         f"Soon the basket was full of {thing}.")))
    elif act in ("look for shells", "look for frogs", "watch the fish"):
        thing = {"look for shells": "shells", "look for frogs": "frogs", "watch the fish": "fish"}[act]
        where = rng.choice(("by the water", "near the rocks", "in the sand" if thing == "shells" else "in the water",
                            "under a big rock" if thing != "fish" else "in the clear water"))
        st.s(rng.choice((f"{who} found {n} {thing} {where}." if thing != "fish" else
                         f"{who} saw {n} little fish {where}.",
                         f"There were {thing} {where}, and {c.name} counted {n} of them.",
                         f"\"Look, {g.title}, {thing} {where}!\" said {c.name}." if g.title[:1].isupper() else
                         f"{c.name} looked for {thing} {where}.")))
    elif act in ("swim in the pool", "splash in the water", "swim in the sea"):
        like = rng.choice(("like a fish", "like a little duck", "like a frog", "very fast", "for a long time"))
        st.s(rng.choice((f"{who} {rng.choice(('swam', 'splashed', 'kicked and splashed'))} in the water {like}.",
                         f"The water was {rng.choice(('cool', 'warm', 'blue', 'clear'))}, and {c.name} swam {like}.",
                         f"{c.name} jumped into the water, and {st.nm(g)} {rng.choice(('laughed', 'clapped', 'jumped in too'))}.")))
    elif act == "build a castle of sand":
        st.s(rng.choice((f"{who} built a castle with {n} towers and put a shell on top.",
                         f"The sand castle had {n} towers, a little door and a big wall.",
                         f"{c.name} used {c.p} bucket to make {n} towers of sand.")))
    elif act == "fly a kite":
        st.s(rng.choice(((f"The kite went up {rng.choice(('high', 'higher and higher', 'over the trees', 'into the blue sky'))}, "
                         f"and {c.name} {rng.choice(('held on tight', 'ran and ran', 'laughed', 'shouted with joy'))}."),
                         f"{c.name} ran, and the wind took the kite {rng.choice(('up high', 'over the trees', 'up to the clouds'))}.")))
    elif act == "ride a sled":
        st.s(rng.choice((f"{who} went down the hill on the sled again and again.",
                         f"The sled went down the hill so fast that {c.name} {rng.choice(('laughed', 'shouted', 'squealed'))}.")))
    elif act == "make a snowman":
        st.s(rng.choice((f"{who} made a snowman with a carrot for a nose and two stones for eyes.",
                         f"The snowman was {rng.choice(('big', 'tall', 'round', 'fat'))}, and {c.name} put {c.p} scarf on it.")))
    elif act == "sail a little boat":
        st.s(rng.choice((f"The little boat sailed across the water, and {c.name} ran along to watch it.",
                         f"{c.name} put the boat on the water, and the wind took it {rng.choice(('far', 'across the water', 'to the other side'))}.")))
    elif act == "feed the ducks":
        st.s(rng.choice((f"{who} threw little pieces of bread to {n} ducks.",
                         f"{n.capitalize()} ducks came for the bread, and {c.name} {rng.choice(('laughed', 'fed them all', 'counted them'))}.")))
    elif act in ("read a new book", "listen to a story"):
        st.s(rng.choice((f"{who} found a book about {rng.choice(_BOOKS)}.",
                         f"The story was about {rng.choice(_BOOKS)}, and {c.name} listened {rng.choice(('to every word', 'very quietly', 'with big eyes'))}.",
                         f"{c.name} liked the book about {rng.choice(_BOOKS)} best.")))
    elif act in ("play on the slide", "play on the swings", "play ball"):
        thing = {"play on the slide": "went down the slide", "play on the swings": "went up high on the swings",
                 "play ball": "threw the ball to " + g.title}[act]
        st.s(rng.choice((f"{who} {thing} over and over.", f"{c.name} {thing} again and again.")))
    elif act in ("climb the mountain", "see the old castle"):
        st.s(rng.choice((f"From the top of the {st.place_mark(plan.dest)}, {c.name} could see {rng.choice(('the whole village', 'the river and the farm', 'far away', 'the tiny houses'))}.",
                         f"{who} went up {n.lower()} big steps, one by one." if act == "see the old castle" else
                         f"{who} climbed up and up, past {outdoor_thing(st, True)}.")))
    else:
        return False
    return True


def reason(st, place: str) -> str | None:
    """Why the hero wants to go to `place`, from what is there: 'Last summer, she had seen two giraffes at the
    zoo, and she wanted to see them again.'"""
    from storylab.world.text import NUMBERS
    rng, c = st.rng, st.hero
    ans = [x for x in _animals_at(st, place) if x not in ("farmer",)]
    P = st.place_mark(place)
    when = rng.choice(("Last summer", "Last spring", "Once", "A long time ago", "Last week", "The day before"))
    if ans and rng.random() < 0.75:
        an = st.w.vocab.noun[rng.choice(ans)]
        k = rng.randint(1, 4)
        them = f"{a(an['word'])}" if k == 1 else f"{NUMBERS[k]} {an['plural']}"
        again = "it" if k == 1 else "them"
        return rng.choice((f"{when}, {c.name} had seen {them} at the {P}, and {c.s} wanted to see {again} again.",
                           f"{c.name} still remembered the {an['plural'] if k > 1 else an['word']} at the {P}.",
                           f"{when}, {c.name} had seen {them} there, {rng.choice(('and never forgot it', 'and talked about it for days'))}."))
    if st.w.places[place]["outdoor"]:
        return f"{when}, {c.name} had found {outdoor_thing(st)} at the {P}, and {c.s} still had it."
    return None
