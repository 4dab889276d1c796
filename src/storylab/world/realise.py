"""The realiser's open slots: words a sentence can take without changing what it says.

A plot writes each beat as a frame around the plan's own words (`storylab.world.plots`);
every sentence then passes through `Realiser.sentence` on its way into the story
(`Story.s`), which fills two kinds of optional slot from the vocabulary, so that one plan
has many surface forms:

- an adjective before a concrete noun ("the tree" -> "the tall tree", "three ducks" ->
  "three little ducks"), one that fits the noun's kind (sizes for animals, tastes for food,
  colours only for made things), and that stays: once the tree is tall it is tall for the
  rest of the story, and the hero's thing keeps the adjective it was introduced with;
- a manner adverb before an action verb ("Kim walked" -> "Kim slowly walked"), one that
  fits the verb (nobody hurries slowly) and agrees with the subject's state (a sad child
  does not skip happily; a shy one may smile shyly).

Slots are never filled next to a marked word (a place, a time, a skill answer), so offsets
and the words a skill item is cut before are unchanged. Each decision draws from the
story's rng, so a story stays a function of (seed, index).
"""

from __future__ import annotations

import re
from functools import lru_cache

from storylab.world.model import World
from storylab.world.text import article

_SIZE = ("little", "big", "small", "tiny", "huge")
_COLOR = ("red", "blue", "green", "yellow", "pink", "purple", "brown", "white", "orange", "golden", "silver", "gray",
          "black")
# which adjectives a noun of each kind may take (and only those the vocabulary says fit the noun)
_BY_KIND = {
    "animal": _SIZE + ("fluffy", "fuzzy", "soft", "noisy", "spotted", "striped"),
    "food": ("little", "big", "yummy", "tasty", "delicious", "fresh", "juicy", "crunchy", "ripe", "round"),
    "nature": _SIZE + ("tall", "old", "pretty", "beautiful", "smooth", "round", "flat", "shiny", "sparkly", "rough",
                       "long", "thin"),
    "toy": _SIZE + _COLOR + ("shiny", "new", "old", "pretty", "special", "colorful", "striped", "spotted", "soft"),
}
for _k in ("clothing", "household", "vehicle", "instrument", "tool"):
    _BY_KIND[_k] = _BY_KIND["toy"]
# never described here: the containers of the entity-tracking boxes (their colour is the answer),
# and nouns that are part of fixed phrases or mostly not concrete things in the stories
_SKIP = {"box", "bag", "basket", "bucket", "way", "time", "day", "night", "morning", "evening", "home", "house",
         "room", "kitchen", "bed", "door", "window", "floor", "table", "sun", "moon", "sky", "rain", "snow",
         "water", "food", "lunch", "dinner", "breakfast", "snack", "turn", "game", "surprise", "picture",
         "drawing", "story", "song", "hug", "smile", "noise", "sound", "idea", "gift", "present", "path", "road",
         "ground", "grass", "air", "wind", "ice", "mud", "sand", "shade", "light", "fire", "family", "friend",
         "top", "side", "end", "middle", "front", "back", "oven", "stove", "sink"}
_DESCRIBED = re.compile(r"\b(?:the|a|an) (" + "|".join(sorted({a for v in _BY_KIND.values() for a in v} | {"tall", "tiny"})) + r") ([a-z]+)")
_DET = ("the", "a", "an", "some", "his", "her", "their", "its", "my", "your", "our", "two", "three", "four", "five",
        "six", "seven", "eight", "nine", "ten", "many", "few")
_NP = re.compile(r"(?<![\w'\x02])(" + "|".join(_DET) + r") ([a-z]+)(?=([ ,.!?;:\"]|$))( ?[a-z]*)", re.I)

# manner adverbs that fit a verb (past tense), and the feelings each adverb needs
_ADV_FOR = {
    "walked": ("slowly", "quietly", "happily", "proudly", "carefully"), "went": ("slowly", "quietly", "happily"),
    "wandered": ("slowly", "happily", "quietly"), "ran": ("quickly", "happily"), "hurried": ("quickly",),
    "rushed": ("quickly",), "skipped": ("happily", "cheerfully"), "marched": ("proudly", "bravely", "happily"),
    "jogged": ("happily", "slowly"), "hopped": ("happily", "playfully"), "climbed": ("carefully", "slowly", "bravely"),
    "took": ("carefully", "gently", "quickly"), "picked": ("carefully", "gently"), "put": ("carefully", "gently"),
    "carried": ("carefully", "proudly", "slowly"), "opened": ("slowly", "carefully", "quickly"),
    "gave": ("kindly", "shyly", "gently", "politely"), "held": ("gently", "carefully", "proudly"),
    "hugged": ("gently", "warmly", "happily"), "smiled": ("shyly", "warmly", "happily", "kindly", "proudly"),
    "laughed": ("happily", "loudly", "softly"), "nodded": ("slowly", "politely", "happily", "shyly"),
    "looked": ("slowly", "carefully", "quickly", "curiously"), "waved": ("happily", "shyly", "cheerfully"),
    "sat": ("quietly", "calmly", "patiently"), "waited": ("patiently", "quietly", "calmly", "nervously"),
    "watched": ("quietly", "curiously", "patiently", "calmly"), "searched": ("carefully", "quickly"),
    "counted": ("carefully", "slowly"), "helped": ("kindly", "gladly", "happily"), "showed": ("proudly", "shyly"),
    "stirred": ("slowly", "carefully", "gently"), "mixed": ("slowly", "carefully"), "listened": ("quietly",
                                                                                               "carefully",
                                                                                               "patiently"),
    "tried": ("bravely", "patiently"), "fed": ("gently", "carefully", "kindly"), "touched": ("gently", "softly"),
    "drew": ("carefully", "slowly", "happily"), "played": ("happily", "quietly", "nicely"),
    "found": ("quickly",), "asked": ("politely", "softly", "shyly", "quietly", "nervously"),
}
_HAPPY = {"happily", "cheerfully", "gladly", "playfully", "proudly", "warmly"}
_UNEASY = {"nervously"}
_POS = {"happy", "excited", "proud", "glad", "cheerful", "calm"}
_NEG = {"sad", "scared", "angry", "mad", "upset", "worried", "lonely", "grumpy", "nervous", "bored", "afraid"}
# the adverb of a character's trait, used with verbs that have it among their adverbs
_TRAIT_ADV = {"shy": "shyly", "brave": "bravely", "kind": "kindly", "gentle": "gently", "careful": "carefully",
              "patient": "patiently", "polite": "politely", "playful": "playfully", "quiet": "quietly",
              "curious": "curiously", "cheerful": "cheerfully", "happy": "happily", "calm": "calmly"}
# verbs that are adverb slots only when followed by one of these ("looked at", not "looked sad")
_NEXT_OK = {"looked": ("at", "in", "for", "up", "around", "out", "under", "inside", "everywhere", "down", "behind"),
            "went": ("to", "home", "into", "out", "back", "inside", "outside", "over", "up", "down", "with")}
_SUBJ = re.compile(r"^((?:[A-Z][a-z]+(?: [a-z]+){0,3}, )?)(He|She|They|[A-Z][a-z]+(?: and [A-Z][a-z]+)?) ([a-z]+)\b")

_LY = re.compile(r" [a-z]+ly\b")
# contractions, as TinyStories uses them in dialogue and narration ("didn't", "I'm", "let's");
# a pronoun + verb is contracted only before another word ("I am." stays whole)
_CONTRACT = {"do not": "don't", "does not": "doesn't", "did not": "didn't", "can not": "can't", "cannot": "can't",
             "could not": "couldn't", "would not": "wouldn't", "will not": "won't", "is not": "isn't",
             "are not": "aren't", "was not": "wasn't", "were not": "weren't", "I am": "I'm", "I will": "I'll",
             "I have": "I've", "you are": "you're", "we are": "we're", "they are": "they're", "we will": "we'll",
             "you will": "you'll", "it is": "it's", "that is": "that's", "there is": "there's", "what is": "what's",
             "let us": "let's", "he is": "he's", "she is": "she's", "we have": "we've"}
_CONTRACTIBLE = re.compile(r"\b(" + "|".join(sorted(_CONTRACT, key=len, reverse=True)) + r")(?= [a-z])", re.I)
_PERFECT = ("been", "got", "never", "seen", "found", "made", "always", "done", "lost", "had")  # "I've" only here
ADJ_P = 0.3  # a concrete noun without an adjective gets one
ADV_P = 0.22  # a sentence opening with subject + action verb gets an adverb


@lru_cache(maxsize=1)
def _tables() -> tuple[dict, dict]:
    """(word form -> (noun, plural?), noun -> adjectives it may take), once per process."""
    w = World.get()
    fits: dict[str, set] = {}
    for adj in w.vocab.adjectives:
        for n in w.adj_nouns.get(adj["word"], ()):
            fits.setdefault(n["word"], set()).add(adj["word"])
    forms, adjs = {}, {}
    for n in w.vocab.nouns:
        word, kind = n["word"], n["kind"]
        if " " in word or word in _SKIP or kind not in _BY_KIND:
            continue
        ok = tuple(x for x in _BY_KIND[kind] if x in fits.get(word, ()))
        if not ok:
            continue
        adjs[word] = ok
        forms[word] = (word, False)
        if n["plural"] != word and not n.get("mass"):
            forms[n["plural"]] = (word, True)
    return forms, adjs


class Realiser:
    """Fills a story's optional slots consistently: one per story (`Story.real`)."""

    __slots__ = ("st", "described", "nouns", "contract")

    def __init__(self, st):
        self.st = st
        self.described: dict[str, str] = {}  # noun -> the adjective the story gave it
        self.nouns = _tables()
        self.contract = st.rng.random()  # how much this story's voice contracts (0: never, as before)

    def keep(self, noun: str, adj: str) -> None:
        """The story described `noun` as `adj` (the hero's thing): later slots agree."""
        self.described[noun] = adj

    def sentence(self, t: str) -> str:
        rng = self.st.rng
        if rng.random() < ADV_P:
            t = self._adverb(t)
        for m in _DESCRIBED.finditer(t):  # adjectives the plot itself gave: later slots agree
            hit = self.nouns[0].get(m.group(2))
            if hit:
                self.described.setdefault(hit[0], m.group(1))
        if self.contract > 0.35:
            t = _CONTRACTIBLE.sub(self._contract, t)
        return _NP.sub(self._np, t)

    def _contract(self, m: re.Match) -> str:
        w = m.group(1)
        low = w.lower()
        if self.st.rng.random() > self.contract or (
                low.endswith(" have") and m.string[m.end() + 1:].split(" ", 1)[0] not in _PERFECT):
            return w
        c = _CONTRACT.get(w) or _CONTRACT.get(low) or _CONTRACT[w[0].lower() + w[1:]]
        return c[0].upper() + c[1:] if w[0].isupper() else c

    def _np(self, m: re.Match) -> str:
        det, word, nxt = m.group(1), m.group(2), m.group(4)
        hit = self.nouns[0].get(word)
        if hit is None:
            return m.group(0)
        noun, plural = hit
        dl = det.lower()
        if (plural and dl in ("a", "an")) or (not plural and dl in ("two", "three", "four", "five", "six", "seven",
                                                                      "eight", "nine", "ten", "many", "few")):
            return m.group(0)
        nw = nxt.strip()
        if nw and (nw in self.nouns[0] or nw in ("of", "cream", "house", "and", "or")):  # compounds, lists
            return m.group(0)
        st, rng = self.st, self.st.rng
        thing = getattr(st, "thing", None)
        if thing is not None and noun == thing["word"]:
            adj = getattr(st, "thing_adj", None)
            if not adj or rng.random() >= ADJ_P:
                return m.group(0)
        else:
            adj = self.described.get(noun)
            if adj is None:
                if rng.random() >= ADJ_P:
                    return m.group(0)
                adj = self.described[noun] = rng.choice(self.nouns[1][noun])  # the tree stays tall
            elif rng.random() >= 0.5:
                return m.group(0)
        if dl in ("a", "an"):
            det = article(adj)
            det = det.capitalize() if m.group(1)[0].isupper() else det
        return f"{det} {adj} {word}{nxt}"

    def _adverb(self, t: str) -> str:
        m = _SUBJ.match(t)
        if not m:
            return t
        verb = m.group(3)
        advs = _ADV_FOR.get(verb)
        if not advs:
            return t
        nxt = _NEXT_OK.get(verb)
        if nxt and not t[m.end():].lstrip().startswith(tuple(n + " " for n in nxt) + tuple(n + "." for n in nxt)):
            return t
        st = self.st
        who = m.group(2)
        c = None
        for x in st.cast:
            if x.title == who or (who in ("He", "She") and x.s == who.lower() and x is st._prev[0]):
                c = x
        feeling = st.state.feeling.get(c.name) if c is not None else None
        if who == "They" or " and " in who:
            feeling = None
        opts = list(advs)
        trait = st.flags.get("trait")
        if c is getattr(st, "hero", None) and trait in _TRAIT_ADV and _TRAIT_ADV[trait] in advs:
            opts += [_TRAIT_ADV[trait]] * 2
        if feeling in _NEG:
            opts = [a for a in opts if a not in _HAPPY]
        elif feeling in _POS:
            opts = [a for a in opts if a not in _UNEASY]
        if not opts or _LY.match(t, m.end()):
            return t
        adv = st.rng.choice(opts)
        if adv in t:
            return t
        return f"{m.group(1)}{who} {adv} {t[m.end(2) + 1:]}"
