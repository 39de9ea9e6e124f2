"""A simple greedy planner: the baseline the CP-SAT planner is measured against.

Flights in window order, each decided once and never revisited. Flights
docked at the data's horizon undock after their target stay (on the grid)
and everyone aboard rides home on their own flight. For each open flight
the greedy tries, in order of preference:

- launch instants on the grid, nearest the preferred date (the window's
  middle) first, at a launch site that no outage closes, none while the
  vehicle is grounded;
- its target stay (or most of its docked limit), then stays a day shorter
  or longer, up to 30 days off (only if no launch works with the target);
- the first compatible port in service and free for the whole stay;
- a crew from the candidates who are certified, trained, available and
  rested then: a commander first, then the partner crew an agreement asks
  for, then an operator of each segment, then the rest; the least flown
  first, commander-rated people kept for command where others can fill a
  seat, and extra partner seats given so that an agreement's seat balance
  stays near even.

It keeps the first try after which the checker (the oracle) finds no
violation it did not find before, up to the earliest instant any flight
still to plan could dock (later ones may be fixed by those flights), and
whose crew is full (the planner's CREW rule). When no try passes, it
looks back once: it shortens, a day at a time, the stay of one of the
last few flights whose crew this one could use, so that they are home and
rested sooner, if that breaks nothing already planned and gives this
flight a clean try. Failing that, it keeps the try with the fewest new
violations. It never looks ahead.

Each try is checked on the part of the history that can still matter (the
flights that land after the earliest planned launch less the longest rest,
the flights an agreement's ledger counts, and those linked to them by a
ride), not on the whole history; and with a deadline the greedy stops
when it passes, or with a work budget when its tries (a unit each) and the
flights and assignments its checks read have used it up, leaving the
flights it did not reach open. The budget stops it at the same flight on
any machine and under any load.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta

from mixedcrew.check import check
from mixedcrew.domain import Assignment, Flight, Grounding, Scenario, SiteOutage
from mixedcrew.plan.scope import Scope, launch_range, make_scope, rendezvous
from mixedcrew.rules import can_command, certified, seat_ledger

DAY = 86400
MAX_SHIFT_DAYS = 30  # how far from its target the greedy moves a stay, when it must
REPAIR_LOOKBACK = 3  # earlier flights whose stay the greedy may shorten to crew a later one


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


def _launches(scope: Scope, f: Flight) -> list[tuple[datetime, str | None]]:
    """(launch instant, site) on the grid, nearest the preferred date first; none while grounded."""
    s = scope.scenario
    vt = s.vehicle_type_by_id[f.vehicle_type]
    sites: list[str | None] = [f.launch_site] if f.launch_site else list(vt.launch_sites) or [None]
    first, steps = launch_range(scope, f)  # type: ignore[misc]
    pref = first + steps * scope.step // 2
    if f.window is not None and f.window.start and f.window.end:
        pref = (scope.seconds(f.window.start) + scope.seconds(f.window.end)) // 2
    order = sorted(range(steps + 1), key=lambda k: (abs(first + k * scope.step - pref), k))
    out = []
    for k in order:
        t = scope.instant(first + k * scope.step)
        site = next((x for x in sites if not _grounded(s, f, x, t)), "")
        if site != "":
            out.append((t, site))
    return out


class _Book:
    """Who is busy when, ports taken, and planned flights flown per person."""

    def __init__(self, s: Scenario, far: datetime):
        self.s = s
        self.far = far
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

    def book(self, pid: str, start: datetime, end: datetime, planned: bool = True) -> None:
        self.trips.setdefault(pid, []).append((start, end))
        if planned:
            self.flown[pid] = self.flown.get(pid, 0) + 1

    def port_free(self, station: str, port: str, start: datetime, end: datetime) -> bool:
        return all(end <= a or b <= start for a, b in self.ports.get((station, port), []))


class _Greedy:
    def __init__(self, s: Scenario, until: datetime | None, now: datetime | None = None,
                 deadline: float | None = None, work: int | None = None):
        self.s = s
        self.scope = make_scope(s, until, now=now)
        self.deadline = deadline
        # what is left of the budget (None: none): a unit per try and per flight or assignment
        # the checker reads; the check that overruns it still ends
        self.work = work
        self.stopped = False  # the deadline passed or the work ran out: flights not reached stay open
        self.horizon = self.scope.horizon
        self.flights: dict[str, Flight] = {f.id: f for f in s.flights}
        self.assignments: list[Assignment] = list(s.assignments)
        self.rides: list[Assignment] = []
        self.done: list[str] = []  # flights planned, in order
        self.book = _Book(s, self.horizon + timedelta(days=3650))
        self.since, self.kept = _relevant(s, self.scope)

    def _late(self) -> bool:
        if (self.deadline is not None and time.monotonic() > self.deadline) or (
                self.work is not None and self.work < 0):
            self.stopped = True
        return self.stopped

    def _spend(self, units: int) -> None:
        if self.work is not None:
            self.work -= units

    # -- the plan so far ---------------------------------------------------------------

    def scenario(self, extra: Flight | None = None, crew: tuple[Assignment, ...] = ()) -> Scenario:
        flights = dict(self.flights)
        if extra is not None:
            flights[extra.id] = extra
        out = []
        for f in self.s.flights:
            g = flights[f.id]
            if g.undock is not None and g.undock >= self.horizon and f.id in self.scope.variable_ids:
                g = g.model_copy(update={"undock": None, "land": None})
            out.append(g)
        meta = self.s.scenario.model_copy(update={"horizon": self.horizon})
        return self.s.model_copy(update={"flights": tuple(out), "scenario": meta,
                                         "assignments": tuple(self.assignments + self.rides) + crew})

    def _problems(self, s: Scenario, end: datetime | None) -> set[tuple[str, datetime]]:
        """The checker's findings from `since` to `end`, on the history that can still matter."""
        part = s.model_copy(update={
            "flights": tuple(f for f in s.flights if f.id in self.kept),
            "assignments": tuple(a for a in s.assignments if a.up in self.kept),
            "events": tuple(e for e in s.events if getattr(e, "flight", None) in (None, *self.kept))})
        self._spend(len(part.flights) + len(part.assignments))
        return {(v.rule, v.start) for v in check(part, start=self.since, end=end).violations}

    # -- the steps ---------------------------------------------------------------------

    def run(self) -> Scenario:
        scope = self.scope
        self._partials()
        self._returns()
        self._book_fixed()
        order = sorted(scope.planned, key=lambda f: launch_range(scope, f)[0])  # type: ignore[index]
        docks = [self._earliest_dock(f) for f in order]
        for i, f in enumerate(order):
            if self._late():
                break
            later = min(docks[i + 1:], default=None)
            self._plan(f, later)
        return self.scenario()

    def _earliest_dock(self, f: Flight) -> datetime:
        vt = self.s.vehicle_type_by_id[f.vehicle_type]
        first, _ = launch_range(self.scope, f)  # type: ignore[misc]
        return self.scope.instant(first + rendezvous(vt.rendezvous_hours))

    def _partials(self) -> None:
        """Flights docked at the data's horizon undock after their target stay, on the grid."""
        scope = self.scope
        for f in scope.partial:
            assert f.dock is not None and scope.now is not None
            vt = self.s.vehicle_type_by_id[f.vehicle_type]
            dock = scope.seconds(f.dock)
            limit = vt.docked_limit_at(f.dock) * DAY  # the limit in force when it docked
            days = f.target_days if f.target_days is not None else limit / DAY * 0.85
            lo = 0 if scope.now > dock else 1 + (dock - scope.now) // scope.step
            hi = max(lo, int(dock + limit - scope.now) // scope.step)
            m = min(hi, max(lo, round((dock + days * DAY - scope.now) / scope.step)))
            undock = scope.instant(scope.now + m * scope.step)
            land = undock + timedelta(seconds=rendezvous(vt.undock_to_landing_hours))
            self.flights[f.id] = f.model_copy(update={"undock": undock, "land": land})

    def _returns(self) -> None:
        for r in self.scope.returns:
            if r.downs:
                down = r.preferred if r.preferred in r.downs else r.downs[0]
                self.assignments[r.index] = r.assignment.model_copy(update={"down": down})

    def _book_fixed(self) -> None:
        far = self.book.far
        for a in self.assignments:
            up, down = self.flights.get(a.up), self.flights.get(a.down or "")
            if up and up.launch:
                end = down.land if down and down.land else far
                self.book.book(a.person, up.launch, end, planned=False)
        for f in self.flights.values():
            for stay in f.port_stays:  # each port a relocated flight held, in turn
                if stay.port:
                    self.book.ports.setdefault((f.station, stay.port), []).append(
                        (stay.start, stay.end or far))

    def _stays(self, f: Flight, dock: datetime) -> list[int]:
        """Stay lengths in grid steps: the target first, then a step shorter, longer, ..."""
        vt = self.s.vehicle_type_by_id[f.vehicle_type]
        step = self.scope.step
        limit = vt.docked_limit_at(dock)
        longest = max(1, int(limit * DAY) // step)
        days = min(f.target_days or limit * 0.85, limit)
        target = min(longest, max(1, round(days * DAY / step)))
        out = [target]
        for k in range(1, MAX_SHIFT_DAYS * DAY // step + 1):
            out += [x for x in (target - k, target + k) if 1 <= x <= longest]
        return out

    def _tries(self, f: Flight) -> Iterator[tuple[datetime, str | None, int]]:
        launches = _launches(self.scope, f)
        vt = self.s.vehicle_type_by_id[f.vehicle_type]
        r = timedelta(seconds=rendezvous(vt.rendezvous_hours))
        stays = {t: self._stays(f, t + r) for t, _ in launches}
        for t, site in launches:
            yield t, site, stays[t][0]
        for t, site in launches:
            for n in stays[t][1:]:
                yield t, site, n

    def _plan(self, f: Flight, later: datetime | None) -> None:
        before = self._problems(self.scenario(), later)
        best = self._best_try(f, later, before, self._tries(f))
        if best is None or best[0]:  # no clean try
            if not self._late() and best is not None and self._repair(f, later, before):
                return
            if self._late():
                return  # out of time or work, before or during the repair: the flight stays open
        if best is None:  # no free port anywhere in the window: launch at the preferred date
            tries = _launches(self.scope, f)
            if not tries:
                return
            launch, site = tries[0]
            g = self._flown(f, launch, site, self._stays(f, launch)[0], None)
            assert g.undock is not None and g.land is not None
            best = (0, g, self._crew(f, launch, g.undock, g.land), None)
        _, g, crew, port = best
        self._commit(f, g, crew, port)

    def _flown(self, f: Flight, launch: datetime, site: str | None, steps: int,
               port: str | None) -> Flight:
        vt = self.s.vehicle_type_by_id[f.vehicle_type]
        dock = launch + timedelta(seconds=rendezvous(vt.rendezvous_hours))
        undock = dock + timedelta(seconds=steps * self.scope.step)
        land = undock + timedelta(seconds=rendezvous(vt.undock_to_landing_hours))
        return f.model_copy(update={"launch": launch, "dock": dock, "undock": undock, "land": land,
                                    "port": port, "launch_site": site or f.launch_site})

    def _best_try(self, f: Flight, later: datetime | None, before: set[tuple[str, datetime]],
                  tries: Iterable[tuple[datetime, str | None, int]]
                  ) -> tuple[int, Flight, list[Assignment], str | None] | None:
        """The first try adding no problem, else the one adding fewest (None: no free port)."""
        s = self.s
        vt = s.vehicle_type_by_id[f.vehicle_type]
        st = s.station_by_id[f.station]
        best: tuple[int, Flight, list[Assignment], str | None] | None = None
        for launch, site, n in tries:
            self._spend(1)  # a try costs a unit even when no port is free and nothing is checked
            if self._late():
                break
            g = self._flown(f, launch, site, n, None)
            assert g.dock is not None and g.undock is not None and g.land is not None
            held = min(g.undock, self.horizon)
            port = next((p.id for p in st.ports if p.interface in vt.docking
                         and (f.port is None or p.id == f.port) and p.available(g.dock, held)
                         and self.book.port_free(f.station, p.id, g.dock, g.undock)), None)
            if port is None:
                continue
            crew = self._crew(f, launch, g.undock, g.land)
            g = g.model_copy(update={"port": port})
            new = self._problems(self.scenario(g, tuple(crew)), later) - before
            if len(crew) < self._need(f):  # the planner's CREW rule: a crewed flight flies full
                new.add(("CREW", launch))
            if best is None or len(new) < best[0]:
                best = (len(new), g, crew, port)
            if not new:
                break
        return best

    def _commit(self, f: Flight, g: Flight, crew: list[Assignment], port: str | None) -> None:
        assert g.launch is not None and g.dock is not None and g.undock is not None and g.land
        self.flights[f.id] = g
        self.done.append(f.id)
        if port is not None:
            self.book.ports.setdefault((f.station, port), []).append((g.dock, g.undock))
        for a in crew:
            self.book.book(a.person, g.launch, g.land)
        self.rides += crew

    def _repair(self, f: Flight, later: datetime | None, before: set[tuple[str, datetime]]) -> bool:
        """When f finds no clean try: shorten the stay of one of the last flights planned whose
        crew f could use (a day at a time, up to MAX_SHIFT_DAYS), so that they are home and
        rested sooner, if that breaks nothing planned and gives f a clean try at its target stay."""
        step = self.scope.step
        usable = set(self.scope.candidates.get(f.id, []))
        looked = 0
        for gid in reversed(self.done):
            crew = [a for a in self.rides if a.up == gid]
            old = self.flights[gid]
            if not usable & {a.person for a in crew} or old.dock is None or old.undock is None:
                continue
            looked += 1
            if looked > REPAIR_LOOKBACK:
                break
            steps = int((old.undock - old.dock).total_seconds()) // step
            for n in range(steps - 1, max(0, steps - MAX_SHIFT_DAYS * DAY // step - 1), -1):
                if self._late():
                    return False
                assert old.launch is not None
                shorter = self._flown(old, old.launch, old.launch_site, n, old.port)
                self._swap(old, shorter, crew)
                now = self._problems(self.scenario(), later)
                if not now - before:
                    tries = ((t, site, self._stays(f, t)[0]) for t, site in _launches(self.scope, f))
                    best = self._best_try(f, later, now, tries)
                    if best is not None and best[0] == 0:
                        self._commit(f, *best[1:])
                        return True
                self._swap(shorter, old, crew)
        return False

    def _swap(self, old: Flight, new: Flight, crew: list[Assignment]) -> None:
        """Replace a planned flight's instants, in the plan and in the book."""
        assert old.launch and old.dock and old.undock and old.land
        assert new.launch and new.dock and new.undock and new.land
        self.flights[old.id] = new
        for a in crew:
            trips = self.book.trips[a.person]
            trips[trips.index((old.launch, old.land))] = (new.launch, new.land)
        if old.port is not None:
            held = self.book.ports[old.station, old.port]
            held[held.index((old.dock, old.undock))] = (new.dock, new.undock)

    # -- crew ------------------------------------------------------------------------

    def _free(self, f: Flight) -> int:
        """Seats to fill: all not taken or kept for people riding home on f."""
        if f.kind in ("uncrewed", "cargo"):
            return 0
        keep = sum(1 for a in self.assignments if a.down == f.id and a.up != f.id)
        return self.s.seats_of(f) - len(self.s.riders_up(f.id)) - keep

    def _need(self, f: Flight) -> int:
        """People the planner's CREW rule asks for: every free seat, or one if crew is "any"."""
        free = self._free(f)
        return free if self.s.planning.crew == "full" else min(free, 1)

    def _crew(self, f: Flight, launch: datetime, undock: datetime, land: datetime) -> list[Assignment]:
        s, scope = self.s, self.scope
        if f.kind in ("uncrewed", "cargo"):
            return []
        need = self._free(f)
        vt = f.vehicle_type

        def ok(pid: str) -> bool:
            p = s.person_by_id[pid]
            tr = p.training_for(vt)
            return (tr is not None and tr.ready <= launch and p.available.contains(launch)
                    and (p.available.end is None or land <= p.available.end)
                    and (f.kind == "test" or (certified(s, p.agency, vt, launch)
                                              and certified(s, p.agency, vt, land)))
                    and self.book.free(pid, launch, land))

        pool = sorted((pid for pid in scope.candidates.get(f.id, []) if ok(pid)),
                      key=lambda pid: (self.book.flown.get(pid, 0), pid))
        commands = {pid for pid in pool if can_command(s, pid, vt, launch)}
        agency = {pid: s.person_by_id[pid].agency for pid in pool}
        counted = self._counted(f, launch)  # party -> agreements in which its riders here count
        chosen: list[str] = []

        def take(pred: Callable[[str], bool], n: int = 1, balanced: bool = False) -> None:
            """Up to n more people for whom pred holds: the least flown first, commander-rated
            people last; with `balanced`, first those whose seat keeps agreements' gaps even."""
            while n > 0 and len(chosen) < need:
                left = [pid for pid in pool if pid not in chosen and pred(pid)]
                if not left:
                    return
                pid = min(left, key=lambda pid: (widens(pid) if balanced else 0, pid in commands,
                                                 self.book.flown.get(pid, 0), pid))
                chosen.append(pid)
                n -= 1

        def widens(pid: str) -> int:
            """1 if one more seat for this person's agency widens an agreement's seat gap."""
            a = agency[pid]
            here = sum(1 for x in chosen if agency[x] == a)
            return int(any((gap + sign * here) * sign >= 0 for gap, sign in counted.get(a, [])))

        def is_commander(pid: str) -> bool:
            return pid in commands

        def of_party(party: str) -> Callable[[str], bool]:
            return lambda pid: agency[pid] == party

        def operates(segment: str) -> Callable[[str], bool]:
            return lambda pid: segment in s.person_by_id[pid].segments

        take(is_commander)
        for ag in s.agreements:
            if ag.covers(launch):
                for q in ag.quotas:
                    if q.vehicle_type == vt and f.kind in q.kinds:
                        have = sum(1 for pid in chosen if agency[pid] == q.party)
                        take(of_party(q.party), q.per_flight - have)
        for seg in s.station_by_id[f.station].segments:
            if not any(seg.id in s.person_by_id[pid].segments for pid in chosen):
                take(operates(seg.id))
        take(lambda pid: True, need, balanced=True)
        lead = next((pid for pid in chosen if pid in commands), None)
        if any(a.role == "commander" for a in s.riders_up(f.id)):
            lead = None
        return [Assignment(person=pid, up=f.id, down=f.id, role="commander" if pid == lead else "crew")
                for pid in chosen]

    def _counted(self, f: Flight, launch: datetime) -> dict[str, list[tuple[int, int]]]:
        """Per party whose riders on f count under an agreement: (gap so far, +1 or -1)."""
        s = self.s
        out: dict[str, list[tuple[int, int]]] = {}
        plan = None
        for ag in s.agreements:
            if not ag.covers(launch):
                continue
            parties = [q.party for q in ag.quotas if q.vehicle_type == f.vehicle_type and f.kind in q.kinds]
            if not parties:
                continue
            plan = plan or self.scenario()
            received = dict.fromkeys(ag.parties, 0)
            for g, party, n in seat_ledger(plan, ag):
                if g.launch is not None and g.launch <= launch:
                    received[party] += n
            gap = received[ag.parties[0]] - received[ag.parties[1]]
            for party in parties:
                out.setdefault(party, []).append((gap, 1 if party == ag.parties[0] else -1))
        return out


def _relevant(s: Scenario, scope: Scope) -> tuple[datetime, set[str]]:
    """(since, flights) that a try can change the checker's findings about: findings from
    the earliest planned launch less the longest rest anyone needs, and the flights that land
    after that, those an agreement counts (its ledger runs from its start), every open one,
    and those linked to them by a ride (a stay's other end)."""
    rest = max([p.min_rest_days or 0 for p in s.people] + [s.scenario.min_rest_days])
    starts = [scope.instant(launch_range(scope, f)[0]) for f in scope.planned]  # type: ignore[index]
    starts += [scope.instant(scope.now)] if scope.now is not None else []
    if not starts:
        return scope.horizon, {f.id for f in s.flights}
    since = min(starts) - timedelta(days=rest + 1)
    keep = {f.id for f in s.flights if f.open or f.land is None or f.land >= since
            or (f.undock is None and f.dock is not None)}
    for ag in s.agreements:
        kinds = {(q.vehicle_type, k) for q in ag.quotas for k in q.kinds}
        keep |= {f.id for f in s.flights if f.launch and ag.covers(f.launch)
                 and (f.vehicle_type, f.kind) in kinds}
    grown = True
    while grown:
        linked = {x for a in s.assignments if a.up in keep or a.down in keep for x in (a.up, a.down)}
        grown = bool(linked - keep - {None})
        keep |= {x for x in linked if x is not None}
    return since, keep


def greedy_plan(s: Scenario, until: datetime | None = None, *, now: datetime | None = None,
                deadline: float | None = None, work: int | None = None) -> Scenario:
    """The greedy plan of every open part of the scenario (see the module's text); `now` as in
    make_scope (nothing planned before it); `deadline` (time.monotonic()) or `work` (a unit
    per try and per flight or assignment its checks read, all together) stops it, leaving the
    flights it did not reach open."""
    return _Greedy(s, until, now, deadline, work).run()
