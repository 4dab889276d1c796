"""English word forms, generated generously: does a word in an answer count as known?"""

from __future__ import annotations

_IRREGULAR = {
    "be": "am is are was were been being", "have": "has had having", "do": "does did done doing",
    "go": "goes went gone going", "eat": "ate eaten", "see": "saw seen", "run": "ran", "come": "came",
    "give": "gave given", "take": "took taken", "make": "made", "say": "said", "find": "found",
    "get": "got gotten", "know": "knew known", "think": "thought", "tell": "told", "feel": "felt",
    "leave": "left", "bring": "brought", "buy": "bought", "catch": "caught", "teach": "taught",
    "fight": "fought", "sit": "sat", "stand": "stood", "swim": "swam swum", "sing": "sang sung",
    "drink": "drank drunk", "ring": "rang rung", "begin": "began begun", "fly": "flew flown flies",
    "draw": "drew drawn", "grow": "grew grown", "throw": "threw thrown", "blow": "blew blown",
    "break": "broke broken", "speak": "spoke spoken", "wake": "woke woken", "write": "wrote written",
    "ride": "rode ridden", "hide": "hid hidden", "bite": "bit bitten", "fall": "fell fallen",
    "forget": "forgot forgotten", "win": "won", "lose": "lost", "hold": "held", "keep": "kept",
    "sleep": "slept", "sweep": "swept", "build": "built", "send": "sent", "spend": "spent",
    "lend": "lent", "meet": "met", "feed": "fed", "lead": "led", "hear": "heard", "pay": "paid",
    "lay": "laid", "lie": "lay lain lying", "die": "died dying", "tie": "tied tying", "shine": "shone",
    "dig": "dug", "hang": "hung", "stick": "stuck", "swing": "swung", "wear": "wore worn",
    "tear": "tore torn", "steal": "stole stolen", "choose": "chose chosen", "freeze": "froze frozen",
    "shake": "shook shaken", "mean": "meant", "light": "lit", "slide": "slid", "spin": "spun",
    "good": "better best", "bad": "worse worst", "far": "farther farthest further furthest",
    "child": "children", "man": "men", "woman": "women", "foot": "feet", "tooth": "teeth",
    "mouse": "mice", "sheep": "sheep", "fish": "fish", "leaf": "leaves", "wolf": "wolves",
    "knife": "knives", "life": "lives", "wife": "wives", "shelf": "shelves", "goose": "geese",
}

_VOWELS = set("aeiou")


def inflections(word: str) -> set[str]:
    """Likely forms of an English word (plural, tenses, comparatives, -ly).

    Over-generating is harmless: the set only decides whether a word in an answer
    counts as known, so a made-up form like "happys" costs nothing.
    """
    w = word.lower()
    forms = {w, w + "s", w + "es", w + "ed", w + "d", w + "ing", w + "er", w + "est", w + "r", w + "st",
             w + "ly", w + "'s"}
    forms.update(_IRREGULAR.get(w, "").split())
    if w.endswith("e"):
        forms |= {w[:-1] + "ing", w[:-1] + "y"}
    if w.endswith("y") and len(w) > 2 and w[-2] not in _VOWELS:
        stem = w[:-1]
        forms |= {stem + "ies", stem + "ied", stem + "ier", stem + "iest", stem + "ily"}
    if len(w) >= 3 and w[-1] not in _VOWELS | {"w", "x", "y"} and w[-2] in _VOWELS and w[-3] not in _VOWELS:
        forms |= {w + w[-1] + s for s in ("ed", "ing", "er", "est", "y")}  # hop -> hopped, big -> bigger
    if w.endswith("le"):
        forms.add(w[:-1] + "y")  # gentle -> gently
    return forms
