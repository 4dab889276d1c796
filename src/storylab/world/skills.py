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
from storylab.world.facts import K, _pick, vf
from storylab.world.model import COLORS, DIRECTIONS, OPPOSITE
from storylab.world.record import skill
from storylab.world.text import FIXED, NUMBERS, a, cap, count_noun, join_and

PRONOUN = "\x03"  # what st.sub gives for a pronoun decided later (cap() would capitalise the next word)

_NEG_ATTRS = ["sweet", "sweet", "salty", "sour", "crunchy", "juicy", "healthy"]
LEFT_OF = {"north": "west", "west": "south", "south": "east", "east": "north"}  # facing north, west is left
RIGHT_OF = {"north": "east", "east": "south", "south": "west", "west": "north"}
_WALK = ("walked", "went", "hurried", "skipped", "marched", "wandered", "rushed", "jogged", "ran")


def _way(st, p: float) -> str:
    """What they passed on the way, mostly a thing of nature there ('past a tall tree', 'around the old log'):
    the way's own word, not the same few roads again."""
    if st.rng.random() >= p:
        return ""
    if st.rng.random() < 0.2:
        return beats.way(st, 1.0)
    plural = st.rng.random() < 0.3
    return f" {st.rng.choice(('past', 'past', 'by', 'around', 'near'))} {beats.outdoor_thing(st, plural)}"


def _fits(st, words: int) -> bool:
    """Whether an optional sentence of about `words` words still leaves the rest of the story room
    (the plots' measure): a story that overflows is written again, so optional wordings give way first."""
    from storylab.world.plots import fits
    return fits(st, words)


def main_character(st, others: list[str]) -> dict:
    """The hero's name, where the last sentence begins (others: the story's other names)."""
    return skill(st, "main_character", st.hero.name, others)


# --- space and time order ---------------------------------------------------------------------------


def route(st, group, start: str, dest: str, activity: str | None = None, lead: str = "",
          indoor: bool = False) -> bool:
    """The group walks from `start` to `dest` over the village map; the last block is a space item
    (the place one block that way). Returns whether a space item was written."""
    w, rng = st.w, st.rng
    step_from, leg = start, None
    dirs = [d for d in DIRECTIONS if w.neighbor(dest, d)]
    L = cap(lead) if lead else ""
    if not _adjacent(w, start, dest):
        # first leg: to a place next to the destination (no direction claimed)
        via = [w.neighbor(dest, d) for d in dirs]
        via = [p for p in via if p != start and sum(1 for e in DIRECTIONS if w.neighbor(p, e)) >= 2]
        if via:
            step_from = rng.choice(via)
            leg = (start, step_from, L)
            lead = L = ""
            for c in group:
                st.state.go(c.name, step_from)
    d = next(e for e in DIRECTIONS if w.neighbor(step_from, e) == dest) if _adjacent(w, step_from, dest) else None
    others = [w.neighbor(step_from, e) for e in DIRECTIONS if e != d and w.neighbor(step_from, e)] if d else []
    merge = leg is not None and bool(others) and rng.random() < 0.8  # both legs in one sentence
    if leg and not merge:  # first leg: to a place next to the destination (no direction claimed)
        names = beats.group(st, group)
        A0, B, walk, way = st.place_mark(leg[0]), st.place_mark(leg[1]), rng.choice(_WALK), _way(st, 0.6)
        L0 = leg[2]
        st.s(rng.choice((f"{L0}{names} {walk} from the {A0} to the {B}{way}.",
                         f"{L0}{names} left the {A0} and {walk}{way} to the {B}.",
                         f"{L0}First {names} {walk}{way} from the {A0} to the {B}.",
                         f"{L0}{names} started off from the {A0}, and {beats.soon(st).strip().lower().rstrip(',')} they "
                         f"were at the {B}.",
                         f"{L0}The way went past the {B}, so {names} {walk} there first from the {A0}.",
                         f"{L0}From the {A0}, {names} {walk}{way} as far as the {B}.")))
    for c in group:
        st.state.go(c.name, dest, activity, indoor)
    names = beats.group(st, group)
    if d is None:
        st.s(f"{L}{names} {rng.choice(_WALK)}{_way(st, 0.6)} to the {st.place_mark(dest)}.")
        return False
    if not others:
        st.s(f"{L}{names} {rng.choice(_WALK)} {d} to the {st.place_mark(dest)}.")
        return False
    A = st.place_mark(step_from)
    walk, way = rng.choice(_WALK), _way(st, 0.5)
    # a viewpoint: facing a landmark next to the A, the destination is on the left or right; or, with the
    # place they came from behind them, straight ahead
    views = [(f, side) for f in DIRECTIONS for side, of in (("left", LEFT_OF), ("right", RIGHT_OF))
             if of[f] == d and w.neighbor(step_from, f)]
    behind = w.neighbor(step_from, OPPOSITE[d])
    view = None
    if rng.random() < 0.4 and (views or behind) and not merge:
        view = rng.choice(views + ([(d, "ahead")] if behind else []))
    in_context = rng.random() < 0.3 and not merge and _fits(st, 15)
    knower = rng.choice((st.hero, st.grownup) if st.known(st.grownup) else (st.hero,))
    K_ = st.nm(knower)
    if view and view[1] != "ahead":
        C = st.place_mark(w.neighbor(step_from, view[0]))
        if in_context:
            D, C1, A1 = st.place_mark(dest), st.place_mark(w.neighbor(step_from, view[0])), st.place_mark(step_from)
            st.s(rng.choice((f"At the {A1}, looking at the {C1}, {K_} knew that the {D} was on the {view[1]}.",
                             f"From the {A1}, the {C1} was right in front and the {D} was to the {view[1]}.",
                             f"{K_} knew the way: at the {A1}, with the {C1} in front, the {D} was on the {view[1]}.",
                             f"{K_} said, \"At the {A1}, the {C1} is in front of us, and the {D} is on the {view[1]}.\"")))
    elif in_context:
        D, A1 = st.place_mark(dest), st.place_mark(step_from)
        st.s(rng.choice((f"{K_} knew that the {D} was {d} of the {A1}.",
                         f"The {D} was just {d} of the {A1}.",
                         f"{K_} knew the way: the {D} was {d} of the {A1}.",
                         f"{cap(d)} of the {A1} was the {D}.",
                         f"If you go {d} from the {A1}, you come to the {D}.",
                         f"The {D} was right next to the {A1}, on its {d} side.",
                         f"{K_} said, \"The {D} is {d} of the {A1}.\"",
                         f"{K_} said that you could find the {D} if you went {d} from the {A1}.")))
    extra = {"facing": view[0], "side": view[1], "landmark": w.neighbor(step_from, view[0]) if view[1] != "ahead"
             else behind} if view else {}
    rec = skill(st, "space", dest, others, origin=step_from, direction=d, in_context=in_context,
                dx=DIRECTIONS[d][0], dy=DIRECTIONS[d][1], **extra)
    ans = st.place_mark(st.doc.m(dest, rec, "prompt_end"), word=dest)
    if view and view[1] == "ahead":
        st.s(_ahead(st, L, names, walk, A, st.place_mark(behind), group, ans, way))
    elif view and in_context:  # the viewpoint was just said: only the turn
        st.s(rng.choice((f"{L}So {names} turned {view[1]} and {walk} to the {ans}.",
                         f"{L}{names} turned {view[1]} there and {walk}{way} to the {ans}.",
                         f"{L}{names} turned {view[1]}, away from the {C},{way} to the {ans}.")))
    elif view:
        st.s(_turn(st, L, names, walk, view[1], A, C, group, ans, way))
    elif merge:  # "They walked from the park to the school, and then north to the library."
        L0, A0 = leg[2], st.place_mark(leg[0])
        st.s(rng.choice((f"{L0}{names} {walk} from the {A0} to the {A}{way}, and then {d} to the {ans}.",
                         f"{L0}{names} {walk}{way} as far as the {A}, and from there {d} to the {ans}.",
                         f"{L0}First {names} {walk} from the {A0} to the {A}, then {d} to the {ans}.",
                         f"{L0}From the {A0}, {names} {walk} past the {A} and on {d} to the {ans}.",
                         f"{L0}The way went from the {A0} to the {A}, and then {d}{way} to the {ans}.")))
    else:
        st.s(_leg(st, L, names, walk, d, A, group, ans))
    return True


# the last leg in short parts around the places, the way and the names (long fixed frames repeat their trigrams):
# how they set off (which way, from where), the way, how they got there ({P}: the group as he, she or they)
_TOGETHER = (" hand in hand", " side by side", " together")
_SET_OFF = ("{L}{N} {w} {d} from the {A}", "{L}From the {A}, {N} {w} {d}", "{L}{N} left the {A} and {w} {d}",
            "{L}At the {A}, {N} turned {d} and {w}", "{L}{N} {w} {d} past the {A}", "{L}{N} started off {d} from the {A}",
            "{L}Going {d} from the {A}, {N} {w}", "{L}After the {A}, {N} {w} {d}", "{L}{N} went on {d} from the {A}",
            "{L}{N} {w} away from the {A}, going {d}",
            "{L}Past the {A}, {N} {w} {d}", "{L}{N} {w} off {d} at the {A}")
_ARRIVE = (" to the {ans}.", " to the {ans}.", " to the {ans}.", " to the {ans}.", " until {P} {reach} the {ans}.",
           " and soon {P} {reach} the {ans}.", " over to the {ans}.", " right to the {ans}.", " up to the {ans}.")
# the turn at a landmark ({C}: the place in front, not taken), in the same short parts
_AT_VIEW = ("{L}At the {A}, with the {C} in front, {N}", "{L}At the {A}, with the {C} right in front of {o}, {N}",
            "{L}{N} stopped at the {A}, looked at the {C}, and", "{L}{N} came to the {A}, saw the {C} in front, and",
            "{L}{N} {neg} the {C}: at the {A}, {P}", "{L}At the {A}, {N} {neg} the {C}, but", "{L}From the {A}, {N} could see the {C}, but {P}",
            "{L}The {C} was in front of {o} at the {A}, so {N}")
_TURN = (" turned {side}", " turned {side}", " went {side}", " took the path on the {side}", " turned to the {side}")
_ARRIVE_TURN = ("{way} to the {ans}.", "{way} to the {ans}.", " and {walk}{way} to the {ans}.",
                " and soon {P} {reach} the {ans}.", ", away from the {C},{way} to the {ans}.")
# straight on, away from the place behind ({B})
_BACK = ("{L}At the {A}, with the {B} behind {o}, {N}", "{L}{N} left the {B} behind {o}, went past the {A}, and",
         "{L}With {their} backs to the {B}, {N}", "{L}The {B} was behind {o}, so at the {A} {N}",
         "{L}{N} had the {B} behind {o}, and at the {A} {P}", "{L}Past the {A}, with the {B} far behind, {N}")
_ON = (" {walk} straight on", " {walk} on", " did not turn but {walk} on", " kept going", " went right on",
       " {walk} on and on")
_END_ON = ("{way} to the {ans}.", "{way} to the {ans}.", "{way} until {P} {reach} the {ans}.")
_NOT_ON = ("did not go on to", "did not go to", "didn't walk on to", "did not keep going to", "never went on to")


def _leg(st, L: str, names: str, walk: str, d: str, A: str, group: list, ans: str) -> str:
    rng = st.rng
    many = len(group) > 1
    P = "they" if many else group[0].s
    way = _way(st, 0.8)
    if not way and many and rng.random() < 0.3:
        way = rng.choice(_TOGETHER)
    off = rng.choice(_SET_OFF)
    end = rng.choice([x for x in _ARRIVE if not (" and " in x and " and " in off)])
    carry = _carry(st, group) if off.endswith("{d}") else ""  # 'went south with the kite to the beach'
    return off.format(L=L, N=names, w=walk, d=d, A=A) + (carry or way) + end.format(P=P, reach=rng.choice(
        ("came to", "reached", "got to")), ans=ans)


def _carry(st, group: list, p: float = 0.6) -> str:
    """' with the kite': the hero's thing on the way, when the hero has it (the story's own word there)."""
    c, it = st.hero, st.thing["word"]
    if c not in group or st.state.holder.get(it) != c.name or st.rng.random() >= p:
        return ""
    st.state.uses(c.name, it)
    return f" with the {it}"


def _ahead(st, L: str, names: str, walk: str, A: str, B: str, group: list, ans: str, way: str) -> str:
    rng = st.rng
    if rng.random() < 0.15:
        return f"{L}The {B} was behind them now, and past the {A} was the {ans}."
    many = len(group) > 1
    P, o, their = ("they", "them", "their") if many else (group[0].s, group[0].o, group[0].p)
    on = rng.choice([x for x in _ON if not (" but " in x and ", and" in x)])
    end = rng.choice([x for x in _END_ON if not (" and " in x and " and " in on)])
    return (rng.choice(_BACK) + on + end).format(L=L, N=names, P=P, o=o, their=their, A=A, B=B, walk=walk, way=way,
                                                 ans=ans, reach=rng.choice(("came to", "reached", "got to")))


def _turn(st, L: str, names: str, walk: str, side: str, A: str, C: str, group: list, ans: str, way: str) -> str:
    rng = st.rng
    many = len(group) > 1
    P, o = ("they", "them") if many else (group[0].s, group[0].o)
    at = rng.choice(_AT_VIEW)
    end = rng.choice([x for x in _ARRIVE_TURN if not (" and " in x and ", and" in at)])
    return (at + rng.choice(_TURN) + end).format(L=L, N=names, P=P, o=o, A=A, C=C, neg=rng.choice(_NOT_ON),
                                                  side=side, walk=walk, way=way, ans=ans, reach=rng.choice(
                                                      ("came to", "reached", "got to")))


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


_LUNCH = ("sandwiches", "soup", "noodles", "pizza", "salad", "bread and cheese", "apples and cheese", "pancakes",
          "eggs and toast", "soup and bread", "cheese and crackers", "a big salad", "hot soup", "rice and beans")
_BAKED = ("some bread", "fresh bread", "a bun", "some buns", "a cake", "some muffins", "a pie", "some cookies",
          "a donut", "some biscuits", "some cupcakes", "a big cake")


def _errand(st, stop: str, what: str) -> str:
    """What the morning stop is for, from the things that place has (or `what`, the plot's own)."""
    rng, w = st.rng, st.w
    r = rng.random()
    if r < 0.25:
        return what
    if stop == "market":
        n = rng.choice(w.fruits + [x for x in w.foods if "vegetable" in x["attrs"]])
        return rng.choice((f"some {n['plural']}", f"a bag of {n['plural']}", a(n["word"])))
    if stop == "bakery":
        return rng.choice(_BAKED)
    if stop == "shop":
        n = rng.choice([x for x in w.non_food_items if x["kind"] in ("clothing", "toy")])
        return rng.choice((f"a new {n['word']}", a(n["word"]), f"some {n['plural']}"))
    if stop in ("library", "school"):
        n = rng.choice(w.animals)
        return rng.choice((f"a book about {n['plural']}", f"a new book about {n['plural']}") if stop == "library"
                          else (f"a drawing of {a(n['word'])}", f"a book about {n['plural']}", what))
    return what


def time_order_start(st, plan, group, what: str) -> None:
    """The morning stop before the destination (the first event of the time-order item). `what` is what
    the plot has the stop for; the stop often gets something its place has instead (a book about whales)."""
    stop, rng, c = plan.stop, st.rng, st.hero
    what = _errand(st, stop, what)
    st.state.at("morning")
    names = _names(st, group)
    for x in group:
        st.state.go(x.name, stop)
    M, S = st.time_mark("morning"), st.place_mark(stop)
    when = rng.choice((f"In the {M}, ", f"First, in the {M}, ", f"Early that {M}, ", f"That {M}, ",
                       f"First thing that {M}, ", f"That {M}, before lunch, ", f"Right after breakfast that {M}, ",
                       f"Bright and early that {M}, ", f"Before it got hot that {M}, " if st.state.weather in ("sunny", "hot")
                       else f"After breakfast that {M}, "))
    get = "borrow" if stop == "library" else "buy" if stop in ("market", "bakery", "shop") else "get"
    why = rng.choice((f"to {get} {what} for {c.name}", f"because {c.name} needed {what}", f"to pick up {what}",
                      f"so that {c.name} could {get} {what}", f"where {c.name} got {what}",
                      f"because {c.name} wanted {what}", f"to look for {what}", f"because {c.name} had asked for {what}",
                      f"to see if it had {what}", f"for {what}"))
    went = rng.choice(("went to", "stopped at", "walked to", "went over to", "hurried to", "made a stop at"))
    their = "Their" if len(group) > 1 else cap(c.p)
    first = rng.choice((f"{their} first stop that {M} was", f"{their} first stop that {M} was",
                        f"{their} day began that {M} at", f"The first place {names} went to that {M} was"))
    st.s(FIXED + rng.choice((f"{when}{names} {went} the {S} first, {why}." if "First" not in when
                             else f"{when}{names} {went} the {S}, {why}.",
                             f"{cap(why)}, {names} {went} the {S} in the {M}." if why.startswith(("to ", "because"))
                             else f"{when}{names} {went} the {S} {why}.",
                             f"{when}{names} {went} the {S} {why}.",
                             f"{first} the {S}, {why}.")))
    plan.stop_what = what
    st.state.at("afternoon")
    An = lambda: st.time_mark("afternoon")  # marked only in the wording that names it
    them, lunch = join_and([st.nm(x) for x in group]), rng.choice(_LUNCH)
    plan.stop_lunch = lunch
    if getattr(plan, "route", False):  # the route names the destination next: lunch and the time only now and then
        if rng.random() < 0.3:
            st.s(_pick(rng, lambda: f"After {lunch} for lunch, it was the {An()}.",
                       lambda: f"They had {lunch} for lunch.", lambda: f"They ate {lunch}, and then they went on."))
        else:
            plan.stop_lunch = ""
    else:
        D = lambda: st.place_mark(plan.dest)
        w = rng.choice(_WALK)
        first = _pick(rng, lambda: f"After {lunch} for lunch, ", lambda: f"In the {An()}, ", lambda: "After lunch, ",
                      lambda: f"They ate {lunch}, and then ", lambda: f"With {lunch} in their tummies, ",
                      lambda: "When lunch was over, ", lambda: f"They had {lunch}, and in the {An()} ")
        st.s(first + _pick(rng, lambda: f"{them} {w}{_way(st, 0.6)} to the {D()}.",
                           lambda: f"{them} {w} on to the {D()}.", lambda: f"the next stop for {them} was the {D()}.",
                           lambda: f"{them} were off to the {D()}.", lambda: f"{them} {w} over to the {D()}."))
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
    to = st.nm(listener) if listener else rng.choice(("everyone", f"{c.p} friends"))
    lead = rng.random()
    if lead < 0.2:  # the evening line first (else the retelling stands alone, or says when itself)
        H, E = st.sub(c, False), lambda: st.time_mark("evening")  # marked only in the wording that names it
        st.s(_pick(rng, lambda: f"In the {E()}, {H} told {to} about the day.",
                   lambda: f"That {E()}, {H} drew a picture of the whole day.",
                   lambda: f"At dinner that {E()}, {H} could not stop talking about the day.",
                   lambda: f"Before bed, {H} told {to} all about the day."))
    P1 = st.place_mark(p1)
    what = getattr(plan, "stop_what", "")
    got = rng.choice(("got", "found", "bought")) if what not in ("the trains", "a big train") else "saw"
    we = rng.choice(("we", "we", f"{f.name} and I" if f else "we", f"{st.grownup.title} and I" if listener else "we"))
    We = cap(we)
    if what and rng.random() < 0.5:  # what the stop was for, in the hero's words
        first = rng.choice((f"{We} {got} {what} at the {P1}", f"At the {P1}, {we} {got} {what}",
                            f"First {we} {got} {what} at the {P1}", f"In the morning {we} {got} {what} at the {P1}"))
    else:
        first = rng.choice((f"First {we} went to the {P1}", f"In the morning {we} went to the {P1}",
                            f"{We} went to the {P1} first", f"Before lunch {we} were at the {P1}",
                            f"The {P1} was first", f"{We} started at the {P1}"))
    lunch = getattr(plan, "stop_lunch", "")
    then = rng.choice(("and then to the", "then on to the", "and after lunch to the", f"and then {we} went to the",
                       "and last of all to the", f"and then {we} {rng.choice(_WALK)}{_way(st, 0.7)} to the",
                       f"and after {lunch} for lunch, to the" if lunch else "and after that to the"))
    line = f"{first}, {then} {ans}{rng.choice(('!', '!', '.'))}"
    if f and rng.random() < 0.3:
        st.s(f'"{line}" {c.name} and {f.name} said together.')
    elif lead >= 0.2 and rng.random() < 0.5:
        st.s(rng.choice((f'That night, {c.name} told {to}, "{line}"', f'At dinner, {c.name} said to {to}, "{line}"')))
    else:
        st.s(f'"{line}" {c.name} said.' if rng.random() < 0.5 else f'{c.name} said, "{line}"')


# --- counting -------------------------------------------------------------------------------------


def _count_distractors(n: int, k: int, left: int) -> list[str]:
    cands = [x for x in (n, k, left + 1, left - 1, left + 2) if x != left and 1 <= x <= 12]
    return list(dict.fromkeys(NUMBERS[x] for x in cands))[:3]


_RUNNERS = ("dog", "cat", "squirrel", "rabbit", "puppy", "kitten", "big dog")


_SPOTS = {"tree": ("tall", "old", "big", "huge", "little"), "rock": ("big", "flat", "gray", "round", "smooth"),
          "log": ("old", "big", "wet", "rough", "brown"), "bush": ("green", "big", "little", "round"),
          "plant": ("big", "tall", "green"), "fence": ("old", "little", "white", "brown"), "bench": ("old", "green"),
          "sunflower": ("tall", "big")}


def _spot(st) -> str:
    """A big thing outside that one can be under, behind or near: 'a tall tree', 'the old fence'."""
    rng = st.rng
    n = rng.choice(list(_SPOTS))
    adj = rng.choice(_SPOTS[n]) + " " if rng.random() < 0.7 else ""
    return rng.choice((a(adj + n), "the " + adj + n))


def _fall(st, carrier) -> str:
    """Why things fell on the way home: the path, the weather, an animal there, the carrier's hurry."""
    rng, w, N = st.rng, st.state.weather, carrier.name
    an = rng.choice(st.w.scene_animals(st.place))["word"]
    opts = [f"{N} tripped on {rng.choice(('a rock', 'a stone', 'a stick', 'a log', 'a big rock'))}",
            f"{N} ran too fast", f"{N}'s basket hit {rng.choice(('the fence', 'a tree', 'a big rock', 'the door'))}",
            f"{N} dropped the basket", f"{N} slipped on the path", f"{N} turned around too fast",
            f"{a(rng.choice(_RUNNERS))} ran across the path, and {N} jumped", f"{N} stopped to look at {a(an)} and the basket swung",
            f"{N} skipped and hopped all the way", f"{N} tripped over {a(rng.choice(('old log', 'big branch', 'branch', 'flat rock')))}",
            f"{N} waved at {a(an)} and the basket swung",
            f"{N} ran to see {a(an)}", f"{N} bumped into {st.grownup.title}", f"{N} swung the basket too high",
            f"{N} jumped over a stick", f"{N} turned to look at {a(an)}", f"{N} hopped on one foot"]
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
    if more and rng.random() < 0.3:
        x = v.noun[rng.choice(more)]
        also = f" and {'some ' + x['word'] if x.get('mass') else a(x['word']) if rng.random() < 0.5 else 'some ' + x['plural']}"
    st.s(rng.choice((f"{g.title} {buy} {cn}{also}, and {st.nm(carrier)} carried the basket.",
                     f"{st.sub(g)} {buy} {cn}{also}.",
                     f"{st.sub(carrier)} put {cn} in the basket, one by one.",
                     f"{st.sub(g)} paid for {cn}{also}.",
                     f"{st.sub(carrier)} counted {cn} into the basket.",
                     f"They {buy} {cn}{also}, and {st.nm(carrier)} held the basket with both hands.",
                     f"{g.title} {buy} {cn}{also}, and {carrier.name} asked, \"Can I carry the basket?\"")))
    cause = cause or _fall(st, carrier)
    when = rng.choice(("On the way home", "On the walk home", "Near the house", "On the path back",
                       "Just before they got home", "On the road home", "Not far from home",
                       f"Near {_spot(st)}", f"By {_spot(st)} on the way home",
                       "At the fence by the yard", "Near the old bench"))
    kn = count_noun(k, item)
    broke = rng.choice(("broke", "broke", "fell out and broke", "hit the ground and broke", "rolled out and broke",
                        "fell out of the basket", "broke open", "dropped out and broke", "broke on the ground",
                        "were broken" if k > 1 else "was broken", "fell and broke", "rolled away and broke"))
    wh = when[0].lower() + when[1:]
    st.s(rng.choice((f"{when}, {cause}, and {kn} {broke}.",
                     f"{when}, {cause}. Oh no, {kn} {broke}!",
                     f"Because {cause}, {kn} {broke} {wh}.",
                     f"But {wh}, {cause}, and {kn} {broke}.",
                     f"{when}, {kn} {broke}, because {cause}.",
                     f"Oh no! {cap(cause)}, and {kn} {broke} {wh}.",
                     f"{when}, {cause}, and {kn} {broke}, one after the other." if k > 1 else
                     f"{when}, {cause}, and {kn} {broke} before anyone could catch it.")))
    rec = skill(st, "counting", NUMBERS[left], _count_distractors(n, k, left), item=item_word, start=n,
                change=-k, result=left)
    ans = st.doc.m(NUMBERS[left], rec, "prompt_end")
    noun = item["word"] if left == 1 else item["plural"]
    be = "was" if left == 1 else "were"
    W = st.sub(carrier)
    dish = st.flags.get("dish", "cake")
    st.s(rng.choice((f"Now {W} had only {ans} {noun} left for the {dish}.",
                     f"Now {W} had {ans} {noun}, not {NUMBERS[n]}.",
                     f"{W} counted again: {ans} {noun}, not {NUMBERS[n]}.",
                     f"So {W} had {ans} {noun} left for the {dish}.",
                     f"Only {ans} {noun} in {carrier.name}'s basket {be} still good.",
                     f"Of {carrier.name}'s {cn.split()[0]} {item['plural']}, only {ans} {be} still good.",
                     f"When {carrier.name} looked in the basket, there {be} just {ans} {noun} that did not break.",
                     f"Now there {be} only {ans} {noun} in the basket, and {W} felt sad.",
                     f"{W} had {NUMBERS[n]} {item['plural']} at the start, and now {carrier.s} had {ans}.")))


def counting_family(st, mother: str, baby: str) -> None:
    """An animal mother with one little one missing (the end counts them again)."""
    rng, v, c = st.rng, st.w.vocab, st.hero
    n = rng.randint(3, 7)
    pl = v.noun[baby]["plural"]
    P = st.place_mark(st.place)
    k = NUMBERS[n - 1]
    little = rng.choice(("little ", "little ", "tiny ", "", "baby "))
    st.s(rng.choice((f"By the path, {st.sub(c, False)} saw {a(mother)} with {k} {little}{pl}.",
                     f"{cap(rng.choice(('under', 'near', 'behind', 'next to')))} {_spot(st)}, {st.sub(c, False)} saw {a(mother)} "
                     f"and her {k} {little}{pl}.",
                     f"There was {a(mother)} with {k} {little}{pl} near the {P}, and she looked worried.",
                     f"Near the {P}, {a(mother)} and {k} {little}{pl} were {rng.choice(('walking', 'resting', 'sitting'))} "
                     f"in the {rng.choice(('grass', 'sun', 'shade'))}.",
                     f"{st.sub(c, False)} saw {a(mother)} by the {P}, and behind her came {k} {little}{pl}.")))
    cry = K.rel["cry"].facts.get(mother)  # the mother calls in her own voice: 'quacked and quacked'
    fuss = rng.choice(("called and called", "looked left and right", "would not sit still",
                       "looked all around", "kept calling", "went from bush to bush") +
                      ((f"{vf(cry[0], 'past')} and {vf(cry[0], 'past')}", f"{vf(cry[0], 'past')} again and again") if cry else ()))
    st.s(_pick(rng, lambda: f"{c.name} counted them: one little {baby} was lost!",
               lambda: f"But one of her {pl} was lost, and she {fuss}.",
               lambda: f"But the {mother} was looking for one more {baby}, the smallest one.",
               lambda: f"The {mother} {fuss}, because one of her {pl} was gone.",
               lambda: f"{st.nm(st.grownup)} said that one little {baby} must be lost.",
               lambda: f"The {mother} {fuss}: one {baby} was not with her.",
               lambda: f"The {mother} {fuss}, because one little {baby} was not there."))
    hide = rng.choice(("behind a log", "under a bush", "in the tall grass", "behind a big rock", "under the old fence",
                       "next to a tree", "in a hole")) if rng.random() < 0.4 else \
        f"{rng.choice(('behind', 'under', 'next to', 'near'))} {_spot(st)}"
    st.s(rng.choice((f"{st.sub(c)} looked {rng.choice(('under the bushes', 'behind the trees', 'in the grass', 'everywhere'))} "
                     f"and found the little {baby} {hide}.",
                     f"{soon(st)}{st.sub(c, False)} heard a tiny sound. The lost {baby} was {hide}.",
                     f"{st.sub(c)} {rng.choice(('looked', 'searched', 'looked and looked'))}, and there it was: the little "
                     f"{baby}, {hide}!",
                     f"At last {st.sub(c, False)} spotted the little {baby} {hide}, all alone.",
                     f"The little {baby} was {hide}, and {c.name} found it.")))
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
    H, how = st.sub(c), rng.choice(("gently", "carefully", "", ""))
    back = rng.choice((f"carried the {baby} back to the {mother}", f"picked up the little {baby} {how}".rstrip() +
                       f" and took it to the {mother}", f"showed the {baby} the way back to the {mother}",
                       f"took the {baby} {how} back home".replace("  ", " "),
                       f"brought the little {baby} back"))
    P = lambda: st.place_mark(st.place)  # marked only in the wording that names it
    st.s(*_pick(rng, lambda: (f"{H} {back}, and now the {mother} had {ans} {pl} again.",),
                lambda: (f"{H} {back}.", f"Now there were {ans} little {pl} with the {mother} by the {P()}."),
                lambda: (f"{H} {back}.", f"The {mother} counted her {pl}, and there were {ans} again."),
                lambda: (f"{H} {back}, and all {ans} {pl} were together again.",),
                lambda: (f"{H} {back}.", f"Now the {mother} had {ans} {pl} again, and {c.name} {rng.choice(('smiled', 'clapped'))}.")))


def counting_gather(st, thing: str, c, f) -> None:
    """Two children collect things together; how many they have."""
    rng, v = st.rng, st.w.vocab
    item = v.noun[thing]
    n = rng.randint(2, 6)
    k = rng.randint(1, 4)
    left = n + k
    pl, P = item["plural"], lambda: st.place_mark(st.place)  # marked only in the wording that names it
    both = rng.choice((f"{c.name} and {f.name}", f"{f.name} and {c.name}"))
    out = st.w.place_outdoor.get(st.place, False)

    def where() -> str:  # a spot at this place: 'under a tall tree', 'by the old log'
        if not out:
            return rng.choice(("under the table", "by the door", "on the floor", "near the window"))
        return f"{rng.choice(('under', 'by', 'near', 'behind', 'next to'))} {_spot(st)}"

    one, other = rng.sample((c, f), 2)
    then = rng.choice(("Then ", "After that, ", "Soon ", "", "", "Next, "))
    st.s(_pick(rng, lambda: f"{then}{both} looked for {pl} {where()}.",
               lambda: f"{then}{both} played a game: who could find the most {pl}?",
               lambda: f"There were {pl} {where()}, so {both} began to collect them.",
               lambda: f"{st.sub(c)} spotted {a(item['word'])} {where()}, and soon {both} were looking for more.",
               lambda: f"\"Let's look for {pl}!\" {one.name} said to {other.name}.",
               lambda: f"{one.name} told {other.name}, \"I think there are {pl} {where()}.\"",
               lambda: f"\"Who can find more {pl}?\" {one.name} asked {other.name}.",
               lambda: f"{cap(pl)} were all over the {P()}, and {both} picked them up."))
    x, y = (c, f) if rng.random() < 0.6 else (f, c)
    nx, ny = (n, k) if x is c else (k, n)
    X, Y = count_noun(nx, item), count_noun(ny, item)
    got = ("found", "found", "picked up", "got", "spotted", "came back with", "held up", "had",
           "dug up" if out and thing in ("stone", "rock", "shell") else "found")
    gx, gy = rng.choice(got), rng.choice(got)
    how = f" {where()}" if rng.random() < 0.5 and gx in ("found", "picked up", "spotted", "dug up") else ""
    st.s(rng.choice((f"{st.sub(x)} {gx} {X}{how}, and {st.nm(y)} {gy} {Y}.",
                     f"{st.nm(y)} {gy} {Y}, and {x.name} {gx} {X}{how}.",
                     f"{x.name} {gx} {X}{how}, while {y.name} {gy} {Y}.",
                     f"In {x.p} hands {x.name} had {X}, and {y.name} had {Y}.",
                     f"{y.name} {gy} {Y}. {x.name} {gx} {X}{how}.")))
    rec = skill(st, "counting", NUMBERS[left], _count_distractors(n, k, left), item=thing, start=n, change=k,
                result=left)
    ans = st.doc.m(NUMBERS[left], rec, "prompt_end")
    head = rng.choice((f"Together {both} had", f"Now {both} had", "All together, they had", "That made",
                       "So the two of them had", "They had", "Then they had", "Now they had",
                       f"{one.name} counted {rng.choice(('them', 'them all', 'all the ' + pl))}:",
                       f"{both} counted", f"Now {one.name} and {other.name} had"))
    tail = rng.choice(("" if "ogether" in head else " in all", "", "", " now" if "Now" not in head else "", " at the {P}", "!"))
    tail = tail.replace("{P}", P()) if "{P}" in tail else tail
    st.s(f"{head} {ans} {pl}{tail}" + ("" if tail == "!" else "."))


# --- entity tracking --------------------------------------------------------------------------------

_CONTAINERS = ("box", "box", "bag", "basket", "bucket")  # (the realiser never describes these)
_BOX_EXTRA = ("book", "crayon", "shell", "mitten", "sock", "hat", "scarf", "ribbon", "flute", "whistle", "car",
              "train", "truck", "boat", "bell", "rock", "feather", "card", "pencil", "brush")
_BOX_SPOTS = ("under the bed", "on the shelf", "in the kitchen", "by the window", "by the couch", "behind the door",
              "next to the bed", "on the top shelf", "under the table", "in the living room", "under the window",
              "behind the chair", "next to the piano", "by the lamp", "under the big plant", "on the steps",
              "by the front door", "next to the toys", "behind the couch", "on the chair", "in front of the couch",
              "on top of the piano", "to the left of the door", "to the right of the bed", "in front of the fridge",
              "to the left of the lamp", "to the right of the window", "on top of the shelf", "in the corner",
              "under the mirror", "next to the clock", "behind the big chair")
_BOX_WHY = ("the room was not clean", "the toys were all over the floor", "Grandma was coming to visit",
            "the floor had to be swept", "the puppy kept chewing the toys", "nobody could walk across the room",
            "it was time to clean up", "somebody had stepped on a toy", "the rug needed a wash",
            "the baby was learning to crawl", "it was almost time for bed", "a friend was coming to play",
            "everyone kept tripping over the toys", "the kitten liked to hide the toys under the couch",
            "the room had to look nice for the party", "the window had to be washed", "Dad wanted to paint the wall",
            "the new bed was coming that day", "the toys were getting dirty", "there was no room to sit")
_MOVE_WHY = ("the {a} {k} was too full", "the {a} {k} had a hole in it", "the {a} {k} was broken",
             "the {b} {k} was next to the bed", "the puppy liked to sniff around the {a} {k}",
             "the {a} {k} was for crayons only", "the {a} {k} was too small", "the {b} {k} was easier to reach",
             "the {a} {k} was wet", "the {a} {k} was too heavy to carry", "the kitten liked to sleep in the {a} {k}",
             "the {a} {k} was needed for the blocks", "the {a} {k} had to be washed", "the {b} {k} was bigger",
             "the {a} {k} was going to the garden", "the {a} {k} was for the socks", "the {b} {k} was empty")


_BOX_ADJ = ("little", "big", "small", "tiny", "old", "new", "shiny", "soft", "fluffy", "striped", "spotted", "round",
            "heavy", "squishy", "fuzzy", "noisy", "loud", "thin", "fancy", "funny")
_box_adjs: dict[str, list[str]] = {}
_box_pool: list[dict] = []  # the toys and other small things (built once)


def _box_adj(st, word: str) -> str:
    """'shiny ' for a thing that can be shiny (another thing in the boxes, not the hero's), or ''."""
    if word not in _box_adjs:
        fits = st.w.adj_nouns
        _box_adjs[word] = [x for x in _BOX_ADJ if any(n["word"] == word for n in fits.get(x, ()))]
    adjs = _box_adjs[word]
    return st.rng.choice(adjs) + " " if adjs and st.rng.random() < 0.5 else ""


def _box_things(st, thing: dict, mover, k: int) -> list[dict]:
    held = st.state.holder
    if not _box_pool:
        _box_pool.extend(st.w.toys + [st.w.vocab.noun[x] for x in _BOX_EXTRA if x in st.w.vocab.noun])
    pool = [t for t in _box_pool if t["word"] != thing["word"] and held.get(t["word"], mover.name) == mover.name
            and t["word"] not in st.flags.get("dish", "")]
    return st.rng.sample(pool, k - 1)


_TIDY_UP = ("cleaned up", "found a home for each thing", "picked everything up", "put the things away",
            "cleaned the room", "made the room nice", "picked up the toys", "packed up")
_PUT = ("put", "put", "packed", "dropped", "kept", "laid")  # each thing its own verb: 'kept the ball in ..'
_INTO = {"put": ("in", "into"), "packed": ("in", "into"), "dropped": ("in", "into"), "kept": ("in", "inside"),
         "laid": ("in", "inside")}
_ONE = {True: ("the {t} was in the {b}", "the {b} had the {t}", "the {b} held the {t}", "the {t} sat in the {b}",
               "the {t} was inside the {b}", "the {t} lay in the {b}"),
        False: ("the {t} went into the {b}", "the {b} got the {t}", "into the {b} went the {t}", "the {t} went in the {b}",
                "the {b} was for the {t}", "the {t} got a spot in the {b}")}


def _put_line(st, M: str, things: list[dict], colors: list[str], cont: str, spots: list[str],
              perfect: bool) -> str:
    """One telling of where the things went, from short parts: who put them away, then one clause per
    thing in its own shape ('the ball went into the red box', 'the blue box got the kite', 'into the
    green box went the car'), each thing with its own verb ('put the ball in the red box and hid the kite
    inside the blue one'), or 'into the red box went ...' first (`perfect`: before the story's now, "had put")."""
    rng = st.rng
    had = "had " if perfect else ""
    items = [t["word"] if t is st.thing else _box_adj(st, t["word"]) + t["word"] for t in things]
    bx = [f"{col} {cont}" + (f" {s}" if s else "") for col, s in zip(colors, spots)]
    forms = rng.sample(_ONE[perfect], len(items))
    one = [f.format(t=t, b=b) for f, t, b in zip(forms, items, bx)]
    r = rng.random()
    if r < 0.3:  # a verb for each thing: "put the ball in the red box and dropped the kite into the blue one"
        verbs = rng.sample(_PUT[1:], len(items))
        parts = [f"{v} the {t} {rng.choice(_INTO[v])} the {b}" for v, t, b in zip(verbs, items, bx)]
        if not spots[-1] and rng.random() < 0.4:
            parts[-1] = parts[-1].replace(f"{colors[-1]} {cont}", f"{colors[-1]} one")
        return f"{M} {had}{join_and(parts)}"
    if r < 0.5:  # the first thing with the verb, the rest in their own shapes
        v = rng.choice(_PUT)
        return f"{M} {had}{v} the {items[0]} {rng.choice(_INTO[v])} the {bx[0]}, and {join_and(one[1:])}"
    link = rng.choice((": ", ", and now ") if perfect else (": ", ", so "))
    out = st.w.place_outdoor.get(st.state.where.get(st.hero.name, "home"), False)  # (packing up at the beach: no room)
    return f"{M} {had}{rng.choice([x for x in _TIDY_UP if not (out and 'room' in x)])}{link}{join_and(one)}"


def boxes(st, mover, thing: dict, now: tuple[str, ...] = (), why: tuple[str, ...] = (), want: tuple[str, ...] = (),
          movers: list | None = None) -> None:
    """Someone puts the hero's thing and other things into containers of different colors, for a reason;
    sometimes someone moves the thing to another one later (with a reason); the story then asks where the
    thing is (the container's color) or what is in a container, in narration or dialogue.

    By default the putting away happened before the story's now ("The night before, Mom had put ...").
    `now`: openers for putting away in the plot's now ("Before they began"): the plot's own moment, with its
    reasons (`why`), its wish for the thing (`want`: "wanted the kite for the top of the fort") and those who
    are there to move it (`movers`), so that the episode is a step of the plot and not an epilogue after it."""
    rng, c = st.rng, st.hero
    tidy = bool(now)
    k = 3 if rng.random() < 0.12 else 2
    cols = rng.sample(COLORS, k + 1)
    colors, spare = cols[:k], cols[k]
    things = [thing] + _box_things(st, thing, mover, k)
    rng.shuffle(things)
    cont = rng.choice(_CONTAINERS)
    spots = [""] * k
    if k == 2 and not tidy and rng.random() < 0.5:
        spots = rng.sample(_BOX_SPOTS, k)
    if tidy:
        when = rng.choice(now)
    else:
        when = rng.choice(("The day before", "The night before", "That morning", "Early that morning",
                           f"While {c.name} was asleep", "After dinner the day before", "On Sunday",
                           "Before breakfast", "The evening before", "Last night", f"Before {c.name} woke up",
                           "On Saturday"))
    why = rng.choice(why or [x for x in _BOX_WHY if mover.title not in x])
    # as written (FIXED): the realiser would describe the rug or the shelf with colours, next to the answer's
    if not tidy and mover is not c and rng.random() < 0.2:  # the one who put them away says so
        said = _put_line(st, "I", things, colors, cont, spots, False)
        st.s(FIXED + rng.choice((f"\"{said},\" {mover.title} had said the night before.",
                                 f"{mover.title} had said that morning, \"{said}.\"")))
    else:
        line = _put_line(st, st.sub(mover), things, colors, cont, spots, not tidy)
        st.s(FIXED + rng.choice((f"{when}, {line}.", f"{when}, {line}.", f"{when}, {line}.",
                                 f"{line if line[0] == PRONOUN else cap(line)}, because {why}.",
                                 f"Because {why}, {line}.", f"{when}, because {why}, {line}.")))
    for col, t in zip(colors, things):
        st.state.put(mover.name, t["word"], f"{col} {cont}")
    placed = {t["word"]: col for t, col in zip(things, colors)}
    it = thing["word"]
    # a move: someone takes the thing out and puts it in another container (the old one is the trap)
    movers = [x for x in ((st.grownup, st.friend, mover) if movers is None else movers)
              if x is not None and st.known(x) and x is not c]
    if tidy:
        movers = [x for x in movers if x is not mover] or movers
    mover2, old = None, None
    if movers and rng.random() < 0.45 and _fits(st, 22):
        mover2 = rng.choice(movers)
        old, to = placed[it], spare
        why2 = rng.choice(_MOVE_WHY).format(a=old, b=to, k=cont)
        M2 = st.sub(mover2)
        later = rng.choice(("Later", "After that", "But then", "A little later", "Then") + (() if tidy else ("That night",)))
        st.s(FIXED + rng.choice((f"{later}, {M2} took the {it} out of the {old} {cont} and put it in the {to} {cont}, "
                         f"because {why2}.",
                         f"{later}, {M2} moved the {it} from the {old} {cont} to the {to} {cont}, because {why2}.",
                         f"{cap(why2)}, so {M2} moved the {it} to the {to} {cont}.",
                         f"{later}, because {why2}, {M2} put the {it} in the {to} {cont}.")))
        st.state.take_out(mover2.name, it, f"{old} {cont}")
        st.state.put(mover2.name, it, f"{to} {cont}")
        placed[it] = to
    final = [{"container": cont, "color": placed[t["word"]], "item": t["word"]} for t in things]
    st.meta["boxes"] = final
    qc = placed[it]
    other_cols = ([old] if old else []) + [col for col in colors if col != qc and col != old]  # the old place first
    teller = mover2 or (mover if mover is not c else None)
    mode = rng.random()
    if mode < 0.35 and teller is not None:
        rec = skill(st, "entity_tracking", qc, other_cols, query=it, boxes=final, moved=mover2 is not None)
        Q = st.doc.m(qc, rec, "prompt_end")
        T = teller.title
        st.s(*rng.choice(((f"{st.sub(c)} asked {T} where the {it} was.", f"{T} said that it was in the {Q} {cont}."),
                          (f"\"Where is my {it}?\" {c.name} asked {T}.", f"\"It is in the {Q} {cont},\" {T} said."),
                          (f"\"{T}, have you seen my {it}?\" asked {c.name}.",
                           f"\"Yes, I put it in the {Q} {cont},\" said {T}."),
                          (f"{st.sub(c)} looked and looked for the {it}.", f"\"Look in the {Q} {cont},\" {T} told {c.o}."),
                          (f"{c.name} did not know where the {it} was, so {c.s} asked {T}.",
                           f"\"It's in the {Q} {cont},\" {T} {rng.choice(('said', 'answered', 'told ' + c.o))}."),
                          (f"{c.name} looked everywhere, but the {it} was gone.",
                           f"\"Did you look in the {Q} {cont}?\" {T} asked."),
                          (f"\"Nobody can find my {it}!\" {c.name} said.", f"{T} smiled and said, \"It is in the {Q} {cont}.\""),
                          (f"{st.sub(c)} was about to open the {other_cols[0]} {cont}.",
                           f"\"Not that one,\" said {T}. \"The {it} is in the {Q} {cont}.\""))))
    elif mode < 0.75:
        rec = skill(st, "entity_tracking", qc, other_cols, query=it, boxes=final, moved=mover2 is not None)
        Q = st.doc.m(qc, rec, "prompt_end")
        want = rng.choice(want or (f"wanted the {it}", f"wanted to play with the {it}", f"looked for the {it}",
                                   f"needed the {it}", f"wanted {c.p} {it} back"))
        when = rng.choice(("Then ", "Soon ", "", "A little later, ") if tidy else ("Then ", "", "", "Right away, ", "At last "))
        wrong = rng.choice(other_cols)
        knows = mover2 is None and mover is c
        H = st.sub(c) if not when else c.name
        s_ = c.s
        find = (f", so {s_} opened the", f", and {s_} found it in the", f", so {s_} looked in the",
                f", so {s_} reached into the", f", and {s_} took it out of the", f", and there it was, in the",
                f", and {s_} went to look in the") + ((" and went straight to the", f". {cap(s_)} knew to look in the",
                                                        f", and {s_} remembered the") if knows else
                                                       (f", and after a while {s_} found it in the",
                                                        f" and looked all over, and {s_} found it in the"))
        find = [x for x in find if not ("look" in want and "look" in x)]
        st.s(_pick(rng, lambda: f"{when}{H} {want}{rng.choice(find)} {Q} {cont}.",
                   lambda: f"{when}{H} {want}{rng.choice(find)} {Q} {cont}.",
                   lambda: f"The {it} was not in the {wrong} {cont}. It was in the {Q} {cont}.",
                   lambda: f"The {it} was in the {Q} {cont}, just where {s_} had put it." if knows else
                   f"{H} did not know it, but the {it} was in the {Q} {cont}."))
    else:
        present = [t["word"] for t in things if t["word"] != it]
        qi = rng.choice(present)
        qcol = placed[qi]
        rest = [t["word"] for t in things if t["word"] != qi]
        rec = skill(st, "entity_tracking", qi, rest, query=qcol, boxes=final)
        Q = st.doc.m(qi, rec, "prompt_end")
        ask = (f"\"What is in the {qcol} {cont}?\" {c.name} asked.", f"\"Only the {Q},\" {teller.title} said.") \
            if teller is not None and mover2 is None else None
        opts = [(f"First {st.sub(c, False)} opened the {qcol} {cont}, but {c.s} found the {Q} in it.",),
                (f"{st.sub(c)} looked in the {qcol} {cont} first, but there was only the {Q} in it.",),
                (f"In the {qcol} {cont}, {st.sub(c, False)} found the {Q}.",),
                (f"{st.sub(c)} opened the {qcol} {cont}, and out came the {Q}.",),
                (f"{st.sub(c)} looked inside the {qcol} {cont}, but it had only the {Q} in it.",),
                (f"The {it} was not in the {qcol} {cont}.", f"There was only the {Q}.")]
        if ask:
            opts.append(ask)
        st.s(*rng.choice(opts))
        st.s(rng.choice((f"So {st.sub(c, False)} opened the {qc} {cont}.", f"Then {c.s} looked in the {qc} {cont}.",
                         f"Next, {c.s} tried the {qc} {cont}.")))
    st.state.take_out(c.name, it, f"{qc} {cont}")


# --- choices at the shop ----------------------------------------------------------------------------

_SELLER = {"bakery": "the baker", "market": "the man at the market", "shop": "the lady at the shop"}


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
    X, Y, G, P = x["plural"], y["plural"], st.nm(st.grownup), st.place_mark(where)
    st.s(rng.choice((f"{st.sub(c)} wanted {X} or {Y} {why}.",
                     f"{G} said they could get {X} or {Y} {why}.",
                     f"{cap(why)}, they needed {X} or {Y}.",
                     f"\"We need {X} or {Y} {why},\" {G} said.",
                     f"{c.name} could use {X} or {Y} {why}.")))
    seller = _SELLER.get(where, "the man at the shop")
    st.s(rng.choice((f"But the {P} had no {X} left, so they bought some {ans}.",
                     f"There were no {X} at the {P} that day, so {st.sub(c, False)} picked some {ans}.",
                     f"\"Sorry, there are no {X} today,\" said {seller}. So {G} got {ans}.",
                     f"All the {X} were gone, so {st.sub(c, False)} took some {ans}.",
                     f"{st.sub(c)} looked for {X}, but there were not any. So {c.s} got {ans}.",
                     f"They could not get {X}, because the {P} had no more, so they got {ans}.",
                     f"The {P} had no {X}, so {st.sub(c, False)} chose some {ans}.")))


_PREMISE = ("{W} did not like {t} food", "{W} never ate anything {t}", "{W} could not eat {t} things",
            "{W} didn't want anything {t}", "{W} did not eat {t} food", "{W} wasn't eating {t} food that week",
            "nothing {t} was good for {w}", "{W} never liked {t} things", "{W} had said no to {t} food")
_SAID_PREMISE = ("{W} does not like {t} food", "{W} doesn't eat {t} things", "No {t} food for {w}",
                 "{W} never eats anything {t}", "Nothing {t} for {w}", "{W} can't have {t} food",
                 "{W} isn't eating anything {t} this week", "No one should give {w} {t} food")


def negation(st, who: str, why: str) -> None:
    """'Grandpa did not like sweet food, so Lily picked the pear, not the candy.' The rule (not, n't,
    never, no, nothing) and the choice (not the x, and left the x, did not take the x but ...) in
    narration or dialogue, the rule before or after the two things are shown."""
    rng, w, c = st.rng, st.w, st.hero
    attr = rng.choice(_NEG_ATTRS)
    has = [f for f in w.foods if attr in f["attrs"]]
    hasnt = [f for f in w.foods if attr not in f["attrs"]]
    x, y = rng.choice(has)["word"], rng.choice(hasnt)["word"]
    verb = rng.choice(("picked", "took", "chose", "bought", "got"))
    G, N = st.nm(st.grownup), c.name
    said_to = "our sick friend" if who == "a sick friend" else who
    P = lambda: st.place_mark(st.place)  # marked only in the wording that names it
    show = lambda: _pick(rng, lambda: f"At the {P()}, there was {a(x)} and {a(y)}.",
                         lambda: f"{G} showed {N} {a(x)} and {a(y)}.",
                         lambda: f"{N} could take {a(x)} or {a(y)} for {who}.",
                         lambda: f"\"Look, {a(x)} and {a(y)}!\" {N} said.",
                         lambda: f"On the table at the {P()}, {N} saw {a(x)} and {a(y)}.")
    rec = skill(st, "negation", y, [x], attribute=attr, negated=True)
    ans = st.doc.m(y, rec, "prompt_end")
    r = rng.random()
    if r < 0.7 or not _fits(st, 12):  # the choice and the rule in one sentence, after the things are shown
        st.s(show())
        rule = rng.choice(_PREMISE).format(W=who, w=who, t=attr)
        H = st.sub(c)
        st.s(rng.choice((f"{cap(rule)}, so {N} {verb} the {ans}, not the {x}.",
                         f"{H} knew that {rule}, so {c.s} {verb} the {ans} and not the {x}.",
                         f"Because {rule}, {N} {verb} the {ans} and left the {x}.",
                         f"{cap(rule)}, and the {x} was {attr}, so {N} {verb} the {ans}.",
                         f"{H} did not want the {x}, because {rule}, so {c.s} {verb} the {ans}.")))
        return
    if r < 0.85:  # the rule first (as narration or said), then the things, then the choice
        if rng.random() < 0.5:
            st.s(cap(rng.choice(_PREMISE).format(W=who, w=who, t=attr)) + ".")
        else:
            line = cap(rng.choice(_SAID_PREMISE).format(W=cap(said_to), w=said_to, t=attr))
            st.s(rng.choice((f"\"{line},\" {G} said.", f"{G} said, \"{line}.\"", f"\"{line},\" {N} remembered.")))
        st.s(show())
    else:  # the things, then the rule said aloud, then the choice
        st.s(show())
        line = cap(rng.choice(_SAID_PREMISE).format(W=cap(said_to), w=said_to, t=attr))
        st.s(rng.choice((f"\"{line},\" {G} said.", f"{G} said, \"{line}.\"")))
    st.s(rng.choice((f"So {st.sub(c, False)} {verb} the {ans}, not the {x}.",
                     f"So {st.sub(c, False)} {verb} the {ans} and left the {x} where it was.",
                     f"{st.sub(c)} did not take the {x}, but {c.s} {verb} the {ans}.",
                     f"{st.sub(c)} put back the {x} and {verb} the {ans}.",
                     f"\"Let's get the {ans},\" {N} said.",
                     f"The {x} was {attr}, so {N} {verb} the {ans}.")))


# a snack the hero chooses for herself: the everyday "not this one, that one" outside the shopping plots
_SNACKS = ("apple", "banana", "orange", "pear", "peach", "plum", "strawberry", "carrot", "cucumber", "tomato", "cookie",
           "cracker", "muffin", "cupcake", "sandwich", "biscuit", "bun", "nut", "lollipop", "candy", "grape")
_SNACK_ATTRS = ("sweet", "sweet", "salty", "crunchy")
_SNACK_SHOW = ("{G} had {x} and {y} for a snack.", "At snack time, {G} gave {N} {x} and {y} to choose from.",
               "\"Would you like {x} or {y}?\" {G} asked {N}.", "For a snack, there was {x} and {y}.",
               "{G} held out {x} and {y}.")
_SNACK_RULE = ("{N} did not want anything {t}", "{N} did not feel like {t} food", "{N} did not want any more {t} food that day",
               "{N} was not hungry for anything {t}", "{N} didn't like {t} things", "{N} never ate {t} food before dinner",
               "{N}'s tummy did not want anything {t}", "{N} did not want to eat {t} things just then",
               "{N} could not have {t} snacks before lunch", "nothing {t} tasted good to {N} that day",
               "{N} did not care for {t} snacks", "no {t} snack was good for {N} that day")
# what the hero does with the one not chosen, then the choice ({v}: the verb, {ans}: the answer, marked)
_SNACK_CHOICE = ("so {s} {v} the {ans}, not the {x}", "so {s} {v} the {ans} and left the {x} for {G}",
                 "so {s} left the {x}. {S} {v} the {ans}", "so {s} put the {x} down and {v} the {ans}",
                 "so {s} gave the {x} back to {G} and {v} the {ans}", "so {s} shook {p} head at the {x} and {v} the {ans}",
                 "so {s} pushed the {x} away and {v} the {ans}", "so {s} did not take the {x}; {s} {v} the {ans}")
SNACK_P = 0.25  # how often a doing-time with the grown-up at hand becomes a snack choice (once a story)


def snack(st) -> None:
    """'Mom had a cookie and a pear for a snack. Mia did not want anything sweet, so she took the pear, not
    the cookie.' The negation item of every plot: the rule about the hero, then the choice of the other."""
    rng, w, c = st.rng, st.w, st.hero
    st.flags["snack"] = True
    attr = rng.choice(_SNACK_ATTRS)
    foods = [f for f in w.foods if f["word"] in _SNACKS]
    x = rng.choice([f for f in foods if attr in f["attrs"]])["word"]
    y = rng.choice([f for f in foods if attr not in f["attrs"]])["word"]
    verb = rng.choice(("picked", "took", "chose", "ate", "reached for", "grabbed"))
    G, N = st.nm(st.grownup), c.name
    st.s(rng.choice(_SNACK_SHOW).format(G=G, N=N, x=a(x), y=a(y)))
    rec = skill(st, "negation", y, [x], attribute=attr, negated=True)
    ans = st.doc.m(y, rec, "prompt_end")
    rule = rng.choice(_SNACK_RULE).format(N=N, t=attr)
    then = rng.choice(_SNACK_CHOICE).format(s=c.s, S=cap(c.s), p=c.p, v=verb, ans=ans, x=x, G=G)
    st.s(f"{cap(rule)}, {then}.")
