"""Micro-skill episodes: short passages whose next word is determined by what came before.

Each function writes one or a few sentences into the story through `st` (a
`storylab.world.story.Story`) and records one skill item in ``st.meta["skills"]``:
``{"skill", "prompt_end", "answer", "distractors", ...details}``. ``prompt_end`` is the
character offset of the answer in the final text, so ``text[:prompt_end]`` is the
prompt a capability test gives the model and ``answer`` the continuation it should
prefer over each distractor. Each returns False if it does not fit the story.
"""

from __future__ import annotations

from storylab.world import facts
from storylab.world.model import COLORS, DIRECTIONS
from storylab.world.record import skill as _skill
from storylab.world.text import NUMBERS, a, article, count_noun

_LOUD = ["drum", "whistle", "bell", "horn"]
_QUIET = ["book", "doll", "teddy", "puzzle", "block", "ball", "kite", "puppet", "crayon", "marble", "robot"]
_NEG_ATTRS = ["sweet", "sweet", "salty", "sour", "crunchy", "juicy", "cold", "healthy"]


def exclusion(st) -> bool:
    """'Lily liked cats and dogs. Mom said no to a dog, so she asked for a cat.'"""
    rng, w, N, c = st.rng, st.w, st.main.name, st.main
    cat = rng.choice(("pet", "food", "toy"))
    pool = {"pet": w.pets, "food": w.countable_foods, "toy": w.toys}[cat]
    x, y = rng.sample(pool, 2)
    if article(x["word"]) != article(y["word"]):
        x, y = rng.sample(pool, 2)
    if cat == "food":  # "bought some beans", not "bought a bean"
        x, y = dict(x, word=x["plural"]), dict(y, word=y["plural"])
    if x["word"] == c.kind or y["word"] == c.kind:
        return False
    rec = _skill(st, "exclusion", y["word"], [x["word"]], options=[x["word"], y["word"]], excluded=x["word"],
                 category=cat)
    ans = st.doc.m(y["word"], rec, "prompt_end")
    like = rng.choice((f"{N} liked {x['plural']} and {y['plural']}.",
                       f"{N} loved {x['plural']}, and {c.s} loved {y['plural']} too.",
                       f"{N} liked two things very much: {x['plural']} and {y['plural']}."))
    parent = st.parent
    if cat == "pet":
        st.doc.s(like, f"One day, {c.s} asked {parent} for a pet.",
                 f"{cap1(parent)} said no to {a(x['word'])}, so {N} asked for {article(y['word'])} {ans}.")
    elif cat == "food":
        shop = st.place_mark("bakery" if "sweet" in x["attrs"] and "sweet" in y["attrs"] else
                             rng.choice(("market", "shop")))
        st.doc.s(like, f"At the {shop}, there were no {x['plural']} left, so {c.s} bought some {ans}.")
    else:
        shop = st.place_mark("shop")
        st.doc.s(like, rng.choice((
            f"At the {shop}, the {x['word']} was too big for {c.p} bag, so {c.s} picked {article(y['word'])} {ans}.",
            f"The {shop} had no {x['plural']} that day, so {N} chose {article(y['word'])} {ans}.")))
    return True


def cap1(s: str) -> str:
    return s[:1].upper() + s[1:]


def negation(st) -> bool:
    """'Bob did not like sweet food, so he ate the pizza, not the candy.'"""
    rng, w, N, c = st.rng, st.w, st.main.name, st.main
    if rng.random() < 0.3:
        loud = rng.choice(_LOUD)
        quiet = rng.choice(_QUIET)
        attr, x, y, verb = "loud", loud, quiet, "played with"
        st.doc.s(f"There was {a(x)} and {a(y)} on the floor.")
        thing = "toys"
    else:
        attr = rng.choice(_NEG_ATTRS)
        has = [f for f in w.foods if attr in f["attrs"]]
        hasnt = [f for f in w.foods if attr not in f["attrs"]]
        x, y = rng.choice(has)["word"], rng.choice(hasnt)["word"]
        verb = rng.choice(("ate", "picked", "took", "chose"))
        st.doc.s(rng.choice((f"On the table, there was {a(x)} and {a(y)}.",
                             f"{st.parent_title} gave {N} a choice: {a(x)} or {a(y)}.")))
        thing = rng.choice(("food", "things", "snacks"))
    rec = _skill(st, "negation", y, [x], attribute=attr, negated=True)
    ans = st.doc.m(y, rec, "prompt_end")
    st.doc.s(rng.choice((f"{N} did not like {attr} {thing}, so {c.s} {verb} the {ans}, not the {x}.",
                         f"{N} did not want anything {attr}, so {c.s} {verb} the {ans} and not the {x}.")))
    return True


def fact(st, where: str = "middle", key: str | None = None) -> bool:
    """Everyday knowledge a character uses: hungry -> eat, cold -> coat, dark -> lamp, night -> moon.

    The facts and their sentences are in `storylab.world.facts` (from the knowledge base)."""
    rng, season = st.rng, st.season
    if key:
        opts = [key]
    elif where == "end":
        opts = ["tired", "tired", "night", "night", "dark"]
    else:
        opts = ["hungry", "thirsty", "dirty", "sick", "dry", "tool", "tool", "body", "job"]
        if season == "winter":
            opts += ["cold", "cold", "snow"]
        elif season == "summer":
            opts += ["hot", "hot", "rain"]
        else:
            opts += ["rain", "wind", "cold"]
    done = st.flags.get("facts", ())
    opts = [k for k in opts if ("remedy", k) not in done] or ["tool"]
    key = rng.choice(opts)
    if key == "night":
        return facts.night(st)
    if key == "job":
        facts.state(st, "job", rng.choice(facts.K.rel["job"].subjects), annotate=True)
        return True
    if key == "body":
        facts.state(st, "sense", rng.choice(facts.K.rel["sense"].subjects), annotate=True)
        return True
    if key == "tool":
        facts.state(st, "tool", rng.choice(facts.K.rel["tool"].subjects), annotate=True)
        return True
    return facts.need(st, key)


def boxes(st) -> bool:
    """Entity tracking: 'She put the ball in the red box and the car in the blue box. ... opened the red box.'"""
    rng, w, N, c = st.rng, st.w, st.main.name, st.main
    k = 3 if rng.random() < 0.25 else 2
    colors = rng.sample(COLORS, k)
    things = rng.sample(w.toys, k)
    if any(t["word"] == st.item["word"] for t in things):
        return False
    cont = rng.choice(("box", "box", "bag", "basket"))
    plural = "boxes" if cont == "box" else cont + "s"
    placed = [{"container": cont, "color": col, "item": t["word"]} for col, t in zip(colors, things)]
    st.meta["boxes"] = placed
    ones = [f"{a(col)} one" for col in colors]
    st.doc.s(rng.choice((f"{N} had {NUMBERS[k]} {plural}: " + (", ".join(ones[:-1]) + (", and " if k > 2 else " and ")
                                                                + ones[-1]) + ".",
                         f"In {c.p} room, there were {NUMBERS[k]} {plural} of different colors.")))
    parts = [f"the {t['word']} in the {col} {cont}" for col, t in zip(colors, things)]
    st.doc.s(f"{c.s} put " + (", ".join(parts[:-1]) + (", and " if k > 2 else " and ") + parts[-1]) + ".")
    q = rng.randrange(k)
    qi, qc = things[q]["word"], colors[q]
    others = [col for col in colors if col != qc]
    mode = rng.random()
    if mode < 0.4:
        rec = _skill(st, "entity_tracking", qc, others, query=qi, boxes=placed)
        st.doc.s(f"Later, {N} wanted to play with the {qi}, so {c.s} opened the {st.doc.m(qc, rec, 'prompt_end')} {cont}.")
    elif mode < 0.7:
        rec = _skill(st, "entity_tracking", qc, others, query=qi, boxes=placed)
        st.doc.s(f"{st.parent_title} asked where the {qi} was.",
                 f"{N} said that it was in the {st.doc.m(qc, rec, 'prompt_end')} {cont}.")
    else:
        rest = [t["word"] for t in things if t["word"] != qi]
        rec = _skill(st, "entity_tracking", qi, rest, query=qc, boxes=placed)
        st.doc.s(f"When {c.s} opened the {qc} {cont}, {c.s} found the {st.doc.m(qi, rec, 'prompt_end')}.")
    return True


def counting(st) -> bool:
    """'Mom gave Lily three apples. Lily ate one apple. Now she had two apples left.'"""
    rng, w, N, c = st.rng, st.w, st.main.name, st.main
    n = rng.randint(2, 6)
    if rng.random() < 0.6:
        food = rng.choice(w.countable_foods)
        k = rng.randint(1, n - 1)
        left = n - k
        giver = st.parent_title
        st.doc.s(rng.choice((f"{giver} gave {N} {count_noun(n, food)}.",
                             f"{N} had {count_noun(n, food)} in {c.p} basket.")))
        if st.friend and rng.random() < 0.5:
            st.doc.s(f"{c.s} gave {count_noun(k, food)} to {st.friend.name}.")
        else:
            st.doc.s(f"{c.s} ate {count_noun(k, food)}.")
        change, item = -k, food
    else:
        item = w.vocab.noun[rng.choice(("shell", "stone", "coin", "acorn", "leaf", "feather", "pebble"))]
        k = rng.randint(1, 4)
        left = n + k
        st.doc.s(f"{N} found {count_noun(n, item)}.", f"Then {c.s} found {count_noun(k, item)} more.")
        change = k
    cands = [x for x in (n, k, left + 1, left - 1, left + 2) if x != left and 1 <= x <= 12]
    ds = list(dict.fromkeys(NUMBERS[x] for x in cands))[:3]
    rec = _skill(st, "counting", NUMBERS[left], ds, item=item["word"], start=n, change=change, result=left)
    noun = item["word"] if left == 1 else item["plural"]
    tail = " left" if change < 0 else ""
    ans = st.doc.m(NUMBERS[left], rec, "prompt_end")
    if left != 1 and rng.random() < 0.4:
        st.doc.s(f"Now there were {ans} {noun}{tail}.")
    else:
        st.doc.s(f"Now {c.s} had {ans} {noun}{tail}.")
    return True


def space(st, start: str | None = None, avoid: str | None = None) -> bool:
    """'She walked north from the pond to the bakery.' (the village map decides what lies where)."""
    rng, w, N, c = st.rng, st.w, st.main.name, st.main
    a_place = start or st.place
    dirs = [d for d in DIRECTIONS if w.neighbor(a_place, d)]
    if len(dirs) < 2:
        return False
    d = rng.choice([e for e in dirs if w.neighbor(a_place, e) != avoid])
    b = w.neighbor(a_place, d)
    others = [w.neighbor(a_place, e) for e in dirs if e != d]
    in_context = rng.random() < 0.5
    if in_context:
        st.doc.s(f"The {st.place_mark(b)} was just {d} of the {st.place_mark(a_place)}.")
    rec = _skill(st, "space", b, others, origin=a_place, direction=d, in_context=in_context,
                 dx=DIRECTIONS[d][0], dy=DIRECTIONS[d][1])
    ans = st.place_mark(st.doc.m(b, rec, "prompt_end"), word=b)
    st.doc.s(rng.choice((f"{N} walked {d} from the {st.place_mark(a_place)} to the {ans}.",
                         f"From the {st.place_mark(a_place)}, {N} went {d} until {c.s} came to the {ans}.")))
    st.place = b
    return True


def time_order(st) -> bool:
    """Events in order, then a retelling: 'First I went to the park, and then to the ...'"""
    rng, w, N, c = st.rng, st.w, st.main.name, st.main
    places = rng.sample([p for p in w.coords if p != st.place], 3)
    p1, p2, p3 = places
    doc = st.doc
    doc.s(f"In the {st.time_mark('morning')}, {N} went to the {st.place_mark(p1)}.",
          rng.choice((f"In the {st.time_mark('afternoon')}, {c.s} went to the {st.place_mark(p2)}.",
                      f"After that, {c.s} went to the {st.place_mark(p2)} in the {st.time_mark('afternoon')}.")))
    rec = _skill(st, "time_order", p2, [p1, p3], events=[{"place": p1, "time_of_day": "morning"},
                                                         {"place": p2, "time_of_day": "afternoon"}])
    ans = st.place_mark(doc.m(p2, rec, "prompt_end"), word=p2)
    line = f"First I went to the {st.place_mark(p1)}, and then I went to the {ans}!"
    ev = st.time_mark("evening")
    doc.s(f"In the {ev}, {N} told {st.parent} about {c.p} day.")
    doc.s(f'"{line}" {c.s} said.' if rng.random() < 0.5 else f'{c.s} said, "{line}"')
    return True
