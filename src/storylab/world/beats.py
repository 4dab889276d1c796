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
        "kite": ("fly {o}", "fly {o}", "run with {o}"),
        "doll": ("hug {o}", "play with {o}", "brush {o}'s hair", "sing to {o}"),
        "teddy": ("hug {o}", "play with {o}", "squeeze {o}", "sing to {o}"),
        "block": ("stack {o}", "build a tower with {o}", "play with {o}"),
        "puzzle": ("do {o}", "put together {o}", "play with {o}"),
        "balloon": ("bounce {o}", "chase {o}", "play with {o}"),
        "robot": ("play with {o}", "make {o} walk", "build a house for {o}"),
        "marble": ("roll {o}", "play with {o}"),
        "puppet": ("put on a show with {o}", "play with {o}", "make {o} talk"),
        "sticker": ("show {o} to everyone", "look at {o}", "play with {o}"),
        "crown": ("wear {o}", "put on {o}", "wear {o}"),
        "wand": ("wave {o}", "play with {o}", "wave {o}"),
        "dollhouse": ("play with {o}", "clean {o}", "put the little chairs in {o}"),
        "spaceship": ("fly {o}", "play with {o}", "fly {o} to the moon"),
        "drum": ("play {o}", "tap {o}", "play {o}"),
        "whistle": ("blow {o}", "blow {o}", "play with {o}")}

SOON = ("Soon", "Before long,", "After a while,", "A little later,", "Then", "Not long after,", "A moment later,")
HEARD = ("a small sound", "a tiny sound", "a soft cry", "a little noise", "a sad little sound", "a funny noise")
WHERE_TREE = ("a tall tree", "a big tree", "an old tree", "the tallest tree", "a tree")
NEAR = ("by", "near", "next to", "close to", "behind")
HIDING = ("on {p} bed", "under the bed", "under the table", "behind the couch", "on the shelf", "by the door",
          "under the rug", "in the kitchen", "by the window", "under {p} pillow", "in the yard", "on the chair")


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


def go_home(st, people: list, place: str, thing: str | None = None) -> None:
    """The way home at the end of the day: when, who, how they went, what they talked about or carried."""
    rng, c = st.rng, st.hero
    P = st.place_mark(place)
    t = st.state.time
    T = st.time_mark(t) if t in ("afternoon", "evening") else None
    when = rng.choice(([f"In the {T}", f"Later in the {T}", f"Later that {T}"] if T else []) +
                      ["When the sun went down", "When it was time to go", "At last", "After a long time",
                       "When it began to get dark", "When the sky turned orange"])
    names = group(st, people)
    walk = rng.choice(("walked", "went", "hurried", "skipped", "ran", "wandered"))
    how = rng.choice(("", "", "", " slowly", " hand in hand", " side by side", ", tired but happy",
                      f", with {c.p} {thing} in {c.p} arms" if thing else "",
                      f", talking about the {place} all the way", ", singing a little song"))
    home = rng.choice((f"{walk} home from the {P}{how}", f"left the {P} and {walk} home{how}",
                       f"said goodbye to the {P} and {walk} home{how}", f"started back home from the {P}{how}"))
    r = rng.random()
    if r < 0.6:
        st.s(f"{when}, {names} {home}.")
    elif r < 0.75:
        st.s(f"{when}, {st.nm(c)} did not want to leave the {P}.",
             rng.choice((f"But {names} had to go home.", f"\"We can come back soon,\" said {st.nm(st.grownup)}."
                         if st.known(st.grownup) else "But it was time to go.")))
    else:
        wish = rng.choice(("hoped", "wished", "asked if"))
        st.s(f"When {names} got home, {c.name} {wish} they could come back to the {P} "
             f"{rng.choice(('soon', 'the next day', 'one day', 'very soon', 'again'))}.")
