"""The one place that knows who is aboard, what is docked where, and lifeboat seats.

A single sweep over sorted change instants cuts each station's history into
spans of constant state. Every interval is half-open, [start, end): a person
arriving at the instant another leaves is never counted twice. Rules,
reports and the risk engine read these spans; none of them re-derives them.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from mixedcrew.domain import Assignment, ContingencySeat, Damage, Flight, Scenario


@dataclass(frozen=True)
class Stay:
    """One person aboard one station from `start` (up flight docks) to `end`."""

    person: str
    station: str
    start: datetime
    end: datetime
    up: str
    down: str | None
    assignment: Assignment


@dataclass(frozen=True)
class PortHold:
    """One flight on one port on [start, end): a relocation ends one hold and starts another."""

    flight: str
    station: str
    port: str | None
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Docking:
    """A flight docked on [start, end). It counts as docked (a lifeboat, for its crew) while
    it relocates, though it holds no port then: `holds` are the ports it held."""

    flight: str
    station: str
    port: str | None  # the port it docked to first
    start: datetime
    end: datetime
    holds: tuple[PortHold, ...] = ()


@dataclass(frozen=True)
class Span:
    """Constant state on [start, end) at one station."""

    start: datetime
    end: datetime
    aboard: frozenset[str]
    docked: frozenset[str]
    seats: dict[str, int]  # usable lifeboat seats per docked flight
    operators: dict[str, int]  # qualified operators aboard per segment

    @property
    def lifeboat_seats(self) -> int:
        return sum(self.seats.values())

    @property
    def crew(self) -> int:
        return len(self.aboard)


@dataclass
class StationTimeline:
    station: str
    spans: list[Span] = field(default_factory=list)
    _starts: list[datetime] = field(default_factory=list)

    def span_at(self, t: datetime) -> Span | None:
        i = bisect_right(self._starts, t) - 1
        if i >= 0 and t < self.spans[i].end:
            return self.spans[i]
        return None

    def between(self, start: datetime | None = None, end: datetime | None = None) -> Iterator[Span]:
        """Spans overlapping [start, end), in time order."""
        i = 0 if start is None else max(bisect_right(self._starts, start) - 1, 0)
        for span in self.spans[i:]:
            if end is not None and span.start >= end:
                break
            if start is None or span.end > start:
                yield span


class Timeline:
    """Who is aboard each station, docked vehicles and lifeboat seats, at any instant."""

    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self.horizon = scenario.scenario.horizon
        self.stays = list(_stays(scenario, self.horizon))
        self.dockings = list(_dockings(scenario, self.horizon))
        self.port_holds = [h for d in self.dockings for h in d.holds]
        self.stations = {
            st.id: _sweep(scenario, st.id, self.stays, self.dockings) for st in scenario.stations
        }

    # -- queries ---------------------------------------------------------------

    def _station(self, station: str | None) -> StationTimeline:
        if station is None:
            station = self.scenario.stations[0].id
        return self.stations[station]

    def span_at(self, t: datetime, station: str | None = None) -> Span | None:
        return self._station(station).span_at(t)

    def aboard_at(self, t: datetime, station: str | None = None) -> frozenset[str]:
        span = self.span_at(t, station)
        return span.aboard if span else frozenset()

    def operators_at(self, t: datetime, station: str | None = None) -> dict[str, int]:
        span = self.span_at(t, station)
        if span:
            return dict(span.operators)
        st = self.scenario.station_by_id[self._station(station).station]
        return {seg.id: 0 for seg in st.segments}

    def docked_at(self, t: datetime, station: str | None = None) -> frozenset[str]:
        span = self.span_at(t, station)
        return span.docked if span else frozenset()

    def lifeboat_seats_at(self, t: datetime, station: str | None = None) -> int:
        span = self.span_at(t, station)
        return span.lifeboat_seats if span else 0

    def spans(self, station: str | None = None, start: datetime | None = None,
              end: datetime | None = None) -> Iterator[Span]:
        return self._station(station).between(start, end)

    def stays_of(self, person: str) -> list[Stay]:
        return [s for s in self.stays if s.person == person]

    def docking_of(self, flight: str) -> Docking | None:
        return next((d for d in self.dockings if d.flight == flight), None)

    def ports_at(self, t: datetime, station: str | None = None) -> dict[str, str]:
        """Port -> the flight holding it at `t` (a relocating vehicle holds none)."""
        st = self._station(station).station
        return {h.port: h.flight for h in self.port_holds
                if h.station == st and h.port is not None and h.start <= t < h.end}


def _stays(s: Scenario, horizon: datetime | None) -> Iterator[Stay]:
    flights = s.flight_by_id
    for a in s.assignments:
        up = flights.get(a.up)
        down = flights.get(a.down) if a.down else None
        if up is None or up.dock is None:
            continue
        if down is not None and down.undock is not None:
            end = down.undock
        elif down is None or down.land is None:
            if horizon is None:
                continue  # down flight not yet scheduled: nothing to say past the horizon
            end = horizon
        else:
            continue
        if end > up.dock:
            yield Stay(a.person, up.station, up.dock, end, a.up, a.down, a)


def _dockings(s: Scenario, horizon: datetime | None) -> Iterator[Docking]:
    for f in s.flights:
        if f.dock is None:
            continue
        end = f.undock or horizon
        if end is not None and end > f.dock:
            holds = tuple(PortHold(f.id, f.station, p.port, p.start, min(p.end or end, end))
                          for p in f.port_stays if p.start < end)
            yield Docking(f.id, f.station, f.port, f.dock, end, holds)


def _seat_changes(s: Scenario) -> dict[str, list[tuple[datetime, int]]]:
    changes: dict[str, list[tuple[datetime, int]]] = {}
    for e in s.events:
        if isinstance(e, Damage):
            changes.setdefault(e.flight, []).append((e.at, -e.seats_lost))
        elif isinstance(e, ContingencySeat):
            changes.setdefault(e.flight, []).append((e.at, e.seats_added))
    return changes


def seats_at(s: Scenario, flight: Flight, t: datetime,
             changes: dict[str, list[tuple[datetime, int]]] | None = None) -> int:
    """Usable seats of a flight at `t`, after damage and contingency seats so far."""
    changes = _seat_changes(s) if changes is None else changes
    seats = s.seats_of(flight) + sum(d for at, d in changes.get(flight.id, []) if at <= t)
    return max(seats, 0)


def _sweep(s: Scenario, station: str, stays: list[Stay], dockings: list[Docking]) -> StationTimeline:
    st = s.station_by_id[station]
    my_stays = [x for x in stays if x.station == station]
    my_docks = [d for d in dockings if d.station == station]
    changes = _seat_changes(s)
    points: dict[datetime, list[tuple[int, str, str]]] = {}
    # (order, kind, id): removals sort before additions at the same instant.
    for x in my_stays:
        points.setdefault(x.start, []).append((1, "+p", x.person))
        points.setdefault(x.end, []).append((0, "-p", x.person))
    for d in my_docks:
        points.setdefault(d.start, []).append((1, "+f", d.flight))
        points.setdefault(d.end, []).append((0, "-f", d.flight))
        for at, _ in changes.get(d.flight, []):
            if d.start < at < d.end:
                points.setdefault(at, []).append((2, "seat", d.flight))
    people = s.person_by_id
    flights = s.flight_by_id
    aboard: dict[str, int] = {}  # person -> overlapping stays (1 unless double-booked)
    docked: set[str] = set()
    out = StationTimeline(station)
    horizon = s.scenario.horizon
    if horizon is not None and points and horizon > max(points):
        points[horizon] = []  # the data runs on: an empty station up to it is still a state
    times = sorted(points)
    for i, t in enumerate(times[:-1]):
        for _, kind, ident in sorted(points[t]):
            if kind == "+p":
                aboard[ident] = aboard.get(ident, 0) + 1
            elif kind == "-p":
                aboard[ident] -= 1
                if aboard[ident] <= 0:
                    del aboard[ident]
            elif kind == "+f":
                docked.add(ident)
            elif kind == "-f":
                docked.discard(ident)
        who = frozenset(aboard)
        ops = {seg.id: 0 for seg in st.segments}
        for pid in who:
            person = people.get(pid)
            for seg in person.segments if person else ():
                if seg in ops:
                    ops[seg] += 1
        seats = {f: seats_at(s, flights[f], t, changes) for f in docked}
        out.spans.append(Span(t, times[i + 1], who, frozenset(docked), seats, ops))
    out._starts = [sp.start for sp in out.spans]
    return out
