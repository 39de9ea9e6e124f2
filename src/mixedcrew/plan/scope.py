"""What the planner decides and what it leaves alone: a pure reading of a Scenario.

No solver here. The scope says which open flights get instants, which flights
still docked at the data's horizon get an undock, whose ride home is to be
chosen, who may ride each flight, and the grid that planned instants lie on.
Everything else in the scenario is fixed: flown flights, past instants,
anything pinned, and every assignment already written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from mixedcrew.domain import Assignment, Flight, Scenario
from mixedcrew.errors import PlanInputError
from mixedcrew.instants import format_day


@dataclass(frozen=True)
class Reference:
    """A previous plan to stay close to (replanning): who rode what, and when."""

    launch: dict[str, datetime] = field(default_factory=dict)
    undock: dict[str, datetime] = field(default_factory=dict)
    riders: dict[str, frozenset[str]] = field(default_factory=dict)  # flight -> people up
    down: dict[tuple[str, str], str] = field(default_factory=dict)  # (person, up) -> down


@dataclass(frozen=True)
class Return:
    """Someone aboard whose ride home the planner picks among `downs`."""

    index: int  # in scenario.assignments
    assignment: Assignment
    downs: tuple[str, ...]
    preferred: str | None


@dataclass
class Scope:
    scenario: Scenario
    origin: datetime
    step: int  # seconds between planned instants
    now: int | None  # nothing planned happens before this (seconds from origin)
    until: int  # the plan's horizon
    planned: list[Flight]
    partial: list[Flight]  # docked at the old horizon: undock and land to plan
    unplanned: list[tuple[Flight, str]]
    returns: list[Return]
    candidates: dict[str, list[str]]
    reference: Reference | None = None
    explain: bool = False

    def seconds(self, t: datetime) -> int:
        return int((t - self.origin).total_seconds())

    def instant(self, s: int) -> datetime:
        return self.origin + timedelta(seconds=s)

    @property
    def horizon(self) -> datetime:
        return self.instant(self.until)

    @property
    def variable_ids(self) -> set[str]:
        return {f.id for f in self.planned} | {f.id for f in self.partial}


def default_until(s: Scenario) -> datetime | None:
    """The end of the latest launch window among open, unpinned flights."""
    ends = []
    for f in s.flights:
        if f.open and not f.pinned and f.window is not None and f.window.start is not None:
            ends.append(f.window.end or f.window.start + timedelta(days=365))
    return max(ends) if ends else None


def make_scope(s: Scenario, until: datetime | None = None, *, now: datetime | None = None,
               reference: Reference | None = None, explain: bool = False) -> Scope:
    settings = s.planning
    step = int(settings.launch_step_hours * 3600)
    now = now or s.scenario.horizon
    asked = until or settings.until
    if asked is not None and now is not None and asked <= now:
        raise PlanInputError(f"until {format_day(asked)} is not after the data's horizon "
                             f"{format_day(now)}: the plan must end later than the data", parameter="until")
    until = asked or default_until(s)
    if until is None or (now is not None and until <= now):
        until = None  # nothing open to plan, and no end asked for: an empty scope
    if until is None:
        empty = Scope(s, now or datetime(2000, 1, 1, tzinfo=UTC), step, 0 if now else None, 0,
                      [], [], [(f, "no end to plan up to: give an until") for f in s.flights if f.open],
                      [], {}, reference, explain)
        return empty
    starts = [f.window.start for f in s.flights if f.open and f.window and f.window.start]
    origin = min([t for t in (now, *starts) if t is not None] or [until])
    origin = datetime(origin.year, origin.month, origin.day, tzinfo=UTC)
    scope = Scope(s, origin, step, None if now is None else 0, 0, [], [], [], [], {},
                  reference, explain)
    scope.now = None if now is None else scope.seconds(now)
    scope.until = scope.seconds(until)
    for f in s.flights:
        _classify(scope, f)
    scope.returns = _returns(scope)
    for f in scope.planned:
        scope.candidates[f.id] = _candidates(scope, f)
    return scope


def _classify(scope: Scope, f: Flight) -> None:
    s = scope.scenario
    if f.open:
        if f.pinned:
            scope.unplanned.append((f, "pinned"))
        elif f.window is None or f.window.start is None:
            scope.unplanned.append((f, "no launch window"))
        elif launch_range(scope, f) is None:
            scope.unplanned.append((f, "its window is outside the planning span"))
        else:
            scope.planned.append(f)
    elif (f.dock is not None and f.undock is None and (not f.pinned or f.kind == "cargo")
          and s.scenario.horizon is not None and scope.now is not None):
        # a pinned cargo vehicle docked at the horizon is traffic the plan works around, but it
        # still leaves within its docked limit: the planner picks when
        scope.partial.append(f)


def launch_range(scope: Scope, f: Flight) -> tuple[int, int] | None:
    """First launch instant and number of further grid steps inside the window (seconds)."""
    assert f.window is not None and f.window.start is not None
    vt = scope.scenario.vehicle_type_by_id[f.vehicle_type]
    first = scope.seconds(f.window.start)
    if scope.now is not None and first < scope.now:
        first += -(-(scope.now - first) // scope.step) * scope.step
    # the window is half-open; the flight must dock before the horizon
    last = scope.until - 1 - rendezvous(vt.rendezvous_hours)
    if f.window.end is not None:
        last = min(last, scope.seconds(f.window.end) - 1)
    if last < first:
        return None
    return first, (last - first) // scope.step


def docked_limits_over(scope: Scope, vehicle_type: str, lo: int, hi: int) -> list[tuple[int, float]]:
    """The docked limits in force for a docking anywhere in [lo, hi] (seconds), in time order:
    (from, days), the first from lo. A limit applies by the docking's own date, as the checker
    reads it (VehicleType.docked_limit_at)."""
    vt = scope.scenario.vehicle_type_by_id[vehicle_type]
    out = [(lo, vt.docked_limit_at(scope.instant(lo)))]
    for change in sorted(vt.docked_limits, key=lambda c: c.start):
        at = scope.seconds(change.start)
        if lo < at <= hi:
            out.append((at, vt.docked_limit_at(change.start)))
    return out


def rendezvous(hours: float) -> int:
    return round(hours * 3600)


def _returns(scope: Scope) -> list[Return]:
    s = scope.scenario
    variable = [f for f in s.flights if f.id in scope.variable_ids]
    ref = scope.reference
    out = []
    for i, a in enumerate(s.assignments):
        up = s.flight_by_id.get(a.up)
        if a.down is not None or up is None:
            continue
        if up.id not in scope.variable_ids and (up.dock is None or scope.now is None):
            continue
        downs = tuple(g.id for g in variable if g.station == up.station and _can_ride(scope, a, g))
        preferred = ref.down.get((a.person, a.up)) if ref else None
        if preferred is None and up.id in downs:
            preferred = up.id
        out.append(Return(i, a, downs, preferred))
    return out


def _can_ride(scope: Scope, a: Assignment, g: Flight) -> bool:
    """Whether a person could ride home on g at all (the model decides when)."""
    s = scope.scenario
    if scope.explain:
        return True
    person = s.person_by_id.get(a.person)
    if person is None or person.training_for(g.vehicle_type) is None:
        return False
    agency = s.agency_of(a) or person.agency
    return g.kind == "test" or any(c.agency == agency and c.vehicle_type == g.vehicle_type
                                   for c in s.certifications)


def _candidates(scope: Scope, f: Flight) -> list[str]:
    """People who might ride f up and down; the model checks dates exactly."""
    s = scope.scenario
    if f.kind in ("uncrewed", "cargo"):
        return []
    taken = {a.person for a in s.riders_up(f.id)}
    rng = launch_range(scope, f)
    assert rng is not None
    lo = scope.instant(rng[0])
    hi = scope.instant(rng[0] + rng[1] * scope.step)
    private = {a.id for a in s.agencies if a.private}
    clients = {g.client for g in s.flights if g.client}
    out = []
    for p in s.people:
        if p.id in taken or (f.client is not None and p.agency != f.client):
            continue
        if p.available.end is not None and p.available.end <= lo:
            continue  # retired, or gone, before the window: could never fly it
        if p.available.start is not None and p.available.start > hi:
            continue
        if f.client is None and p.agency in private and p.agency in clients:
            continue  # a private agency's people fly its own missions, not others' rotations
        if scope.explain:
            # anyone who could fly then, with their missing training or certification as facts
            # (a fact changing which could help); not people trained on nothing by then
            if any(tr.ready <= hi for tr in p.trained):
                out.append(p.id)
            continue
        tr = p.training_for(f.vehicle_type)
        if tr is None or tr.ready > hi:
            continue
        if f.kind != "test" and not any(
                c.agency == p.agency and c.vehicle_type == f.vehicle_type and c.start <= hi
                and (c.end is None or c.end > lo) for c in s.certifications):
            continue
        out.append(p.id)
    return out
