"""The state of a story's world, tracked sentence by sentence, and the checker that replays it.

A story is written through a `State`: every beat that introduces a character, moves
someone, passes time, changes the weather, hands a thing over or changes a feeling
calls one of its methods, which records an event and refuses (`Inconsistent`) anything
the state does not allow:

- a character acts, speaks or is moved before being introduced;
- time runs backwards within a day;
- weather that the season does not have (snow in summer), or an outdoor activity the
  weather forbids (swimming in an outdoor pool on a snowy day; an indoor pool is fine);
- a thing given, put away or played with by someone who does not hold it, or taken out
  of a container it is not in.

`check(events)` replays a list of events on a fresh state and returns the problems,
so a test can plant a contradiction in a real story's events and see it caught.
"""

from __future__ import annotations

from storylab.errors import StorylabError

TIMES = ("morning", "noon", "afternoon", "evening", "night")
SEASON_WEATHER = {"spring": ("sunny", "rainy", "windy", "cloudy", "warm"),
                  "summer": ("sunny", "hot", "rainy", "warm", "cloudy"),
                  "fall": ("windy", "cloudy", "rainy", "cool", "sunny", "foggy"),
                  "winter": ("snowy", "cold", "sunny", "cloudy", "icy")}
# outdoor activities and the weather they need (the rest of the activities go in any weather)
WARM = frozenset(("sunny", "hot", "warm"))
# feelings in which a character does nothing glad (the realiser's adverbs, the doings meanwhile)
LOW = frozenset(("sad", "scared", "angry", "mad", "upset", "worried", "lonely", "grumpy", "nervous", "bored", "afraid"))
ACTIVITY_WEATHER = {"swim": WARM, "picnic": WARM | {"cloudy"}, "sandcastle": WARM | {"cloudy"},
                    "ice cream": WARM, "sled": frozenset(("snowy",)), "snowman": frozenset(("snowy",)),
                    "kite": frozenset(("windy", "sunny", "cool", "cloudy", "warm")),
                    "flowers": frozenset(("sunny", "warm", "cloudy", "rainy", "windy")),
                    "boat": WARM | {"cloudy", "windy", "cool"}}


class Inconsistent(StorylabError):
    """A sentence would contradict the state of the story's world."""


class State:
    """Who is introduced, where everyone and everything is, who holds what, time, weather, feelings."""

    __slots__ = ("season", "weather", "time", "day", "introduced", "where", "holder", "inside", "feeling",
                 "outdoor", "events")

    def __init__(self, season: str, weather: str, time: str = "morning", outdoor: dict | None = None):
        self.season, self.weather, self.time, self.day = season, weather, time, 0
        self.introduced: set[str] = set()
        self.where: dict[str, str] = {}
        self.holder: dict[str, str] = {}
        self.inside: dict[str, str] = {}
        self.feeling: dict[str, str] = {}
        self.outdoor = outdoor or {}
        self.events: list[tuple] = [("start", season, weather, time)]
        if weather not in SEASON_WEATHER.get(season, ()):
            raise Inconsistent(f"{weather} weather in {season}")

    def _log(self, *ev) -> None:
        self.events.append(ev)

    def _known(self, who: str, doing: str) -> None:
        if who not in self.introduced:
            raise Inconsistent(f"{who} {doing} before being introduced")

    # --- characters -------------------------------------------------------------------------------

    def intro(self, who: str, place: str | None = None) -> None:
        self._log("intro", who, place)
        self.introduced.add(who)
        if place:
            self.where[who] = place

    def act(self, who: str) -> None:
        """`who` does or says something in this sentence."""
        self.events.append(("act", who))  # (`_log` and `_known` written out: the most frequent event)
        if who not in self.introduced:
            raise Inconsistent(f"{who} acts before being introduced")

    def go(self, who: str, place: str, activity: str | None = None, indoor: bool = False) -> None:
        self._log("go", who, place, activity, indoor)
        self._known(who, "goes somewhere")
        if activity:
            self._allowed(activity, place, indoor)
        self.where[who] = place
        for thing, h in self.holder.items():
            if h == who:
                self.where[thing] = place

    def went_out(self, who: str) -> bool:
        """Whether `who` has been somewhere other than home today (so the story may say "back at home")."""
        return any(e[0] == "go" and e[1] == who and e[2] != "home" for e in self.events)

    def _allowed(self, activity: str, place: str, indoor: bool) -> None:
        need = ACTIVITY_WEATHER.get(activity)
        if need and self.outdoor.get(place, True) and not indoor and self.weather not in need:
            raise Inconsistent(f"{activity} at the outdoor {place} on a {self.weather} {self.season} day")

    def feel(self, who: str, feeling: str) -> None:
        self._log("feel", who, feeling)
        self._known(who, "feels")
        self.feeling[who] = feeling

    # --- time and weather -------------------------------------------------------------------------

    def at(self, time: str) -> None:
        """Time moves on to `time` (within the day: never back)."""
        self._log("time", time)
        if TIMES.index(time) < TIMES.index(self.time):
            raise Inconsistent(f"{time} after {self.time} on the same day")
        self.time = time

    def next_day(self) -> None:
        self._log("next_day")
        self.day += 1
        self.time = "morning"

    def weather_turns(self, weather: str) -> None:
        self._log("weather", weather)
        if weather not in SEASON_WEATHER[self.season]:
            raise Inconsistent(f"{weather} weather in {self.season}")
        self.weather = weather

    def doing(self, who: str, activity: str, indoor: bool = False) -> None:
        """`who` does an activity where they are (swim, sled, picnic, ...)."""
        self._log("doing", who, activity, indoor)
        self._known(who, "does something")
        self._allowed(activity, self.where.get(who, ""), indoor)

    # --- things -----------------------------------------------------------------------------------

    def has(self, who: str, thing: str) -> None:
        """`who` gets `thing` (finds it, is given it by the narration, picks it up)."""
        self._log("has", who, thing)
        self._known(who, "takes something")
        self.holder[thing] = who
        self.inside.pop(thing, None)
        if who in self.where:
            self.where[thing] = self.where[who]

    def uses(self, who: str, thing: str) -> None:
        """`who` plays with, shows or carries `thing`: they must hold it."""
        self._log("uses", who, thing)
        self._known(who, "uses something")
        if self.holder.get(thing) != who:
            raise Inconsistent(f"{who} uses the {thing}, which {self.holder.get(thing) or 'nobody'} holds")

    def give(self, giver: str, taker: str, thing: str) -> None:
        self._log("give", giver, taker, thing)
        self._known(giver, "gives something")
        self._known(taker, "is given something")
        if self.holder.get(thing) != giver:
            raise Inconsistent(f"{giver} gives the {thing}, which {self.holder.get(thing) or 'nobody'} holds")
        self.holder[thing] = taker

    def lose(self, who: str, thing: str, where: str | None = None) -> None:
        """`thing` leaves `who`'s hands (lost, dropped, taken): nobody holds it now."""
        self._log("lose", who, thing, where)
        if self.holder.get(thing) != who:
            raise Inconsistent(f"{who} loses the {thing}, which {self.holder.get(thing) or 'nobody'} holds")
        del self.holder[thing]
        if where:
            self.where[thing] = where

    def put(self, who: str, thing: str, container: str) -> None:
        self._log("put", who, thing, container)
        self._known(who, "puts something away")
        if self.holder.get(thing) not in (who, None):
            raise Inconsistent(f"{who} puts away the {thing}, which {self.holder[thing]} holds")
        self.holder.pop(thing, None)
        self.inside[thing] = container

    def take_out(self, who: str, thing: str, container: str) -> None:
        self._log("take_out", who, thing, container)
        self._known(who, "takes something out")
        if self.inside.get(thing) != container:
            raise Inconsistent(f"the {thing} is taken out of the {container}, but it is "
                               f"{'in the ' + self.inside[thing] if thing in self.inside else 'not in a container'}")
        del self.inside[thing]
        self.holder[thing] = who


_REPLAY = {"intro": State.intro, "act": State.act, "go": State.go, "feel": State.feel, "time": State.at,
           "next_day": State.next_day, "weather": State.weather_turns, "doing": State.doing, "has": State.has,
           "uses": State.uses, "give": State.give, "lose": State.lose, "put": State.put, "take_out": State.take_out}


def check(events: list[tuple], outdoor: dict | None = None) -> list[str]:
    """Replay `events` (as a `State` records them) and return every contradiction found.

    After a contradiction the replay goes on as if the event had happened, so one bad
    event is reported once."""
    problems: list[str] = []
    if not events or events[0][0] != "start":
        return ["events do not begin with the story's start (season, weather, time)"]
    _, season, weather, time = events[0]
    try:
        st = State(season, weather, time, outdoor)
    except Inconsistent as e:
        problems.append(str(e))
        st = State(season, SEASON_WEATHER[season][0], time, outdoor)
        st.weather = weather
    for ev in events[1:]:
        fn = _REPLAY.get(ev[0])
        if fn is None:
            problems.append(f"unknown event {ev!r}")
            continue
        try:
            fn(st, *ev[1:])
        except Inconsistent as e:
            problems.append(str(e))
            _force(st, ev)
    return problems


def _force(st: State, ev: tuple) -> None:
    """Apply an event the state refused, so that the replay can go on."""
    kind = ev[0]
    if kind in ("act", "feel", "doing", "uses", "has", "go") and ev[1] not in st.introduced:
        st.introduced.add(ev[1])
    if kind == "time":
        st.time = ev[1]
    elif kind == "weather":
        st.weather = ev[1]
    elif kind == "go":
        st.where[ev[1]] = ev[2]
    elif kind in ("give",):
        st.introduced.update(ev[1:3])
        st.holder[ev[3]] = ev[2]
    elif kind == "lose":
        st.holder.pop(ev[2], None)
    elif kind == "put":
        st.holder.pop(ev[2], None)
        st.inside[ev[2]] = ev[3]
    elif kind == "take_out":
        st.inside.pop(ev[2], None)
        st.holder[ev[2]] = ev[1]
    elif kind == "has":
        st.holder[ev[2]] = ev[1]
