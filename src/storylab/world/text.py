"""Surface English for the story world: articles, capitals, quotes, and offset marks.

Offsets are the fiddly part of ground truth. Rather than counting characters while
sentences are assembled (and re-counting after every capitalisation or reordering), a
sentence embeds an invisible marker ``\\x01<n>\\x02`` right before a word it wants to
point at. `Doc.finish` removes the markers in one pass and writes the character offset
of each into the dict registered for it. Markers contain no letters, so capitalising
"the first letter of a sentence" works on marked text unchanged.
"""

from __future__ import annotations

import functools
import re

NUMBERS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
           "eleven", "twelve"]
_AN_EXCEPTIONS = {"unicorn": "a", "uniform": "a", "useful": "a", "one": "a", "honest": "an", "hour": "an"}
_MARK = re.compile("\x01(\\d+)\x02")
_WORDS = re.compile(r"[a-z]+")
# ASCII letters lowercased, every other byte a space: the words of an ASCII sentence by one translate and a split
_WORD_BYTES = bytes(c + 32 if 65 <= c <= 90 else c if 97 <= c <= 122 else 32 for c in range(256))
FIXED = "\x05"  # in a sentence: the realiser leaves it as written (its wording is a skill's ground truth)
_INNER_START = re.compile(r"([.!?] (?:\x01\d+\x02)*)([a-z])")


@functools.lru_cache(maxsize=65536)  # (~15 a story, of ~3,400 phrases in 3,000 stories)
def article(word: str) -> str:
    """'a' or 'an' by the sound of `word` (the few exceptions our vocabulary has)."""
    w = word.split(" ", 1)[0].lower()
    a = _AN_EXCEPTIONS.get(w)
    if a:
        return a
    return "an" if w[:1] in "aeiou" else "a"


def a(word: str) -> str:
    """'a cat', 'an apple'."""
    return f"{article(word)} {word}"


def cap(s: str) -> str:
    """Capitalise the first letter (skipping quotes and offset markers)."""
    for i, ch in enumerate(s):
        if ch.isalpha():
            return s if ch.isupper() else s[:i] + ch.upper() + s[i + 1:]
    return s


def join_and(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return f"{items[0]} and {items[1]}"
    return ", ".join(items[:-1]) + f", and {items[-1]}"


def count_noun(n: int, noun: dict) -> str:
    """'one apple', 'three apples'."""
    return f"{NUMBERS[n]} {noun['word'] if n == 1 else noun['plural']}"


# how a line is said, by the line's end: a cry is not said quietly, a question not loudly
# (not " again": a line said for the first time is not said again)
_TAG_TAILS = {"!": (" loudly", " right away", " at once", " at last", " with a big smile"),
              "?": (" softly", " quietly", " after a moment", " in a small voice", " with a smile"),
              ".": (" softly", " quietly", " slowly", " with a nod", " after a moment", " in a soft voice",
                    " very softly", " at last", " with a smile")}
# a plain "said" may become another verb of saying that fits the line: a question is asked or wondered,
# a cry is shouted or called, a statement is answered, whispered, explained
_SAY = {"?": ("asked", "asked", "wondered", "whispered", "called"),
        "!": ("shouted", "called", "cried", "yelled", "exclaimed", "said", "gasped"),
        ".": ("said", "said", "whispered", "explained", "murmured")}
_LOUD = {"shouted", "yelled", "called", "cried", "exclaimed", "cheered", "gasped", "squealed"}
_SOFT = {"whispered", "murmured", "mumbled"}
_SOFT_TAILS = {" softly", " quietly", " in a small voice", " very softly", " in a soft voice", " slowly"}
_LOUD_TAILS = {" loudly"}
_REPLY = ("answered", "replied", "said")  # after a question


def quote(rng, speaker: str, line: str, verb: str = "said", reply: bool = False) -> str:
    """A line of dialogue in one of the usual shapes, with balanced quotes.

    `line` is what is said, starting with a capital and ending with . ! or ?; `reply`: it
    answers a question (so it may be "answered" or "replied").
    """
    if verb == "said" and rng.random() < 0.5:
        verb = rng.choice(_REPLY if reply and line[-1:] != "?" else _SAY.get(line[-1:], ("said",)))
    r = rng.random()
    if r < 0.45:
        return f'{speaker} {verb}, "{line}"'
    end = line[-1:]
    if line.endswith("."):
        line = line[:-1] + ","
    tails = _TAG_TAILS.get(end, _TAG_TAILS["."])
    if verb in _LOUD or verb in _SOFT:  # not "shouted in a small voice", nor "whispered loudly"
        tails = [t for t in tails if t not in (_SOFT_TAILS if verb in _LOUD else _LOUD_TAILS)] or [""]
    tail = "" if line.endswith(",") and rng.random() < 0.5 else rng.choice(tails)
    if r < 0.75 and " " not in verb:  # (a verb with its object keeps it after the speaker: not "told him Chloe")
        return f'"{line}" {verb} {speaker}{tail}.'
    return f'"{line}" {speaker} {verb}{tail}.'


def _upper(m: re.Match) -> str:
    return m.group(1) + m.group(2).upper()


def words_of(t: str) -> list[str]:
    """The lowercase words of `t` (its runs of a-z once lowercased), as ``re.findall("[a-z]+", t.lower())``
    gives them: a third of the time for the ASCII text the world writes."""
    if t.isascii():
        return t.encode("ascii").translate(_WORD_BYTES).decode("ascii").split()
    return _WORDS.findall(t.lower())


def _w(ch: str) -> bool:
    return ch.isalnum() or ch == "_"  # (re's \w in a str pattern)


def has_whole(text: str, word: str) -> bool:
    """Whether `word` (not empty) occurs in `text` as ``re.search(rf"\\b{re.escape(word)}\\b", text)`` finds it:
    a str.find per occurrence, rather than a pattern compiled per name (~600 names in 2,000 stories, ~60 us each)."""
    a, b, n = _w(word[0]), _w(word[-1]), len(word)
    i = text.find(word)
    while i >= 0:
        j = i + n  # \b: a word character on one side only
        if (i > 0 and _w(text[i - 1])) != a and (j < len(text) and _w(text[j])) != b:
            return True
        i = text.find(word, i + 1)
    return False


class Doc:
    """A story being written: paragraphs of sentences, plus offset marks to resolve."""

    __slots__ = ("paras", "cur", "marks", "nwords", "words", "toks", "answer_marks")

    def __init__(self):
        self.paras: list[list[str]] = []
        self.cur: list[str] = []
        self.marks: list[tuple[dict, str]] = []
        self.nwords = 0
        self.words: set[str] = set()  # lowercase words written so far (for has_word)
        self.toks: dict[str, list[str]] = {}  # sentence -> its lowercase words (the realiser reads them again)
        self.answer_marks: list[str] = []  # the markers of skill answers ("prompt_end")

    def m(self, word: str, rec: dict, key: str = "offset") -> str:
        """`word`, preceded by a marker; `rec[key]` becomes its character offset."""
        self.marks.append((rec, key))
        mark = f"\x01{len(self.marks) - 1}\x02"
        if key == "prompt_end":
            self.answer_marks.append(mark)
        return mark + word

    def s(self, *sentences: str) -> None:
        for t in sentences:
            c = t[:1]
            if not c.isalpha():  # a quote or a mark first
                t = cap(t)
            elif not c.isupper():
                t = c.upper() + t[1:]
            if ". " in t or "! " in t or "? " in t:  # several sentences in one string
                t = _INNER_START.sub(_upper, t)
            self.cur.append(t)
            self.nwords += t.count(" ") + 1
            self.toks[t] = toks = words_of(t)
            self.words.update(toks)

    def realise(self, fn) -> None:
        """Pass every sentence written through `fn` (the realiser's last step), in order."""
        self.para()
        self.paras = [[t if FIXED in t or self._answers(t) else fn(t) for t in p] for p in self.paras]
        self.nwords = sum(t.count(" ") + 1 for p in self.paras for t in p)

    def _answers(self, t: str) -> bool:
        """Whether `t` holds a skill's answer (its wording, up to the answer, is the item's prompt)."""
        return "\x01" in t and any(mark in t for mark in self.answer_marks)

    def para(self) -> None:
        if self.cur:
            self.paras.append(self.cur)
            self.cur = []

    def has_exact(self, word: str) -> bool:
        """Whether `word` occurs, with this capitalisation, as a whole word so far."""
        if " " not in word:  # a word without spaces lies within one sentence (sentences are joined by spaces)
            return any(has_whole(t, word) for p in (*self.paras, self.cur) for t in p)
        return has_whole(" ".join(" ".join(p) for p in self.paras) + " " + " ".join(self.cur), word)

    def has_word(self, *forms: str) -> bool:
        """Whether any of `forms` occurs as a whole word in what is written so far."""
        forms = [f.lower() for f in forms if f]
        if all(map(str.isalpha, forms)):
            return not self.words.isdisjoint(forms)
        raw = " ".join(" ".join(p) for p in self.paras) + " " + " ".join(self.cur)  # a form of several words:
        pat = "|".join(re.escape(f) for f in forms)                                    # search for it
        return bool(re.search(rf"\b(?:{pat})\b", raw, re.IGNORECASE))

    def finish(self) -> str:
        self.para()
        raw = "\n".join(" ".join(p) for p in self.paras).replace(FIXED, "")
        parts = _MARK.split(raw)  # text, mark number, text, ..., text
        length = len(parts[0])
        for k in range(1, len(parts), 2):
            rec, key = self.marks[int(parts[k])]
            if key.endswith("s") and isinstance(rec.get(key), list):
                rec[key].append(length)
            else:
                rec[key] = length
            length += len(parts[k + 1])
        return "".join(parts[::2])
