"""The manifest as both engines see it, as trial arrays: flights, lifeboats ("lines") and stays.

Everything here is read from the Timeline (who is aboard, from which flight
to which) and the scenario's `[risk]` section; nothing is random. Times are
float days since the start of the window, so a trial is plain arithmetic.

Vocabulary (docs/risk.md, "The recovery policy"):

- a *line* is a flight that brings people home: their lifeboat. Its crew
  leave together when it undocks.
- the *relief* of a line is the last crewed rotation flight of the same
  vehicle type planned to dock while it is docked: the line undocks after
  its relief docks, with the planned handover time.
- a *stay* is one person from the docking of their flight up to the
  undocking of their line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from math import inf
from typing import Any

import numpy as np

from mixedcrew.domain import Flight, Scenario
from mixedcrew.domain.risk import Distribution, SiteRates, VehicleRates
from mixedcrew.errors import RiskInputError
from mixedcrew.instants import DAY, format_day
from mixedcrew.timeline import Stay, Timeline

DAYS_PER_YEAR = 365.25
MINUTES_PER_DAY = 1440


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime

    @property
    def days(self) -> float:
        return (self.end - self.start) / DAY

    def label(self) -> str:
        return f"{format_day(self.start)} .. {format_day(self.end)}"


# eq=False, as for TrialArrays: numpy arrays do not compare to one bool
@dataclass(frozen=True, eq=False)
class FlightArrays:
    """Each flight: planned instants in days since the window start; `fixed` ones had
    launched before the window opens."""

    ids: tuple[str, ...]
    type: np.ndarray  # index into TrialArrays.types, -1 if it cannot be grounded here
    site: np.ndarray  # -1: no site named and the type has several (never held by an outage)
    launch: np.ndarray
    dock: np.ndarray
    fixed: np.ndarray
    slips: tuple[tuple[Distribution, ...], ...]  # the slips added to each flight's launch


@dataclass(frozen=True, eq=False)
class LineArrays:
    """Each line: a flight and the people it brings home."""

    flight: np.ndarray  # flight index
    relief: np.ndarray  # flight index, -1 if none
    handover: np.ndarray  # planned undock - planned relief dock
    undock: np.ndarray  # planned undock (inf: still docked at the horizon)
    limit: np.ndarray  # docked limit, days
    type: np.ndarray
    site: np.ndarray
    lead: np.ndarray  # replacement lead days
    rendezvous: np.ndarray  # replacement launch to dock, days
    damage_rate: np.ndarray  # per docked day
    members: np.ndarray  # [L, M] stay indices, padded with -1


@dataclass(frozen=True, eq=False)
class StayArrays:
    """Each stay: one person from their flight's docking to their line's undocking."""

    people: tuple[str, ...]
    up: np.ndarray  # flight index
    line: np.ndarray  # line index


@dataclass(frozen=True, eq=False)
class TrialArrays:
    """Flights, lines and stays of one station over one window, as arrays."""

    station: str
    window: Window
    years: tuple[int, ...]
    year_edges: np.ndarray  # Y+1 instants, days since the window start, clipped to [0, days]
    # what can be grounded or closed
    types: tuple[str, ...]
    type_rates: tuple[VehicleRates, ...]
    sites: tuple[str, ...]
    site_rates: tuple[SiteRates, ...]
    flights: FlightArrays
    lines: LineArrays
    stays: StayArrays
    medical_rate: float  # per person-day
    # coverage: which stays operate which segment, per variant of the manifest
    variants: tuple[str, ...]
    segments: tuple[str, ...]
    min_operators: np.ndarray
    operators: np.ndarray  # bool [V, S, G]
    notes: tuple[str, ...] = field(default=())

    @property
    def days(self) -> float:
        return self.window.days

    @property
    def minutes(self) -> int:
        return int(round(self.days * MINUTES_PER_DAY))


def default_window(scenario: Scenario, timeline: Timeline, station: str) -> Window:
    """From continuous presence (or the first stay in the data, if later) to the horizon
    (or the last undocking)."""
    st = scenario.station_by_id[station]
    stays = [x for x in timeline.stays if x.station == station]
    if not stays:
        raise RiskInputError(f"station {station!r} has no stays: the risk engine needs a crewed manifest")
    first = min(x.start for x in stays)
    start = max(st.continuous_presence_from or first, first)  # the data may begin after presence did
    end = scenario.scenario.horizon or max(x.end for x in stays)
    return Window(start, end)


def resolve_window(scenario: Scenario, timeline: Timeline, station: str,
                   start: datetime | None, end: datetime | None) -> Window:
    default = default_window(scenario, timeline, station)
    w = Window(start or default.start, end or default.end)
    horizon = scenario.scenario.horizon
    if horizon is not None and w.end > horizon:
        w = Window(w.start, horizon)  # past the horizon the manifest says nothing
    if w.end <= w.start:
        at_fault = "end" if end is not None else "start"
        raise RiskInputError(
            f"{at_fault}: the window {w.label()} is empty; it must end after it starts"
            + (f", and no later than the data's horizon {format_day(horizon)}" if horizon else ""),
            parameter=at_fault)
    return w


def compile_plan(scenario: Scenario, *, station: str | None = None, start: datetime | None = None,
                 end: datetime | None = None, variants: dict[str, Scenario] | None = None,
                 timeline: Timeline | None = None) -> TrialArrays:
    """The plan of `scenario` at `station` over [start, end).

    variants: other scenarios with the same flights and stays but other people
    in the seats (e.g. the segregated manifest); their operators are kept
    beside the scenario's own, so one trial scores every variant.
    """
    tl = timeline or Timeline(scenario)
    station = station or scenario.stations[0].id
    if station not in scenario.station_by_id:
        raise RiskInputError(f"unknown station {station!r} (stations: {', '.join(scenario.station_by_id)})")
    w = resolve_window(scenario, tl, station, start, end)
    return _Compiler(scenario, tl, station, w).build({"manifest": scenario, **(variants or {})})


def _days(t: datetime | None, origin: datetime) -> float:
    return inf if t is None else (t - origin) / DAY


class _Compiler:
    def __init__(self, s: Scenario, tl: Timeline, station: str, w: Window):
        self.s, self.tl, self.station, self.w = s, tl, station, w
        self.notes: list[str] = []

    def build(self, variants: dict[str, Scenario]) -> TrialArrays:
        s, w = self.s, self.w
        stays = [x for x in self.tl.stays
                 if x.station == self.station and x.start < w.end and x.end > w.start]
        if not stays:
            raise RiskInputError(f"nobody is aboard {self.station} in {w.label()}: nothing to play")
        open_flights = [f.id for f in s.flights if f.station == self.station and f.dock is None]
        if open_flights:
            self.notes.append(f"{len(open_flights)} flight(s) without instants are left out "
                              f"(plan them first): {', '.join(open_flights[:5])}")
        line_keys = [self._line_key(x) for x in stays]
        line_ids = list(dict.fromkeys(line_keys))
        lines = [self._line(k) for k in line_ids]
        flight_ids: list[str] = []
        for x in stays:
            flight_ids.append(x.up)
        for ln in lines:
            flight_ids.append(ln["flight"])
            if ln["relief"] is not None:
                flight_ids.append(ln["relief"])
        flight_ids = list(dict.fromkeys(flight_ids))
        fidx = {f: i for i, f in enumerate(flight_ids)}
        flights = [s.flight_by_id[f] for f in flight_ids]
        moving = [f for f in flights if not self._fixed(f)]
        types = list(dict.fromkeys([f.vehicle_type for f in moving] + [ln["type"] for ln in lines]))
        sites = list(dict.fromkeys(
            [x for x in (self._site(f) for f in moving) if x] + [ln["site"] for ln in lines if ln["site"]]))
        tidx, sidx = {t: i for i, t in enumerate(types)}, {x: i for i, x in enumerate(sites)}
        all_types = {t: s.risk.vehicle(t) for t in {f.vehicle_type for f in flights} | set(types)}
        named = {x for x in (self._site(f) for f in flights) if x}
        all_sites = {x: s.risk.site(x) for x in named | set(sites)}
        members = [[i for i, k in enumerate(line_keys) if k == lid] for lid in line_ids]
        width = max(len(m) for m in members)
        segments = [g for g in s.station_by_id[self.station].segments]
        years = [y for y in range(w.start.year, w.end.year + 1)
                 if datetime(y, 1, 1, tzinfo=UTC) < w.end and datetime(y + 1, 1, 1, tzinfo=UTC) > w.start]
        edges = [max(0.0, min(w.days, _days(datetime(y, 1, 1, tzinfo=UTC), w.start))) for y in years]
        edges.append(w.days)
        return TrialArrays(
            station=self.station, window=w, years=tuple(years), year_edges=np.array(edges),
            types=tuple(types), type_rates=tuple(s.risk.vehicle(t) for t in types),
            sites=tuple(sites), site_rates=tuple(s.risk.site(x) for x in sites),
            flights=FlightArrays(
                ids=tuple(flight_ids),
                type=np.array([tidx.get(f.vehicle_type, -1) for f in flights], dtype=np.int64),
                site=np.array([sidx.get(self._site(f) or "", -1) for f in flights], dtype=np.int64),
                launch=np.array([_days(f.launch or f.dock, w.start) for f in flights]),
                dock=np.array([_days(f.dock, w.start) for f in flights]),
                fixed=np.array([self._fixed(f) for f in flights]),
                slips=tuple(self._slips(f, all_types, all_sites) for f in flights)),
            lines=LineArrays(
                flight=np.array([fidx[ln["flight"]] for ln in lines], dtype=np.int64),
                relief=np.array([fidx[ln["relief"]] if ln["relief"] else -1 for ln in lines], dtype=np.int64),
                handover=np.array([ln["handover"] for ln in lines]),
                undock=np.array([ln["undock"] for ln in lines]),
                limit=np.array([ln["limit"] for ln in lines]),
                type=np.array([tidx[ln["type"]] for ln in lines], dtype=np.int64),
                site=np.array([sidx[ln["site"]] if ln["site"] else -1 for ln in lines], dtype=np.int64),
                lead=np.array([all_types[ln["type"]].replacement_lead_days for ln in lines]),
                rendezvous=np.array([ln["rendezvous"] for ln in lines]),
                damage_rate=np.array([all_types[ln["type"]].damage_per_docked_day for ln in lines]),
                members=np.array([m + [-1] * (width - len(m)) for m in members], dtype=np.int64)),
            stays=StayArrays(
                people=tuple(x.person for x in stays),
                up=np.array([fidx[x.up] for x in stays], dtype=np.int64),
                line=np.array([line_ids.index(k) for k in line_keys], dtype=np.int64)),
            medical_rate=s.risk.medical_returns_per_person_day,
            variants=tuple(variants),
            segments=tuple(g.id for g in segments),
            min_operators=np.array([g.min_operators for g in segments], dtype=np.int64),
            operators=np.stack([self._operators(v, stays, [g.id for g in segments])
                                for v in variants.values()]),
            notes=tuple(self.notes),
        )

    # -- pieces ------------------------------------------------------------------

    def _fixed(self, f: Flight) -> bool:
        """Launched before the window opens: nothing random can move it."""
        launch = f.launch or f.dock
        return launch is not None and launch < self.w.start

    def _site(self, f: Flight) -> str | None:
        if f.launch_site:
            return f.launch_site
        vt = self.s.vehicle_type_by_id[f.vehicle_type]
        return vt.launch_sites[0] if len(vt.launch_sites) == 1 else None

    def _slips(self, f: Flight, types: dict[str, VehicleRates], sites: dict[str, SiteRates]
               ) -> tuple[Distribution, ...]:
        if self._fixed(f):
            return ()
        site = self._site(f)
        return (types[f.vehicle_type].launch_slip_days,) + ((sites[site].launch_slip_days,) if site else ())

    @staticmethod
    def _line_key(x: Stay) -> str:
        # Someone with no ride home in the data (aboard at the horizon) gets a line of their own.
        return x.down if x.down is not None else f"{x.up}@{x.person}"

    def _line(self, key: str) -> dict[str, Any]:
        s, w = self.s, self.w
        if "@" in key:
            f = s.flight_by_id[key.split("@", 1)[0]]
            relief, undock = None, None
        else:
            f = s.flight_by_id[key]
            relief, undock = self._relief(f), f.undock
        vt = s.vehicle_type_by_id[f.vehicle_type]
        assert f.dock is not None
        planned_end = undock or s.scenario.horizon
        return {
            "flight": f.id, "relief": relief.id if relief else None, "type": f.vehicle_type,
            "site": self._site(f), "undock": _days(undock, w.start),
            "handover": (undock - relief.dock) / DAY if relief and undock and relief.dock else 0.0,
            # A stay the manifest itself plans past the limit (to its undocking, or to the
            # horizon for a vehicle still docked there) is not cut short.
            "limit": inf if "@" in key else max(vt.docked_limit_at(f.dock),
                                                (planned_end - f.dock) / DAY if planned_end else 0.0),
            "rendezvous": vt.rendezvous_hours / 24,
        }

    def _relief(self, f: Flight) -> Flight | None:
        """The last crewed rotation of the same type planned to dock while `f` is docked."""
        if f.undock is None or f.dock is None:
            return None
        candidates = [g for g in self.s.flights
                      if g.id != f.id and g.station == f.station and g.vehicle_type == f.vehicle_type
                      and g.kind == "rotation" and g.dock is not None and f.dock < g.dock <= f.undock
                      and self.s.riders_up(g.id)]
        return max(candidates, key=lambda g: g.dock, default=None)  # type: ignore[arg-type,return-value]

    def _operators(self, variant: Scenario, stays: list[Stay], segments: list[str]) -> np.ndarray:
        theirs = [x for x in Timeline(variant).stays if x.station == self.station
                  and x.start < self.w.end and x.end > self.w.start] if variant is not self.s else stays
        def shape(xs: list[Stay]) -> list[tuple]:  # type: ignore[type-arg]
            return [(x.up, x.down, x.start, x.end) for x in xs]

        if shape(theirs) != shape(stays):
            raise RiskInputError("a variant of the manifest must keep every flight and stay; only "
                                 "the people in the seats may differ")
        people = variant.person_by_id
        out = np.zeros((len(stays), len(segments)), dtype=bool)
        for i, x in enumerate(theirs):
            person = people.get(x.person)
            for j, g in enumerate(segments):
                out[i, j] = person is not None and g in person.segments
        return out
