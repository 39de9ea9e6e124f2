"""A simple greedy planner: the baseline the CP-SAT planner is measured against.

Flights in window order; each launches at the grid point nearest its
preferred date that no grounding or outage blocks, stays its target (or
most of its docked limit), takes the first free fitting port, and fills
its seats with the people who have flown least: first a commander, then
the partner crew an agreement asks for, then operators of segments it
does not carry yet. Everyone aboard at the horizon rides home on their
own flight. It looks one flight ahead of nothing, so its plan may break
rules the checker then reports.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from mixedcrew.domain import Assignment, Flight, Grounding, Scenario, SiteOutage
from mixedcrew.plan.scope import Scope, launch_range, make_scope
from mixedcrew.rules import can_command, certified


def _grounded(s: Scenario, f: Flight, site: str | None, t: datetime) -> bool:
    for e in s.events:
        until = getattr(e, "until", None)
        if not (e.at <= t and (until is None or t < until)):
            continue
        if isinstance(e, Grounding) and (e.vehicle_type == f.vehicle_type
                                         or (e.capsule and e.capsule == f.capsule)):
            return True
        if isinstance(e, SiteOutage) and e.site == site:
            return True
    return False


def _launches(scope: Scope, f: Flight, site: str | None) -> list[datetime]:
    """Launch instants on the grid, nearest the window's middle first, none while grounded."""
    first, steps = launch_range(scope, f)  # type: ignore[misc]
    mid = steps // 2
    order = sorted(range(steps + 1), key=lambda k: (abs(k - mid), k))
    out = [scope.instant(first + k * scope.step) for k in order]
    return [t for t in out if not _grounded(scope.scenario, f, site, t)]


class _Book:
    """Who is busy when, ports taken, flights flown per person."""

    def __init__(self, s: Scenario):
        self.s = s
        self.trips: dict[str, list[tuple[datetime, datetime]]] = {}
        self.ports: dict[tuple[str, str], list[tuple[datetime, datetime]]] = {}
        self.flown: dict[str, int] = {}

    def rest(self, pid: str) -> timedelta:
        p = self.s.person_by_id[pid]
        days = p.min_rest_days if p.min_rest_days is not None else self.s.scenario.min_rest_days
        return timedelta(days=days)

    def free(self, pid: str, start: datetime, end: datetime) -> bool:
        rest = self.rest(pid)
        return all(end + rest <= a or b + rest <= start for a, b in self.trips.get(pid, []))

    def book(self, pid: str, start: datetime, end: datetime) -> None:
        self.trips.setdefault(pid, []).append((start, end))
        self.flown[pid] = self.flown.get(pid, 0) + 1

    def port_free(self, station: str, port: str, start: datetime, end: datetime) -> bool:
        return all(end <= a or b <= start for a, b in self.ports.get((station, port), []))


def greedy_plan(s: Scenario, until: datetime | None = None) -> Scenario:
    scope = make_scope(s, until)
    horizon = scope.horizon
    book = _Book(s)
    far = horizon + timedelta(days=3650)
    for a in s.assignments:
        up, down = s.flight_by_id.get(a.up), s.flight_by_id.get(a.down or "")
        if up and up.launch:
            book.book(a.person, up.launch, (down.land if down and down.land else far))
    for f in s.flights:
        if f.dock and f.port:
            book.ports.setdefault((f.station, f.port), []).append((f.dock, f.undock or far))
    flights = {f.id: f for f in s.flights}
    rides: list[Assignment] = []
    for f in scope.partial:
        assert f.dock is not None
        vt = s.vehicle_type_by_id[f.vehicle_type]
        stay = timedelta(days=f.target_days or vt.docked_limit_at(f.dock) * 0.85)
        undock = max(f.dock + stay, scope.instant(scope.now or 0))
        flights[f.id] = f.model_copy(update={"undock": undock, "land": undock + timedelta(
            hours=vt.undock_to_landing_hours)})
    order = sorted(scope.planned, key=lambda f: launch_range(scope, f)[0])  # type: ignore[index]
    for f in order:
        flights[f.id], crew = _plan_flight(scope, book, f, horizon)
        rides += crew
    returns = {r.index: r for r in scope.returns}
    assignments = []
    for i, a in enumerate(s.assignments):
        r = returns.get(i)
        if r is not None and r.downs:
            a = a.model_copy(update={"down": r.preferred if r.preferred in r.downs else r.downs[0]})
        assignments.append(a)
    out = []
    for f in s.flights:
        g = flights[f.id]
        if g.undock is not None and g.undock >= horizon and f.id in scope.variable_ids:
            g = g.model_copy(update={"undock": None, "land": None})
        out.append(g)
    meta = s.scenario.model_copy(update={"horizon": horizon})
    return s.model_copy(update={"flights": tuple(out), "assignments": tuple(assignments + rides),
                                "scenario": meta})


def _plan_flight(scope: Scope, book: _Book, f: Flight, horizon: datetime) -> tuple[Flight, list[Assignment]]:
    s = scope.scenario
    vt = s.vehicle_type_by_id[f.vehicle_type]
    site = f.launch_site or (vt.launch_sites[0] if vt.launch_sites else None)
    st = s.station_by_id[f.station]
    tries = _launches(scope, f, site)
    if not tries:
        return f, []
    for launch in tries:  # the first launch with a free port, else the preferred one
        dock = launch + timedelta(hours=vt.rendezvous_hours)
        limit = vt.docked_limit_at(dock)
        days = min(f.target_days or limit * 0.85, limit)
        steps = max(1, int(days * 86400) // scope.step)
        undock = dock + timedelta(seconds=steps * scope.step)
        land = undock + timedelta(hours=vt.undock_to_landing_hours)
        port = next((p.id for p in st.ports if p.interface in vt.docking
                     and p.available(dock, min(undock, horizon))
                     and book.port_free(f.station, p.id, dock, undock)), None)
        if port:
            break
    else:
        launch = tries[0]
        dock = launch + timedelta(hours=vt.rendezvous_hours)
        undock = dock + timedelta(seconds=steps * scope.step)
        land = undock + timedelta(hours=vt.undock_to_landing_hours)
    if port:
        book.ports.setdefault((f.station, port), []).append((dock, undock))
    crew = _crew(scope, book, f, launch, land)
    g = f.model_copy(update={"launch": launch, "dock": dock, "undock": undock, "land": land,
                             "port": port, "launch_site": site})
    return g, crew


def _crew(scope: Scope, book: _Book, f: Flight, launch: datetime, land: datetime) -> list[Assignment]:
    s = scope.scenario
    if f.kind == "uncrewed":
        return []
    keep = sum(1 for r in scope.returns if r.preferred == f.id)
    need = s.seats_of(f) - len(s.riders_up(f.id)) - keep

    def ok(pid: str) -> bool:
        p = s.person_by_id[pid]
        tr = p.training_for(f.vehicle_type)
        return (tr is not None and tr.ready <= launch and p.available.contains(launch)
                and (p.available.end is None or land <= p.available.end)
                and (f.kind == "test" or (certified(s, p.agency, f.vehicle_type, launch)
                                          and certified(s, p.agency, f.vehicle_type, land)))
                and book.free(pid, launch, land))

    pool = sorted((pid for pid in scope.candidates.get(f.id, []) if ok(pid)),
                  key=lambda pid: (book.flown.get(pid, 0), pid))
    chosen: list[str] = []

    def take(pred, n: int = 1) -> None:
        for pid in pool:
            if n <= 0 or len(chosen) >= need:
                return
            if pid not in chosen and pred(pid):
                chosen.append(pid)
                n -= 1

    take(lambda pid: can_command(s, pid, f.vehicle_type, launch))
    for ag in s.agreements:
        if ag.covers(launch):
            for q in ag.quotas:
                if q.vehicle_type == f.vehicle_type and f.kind in q.kinds:
                    have = sum(1 for pid in chosen if s.person_by_id[pid].agency == q.party)
                    take(lambda pid, q=q: s.person_by_id[pid].agency == q.party, q.per_flight - have)
    for seg in s.station_by_id[f.station].segments:
        if not any(seg.id in s.person_by_id[pid].segments for pid in chosen):
            take(lambda pid, seg=seg: seg.id in s.person_by_id[pid].segments)
    parties = {q.party for ag in s.agreements for q in ag.quotas if q.vehicle_type == f.vehicle_type}
    take(lambda pid: s.person_by_id[pid].agency not in parties, need)
    take(lambda pid: True, need)
    for pid in chosen:
        book.book(pid, launch, land)
    lead = next((pid for pid in chosen if can_command(s, pid, f.vehicle_type, launch)), None)
    return [Assignment(person=pid, up=f.id, down=f.id, role="commander" if pid == lead else "crew")
            for pid in chosen]
