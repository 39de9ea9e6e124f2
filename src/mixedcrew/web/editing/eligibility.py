"""Who could take a seat on a flight, and why the others cannot, in the checker's own words.

The crew page's person picker lists the people who could ride a flight up
and back; for the others it says why not. The reasons are the checker's
(CERT, TRAINED, AVAILABLE — the same rule functions `mixedcrew check` runs),
asked about the person's own rides plus this one, so a picker never offers
what a check would then refuse, nor hides someone for a reason of its own.
Pure functions of the Scenario.
"""

from __future__ import annotations

from dataclasses import dataclass

from mixedcrew.domain import Assignment, Flight, Person, Scenario
from mixedcrew.instants import format_day
from mixedcrew.rules import RULES
from mixedcrew.timeline import Timeline

# The rules about one person on one flight; SEATS is the seat map's (a full flight is one line).
PERSON_RULES = ("CERT", "TRAINED", "AVAILABLE")


@dataclass(frozen=True)
class Candidate:
    person: Person
    reasons: tuple[str, ...]  # empty: they could fly it

    @property
    def can(self) -> bool:
        return not self.reasons


@dataclass(frozen=True)
class FlightChoice:
    """A flight in one of the crew page's flight lists, for one person: why they cannot take it."""
    flight: Flight
    reasons: tuple[str, ...]  # empty: they could

    @property
    def can(self) -> bool:
        return not self.reasons


def _alone(s: Scenario, person: Person, flight: Flight, down: Flight, without: str | None) -> Scenario:
    """The scenario cut to this person's rides (less the one up on `without`, which a move leaves)
    plus a ride up on `flight` and down on `down` (early returns left out: they concern rides
    already flown, and would need the whole station's timeline)."""
    rides = [a for a in s.assignments if a.person == person.id and a.up != without]
    trial = Assignment(person=person.id, up=flight.id, down=down.id)
    used = {flight.id, down.id} | {a.up for a in rides} | {a.down for a in rides if a.down}
    return s.model_copy(update={"assignments": (*rides, trial), "events": (),
                                "flights": tuple(f for f in s.flights if f.id in used)})


def why_not(s: Scenario, person: Person, flight: Flight, down: Flight | None = None,
            without: str | None = None) -> tuple[str, ...]:
    """The reasons `person` cannot ride up on `flight` and down on `down` (default: the same
    flight; none: they can). `without`: the flight they ride up on now, which a move takes them off."""
    down = down or flight
    if any(a.person == person.id and a.up != without and {flight.id, down.id} & {a.up, a.down}
           for a in s.assignments):
        return (f"already rides on {flight.label if flight is down else f'{flight.label} or {down.label}'}",)
    if flight.launch is None:
        return ()  # a flight still to plan: the planner picks its dates, and checks them
    home = down.land or down.undock
    if down is not flight and home is not None and home <= flight.launch:
        # An ordering fact, not a rule: no check would be asked of a trip that ends before it starts.
        return (f"{down.label} comes down on {format_day(home)}, before {flight.label} launches",)
    alone = _alone(s, person, flight, down, without)
    tl = Timeline(alone.model_copy(update={"assignments": ()}))  # the rules here read no one aboard
    reasons = []
    asked = {flight.id, down.id}
    for rule_id in PERSON_RULES:
        for v in RULES[rule_id].check(alone, tl):
            if asked & set(v.flights) and person.id in v.people:
                reasons.append(f"{rule_id}: {v.message}")
    return tuple(dict.fromkeys(reasons))


def ways_down(s: Scenario, person: Person, up: Flight, flights: list[Flight]) -> list[FlightChoice]:
    """The flights of `flights` (other than `up`) that `person`, riding up on `up`, could come down
    on, in the list's order; those they cannot, after, with the checker's reasons."""
    found = [FlightChoice(f, why_not(s, person, up, f)) for f in flights if f.id != up.id]
    return sorted(found, key=lambda c: not c.can)


def moves(s: Scenario, person: Person, src: str, flights: list[Flight]) -> list[FlightChoice]:
    """The flights of `flights` that `person`, taken off the ride up on `src`, could ride up on
    instead, with the way down a move keeps (a round trip stays one; else the same flight down),
    in the list's order; those they cannot, after, with the checker's reasons."""
    old = next((a for a in s.assignments if a.person == person.id and a.up == src), None)
    kept = s.flight_by_id.get(old.down) if old and old.down and old.down != old.up else None
    found = [FlightChoice(f, why_not(s, person, f, kept, without=src)) for f in flights if f.id != src]
    return sorted(found, key=lambda c: not c.can)


def candidates(s: Scenario, flight: Flight, people: list[Person]) -> list[Candidate]:
    """Each of `people` with the reasons they cannot ride `flight`: those who can first, by name."""
    found = [Candidate(p, why_not(s, p, flight)) for p in people]
    return sorted(found, key=lambda c: (not c.can, c.person.name))
