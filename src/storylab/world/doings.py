"""What the characters do where they are: verb + object sentences drawn from the whole vocabulary.

At the park they watch the ducks, pick daisies and count pebbles; at the bakery they
smell the bread; at home they build a tower. Each place has the verbs that fit it, and
each verb the objects it takes (``objects`` in verbs.json) that one finds there (the
animals the knowledge base puts at the place, things of nature outside, food in shops,
toys and household things at home). These sentences fill the time between the plot's
beats, so their number sets the story's length, and their many combinations give the
corpus TinyStories' variety of wording without leaving the plot's place, time and cast.
"""

from __future__ import annotations

from functools import lru_cache

from storylab.world import beats, facts, skills
from storylab.world.model import World
from storylab.world.state import LOW, WARM
from storylab.world.text import NUMBERS, a

_ANIMAL_OK = {"watch", "look", "see", "chase", "follow", "count", "stare", "listen", "hear", "touch", "draw",
              "feed", "pet", "hug"}
_TAME_ONLY = {"feed", "pet", "hug", "touch"}
_TAME = {"dog", "cat", "puppy", "kitten", "rabbit", "bunny", "horse", "cow", "sheep", "goat", "duck", "pony", "lamb",
         "hen", "chicken", "pig", "goose", "swan", "squirrel"}
_SHOP = {"market": ("apple", "banana", "orange", "pear", "peach", "melon", "carrot", "tomato", "potato", "corn",
                    "cucumber", "lemon", "plum", "grape", "cherry", "pumpkin", "onion", "watermelon"),
         "bakery": ("bread", "cake", "cookie", "pie", "muffin", "bun", "cupcake", "donut", "biscuit", "cracker"),
         "shop": ("candy", "lollipop", "sticker", "balloon", "crayon", "card", "ribbon", "marble", "hat", "book"),
         "library": ("book", "map", "picture", "letter", "card"), "school": ("book", "picture", "crayon", "map"),
         "station": ("train", "bus", "clock", "ticket"), "hospital": ("picture", "book", "clock"),
         "castle": ("crown", "picture", "candle", "mirror"), "barn": ("cow", "horse", "hen", "mouse", "owl")}
# the things of nature one finds at each outdoor place (not a sunflower at the beach or a shell in the forest)
_WATER = ("rock", "stone", "pebble", "leaf", "feather", "log", "branch", "flower", "plant", "bush", "tree")
_NATURE_AT = {
    "beach": ("shell", "rock", "stone", "pebble", "feather"), "sea": ("shell", "rock", "stone", "pebble", "feather"),
    "forest": ("tree", "leaf", "acorn", "mushroom", "branch", "log", "bush", "nest", "feather", "rock", "stone",
               "flower", "plant"),
    "park": ("tree", "flower", "leaf", "rock", "stone", "acorn", "pebble", "bush", "feather", "daisy", "branch", "log",
             "plant", "tulip", "rose", "nest"),
    "garden": ("flower", "rose", "tulip", "daisy", "sunflower", "plant", "seed", "leaf", "bush", "rock", "pebble", "tree"),
    "field": ("flower", "daisy", "sunflower", "rock", "stone", "feather", "leaf", "seed", "tree", "bush"),
    "hill": ("rock", "stone", "flower", "daisy", "tree", "bush", "pebble", "feather", "leaf"),
    "mountain": ("rock", "stone", "tree", "pebble", "feather", "branch", "log", "flower"),
    "river": _WATER, "lake": _WATER, "pond": _WATER, "bridge": _WATER,
    "playground": ("leaf", "pebble", "acorn", "feather", "flower", "tree", "bush"),
    "farm": ("flower", "seed", "plant", "rock", "tree", "feather", "leaf", "sunflower", "bush"),
    "zoo": ("leaf", "feather", "flower", "tree", "bush", "rock"), "pool": ("leaf", "feather"),
}
_SHOP_VERBS = {"look", "see", "smell", "count", "touch", "watch", "stare", "draw", "read", "find", "pick", "taste",
               "hold", "carry"}
_HOME_KINDS = {"toy", "household", "food", "clothing", "instrument"}
_HOME_VERBS = {"play", "build", "draw", "read", "color", "hug", "fold", "clean", "stack", "look", "count", "paint",
               "fix", "wash", "open", "close", "fill", "bake", "cook", "eat", "drink", "taste", "smell", "hold",
               "bounce", "roll", "mix", "stir", "pour", "write", "find", "decorate", "wrap", "sweep", "pack", "ring",
               "make", "sing", "hum", "listen", "touch", "tie", "shake"}
# food is eaten, cooked or looked at, in the kitchen or at the table (not "touching some water on the floor")
_FOOD_VERBS = {"eat", "drink", "taste", "smell", "cook", "bake", "mix", "stir", "pour", "make", "wash", "count",
               "look", "fill", "pack"}
_FOOD_SPOTS = ("", "", " in the kitchen", " at the table", " at the kitchen table")
_OUT_VERBS = {"climb", "pick", "collect", "throw", "smell", "draw", "water", "find", "touch", "count", "look", "see",
              "watch", "listen", "hear", "plant", "dig", "catch", "stare", "follow", "chase", "feed", "pet", "hug",
              "sing", "hum"}  # (not "paint": one paints a picture of a rock, not the rock)
_NOT_OBJ = {"knife", "needle", "scissors", "stove", "oven", "fire", "sink", "fridge", "money", "medicine", "bandage",
            "toothbrush", "soap", "glue", "wall", "floor", "light", "fence", "door", "window", "bed", "couch",
            "shelf", "table", "chair", "rug", "ladder", "tent", "lunch", "dinner", "breakfast", "food", "snack",
            "wool", "hole", "web", "bone", "ground", "storm", "thunder", "wind", "rain", "snow", "sky", "sun",
            "moon", "star", "cloud", "rainbow", "ice", "wave", "shade", "hive", "snowball", "snowman", "snowflake",
            "mud", "sand", "grass", "puddle", "nest", "phone", "radio", "fan", "clock", "key", "coin", "ring",
            "necklace", "paint", "tape", "button", "card", "note", "ticket", "photo", "present", "gift", "box",
            "bag", "bucket", "basket", "vase", "mirror", "candle", "umbrella", "flashlight", "map", "wheel",
            "bench", "drawing", "pillow", "blanket", "towel", "comb", "brush", "broom", "pot", "pan", "lamp",
            "bell", "whistle", "swing", "slide", "rope", "bubble", "toy", "crown", "wand", "sticker", "kite",
            "sugar", "salt", "flour", "pepper", "oil", "yeast", "dough", "butter"}  # (not "eating some sugar")
# an adverb only where it fits the verb ("picked a daisy gently", "hopped happily"; not "spun warmly",
# "saw a duck carefully"): by the verb's word; a verb not listed takes none
_ADV_SETS = {
    "gentle": ("gently", "carefully", "softly"), "quiet": ("quietly", "for a long time"),
    "careful": ("carefully", "slowly", "with care"), "lively": ("happily", "quickly", "playfully"),
    "still": ("quietly", "calmly", "patiently"), "voice": ("softly", "happily", "cheerfully", "quietly"),
    "laugh": ("happily", "softly"), "loud": ("happily", "loudly"), "shy": ("happily", "shyly", "cheerfully"),
    "roam": ("slowly", "happily", "curiously"), "fast": ("quickly",), "slow": ("slowly",), "sneak": ("quietly", "slowly"),
}
_ADV_OF = {v: k for k, vs in {
    "gentle": ("touch", "pet", "hug", "feed", "pick", "water", "plant", "hold", "fold", "wrap", "pour", "stir", "wash",
               "clean", "carry"),
    "quiet": ("look", "watch", "listen", "stare", "follow", "smell", "read"),
    "careful": ("count", "draw", "paint", "color", "build", "stack", "fix", "fill", "mix", "write", "decorate", "pack",
                "tie", "dig", "climb", "sweep", "cook", "bake"),
    "lively": ("throw", "chase", "collect", "bounce", "roll", "play", "shake", "ring", "jump", "run", "hop", "skip",
               "dance", "spin", "wiggle", "march", "jog", "race", "slide", "swing", "splash", "stomp"),
    "still": ("sit", "rest", "wait"), "voice": ("sing", "hum", "whistle"), "laugh": ("laugh", "giggle"),
    "loud": ("clap", "cheer", "shout"), "shy": ("wave", "smile", "nod"), "roam": ("explore", "wander"),
    "fast": ("hurry", "rush"), "slow": ("yawn", "stretch"), "sneak": ("tiptoe", "peek"),
}.items() for v in vs}


_GLAD = frozenset(("happily", "cheerfully", "playfully", "loudly"))


def _adv(verb: str, rng, st=None, who=None) -> str:
    """An adverb that fits `verb` (its first word), or '' for a verb that takes none; none of the glad
    ones for `who` while the state says they are sad or cross (not "lonely ... Soon he sang happily")."""
    k = _ADV_OF.get(verb.split(" ", 1)[0])
    if not k:
        return ""
    opts = _ADV_SETS[k]
    if who is not None and st.state.feeling.get(who.name) in LOW:
        opts = [x for x in opts if x not in _GLAD]
    return rng.choice(opts) if opts else ""


# adjectives that depend on the weather or the moment (a cool rose, a wet book): not for things seen in passing
_PASSING = frozenset(("cold", "hot", "warm", "cool", "wet", "dry", "icy", "muddy", "dirty", "clean", "empty", "full",
                      "strange", "ugly", "rotten", "sticky", "slimy", "squishy", "loose", "sour", "salty", "spicy"))
_ANIMAL_ADV = ("slowly", "quickly", "quietly", "happily", "softly", "playfully")
# where one does things: big things one is near, each with the words that put one there ("under a tree",
# "on the rug"; not "under an acorn" or "behind the lamp")
_NEAR = ("near", "by", "next to", "beside")
_PP_OUT = {"tree": _NEAR + ("under", "behind", "in the shade of"), "bush": _NEAR + ("behind",),
           "rock": _NEAR + ("behind",), "stone": _NEAR,
           "log": _NEAR + ("on",), "puddle": ("near", "by", "next to"), "flower": _NEAR, "plant": _NEAR,
           "sunflower": _NEAR, "rose": _NEAR, "tulip": _NEAR, "nest": ("near", "under"), "fence": _NEAR,
           "bench": _NEAR + ("on",), "grass": ("in",), "shade": ("in",)}
_PP_IN = {"table": ("at", "by", "near"), "window": ("by", "near", "next to"), "door": ("by", "near"),
          "bed": ("on", "by", "near"), "couch": ("on", "by", "next to"), "lamp": ("near", "by"),
          "rug": ("on",), "shelf": ("near", "by"), "chair": ("by", "near", "next to"), "wall": ("by", "near"),
          "floor": ("on",), "fridge": ("by", "near", "next to"), "sink": ("by", "near"), "fan": ("near", "under"),
          "clock": ("near", "under"), "mirror": ("in front of",), "tent": ("in",), "pillow": ("on",),
          "blanket": ("on", "under")}
NP_ADJ_P = 0.5  # how often a thing done with has an adjective ("a fluffy duck")
PP_ADJ_P = 0.7  # how often the place phrase's thing has an adjective ("by the tall tree"): rare trigrams
# what one sees of a thing one stands by (its size, colour, shape, age): not "the heavy plant"
_PP_LOOKS = frozenset(("big", "little", "small", "tall", "tiny", "huge", "giant", "old", "round", "flat", "long", "wide",
                       "green", "brown", "gray", "white", "yellow", "red", "pink", "purple", "blue", "orange",
                       "pretty", "beautiful", "bumpy", "smooth", "shiny", "striped", "spotted", "colorful", "high"))
_PP_MASS = {"grass", "shade", "floor"}  # "in the grass", never "in a grass"
# (the place phrase, from large pools, more often than glue every story repeats: "with a big smile")
_TAILS_ONE = ("", "", " for a while", " all by {r}", " {adv}", " {adv}", "{pp}", "{pp}", "{pp}", "{pp}")
_TAILS_TWO = ("", " together", " side by side", "{pp}", "{pp}", "{pp}")
_OPEN = ("", "", "", "Then ", "After that, ", "For a while, ", "Next, ", "Soon ", "Later, ", "There, ")
_PAIRS: dict = {}
# things one does without an object, anywhere (outside: all; inside: the quiet ones)
_MOVES_OUT = ("jump", "run", "hop", "skip", "dance", "sing", "climb", "rest", "sit", "laugh", "giggle", "spin",
              "roll", "wiggle", "march", "whistle", "hum", "clap", "cheer", "stretch", "tiptoe", "jog", "race",
              "explore", "wander", "hurry", "rush", "shout", "yawn", "wave", "stomp", "splash", "slide", "swing",
              "peek", "look", "listen", "wait")  # (not shiver, sneeze: what happens to one, not what one does)
_QUIET_MOVES = frozenset(("sit", "rest", "wait", "listen", "look", "peek", "wander", "yawn", "stretch", "tiptoe", "hum",
                          "blink"))  # what a sad child may do meanwhile
_MOVES_IN = ("sing", "rest", "sit", "laugh", "giggle", "hum", "clap", "stretch", "tiptoe", "whistle", "yawn",
             "dance", "wiggle", "spin", "peek", "listen", "wait", "smile", "nod", "blink")


@lru_cache(maxsize=1)
def _adjs() -> dict[str, list[str]]:
    """noun -> adjectives that fit it (from the vocabulary and the knowledge base), once per process."""
    w = World.get()
    adjs: dict[str, list[str]] = {}
    for adj in w.scene_adjs:
        for n in w.adj_nouns[adj["word"]]:
            if n["word"] != adj["word"]:  # not "an orange orange"
                adjs.setdefault(n["word"], []).append(adj["word"])
    return adjs


# what can be said of some of a thing one has no single piece of (milk, bread, sand): how it tastes,
# feels or looks, not its size or a colour it has only in the vocabulary's loose fit
MASS_ADJ = frozenset(("yummy", "tasty", "delicious", "fresh", "soft", "sweet", "creamy", "crunchy", "healthy",
                      "juicy", "smooth", "fluffy", "sparkly", "shiny"))
_MANY = frozenset(("count", "collect", "stack", "juggle"))  # verbs whose object is several things


_NP_ADJS: dict[str, list[str]] = {}  # noun -> the adjectives `_np` may give it


def _np(st, word: str, plural_ok: bool = True, many: bool = False) -> str:
    """A noun phrase: the duck, a fluffy duck, three ducks, some shiny pebbles, all the cookies
    (`many`: always several, as what one counts or stacks)."""
    v, rng = st.w.vocab, st.rng
    n = v.noun.get(word)
    if n is None:
        return f"the {word}"
    adjs = _NP_ADJS.get(word)
    if adjs is None:  # (once per noun: a story asks ~3 times)
        adjs = [x for x in _adjs().get(word, ()) if x not in _PASSING and x != word]  # not "the orange orange"
        if n.get("mass"):  # "some fresh bread", not "some big milk" or "some tiny water"
            adjs = [x for x in adjs if x in MASS_ADJ]
        _NP_ADJS[word] = adjs
    seed = st.adj["word"]
    if not st.used_adj and seed in adjs:  # the seed adjective, where it fits a thing the characters handle
        adj, st.used_adj = seed + " ", True
    else:
        adj = rng.choice(adjs) + " " if adjs and rng.random() < NP_ADJ_P else ""
    if n.get("mass"):
        return f"some {adj}{word}"
    r = rng.random() * (0.35 if many else 1.0)
    if plural_ok and r < 0.35 and n["plural"] != word:
        k = rng.randint(2, 5)
        return rng.choice((f"{NUMBERS[k]} {adj}{n['plural']}", f"some {adj}{n['plural']}", f"all the {n['plural']}"))
    if r < 0.7:
        return a(adj + word)
    return f"the {adj}{word}"


def _degree(st, words) -> tuple | None:
    """(noun, adjective, comparative, superlative) for one of `words` that takes a graded adjective."""
    v, rng = st.w.vocab, st.rng
    word = rng.choice(words)
    n = v.noun.get(word)
    if n is None or n.get("mass"):
        return None
    adjs = [v.adjective[x] for x in _adjs().get(word, ()) if x in v.adjective and x not in _PASSING]
    adjs = [x for x in adjs if " " not in x.get("comparative", " ") and " " not in x.get("superlative", " ")]
    if not adjs:
        return None
    adj = rng.choice(adjs)
    return word, adj["word"], adj["comparative"], adj["superlative"]


def _pairs(st, place: str, outdoor: bool) -> list[tuple[str, tuple]]:
    """(verb phrase, objects) that fit `place`, from the verbs' own object lists (cached per place)."""
    key = (place, outdoor, st.state.weather == "snowy")
    cache = _PAIRS.get(key)
    if cache is not None:
        return cache
    w = st.w
    animals = {x["word"] for x in w.scene_animals(place)} if outdoor else set()
    shop = set(_SHOP.get(place, ()))
    out = []
    for verb, objs in w.verb_objects.items():
        if place in _SHOP:
            ok = verb in _SHOP_VERBS
            words = [o["word"] for o in objs if o["word"] in shop]
        elif outdoor:
            ok = verb in _OUT_VERBS
            here = _NATURE_AT.get(place)
            words = [o["word"] for o in objs if (o["kind"] == "nature" and o["word"] not in _NOT_OBJ
                                                 and (here is None or o["word"] in here))
                     or (o["word"] in animals and verb in _ANIMAL_OK
                         and (verb not in _TAME_ONLY or o["word"] in _TAME))]
        else:
            ok = verb in _HOME_VERBS
            words = [o["word"] for o in objs if o["kind"] in _HOME_KINDS and o["word"] not in _NOT_OBJ
                     and (o["kind"] != "food" or verb in _FOOD_VERBS)]
        if ok and words:
            prep = w.vocab.verb[verb].get("prep")
            out.append((f"{verb} {prep}" if prep else verb, tuple(words)))
    if key[2] and outdoor:
        out += [("build", ("snowman",)), ("throw", ("snowball",))]
    if len(out) < 2:  # a place with little to do: do what one does inside
        out += _pairs(st, "home", False)
    _PAIRS[key] = out
    return out


def _busy(st, place: str, outdoor: bool) -> list[tuple[str, tuple]]:
    """`_pairs` without the verbs one is not busy with (find, see, win): the clause slots' doings (cached
    as `_pairs` is: a story asks ~1.5 times, and filtering each time was a few percent of generation)."""
    key = (place, outdoor, st.state.weather == "snowy", "busy")
    out = _PAIRS.get(key)
    if out is None:
        out = _PAIRS[key] = [x for x in _pairs(st, place, outdoor) if x[0].split(" ", 1)[0] not in _NOT_BUSY]
    return out


def _fit(st, place: str, outdoor: bool, adj: str) -> list[tuple[str, tuple]]:
    """The busy doings whose object takes the adjective `adj` (cached per place and adjective)."""
    key = (place, outdoor, st.state.weather == "snowy", "fit", adj)
    out = _PAIRS.get(key)
    if out is None:
        adjs, noun = _adjs(), st.w.vocab.noun
        out = _PAIRS[key] = [(v, (o,)) for v, os in _busy(st, place, outdoor) for o in os if adj in adjs.get(o, ())
                             and (not noun[o].get("mass") or adj in MASS_ADJ)]
    return out


def _with(st, place: str, outdoor: bool, thing: str, doings) -> list[tuple[str, tuple]]:
    """The doings of `doings` (`_pairs` or `_busy`) done with `thing`, as (verb, (thing,)): cached as they are
    (a story asks ~1.5 times, and the filter was ~1% of generation)."""
    key = (place, outdoor, st.state.weather == "snowy", doings.__name__, thing)
    out = _PAIRS.get(key)
    if out is None:
        out = _PAIRS[key] = [(v, (thing,)) for v, objs in doings(st, place, outdoor) if thing in objs]
    return out


def _pp(st, outdoor: bool, place: str | None = None) -> str:
    """A place phrase: near the tall tree, by a log, on the rug; the seed noun where it is such a place
    and not yet in the story ("by the fridge")."""
    rng = st.rng
    table = _PP_OUT if outdoor else _PP_IN
    seed = st.noun["word"]
    here = _NATURE_AT.get(place) if outdoor else None
    if seed in table and (not here or seed in here or seed in ("fence", "bench")) and not st.doc.has_word(seed, st.noun["plural"]) and (seed != "shade" or st.state.weather in WARM):
        word = seed
    else:
        words = _pp_words(place) if here else ()
        word = rng.choice(words or (_PP_OUT_WORDS if outdoor else _PP_IN_WORDS if place in (None, "home") else _PP_SHOP_WORDS))
    prep = rng.choice(table[word])
    if word in _PP_MASS or prep == "in":
        return f" {prep} the {word}"
    adjs = _pp_adjs(word)
    if adjs and rng.random() < PP_ADJ_P:
        return f" {prep} the {rng.choice(adjs)} {word}"
    return f" {prep} {rng.choice(('the ' + word, a(word)))}"


@lru_cache(maxsize=None)
def _pp_words(place: str) -> tuple[str, ...]:
    """The things outside `place` has to be near (once per place: a story asks ~2 times)."""
    return tuple(x for x in _PP_OUT_WORDS if x in _NATURE_AT[place])


@lru_cache(maxsize=None)
def _pp_adjs(word: str) -> tuple[str, ...]:
    """How the thing one is near may look (the tall tree), once per thing."""
    return tuple(x for x in _adjs().get(word, ()) if x in _PP_LOOKS)


_PP_OUT_WORDS = tuple(w for w in _PP_OUT if w not in ("shade", "fence", "bench"))
_PP_SHOP_WORDS = ("table", "window", "door", "wall", "shelf")  # (in a shop or a school: not "on the bed")
_PP_IN_WORDS = ("table", "window", "door", "bed", "couch", "lamp", "rug", "shelf", "chair", "wall", "floor")


def doing(st, group: list, place: str) -> None:
    """One sentence of what (some of) `group` do at `place`."""
    rng = st.rng
    outdoor = st.w.places[place]["outdoor"] if place in st.w.places else False
    pairs = _pairs(st, place, outdoor)
    (v1, o1), (v2, o2) = rng.sample(pairs, 2) if len(pairs) > 1 else (pairs[0], pairs[0])
    seed = st.noun["word"]
    if not st.doc.has_word(seed, st.noun["plural"]):  # the seed noun, where it is something one does things with here
        with_seed = _with(st, place, outdoor, seed, _pairs)
        if with_seed:
            v1, o1 = rng.choice(with_seed)
    pp = _pp(st, outdoor, place)
    x = rng.choice(group)
    others = [c for c in group if c is not x]
    r = rng.random()
    opener = rng.choice(_OPEN)
    low = st.state.feeling.get(x.name) in LOW  # a sad or cross child: no cheering, no admiring
    if low and r >= 0.9:
        r = 0.7
    if seed_doing(st, group, x, others, place, outdoor, pp, opener):
        return
    if rng.random() < 0.3:
        _move(st, x, others, outdoor, place, pp, opener)
        return
    if rng.random() < 0.15 and not low and _admire(st, x, outdoor, place, rng.choice(o1), opener):
        return
    if others and r < 0.2:
        y = rng.choice(others)
        st.s(f"While {st.nm(y)} was {beats.verb(st, v2, 'ing')} {_np(st, rng.choice(o2), many=v2.split()[0] in _MANY)}, "
             f"{st.sub(x)} {beats.verb(st, v1, 'past')} {_np(st, rng.choice(o1), many=v1.split()[0] in _MANY)}.")
    elif others and r < 0.4:
        y = rng.choice(others)
        st.s(f"{opener}{st.sub(x)} {beats.verb(st, v1, 'past')} {_np(st, rng.choice(o1), many=v1.split()[0] in _MANY)}, and {st.nm(y)} "
             f"{beats.verb(st, v2, 'past')} {_np(st, rng.choice(o2), many=v2.split()[0] in _MANY)}.")
    elif others and r < 0.55:
        y = rng.choice(others)
        tail = rng.choice(_TAILS_TWO).format(pp=pp)
        st.s(f"{opener}{st.nm(x)} and {st.nm(y)} {beats.verb(st, v1, 'past')} {_np(st, rng.choice(o1), many=v1.split()[0] in _MANY)}{tail}.")
    elif r < 0.64 and (deg := _degree(st, o1)):
        word, adj, cmp_, sup = deg
        st.s(rng.choice((f"{opener}{st.sub(x)} {beats.verb(st, v1, 'past')} {a(adj + ' ' + word)}, and then an even {cmp_} one.",
                         f"{opener}{st.sub(x)} {beats.verb(st, v1, 'past')} the {sup} {word} of all{pp}.")))
    elif r < 0.8:
        tail = rng.choice(_TAILS_ONE).format(r=x.r, adv=_adv(v1, rng, st, x), pp=pp).rstrip()
        st.s(f"{opener}{st.sub(x)} {beats.verb(st, v1, 'past')} {_np(st, rng.choice(o1), many=v1.split()[0] in _MANY)}{tail}.")
    elif r < 0.9:
        st.s(f"{opener}{st.sub(x)} {beats.verb(st, v1, 'past')} {_np(st, rng.choice(o1), many=v1.split()[0] in _MANY)} and "
             f"{beats.verb(st, v2, 'past')} {_np(st, rng.choice(o2), many=v2.split()[0] in _MANY)}{pp}.")
    else:
        word = rng.choice(o1)
        who = f", {others[0].title}" if others and others[0].title[:1].isupper() else ""
        lines = [f"Look at {_np(st, word, False)}{who}!", f"I want to {beats.verb(st, v1, 'word')} {_np(st, word)}!",
                 f"Let's {beats.verb(st, v1, 'word')} {_np(st, word)}{who}!"]
        if others and others[0].title[:1].isupper():  # what the other one is good at, in the present tense
            lines.append(f"{others[0].title} {beats.verb(st, v1, 'third')} {_np(st, word)} "
                         f"{rng.choice(('so well', 'every day', 'better than anyone', 'all the time'))}!")
        st.speak(x, rng.choice(lines), rng.choice(("said", "shouted", "called", "exclaimed", "laughed")))


_BIRDS = {"bird", "duck", "goose", "owl", "parrot", "swan", "crow", "robin", "hen", "chicken", "chick", "duckling",
          "penguin", "peacock"}
_PART_ADJ = {"tail": ("long", "little", "fluffy"), "ears": ("big", "little", "soft"), "nose": ("little", "wet"),
             "eyes": ("big", "bright", "little"), "wings": ("big", "little", "pretty"), "feathers": ("soft", "pretty"),
             "color": ("bright", "pretty"), "shape": ("round", "funny"), "smell": ("sweet", "good"),
             "sound": ("happy", "soft", "loud")}


def _admire(st, x, outdoor: bool, place: str, thing: str, opener: str) -> bool:
    """Someone looks closely at a thing or an animal there: 'Mia liked the duck's soft feathers.'"""
    rng, w = st.rng, st.w
    if outdoor and rng.random() < 0.5:
        an = rng.choice(w.scene_animals(place))
        if an is st.noun:  # the seed noun is used as a word of its own ("apple's" does not count)
            return False
        word, at = an["word"], an["attrs"]
        parts = ["eyes"] + (["tail", "ears", "nose"] if "furry" in at else []) + \
            (["wings"] if "can_fly" in at else []) + (["feathers"] if word in _BIRDS else [])
    else:
        n = w.vocab.noun.get(thing)
        if n is None or n is st.noun or n.get("mass") or n["kind"] not in ("toy", "household", "clothing", "vehicle", "instrument",
                                                          "food", "nature"):
            return False
        word = thing
        parts = {"instrument": ["sound", "shape"], "food": ["smell", "color"],
                 "nature": ["shape", "color"] if thing in ("flower", "rose", "tulip", "daisy", "sunflower", "leaf")
                 else ["shape"]}.get(n["kind"], ["color", "shape"])
    part = rng.choice(parts)
    adj = rng.choice(_PART_ADJ[part]) + " " if rng.random() < 0.5 else ""
    verb = rng.choice(("liked", "loved", "looked at", "pointed at", "admired", "peered at")
                      if part not in ("color", "shape", "smell", "sound") else ("liked", "loved", "admired", "enjoyed"))
    st.s(f"{opener}{st.sub(x)} {verb} the {word}'s {adj}{part}.")
    return True


def _move(st, x, others, outdoor: bool, place: str, pp: str, opener: str) -> None:
    """Something done without an object (they hopped, sang, rested), or an animal there doing its thing."""
    rng, w = st.rng, st.w
    vb = w.vocab.verb
    moves = _MOVES_OUT if outdoor else _MOVES_IN
    if st.state.weather not in ("hot", "sunny", "warm") or not outdoor:
        moves = tuple(m for m in moves if m not in ("splash",))
    if st.state.feeling.get(x.name) in LOW:
        moves = tuple(m for m in moves if m in _QUIET_MOVES)
    v = vb[rng.choice(moves)]
    r = rng.random()
    if outdoor and r < 0.35:
        an = rng.choice(w.scene_animals(place))
        av = w.animal_verbs(an)
        if av:
            a_ = rng.choice(av)
            where = " in the water" if a_["word"] in ("swim", "splash") else pp
            if rng.random() < 0.5 or st.state.feeling.get(x.name) in LOW:
                st.s(f"{opener}{st.sub(x)} saw {a(an['word'])} {a_['ing']}{where}.")
            else:
                g = f", {others[0].title}" if others and others[0].title[:1].isupper() else ""
                st.speak(x, f"Look{g}! The {an['word']} {a_['third']} {rng.choice(_ANIMAL_ADV)}!",
                         rng.choice(("said", "whispered", "shouted")))
            return
    if others and r < 0.45 and st.state.feeling.get(x.name) not in LOW:
        y = rng.choice(others)
        m = vb[rng.choice([m for m in moves if _ADV_OF.get(m) not in (None, "quiet", "careful", "gentle")])]
        st.speak(x, rng.choice((f"Look, {y.title}, I am {v['ing']}!", f"{y.title}, can you see me {v['ing']}?",
                                f"{y.title} {m['third']} so {_adv(m['word'], rng)}!")),
                 rng.choice(("said", "shouted", "laughed")))
    elif others and r < 0.6:
        y = rng.choice(others)
        v2 = vb[rng.choice(moves)]
        adv = _adv(v["word"], rng, st, x)
        st.s(f"While {st.nm(y)} was {v2['ing']}{pp}, {st.sub(x)} {v['past']}{' ' + adv if adv else ''}.")
    elif r < 0.8:
        adv = _adv(v["word"], rng, st, x)
        st.s(f"{opener}{st.sub(x)} {v['past']}{' ' + adv if adv else ''}{pp}.")
    else:
        st.s(f"{opener}{st.sub(x)} {v['past']} and {vb[rng.choice(moves)]['past']}{pp}.")


def _fits(st) -> bool:
    """Whether one more doing leaves the rest of the story room under its hard limit (else the story
    would be written again, which costs more than the sentence is worth)."""
    from storylab.world.plots import fits
    return fits(st, 14)


def fill(st, group: list, place: str, upto: int, most: int = 4, least: int = 1) -> None:
    """Sentences of doing things at `place`: at least `least`, then more until the story has
    `upto` words (at most `most`); past `upto`, the first `least` only while the story's ending still fits."""
    for k in range(most):
        if st.doc.nwords >= upto and (k >= least or not _fits(st)):
            break
        if k == 0 and _snack_time(st, group, place):
            skills.snack(st)
            continue
        doing(st, group, place)
    from storylab.world.plots import fits
    for _ in range(2):  # a seed word still without a place: a doing with it here, rather than a line at the end
        if not fits(st, 0) or not _seed_here(st, group, place):  # (0: it takes the place of that line)
            return


_SNACK_PLACES = {"home", "park", "beach", "garden", "field", "hill", "forest", "lake", "pond", "river", "farm",
                 "playground", "zoo", "mountain"}


def _snack_time(st, group: list, place: str) -> bool:
    """Whether this doing-time is the story's snack choice (a negation item): once a story, with the
    grown-up there, at a place one eats a snack, while the ending still fits."""
    from storylab.world.plots import fits
    return (not st.flags.get("snack") and st.grownup in group and st.known(st.grownup) and place in _SNACK_PLACES
            and not any(s["skill"] == "negation" for s in st.pending_skills) and fits(st, 30)
            and st.rng.random() < skills.SNACK_P)


def _seed_here(st, group: list, place: str) -> bool:
    """A doing at `place` with a seed word not yet in the story (True if one was written)."""
    n = st.noun
    if st.used_adj and (st.used_noun or st.doc.has_word(n["word"], n["plural"])):  # (nothing to place: no draws)
        return False
    rng = st.rng
    outdoor = st.w.places[place]["outdoor"] if place in st.w.places else False
    x = rng.choice(group)
    return seed_doing(st, group, x, [c for c in group if c is not x], place, outdoor, _pp(st, outdoor, place),
                      rng.choice(_OPEN), 1.0)


# the seed noun as what one is busy with at home, where it is not a thing one plays with ("cleaning the oven")
_HOME_BUSY = {
    "oven": ("clean", "the oven"), "stove": ("clean", "the stove"), "sink": ("wash", "the cups in the sink"),
    "fridge": ("clean", "the fridge"), "window": ("clean", "the window"), "door": ("paint", "the front door"),
    "fence": ("paint", "the fence in the yard"), "lamp": ("fix", "the old lamp"), "clock": ("fix", "the old clock"),
    "fan": ("fix", "the fan"), "radio": ("fix", "the radio"), "shelf": ("clean", "the shelf"),
    "table": ("clean", "the table"), "bed": ("make", "the bed"), "rug": ("clean", "the rug"),
    "floor": ("sweep", "the floor"), "broom": ("sweep", "the floor with a broom"), "towel": ("fold", "the towels"),
    "blanket": ("fold", "a big blanket"), "pillow": ("wash", "the pillows"), "pot": ("stir", "the soup in a big pot"),
    "pan": ("wash", "a big pan"), "bucket": ("fill", "a bucket with water"), "vase": ("fill", "a vase with water"),
    "mirror": ("clean", "the mirror"), "wall": ("paint", "the wall"), "chair": ("fix", "an old chair"),
    "couch": ("clean", "the couch"), "bag": ("pack", "a bag"), "box": ("pack", "a box"), "basket": ("fill", "a basket with apples"),
    "jar": ("fill", "a jar with cookies"), "cup": ("wash", "the cups"), "plate": ("wash", "the plates"),
    "bowl": ("wash", "the bowls"), "spoon": ("wash", "the spoons"), "fork": ("wash", "the forks"),
    "knife": ("clean", "a big knife"), "button": ("sew", "a button on a coat"), "needle": ("sew", "a coat with a needle"),
    "sweater": ("fold", "a warm sweater"), "shirt": ("wash", "a shirt"), "sock": ("fold", "the socks"),
    "dress": ("sew", "a new dress"), "skirt": ("sew", "a skirt"), "coat": ("fix", "an old coat"), "apron": ("wash", "an apron"),
    "flower": ("water", "the flowers by the window"), "plant": ("water", "the plants"), "rose": ("water", "the roses"),
    "tulip": ("water", "the tulips"), "daisy": ("water", "the daisies"), "sunflower": ("water", "the sunflowers"),
    "seed": ("plant", "some seeds in a pot"), "leaf": ("sweep", "the leaves by the door"),
    "piano": ("clean", "the old piano"), "guitar": ("fix", "an old guitar"), "bike": ("fix", "an old bike"),
    "wagon": ("fix", "the wagon"), "wheel": ("fix", "a wheel"), "letter": ("write", "a letter"),
    "card": ("make", "a card"), "cake": ("bake", "a cake"), "bread": ("bake", "some bread"), "soup": ("cook", "some soup"),
}
_NOT_BUSY = {"find", "see", "hear", "catch", "win", "lose", "meet", "open", "close", "drop", "break", "spill", "tear"}
_AT_HOME = ("", "", "", " in the kitchen", " at the table", " by the window", " in the living room", " on the floor")


def home_spot(st) -> str:
    """' by the fridge', ' on the rug': the seed noun as where something is done at home, while it is
    such a place and not yet in the story (else '')."""
    seed = st.noun["word"]
    if seed in _PP_IN and seed not in ("tent", "blanket", "pillow") and not st.doc.has_word(seed, st.noun["plural"]):
        return f" {st.rng.choice(_PP_IN[seed])} the {seed}"
    return ""


def activity(st, place: str = "home", form: str = "ing", outdoor: bool | None = None) -> str:
    """A verb phrase of something one does at `place`, from the whole vocabulary ('folding a clean
    towel', 'stacking three red blocks'), in `form` (ing, past, word, third): a clause slot that other
    beats fill (what the grown-up is busy with, what the hero was doing when the day began)."""
    rng = st.rng
    if outdoor is None:
        outdoor = st.w.places[place]["outdoor"] if place in st.w.places else False
    pairs = _busy(st, place, outdoor)
    v, objs = rng.choice(pairs)
    seed, with_seed = st.noun["word"], ()
    if not st.doc.has_word(seed, st.noun["plural"]):  # the seed noun, where it is a thing one is busy with here
        with_seed = _with(st, place, outdoor, seed, _busy)  # (rather than a line of its own at the end)
        if with_seed:
            v, objs = rng.choice(with_seed)
        elif place == "home" and seed in _HOME_BUSY and not st.used_noun:
            v, np = _HOME_BUSY[seed]
            return f"{beats.verb(st, v, form)} {np}"
    adj = st.adj["word"]
    if not with_seed and not st.used_adj and st.adj["class"] in ("thing", "any", "color") and adj not in _PASSING \
            and not st.adj.get("predicative_only"):
        fit = _fit(st, place, outdoor, adj)  # (the seed adjective on what is done with)
        if fit:
            v, objs = rng.choice(fit)
    obj = rng.choice(objs)
    where = ""
    if place == "home":
        food = st.w.vocab.noun[obj]["kind"] == "food"
        where = rng.choice(_FOOD_SPOTS) if food else (home_spot(st) or rng.choice(_AT_HOME))
    return f"{beats.verb(st, v, form)} {_np(st, obj, many=v.split()[0] in _MANY)}{where}"


# --- the seed words in what they do there ----------------------------------------------------------
# The seed noun and adjective the plot had no slot for go into a doing at the place, early in the
# story's middle, rather than into a line of their own at its end. `{pp}` is the place phrase.
SEED_P = 0.85  # how often a doing takes an unplaced seed word (the rest: the next doing, or the end's line)
_EVENT_DO = {  # an event noun as what one (`1`) or two (`2`) do there; `out`: outside only, `sun`: not in rain
    "game": ("2:played a game of tag{pp}", "2:made up a new game{pp}", "1:made up a game with {n} {things}"),
    "song": ("1:sang a little song about the {thing}", "2:made up a silly song{pp}", "1:hummed a happy song{pp}"),
    "story": ("1:told {W} a story about {a_animal}", "2:made up a story about {a_animal}{pp}"),
    "picnic": ("sun2:had a little picnic{pp}", "sun2:sat down{pp} for a little picnic"),
    "race": ("out2:had a race to the {thing}", "out2:had a race{pp}, and {x} won"),
    "wish": ("1:closed {p} eyes{pp} and made a wish",), "nap": ("1:took a little nap{pp}",),
    "hug": ("1:gave {W} a big hug{pp}",), "smile": ("1:looked at the {things} with a big smile",),
    "name": ("1:gave the {thing} a funny name", "2:gave the {animal} a name"),
    "treasure": ("out2:looked for treasure{pp}", "out1:pretended that the {thing} was a treasure"),
    "secret": ("1:told {W} a secret{pp}",), "adventure": ("out2:went on a little adventure{pp}",),
    "question": ("1:asked {W} a question about the {animals}",), "joke": ("1:told {W} a funny joke about {a_animal}",),
    "trick": ("1:showed {W} a trick with the {thing}",), "noise": ("out1:heard a funny noise{pp}",),
    "sound": ("out1:listened to the sound of the {animals}", "1:liked the sound of the wind{pp}"),
    "shape": ("out1:drew every shape {s} knew on the ground", "1:found {a_thing} with a funny shape"),
    "circle": ("out1:drew a big circle on the ground with a stick", "2:sat in a circle{pp}"),
    "square": ("out1:drew a square on the ground with a stick",), "heart": ("out1:drew a heart on the ground for {W}",),
    "color": ("1:liked the color of the {things}",), "walk": ("out2:went for a walk{pp}", "out2:took a long walk{pp}"),
    "show": ("1:put on a little show for {W}{pp}",), "breath": ("out1:stopped and took a deep breath",),
    "tag": ("2:played tag{pp}",), "shadow": ("sun1:chased {p} shadow{pp}", "sun2:made funny shadows{pp}"),
    "hour": ("2:played{pp} for an hour",), "fun": ("2:had so much fun{pp}", "1:had fun with the {things}"),
    "music": ("out1:danced to the music of the birds", "1:made music with two sticks{pp}"),
    "idea": ("1:had an idea: to {act} next",), "plan": ("1:made a plan to {act}",),
    "choice": ("1:had to make a choice: {act} or {act2}",), "job": ("1:had a job: to {act}",),
    "party": ("2:had a little party{pp}",), "dream": ("1:told {W} about a funny dream {s} had",),
    "surprise": ("1:found a surprise{pp}: {a_animal}",), "word": ("1:taught {W} a new word",),
    "lesson": ("1:gave {W} a little lesson: how to {act}",), "mistake": ("1:made a little mistake, but {W} just laughed",),
    "birthday": ("2:talked about {p} next birthday{pp}",), "piece": ("1:gave {W} a piece of {p} snack",),
    "bath": ("in1:gave {p} teddy a bath",), "day": ("2:spent most of the day{pp}",),
    "trip": ("1:told {W} about a trip to the sea",),
}
_SEEN_PERSON = ("{x} waved to {a_w}{pp}", "{x} said hello to {a_w} who was walking by", "{A_w} waved at {x} and smiled",
                "{x} saw {a_w}{pp} and waved")
_PLAYING = ("played that they were {pl}{pp}", "pretended to be {pl}{pp}", "played at being {pl}{pp}")
_OUT_BODY = ("got some mud on {p} {w}, but {s} did not mind", "got a little scratch on {p} {w}{pp}, but it did not hurt",
             "had a leaf stuck to {p} {w}, and {W} laughed")
_GO = {"car": "went down the road", "bus": "went by", "truck": "went by", "tractor": "went by on the road",
       "bike": "went by with a bell", "scooter": "went by", "wagon": "went by", "van": "went by", "train": "went by far away",
       "plane": "flew high over them", "helicopter": "flew over them", "boat": "sailed by on the water",
       "ship": "sailed by far away"}
_WATER_PLACES = {"beach", "sea", "river", "lake", "pond", "bridge"}
_SKY = {"cloud": ("looked up and saw a cloud that looked like {a_animal}", "lay{pp} and looked at the clouds"),
        "sun": ("sun:turned {p} face to the warm sun", "sun:sat{pp} in the warm sun"),
        "wind": ("wind:felt the wind in {p} hair", "wind:let the wind blow {p} hair"),
        "hole": ("dug a little hole{pp} with a stick", "found a little hole{pp}"),
        "web": ("found a spider web{pp}", "looked at a spider web{pp}"), "hive": ("saw a bee hive high up in a tree",)}
_HOME_BODY = {"hand": "washed {p} hands", "face": "washed {p} face", "tooth": "brushed {p} teeth",
              "knee": "bumped {p} knee on a chair, but it did not hurt much", "toe": "bumped {p} toe on the bed",
              "head": "bumped {p} head on the table, but only a little", "finger": "got paint on {p} finger",
              "nose": "got a little paint on {p} nose", "foot": "wiggled {p} feet on the rug",
              "ear": "put {p} ear to the wall and listened", "tummy": "lay on {p} tummy on the rug",
              "back": "lay on {p} back on the floor", "arm": "stretched {p} arms up high",
              "leg": "stretched {p} legs on the rug", "hair": "brushed {p} hair in front of the mirror"}
_AT_HOME_PLACE = {"kitchen": "went to help in the kitchen", "room": "played in {p} room", "yard": "played in the yard",
                  "house": "ran around the house", "home": "was glad to be at home", "classroom": "played school in {p} room"}
_FAR = {"town", "village", "city", "mountain", "hill", "castle", "tower", "school", "farm", "forest", "river", "lake",
        "sea", "ocean", "bridge", "station", "barn", "field", "island", "beach", "road", "street", "path", "zoo", "park"}
# the seed adjective there: what the doing was (`{ing}`: the doing, as an -ing phrase), how the hero felt doing it
# (easy or hard: what takes care or skill; fun: what is lively; not "it was difficult to smell the bread")
_HARD = {"climb", "catch", "carry", "build", "stack", "count", "fix", "draw", "paint", "throw", "dig", "juggle", "tie",
         "fold", "collect"}
_PLAYFUL = {"chase", "throw", "bounce", "roll", "play", "build", "stack", "collect", "feed", "pet", "climb", "catch",
            "splash", "paint", "draw", "dig", "find", "pick"}
_ABSTRACT = {"easy": _HARD, "difficult": _HARD, "simple": _HARD, "fun": _PLAYFUL, "great": _PLAYFUL,
             "wonderful": _PLAYFUL, "amazing": _PLAYFUL}
_ABS_FRAMES = ("It was {w} to {word}{pp}.", "{Ing} was {w}.", "{x} found that {ing} was {w}.",
               "For {x}, {ing} was {w}.")
_ABS_THING = ("The {thing} there was {w}.", "{x} thought the {thing} was {w}.")  # (kind 2: of a thing, not a doing)
_GOOD_FEEL = {"happy", "excited", "proud", "glad", "calm", "cheerful"}
_FEEL_FRAMES = ("{x} felt {w} as {s} {past}{pp}.", "{x} was so {w} that {s} {past}.", "{x} {past}{pp}, and {s} felt {w}.")
_FOUND_AS = {w: ("find", "see", "look at", "pick") for w in
             ("empty", "rotten", "broken", "strange", "ugly", "loose", "open", "closed", "sticky", "slimy", "dirty")}
_CLIMB = {p: tuple(x for x in ("tree", "rock", "log", "branch") if x in ns) for p, ns in _NATURE_AT.items()}
_PLACE_SAY = {"peaceful": ("It was so peaceful at the {L}.", "The {L} was quiet and peaceful."),
              "rocky": ("{x} walked along a rocky path{pp}.",), "sandy": ("{x} walked along a sandy path{pp}.",),
              "grassy": ("{x} sat down on a grassy spot{pp}.",),
              "safe": ("{G} said that the {thing} was not safe to climb.",),
              "dangerous": ("{G} said that it was dangerous to climb the {thing}.",)}
# (a feeling of a moment that the doing itself ends, or what the doing was: the state keeps its feeling)
_MOMENT_ADJ = {"perfect": ("It was a perfect day at the {L} for {ing}.", "The {L} was a perfect place for {ing}."),
               "curious": ("{x} was curious and wanted to {word}.",),
               "ready": ("{x} was ready to {word}.",), "early": ("It was still early, so {x} {past}.",),
               "bored": ("For a moment, {x} was bored, so {s} {past}{pp}.",),
               "different": ("{x} {past}, and this time it was different.",)}
_BODY_FEEL = {"tired": "sat down{pp} to rest", "sleepy": "yawned and sat down{pp}", "hungry": "wished for a snack",
              "thirsty": "wished for some cold water"}


def _seed_noun(st, x, others, place: str, outdoor: bool, pp: str) -> str:
    """A doing at `place` with the seed noun (a clause: subject and verb phrase), or ''."""
    rng, n, w = st.rng, st.noun, st.noun["word"]
    k, pl, weather = n["kind"], n["plural"], st.state.weather
    if x is st.grownup and st.hero in others:  # (the child plays, not the grown-up)
        x, others = st.hero, [o for o in others if o is not st.hero] + [x]
    y = rng.choice(others) if others else None
    W = y.title if y is not None and y.title[:1].isupper() else ""
    animals = st.w.scene_animals(place) if outdoor else []
    an = rng.choice(animals)["word"] if animals else "cat"
    things = _NATURE_AT.get(place) or _SHOP.get(place) or ("ball", "block", "book")
    thing = rng.choice(things)
    fill = {"pp": pp, "W": W, "p": x.p, "s": x.s, "w": w, "pl": pl, "a_w": a(w), "A_w": a(w).capitalize(),
            "animal": an, "animals": st.w.vocab.noun[an]["plural"], "a_animal": a(an), "thing": thing, "a_thing": a(thing),
            "things": st.w.vocab.noun[thing]["plural"] if thing in st.w.vocab.noun else thing, "n": "the"}
    sun = weather in WARM or weather == "clear"
    if k == "event" or w in ("fun", "music"):
        opts = []
        for o in _EVENT_DO.get(w, ()):
            tag, vp = o.split(":", 1)
            if ("out" in tag and not outdoor) or ("in" in tag and outdoor) or ("sun" in tag and not (outdoor and sun)) or ("{W}" in vp and not W) \
                    or ("2" in tag and y is None):
                continue
            opts.append((tag[-1], vp))
        if not opts:
            return ""
        two, vp = rng.choice(opts)
        if "{act" in vp:  # (what they could do there, from its own doings)
            pairs = _busy(st, place, outdoor)
            for key, (v, objs) in zip(("act", "act2"), rng.sample(pairs, 2) if len(pairs) > 1 else pairs * 2):
                fill[key] = f"{beats.verb(st, v, 'word')} {_np(st, rng.choice(objs))}"
        vp = vp.format(x=st.nm(x) if "{x}" in vp else "", **fill)
        return f"{st.nm(x)} and {st.nm(y)} {vp}" if two == "2" else f"{st.sub(x)} {vp}"
    with_seed = [v for v, objs in _pairs(st, place, outdoor) if w in objs]
    if with_seed:  # a thing one does something with here
        v = rng.choice(with_seed)
        return f"{st.sub(x)} {beats.verb(st, v, 'past')} {_np(st, w, many=v.split()[0] in _MANY)}{pp}"
    if place == "home" and w in _HOME_BUSY:
        v, np = _HOME_BUSY[w]
        return f"{st.sub(x)} {beats.verb(st, v, 'past')} {np}"
    if k == "person" and w not in ("mom", "dad", "mommy", "daddy", "grandma", "grandpa", "sister", "brother", "baby",
                                   "friend", "family"):
        royal = {"king": "male", "prince": "male", "queen": "female", "princess": "female"}
        if w in ("fairy", "ghost", "monster", "giant", "pirate", "clown", *royal) and (outdoor or place == "home"):
            if w in royal and (x.gender != royal[w] or x is st.grownup):  # (a girl plays a queen, alone)
                return ""
            if y is None or w in royal:
                return f"{st.sub(x)} pretended to be {a(w)}{pp}"
            return f"{st.nm(x)} and {st.nm(y)} {rng.choice(_PLAYING).format(**fill)}"
        if not (outdoor or place in _SHOP) or w in ("people", "person"):
            if w in ("people", "person", "boy", "girl", "kid", "child", "man", "woman", "lady", "neighbor"):
                return ""
            return f"{st.sub(x)} pretended to be {a(w)}{pp}" if place == "home" else ""
        t = rng.choice(_SEEN_PERSON)
        return t.format(x=st.nm(x), **fill)
    if k == "animal" and n not in animals and (outdoor or place == "home"):
        K = facts.K
        if w in K.rel["can"].facts and rng.random() < 0.6:
            return f"{st.sub(x)} pretended to {rng.choice(K.values('can', w))} like {a(w)}{pp}"
        if y is None:
            return f"{st.sub(x)} pretended to be {a(w)}{pp}"
        return f"{st.nm(x)} and {st.nm(y)} {rng.choice(_PLAYING).format(**fill)}"
    if k == "body" and outdoor and w not in ("tail", "wing", "paw", "hair"):
        opts = [t for t in _OUT_BODY if W or "{W}" not in t]
        return f"{st.sub(x)} {rng.choice(opts).format(**fill)}"
    if k == "vehicle" and not outdoor and place == "home":
        return f"{st.sub(x)} played with a toy {w}{pp}"
    if k == "body" and not outdoor and w in _HOME_BODY:
        return f"{st.sub(x)} {_HOME_BODY[w].format(p=x.p)}"
    if k == "place" and place == "home" and w in _AT_HOME_PLACE:
        return f"{st.sub(x)} {_AT_HOME_PLACE[w].format(p=x.p)}"
    if k == "vehicle" and w in _GO and outdoor and (w not in ("boat", "ship") or place in _WATER_PLACES):
        return rng.choice((f"{a(w).capitalize()} {_GO[w]}, and {st.nm(x)} waved at it",
                           f"{st.sub(x)} waved at {a(w)} that {_GO[w]}"))
    if k == "nature" and outdoor and w in _SKY and weather not in ("rainy", "stormy", "snowy", "foggy"):
        opts = [t for t in _SKY[w] if not (t.startswith("sun:") and not sun) and not (t.startswith("wind:") and weather != "windy")]
        if not opts:
            return ""
        return f"{st.sub(x)} {rng.choice(opts).split(':', 1)[-1].format(**fill)}"
    if k == "place" and outdoor and w not in _AT_HOME_PLACE and w != place and place in st.w.coords:
        W_ = st.place_mark(w) if w in st.w.coords else w
        if w in ("road", "street", "path"):
            return f"{st.sub(x)} ran down the {W_} and back"
        return rng.choice((f"From the {st.place_mark(place)}, {st.nm(x)} could see the {W_} far away",
                           f"{st.sub(x)} looked at the {W_} far away"))
    return ""


def _seed_adj(st, x, group, place: str, outdoor: bool, pp: str) -> str:
    """A doing at `place` that says the seed adjective (feeling, what the doing was), or ''."""
    rng, adj = st.rng, st.adj
    w, cls = adj["word"], adj["class"]
    c = st.hero
    if c not in group or st.state.feeling.get(c.name) in LOW:
        return ""
    pairs = _busy(st, place, outdoor)
    if cls in ("thing", "any", "color") and (w not in _PASSING or w in _FOUND_AS) and not adj.get("predicative_only"):
        # a thing there that it fits, done with: "picked up a smooth stone" (`_np` puts the seed adjective
        # on; one of the moment's adjectives only on a thing found as it is: "found an empty nest")
        fit = [(v, o) for v, (o,) in _fit(st, place, outdoor, w) if w not in _PASSING or v in _FOUND_AS[w]]
        if not fit:
            return ""
        v, o = rng.choice(fit)
        x = c if c in group and rng.random() < 0.7 else rng.choice(group)
        np = _np(st, o, many=v.split()[0] in _MANY) if w not in _PASSING else a(f"{w} {o}")
        st.used_adj = True
        return f"{st.sub(x)} {beats.verb(st, v, 'past')} {np}{pp}."
    if w in _PLACE_SAY and outdoor and place in st.w.coords:
        g = st.grownup
        t = rng.choice(_PLACE_SAY[w])
        if "{G}" in t and (g not in group or not _CLIMB.get(place)):
            return ""
        return t.format(L=st.place_mark(place), x=st.nm(c), G=st.nm(g) if "{G}" in t else "", pp=pp,
                        thing=rng.choice(_CLIMB.get(place) or ("rock",)), w=w)
    if w in _ABSTRACT:
        pairs = [p for p in pairs if p[0].split(" ", 1)[0] in _ABSTRACT[w]]
    if not pairs or not (w in _ABSTRACT or w in _GOOD_FEEL or w in _BODY_FEEL or w in _MOMENT_ADJ):
        return ""
    v, objs = rng.choice(pairs)
    np = _np(st, rng.choice(objs), many=v.split()[0] in _MANY)
    if w in _MOMENT_ADJ:
        ing = f"{beats.verb(st, v, 'ing')} {np}"
        t = rng.choice(_MOMENT_ADJ[w])
        if ("{L}" in t and not (outdoor and place in st.w.coords)) or ("early" == w and st.state.time != "morning"):
            return ""
        return t.format(x=st.nm(c), s=c.s, ing=ing, word=f"{beats.verb(st, v, 'word')} {np}",
                        past=f"{beats.verb(st, v, 'past')} {np}", L=st.place_mark(place) if "{L}" in t else "", pp=pp)
    if w in _ABSTRACT:
        ing = f"{beats.verb(st, v, 'ing')} {np}"
        t = rng.choice(_ABS_FRAMES)
        return t.format(w=w, word=f"{beats.verb(st, v, 'word')} {np}", pp=pp, ing=ing, Ing=ing[:1].upper() + ing[1:],
                        x=st.nm(c))
    if w in _GOOD_FEEL:
        past = f"{beats.verb(st, v, 'past')} {np}"
        st.state.feel(c.name, w)
        return rng.choice(_FEEL_FRAMES).format(x=st.nm(c), w=w, s=c.s, S=c.s.capitalize(), past=past, pp=pp)
    if w in _BODY_FEEL:
        st.state.feel(c.name, w)
        return f"After a while, {st.nm(c)} was {w}, so {c.s} {_BODY_FEEL[w].format(pp=pp)}."
    return ""


def seed_doing(st, group: list, x, others, place: str, outdoor: bool, pp: str, opener: str, p: float = SEED_P) -> bool:
    """The seed noun or adjective in a doing at `place`, where the plot had no slot for it yet (with
    probability `p` each). True if written."""
    rng, n = st.rng, st.noun
    if not st.used_noun and not st.doc.has_word(n["word"], n["plural"]) and rng.random() < p:
        t = _seed_noun(st, x, others, place, outdoor, pp)
        if t:
            st.s(f"{'' if t.split(' ', 1)[0] in ('A', 'An', 'From') else opener}{t}.")
            return True
    if not st.used_adj and rng.random() < p:
        t = _seed_adj(st, x, group, place, outdoor, pp)
        if t:
            st.used_adj = True
            st.s(t)
            return True
    return False
