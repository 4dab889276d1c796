"""One story: cast, seed words, setting, a plot, micro-skill episodes, and the ending.

A `Story` is written in three paragraphs, like most TinyStories:

1. setup: who, where, when, what they love (seed verb), their thing (seed noun /
   adjective), a foreshadowing hint, and one or two skill episodes;
2. the plot: want -> problem -> help (or a twist) -> outcome, good or bad;
3. the ending: how it turned out, a closing episode, and the moral if there is one.

The plots (`plots.py`) and the skill episodes (`skills.py`) write sentences through
the helpers here (`say`, `place_mark`, `time_mark`) so that every place and time word
and every skill answer gets its character offset recorded in ``meta``.
"""

from __future__ import annotations

import random

from storylab.world import facts, plots, skills
from storylab.world.model import DAYS, FAMILY, HELPER_PEOPLE, HOURS, SEASONS, WISE_ANIMALS, Char, World
from storylab.world.text import Doc, a, quote

FEATURES = ("Dialogue", "BadEnding", "MoralValue", "Twist", "Foreshadowing", "Conflict")
FEATURE_P = {"Dialogue": 0.5, "BadEnding": 0.15, "MoralValue": 0.35, "Twist": 0.25, "Foreshadowing": 0.25,
             "Conflict": 0.3}
TIME_KIND = {"morning": "time_of_day", "noon": "time_of_day", "afternoon": "time_of_day", "evening": "time_of_day",
             "night": "time_of_day", **{d: "day" for d in DAYS}, **{s: "season" for s in SEASONS}}
TIME_VALUE = {**HOURS, **{d: i for i, d in enumerate(DAYS)}, **{s: i for i, s in enumerate(SEASONS)}}
_MAP_NOUN_SETTINGS = {"park", "pond", "beach", "farm", "garden", "forest", "lake", "hill", "field", "river",
                      "playground", "zoo", "library", "school", "bakery", "market", "pool"}


class Story:
    """Writes one story from an rng; `build()` returns (text, words, features, meta)."""

    def __init__(self, world: World, rng: random.Random, words: dict | None = None,
                 features: list[str] | None = None):
        self.w, self.rng = world, rng
        self.doc = Doc()
        self.pending_skills: list[dict] = []
        self.meta: dict = {"places": [], "times": [], "skills": []}
        self.time_words: list[str] = []
        v = world.vocab
        words = words or {}
        self.verb = v.verb[words["verb"]] if "verb" in words else rng.choice(world.seed_verbs)
        self.noun = v.noun[words["noun"]] if "noun" in words else rng.choice(world.seed_nouns)
        self.adj = v.adjective[words["adjective"]] if "adjective" in words else rng.choice(world.adjectives)
        if features is None:
            features = [f for f in FEATURES if rng.random() < FEATURE_P[f]]
        self.features = list(features)
        self.f = set(features)
        self.used_adj = False
        self.used_noun = False
        self.friend: Char | None = None
        self.mentioned: set[str] = set()
        self.conflict_open = False
        self.late_skill = None
        self.flags: dict = {}  # plot state (plots are shared singletons and must stay stateless)

    # --- marking helpers -------------------------------------------------------

    def place_mark(self, text: str, word: str | None = None) -> str:
        """A place word with its offset and map coordinates recorded in meta["places"]."""
        word = word or text
        x, y = self.w.coords[word]
        rec = {"name": word, "x": x, "y": y}
        self.meta["places"].append(rec)
        return self.doc.m(text, rec)

    def time_mark(self, word: str) -> str:
        rec = {"word": word, "kind": TIME_KIND[word], "value": TIME_VALUE[word]}
        self.meta["times"].append(rec)
        return self.doc.m(word, rec)

    def say(self, who: str, line: str, verb: str = "said") -> None:
        self.doc.s(quote(self.rng, who, line, verb))

    def pick(self, *options):
        return self.rng.choice(options)

    @property
    def parent(self) -> str:
        """'her mom' as a noun phrase in narration."""
        return f"{self.main.p} {self.parent_title.lower()}"

    @property
    def friend_or_parent(self) -> str:
        return self.friend.name if self.friend else self.parent_title

    # --- cast and setting ------------------------------------------------------------

    def cast(self) -> None:
        rng, w, n = self.rng, self.w, self.noun
        animal_main = n["kind"] == "animal" and "char" in n["attrs"] and rng.random() < 0.5
        if animal_main or (rng.random() < 0.2):
            kind = n["word"] if animal_main else rng.choice(w.char_animals)["word"]
            if rng.random() < 0.5:
                name, gender = rng.choice(w.pet_names)
            else:
                gender = rng.choice(("female", "male"))
                name = rng.choice(w.girls if gender == "female" else w.boys)
            self.main = Char(name, gender, kind, "main")
        else:
            gender = rng.choice(("female", "male"))
            self.main = Char(rng.choice(w.girls if gender == "female" else w.boys), gender,
                             "girl" if gender == "female" else "boy", "main")
        self.used_noun |= self.main.kind == n["word"]
        self.parent_title = rng.choice(("Mom", "Mom", "Dad"))
        self.parent_char = Char(self.parent_title, "female" if self.parent_title == "Mom" else "male",
                                self.parent_title.lower(), "parent")
        # a friend of the same species (a child for children)
        fg = rng.choice(("female", "male"))
        names = [x for x in (w.girls if fg == "female" else w.boys) if x != self.main.name]
        fkind = ("girl" if fg == "female" else "boy") if self.main.is_child else self.pick(
            self.main.kind, rng.choice(w.char_animals)["word"])
        self.friend = Char(rng.choice(names), fg, fkind, "friend")
        self.friend.first = f"{self.main.p} friend {self.friend.name}"
        self.helper = self._helper()

    def _helper(self) -> Char:
        """Who helps: a family member, a grown-up from the seed noun, a wise animal, or the friend."""
        rng, n = self.rng, self.noun
        if n["word"] in FAMILY:
            title, g = FAMILY[n["word"]]
            self.used_noun = True
            return Char(title, g, n["word"], "helper")
        if n["word"] in HELPER_PEOPLE and rng.random() < 0.8:
            self.used_noun = True
            return Char(n["word"], HELPER_PEOPLE[n["word"]], n["word"], "helper", title=f"the {n['word']}",
                        first=a(f"{self.pick('kind', 'nice', 'friendly', 'old')} {n['word']}"))
        if n["kind"] == "animal" and "char" in n["attrs"] and not self.used_noun and rng.random() < 0.6:
            self.used_noun = True
            return Char(n["word"], rng.choice(("female", "male")), n["word"], "helper", title=f"the {n['word']}",
                        first=a(f"{self.pick('kind', 'old', 'little', 'friendly', 'wise')} {n['word']}"))
        r = rng.random()
        if r < 0.45:
            return self.parent_char
        if r < 0.6:
            title, g = FAMILY[rng.choice(("grandma", "grandpa"))]
            return Char(title, g, title.lower(), "helper")
        if r < 0.8 and self.friend:
            return self.friend
        an = rng.choice(WISE_ANIMALS)
        return Char(an, rng.choice(("female", "male")), an, "helper", title=f"the {an}",
                    first=a(f"{self.pick('kind', 'old', 'wise', 'friendly')} {an}"))

    def setting(self) -> None:
        rng, w, n = self.rng, self.w, self.noun
        self.season = rng.choice(SEASONS)
        self.day = rng.choice(DAYS)
        if n["word"] in w.coords and rng.random() < 0.85:
            self.place = n["word"]
            self.used_noun = True
        else:
            self.place = rng.choice(sorted(_MAP_NOUN_SETTINGS))
        self.item = self._item()
        self.item_adj = self._item_adj()

    def _item(self) -> dict:
        n, w = self.noun, self.w
        if (w.portable(n) and not n.get("mass") and n["word"] not in ("box", "bag", "basket", "bucket")
                and n in w.items):
            self.used_noun = True
            return n
        return self.rng.choice(w.toys if self.rng.random() < 0.6 else w.non_food_items)

    def _item_adj(self) -> str:
        """An adjective for the item: the seed adjective if it fits, else a color or size."""
        adj, it = self.adj, self.item
        fits = self.w.adj_nouns.get(adj["word"], [])
        if adj["class"] in ("color", "any", "thing") and not adj.get("predicative_only") and it in fits:
            self.used_adj = True
            return adj["word"]
        if it["kind"] == "food":
            return self.pick("big", "little", "yummy", "fresh", "red", "sweet") if "sweet" in it["attrs"] else \
                self.pick("big", "little", "fresh", "yummy")
        return self.pick("red", "blue", "green", "yellow", "pink", "purple", "shiny", "little", "big", "new",
                         "soft" if "soft" in it["attrs"] else "old")

    # --- the story ---------------------------------------------------------------------

    def build(self) -> tuple[str, dict, list[str], dict]:
        self.cast()
        self.setting()
        plot = plots.choose(self)
        self.intro(plot)
        self.doc.para()
        plot.middle(self)
        self.doc.para()
        plot.ending(self)  # which also makes sure the seed words are in
        text = self.doc.finish()
        return text, self.words(), self.features, self.finish_meta(plot)

    def words(self) -> dict:
        return {"verb": self.verb["word"], "noun": self.noun["word"], "adjective": self.adj["word"]}

    def finish_meta(self, plot) -> dict:
        m = self.meta
        chars = [self.main, self.friend, self.helper, self.parent_char]
        seen, out = set(), []
        for c in chars:
            if c and "first_mention" in c.rec and c.rec["name"] not in seen:
                seen.add(c.rec["name"])
                out.append(c.rec)
        m["characters"] = out
        m["main_character"] = self.main.name
        m["plot"] = plot.name
        m["outcome"] = "bad" if "BadEnding" in self.f else "good"
        m["item"] = self.item["word"]
        m["setting"] = {"name": self.place, "x": self.w.coords[self.place][0], "y": self.w.coords[self.place][1]}
        m["time"] = {"season": self.season, "day": self.day, "time_of_day": "morning"}
        m["places"] = [p for p in m["places"] if "offset" in p]
        m["times"] = [t for t in m["times"] if "offset" in t]
        m["skills"] = [s for s in self.pending_skills if "prompt_end" in s]
        m.setdefault("boxes", [])
        return m

    def mention(self, c: Char) -> str:
        """A character's name, marked as its first mention the first time it is written."""
        if c.name in self.mentioned:
            return c.title
        self.mentioned.add(c.name)
        intro = c.first or c.title
        if intro != c.name and intro.endswith(c.name):  # "a wise owl": point at "owl"
            return intro[: -len(c.name)] + self.doc.m(c.name, c.rec, "first_mention")
        return self.doc.m(c.title, c.rec, "first_mention")

    # intro -----------------------------------------------------------------------------

    def intro(self, plot) -> None:
        rng, c, doc = self.rng, self.main, self.doc
        trait = self._trait()
        kind = c.kind
        N = self.mention(c)
        season = self.time_mark(self.season)
        place = self.place_mark(self.place)
        r = rng.random()
        desc = f"{trait} {kind}" if trait else f"little {kind}"
        if r < 0.3:
            doc.s(f"Once upon a time, there was {a(desc)} named {N}.")
            doc.s(self.pick(f"{c.s} lived in a small house near the {place}.",
                            f"{c.s} lived with {c.p} family in a little village, not far from the {place}."))
            doc.s(f"It was {self._season_phrase(season)}.")
        elif r < 0.55:
            doc.s(f"One {self._day_adj()} {season} {self.pick('morning', 'day')}, {a(desc)} named {N} "
                  f"went to the {place} with {self.parent}.")
        elif r < 0.8:
            doc.s(f"{N} was {a(desc)} who lived near the {place}.",
                  f"It was {self._season_phrase(season)}, and {c.s} was {self.pick('happy', 'excited', 'glad')}.")
        else:
            day = self.time_mark(self.day)
            doc.s(f"On {day}, {a(desc)} named {N} woke up early.",
                  f"It was {self._season_phrase(season)}, and {c.s} wanted to go to the {place}.")
        self.verb_intro()
        self.item_intro()
        self.noun_scene()
        if self.rng.random() < 0.35:
            self.noun_plural()
        if self.rng.random() < 0.4:
            self.scenery()
        if self.rng.random() < 0.65:
            facts.episode(self, "setup")
        if "Foreshadowing" in self.f:
            plot.foreshadow(self)
        self.setup_skills()

    def _trait(self) -> str:
        adj = self.adj
        if adj["class"] == "trait" and not self.used_adj and not adj.get("predicative_only"):
            self.used_adj = True
            return adj["word"]
        return self.pick("", "", "kind", "happy", "curious", "little", "brave", "cheerful", "playful", "small")

    def _day_adj(self) -> str:
        adj = self.adj
        if adj["class"] == "weather" and not self.used_adj and "day" in [n["word"] for n in self.w.adj_nouns[adj["word"]]]:
            if not (adj["word"] == "snowy" and self.season != "winter"):
                self.used_adj = True
                return adj["word"]
        return {"winter": self.pick("cold", "snowy", "bright", "quiet"), "summer": self.pick("sunny", "hot", "warm", "bright"),
                "spring": self.pick("sunny", "warm", "bright", "windy"), "fall": self.pick("windy", "cool", "cloudy", "sunny")}[self.season]

    def _season_phrase(self, season_marked: str) -> str:
        return f"{a(self._day_adj())} {season_marked} day"

    def verb_intro(self) -> None:
        """The seed verb, used as what the hero loves to do."""
        c, v = self.main, self.verb
        phrase = self.verb_phrase("word")
        self.doc.s(self.pick(f"{c.name} loved to {phrase}.", f"More than anything, {c.s} liked to {phrase}.",
                             f"Every day, {c.name} liked to {phrase}.",
                             f"{c.s} was always happy when {c.s} could {phrase}."))
        r = self.rng.random()
        if r < 0.3:
            self.doc.s(self.pick(f"{c.s} {self.verb_phrase('past')} {self.pick('every day', 'all the time', 'a lot')}.",
                                 f"Once, {c.s} {self.verb_phrase('past')} for a long time."))
        elif r < 0.55:
            self.doc.s(self.pick(f"{c.name} could spend hours {self.verb_phrase('ing')}.",
                                 f"{c.s} had fun {self.verb_phrase('ing')} with {c.p} friends."))
        elif r < 0.8:
            self.doc.s(f'{c.p} {self.parent_title.lower()} often said, "{c.name} {self.verb_phrase("third")} '
                       f'{self.pick("all day long", "every day", "better than anyone")}!"')

    def scenery(self) -> None:
        """A passing sight with words drawn from the whole vocabulary, so the corpus uses all of it,
        or, half the time, an everyday fact about what is there (`facts.episode`)."""
        w, rng = self.w, self.rng
        if rng.random() < 0.5 and facts.episode(self, "scene"):
            return
        adj = rng.choice(w.scene_adjs)
        noun = rng.choice(w.scene_nouns[adj["word"]])
        if rng.random() < 0.5:
            an = rng.choice(w.scene_animals(self.place))
            v = rng.choice(w.animal_verbs(an))
            where = "in the water" if v["word"] in ("swim", "splash") else \
                self.pick(f"by the {rng.choice(w.outdoor)['word']}", "near the path", "under a tree")
            self.doc.s(self.pick(f"On the way, {self.main.s} saw {a(an['word'])} {v['ing']} {where}.",
                                 f"There were some {an['plural']} {v['ing']} {where}."))
        elif noun.get("mass"):
            self.doc.s(f"There was some {adj['word']} {noun['word']} on the ground.")
        else:
            one = rng.random() < 0.6
            self.doc.s(self.pick(f"{self.main.name} saw {a(adj['word'] + ' ' + noun['word'])} and smiled.",
                                 f"It was the {adj['superlative']} {noun['word']} {self.main.s} had ever seen." if "superlative" in adj and one and adj["class"] != "color"
                                 and not adj["superlative"].startswith("most")
                                 else f"There were many {adj['word']} {noun['plural']} there."))

    def verb_phrase(self, form: str) -> str:
        """The seed verb in `form` with a fitting object or preposition."""
        v, c = self.verb, self.main
        head = v[form]
        objs = self.w.verb_objects.get(v["word"])
        if not objs:
            return head
        if not hasattr(self, "_vobj"):
            it = self.item
            self._vobj = it if it in objs else (self.noun if self.noun in objs else self.rng.choice(objs))
            self.used_noun |= self._vobj is self.noun
        o = self._vobj
        if o["kind"] in ("person",) or o["word"] in FAMILY:
            np = f"{c.p} {o['word']}"
        elif o["kind"] in ("place", "nature", "event", "vehicle") or o.get("mass"):
            np = o["word"] if o.get("mass") else f"the {o['word']}"
        elif o["kind"] in ("body", "clothing"):
            np = f"{c.p} {o['plural'] if o['word'] in _PAIRED else o['word']}"
        else:
            np = o["plural"]
        if o is self.item:
            np = f"{c.p} {o['word']}"
        prep = v.get("prep")
        return f"{head} {prep} {np}" if prep else f"{head} {np}"

    def item_intro(self) -> None:
        c, it, adj = self.main, self.item, self.item_adj
        desc = f"{adj} {it['word']}"
        if self.rng.random() < 0.3:
            self.doc.s(f"{c.name} loved {it['plural']}.")
        self.doc.s(self.pick(
            f"{c.s} had {a(desc)} that {c.s} loved very much.",
            f"{c.name}'s favorite thing was {a(desc)}.",
            f"{c.p} {self.pick('grandma', 'grandpa', 'mom', 'dad')} had given {c.o} {a(desc)}, and {c.s} took it everywhere.",
            f"{c.s} had {a(desc)}. It was {c.p} favorite."))

    def noun_scene(self) -> None:
        """If the seed noun is not the hero, the item or the helper, put it in the scene."""
        if self.used_noun:
            return
        self.used_noun = True
        if self.rng.random() < 0.5 and facts.about_word(self, self.noun["word"]):
            return
        self.doc.s(plots.noun_sentence(self, self.noun))

    def setup_skills(self) -> None:
        """One or two skill episodes: the first in the setup, a second one saved for the ending.

        A seed adjective such as hungry or tired brings its everyday fact with it."""
        opts = [skills.counting, skills.boxes, skills.negation, skills.exclusion, skills.fact]
        first, second = self.rng.sample(opts, 2)
        aw = self.adj["word"]
        if aw in ("hungry", "thirsty", "sick") and self.main.is_child:
            skills.fact(self, key=aw)
        elif aw in ("tired", "sleepy") and self.main.is_child:
            self.late_skill = lambda st: skills.fact(st, key="tired")
            first(self)
            return
        else:
            first(self)
        self.late_skill = second if self.rng.random() < 0.5 else None

    def adj_or(self, default: str) -> str:
        """The seed adjective if it is `default`'s kind of word and unused (sleepy for tired), else `default`."""
        aw = self.adj["word"]
        if not self.used_adj and (aw == default or (default in ("tired", "sleepy") and aw in ("tired", "sleepy"))):
            self.used_adj = True
            return aw
        return default

    def seed_extras(self) -> None:
        """More forms of the seed words (comparative, superlative, adverb, participle, plural),
        so that across a corpus every form the vocabulary has gets used in context."""
        rng, c, adj, doc = self.rng, self.main, self.adj, self.doc
        cmp_, sup = adj.get("comparative", ""), adj.get("superlative", "")
        one_word = " " not in cmp_
        r = rng.random()
        if cmp_ and one_word and r < 0.7:
            cls, w = adj["class"], adj["word"]
            if cls in ("feeling",):
                doc.s(self.pick(f"{c.name} had never felt {cmp_}.", f"It was the {sup} day of {c.p} life."))
            elif cls == "trait":
                doc.s(self.pick(f"Everyone said that {c.name} was {cmp_} than before.",
                                f"{c.name} was the {sup} {c.kind} in the village."))
            elif self.item_adj == w:
                doc.s(self.pick(f"It was even {cmp_} than {self.friend.name}'s {self.item['word']}.",
                                f"It was the {sup} {self.item['word']} in the whole village."))
            else:
                nouns = self.w.scene_nouns.get(w) or [x for x in self.w.adj_nouns.get(w, [])
                                                      if x["kind"] not in ("person", "event", "body")]
                if nouns:
                    n = rng.choice(nouns)
                    if n.get("mass"):
                        doc.s(f"The {n['word']} there was {cmp_} than anywhere else.")
                    else:
                        doc.s(self.pick(f"{c.name} saw the {sup} {n['word']} {c.s} had ever seen.",
                                        f"The {n['plural']} there were {cmp_} than the ones at home."))
        if "adverb" in adj and rng.random() < 0.6:
            doc.s(f"{c.name} {self.verb_phrase('past')} {adj['adverb']}.")
        if rng.random() < 0.35 and self.verb["participle"] != self.verb["past"]:
            doc.s(f"{c.name} had never {self.verb_phrase('participle')} like that before.")

    def noun_plural(self) -> None:
        """The seed noun in the plural, in a sentence that suits its kind."""
        n, c = self.noun, self.main
        k, pl = n["kind"], n["plural"]
        if n.get("mass") or pl == n["word"] or n["kind"] == "event":
            return
        if k == "body":
            if n["word"] in _PAIRED:
                self.doc.s(f"{c.name} wiggled {c.p} {pl}.") if n["word"] in ("toe", "finger", "foot") else \
                    self.doc.s(f"After playing, all the children had dirty {pl}.")
            else:
                self.doc.s(f"After playing, all the children had dirty {pl}.")
        elif k in ("person", "place"):
            self.doc.s(f"{c.name} liked to read books about {pl}.")
        else:
            self.doc.s(self.pick(f"{c.name} liked {pl} very much.", f"{c.name} loved all kinds of {pl}."))

    def ensure_seed_words(self) -> None:
        """Make sure the three seed words made it into the text (a plot may skip the beat that had them)."""
        doc, v, n, a_ = self.doc, self.verb, self.noun, self.adj
        if not doc.has_word(v["word"], v["past"], v["ing"], v["third"], v["participle"]):
            doc.s(self.pick(f"Later, {self.main.s} {self.verb_phrase('past')} again.",
                            f"After that, {self.main.name} {self.verb_phrase('past')} one more time."))
        if not doc.has_word(n["word"], n["plural"]):
            doc.s(plots.noun_sentence(self, n))
        if not self.used_adj or not doc.has_word(a_["word"], a_.get("comparative"), a_.get("superlative")):
            doc.s(plots.adjective_sentence(self, a_))
            self.used_adj = True


_PAIRED = {"hand", "foot", "eye", "ear", "arm", "leg", "finger", "toe", "tooth", "cheek", "paw", "wing", "sock",
           "shoe", "boot", "mitten", "glove", "sandal"}
