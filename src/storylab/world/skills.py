"""Skill episodes inside the plot: passages whose next word is determined by what came before.

A plot calls these where it needs them: the route it takes (space), the stop it makes
before the destination (time order), the things it gathers or loses (counting), the
thing someone put away (entity tracking), the choice it makes at a shop (exclusion,
negation), and the hero's name at the end (main character). Each writes its sentences
through the story `st` and its world state, and records one skill item
(`storylab.world.record.skill`): ``{"skill", "prompt_end", "answer", "distractors", ...}``
where ``text[:prompt_end]`` is the prompt and ``answer`` its continuation.
"""

from __future__ import annotations

from storylab.world.model import COLORS, DIRECTIONS
from storylab.world.record import skill
from storylab.world.text import FIXED, NUMBERS, a, cap, count_noun, join_and

_NEG_ATTRS = ["sweet", "sweet", "salty", "sour", "crunchy", "juicy", "healthy"]
_WALK = ("walked", "went", "hurried", "skipped", "marched", "wandered", "rushed", "jogged", "ran")


def main_character(st, others: list[str]) -> dict:
    """The hero's name, where the last sentence begins (others: the story's other names)."""
    return skill(st, "main_character", st.hero.name, others)


# --- space and time order ---------------------------------------------------------------------------


def route(st, group, start: str, dest: str, activity: str | None = None, lead: str = "",
          indoor: bool = False) -> bool:
    """The group walks from `start` to `dest` over the village map; the last block is a space item
    (the place one block that way). Returns whether a space item was written."""
    w, rng = st.w, st.rng
    names = _names(st, group)
    step_from = start
    dirs = [d for d in DIRECTIONS if w.neighbor(dest, d)]
    if not _adjacent(w, start, dest):
        # first leg: to a place next to the destination (no direction claimed)
        via = [w.neighbor(dest, d) for d in dirs]
        via = [p for p in via if p != start and sum(1 for e in DIRECTIONS if w.neighbor(p, e)) >= 2]
        if via:
            step_from = rng.choice(via)
            st.s(f"{cap(lead) if lead else ''}{names} {rng.choice(_WALK)} from the {st.place_mark(start)} to the "
                 f"{st.place_mark(step_from)}.")
            lead = ""
            for c in group:
                st.state.go(c.name, step_from)
    d = next(e for e in DIRECTIONS if w.neighbor(step_from, e) == dest) if _adjacent(w, step_from, dest) else None
    for c in group:
        st.state.go(c.name, dest, activity, indoor)
    if d is None:
        st.s(f"{cap(lead) if lead else ''}{names} {rng.choice(_WALK)} to the {st.place_mark(dest)}.")
        return False
    others = [w.neighbor(step_from, e) for e in DIRECTIONS if e != d and w.neighbor(step_from, e)]
    if not others:
        st.s(f"{cap(lead) if lead else ''}{names} {rng.choice(_WALK)} {d} to the {st.place_mark(dest)}.")
        return False
    in_context = rng.random() < 0.4
    if in_context:
        st.s(rng.choice((f"{st.hero.name} knew that the {st.place_mark(dest)} was just {d} of the {st.place_mark(step_from)}.",
                         f"{st.nm(st.grownup)} knew that the {st.place_mark(dest)} was {d} of the "
                         f"{st.place_mark(step_from)}.")))
    rec = skill(st, "space", dest, others, origin=step_from, direction=d, in_context=in_context,
                dx=DIRECTIONS[d][0], dy=DIRECTIONS[d][1])
    ans = st.place_mark(st.doc.m(dest, rec, "prompt_end"), word=dest)
    walk = rng.choice(_WALK)
    L = cap(lead) if lead else ""
    A = st.place_mark(step_from)
    way = rng.choice(("", "", f" past the {rng.choice(_ROADSIDE)}", " along the path", " down the road",
                      " across the village"))
    reach = rng.choice(("came to", "reached", "got to", "arrived at"))
    st.s(rng.choice((f"{L}{names} {walk} {d}{way} from the {A} to the {ans}.",
                     f"{L}From the {A}, {names} {walk} {d}{way} until they {reach} the {ans}.",
                     f"{L}{names} left the {A} and {walk} {d}{way} all the way to the {ans}.",
                     f"{L}{names} started off {d} from the {A}, and soon they {reach} the {ans}.",
                     f"{L}{names} took the path {d} from the {A}{way} and {walk} on to the {ans}.",
                     f"{L}Leaving the {A} behind, {names} {walk} {d}{way} to the {ans}.")))
    return True


_ROADSIDE = ("trees", "houses", "big rock", "old fence", "flowers", "little bridge", "tall grass", "school",
             "bus stop", "big tree")


def _names(st, group) -> str:
    if len(group) == 1:
        return st.sub(group[0])
    if st.rng.random() < 0.3:
        for c in group:
            st.state.act(c.name)
        return "they"
    return join_and([st.nm(c) for c in group])


def _adjacent(w, p: str, q: str) -> bool:
    (x, y), (u, v) = w.coords[p], w.coords[q]
    return abs(x - u) + abs(y - v) == 1


def time_order_start(st, plan, group, what: str) -> None:
    """The morning stop before the destination (the first event of the time-order item)."""
    stop = plan.stop
    st.state.at("morning")
    names = _names(st, group)
    for c in group:
        st.state.go(c.name, stop)
    st.s(FIXED + st.rng.choice((f"In the {st.time_mark('morning')}, {names} went to the {st.place_mark(stop)} to get {what} for {st.hero.name}.",
                        f"First, in the {st.time_mark('morning')}, {names} went to the {st.place_mark(stop)}, "
                        f"because {st.hero.name} needed {what}.")))
    st.state.at("afternoon")
    st.s(st.rng.choice((f"In the {st.time_mark('afternoon')}, it was time for {st.hero.name} to go to the {st.place_mark(plan.dest)}.",
                        f"After lunch, in the {st.time_mark('afternoon')}, {join_and([st.nm(x) for x in group])} left for the {st.place_mark(plan.dest)}.")))
    plan.stop_events = [{"place": stop, "time_of_day": "morning"}, {"place": plan.dest, "time_of_day": "afternoon"}]


def time_order_tell(st, plan) -> None:
    """In the evening the hero retells the day in order; the second place is the answer."""
    c, rng = st.hero, st.rng
    p1, p2 = plan.stop, plan.dest
    others = [p for p in st.w.coords if p not in (p1, p2)]
    p3 = rng.choice(others)
    st.state.at("evening")
    rec = skill(st, "time_order", p2, [p1, p3], events=plan.stop_events)
    ans = st.place_mark(st.doc.m(p2, rec, "prompt_end"), word=p2)
    listener = st.grownup if st.known(st.grownup) else c
    st.s(rng.choice((f"In the {st.time_mark('evening')}, {st.nm(c)} told {st.nm(listener) if listener is not c else 'everyone'} about the day.",
                     f"That {st.time_mark('evening')}, {st.nm(c)} drew a picture of the whole day.")))
    line = rng.choice((f"First we went to the {st.place_mark(p1)}, and then we went to the {ans}!",
                       f"In the morning we went to the {st.place_mark(p1)}, and after lunch we went to the {ans}."))
    st.s(f'"{line}" {c.name} said.' if rng.random() < 0.5 else f'{c.name} said, "{line}"')


# --- counting -------------------------------------------------------------------------------------


def _count_distractors(n: int, k: int, left: int) -> list[str]:
    cands = [x for x in (n, k, left + 1, left - 1, left + 2) if x != left and 1 <= x <= 12]
    return list(dict.fromkeys(NUMBERS[x] for x in cands))[:3]


def counting_loss(st, item_word: str, carrier, bad: bool, cause: str) -> None:
    """Things bought and carried home; some break on the way; how many are left."""
    rng, v = st.rng, st.w.vocab
    item = v.noun[item_word]
    n = rng.randint(3, 8)
    k = rng.randint(max(1, n - 2), n - 1) if bad else rng.randint(1, max(1, n // 2))
    left = n - k
    st.s(rng.choice((f"At the {st.place_mark(st.place)}, {st.grownup.title} bought {count_noun(n, item)}, and {st.nm(carrier)} carried them in the basket.",
                     f"{st.nm(st.grownup)} bought {count_noun(n, item)} and let {carrier.name} carry them home.",
                     f"{st.sub(carrier)} put {count_noun(n, item)} in the basket, one by one.")))
    st.s(f"On the way home, {cause}, and {count_noun(k, item)} {'broke' if k > 1 else 'broke'}.")
    rec = skill(st, "counting", NUMBERS[left], _count_distractors(n, k, left), item=item_word, start=n,
                change=-k, result=left)
    ans = st.doc.m(NUMBERS[left], rec, "prompt_end")
    noun = item["word"] if left == 1 else item["plural"]
    st.s(rng.choice((f"Now {carrier.name} had only {ans} {noun} left.",
                     f"Now {carrier.name} had {ans} {noun} left for the {st.flags.get('dish', 'cake')}.",
                     f"{carrier.name} looked in the basket and saw that there {'was' if left == 1 else 'were'} {ans} {noun} left.")))


def counting_family(st, mother: str, baby: str) -> None:
    """An animal mother with one little one missing (the end counts them again)."""
    rng, v = st.rng, st.w.vocab
    n = rng.randint(3, 7)
    pl = v.noun[baby]["plural"]
    st.s(rng.choice((f"By the path, {st.sub(st.hero, False)} saw a {mother} with {NUMBERS[n - 1]} little {pl}.",
                     f"There was a {mother} with {NUMBERS[n - 1]} {pl} near the {st.place_mark(st.place)}, and she looked worried.")))
    st.s(rng.choice((f"{st.hero.name} counted them: one little {baby} was lost!",
                     f"But one of her {pl} was lost, and she was calling for it all over the {st.place_mark(st.place)}.")))
    st.s(rng.choice((f"{st.sub(st.hero)} looked under the bushes and found the little {baby} all alone.",
                     f"Soon {st.sub(st.hero, False)} heard a tiny sound near the {st.place_mark(st.place)}. The lost {baby} was behind a log near the {st.place_mark(st.place)}.")))
    st.flags["family"] = (mother, baby, n)


def counting_family_end(st) -> None:
    mother, baby, n = st.flags["family"]
    pl = st.w.vocab.noun[baby]["plural"]
    rec = skill(st, "counting", NUMBERS[n], _count_distractors(n - 1, 1, n), item=baby, start=n - 1, change=1,
                result=n)
    ans = st.doc.m(NUMBERS[n], rec, "prompt_end")
    st.s(f"{st.sub(st.hero)} carried the {baby} back to the {mother}.",
         st.rng.choice((f"Now the {mother} had {ans} {pl} again, and {st.hero.name} smiled.",
                        f"Now there were {ans} little {pl} with the {mother} by the {st.place_mark(st.place)}.")))


def counting_gather(st, thing: str, c, f) -> None:
    """Two children collect things together; how many they have."""
    rng, v = st.rng, st.w.vocab
    item = v.noun[thing]
    n = rng.randint(2, 6)
    k = rng.randint(1, 4)
    left = n + k
    st.s(rng.choice((f"Then {c.name} and {f.name} looked for {item['plural']}.",
                     f"After that, {c.name} and {f.name} played a game: who could find the most {item['plural']}?")))
    st.s(f"{st.sub(c)} found {count_noun(n, item)}, and {st.nm(f)} found {count_noun(k, item)}.")
    rec = skill(st, "counting", NUMBERS[left], _count_distractors(n, k, left), item=thing, start=n, change=k,
                result=left)
    ans = st.doc.m(NUMBERS[left], rec, "prompt_end")
    st.s(rng.choice((f"Together {c.name} and {f.name} had {ans} {item['plural']}.",
                     f"Now {c.name} and {f.name} had {ans} {item['plural']} in all.")))


# --- entity tracking --------------------------------------------------------------------------------


def boxes(st, mover, thing: dict, tidy: bool = False) -> None:
    """Someone puts the hero's thing and other toys into boxes of different colors, for a reason;
    later the story asks where the thing is (or what is in a box)."""
    rng, w, c = st.rng, st.w, st.hero
    k = 3 if rng.random() < 0.25 else 2
    colors = rng.sample(COLORS, k)
    held = st.state.holder
    others = rng.sample([t for t in w.toys if t["word"] != thing["word"] and held.get(t["word"], mover.name) == mover.name],
                        k - 1)
    things = [thing] + others
    rng.shuffle(things)
    cont = rng.choice(("box", "box", "bag", "basket"))
    placed = [{"container": cont, "color": col, "item": t["word"]} for col, t in zip(colors, things)]
    st.meta["boxes"] = placed
    parts = [f"the {t['word']} in the {col} {cont}" for col, t in zip(colors, things)]
    M = st.nm(mover)
    if tidy:
        st.s(rng.choice((f"Before bed, it was time to clean up, so {M} put " + join_and(parts) + ".",
                         f"At home, {M} put away the toys: " + join_and(parts) + ".")))
    else:
        st.s(rng.choice((f"The day before, {M} had cleaned the room and put " + join_and(parts) + ".",
                         f"{M} had cleaned up while {c.name} was asleep, and had put " + join_and(parts) + ".")))
    for col, t in zip(colors, things):
        st.state.put(mover.name, t["word"], f"{col} {cont}")
    i = [t["word"] for t in things].index(thing["word"])
    qc = colors[i]
    other_cols = [col for col in colors if col != qc]
    mode = rng.random()
    if mode < 0.35 and mover is not c:
        rec = skill(st, "entity_tracking", qc, other_cols, query=thing["word"], boxes=placed)
        st.s(f"{st.sub(c)} asked {mover.title} where the {thing['word']} was.",
             f"{mover.title} said that it was in the {st.doc.m(qc, rec, 'prompt_end')} {cont}.")
    elif mode < 0.7:
        rec = skill(st, "entity_tracking", qc, other_cols, query=thing["word"], boxes=placed)
        st.s(f"{'Later, ' if tidy else 'Then '}{c.name} wanted the {thing['word']}, so {c.s} opened the "
             f"{st.doc.m(qc, rec, 'prompt_end')} {cont}.")
    else:
        j = rng.choice([x for x in range(k) if x != i])
        qi, qcol = things[j]["word"], colors[j]
        rest = [t["word"] for t in things if t["word"] != qi]
        rec = skill(st, "entity_tracking", qi, rest, query=qcol, boxes=placed)
        st.s(f"First {c.name} opened the {qcol} {cont}, but {c.s} found the {st.doc.m(qi, rec, 'prompt_end')} in it.",
             f"So {c.name} opened the {qc} {cont}.")
    st.state.take_out(c.name, thing["word"], f"{qc} {cont}")
    if not tidy:
        st.s(rng.choice((f"There was {c.name}'s {thing['word']}!", f"The {thing['word']} was right there in the {qc} {cont}.")))


# --- choices at the shop ----------------------------------------------------------------------------


def exclusion(st, category: str, where: str, why: str) -> None:
    """'They wanted pears or plums for the pie. The market had no pears left, so they bought plums.'"""
    rng, w, c = st.rng, st.w, st.hero
    pool = {"food": w.countable_foods, "toy": w.toys}[category]
    said = set(why.lower().split())  # never the dish itself ("muffins or cherries for the muffins")
    pool = [n for n in pool if n["word"] not in said and n["plural"] not in said]
    x, y = rng.sample(pool, 2)
    if category == "food":
        x, y = dict(x, word=x["plural"]), dict(y, word=y["plural"])
    rec = skill(st, "exclusion", y["word"], [x["word"]], options=[x["word"], y["word"]], excluded=x["word"],
                category=category)
    ans = st.doc.m(y["word"], rec, "prompt_end")
    st.s(rng.choice((f"{st.sub(c)} wanted {x['plural']} or {y['plural']} {why}.",
                     f"{st.nm(st.grownup)} said they could get {x['plural']} or {y['plural']} {why}.",
                     f"{cap(why)}, they needed {x['plural']} or {y['plural']}.")))
    st.s(rng.choice((f"But the {st.place_mark(where)} had no {x['plural']} left, so they bought some {ans}.",
                     f"There were no {x['plural']} at the {st.place_mark(where)} that day, so {c.name} picked some {ans}.")))


def negation(st, who: str, why: str) -> None:
    """'Grandpa did not like sweet food, so Lily picked the pear, not the candy.'"""
    rng, w, c = st.rng, st.w, st.hero
    attr = rng.choice(_NEG_ATTRS)
    has = [f for f in w.foods if attr in f["attrs"]]
    hasnt = [f for f in w.foods if attr not in f["attrs"]]
    x, y = rng.choice(has)["word"], rng.choice(hasnt)["word"]
    verb = rng.choice(("picked", "took", "chose", "bought"))
    st.s(rng.choice((f"At the {st.place_mark(st.place)}, there was {a(x)} and {a(y)}.",
                     f"{st.nm(st.grownup)} showed {c.name} {a(x)} and {a(y)}.")))
    rec = skill(st, "negation", y, [x], attribute=attr, negated=True)
    ans = st.doc.m(y, rec, "prompt_end")
    st.s(rng.choice((f"{cap(who)} did not like {attr} food, so {c.name} {verb} the {ans}, not the {x}.",
                     f"{c.name} knew that {who} did not want anything {attr}, so {c.s} {verb} the {ans} and not the {x}.")))
