"""Story recipes for LLM generation, after TinyStories: words, features, prompt.

A recipe is one verb, one noun and one adjective drawn from a vocabulary, plus a
random subset of narrative features (Dialogue, BadEnding, MoralValue, Twist,
Foreshadowing, Conflict). Forcing different words and features into every prompt is
what keeps an LLM from writing the same story over and over.

A recipe depends only on (seed, index) and the word lists, never on the order in
which stories finish, so a resumed run asks for exactly the stories it would have
asked for the first time.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import string
from dataclasses import dataclass, field
from pathlib import Path

from storylab.corpus.instruct import FIELD_KEYS, INSTRUCT_FIELDS, InstructFields
from storylab.errors import StorylabError
from storylab.io import read_text
from storylab.world.inflect import inflections

# --- features ---------------------------------------------------------------------------

FEATURES: dict[str, str] = {
    "Dialogue": "Let the characters talk to each other, with at least one line of speech in quotation marks.",
    "BadEnding": "Let the story end badly: things should not work out for the characters.",
    "MoralValue": "Let the story teach a simple lesson about what is right or kind.",
    "Twist": "Put in a surprise that changes where the story is going.",
    "Foreshadowing": "Early on, drop a small hint about something that happens later.",
    "Conflict": "Give the characters a problem or a disagreement that they have to deal with.",
}

SUMMARY_REQUEST = ('After the story, add one last line that starts with "Summary:" and sums up the story in '
                   'one simple sentence.')

DEFAULT_TEMPLATE = (
    "Write a short story of 3 to 5 paragraphs. Use only very simple words that a 3-year-old child "
    "would understand. {requirement} {features}Remember: only simple words!{summary_request}"
)

TEMPLATE_FIELDS = ("verb", "noun", "adjective", "word_list", "requirement", "features", "feature_names",
                   "summary_request")


# --- word lists ---------------------------------------------------------------------------

# Words any simple English story needs besides its content words; used to judge
# "off-vocabulary" answers when the user brings a word list without function words.
FUNCTION_WORDS = frozenset("""
a an the some any this that these those every each all both no none other another such what which whose
i me my mine myself you your yours yourself he him his himself she her hers herself it its itself we us our
ours ourselves they them their theirs themselves who whom one ones someone something somebody anyone anything
anybody everyone everything everybody nobody nothing nowhere somewhere anywhere everywhere
in on at to from by with without about above below under over into onto out up down off through across
along around behind beside between near far after before during until till since of for like than past
inside outside toward towards upon against among within
and or but so because if when while then though although as yet nor also too either neither whether once
be am is are was were been being have has had having do does did done doing will would shall should can
could may might must let lets
isn't aren't wasn't weren't don't doesn't didn't can't couldn't won't wouldn't shouldn't haven't hasn't hadn't
i'm you're he's she's it's we're they're i've you've we've they've i'll you'll he'll she'll it'll we'll
they'll i'd you'd he'd she'd we'd they'd that's there's here's what's who's let's
not very really just only even still again always never sometimes often soon now then here there today
tonight tomorrow yesterday later already almost quite more most less least much many few lot lots little
back away home together alone ever how why where yes no oh ah wow hello hi bye goodbye please thank thanks
okay ok well sure maybe
zero one two three four five six seven eight nine ten eleven twelve twenty hundred first second third last
next once twice upon time day days night morning evening said say says saying asked ask tell told
mom mommy mama dad daddy papa mum mummy grandma grandpa
""".split())

@dataclass
class WordLists:
    """Where recipes draw their words from, and which words an answer may use.

    `verbs`/`nouns`/`adjectives` hold base forms. A list without parts of speech
    goes in `words` (recipes then draw three words from it). `allowed` is every
    lowercase form an answer may use without counting as off-vocabulary.
    """

    verbs: list[str] = field(default_factory=list)
    nouns: list[str] = field(default_factory=list)
    adjectives: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    allowed: set[str] = field(default_factory=set)
    source: str = "builtin"

    @property
    def has_parts_of_speech(self) -> bool:
        return bool(self.verbs and self.nouns and self.adjectives)

    def fingerprint(self) -> str:
        """Changes whenever the words a recipe can draw change (guards resumed runs)."""
        blob = json.dumps([self.verbs, self.nouns, self.adjectives, self.words])
        return hashlib.sha1(blob.encode()).hexdigest()[:12]


def _clean_words(values, what: str, path) -> list[str]:
    if not isinstance(values, list):
        raise StorylabError(f"{path}: '{what}' must be a list of words")
    out = []
    for v in values:
        if isinstance(v, dict):
            v = v.get("word")
        if not isinstance(v, str) or not v.strip():
            raise StorylabError(f"{path}: '{what}' has an entry that is not a word: {v!r}")
        out.append(v.strip())
    return list(dict.fromkeys(out))  # drop repeats, keep order (a recipe's draw depends on it)


# The commonest verbs of any story; with a user word list they are allowed in all forms.
CORE_VERBS = ("go come get make see look like want know think feel give take put try need love play say "
              "tell ask".split())


def _allowed_for(words: list[str]) -> set[str]:
    allowed = set(FUNCTION_WORDS)
    for w in list(words) + CORE_VERBS:
        allowed |= inflections(w)
    return allowed


_POS_KEYS = {"verb": "verbs", "verbs": "verbs", "noun": "nouns", "nouns": "nouns",
             "adjective": "adjectives", "adjectives": "adjectives", "adj": "adjectives"}


def _from_json(data, path) -> WordLists:
    if isinstance(data, dict):
        lists = {key: _clean_words(data.get(key, []), key, path) for key in ("verbs", "nouns", "adjectives")}
        pool = _clean_words(data.get("words", []), "words", path)
        extra = _clean_words(data.get("allowed", []), "allowed", path)
        wl = WordLists(**lists, words=pool, source=str(path))
        if not (wl.has_parts_of_speech or len(pool) >= 3):
            raise StorylabError(f"{path}: needs non-empty 'verbs', 'nouns' and 'adjectives' lists "
                                f"(or a 'words' list of at least 3)")
    elif isinstance(data, list) and all(isinstance(x, str) for x in data):
        wl, extra = WordLists(words=_clean_words(data, "words", path), source=str(path)), []
        if len(wl.words) < 3:
            raise StorylabError(f"{path}: a plain word list needs at least 3 words")
    elif isinstance(data, list):  # [{"word": ..., "pos": "verb"}, ...]
        lists: dict[str, list] = {"verbs": [], "nouns": [], "adjectives": []}
        for i, item in enumerate(data):
            pos = _POS_KEYS.get(str(item.get("pos", "")).lower()) if isinstance(item, dict) else None
            if pos is None:
                raise StorylabError(f"{path}: entry {i} needs 'word' and a 'pos' of verb, noun or adjective")
            lists[pos].append(item)
        wl = WordLists(**{k: _clean_words(v, k, path) for k, v in lists.items()}, source=str(path))
        extra = []
        if not wl.has_parts_of_speech:
            raise StorylabError(f"{path}: needs at least one verb, one noun and one adjective")
    else:
        raise StorylabError(f"{path}: expected a JSON object with 'verbs', 'nouns', 'adjectives' or a list")
    wl.allowed = _allowed_for(wl.verbs + wl.nouns + wl.adjectives + wl.words + extra)
    return wl


def _from_text(text: str, path) -> WordLists:
    """Plain text: lines like ``verbs: jump, run`` (sections), or one bare word per line."""
    lists: dict[str, list[str]] = {"verbs": [], "nouns": [], "adjectives": [], "words": []}
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        key, sep, rest = line.partition(":")
        if sep:
            target = _POS_KEYS.get(key.strip().lower())
            if target is None:
                raise StorylabError(f"{path}:{lineno}: unknown part of speech {key.strip()!r} "
                                    f"(use verbs:, nouns:, adjectives:)")
        else:
            target, rest = "words", line
        lists[target] += [w for w in re.split(r"[,\s]+", rest) if w]
    return _from_json({k: v for k, v in lists.items() if v}, path)


def load_word_lists(path: str | Path | None = None) -> WordLists:
    """Words for recipes: the built-in vocabulary, or a user file.

    A user file is JSON — ``{"verbs": [...], "nouns": [...], "adjectives": [...]}``
    (entries may be strings or ``{"word": ...}`` objects; an optional ``"allowed"`` list
    adds words an answer may use), a list of ``{"word", "pos"}`` objects, or a plain list
    of words — or plain text with ``verbs: ...`` / ``nouns: ...`` / ``adjectives: ...``
    lines, or one word per line.
    """
    if path is None:
        return builtin_word_lists()
    text = read_text(path, "word list")
    if Path(path).suffix.lower() == ".json" or text.lstrip().startswith(("{", "[")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise StorylabError(f"{path}: invalid JSON (line {e.lineno}: {e.msg})") from None
        return _from_json(data, path)
    return _from_text(text, path)


def builtin_word_lists() -> WordLists:
    """The project's vocabulary (storylab.world.vocabulary), as word lists."""
    try:
        from storylab.world.vocabulary import load_vocabulary
    except ImportError as e:
        raise StorylabError(f"the built-in vocabulary is not available ({e}); pass a word list file") from None
    vocab = load_vocabulary()
    verbs, nouns, adjectives = vocab.recipe_words()
    return WordLists(verbs=list(verbs), nouns=list(nouns), adjectives=list(adjectives),
                     allowed={w.lower() for w in vocab.allowed_words()}, source="builtin")


# --- recipes -----------------------------------------------------------------------------------


@dataclass
class Recipe:
    """What one story must contain. Depends only on (seed, index, word lists)."""

    seed: int
    index: int
    words: dict            # {"verb", "noun", "adjective"} or {"words": [a, b, c]}
    features: list[str]

    @property
    def id(self) -> str:
        return story_id(self.seed, self.index)

    @property
    def word_list(self) -> list[str]:
        if "words" in self.words:
            return list(self.words["words"])
        return [self.words["verb"], self.words["noun"], self.words["adjective"]]


def story_id(seed: int, index: int) -> str:
    """The stable id of story `index` of a run with `seed`."""
    return f"llm-{seed}-{index:07d}"


def _rng(seed: int, index: int, purpose: str) -> random.Random:
    # A string seed goes through SHA-512 in `random`, so it is stable across runs,
    # platforms and PYTHONHASHSEED.
    return random.Random(f"storylab:{purpose}:{seed}:{index}")


def make_recipe(seed: int, index: int, words: WordLists, max_features: int = 3) -> Recipe:
    """Draw the words and a random subset of 0..`max_features` features for story `index`."""
    rng = _rng(seed, index, "recipe")
    if words.has_parts_of_speech:
        chosen = {"verb": rng.choice(words.verbs), "noun": rng.choice(words.nouns),
                  "adjective": rng.choice(words.adjectives)}
    else:
        chosen = {"words": rng.sample(words.words, 3)}
    k = rng.randint(0, min(max_features, len(FEATURES)))
    features = sorted(rng.sample(list(FEATURES), k), key=list(FEATURES).index)
    return Recipe(seed, index, chosen, features)


# --- prompts -----------------------------------------------------------------------------------


def _quoted_list(items: list[str]) -> str:
    q = [f'"{w}"' for w in items]
    return q[0] if len(q) == 1 else ", ".join(q[:-1]) + " and " + q[-1]


def prompt_fields(recipe: Recipe, instruct: bool = False) -> dict:
    """The values a template can use; see TEMPLATE_FIELDS."""
    w = recipe.words
    if "words" in w:
        requirement = f"The story must use the words {_quoted_list(w['words'])}."
    else:
        requirement = (f'The story must use the verb "{w["verb"]}", the noun "{w["noun"]}" '
                       f'and the adjective "{w["adjective"]}".')
    features = ""
    if recipe.features:
        features = "It should have these features: " + " ".join(FEATURES[f] for f in recipe.features) + " "
    return {
        "verb": w.get("verb", ""), "noun": w.get("noun", ""), "adjective": w.get("adjective", ""),
        "word_list": ", ".join(recipe.word_list), "requirement": requirement, "features": features,
        "feature_names": ", ".join(recipe.features),
        "summary_request": (" " + SUMMARY_REQUEST) if instruct else "",
    }


class PromptTemplate:
    """A prompt with named fields, in `str.format` style (``{verb}``) or
    `string.Template` style (``$verb`` / ``${verb}``) — whichever the text uses."""

    def __init__(self, text: str, origin: str = "template"):
        self.text = text
        self.origin = origin
        ids = [m.group("named") or m.group("braced") for m in string.Template.pattern.finditer(text)]
        self.dollar = any(i in TEMPLATE_FIELDS for i in ids if i)
        self._check()

    @classmethod
    def from_file(cls, path: str | Path) -> "PromptTemplate":
        return cls(read_text(path, "prompt template"), origin=str(path))

    def _check(self) -> None:
        sample = prompt_fields(Recipe(0, 0, {"verb": "v", "noun": "n", "adjective": "a"}, ["Dialogue"]), True)
        try:
            self._render(sample)
        except KeyError as e:
            raise StorylabError(f"{self.origin}: unknown field {e.args[0]!r}; "
                                f"available: {', '.join(TEMPLATE_FIELDS)}") from None
        except (ValueError, IndexError) as e:
            raise StorylabError(f"{self.origin}: malformed template ({e}); "
                                f"write literal braces as {{{{ }}}} or use $field style") from None

    def _render(self, fields: dict) -> str:
        if self.dollar:
            return string.Template(self.text).substitute(fields)
        return self.text.format(**fields)

    def uses(self, name: str) -> bool:
        if self.dollar:
            return "$" + name in self.text or "${" + name + "}" in self.text
        return "{" + name + "}" in self.text

    def render(self, recipe: Recipe, instruct: bool = False) -> str:
        if "words" in recipe.words and any(self.uses(f) for f in ("verb", "noun", "adjective")):
            raise StorylabError(f"{self.origin}: uses {{verb}}/{{noun}}/{{adjective}} but the word list has no "
                                f"parts of speech; use {{word_list}} or {{requirement}}")
        fields = prompt_fields(recipe, instruct)
        text = self._render(fields).strip()
        if instruct and not self.uses("summary_request"):
            text += fields["summary_request"]
        return text


def build_messages(recipe: Recipe, template: PromptTemplate | None = None, instruct: bool = False) -> list[dict]:
    """The chat messages that ask for the story of `recipe`."""
    template = template or PromptTemplate(DEFAULT_TEMPLATE, "default template")
    return [{"role": "user", "content": template.render(recipe, instruct)}]


# --- checking answers ----------------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)*")
_REFUSAL = re.compile(r"^\W*(?:i['\u2019]?m sorry|i am sorry|sorry,|i can(?:no|['\u2019])t|i cannot|i won['\u2019]t|"
                      r"i am unable|i['\u2019]m unable|i am not able|as an ai|i must decline)", re.IGNORECASE)


def is_refusal(text: str) -> bool:
    return bool(_REFUSAL.match(text[:200]))


def offvocab(text: str, allowed: set[str]) -> tuple[float, list[str]]:
    """Share of word tokens not in `allowed`, and the distinct unknown words (up to 10).

    Proper names are not counted: a capitalised word that never appears in lower case
    in the text and is not itself allowed (Lily, Max) is taken to be a name.
    """
    tokens = [t.replace("\u2019", "'") for t in _WORD.findall(text)]
    if not tokens:
        return 0.0, []
    lower_seen = {t for t in tokens if t[0].islower()}
    unknown: list[str] = []
    counted = 0
    for t in tokens:
        low = t.lower()
        if low in allowed or low.removesuffix("'s") in allowed:
            counted += 1
            continue
        if t[0].isupper() and low not in lower_seen:
            continue  # a name
        counted += 1
        unknown.append(low)
    return (len(unknown) / counted if counted else 0.0), list(dict.fromkeys(unknown))[:10]


# --- TinyStories-Instruct ----------------------------------------------------------------------------

def split_summary(answer: str) -> tuple[str, str | None]:
    """Separate the story from a trailing ``Summary: ...`` line in an instruct answer."""
    lines = answer.strip().splitlines()
    for i in range(len(lines) - 1, -1, -1):
        m = re.match(r"^\W*summary\W*:\s*(.*)$", lines[i], re.IGNORECASE)
        if m and m.group(1).strip():
            story = "\n".join(lines[:i] + lines[i + 1:]).strip()
            story = re.sub(r"^\W*story\W*:\s*", "", story, flags=re.IGNORECASE)
            return story, m.group(1).strip().strip("*").strip()
    return answer.strip(), None


_SENTENCE = re.compile(r"[^.!?\n]+[.!?]+[\"'\u201d]?")


def random_sentence(story: str, rng: random.Random) -> str:
    sentences = [s.strip() for s in _SENTENCE.findall(story) if len(s.split()) >= 3]
    return rng.choice(sentences) if sentences else story.split("\n")[0].strip()


def instruct_fields(recipe: Recipe, story: str, summary: str) -> InstructFields:
    """TinyStories-Instruct fields for a generated story: each optional field is kept
    with probability 1/2, in a shuffled order, Story last — decided by (seed, index) only."""
    rng = _rng(recipe.seed, recipe.index, "instruct")
    f = InstructFields(story=story, summary=summary, words=recipe.word_list,
                       features=list(recipe.features) or None, random_sentence=random_sentence(story, rng))
    names = [n for n in INSTRUCT_FIELDS if getattr(f, FIELD_KEYS[n]) is not None and rng.random() < 0.5]
    rng.shuffle(names)
    for n in INSTRUCT_FIELDS:
        if n not in names:
            setattr(f, FIELD_KEYS[n], None)  # the fields hold exactly what the text shows
    f.order = names + ["Story"]
    return f
