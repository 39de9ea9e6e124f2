"""Who owns each seat of a flight, and who sits in it.

A flight's seats belong to its vehicle's operator, except those that an
agreement gives a partner: under the NASA–ROSCOSMOS agreement every Soyuz
gives one seat to NASA and every Crew Dragon one to ROSCOSMOS. Riders take
a free seat of the agency they fly for first, then a free seat of someone
else (the operator's first): that is a seat borrowed, which needs its
owner's consent. Pure functions of the Scenario; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mixedcrew.domain import Assignment, Flight, Scenario

Direction = Literal["up", "down"]


@dataclass(frozen=True)
class Seat:
    number: int
    owner: str | None  # the agency it belongs to; None: a vehicle without an operator
    person: str | None = None
    flies_for: str | None = None


@dataclass(frozen=True)
class SeatMap:
    flight: str
    direction: Direction
    seats: tuple[Seat, ...]
    # riders beyond the flight's seats (a manifest that already breaks SEATS)
    overflow: tuple[str, ...] = ()

    def free_of(self, agency: str | None) -> list[Seat]:
        return [s for s in self.seats if s.person is None and s.owner == agency]

    @property
    def free(self) -> list[Seat]:
        return [s for s in self.seats if s.person is None]

    @property
    def people(self) -> list[str]:
        return [s.person for s in self.seats if s.person is not None] + list(self.overflow)


def seat_owners(s: Scenario, f: Flight) -> list[str | None]:
    """One owner per seat: the operator's seats first, then each partner's, as agreements give them."""
    n = s.seats_of(f)
    vtype = s.vehicle_type_by_id.get(f.vehicle_type)
    operator = vtype.operator if vtype else None
    when = f.launch or (f.window.start if f.window else None)
    given: dict[str, int] = {}
    for agreement in s.agreements:
        if when is not None and not agreement.covers(when):
            continue
        for quota in agreement.quotas:
            if quota.vehicle_type == f.vehicle_type and f.kind in quota.kinds and quota.party != operator:
                given[quota.party] = given.get(quota.party, 0) + quota.per_flight
    owners: list[str | None] = []
    for party in sorted(given):
        owners += [party] * given[party]
    owners = owners[:n]
    return [operator] * (n - len(owners)) + owners


def riders(s: Scenario, flight_id: str, direction: Direction) -> list[Assignment]:
    return s.riders_up(flight_id) if direction == "up" else s.riders_down(flight_id)


def seat_map(s: Scenario, f: Flight, direction: Direction) -> SeatMap:
    owners = seat_owners(s, f)
    sitting: list[tuple[str, str | None] | None] = [None] * len(owners)
    waiting: list[tuple[str, str | None]] = []
    for a in riders(s, f.id, direction):
        agency = s.agency_of(a)
        mine = next((i for i, o in enumerate(owners) if o == agency and sitting[i] is None), None)
        if mine is None:
            waiting.append((a.person, agency))
        else:
            sitting[mine] = (a.person, agency)
    overflow = []
    for person, agency in waiting:
        free = next((i for i, taken in enumerate(sitting) if taken is None), None)
        if free is None:
            overflow.append(person)
        else:
            sitting[free] = (person, agency)
    seats = tuple(Seat(i + 1, owners[i], *(sitting[i] or (None, None))) for i in range(len(owners)))
    return SeatMap(f.id, direction, seats, tuple(overflow))


def seat_maps(s: Scenario) -> list[SeatMap]:
    return [seat_map(s, f, d) for f in s.flights for d in ("up", "down")]


def seat_problems(s: Scenario) -> list[str]:
    """Broken seat invariants: a person twice on one ride, more riders than seats."""
    problems = []
    for m in seat_maps(s):
        people = m.people
        twice = sorted({p for p in people if people.count(p) > 1})
        if twice:
            problems.append(f"{m.flight} ({m.direction}): {', '.join(twice)} hold more than one seat")
        if m.overflow:
            problems.append(f"{m.flight} ({m.direction}): {len(people)} riders for {len(m.seats)} seats")
    return problems
