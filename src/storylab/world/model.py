"""The world a story happens in: the village map, the calendar, characters, and word pools.

Everything here is built once per process from the vocabulary (`World.get()`), so that
writing one story is only random choices and string formatting.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from storylab.world.knowledge import load_knowledge
from storylab.world.vocabulary import Vocabulary, load_vocabulary

DIRECTIONS = {"north": (0, 1), "south": (0, -1), "east": (1, 0), "west": (-1, 0)}
OPPOSITE = {"north": "south", "south": "north", "east": "west", "west": "east"}
TIMES_OF_DAY = ["morning", "noon", "afternoon", "evening", "night"]
HOURS = {"morning": 8, "noon": 12, "afternoon": 15, "evening": 19, "night": 22}
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
SEASONS = ["spring", "summer", "fall", "winter"]
COLORS = ["red", "blue", "green", "yellow", "pink", "purple", "brown", "black", "white", "orange", "gray"]

FAMILY = {"mom": ("Mom", "female"), "dad": ("Dad", "male"), "grandma": ("Grandma", "female"),
          "grandpa": ("Grandpa", "male")}
HELPER_PEOPLE = {"teacher": "female", "farmer": "male", "baker": "female", "doctor": "female", "nurse": "female",
                 "neighbor": "male", "king": "male", "queen": "female", "prince": "male", "princess": "female",
                 "fairy": "female", "clown": "male", "lady": "female", "man": "male", "woman": "female",
                 "giant": "male", "pirate": "male"}
NAME_WEIGHT = 8  # how much more often a common child's name is drawn than a rare one (rare heroes: 1 in 5)
WISE_ANIMALS = ["owl", "bird", "squirrel", "rabbit", "turtle", "duck", "fox", "bear", "dog", "cat", "horse", "frog"]

# which nouns a child can carry around, lose, share, hold; the rest are scenery
_PORTABLE_KINDS = {"toy", "clothing", "instrument", "tool", "food"}
_PORTABLE_OTHER = {"box", "bag", "cup", "plate", "bowl", "spoon", "key", "book", "pencil", "pen", "crayon", "brush",
                   "comb", "towel", "blanket", "pillow", "basket", "bottle", "jar", "candle", "mirror", "picture",
                   "photo", "letter", "gift", "present", "ring", "necklace", "bell", "bucket", "umbrella",
                   "flashlight", "map", "button", "coin", "card", "note", "toothbrush", "bandage", "drawing",
                   "ticket", "leaf", "rock", "stone", "shell", "feather", "seed", "acorn", "pebble", "flower",
                   "rose", "daisy", "tulip", "snowball", "mushroom", "bone", "phone", "clock", "lamp", "radio",
                   "vase"}
_NOT_SCENERY = {"sun", "moon", "sky", "star", "storm", "wind", "rain", "snow", "thunder", "ground", "wave", "hole",
                "seed", "bone", "web", "snowflake", "snowman", "snowball", "ice", "fire", "shade", "hive"}
_COMMON_ANIMALS = ["bird", "dog", "cat", "squirrel", "rabbit", "butterfly", "bee", "ant", "ladybug", "puppy", "kitten",
                   "robin", "duck", "frog", "snail"]
_ABILITY = {"fly": "fly", "swim": "swim", "splash": "swim", "hop": "hop", "jump": "hop", "run": "run",
            "crawl": "crawl", "climb": "climb"}
_NOT_ITEMS = {"swing", "slide", "rope", "bubble", "toy", "breakfast", "lunch", "dinner", "snack", "knife", "needle",
              "ice cream", "scissors"}

@dataclass(slots=True)
class Char:
    """A character: how to name them and which pronouns to use."""

    name: str
    gender: str  # female | male
    kind: str  # girl | boy | an animal word | mom | teacher | ...
    role: str  # main | friend | helper
    rec: dict = field(default_factory=dict)
    s: str = ""  # she / he
    o: str = ""  # her / him
    p: str = ""  # her / his
    r: str = ""  # herself / himself
    title: str = ""  # how narration names them: "Lily", "Mom", "the owl"
    first: str = ""  # how they are introduced, if different: "a wise owl"

    def __post_init__(self):
        f = self.gender == "female"
        self.s, self.o, self.p, self.r = ("she", "her", "her", "herself") if f else ("he", "him", "his", "himself")
        self.title = self.title or self.name
        self.rec = {"name": self.name, "gender": self.gender, "kind": self.kind, "role": self.role}

    @property
    def is_child(self) -> bool:
        return self.kind in ("girl", "boy")


class World:
    """Word pools and the map, derived once from the vocabulary."""

    _instance: "World | None" = None

    def __init__(self, vocab: Vocabulary):
        v = self.vocab = vocab
        kb = self.kb = load_knowledge()
        self.places = {p["word"]: p for p in v.places}
        self.coords = {p["word"]: (p["x"], p["y"]) for p in v.places}
        self.at_xy = {(p["x"], p["y"]): p["word"] for p in v.places}
        self.place_outdoor = {p["word"]: p["outdoor"] for p in v.places}  # (read-only: every story's State shares it)
        # children's names as drawn: the common ones (TinyStories' Lily, Tom, Ben...) NAME_WEIGHT times as often as
        # the rare ones, as names are in TinyStories (a few frequent, a long tail)
        self.girls = [n["name"] for n in v.names if n["kind"] == "child" and n["gender"] == "female"
                      for _ in range(1 if n.get("rare") else NAME_WEIGHT)]
        self.boys = [n["name"] for n in v.names if n["kind"] == "child" and n["gender"] == "male"
                     for _ in range(1 if n.get("rare") else NAME_WEIGHT)]
        self.pet_names = [(n["name"], n["gender"]) for n in v.names if n["kind"] == "pet"]
        nouns = v.nouns
        self.char_animals = [n for n in nouns if n["kind"] == "animal" and "char" in n["attrs"]]
        self.pets = [n for n in nouns if n["kind"] == "animal" and "pet" in n["attrs"] and n["word"] not in ("fish",)]
        self.items = [n for n in nouns if self.portable(n) and n["word"] not in _NOT_ITEMS and not n.get("mass")]
        self.toys = [n for n in self.items if n["kind"] == "toy"]
        self.foods = [n for n in nouns if n["kind"] == "food" and not n.get("mass") and "meal" not in n["attrs"]
                      and n["word"] not in ("snack",)]
        self.fruits = [n for n in self.foods if "fruit" in n["attrs"]]
        self.countable_foods = [n for n in self.foods if n["word"] not in ("pizza", "salad", "pie", "cake")]
        self.non_food_items = [n for n in self.items if n["kind"] != "food"]
        self.seed_verbs = [x for x in v.verbs if x.get("seed")]
        self.seed_nouns = list(nouns)
        self.adjectives = list(v.adjectives)
        # the objects each verb fits, resolved once
        self.verb_objects = {x["word"]: v.fitting_nouns(x["objects"]) for x in v.verbs if x.get("objects")}
        self.animals = [n for n in nouns if n["kind"] == "animal"]
        self._animal_verbs = [v.verb[x] for x in ("sleep", "play", "jump", "run", "rest", "hop", "crawl", "sit", "dig",
                                                  "wiggle", "splash", "swim", "fly", "sing", "chirp", "hide")]
        self.adj_nouns = {}
        for a in v.adjectives:
            fits = a.get("fits") or []
            self.adj_nouns[a["word"]] = [n for n in v.fitting_nouns(fits) if n["kind"] != "person"
                                         and not kb.clashes(a["word"], n["word"])] if fits else []

        self.scene_adjs = [a for a in v.adjectives if a["class"] in ("thing", "color", "any") and self.adj_nouns[a["word"]]
                           and not a.get("predicative_only") and a["word"] not in ("broken", "favorite", "magic")]
        # scenery: things one sees outside; colors only on made things (no "orange strawberries")
        self.scene_nouns = {}
        for a in self.scene_adjs:
            kinds = ("toy", "vehicle", "clothing", "household") if a["class"] == "color" or a["word"] in (
                "colorful", "new", "clean", "dirty", "empty", "full") else ("nature", "vehicle", "toy", "food")
            self.scene_nouns[a["word"]] = [n for n in self.adj_nouns[a["word"]] if n["kind"] in kinds
                                           and n["word"] not in _NOT_SCENERY]
        self.scene_adjs = [a for a in self.scene_adjs if self.scene_nouns[a["word"]]]
        self.outdoor = [n for n in nouns if n["kind"] == "nature" and not n.get("mass") and n["word"] not in _NOT_SCENERY]
        # animals one may pass on a walk: those the knowledge base puts at a place, and everyday ones
        water = {"sea", "pond", "river", "lake"}
        self._common_animals = [v.noun[x] for x in _COMMON_ANIMALS]
        self._place_animals = {p: [v.noun[x] for x in subs if x in v.noun and v.noun[x]["kind"] == "animal"
                                   and not set(kb.values("lives", x)) <= water]
                               for p, subs in kb.found_at.items()}

    def scene_animals(self, place: str) -> list[dict]:
        return self._place_animals.get(place, []) + self._common_animals

    def animal_verbs(self, an: dict) -> list[dict]:
        """Intransitive things an animal can be seen doing (fly only if it can fly, ...)."""
        at, word, kb = an["attrs"], an["word"], self.kb
        out = []
        for x in self._animal_verbs:
            v = x["word"]
            if (v == "fly" and "can_fly" not in at) or (v in ("swim", "splash") and "can_swim" not in at):
                continue
            ability = _ABILITY.get(v)
            if ability and kb.false("can", word, ability):
                continue
            if v in ("hop", "crawl") and not kb.true("can", word, v):
                continue
            if v in ("sing", "chirp") and word not in ("bird", "robin", "parrot", "crow"):
                continue
            out.append(x)
        return out

    @classmethod
    def get(cls) -> "World":
        if cls._instance is None:
            cls._instance = cls(load_vocabulary())
        return cls._instance

    @staticmethod
    def portable(n: dict) -> bool:
        return n["kind"] in _PORTABLE_KINDS or n["word"] in _PORTABLE_OTHER

    def neighbor(self, place: str, direction: str) -> str | None:
        """The place one block away in `direction` on the village grid, if any."""
        x, y = self.coords[place]
        dx, dy = DIRECTIONS[direction]
        return self.at_xy.get((x + dx, y + dy))


def village_map() -> dict[str, tuple[int, int]]:
    """Place word -> (x, y) on the village grid (x grows to the east, y to the north)."""
    return dict(World.get().coords)
