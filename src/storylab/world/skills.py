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

from storylab.world import beats
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
    step_from = start
    dirs = [d for d in DIRECTIONS if w.neighbor(dest, d)]
    L = cap(lead) if lead else ""
    if not _adjacent(w, start, dest):
        # first leg: to a place next to the destination (no direction claimed)
        via = [w.neighbor(dest, d) for d in dirs]
        via = [p for p in via if p != start and sum(1 for e in DIRECTIONS if w.neighbor(p, e)) >= 2]
        if via:
            step_from = rng.choice(via)
            names = beats.group(st, group)
            A, B, walk, way = st.place_mark(start), st.place_mark(step_from), rng.choice(_WALK), beats.way(st, 0.4)
            st.s(rng.choice((f"{L}{names} {walk} from the {A} to the {B}{way}.",
                             f"{L}{names} left the {A} and {walk}{way} to the {B}.",
                             f"{L}First {names} {walk}{way} from the {A} to the {B}.",
                             f"{L}{names} started off from the {A}, and {beats.soon(st).strip().lower().rstrip(',')} they "
                             f"were at the {B}.",
                             f"{L}The way went past the {B}, so {names} {walk} there first from the {A}.",
                             f"{L}From the {A}, {names} {walk}{way} as far as the {B}.")))
            lead = L = ""
            for c in group:
                st.state.go(c.name, step_from)
    d = next(e for e in DIRECTIONS if w.neighbor(step_from, e) == dest) if _adjacent(w, step_from, dest) else None
    for c in group:
        st.state.go(c.name, dest, activity, indoor)
    names = beats.group(st, group)
    if d is None:
        st.s(f"{L}{names} {rng.choice(_WALK)}{beats.way(st, 0.5)} to the {st.place_mark(dest)}.")
        return False
    others = [w.neighbor(step_from, e) for e in DIRECTIONS if e != d and w.neighbor(step_from, e)]
    if not others:
        st.s(f"{L}{names} {rng.choice(_WALK)} {d} to the {st.place_mark(dest)}.")
        return False
    in_context = rng.random() < 0.35
    if in_context:
        knower = rng.choice((st.hero, st.grownup) if st.known(st.grownup) else (st.hero,))
        D, A = st.place_mark(dest), st.place_mark(step_from)
        st.s(rng.choice((f"{st.nm(knower)} knew that the {D} was {d} of the {A}.",
                         f"The {D} was {d} of the {A}.",
                         f"{st.nm(knower)} knew the way: the {D} was {d} of the {A}.",
                         f"The {D} was just {d} of the {A}.")))
    rec = skill(st, "space", dest, others, origin=step_from, direction=d, in_context=in_context,
                dx=DIRECTIONS[d][0], dy=DIRECTIONS[d][1])
    ans = st.place_mark(st.doc.m(dest, rec, "prompt_end"), word=dest)
    walk = rng.choice(_WALK)
    A = st.place_mark(step_from)
    way = beats.way(st, 0.35)
    reach = rng.choice(("came to", "reached", "got to", "arrived at", "were at"))
    st.s(rng.choice((f"{L}{names} {walk} {d}{way} from the {A} to the {ans}.",
                     f"{L}{names} {walk} {d} from the {A} to the {ans}.",
                     f"{L}From the {A}, {names} {walk} {d}{way} to the {ans}.",
                     f"{L}From the {A}, {names} {walk} {d}{way} until they {reach} the {ans}.",
                     f"{L}{names} left the {A} and {walk} {d}{way} to the {ans}.",
                     f"{L}At the {A}, {names} turned {d} and {walk}{way} to the {ans}.",
                     f"{L}{names} started off {d} from the {A}, and soon they {reach} the {ans}.",
                     f"{L or 'Then '}{names} {walk} {d} from the {A}{way} to the {ans}.")))
    return True


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
    stop, rng, c = plan.stop, st.rng, st.hero
    st.state.at("morning")
    names = _names(st, group)
    for x in group:
        st.state.go(x.name, stop)
    M, S = st.time_mark("morning"), st.place_mark(stop)
    when = rng.choice((f"In the {M}, ", f"First, in the {M}, ", f"Early in the {M}, ", f"That {M}, ",
                       f"First thing in the {M}, ", f"In the {M}, before lunch, "))
    why = rng.choice((f"to get {what} for {c.name}", f"because {c.name} needed {what}", f"to pick up {what}",
                      f"so that {c.name} could get {what}", f"where {c.name} got {what}",
                      f"because {c.name} wanted {what}"))
    st.s(FIXED + rng.choice((f"{when}{names} went to the {S} {why}.",
                             f"{when}{names} went to the {S} first, {why}.")))
    plan.stop_what = what
    st.state.at("afternoon")
    An = st.time_mark("afternoon")
    D = st.place_mark(plan.dest)
    them = join_and([st.nm(x) for x in group])
    st.s(rng.choice((f"In the {An}, it was time for {c.name} to go to the {D}.",
                     f"After lunch, in the {An}, {them} left for the {D}.",
                     f"Then, in the {An}, {them} started off for the {D}.",
                     f"When lunch was over, it was time for the {D} at last.",
                     f"In the {An}, {c.name} was ready for the {D}.",
                     f"After lunch, {them} {rng.choice(_WALK)} on to the {D}.",
                     f"Then they left for the {D} after lunch.")))
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
    g = st.grownup
    listener = g if st.known(g) else None
    f = plan.companion if plan.companion and st.known(plan.companion) else None
    E = st.time_mark("evening")
    to = st.nm(listener) if listener else rng.choice(("everyone", f"{c.p} friends"))
    st.s(rng.choice((f"In the {E}, {st.nm(c)} told {to} about the day.",
                     f"That {E}, {st.nm(c)} drew a picture of the whole day.",
                     f"At dinner that {E}, {st.nm(c)} could not stop talking about the day.",
                     f"In the {E}, {st.nm(c)} told {to} everything, one thing after the other.",
                     f"Before bed that {E}, {st.nm(c)} told {to} the whole day again.")))
    P1 = st.place_mark(p1)
    what = getattr(plan, "stop_what", "")
    got = rng.choice(("got", "found", "bought")) if what not in ("the trains", "a big train") else "saw"
    first = rng.choice((f"First we went to the {P1}", f"In the morning we went to the {P1}",
                        f"We went to the {P1} first", f"First we {got} {what} at the {P1}" if what else
                        f"First we went to the {P1}", f"We {got} {what} at the {P1}" if what else
                        f"First we went to the {P1}", f"Before lunch we were at the {P1}"))
    then = rng.choice(("and then we went to the", "and after lunch we went to the", "and then we walked to the",
                       "and after that we went all the way to the", "and then we went on to the"))
    line = f"{first}, {then} {ans}{rng.choice(('!', '!', '.'))}"
    if f and rng.random() < 0.3:
        st.s(f'"{line}" {c.name} and {f.name} said together.')
    else:
        st.s(f'"{line}" {c.name} said.' if rng.random() < 0.5 else f'{c.name} said, "{line}"')


# --- counting -------------------------------------------------------------------------------------


def _count_distractors(n: int, k: int, left: int) -> list[str]:
    cands = [x for x in (n, k, left + 1, left - 1, left + 2) if x != left and 1 <= x <= 12]
    return list(dict.fromkeys(NUMBERS[x] for x in cands))[:3]


_RUNNERS = ("dog", "cat", "squirrel", "rabbit", "puppy", "kitten", "big dog")


def _fall(st, carrier) -> str:
    """Why things fell on the way home: the path, the weather, an animal there, the carrier's hurry."""
    rng, w, N = st.rng, st.state.weather, carrier.name
    an = rng.choice(st.w._common_animals)["word"]
    opts = [f"{N} tripped on {rng.choice(('a rock', 'a stone', 'a stick', 'a log', 'a big rock'))}",
            f"{N} ran too fast", f"{N}'s basket hit {rng.choice(('the fence', 'a tree', 'a big rock', 'the door'))}",
            f"{N} dropped the basket", f"{N} slipped on the path", f"{N} turned around too fast",
            f"{a(rng.choice(_RUNNERS))} ran across the path, and {N} jumped", f"{N} stopped to look at {a(an)} and the basket swung",
            f"{N} skipped and hopped all the way"]
    if w in ("rainy", "cloudy"):
        opts += [f"{N} slipped in a big puddle", f"{N} slipped on the wet path"]
    if w in ("snowy", "icy", "cold"):
        opts += [f"{N} slipped on the ice", f"{N} fell in the snow"]
    if w == "windy":
        opts.append(f"the wind blew hard and {N} fell")
    return rng.choice(opts)


def counting_loss(st, item_word: str, carrier, bad: bool, cause: str | None = None) -> None:
    """Things bought and carried home; some break on the way; how many are left."""
    rng, v = st.rng, st.w.vocab
    item = v.noun[item_word]
    n = rng.randint(3, 8)
    k = rng.randint(max(1, n - 2), n - 1) if bad else rng.randint(1, max(1, n // 2))
    left = n - k
    g = st.grownup
    cn = count_noun(n, item)
    buy = rng.choice(("bought", "got", "picked out", "chose"))
    from storylab.world.doings import _SHOP
    more = [x for x in _SHOP.get(st.place, ()) if x in v.noun and x != item_word and x not in st.flags.get("dish", "")]
    also = ""
    if more and rng.random() < 0.6:
        x = v.noun[rng.choice(more)]
        also = f" and {'some ' + x['word'] if x.get('mass') else a(x['word']) if rng.random() < 0.5 else 'some ' + x['plural']}"
    st.s(rng.choice((f"{g.title} {buy} {cn}{also}, and {st.nm(carrier)} carried the basket.",
                     f"{st.nm(g)} {buy} {cn}{also}.",
                     f"{st.sub(carrier)} put {cn} in the basket, one by one.",
                     f"{st.nm(g)} paid for {cn}{also}.")))
    cause = cause or _fall(st, carrier)
    when = rng.choice(("On the way home", "On the walk home", "Near the house", "On the path back",
                       "Just before they got home", "On the road home", "Not far from home"))
    kn = count_noun(k, item)
    broke = rng.choice(("broke", "broke", "fell out and broke", "fell on the ground and broke"))
    st.s(rng.choice((f"{when}, {cause}, and {kn} {broke}.",
                     f"{when}, {cause}, and oh no, {kn} {broke}!",
                     f"But {when[0].lower() + when[1:]}, {cause}, and {kn} {broke}.")))
    rec = skill(st, "counting", NUMBERS[left], _count_distractors(n, k, left), item=item_word, start=n,
                change=-k, result=left)
    ans = st.doc.m(NUMBERS[left], rec, "prompt_end")
    noun = item["word"] if left == 1 else item["plural"]
    be = "was" if left == 1 else "were"
    dish = st.flags.get("dish", "cake")
    st.s(rng.choice((f"Now {carrier.name} had only {ans} {noun} left.",
                     f"Now {carrier.name} had {ans} {noun} left for the {dish}.",
                     f"Now {carrier.name} had {ans} {noun}.",
                     f"{carrier.name} counted again: {ans} {noun}.",
                     f"So {carrier.name} had {ans} {noun} left.")))


def counting_family(st, mother: str, baby: str) -> None:
    """An animal mother with one little one missing (the end counts them again)."""
    rng, v, c = st.rng, st.w.vocab, st.hero
    n = rng.randint(3, 7)
    pl = v.noun[baby]["plural"]
    P = st.place_mark(st.place)
    k = NUMBERS[n - 1]
    little = rng.choice(("little ", "little ", "tiny ", "", "baby "))
    st.s(rng.choice((f"By the path, {st.sub(c, False)} saw {a(mother)} with {k} {little}{pl}.",
                     f"There was {a(mother)} with {k} {little}{pl} near the {P}, and she looked worried.",
                     f"Near the {P}, {a(mother)} and {k} {little}{pl} were {rng.choice(('walking', 'resting', 'sitting'))} "
                     f"in the {rng.choice(('grass', 'sun', 'shade'))}.",
                     f"{st.sub(c, False)} saw {a(mother)} by the {P}, and behind her came {k} {little}{pl}.")))
    st.s(rng.choice((f"{c.name} counted them: one little {baby} was lost!",
                     f"But one of her {pl} was lost, and she was calling for it all over the {P}.",
                     f"But the {mother} was looking for one more {baby}, the smallest one.",
                     f"The {mother} looked everywhere, because one of her {pl} was gone.",
                     f"{st.nm(st.grownup)} said that one little {baby} must be lost.")))
    hide = rng.choice(("behind a log", "under a bush", "in the tall grass", "behind a big rock", "under the old fence",
                       "next to a tree", "in a hole"))
    st.s(rng.choice((f"{st.sub(c)} looked {rng.choice(('under the bushes', 'behind the trees', 'in the grass', 'everywhere'))} "
                     f"and found the little {baby} {hide}.",
                     f"{soon(st)}{st.sub(c, False)} heard a tiny sound. The lost {baby} was {hide}.",
                     f"{st.sub(c)} {rng.choice(('looked', 'searched', 'looked and looked'))}, and there it was: the little "
                     f"{baby}, {hide}!")))
    st.flags["family"] = (mother, baby, n)


def soon(st) -> str:
    return beats.soon(st)


def counting_family_end(st) -> None:
    mother, baby, n = st.flags["family"]
    rng, c = st.rng, st.hero
    pl = st.w.vocab.noun[baby]["plural"]
    rec = skill(st, "counting", NUMBERS[n], _count_distractors(n - 1, 1, n), item=baby, start=n - 1, change=1,
                result=n)
    ans = st.doc.m(NUMBERS[n], rec, "prompt_end")
    st.s(rng.choice((f"{st.sub(c)} carried the {baby} back to the {mother}.",
                     f"{st.sub(c)} picked up the little {baby} {rng.choice(('gently', 'very gently', 'carefully'))} "
                     f"and took it to the {mother}.",
                     f"{st.sub(c)} showed the {baby} the way back to the {mother}.")),
         rng.choice((f"Now the {mother} had {ans} {pl} again, and {c.name} smiled.",
                     f"Now there were {ans} little {pl} with the {mother} by the {st.place_mark(st.place)}.",
                     f"The {mother} counted her {pl}, and there were {ans} again.",
                     f"Now all {ans} {pl} were with the {mother}, and {c.name} clapped.")))


def counting_gather(st, thing: str, c, f) -> None:
    """Two children collect things together; how many they have."""
    rng, v = st.rng, st.w.vocab
    item = v.noun[thing]
    n = rng.randint(2, 6)
    k = rng.randint(1, 4)
    left = n + k
    pl, P = item["plural"], st.place_mark(st.place)
    both = rng.choice((f"{c.name} and {f.name}", f"{f.name} and {c.name}"))
    st.s(rng.choice((f"Then {both} looked for {pl}.",
                     f"After that, {both} played a game: who could find the most {pl}?",
                     f"There were {pl} all over the {P}, so {both} began to collect them.",
                     f"{soon(st)}{both} had a new game: looking for {pl} {rng.choice(('in the grass', 'by the path', 'under the trees', 'all around the ' + P))}.",
                     f"{rng.choice((c.name, f.name))} said, \"Let's look for {pl}!\"")))
    x, y = (c, f) if rng.random() < 0.6 else (f, c)
    nx, ny = (n, k) if x is c else (k, n)
    how = rng.choice(("", "", " under a bush", " by the path", " in the grass", " near a tree"))
    st.s(rng.choice((f"{st.sub(x)} found {count_noun(nx, item)}, and {st.nm(y)} found {count_noun(ny, item)}.",
                     f"{st.sub(x)} found {count_noun(nx, item)}{how}, and {y.name} found {count_noun(ny, item)}.",
                     f"{st.nm(y)} found {count_noun(ny, item)}, and {x.name} found {count_noun(nx, item)}{how}.")))
    rec = skill(st, "counting", NUMBERS[left], _count_distractors(n, k, left), item=thing, start=n, change=k,
                result=left)
    ans = st.doc.m(NUMBERS[left], rec, "prompt_end")
    st.s(rng.choice((f"Together {both} had {ans} {pl}.",
                     f"Now {both} had {ans} {pl} in all.",
                     f"They put them all together, and there were {ans} {pl}.",
                     f"That made {ans} {pl} in all.",
                     f"All together, they had {ans} {pl}.",
                     f"They had {ans} {pl} in all.")))


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
    parts = join_and([f"the {t['word']} in the {col} {cont}" for col, t in zip(colors, things)])
    M = st.nm(mover)
    put = rng.choice(("put", "put", "packed"))
    if tidy:
        when = rng.choice(("Before bed", "After dinner", "When they got home", "Back at home", "At home",
                           "Later that day"))
        why = rng.choice(("it was time to clean up", "the toys were all over the floor", "the room was not clean",
                          "it was time to put the toys away"))
        st.s(rng.choice((f"{when}, {why}, so {M} {put} {parts}.",
                         f"{when}, {M} put away the toys: {parts}.",
                         f"{when}, {M} helped to clean up and {put} {parts}.",
                         f"{cap(why)}, so {M} {put} {parts}.")))
    else:
        when = rng.choice(("The day before", "The night before", "That morning", "Early that morning",
                           f"While {c.name} was asleep", "After dinner the day before"))
        r = rng.random()
        if r < 0.35:
            st.s(f"{when}, {M} had put {parts}.")
        elif r < 0.6 and mover is not c:  # what the hero was doing meanwhile, from the whole vocabulary
            from storylab.world.doings import activity
            busy = activity(st, "home")
            for _ in range(4):  # not busy with one of the things being put away
                if not any(t["word"] in busy for t in things):
                    break
                busy = activity(st, "home")
            st.s(f"{rng.choice(('The day before', 'That morning', 'The evening before'))}, while {c.name} was "
                 f"{busy}, {M} had put {parts}." if not any(t["word"] in busy for t in things) else
                 f"{when}, {M} had put {parts}.")
        else:
            did = rng.choice(("had cleaned the room", "had cleaned up", "had picked up all the toys",
                              "had swept the floor"))
            st.s(f"{when}, {M} {did} and put {parts}.")
    for col, t in zip(colors, things):
        st.state.put(mover.name, t["word"], f"{col} {cont}")
    i = [t["word"] for t in things].index(thing["word"])
    qc = colors[i]
    other_cols = [col for col in colors if col != qc]
    mode = rng.random()
    it = thing["word"]
    if mode < 0.35 and mover is not c:
        rec = skill(st, "entity_tracking", qc, other_cols, query=it, boxes=placed)
        Q = st.doc.m(qc, rec, "prompt_end")
        if rng.random() < 0.5:
            st.s(rng.choice((f"{st.sub(c)} asked {mover.title} where the {it} was.",
                             f"\"Where is my {it}?\" {c.name} asked {mover.title}.")),
                 rng.choice((f"{mover.title} said that it was in the {Q} {cont}.",
                             f"{mover.title} told {c.o} that the {it} was in the {Q} {cont}.")))
        else:
            st.s(rng.choice((f"{st.sub(c)} asked {mover.title} about the {it}.",
                             f"{c.name} did not know where the {it} was, so {c.s} asked {mover.title}.")),
                 f"\"It is in the {Q} {cont},\" {mover.title} {rng.choice(('said', 'told ' + c.o, 'answered'))}.")
    elif mode < 0.7:
        rec = skill(st, "entity_tracking", qc, other_cols, query=it, boxes=placed)
        Q = st.doc.m(qc, rec, "prompt_end")
        want = rng.choice((f"wanted the {it}", f"wanted to play with the {it}", f"looked for the {it}",
                           f"needed the {it}"))
        when = rng.choice(("Later, ", "The next day, ", "The next morning, ", "In the morning, ")) if tidy \
            else rng.choice(("Then ", "", "", "Right away, "))
        st.s(rng.choice((f"{when}{c.name} {want}, so {c.s} opened the {Q} {cont}.",
                         f"{when}{c.name} {want}, and {c.s} went straight to the {Q} {cont}.",
                         f"{when}{c.name} {want}. {cap(c.s)} knew where to look, and {c.s} opened the {Q} {cont}.")))
    else:
        j = rng.choice([x for x in range(k) if x != i])
        qi, qcol = things[j]["word"], colors[j]
        rest = [t["word"] for t in things if t["word"] != qi]
        rec = skill(st, "entity_tracking", qi, rest, query=qcol, boxes=placed)
        Q = st.doc.m(qi, rec, "prompt_end")
        st.s(rng.choice((f"First {c.name} opened the {qcol} {cont}, but {c.s} found the {Q} in it.",
                         f"{c.name} looked in the {qcol} {cont} first, but there was only the {Q} in it.",
                         f"In the {qcol} {cont}, {c.name} found the {Q}.",
                         f"{c.name} opened the {qcol} {cont}, and out came the {Q}.")),
             rng.choice((f"So {c.name} opened the {qc} {cont}.", f"Then {c.s} looked in the {qc} {cont}.",
                         f"Next, {c.s} tried the {qc} {cont}.")))
    st.state.take_out(c.name, it, f"{qc} {cont}")
    if not tidy:
        st.s(rng.choice((f"There was {c.name}'s {it}!", f"The {it} was right there in the {qc} {cont}.",
                         f"And there it was, {c.name}'s {it}!", f"Inside was the {it}, just where {mover.title} had put it.")))


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
