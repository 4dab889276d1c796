"""The realiser's last step: the wording of a written story, varied without changing what it says.

A plot writes each beat from the plan and the world state (`storylab.world.plots`); a
story that is kept (`Story.build`) then passes every sentence through `Realiser.sentence`,
which chooses among wordings that all say the same thing, so that one plan has many
surface forms (issue 13: distinct-3, word forms):

- an adjective before a concrete noun or a place ("the tree" -> "the tall tree", "the park"
  -> "the big park"), one that fits the noun's kind (sizes for animals, agreeing with the
  knowledge base; tastes for food; colours only for made things), and that stays: once the
  tree is tall it is tall all story long (`scan` learns the plot's own adjectives first);
- a manner adverb before an action verb ("Kim walked" -> "Kim slowly walked"), chosen as the
  sentence is written (`adverb`), so that it agrees with the subject's feeling in the state
  and with the verb (nobody hurries slowly; a sad child does not skip happily);
- synonyms and openers for phrases that mean the same wherever the plots use them
  (`PHRASES`, `OPENERS`: "looked out of the window" / "gazed out of the window");
- contractions, as much as the story's voice uses them ("did not" -> "didn't").

What is never touched: a sentence that holds a skill's answer or is marked `FIXED` (its
wording is the item's ground truth), a marked word (places, times: offsets stay right),
the entity-tracking boxes' things, the seed words' forms. No words are added past
`MAX_REALISED` words. Each choice draws from the story's rng: a story stays a function of
(seed, index).
"""

from __future__ import annotations

import re
from functools import lru_cache

from storylab.world.model import World
from storylab.world.state import LOW
from storylab.world.text import FIXED, article, cap, words_of

_SIZE = ("little", "big", "small", "tiny", "huge")
_BIG, _SMALL = ("big", "huge"), ("little", "small", "tiny")
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
_BY_KIND["animal"] += ("young", "friendly")
_BY_KIND["person"] = ("kind", "friendly", "old", "young", "nice", "tall")
# adjectives a kind of noun takes even where the vocabulary lists no fit (any animal can be little)
_ALWAYS = {"animal": ("little", "small", "tiny", "big", "young", "friendly"), "person": _BY_KIND["person"]}
_FAMILY_WORDS = {"mom", "dad", "grandma", "grandpa", "mother", "father", "brother", "sister", "baby", "friend",
                 "aunt", "uncle", "cousin", "mommy", "daddy", "parent", "grandmother", "grandfather", "family",
                 "child", "kid", "girl", "boy", "people", "person"}
# never described here: the containers of the entity-tracking boxes (their colour is the answer),
# and nouns that are part of fixed phrases or mostly not concrete things in the stories
_SKIP = {"box", "bag", "basket", "bucket", "way", "time", "day", "night", "morning", "evening", "home", "house",
         "room", "kitchen", "bed", "door", "window", "floor", "table", "sun", "moon", "sky", "rain", "snow",
         "water", "food", "lunch", "dinner", "breakfast", "snack", "turn", "game", "surprise", "picture",
         "drawing", "story", "song", "hug", "smile", "noise", "sound", "idea", "gift", "present", "path", "road",
         "ground", "grass", "air", "wind", "ice", "mud", "sand", "shade", "light", "fire", "family", "friend",
         "top", "side", "end", "middle", "front", "back", "oven", "stove", "sink", "storm", "thunder", "lightning",
         "fog", "wave"}  # (not "the pretty thunder", "the old waves")
_ADJ_WORDS = frozenset({a for v in _BY_KIND.values() for a in v} | {"tall", "tiny"})
_DET = ("the", "a", "an", "some", "his", "her", "their", "its", "my", "your", "our", "two", "three", "four", "five",
        "six", "seven", "eight", "nine", "ten", "many", "few")
# case-sensitive, with each determiner lowercase and capitalised: what re.I matched in the world's text (ASCII,
# no word in capitals), for two thirds of the cost (4.2 against 6.3 us a sentence; ~9 sentences a story)
_NP = re.compile(r"(?<![\w'\x02])(" + "|".join(f"{d}|{d.capitalize()}" for d in _DET)
                 + r") ([a-zA-Z]+)(?=([ ,.!?;:\"]|$))( ?[a-zA-Z]*)")

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
    "counted": ("carefully", "slowly"), "helped": ("kindly", "happily"), "showed": ("proudly", "shyly"),
    "stirred": ("slowly", "carefully", "gently"), "mixed": ("slowly", "carefully"), "listened": ("quietly",
                                                                                               "carefully",
                                                                                               "patiently"),
    "tried": ("bravely", "patiently"), "fed": ("gently", "carefully", "kindly"), "touched": ("gently", "softly"),
    "drew": ("carefully", "slowly", "happily"), "played": ("happily", "quietly", "nicely"),
    "found": ("quickly",), "asked": ("politely", "softly", "shyly", "quietly", "nervously"),
}
_HAPPY = {"happily", "cheerfully", "gladly", "playfully", "proudly", "warmly"}
_UNEASY = {"nervously"}
_CALM = {"slowly", "quietly", "carefully", "softly"}
_SAD_OK = {"walked", "went", "looked", "sat", "waited", "nodded", "watched"}
_POS = {"happy", "excited", "proud", "glad", "cheerful", "calm"}
# the adverb of a character's trait, used with verbs that have it among their adverbs
_TRAIT_ADV = {"shy": "shyly", "brave": "bravely", "kind": "kindly", "gentle": "gently", "careful": "carefully",
              "patient": "patiently", "polite": "politely", "playful": "playfully", "quiet": "quietly",
              "curious": "curiously", "cheerful": "cheerfully", "happy": "happily", "calm": "calmly"}
# verbs that are adverb slots only when followed by one of these ("looked at", not "looked sad")
_MANNER = frozenset({a for v in _ADV_FOR.values() for a in v} | {"sadly", "softly", "loudly", "proudly", "gently",
                                                                   "quickly", "slowly", "happily", "quietly"})
_NEXT_OK = {"took": ("the", "his", "her", "their", "it", "out", "some", "one"),
            "looked": ("at", "in", "for", "up", "around", "out", "under", "inside", "everywhere", "down", "behind"),
            "went": ("to", "home", "into", "out", "back", "inside", "outside", "over", "up", "down", "with")}
_SUBJ = re.compile(r"^((?:[A-Z][a-z]+(?: [a-z]+){0,3}, )?)(He|She|They|[A-Z][a-z]+(?: and [A-Z][a-z]+)?) ([a-z]+)\b")

_WORD = re.compile(r"[a-z]+")
_LAST_WORD = re.compile(r"([a-z]+)[^a-z]*\Z")  # the last word before a position (`search` with endpos)
_LY = re.compile(r" [a-z]+ly\b")
# contractions, as TinyStories uses them in dialogue and narration ("didn't", "I'm", "let's");
# a pronoun + verb is contracted only before another word ("I am." stays whole)
_CONTRACT = {"do not": "don't", "does not": "doesn't", "did not": "didn't", "can not": "can't", "cannot": "can't",
             "could not": "couldn't", "would not": "wouldn't", "will not": "won't", "is not": "isn't",
             "are not": "aren't", "was not": "wasn't", "were not": "weren't", "I am": "I'm", "I will": "I'll",
             "I have": "I've", "you are": "you're", "we are": "we're", "they are": "they're", "we will": "we'll",
             "you will": "you'll", "it is": "it's", "that is": "that's", "there is": "there's", "what is": "what's",
             "let us": "let's", "he is": "he's", "she is": "she's", "we have": "we've"}
# (case-sensitive, each phrase as written and capitalised: what re.I found in the world's text, for 8.5 us a
# sentence rather than 20)
_CONTRACTIBLE = re.compile(r"\b(" + "|".join(f"{k}|{k[0].upper()}{k[1:]}" for k in sorted(_CONTRACT, key=len, reverse=True))
                           + r")(?= [a-zA-Z])")
_SECOND = frozenset({k.split(" ")[-1].lower() for k in _CONTRACT} | {"cannot"})  # a sentence has one, or none
_PERFECT = ("been", "got", "never", "seen", "found", "made", "always", "done", "lost", "had")  # "I've" only here
# what a place may be called, the same all story long (nothing here the weather or time of day can change)
_PLACE_ADJ = {"mountain": ("big", "tall", "high", "rocky"), "forest": ("big", "green", "old", "deep"),
              "hill": ("big", "green", "little", "grassy", "high"), "farm": ("big", "old", "little"),
              "barn": ("big", "old", "red"), "river": ("long", "wide", "big", "little"),
              "bridge": ("old", "little", "long"), "garden": ("little", "pretty", "big", "green"),
              "school": ("big", "little", "old"), "field": ("big", "green", "wide", "grassy"),
              "lake": ("big", "blue", "deep"), "pond": ("little", "small", "green"),
              "park": ("big", "green", "little"), "library": ("big", "old"),
              "playground": ("big", "new"), "beach": ("sandy", "big", "long"),
              "market": ("big", "little"), "bakery": ("little", "small"),
              "shop": ("little", "small", "new"), "zoo": ("big",), "sea": ("big", "blue", "wide"),
              "pool": ("big", "blue", "new"), "hospital": ("big", "white"), "station": ("big", "old"),
              "castle": ("old", "big", "tall")}
_PLACE = re.compile("(the |The )\x01(\\d+)\x02([a-z]+)")
_SCAN_ADJS = _ADJ_WORDS | {a for v in _PLACE_ADJ.values() for a in v}  # what `Realiser.scan` may learn
ADJ_P = 0.5  # a concrete noun without an adjective gets one
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
        if " " in word or word in _SKIP or kind not in _BY_KIND or word in _FAMILY_WORDS:
            continue
        ok = tuple(x for x in _BY_KIND[kind] if x in fits.get(word, ()) or x in _ALWAYS.get(kind, ()))
        size = w.kb.values("size", word)  # never "the tiny whale": sizes agree with the knowledge base
        if size:
            ok = tuple(x for x in ok if x not in _SIZE or x in (_BIG if size[0] == "big" else _SMALL))
        if n.get("mass"):  # not "some big milk"
            ok = tuple(x for x in ok if x not in _SIZE)
        if not ok:
            continue
        adjs[word] = ok
        forms[word] = (word, False)
        if n["plural"] != word and not n.get("mass"):
            forms[n["plural"]] = (word, True)
    return forms, adjs


@lru_cache(maxsize=1)
def _all_nouns() -> frozenset:
    """Every noun form of the vocabulary (a noun followed by one of these is half of a compound)."""
    return frozenset(f for n in World.get().vocab.nouns for f in (n["word"], n["plural"]))


@lru_cache(maxsize=1)
def _scan_heads() -> frozenset:
    """The words `Realiser.scan` looks before: the nouns that take adjectives, and the places."""
    return frozenset(_tables()[0]) | frozenset(_PLACE_ADJ)


class Realiser:
    """Fills a story's optional slots consistently: one per story (`Story.real`)."""

    __slots__ = ("st", "described", "nouns", "contract", "protect", "spare", "boxed", "opened")

    def __init__(self, st):
        self.st = st
        self.described: dict[str, str] = {}  # noun -> the adjective the story gave it
        self.nouns = _tables()
        self.contract = st.rng.random()  # how much this story's voice contracts (0: never, as before)
        self.spare = 99  # words the realiser may still add (set from the story's length by `Doc.realise`)
        self.boxed: set | None = None  # `fixed()`, once the story is written (`scan`)
        self.opened: set[str] | None = None  # the openers said so far (`once`)
        v, n, a = st.verb, st.noun, st.adj  # the seed words' forms are never worded away
        self.protect = {x for x in (v["word"], v["past"], v["participle"], v["ing"], v["third"], n["word"],
                                    n["plural"], a["word"], a.get("comparative"), a.get("superlative")) if x}

    def keep(self, noun: str, adj: str) -> None:
        """The story described `noun` as `adj` (the hero's thing): later slots agree."""
        self.described[noun] = adj

    def sentence(self, t: str) -> str:
        rng = self.st.rng
        toks = self.st.doc.toks.get(t) or words_of(t)
        forms = self.nouns[0]
        t = wording(rng, t, set(toks), self.protect, self.spare <= 0)
        if _OPENER.match(t) or ". " in t:
            t = self.once(t)
        if self.contract > 0.35 and not _SECOND.isdisjoint(toks):
            t = _CONTRACTIBLE.sub(self._contract, t)
        if "\x01" in t:
            t = _PLACE.sub(self._place, t)
        if forms.keys().isdisjoint(toks):
            return t
        return _NP.sub(self._np, t)

    def once(self, t: str) -> str:
        """`t` with openers this story has not said yet: a sentence opening as an earlier one did
        ("That evening, ... That evening, ...", "After a while, ... After a while, ...") gets another
        opener of the same meaning, or none (the time is already told)."""
        if self.opened is None:  # the sentences the realiser leaves as they are (skills' wording) come first
            doc, self.opened = self.st.doc, set()
            for p in doc.paras:
                for x in p:
                    if x[0] == FIXED or ("\x01" in x and doc._answers(x)):
                        self.opened.update(_said(y) for y in _INNER.split(x.lstrip(FIXED)) if _OPENER.match(y))
        if ". " not in t:
            return self._once(t)
        out, quoted = [], False
        for x in _INNER.split(t):  # (each sentence of it; not one inside a quote)
            out.append(self._once(x) if not quoted and _OPENER.match(x) else x)
            quoted ^= x.count('"') % 2 == 1
        return " ".join(out)

    def _once(self, t: str) -> str:
        m = _OPENER.match(t)
        head = m[1] or m[2]
        said, rest = _MARK.sub("", head).lower(), t[m.end():]
        if said not in self.opened:
            self.opened.add(said)
            return t
        if rest.startswith(_WHEN):  # ("Then one morning, ...")
            return t
        if rest.split(" ", 1)[0] in _LOWER_AFTER:
            rest = rest[0].lower() + rest[1:]
        x = ""
        if said in _SEQUENCE:  # another way to say "then" ("then" and "soon" stay if there is none)
            free = [o for o in _SEQUENCE if o not in self.opened]
            if not free and said in ("then", "soon"):
                return t
            x = self.st.rng.choice(free) if free else ""
        elif said.startswith("that ") and said.endswith(_TIMES):  # "That evening, " -> "Later that evening, "
            x = "later " + said
        elif said == "at night":
            x = "later that night"
        if x in self.opened:
            x = ""
        if not x:
            return cap(rest)
        self.opened.add(x)
        if x in ("then", "soon"):
            return f"{x.capitalize()} {rest}"
        if x == "later " + said:  # (the time word keeps its mark)
            return f"Later {head[0].lower()}{head[1:]}, {rest}"
        return f"{x.capitalize()}, {rest}"

    def scan(self, sentences) -> None:
        """Learn the adjectives the plot itself gave (the old castle, a tall tree), before any slot is
        filled, so that the realiser's adjectives agree with them everywhere in the story."""
        forms, known, heads = self.nouns[0], self.st.doc.toks, _scan_heads()
        self.boxed = self.fixed()
        for t in sentences:
            toks = known.get(t) or words_of(t)
            if _SCAN_ADJS.isdisjoint(toks) or heads.isdisjoint(toks):  # (most sentences: no adjective of these)
                continue
            for x, y in zip(toks, toks[1:]):  # (in order: the first adjective stays)
                if y in forms and x in _ADJ_WORDS:
                    self.described.setdefault(forms[y][0], x)
                elif y in _PLACE_ADJ and x in _PLACE_ADJ[y]:
                    self.described.setdefault("@" + y, x)

    def fixed(self) -> set:
        """Nouns whose wording is the ground truth (the things in the entity-tracking boxes)."""
        return {b["item"] for b in self.st.meta.get("boxes", ())}

    def _place(self, m: re.Match) -> str:
        """'the park' -> 'the big park' (a place word marked for meta, not a skill's answer)."""
        word = m.group(3)
        adjs = _PLACE_ADJ.get(word)
        rec, key = self.st.doc.marks[int(m.group(2))]
        if not adjs or key != "offset" or rec.get("name") != word or m.start() and m.string[m.start() - 1] == "\x02":
            return m.group(0)
        adj = self.described.get("@" + word)
        rng = self.st.rng
        if adj is None:
            if rng.random() >= ADJ_P:
                return m.group(0)
            adj = self.described["@" + word] = rng.choice(adjs)
        elif rng.random() >= 0.4:
            return m.group(0)
        if self.spare <= 0 or " " + adj in m.string:  # ("the big farm is so big")
            return m.group(0)
        self.spare -= 1
        return f"{m.group(1)}{adj} \x01{m.group(2)}\x02{word}"

    def _contract(self, m: re.Match) -> str:
        w = m.group(1)
        low = w.lower()
        if self.st.rng.random() > self.contract or (
                low.endswith(" have") and m.string[m.end() + 1:].split(" ", 1)[0] not in _PERFECT):
            return w
        c = _CONTRACT.get(w) or _CONTRACT.get(low) or _CONTRACT[w[0].lower() + w[1:]]
        return c[0].upper() + c[1:] if w[0].isupper() else c

    def _np(self, m: re.Match) -> str:
        hit = self.nouns[0].get(m[2])
        if hit is None:  # (most matches: "the way", "a little")
            return m[0]
        det, word, nxt = m[1], m[2], m[4]
        noun, plural = hit
        if noun in (self.fixed() if self.boxed is None else self.boxed):
            return m.group(0)
        dl = det.lower()
        if (plural and dl in ("a", "an")) or (not plural and dl in ("two", "three", "four", "five", "six", "seven",
                                                                      "eight", "nine", "ten", "many", "few")):
            return m.group(0)
        nw = nxt.strip()
        if nw and (nw in _all_nouns() or nw in ("of", "and", "or")):  # compounds ("orange basket"), lists
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
        if adj == word or self.spare <= 0 or " " + adj in m.string:  # "the orange orange"; the story at its
            return m.group(0)  # length limit; "the big tiger was so big" ("bigger": the sentence says it)
        if dl == "some" and not plural and adj in _SIZE:  # "some big bread": a size needs a count
            return m.group(0)
        self.spare -= 1
        if dl in ("a", "an"):
            det = article(adj)
            det = det.capitalize() if m.group(1)[0].isupper() else det
        return f"{det} {adj} {word}{nxt}"

    def adverb(self, t: str) -> str:
        """Sometimes, a manner adverb before the verb of a sentence that opens with its subject
        (done as the sentence is written, while the state holds the subject's feelings)."""
        if self.st.rng.random() >= ADV_P:
            return t
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
        if feeling in LOW:  # a sad or cross subject: only the quiet adverbs, or "sadly"
            opts = [a for a in opts if a in _CALM] + (["sadly"] if verb in _SAD_OK else [])
        elif feeling in _POS:
            opts = [a for a in opts if a not in _UNEASY]
        if not opts or _LY.match(t, m.end()) or any(w in _MANNER for w in _WORD.findall(t)):
            return t  # one manner adverb a sentence
        adv = st.rng.choice(opts)
        if adv in t:
            return t
        return f"{m.group(1)}{who} {adv} {t[m.end(2) + 1:]}"


# --- lexical choice: phrases with several wordings that mean the same in every context they occur in ---
# Each key is matched as a whole phrase (case-insensitively; a capital first letter is kept); one of
# its wordings (the key itself included) is drawn each time. Keys are long enough that every wording
# fits every sentence the plots write them in; phrases that state a fact or a skill's answer are not here.
_COLORS_HOUSE = ("yellow", "blue", "red", "white", "green", "pink")
PHRASES: dict[str, tuple[str, ...]] = {
    "looked out of the window": ("looked out of the window", "looked out the window", "peeked out of the window",
                                 "gazed out of the window", "looked through the window"),
    "woke up early": ("woke up early", "got up early", "woke up very early", "was up early"),
    "once upon a time, there was": ("once upon a time, there was", "once there was", "there once was",
                                    "long ago, there was", "once upon a time, there lived"),
    "in a little house by the": ("in a little house by the", "in a small house near the", "in a little house near the",
                                 *(f"in a little {c} house by the" for c in _COLORS_HOUSE),
                                 *(f"in a small {c} house close to the" for c in _COLORS_HOUSE[:3])),
    "in a small house near the": ("in a small house near the", "in a little house close to the",
                                  *(f"in a small {c} house near the" for c in _COLORS_HOUSE)),
    "who lived near the": ("who lived near the", "who lived close to the", "who lived next to the",
                           "who lived not far from the", "whose house was near the"),
    "more than anything": ("more than anything", "most of all", "more than anything else", "above all"),
    "was always happy when": ("was always happy when", "was always glad when", "was happiest when",
                              "felt happy whenever", "was never happier than when"),
    "went to bed": ("went to bed", "went to sleep", "got into bed", "climbed into bed"),
    "said thank you": ("said thank you", "said thanks", "said thank you very much"),
    "until they came to the": ("until they came to the", "until they reached the", "until they got to the",
                               "until they could see the"),
    "all the way to the": ("all the way to the", "straight to the", "right up to the", "all the way over to the"),
    "wanted to play": ("wanted to play", "really wanted to play", "wanted so much to play", "hoped to play"),
    "knocked on the door": ("knocked on the door", "knocked at the door", "came to the door", "rang the bell"),
    "came to visit": ("came to visit", "came over", "came by to play", "came to play"),
    "came over to play": ("came over to play", "came to play", "often came over to play", "came over that day"),
    "tried to take the": ("tried to take the", "tried to grab the", "reached for the"),
    "they both pulled on it": ("they both pulled on it", "they both pulled hard", "they pulled and pulled",
                               "each of them pulled on it"),
    "did not say anything": ("did not say anything", "did not say a word", "said nothing", "was very quiet"),
    "sat down alone": ("sat down alone", "sat all alone", "went to sit alone", "sat alone for a while"),
    "with a big smile": ("with a big smile", "with a happy smile", "with a smile", "smiling from ear to ear"),
    "could not wait to": ("could not wait to", "could hardly wait to", "was so excited to"),
    "loved very much": ("loved very much", "loved so much", "loved more than anything", "loved a lot"),
    "took it everywhere": ("took it everywhere", "carried it everywhere", "brought it everywhere",
                           "took it along everywhere"),
    "never went anywhere without": ("never went anywhere without", "did not go anywhere without",
                                    "went nowhere without"),
    "in the whole village": ("in the whole village", "in the whole world", "in the whole wide world"),
    "for a long time": ("for a long time", "for a long while", "for a very long time", "for hours"),
    "soon they were": ("soon they were", "before long they were", "in a moment they were", "soon they were all"),
    "played until dinner": ("played until dinner", "played until it was time for dinner", "played all afternoon",
                            "played until the sun went down"),
    "looked everywhere": ("looked everywhere", "searched everywhere", "looked all over the house",
                          "looked high and low"),
    "held it close": ("held it close", "held it tight", "hugged it tight", "held it in both hands"),
    "said good morning": ("said good morning", "said hello", "waved hello", "said a happy good morning"),
    "came into the room": ("came into the room", "walked into the room", "stepped into the room"),
    "took a nap": ("took a nap", "had a nap", "took a little nap", "had a short nap"),
    "was so much fun": ("was so much fun", "was great fun", "was a lot of fun", "was the best fun"),
    "had so much fun": ("had so much fun", "had a lot of fun", "had a great time", "had the best time"),
    "could not stop smiling": ("could not stop smiling", "could not stop grinning", "smiled and smiled"),
    "jumped up and down": ("jumped up and down", "clapped and jumped", "jumped and clapped"),
    "stopped to look at": ("stopped to look at", "stopped to watch", "stood still to look at"),
    "there was so much": ("there was so much", "there was a lot", "there was ever so much"),
    "the best day ever": ("the best day ever", "the best day of all", "a perfect day"),
    "was not there": ("was not there", "was nowhere to be seen"),
    "looked at the ground": ("looked at the ground", "looked down at the ground", "stared at the ground",
                             "looked down at the ground"),
    "after breakfast": ("after breakfast", "right after breakfast", "when breakfast was over"),
    "saw a": ("saw a", "spotted a", "noticed a", "saw a"),
    "saw some": ("saw some", "spotted some", "noticed some"),
    "looked at the": ("looked at the", "gazed at the", "stared at the", "peered at the", "glanced at the"),
    "ran to": ("ran to", "raced to", "dashed to", "hurried to"),
    "walked to": ("walked to", "strolled to", "went to"),
    "smiled": ("smiled", "grinned", "beamed", "smiled"),
    "laughed": ("laughed", "giggled", "chuckled", "laughed", "laughed out loud"),
    "was very": ("was very", "was really", "was so"),
    "felt very": ("felt very", "felt really", "felt so"),
    "very happy": ("very happy", "so happy", "really happy", "very glad"),
    "a big hug": ("a big hug", "a warm hug", "a long hug", "a tight hug"),
    "a little later": ("a little later", "a bit later", "a while later"),
    # verbs whose object or complement makes the synonym safe
    "found a": ("found a", "discovered a", "came upon a"),
    "found some": ("found some", "discovered some"),
    "wanted to go": ("wanted to go", "hoped to go", "wished to go", "really wanted to go"),
    "wanted to see": ("wanted to see", "hoped to see", "wished to see", "could not wait to see"),
    "liked to": ("liked to", "loved to", "really liked to"),
    "loved to": ("loved to", "liked to", "really loved to"),
    "began to": ("began to", "started to"),
    "went to the": ("went to the", "went off to the", "went over to the", "walked to the"),
    "went home": ("went home", "went back home", "walked back home", "returned home"),
    "went to find": ("went to find", "went off to find", "went looking for"),
    "hurried to find": ("hurried to find", "rushed to find", "dashed off to find"),
    "ran to find": ("ran to find", "raced to find", "ran off to find"),
    "skipped to find": ("skipped to find", "hopped off to find", "skipped off to find"),
    "gave it to": ("gave it to", "handed it to", "passed it to"),
    "picked up": ("picked up", "lifted up"),
    "looked for": ("looked for", "searched for", "looked all over for"),
    "looked around": ("looked around", "looked all around", "glanced around"),
    "looked worried": ("looked worried", "seemed worried", "looked very worried"),
    "looked sad": ("looked sad", "seemed sad", "looked very sad"),
    "was happy": ("was happy", "was glad", "felt happy", "was very happy"),
    "was sad": ("was sad", "felt sad", "was very sad", "was upset"),
    "was scared": ("was scared", "felt scared", "was afraid", "was a little scared"),
    "was tired": ("was tired", "felt tired", "was sleepy", "was very tired"),
    "felt happy": ("felt happy", "felt glad", "was happy"),
    "felt sad": ("felt sad", "was sad", "felt upset"),
    "it was time to": ("it was time to", "it was already time to", "the time had come to"),
    "it was time for": ("it was time for", "it was already time for", "soon it was time for"),
    "said sorry": ("said sorry", "said sorry quietly", "said sorry at last"),
    "a big smile": ("a big smile", "a wide smile", "a happy smile"),
    "very much": ("very much", "so much", "a lot"),
    "every day": ("every day", "each day", "day after day"),
    "all day": ("all day", "all day long", "the whole day"),
    "a long time": ("a long time", "a long while"),
    "the whole day": ("the whole day", "all day", "all day long"),
    "the next day": ("the next day", "the day after", "on the next day"),
    "right away": ("right away", "at once", "straight away"),
    "so much fun": ("so much fun", "a lot of fun", "great fun"),
    "looked in and smiled": ("looked in and smiled", "peeked in and smiled", "came in smiling"),
    "came in and smiled": ("came in and smiled", "walked in smiling", "came in with a smile"),
    "gave her a hug": ("gave her a hug", "hugged her", "gave her a big hug", "hugged her tight"),
    "gave him a hug": ("gave him a hug", "hugged him", "gave him a big hug", "hugged him tight"),
    "there were no": ("there were no", "there were not any"),
    "there was no": ("there was no", "there was not any"),
    "did not want to": ("did not want to", "did not like to", "had no wish to"),
    "a little bit": ("a little bit", "a bit", "just a little"),
    "thought about": ("thought about", "thought of"),
    "was so happy": ("was so happy", "was so glad", "felt so happy", "was very happy"),
    "so happy to have": ("so happy to have", "so glad to have", "very happy to have"),
    "could not find": ("could not find", "could not see"),  # (not "was not able to": "able" is not in the vocabulary)
    "was gone": ("was gone", "was not there", "had gone"),
    "were friends again": ("were friends again", "were good friends again", "made up"),
    "together again": ("together again", "once again together"),
    "laughed and laughed": ("laughed and laughed", "laughed and giggled", "could not stop laughing"),
    "the sun was shining": ("the sun was shining", "the sun was out", "the sun shone"),
    "knew that the": ("knew that the", "knew the", "remembered that the"),
    "on the way home": ("on the way home", "on the walk home", "on the way back home", "on the road home"),
    "on the way": ("on the way", "along the way", "on the road"),
    "go to the": ("go to the", "go over to the", "walk to the", "visit the"),
    "also had a": ("also had a", "had a", "also carried a", "had brought a"),
    "they could go": ("they could go", "they would go", "they might go"),
    "had cleaned the room and put": ("had cleaned the room and put", "had cleaned up the room and put",
                                     "had picked up the toys and put"),
    "had cleaned up while": ("had cleaned up while", "had cleaned the room while", "had put things away while"),
    "showed it to": ("showed it to", "ran to show it to", "held it up to show"),
    "can we go": ("can we go", "could we go", "may we go"),
    "wanted to show it to everyone": ("wanted to show it to everyone", "wanted everyone to see it",
                                      "could not wait to show it to everyone"),
    "now nobody could play with": ("now nobody could play with", "now no one could play with",
                                   "now not one of them could play with"),
    "went to play": ("went to play", "went out to play", "went off to play"),
    "wanted to take": ("wanted to take", "hoped to take", "wished to take"),
    "wanted to come too": ("wanted to come too", "wanted to come along", "asked to come too"),
    "looked in the": ("looked in the", "looked inside the", "peeked into the"),
    "said yes": ("said yes", "nodded and said yes", "agreed"),
    "looked at": ("looked at", "looked at", "gazed at", "watched"),
    "thought it was": ("thought it was", "said it was", "found it was"),
    "for a while": ("for a while", "for a little while", "for some time"),
    "a moment later": ("a moment later", "a minute later", "just then"),
    "was right there": ("was right there", "was there", "was right there waiting"),
    "every time": ("every time", "each time", "whenever"),
    "as if to say thank you": ("as if to say thank you", "as if it wanted to say thank you"),
    "did so well today": ("did so well today", "did very well today", "were so good today"),
    "what a day": ("what a day", "what a fun day", "what a great day"),
    "sat down next to": ("sat down next to", "sat next to", "sat down beside"),
    "very softly": ("very softly", "softly", "quietly"),
    "sat down": ("sat down", "sat down", "sat", "sat down to relax"),
    "hurried": ("hurried", "rushed", "dashed"),
    "walked": ("walked", "walked", "strolled", "went"),
    "to play at the": ("to play at the", "to spend the day at the", "to have fun at the", "to play all day at the"),
    "a turn with the": ("a turn with the", "a try with the", "a turn to play with the"),
    "always said that": ("always said that", "often said that", "liked to say that"),
    "better than anyone": ("better than anyone", "better than anyone else", "better than everyone"),
    "the sun went down": ("the sun went down", "it got dark", "the evening came"),
    "played a game": ("played a game", "played a little game", "made up a game"),
    "it had been a": ("it had been a", "it was a", "it had been such a"),
}
# sentence openers with the same job (one event after another), swapped only at the start of a sentence
OPENERS = {"Then ": ("Then ", "Soon ", "After that, ", "Next, ", "A moment later, "),
           "Soon ": ("Soon ", "Before long, ", "After a while, ", "Soon "),
           "Later, ": ("Later, ", "A little later, ", "After a while, ", "Some time later, "),
           "After that, ": ("After that, ", "Then ", "Next, ", "After a while, "),
           "That day, ": ("That day, ", "On that day, ", "That same day, "),
           "But ": ("But ", "But ", "However, "),
           "Suddenly, ": ("Suddenly, ", "All at once, ", "Just then, ")}
_KEYS = sorted(PHRASES, key=len, reverse=True)
_HEAD = {k: k.split(" ", 1)[0] for k in PHRASES}
_KEYWORDS = {k: frozenset(_WORD.findall(k)) for k in PHRASES}
# words too common to find a phrase by: each phrase is looked up by its least common-looking word
# (its longest word outside this list), and tried only if every word of it is in the sentence
_COMMON = frozenset("the and a an to was in it she he her his him they that at on for had with of there but not by "
                    "so all one then up you we out down over too can could did came".split())
_BY_WORD: dict[str, tuple[tuple[str, str, frozenset], ...]] = {}
for _k in _KEYS:
    _w = min(sorted(_KEYWORDS[_k]), key=lambda x: (x in _COMMON, -len(x)))
    _BY_WORD[_w] = (*_BY_WORD.get(_w, ()), (_k, _HEAD[_k], _KEYWORDS[_k]))
_INDEXED = frozenset(_BY_WORD)
_OPENER_BY_WORD: dict[str, tuple[str, ...]] = {}
for _k in OPENERS:  # an opener is found by the sentence's first word (in OPENERS' order)
    _OPENER_BY_WORD[_k.split(" ", 1)[0]] = (*_OPENER_BY_WORD.get(_k.split(" ", 1)[0], ()), _k)
PHRASE_P = 0.7  # how often a phrase with other wordings gets one drawn (else it stays as the plot wrote it)


def wording(rng, t: str, words: set | None = None, protect: set = frozenset(), tight: bool = False) -> str:
    """`t` with its opener and each phrase of `PHRASES` in it worded one of its ways (`words`: t's
    lowercase words; phrases with a word of `protect` stay as they are)."""
    seen = words  # every word the sentence may hold once its opener is worded (a superset is enough)
    for k in _OPENER_BY_WORD.get(t.split(" ", 1)[0], ()):
        if t.startswith(k):
            if rng.random() < PHRASE_P and not t.startswith(_WHEN, len(k)):  # ("Then one morning": not "Next, one")
                x = rng.choice(OPENERS[k])
                rest = t[len(k):]
                if rest.split(" ", 1)[0] in _LOWER_AFTER:  # "Then The bird" -> "After that, the bird"
                    rest = rest[0].lower() + rest[1:]
                t = x + rest
                seen = None if words is None else words | set(_WORD.findall(x.lower()))
            break
    low = t.lower()
    if words is None:
        words = seen = set(_WORD.findall(low))
    hits = []
    for w in seen & _INDEXED:  # str.find per phrase whose words are all in t (and whose first word
        for k, head, kw in _BY_WORD[w]:  # was in t before its opener): cheaper than one big alternation
            if head not in words or not kw <= seen or not kw.isdisjoint(protect):
                continue
            i = low.find(k)
            while i >= 0:
                j = i + len(k)
                if (i == 0 or not low[i - 1].isalnum()) and (j == len(low) or not low[j].isalnum()):
                    hits.append((i, -len(k), k))
                i = low.find(k, j)
    if not hits:
        return t
    hits.sort()
    out, pos, held = [], 0, 0
    for i, n, k in hits:
        if i < held:  # inside a phrase already worded, or left as it is (not "chuckled and laughed" for
            continue  # "laughed and laughed" through the shorter "laughed" inside it)
        held = i - n
        if rng.random() < PHRASE_P:
            x = rng.choice(PHRASES[k])
            if tight and x.count(" ") > k.count(" "):  # no longer wordings in a story at its length limit
                continue
            prev, nxt = _LAST_WORD.search(low, max(0, i - 20), i), _WORD.search(low, i - n, i - n + 20)
            xs = x.lower().split(" ")
            if (prev and prev[1] == xs[0]) or (nxt and nxt[0] == xs[-1]):
                continue  # "really really", "all day long long"
            out += [t[pos:i], x[0].upper() + x[1:] if t[i].isupper() else x]
            pos = i - n
    out.append(t[pos:])
    return "".join(out)


# an opener of time, order or place ("That evening, ", "Then ", "At the park, "), said once a story (`once`);
# not a clause ("When it got dark, "), nor what starts the story ("One day, ")
_OPENER = re.compile(r"(?:((?:That|At|On|In|Early|Later|Before|After a|After that|Before long|Back|Near|Still|With|By then|"
                     r"Next|A moment|A little|A while|A bit|Some time|Just then|Suddenly|All at once|For a while|"
                     r"Once more|Soon|Then)\b[^,\"]{0,30}?|There)(?=, )|(Then|Soon)(?= [A-Z]?[a-z]+ [a-z]))[ ,]+")
_INNER = re.compile(r"(?<=[.!?]) (?=[A-Z])")  # between two sentences written as one string


def _said(t: str) -> str:
    """The opener of `t` (which has one), as `Realiser.once` remembers it."""
    m = _OPENER.match(t)
    return _MARK.sub("", m[1] or m[2]).lower()


_SEQUENCE = ("then", "soon", "after that", "next", "a moment later", "before long", "after a while", "later",
             "a little later", "some time later", "a while later", "a bit later")
_TIMES = ("morning", "afternoon", "evening", "night")
_MARK = re.compile("\x01\\d+\x02")
_WHEN = ("one ", "that ", "on ", "in the ", "early ", "the next ", "later")  # a time phrase after the opener
_LOWER_AFTER = {"He", "She", "They", "It", "The", "There", "A", "An", "Her", "His", "Their", "Everyone", "Some"}
