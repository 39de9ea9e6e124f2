"""Who is aboard, and which lifeboat seats are docked, at the instants that matter.

The same reading as the timeline, in solver terms. A stay is the half-open
span [its up flight docks, its down flight undocks); a docking is [dock,
undock). Crew only grows at a docking and only shrinks at an undocking, so
an upper bound on people aboard holds everywhere if it holds at every
docking instant, and a lower bound (operators, continuous presence) if it
holds at every undocking instant and where the rule starts. Lifeboat seats
change at both, and at damage or contingency-seat events. These instants
are the flights' own (fixed or variable), so the model is exact on the
planned grid: no day buckets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mixedcrew.domain import ContingencySeat, Damage
from mixedcrew.plan.context import Context
from mixedcrew.plan.variables import Expr, Lit, Time

FAR_PAST = -(10**12)


@dataclass
class Group:
    """People who arrive together and leave together (or one person's possible stay)."""

    start: Time
    end: Time
    count: Expr  # int or linear expression
    count_ub: int
    ops: dict[str, tuple[Expr, int]] = field(default_factory=dict)


@dataclass
class Docked:
    flight: str
    dock: Time
    undock: Time
    seats: list[tuple[int, int]]  # (from instant, usable seats), in time order


@dataclass
class Point:
    t: Time
    arrival: bool = False  # crew may grow here
    departure: bool = False  # crew may shrink here
    seats: bool = False  # lifeboat seats may change here
    era: bool = False  # a crew era starts here


class StationState:
    def __init__(self, ctx: Context, station: str):
        self.ctx = ctx
        self.station = ctx.s.station_by_id[station]
        self.groups: list[Group] = []
        self.docked: list[Docked] = []
        self._crew: dict[int, Expr] = {}
        self._build()

    # -- what is aboard -------------------------------------------------------------

    def _build(self) -> None:
        ctx, s = self.ctx, self.ctx.s
        segs = [seg.id for seg in self.station.segments]
        far = ctx.horizon.shift(1)
        returning = {r.index for r in ctx.scope.returns}
        fixed: dict[tuple[str, str | None], list[str]] = {}
        for i, a in enumerate(s.assignments):
            up = s.flight_by_id.get(a.up)
            if i in returning or up is None or up.station != self.station.id:
                continue
            fixed.setdefault((a.up, a.down), []).append(a.person)
        for (up_id, down_id), people in fixed.items():
            start = self._dock(up_id)
            if start is None:
                continue
            end = self._undock(down_id) if down_id else far
            self._add(start, end or far, [(p, True) for p in people], segs)
        for f in ctx.scope.planned:
            if f.station == self.station.id:
                t = ctx.v.times[f.id]
                riders = [(pid, lit) for (pid, fid), lit in ctx.v.ride.items() if fid == f.id]
                if riders:
                    self._add(t.dock, t.undock, riders, segs, ctx.crew_count(f))
        for r in ctx.scope.returns:
            start = self._dock(r.assignment.up)
            if start is None or s.flight_by_id[r.assignment.up].station != self.station.id:
                continue
            for g in r.downs:
                end = self._undock(g)
                assert end is not None
                self._add(start, end, [(r.assignment.person, ctx.v.home[r.index, g])], segs)
            if not r.downs:
                self._add(start, far, [(r.assignment.person, True)], segs)
        for f in s.flights:
            if f.station != self.station.id:
                continue
            dock = self._dock(f.id)
            if dock is not None:
                self.docked.append(Docked(f.id, dock, self._undock(f.id) or far,
                                          self._seat_profile(f.id)))

    def _dock(self, flight_id: str) -> Time | None:
        t = self.ctx.times(flight_id)
        f = self.ctx.s.flight_by_id.get(flight_id)
        if t is None or f is None or (f.dock is None and flight_id not in self.ctx.variable):
            return None
        return t.dock

    def _undock(self, flight_id: str) -> Time | None:
        t = self.ctx.times(flight_id)
        return None if t is None else t.undock

    def _add(self, start: Time, end: Time, people: list[tuple[str, Lit]], segs: list[str],
             count: Expr | None = None) -> None:
        if end.hi <= self.ctx.var_start:
            return  # over before anything the planner moves
        persons = self.ctx.s.person_by_id
        if count is None:
            count = sum((lit if lit is not True else 1) for _, lit in people)
        ops: dict[str, tuple[Expr, int]] = {}
        for seg in segs:
            who = [lit for pid, lit in people if pid in persons and seg in persons[pid].segments]
            ops[seg] = (sum((x if x is not True else 1) for x in who), len(who))
        self.groups.append(Group(start, end, count, len(people), ops))

    def _seat_profile(self, flight_id: str) -> list[tuple[int, int]]:
        return seat_profile(self.ctx, flight_id)

    # -- expressions at an instant ----------------------------------------------------

    def crew(self, t: Time) -> Expr:
        return self._sum(t, lambda g: (g.count, g.count_ub))

    def operators(self, t: Time, segment: str) -> Expr:
        return self._sum(t, lambda g: g.ops.get(segment, (0, 0)))

    def any_operator(self, t: Time, segment: str) -> list[Lit]:
        """Literals one of which holds iff some operator of the segment is aboard at t."""
        out = []
        for g in self.groups:
            value, _ = g.ops.get(segment, (0, 0))
            if isinstance(value, int) and value == 0:
                continue
            inside = self.ctx.cmp.inside(g.start, g.end, t)
            if inside is False:
                continue
            out.append(self.ctx.cmp.all(inside, self.ctx.at_least_one(value)))
        return out

    def _sum(self, t: Time, part: Callable[[Group], tuple[Expr, int]]) -> Expr:
        total: Expr = 0
        for g in self.groups:
            value, ub = part(g)
            if isinstance(value, int) and value == 0:
                continue
            inside = self.ctx.cmp.inside(g.start, g.end, t)
            if inside is False:
                continue
            total = total + self.ctx.times_lit(inside, value, ub)
        return total

    def lifeboat_seats(self, t: Time) -> Expr:
        total: Expr = 0
        cmp = self.ctx.cmp
        for d in self.docked:
            docked = cmp.inside(d.dock, d.undock, t)
            if docked is False:
                continue
            prev = 0
            for at, seats in d.seats:
                since = True if at == FAR_PAST else cmp.le(Time.at(at), t)
                lit = cmp.all(docked, since)
                if lit is not False and seats != prev:
                    total = total + (seats - prev) * (1 if lit is True else lit)
                prev = seats if lit is not False else prev
        return total

    # -- the instants to check ------------------------------------------------------------

    def points(self) -> list[Point]:
        ctx = self.ctx
        lo, hi = ctx.var_start, ctx.scope.until
        found: dict[Any, Point] = {}

        past = ctx.scope.now

        def add(t: Time, **kinds: bool) -> None:
            if t.hi < lo or t.lo >= hi:
                return
            if t.fixed and past is not None and t.lo <= past:
                return  # history, up to and including the instant planning starts
            key = t.lo if t.fixed else t.key or id(t)
            p = found.setdefault(key, Point(t))
            for k, val in kinds.items():
                setattr(p, k, getattr(p, k) or val)

        for d in self.docked:
            add(d.dock, arrival=True, seats=True)
            add(d.undock, departure=True, seats=True)
        for g in self.groups:
            add(g.start, arrival=True)
            add(g.end, departure=True)
        for d in self.docked:
            for at, _ in d.seats[1:]:
                add(Time.at(at), seats=True)
        for era in self.station.crew:
            add(Time.at(ctx.scope.seconds(era.start)), era=True)
        since = self.station.continuous_presence_from
        if since is not None:
            add(Time.at(max(ctx.scope.seconds(since), lo)), departure=True)
        return sorted(found.values(), key=lambda p: (p.t.lo, p.t.hi))


def seat_profile(ctx: Context, flight_id: str) -> list[tuple[int, int]]:
    """(from instant, usable seats) of a flight: timeline.seats_at as steps."""
    s, scope = ctx.s, ctx.scope
    f = s.flight_by_id[flight_id]
    changes = sorted((scope.seconds(e.at), -e.seats_lost if isinstance(e, Damage) else e.seats_added)
                     for e in s.events if isinstance(e, Damage | ContingencySeat) and e.flight == f.id)
    base = s.seats_of(f)
    out, total = [(FAR_PAST, base)], base
    for at, delta in changes:
        total += delta
        out.append((at, max(total, 0)))
    return out
