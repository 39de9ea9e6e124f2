"""A plan as a crew manifest a person reads: one block per flight.

Flight, launch day, docked span and port, then each person riding up with
agency and role (and who rides home on it from an earlier flight), and why
a flight flies with empty seats when it does.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from mixedcrew.domain import Flight, Scenario
from mixedcrew.instants import format_day


def manifest_lines(s: Scenario, start: datetime | None = None) -> Iterator[str]:
    """Lines of the manifest of flights launching from `start` (default: every flight with a
    launch after the earliest open flight's window, or all flights)."""
    flights = [f for f in s.flights if f.launch is not None and (start is None or f.launch >= start)]
    flights.sort(key=lambda f: (f.launch, f.id))
    if not flights:
        yield "no flight launches in that span"
        return
    for f in flights:
        yield from _flight(s, f)
    unplanned = [f for f in s.flights if f.launch is None]
    if unplanned:
        yield f"not planned: {', '.join(f.label for f in unplanned)}"


def _flight(s: Scenario, f: Flight) -> Iterator[str]:
    assert f.launch is not None
    vt = s.vehicle_type_by_id[f.vehicle_type]
    docked = (f"docked {format_day(f.dock)}..{format_day(f.undock) if f.undock else 'beyond the data'}"
              if f.dock else "never docked")
    port = f" at {f.port}" if f.port else ""
    yield (f"{f.label}  {vt.name or vt.id}, {f.kind}, launch {format_day(f.launch)}, {docked}{port}"
           + (f", for {f.client}" if f.client else ""))
    people = s.person_by_id
    up = s.riders_up(f.id)
    for a in sorted(up, key=lambda a: (a.role != "commander", a.person)):
        p = people.get(a.person)
        name = p.name if p else a.person
        home = "" if a.down == f.id else (f", home on {_label(s, a.down)}" if a.down else
                                           ", still aboard at the data's end")
        yield f"    {name} ({s.agency_of(a)}, {a.role}){home}"
    down_others = [a for a in s.riders_down(f.id) if a.up != f.id]
    for a in down_others:
        p = people.get(a.person)
        yield f"    home on it: {p.name if p else a.person} (up on {_label(s, a.up)})"
    empty = s.seats_of(f) - len(up)
    if empty > 0:
        yield f"    {empty} empty seat(s) up: {_why_short(s, f, len(down_others))}"


def _why_short(s: Scenario, f: Flight, kept: int) -> str:
    if f.kind == "uncrewed":
        return "an uncrewed flight"
    if kept:
        return f"{kept} kept for people riding home on it from earlier flights"
    if s.planning.crew == "any":
        return "the planning settings ask for at least one person, not a full crew"
    return "flown short in the record"


def _label(s: Scenario, flight_id: str | None) -> str:
    f = s.flight_by_id.get(flight_id or "")
    return f.label if f else str(flight_id)
