"""One constraint family per rule id (DESIGN.md), plus the planner's own CREW.

Each family reads the same helpers as the checker (rules.certified's data,
seat_ledger's counting, can_command's reading of training) and adds the
constraints that make its rule hold wherever the planner decides something.
Each carries its rule id through `ctx.when`, so an explanation of an
impossible scenario names the same ids the checker reports.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from ortools.sat.python import cp_model

from mixedcrew.domain import Agreement, CrewEra, Damage, EarlyReturn, Flight, Grounding, Quota, SiteOutage
from mixedcrew.instants import format_day
from mixedcrew.plan.context import Context, Rider
from mixedcrew.plan.scope import docked_limits_over
from mixedcrew.plan.state import FAR_PAST, Point, StationState, seat_profile
from mixedcrew.plan.variables import Expr, Lit, Time
from mixedcrew.rules import flew_to

DAY = 86400


def _label(ctx: Context, f: Flight) -> str:
    """A flight's name with its launch window, as explanations show it."""
    if f.window is not None and f.id in {g.id for g in ctx.scope.planned}:
        w = f.window
        end = format_day(w.end) if w.end else "…"
        return f"{f.label} (window {format_day(w.start) if w.start else '…'}..{end})"
    return f.label


def _vt_name(ctx: Context, vt_id: str) -> str:
    vt = ctx.s.vehicle_type_by_id[vt_id]
    return vt.name or vt.id


def _name(ctx: Context, pid: str) -> str:
    return ctx.names.get(pid, pid)


# an EXCHANGE entry: (index, flight, party, counted literal, riders of the party on it)
Entry = tuple[int, Flight, str, Lit, Expr]


def _sum(lits: Sequence[Lit]) -> Expr:
    return sum((1 if x is True else x) for x in lits if x is not False)


def _interval(ctx: Context, start: Time, end: Time, presence: Lit, name: str) -> cp_model.IntervalVar | None:
    if presence is False:
        return None
    same = start.side and end.side and start.side[0] == end.side[0]
    own = ctx.v.times.get(start.side[0]) if same and start.side else None
    if start.fixed or end.fixed:
        size: Expr = end.expr - start.expr
    elif own is not None and own.stay_steps is not None:
        size = own.between(start, end)
    else:  # two variables: the solver wants an affine size
        size = ctx.model.new_int_var(max(0, end.lo - start.hi), max(0, end.hi - start.lo), "")
    if presence is True:
        return ctx.model.new_interval_var(start.expr, size, end.expr, name)
    return ctx.model.new_optional_interval_var(start.expr, size, end.expr, presence, name)


def _guarded(ctx: Context, lit: Lit, guard: list[cp_model.BoolVarT]) -> Lit:
    return ctx.cmp.all(lit, *guard) if guard else lit


# --- ORDER ----------------------------------------------------------------------


def order_constraints(ctx: Context) -> None:
    """A capsule flies one flight at a time with its turnaround; a ride down leaves after arriving."""
    s = ctx.s
    by_capsule: dict[str, list[str]] = {}
    for f in s.flights:
        if f.capsule and f.id in ctx.v.times:
            by_capsule.setdefault(f.capsule, []).append(f.id)
    for cap_id, flights in by_capsule.items():
        if not any(fid in ctx.variable for fid in flights):
            continue
        cap = s.capsule_by_id.get(cap_id)
        turnaround = math.ceil((cap.turnaround_days if cap else 0) * DAY)
        name = cap.name if cap and cap.name else cap_id
        guard = ctx.when("ORDER", f"capsule:{cap_id}", (
            f"capsule {name} flies one flight at a time and needs {turnaround / DAY:g} days "
            "between landing and its next launch"))
        intervals = []
        for fid in flights:
            t = ctx.v.times[fid]
            end = t.land.shift(turnaround)
            if end.hi < ctx.var_start:
                continue
            presence = _guarded(ctx, True, guard) if fid in ctx.variable else True
            intervals.append(_interval(ctx, t.launch, end, presence, f"capsule[{fid}]"))
        ctx.model.add_no_overlap([i for i in intervals if i is not None])
    for fid, riders in ctx.downs.items():
        down = ctx.v.times[fid].undock
        for r in riders:
            if r.up == fid:
                continue
            up = ctx.times(r.up)
            if up is None:
                continue
            ctx.require(down.expr - up.dock.expr, 1, None, [r.lit], [])


# --- SEATS ----------------------------------------------------------------------


def usable_seats(ctx: Context, f: Flight, t: Time) -> Expr:
    """Seats of f at t after damage and contingency seats so far (timeline.seats_at)."""
    total: Expr = 0
    prev = 0
    for at, seats in seat_profile(ctx, f.id):
        lit = True if at == FAR_PAST else ctx.cmp.le(Time.at(at), t)
        if lit is False:
            break
        total = total + (seats - prev) * (1 if lit is True else lit)
        prev = seats
    return total


def seats_constraints(ctx: Context) -> None:
    """People riding up, and people riding down, fit the seats (usable seats, going home)."""
    for fid in sorted(ctx.variable):
        f = ctx.flight(fid)
        seats = ctx.seats(f)
        guard = ctx.when("SEATS", fid, f"{_label(ctx, f)} has {seats} seats up and at most {seats} down")
        if fid not in {g.id for g in ctx.scope.partial}:
            ctx.require(_sum([r.lit for r in ctx.ups[fid]]), None, seats, [], guard, ("SEATS", fid))
        down = _sum([r.lit for r in ctx.downs[fid]])
        if isinstance(down, int) and down == 0:
            continue
        usable = usable_seats(ctx, f, ctx.v.times[fid].undock)
        ctx.require(down - usable, None, 0, [], guard, ("SEATS", fid))


# --- CERT -----------------------------------------------------------------------


def _cert_windows(ctx: Context, agency: str, vt: str) -> list[tuple[int, int | None]]:
    out = []
    for c in ctx.s.certifications:
        if c.agency == agency and c.vehicle_type == vt:
            out.append((ctx.scope.seconds(c.start), None if c.end is None else ctx.scope.seconds(c.end)))
    return sorted(out, key=lambda w: w[0])


def _cert_sentence(ctx: Context, agency: str, vt: str) -> str:
    certs = [c for c in ctx.s.certifications if c.agency == agency and c.vehicle_type == vt]
    name = _vt_name(ctx, vt)
    if not certs:
        return f"{agency} has not certified {name}"
    spans = ", ".join(f"from {format_day(c.start)}" + (f" until {format_day(c.end)}" if c.end else "")
                      for c in sorted(certs, key=lambda c: c.start))
    return f"{agency} has certified {name} only {spans}"


def _certified(ctx: Context, agency: str, vt: str, t: Time) -> list[Lit]:
    out = []
    for start, end in _cert_windows(ctx, agency, vt):
        after = ctx.cmp.le(Time.at(start), t)
        before = True if end is None else ctx.cmp.lt(t, Time.at(end))
        out.append(ctx.cmp.all(after, before))
    return out


def cert_constraints(ctx: Context) -> None:
    """Each rider's agency has certified the vehicle type at launch and at landing; test flights exempt."""
    for fid in sorted(ctx.variable):
        f = ctx.flight(fid)
        if f.kind == "test":
            continue
        t = ctx.v.times[fid]
        legs = [(r, t.launch) for r in ctx.ups[fid]] + [(r, t.land) for r in ctx.downs[fid]]
        for r, when in legs:
            guard = ctx.when("CERT", f"{r.agency}:{f.vehicle_type}",
                             _cert_sentence(ctx, r.agency, f.vehicle_type))
            ctx.implies([r.lit], guard, _certified(ctx, r.agency, f.vehicle_type, when))


# --- TRAINED --------------------------------------------------------------------


def trained_constraints(ctx: Context) -> None:
    """Each rider is trained for the vehicle type by launch (by undocking, riding down)."""
    for fid in sorted(ctx.variable):
        f = ctx.flight(fid)
        t = ctx.v.times[fid]
        legs = [(r, t.launch) for r in ctx.ups[fid]] + [(r, t.undock) for r in ctx.downs[fid]]
        for r, when in legs:
            person = ctx.s.person_by_id[r.person]
            tr = person.training_for(f.vehicle_type)
            name = _vt_name(ctx, f.vehicle_type)
            who = _name(ctx, r.person)
            sentence = (f"{who} has no training on {name}" if tr is None else
                        f"{who} is trained on {name} only from {format_day(tr.ready)}")
            guard = ctx.when("TRAINED", f"{r.person}:{f.vehicle_type}", sentence)
            ready = [] if tr is None else [ctx.cmp.le(Time.at(ctx.scope.seconds(tr.ready)), when)]
            ctx.implies([r.lit], guard, ready)


# --- AVAILABLE ------------------------------------------------------------------


def _trips(ctx: Context) -> dict[str, list[tuple[Lit, Time, Time, Time, Time]]]:
    """(present, launch up, dock up, undock down, land down) per person."""
    s, far = ctx.s, ctx.horizon.shift(1)
    returning = {r.index: r for r in ctx.scope.returns}
    trips: dict[str, list[tuple[Lit, Time, Time, Time, Time]]] = {}
    for i, a in enumerate(s.assignments):
        up = ctx.times(a.up)
        if up is None:
            continue
        if i in returning:
            r = returning[i]
            for g in r.downs:
                d = ctx.v.times[g]
                trip = (ctx.v.home[i, g], up.launch, up.dock, d.undock, d.land)
                trips.setdefault(a.person, []).append(trip)
            if not r.downs:
                trips.setdefault(a.person, []).append((True, up.launch, up.dock, far, far))
            continue
        down = ctx.times(a.down) if a.down else None
        trips.setdefault(a.person, []).append(
            (True, up.launch, up.dock, down.undock if down else far, down.land if down else far))
    for (pid, fid), lit in ctx.v.ride.items():
        t = ctx.v.times[fid]
        trips.setdefault(pid, []).append((lit, t.launch, t.dock, t.undock, t.land))
    return trips


def _fixed_rests(trips: list[tuple[Lit, Time, Time, Time, Time]], rest: int) -> dict[int, int]:
    """The rest after each trip whose landing is data, cut to the gap before the next trip
    whose launch is data, where the data already rested less (the past is not repaired); no
    trip the planner moves fits in such a gap anyway."""
    ends = [(tr[4].lo, i) for i, tr in enumerate(trips) if tr[0] is True and tr[4].fixed]
    launches = sorted(tr[1].lo for tr in trips if tr[1].fixed)
    out = {}
    for end, i in ends:
        later = [x for x in launches if x > trips[i][1].lo]
        if later and later[0] - end < rest:
            out[i] = max(0, later[0] - end)
    return out


def available_constraints(ctx: Context) -> None:
    """People fly inside their availability, one trip at a time with their rest, home by early returns."""
    s = ctx.s
    early = [e for e in s.events if isinstance(e, EarlyReturn)]
    for pid, trips in sorted(_trips(ctx).items(), key=lambda kv: kv[0]):
        moving = [tr for tr in trips if not (tr[0] is True and tr[1].fixed and tr[4].fixed)]
        if not moving:
            continue
        person = s.person_by_id[pid]
        rest_days = person.min_rest_days if person.min_rest_days is not None else s.scenario.min_rest_days
        rest = math.ceil(rest_days * DAY)
        av = person.available
        when = [f"{_name(ctx, pid)} flies one trip at a time"]
        if rest_days:
            when.append(f"rests {rest_days:g} days between trips")
        if av.start or av.end:
            when.append(f"is available {format_day(av.start) if av.start else '…'}.."
                        f"{format_day(av.end) if av.end else '…'}")
        mine = [e for e in early if pid in e.people]
        # the sentence cites early returns in force where the planner decides, not old ones
        start = ctx.scope.instant(ctx.var_start)
        when += [f"must be home by {format_day(e.at)}" + (f" ({e.reason})" if e.reason else "")
                 for e in mine if e.at >= start]
        guard = ctx.when("AVAILABLE", pid, ", ".join(when))
        first = min(tr[1].lo for tr in moving)
        intervals = []
        fixed_rest = _fixed_rests(trips, rest)
        for i, (lit, launch, dock, undock, land) in enumerate(trips):
            if land.hi + rest <= first and lit is True:
                continue  # long over before anything that moves
            presence = _guarded(ctx, lit, guard)
            intervals.append(_interval(ctx, launch, land.shift(fixed_rest.get(i, rest)), presence,
                                       f"trip[{pid}]"))
            if lit is True and launch.fixed and land.fixed:
                continue
            if av.start:
                ctx.require(launch.expr, ctx.scope.seconds(av.start), None, [lit], guard)
            if av.end:
                ctx.require(land.expr, None, ctx.scope.seconds(av.end), [lit], guard)
            for e in mine:
                at = Time.at(ctx.scope.seconds(e.at))
                ctx.implies([lit, ctx.cmp.lt(dock, at)], guard, [ctx.cmp.le(undock, at)])
        ctx.model.add_no_overlap([i for i in intervals if i is not None])


# --- CAPACITY, COVERAGE, LIFEBOAT ---------------------------------------------------


def _states(ctx: Context) -> list[StationState]:
    if ctx.states is None:
        ctx.states = [StationState(ctx, st.id) for st in ctx.s.stations]
    return ctx.states


def _era_bounds(state: StationState, t: Time) -> tuple[int, int, int] | None:
    """(nominal, maximum, handover seconds) at t; the strictest over t's range."""
    scope = state.ctx.scope
    eras = [e for e in state.station.crew]
    live = []
    for i, e in enumerate(eras):
        start = scope.seconds(e.start)
        end = scope.seconds(eras[i + 1].start) if i + 1 < len(eras) else None
        if start <= t.hi and (end is None or end > t.lo):
            live.append(e)
    if not live:
        return None
    return (min(e.nominal for e in live), min(e.maximum for e in live),
            int(min(e.handover_days for e in live) * DAY))


def capacity_constraints(ctx: Context) -> None:
    """People aboard <= maximum; above nominal only for handovers of at most the allowed days."""
    for state in _states(ctx):
        st = state.station
        era0 = st.crew[-1] if st.crew else None
        if era0 is None:
            continue
        guard = ctx.when("CAPACITY", st.id, (
            f"{st.id} holds {era0.nominal} people, up to {era0.maximum} during handovers of at most "
            f"{era0.handover_days:g} days"))
        points = state.points()
        leaves = [p for p in points if p.departure]
        below: dict[int, Lit] = {}
        for p, began in [(p, p.t) for p in points if p.arrival or p.era] + _under_way(state):
            crew = state.crew(p.t)
            for era, in_era in _eras_at(state, p.t):
                # each era's numbers hold where the instant falls in it (dated, as the checker)
                handover = int(era.handover_days * DAY)
                ctx.require(crew, None, era.maximum, [in_era], guard, ("CAPACITY", f"{st.id} above maximum"))
                if isinstance(crew, int) and crew <= era.nominal:
                    continue
                above = ctx.model.new_bool_var("")
                ctx.require(crew, None, era.nominal, [above.negated(), in_era], [])
                limit = began.shift(handover)
                options = [ctx.cmp.le(ctx.horizon, limit)]
                for q in leaves:
                    if q.t.hi <= p.t.lo or q.t.lo > limit.hi:
                        continue
                    key = id(q)
                    if key not in below:
                        qb = _era_bounds(state, q.t)  # the strictest over the departure's range
                        lit = ctx.model.new_bool_var("")
                        ctx.require(state.crew(q.t), None, qb[0] if qb else era.nominal, [lit], [])
                        below[key] = lit
                    options.append(ctx.cmp.all(ctx.cmp.lt(p.t, q.t), ctx.cmp.le(q.t, limit), below[key]))
                if all(o is False for o in options) and isinstance(crew, int) and in_era is True:
                    ctx.preexisting.append(("CAPACITY", f"{st.id} handover"))
                    continue
                ctx.implies([above, in_era], guard, options)


def _under_way(state: StationState) -> list[tuple[Point, Time]]:
    """A handover under way when planning starts: the instant planning starts, as an arrival
    whose handover began at the last crew arrival before it (history, fixed). The points
    checked are the arrivals after it, so without this a re-plan could keep a crew that arrived
    just before `now` aboard past the allowed days (the checker counts from that arrival). Only
    crew arrivals count: a cargo docking inside the handover does not restart its clock. (Two
    crew arrivals inside one run above the nominal crew would still restart it at the second:
    lenient by the days between them.)"""
    ctx = state.ctx
    now = ctx.scope.now
    if now is None:
        return []
    before = [g.start.lo for g in state.groups if g.start.fixed and g.start.lo <= now]
    if not before:
        return []
    return [(Point(Time.at(now), arrival=True), Time.at(max(before)))]


def _eras_at(state: StationState, t: Time) -> list[tuple[CrewEra, Lit]]:
    """The crew eras an instant may fall in, each with the literal that it does."""
    scope, cmp = state.ctx.scope, state.ctx.cmp
    eras = list(state.station.crew)
    out: list[tuple[CrewEra, Lit]] = []
    for i, e in enumerate(eras):
        start = Time.at(scope.seconds(e.start))
        end = Time.at(scope.seconds(eras[i + 1].start)) if i + 1 < len(eras) else None
        lit = cmp.all(cmp.le(start, t), True if end is None else cmp.lt(t, end))
        if lit is not False:
            out.append((e, lit))
    return out


def coverage_constraints(ctx: Context) -> None:
    """Every segment keeps its operators aboard; the station is never empty once continuously crewed."""
    for state in _states(ctx):
        st = state.station
        since = st.continuous_presence_from
        presence_guard = ctx.when("COVERAGE", f"{st.id}:presence", (
            f"{st.id} must never be empty from {format_day(since)}" if since else ""))
        seg_guards = {seg.id: ctx.when("COVERAGE", f"{st.id}:{seg.id}", (
            f"{st.id} needs {seg.min_operators} {seg.id} operator{'s' if seg.min_operators != 1 else ''} "
            f"aboard at every instant{' from ' + format_day(since) if since else ' while crewed'}"))
            for seg in st.segments}
        start = Time.at(ctx.scope.seconds(since)) if since else None
        for p in state.points():
            # with continuous presence crew never drops to 0, so arrivals only add operators;
            # without it, an arrival at an empty station must bring its own operators
            if not p.departure and (start is not None or not p.arrival):
                continue
            active = ctx.cmp.lt(p.t, ctx.horizon)
            crew = state.crew(p.t)
            if start is not None:
                active = ctx.cmp.all(active, ctx.cmp.le(start, p.t))
                ctx.require(crew, 1, None, [active], presence_guard, ("COVERAGE", f"{st.id} empty"))
            else:
                crewed = ctx.model.new_bool_var("") if not isinstance(crew, int) else crew > 0
                if crewed is not True and crewed is not False:
                    ctx.require(crew, None, 0, [crewed.negated()], [])
                active = ctx.cmp.all(active, crewed)
            for seg in st.segments:
                if seg.min_operators == 1:
                    ctx.implies([active], seg_guards[seg.id], state.any_operator(p.t, seg.id))
                elif seg.min_operators > 1:
                    ctx.require(state.operators(p.t, seg.id), seg.min_operators, None, [active],
                                seg_guards[seg.id], ("COVERAGE", f"{st.id} {seg.id}"))


def _damage_in_force(ctx: Context, station: str) -> list[Damage]:
    """Damage to flights still docked when the planner's span starts: the events a lifeboat
    fact can be about (MS-22's 2022 leak is not, for a plan of 2027)."""
    start = ctx.scope.instant(ctx.var_start)
    out = []
    for e in ctx.s.events:
        f = ctx.s.flight_by_id.get(e.flight) if isinstance(e, Damage) else None
        if isinstance(e, Damage) and f is not None and f.station == station and (
                f.id in ctx.variable or f.undock is None or f.undock > start):
            out.append(e)
    return out


def lifeboat_constraints(ctx: Context) -> None:
    """At every instant, people aboard <= usable seats on docked vehicles."""
    for state in _states(ctx):
        st = state.station
        lost = [f"{ctx.s.flight_by_id[e.flight].label} lost {e.seats_lost} seat(s) on {format_day(e.at)}"
                for e in _damage_in_force(ctx, st.id)]
        guard = ctx.when("LIFEBOAT", st.id, (
            f"everyone aboard {st.id} needs a usable seat on a docked vehicle"
            + (f" ({'; '.join(lost)})" if lost else "")))
        for p in state.points():
            active = ctx.cmp.lt(p.t, ctx.horizon)
            ctx.require(state.crew(p.t) - state.lifeboat_seats(p.t), None, 0, [active], guard,
                        ("LIFEBOAT", st.id))


# --- DOCKED_LIMIT -----------------------------------------------------------------


def docked_limit_constraints(ctx: Context) -> None:
    """Each flight stays docked no longer than its vehicle type allows on the day it docks."""
    for fid in sorted(ctx.variable):
        f = ctx.flight(fid)
        vt = ctx.s.vehicle_type_by_id[f.vehicle_type]
        t = ctx.v.times[fid]
        pieces = docked_limits_over(ctx.scope, f.vehicle_type, t.dock.lo, t.dock.hi)
        guard = ctx.when("DOCKED_LIMIT", fid, (
            f"{_label(ctx, f)} may stay docked at most {_limits_said(ctx, pieces)} "
            f"({vt.name or vt.id})"))
        for i, (start, days) in enumerate(pieces):
            # this limit holds for a docking from `start` up to the next change
            since = ctx.cmp.le(Time.at(start), t.dock) if i else True
            before = ctx.cmp.lt(t.dock, Time.at(pieces[i + 1][0])) if i + 1 < len(pieces) else True
            docked_then = ctx.cmp.all(since, before)
            if docked_then is False:
                continue
            ctx.require(t.between(t.dock, t.undock) if t.stay_steps is not None
                        else t.undock.expr - t.dock.expr, None, int(days * DAY),
                        [docked_then], guard)


def _limits_said(ctx: Context, pieces: list[tuple[int, float]]) -> str:
    if len(pieces) == 1:
        return f"{pieces[0][1]:g} days"
    said = [f"{pieces[0][1]:g} days docking before {format_day(ctx.scope.instant(pieces[1][0]))}"]
    said += [f"{days:g} from {format_day(ctx.scope.instant(start))}" for start, days in pieces[1:]]
    return ", ".join(said)


# --- PORTS ----------------------------------------------------------------------


def ports_constraints(ctx: Context) -> None:
    """Each planned flight docks at one compatible port in service; one vehicle a port."""
    s = ctx.s
    planned = {f.id for f in ctx.scope.planned}
    by_port: dict[tuple[str, str], list[cp_model.IntervalVar | None]] = {}
    for f in ctx.scope.planned:
        st = s.station_by_id[f.station]
        vt = s.vehicle_type_by_id[f.vehicle_type]
        ports = ctx.v.port[f.id]
        guard = ctx.when("PORTS", f.id, (
            f"{_label(ctx, f)} needs a free {'/'.join(vt.docking) or '?'} port at {st.id} "
            f"while docked: {_ports_said(ctx, f, list(ports))}"))
        ctx.require(_sum(list(ports.values())), 1, 1, [], guard)
        t = ctx.v.times[f.id]
        for port in st.ports:
            if port.id not in ports:
                continue
            lit = ports[port.id]
            if port.start is not None:
                ctx.require(t.dock.expr, ctx.scope.seconds(port.start), None, [lit], guard)
            if port.end is not None and ctx.scope.seconds(port.end) < ctx.scope.until:
                ctx.require(t.undock.expr, None, ctx.scope.seconds(port.end), [lit], guard)
            by_port.setdefault((f.station, port.id), []).append(
                _interval(ctx, t.dock, t.undock, _guarded(ctx, lit, guard), f"port[{f.id}]"))
    for f in s.flights:
        if f.id in planned or f.dock is None:
            continue
        t = ctx.v.times[f.id]
        if t.undock.hi <= ctx.var_start:
            continue
        stays = f.port_stays  # a relocated flight holds each of its ports in turn
        for k, stay in enumerate(stays):
            if stay.port is None or (f.station, stay.port) not in by_port:
                continue
            start = t.dock if k == 0 else Time.at(ctx.scope.seconds(stay.start))
            end = t.undock if k == len(stays) - 1 else Time.at(ctx.scope.seconds(stay.end))  # type: ignore[arg-type]
            if end.hi <= ctx.var_start:
                continue
            by_port[f.station, stay.port].append(_interval(ctx, start, end, True, f"port[{f.id}]"))
    for intervals in by_port.values():
        ctx.model.add_no_overlap([i for i in intervals if i is not None])


def _ports_said(ctx: Context, f: Flight, ports: list[str]) -> str:
    """Each fitting port with its service dates and who holds it when the window opens."""
    if not ports:
        return "it fits none"
    st = ctx.s.station_by_id[f.station]
    start = f.window.start if f.window else None
    out = []
    for port in (p for p in st.ports if p.id in ports):
        said = port.id
        if port.start or port.end:
            said += (f" in service {format_day(port.start) if port.start else '…'}.."
                     f"{format_day(port.end) if port.end else '…'}")
        for g in ctx.s.flights:
            for stay in g.port_stays if g.station == f.station and start else ():
                if stay.port == port.id and stay.start <= start and (  # type: ignore[operator]
                        stay.end is None or stay.end > start):  # type: ignore[operator]
                    until = format_day(stay.end) if stay.end else "the horizon"
                    said += f" (held by {g.label} until {until})"
        out.append(said)
    return ", ".join(out)


# --- EXCHANGE -------------------------------------------------------------------


def _party_riders(ctx: Context, f: Flight, party: str) -> Expr:
    if f.id in {g.id for g in ctx.scope.planned}:
        return _sum([r.lit for r in ctx.ups[f.id] if r.agency == party])
    return sum(1 for a in ctx.s.riders_up(f.id) if ctx.s.agency_of(a) == party)


def exchange_constraints(ctx: Context) -> None:
    """Counted flights carry the agreed partner crew; seats received stay within the tolerance."""
    s = ctx.s
    for ag in s.agreements:
        title = ag.name or ag.id
        start = Time.at(ctx.scope.seconds(ag.start))
        end = Time.at(ctx.scope.seconds(ag.end)) if ag.end else None
        entries: list[Entry] = []  # (index, flight, party, counted literal, riders of party)
        for f in s.flights:
            t = ctx.times(f.id)
            if t is None or (f.id not in ctx.variable and f.launch is None):
                continue
            for q in ag.quotas:
                if q.vehicle_type != f.vehicle_type or f.kind not in q.kinds:
                    continue
                if ag.closed_after and end is not None and f.id in ctx.variable:
                    _closed_after(ctx, ag, q, f, end)
                counted = ctx.cmp.all(ctx.cmp.le(start, t.launch),
                                      True if end is None else ctx.cmp.lt(t.launch, end))
                if counted is False:
                    continue
                n = _party_riders(ctx, f, q.party)
                entries.append((len(entries), f, q.party, counted, n))
                if f.open:
                    guard = ctx.when("EXCHANGE", f"{ag.id}:{f.id}", (
                        f"{_label(ctx, f)} must carry {q.per_flight} {q.party} "
                        f"{'person' if q.per_flight == 1 else 'people'}"
                        + (f" (at most {q.at_most})" if q.at_most is not None else "")
                        + f" under {title}"))
                    ctx.require(n, q.per_flight, q.at_most, [counted], guard)
        _balance(ctx, ag, entries)


def _closed_after(ctx: Context, ag: Agreement, q: Quota, f: Flight, end: Time) -> None:
    """No seat of the party on the partner's vehicle once the agreement has ended."""
    t = ctx.v.times[f.id]
    after = ctx.cmp.le(end, t.launch)
    if after is False:
        return
    assert ag.end is not None
    guard = ctx.when("EXCHANGE", f"{ag.id}:after:{f.id}", (
        f"after {ag.name or ag.id} ends on {format_day(ag.end)}, {_label(ctx, f)} carries no "
        f"{q.party} people"))
    ctx.require(_party_riders(ctx, f, q.party), None, 0, [after], guard)


def _balance(ctx: Context, ag: Agreement, entries: list[Entry]) -> None:
    a_id = ag.parties[0]
    title = ag.name or ag.id
    guard = ctx.when("EXCHANGE", ag.id, (
        f"under {title}, seats received by {ag.parties[0]} and {ag.parties[1]} may differ by at "
        f"most {ag.tolerance}"))

    def signed(e: Entry) -> Expr:
        return e[4] * (1 if e[2] == a_id else -1)

    final: Expr = 0
    for e in entries:
        final = final + ctx.times_lit(e[3], e[4], ctx.seats(e[1])) * (1 if e[2] == a_id else -1)
    ctx.balance[ag.id] = final
    launches, checked = ctx.ledgers.setdefault(ag.id, ([], []))
    launches += [(ctx.v.times[e[1].id].launch, e[3]) for e in entries]
    for e in entries:
        idx, f, party, counted, n = e
        moving = f.id in ctx.variable or any(o[1].id in ctx.variable for o in entries)
        if not moving:
            continue
        t = ctx.v.times[f.id]
        gap: Expr = signed(e)
        for o in entries:
            if o is e:
                continue
            ot = ctx.v.times[o[1].id]
            before = ctx.cmp.le(ot.launch, t.launch) if o[0] < idx else ctx.cmp.lt(ot.launch, t.launch)
            lit = ctx.cmp.all(before, o[3])
            gap = gap + ctx.times_lit(lit, o[4], ctx.seats(o[1])) * (1 if o[2] == a_id else -1)
        if isinstance(n, int) and n == 0:
            continue
        got: Lit = True
        if not isinstance(n, int):
            got = ctx.model.new_bool_var("")
            ctx.require(n, None, 0, [got.negated()], [])
        ctx.require(gap, -ag.tolerance, ag.tolerance, [counted, got], guard, ("EXCHANGE", ag.id))
        checked.append((t.launch, gap, [counted, got]))


# --- COMMANDER ------------------------------------------------------------------


def _command_ready(ctx: Context, pid: str, vt: str) -> int | None:
    p = ctx.s.person_by_id.get(pid)
    ready = [tr.ready for tr in p.trained if tr.vehicle_type == vt and tr.commander] if p else []
    return ctx.scope.seconds(min(ready)) if ready else None


def commander_constraints(ctx: Context) -> None:
    """Each crewed flight carries someone qualified to command it, up and down."""
    for fid in sorted(ctx.variable):
        f = ctx.flight(fid)
        t = ctx.v.times[fid]
        name = _vt_name(ctx, f.vehicle_type)
        guard = ctx.when("COMMANDER", fid, f"{_label(ctx, f)} needs a commander qualified on {name}")
        for riders, when in ((ctx.ups[fid], t.launch), (ctx.downs[fid], t.undock)):
            if fid in {g.id for g in ctx.scope.partial} and riders is ctx.ups[fid]:
                continue
            if not riders:
                continue
            able = []
            for r in riders:
                ready = _command_ready(ctx, r.person, f.vehicle_type)
                if ready is None:
                    continue
                lit = ctx.cmp.all(r.lit, ctx.cmp.le(Time.at(ready), when))
                if lit is not False:
                    if (r.person, fid) in ctx.v.ride and r.lit is not True and riders is ctx.ups[fid]:
                        ctx.v.command[r.person, fid] = lit
                    able.append(lit)
            total = _sum([r.lit for r in riders])
            ctx.require(total - len(riders) * _sum(able), None, 0, [], guard)


# --- CLIENT -----------------------------------------------------------------------


def client_constraints(ctx: Context) -> None:
    """A private mission carries its client's people only, led by one who has flown here before."""
    for f in ctx.scope.planned:
        if f.client is None or f.window is None or f.window.start is None:
            continue
        t = ctx.v.times[f.id]
        guard = ctx.when("CLIENT", f.id, (
            f"{_label(ctx, f)} carries only {f.client} people, its commander one who has flown to "
            f"{f.station} before"))
        for r in ctx.ups[f.id]:
            if r.agency != f.client and r.lit is not False:
                ctx.require(_sum([r.lit]), None, 0, [], guard)
        veterans = []
        for r in ctx.ups[f.id]:
            ready = _command_ready(ctx, r.person, f.vehicle_type)
            if ready is None or not flew_to(ctx.s, r.person, f.station, f.window.start):
                continue
            veterans.append(ctx.cmp.all(r.lit, ctx.cmp.le(Time.at(ready), t.launch)))
        ctx.require(_sum(veterans), 1, None, [], guard)


# --- SHARES -----------------------------------------------------------------------


def shares_constraints(ctx: Context) -> None:
    """Partners fly a segment's vehicles in proportion to their shares, within the tolerance."""
    s = ctx.s
    for sh in s.shares:
        start = Time.at(ctx.scope.seconds(sh.start))
        end = Time.at(ctx.scope.seconds(sh.end)) if sh.end else None
        counts: dict[str, Expr] = {p.agency: 0 for p in sh.shares}
        moving = False
        for f in s.flights:
            t = ctx.times(f.id)
            if f.vehicle_type not in sh.vehicle_types or f.kind not in sh.kinds:
                continue
            if t is None or (f.id not in ctx.variable and f.launch is None):
                continue
            counted = ctx.cmp.all(ctx.cmp.le(start, t.launch),
                                  True if end is None else ctx.cmp.lt(t.launch, end))
            if counted is False:
                continue
            moving = moving or f.id in ctx.variable
            for agency in counts:
                n = _party_riders(ctx, f, agency)
                counts[agency] = counts[agency] + ctx.times_lit(counted, n, ctx.seats(f))
        if not moving:
            continue
        total = sum(counts.values())
        tol = round(sh.tolerance * 1000)
        title = sh.name or sh.id
        for p in sh.shares:
            guard = ctx.when("SHARES", f"{sh.id}:{p.agency}", (
                f"under {title}, {p.agency} flies {p.percent:g}% of the partner seats on "
                f"{', '.join(_vt_name(ctx, v) for v in sh.vehicle_types)} (± {sh.tolerance:g})"))
            pm = round(p.percent * 10)
            ctx.require(1000 * counts[p.agency] - pm * total, -tol, tol, [], guard, ("SHARES", sh.id))


# --- GROUNDED -------------------------------------------------------------------


def grounding_hit(ctx: Context, e: Grounding | SiteOutage, f: Flight) -> Lit:
    """Whether the planned flight f is one the grounding or site outage e stops from launching:
    its vehicle type or capsule, or its launch site (a literal where the planner picks the site)."""
    if isinstance(e, Grounding):
        return e.vehicle_type == f.vehicle_type or bool(e.capsule and e.capsule == f.capsule)
    if f.launch_site is not None:
        return f.launch_site == e.site
    return ctx.v.site.get(f.id, {}).get(e.site, False)


def grounded_constraints(ctx: Context) -> None:
    """No launch while the vehicle or site is out of service; no ride home on a grounded vehicle."""
    s = ctx.s
    for e in s.events:
        if not isinstance(e, Grounding | SiteOutage):
            continue
        at = Time.at(ctx.scope.seconds(e.at))
        until = Time.at(ctx.scope.seconds(e.until)) if e.until else None
        span = f"from {format_day(e.at)}" + (f" until {format_day(e.until)}" if e.until else "")
        what = (f"{_vt_name(ctx, e.vehicle_type)}" if isinstance(e, Grounding) and e.vehicle_type
                else f"capsule {e.capsule}" if isinstance(e, Grounding) else f"launch site {e.site}")
        guard = ctx.when("GROUNDED", e.id, f"{what} is out of service {span} ({e.note or e.id})")
        for f in ctx.scope.planned:
            t = ctx.v.times[f.id]
            hit = grounding_hit(ctx, e, f)
            if hit is False:
                continue
            during = [ctx.cmp.lt(t.launch, at)] + ([ctx.cmp.le(until, t.launch)] if until else [])
            ctx.implies([hit], guard, during)
        if not isinstance(e, Grounding) or e.crew_return:
            continue  # a docked vehicle of a grounded fleet may still bring its crew home
        for fid in sorted(ctx.variable):
            f = ctx.flight(fid)
            if not (e.vehicle_type == f.vehicle_type or (e.capsule and e.capsule == f.capsule)):
                continue
            t = ctx.v.times[fid]
            for r in ctx.downs[fid]:
                home = [ctx.cmp.lt(t.undock, at)]  # past the horizon too: it stays grounded
                if until is not None:
                    home.append(ctx.cmp.le(until, t.undock))
                ctx.implies([r.lit], guard, home)


def choices(ctx: Context) -> None:
    """One launch site per planned flight; one ride home for each person aboard."""
    for sites in ctx.v.site.values():
        ctx.model.add_exactly_one(list(sites.values()))
    for r in ctx.scope.returns:
        if r.downs:
            ctx.model.add_exactly_one([ctx.v.home[r.index, g] for g in r.downs])


# --- HANDOVER, MIN_ABOARD (planning settings) ----------------------------------------


def handover_constraints(ctx: Context) -> None:
    """With `[planning] handover_days`: a rotation the planner undocks (before
    `handover_until`, when set) leaves only after a rotation of its vehicle type docked at
    least that many days before (a direct handover)."""
    days = ctx.s.planning.handover_days
    if days is None:
        return
    gap = round(days * DAY)
    until = ctx.s.planning.handover_until
    rotations = [f for f in ctx.s.flights if f.kind == "rotation" and f.id in ctx.v.times
                 and (f.dock is not None or f.id in ctx.variable)]
    for fid in sorted(ctx.variable):
        d = ctx.flight(fid)
        if d.kind != "rotation":
            continue
        t = ctx.v.times[fid]
        guard = ctx.when("HANDOVER", fid, (
            f"{_label(ctx, d)} leaves only after the next {_vt_name(ctx, d.vehicle_type)} crew "
            f"has docked, at least {days:g} days before"
            + (f" (rotations leaving before {format_day(until)})" if until is not None else "")))
        options = [ctx.cmp.le(ctx.horizon, t.undock)]  # still docked at the plan's end
        if until is not None:  # leaving from then on is not asked for a handover
            options.append(ctx.cmp.le(Time.at(ctx.scope.seconds(until)), t.undock))
        for a in rotations:
            if a.id == fid or a.station != d.station or a.vehicle_type != d.vehicle_type:
                continue
            ta = ctx.v.times[a.id]
            options.append(ctx.cmp.all(ctx.cmp.lt(t.dock, ta.dock), ctx.cmp.le(ta.dock.shift(gap), t.undock)))
        ctx.implies([], guard, options)


def min_aboard_constraints(ctx: Context) -> None:
    """With `[planning] min_aboard`: at least that many people aboard each continuously crewed
    station wherever the planner decides (the data's own shortfalls are left as they are)."""
    least = ctx.s.planning.min_aboard
    if least is None:
        return
    for state in _states(ctx):
        st = state.station
        since = st.continuous_presence_from
        if since is None:
            continue
        guard = ctx.when("MIN_ABOARD", st.id, (
            f"{st.id} keeps at least {least} people aboard (planning setting min_aboard)"))
        start = Time.at(ctx.scope.seconds(since))
        for p in state.points():
            if not p.departure:
                continue  # crew only shrinks where someone leaves
            active = ctx.cmp.all(ctx.cmp.lt(p.t, ctx.horizon), ctx.cmp.le(start, p.t))
            ctx.require(state.crew(p.t), least, None, [active], guard, ("MIN_ABOARD", st.id))


# --- CREW (planning) ------------------------------------------------------------------


def crew_constraints(ctx: Context) -> None:
    """A crewed open flight flies full: every seat not kept for someone riding home on it."""
    full = ctx.s.planning.crew == "full"
    for f in ctx.scope.planned:
        if f.kind in ("uncrewed", "cargo"):
            continue
        seats = ctx.seats(f)
        up = _sum([r.lit for r in ctx.ups[f.id]])
        extra = _sum([r.lit for r in ctx.downs[f.id] if r.up != f.id])
        ctx.v.crew_up[f.id] = up
        if full:
            guard = ctx.when("CREW", f.id, (
                f"{_label(ctx, f)} flies full: {seats} people up, less seats kept for people riding "
                "home on it"))
            ctx.require(up + extra, seats, seats, [], guard)
        else:
            guard = ctx.when("CREW", f.id, f"{_label(ctx, f)} carries at least one person up")
            ctx.require(up, 1, None, [], guard)


FAMILIES: list[tuple[str, Callable[[Context], None]]] = [
    ("ORDER", order_constraints),
    ("SEATS", seats_constraints),
    ("CERT", cert_constraints),
    ("TRAINED", trained_constraints),
    ("AVAILABLE", available_constraints),
    ("CAPACITY", capacity_constraints),
    ("COVERAGE", coverage_constraints),
    ("LIFEBOAT", lifeboat_constraints),
    ("DOCKED_LIMIT", docked_limit_constraints),
    ("PORTS", ports_constraints),
    ("EXCHANGE", exchange_constraints),
    ("COMMANDER", commander_constraints),
    ("CLIENT", client_constraints),
    ("SHARES", shares_constraints),
    ("GROUNDED", grounded_constraints),
    ("CREW", crew_constraints),
    ("HANDOVER", handover_constraints),
    ("MIN_ABOARD", min_aboard_constraints),
]


def add_all(ctx: Context) -> None:
    choices(ctx)
    for _, fn in FAMILIES:
        fn(ctx)


__all__ = ["FAMILIES", "Rider", "add_all"]
