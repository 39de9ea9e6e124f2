"""The objective levels, solved lexicographically (docs/plan.md).

After the hard rules: when replanning, disruption (changed assignments)
then movement (how far instants move); then the scenario's `[planning]`
order, by default balance, timing, fairness, overlap. Each level is one
integer expression; the solver minimises it, the value is fixed as an
upper bound, and the next level is solved from that solution as a hint.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from ortools.sat.python import cp_model, cp_model_helper

from mixedcrew.domain import Damage, EarlyReturn, Event, Flight, Scenario
from mixedcrew.plan.context import Context
from mixedcrew.plan.variables import Expr, Lit

DAY = 86400

# A level's (variable, weight) pairs, groups of their indices, and what a level function gives:
# an expression, or (expression, terms) or (expression, terms, groups).
Terms = tuple[tuple[cp_model.IntVar, int], ...]
Groups = tuple[tuple[int, ...], ...]
LevelValue = Expr | tuple[Expr, Terms] | tuple[Expr, Terms, Groups]


@dataclass(frozen=True)
class Level:
    name: str
    expr: Expr
    unit: str  # what one unit of expr is: "change", "second", "seat", "flight"
    doc: str
    # when expr is a weighted sum of a few variables (fairness: each agency's busiest), those
    # (variable, weight) pairs: the solver lowers and bounds them one at a time too
    terms: Terms = ()
    # groups of terms (indices into terms) whose sums are bounded apart: timing's per station
    groups: Groups = ()
    # minimised by CP-SAT's portfolio of strategies taking turns on one worker (see PORTFOLIO)
    portfolio: bool = False
    # minimised without the solver's linear relaxation (see NO_LP)
    no_lp: bool = False


def _abs(ctx: Context, expr: Expr, ub: int) -> Expr:
    if isinstance(expr, int):
        return abs(expr)
    z = ctx.model.new_int_var(0, ub, "")
    ctx.model.add_abs_equality(z, expr)
    return z


def disruption(ctx: Context) -> Expr:
    """Assignments that differ from the previous plan (or from riding home on one's own flight)."""
    total: Expr = 0
    ref = ctx.scope.reference
    for r in ctx.scope.returns:
        if r.preferred is None:
            continue
        lit = ctx.v.home.get((r.index, r.preferred))
        total = total + (1 if lit is None else 1 - lit)
    if ref is not None:
        for f in ctx.scope.planned:
            for pid in sorted(ref.riders.get(f.id, ())):
                lit = ctx.v.ride.get((pid, f.id))
                total = total + (1 if lit is None else 1 - lit)
    return total


def movement(ctx: Context) -> Expr:
    """Seconds that launch and undock instants move from the previous plan."""
    ref = ctx.scope.reference
    total: Expr = 0
    if ref is None:
        return total
    for fid in sorted(ctx.variable):
        t = ctx.v.times[fid]
        for when, old in ((t.launch, ref.launch.get(fid)), (t.undock, ref.undock.get(fid))):
            if old is None or when.fixed:
                continue
            x = ctx.scope.seconds(old)
            total = total + _abs(ctx, when.expr - x, max(abs(when.hi - x), abs(when.lo - x)))
    return total


def balance(ctx: Context) -> Expr:
    """Per agreement, |seats received by one party - by the other| at the plan's horizon."""
    w = ctx.s.planning.weights.balance
    return sum((w * _abs(ctx, gap, 10_000) for _, gap in sorted(ctx.balance.items())), 0)


def timing(ctx: Context) -> tuple[Expr, Terms, Groups]:
    """Seconds stays are off their target length plus seconds launches are off their preferred date."""
    w = ctx.s.planning.weights
    ref = ctx.scope.reference
    total: Expr = 0
    terms = []
    station: list[str] = []
    for f in ctx.scope.planned + ctx.scope.partial:
        t = ctx.v.times[f.id]
        if f.target_days is not None and w.stay:
            target = round(f.target_days * DAY)
            stay = t.between(t.dock, t.undock)  # in the stay variable alone: bounds propagate
            off = _abs(ctx, stay - target, t.undock.hi - t.dock.lo + target)
            total = total + w.stay * off
            terms.append((off, w.stay))
            station.append(f.station)
        if t.launch.fixed or not w.launch:
            continue
        old = ref.launch.get(f.id) if ref else None
        if old is not None:
            pref = ctx.scope.seconds(old)
        else:
            pref = (t.launch.lo + t.launch.hi) // 2
            if f.window is not None and f.window.start and f.window.end:
                pref = (ctx.scope.seconds(f.window.start) + ctx.scope.seconds(f.window.end)) // 2
        off = _abs(ctx, t.launch.expr - pref, max(abs(t.launch.hi - pref), abs(t.launch.lo - pref)))
        total = total + w.launch * off
        terms.append((off, w.launch))
        station.append(f.station)
    live = [i for i, (x, _) in enumerate(terms) if not isinstance(x, int)]
    groups = {st: tuple(j for j, i in enumerate(live) if station[i] == st) for st in sorted(set(station))}
    kept = cast(Terms, tuple(terms[i] for i in live))  # the ints are gone: variables, from _abs
    return total, kept, tuple(g for g in groups.values() if g)


def rescue_answers(ctx: Context) -> list[tuple[str, int]]:
    """(planned flight, event instant in seconds): the flights that answer damage to a docked
    flight or an early return, from the instant planning starts. After damage, the first planned
    flight of the damaged vehicle's type at its station (the replacement) and the first crewed
    rotation there (the next crew); after an early return, the first rotation there of the type
    the people were to ride home on. Only events the plan can still answer count."""
    scope, s = ctx.scope, ctx.s
    if scope.now is None:
        return []
    out: dict[str, int] = {}
    for e in s.events:
        at = scope.seconds(e.at)
        if at < scope.now - 1:
            continue  # history: answered (or not) by the data
        found = _wanted(s, e)
        if found is None:
            continue
        station, wants = found
        later = sorted((f for f in scope.planned if f.station == station
                        and ctx.v.times[f.id].launch.hi >= at),
                       key=lambda f: (ctx.v.times[f.id].launch.lo, f.id))
        for want in wants:
            first = next((f for f in later if want(f)), None)
            if first is not None:
                out[first.id] = min(out.get(first.id, at), at)
    return sorted(out.items())


def _wanted(s: Scenario, e: Event) -> tuple[str, list[Callable[[Flight], bool]]] | None:
    """The station an event hits, and what the flights answering it are."""
    if isinstance(e, Damage) and e.flight in s.flight_by_id:
        hit = s.flight_by_id[e.flight]

        def replacement(f: Flight) -> bool:
            return f.vehicle_type == hit.vehicle_type

        def crew(f: Flight) -> bool:
            return f.kind in ("rotation", "visit")

        return hit.station, [replacement, crew]
    if isinstance(e, EarlyReturn):
        ups = [s.flight_by_id[a.up] for a in s.assignments if a.person in e.people
               and a.up in s.flight_by_id]
        if not ups:
            return None
        types = {f.vehicle_type for f in ups}

        def next_crew(f: Flight) -> bool:
            return f.kind == "rotation" and f.vehicle_type in types

        return ups[0].station, [next_crew]
    return None


def rescue(ctx: Context) -> Expr:
    """Seconds the answers to damage or an early return launch after the event (as early as the
    rules allow)."""
    w = ctx.s.planning.weights.rescue
    total: Expr = 0
    for fid, at in rescue_answers(ctx):
        t = ctx.v.times[fid].launch
        late = t.expr - at if t.lo >= at else _abs(ctx, t.expr - at, max(abs(t.hi - at), abs(t.lo - at)))
        total = total + w * late
    return total


def fairness(ctx: Context) -> tuple[Expr, Terms]:
    """Per agency, flights of its busiest candidate (spreading flights over its ready people)."""
    w = ctx.s.planning.weights.fairness
    if not w:
        return 0, ()
    terms: list[tuple[cp_model.IntVar, int]] = []
    trips: dict[str, list[Lit]] = {}
    for (pid, _), lit in sorted(ctx.v.ride.items(), key=lambda kv: kv[0]):
        trips.setdefault(pid, []).append(lit)
    by_agency: dict[str, list[str]] = {}
    for pid in trips:
        by_agency.setdefault(ctx.agency(pid), []).append(pid)
    floors = fairness_floors(ctx)
    total: Expr = 0
    for agency, people in sorted(by_agency.items()):
        counts = [sum(trips[p]) for p in people]
        most = max(len(trips[p]) for p in people)
        # the busiest flies at least the average over any run of flights: a bound the
        # solver's relaxation misses (redundant, so the value stays exact)
        least = min(most, floors.get(agency, 0))
        hi = ctx.model.new_int_var(least, most, f"busiest[{agency}]")
        ctx.model.add_max_equality(hi, counts)
        for c in counts:  # the same, as plain inequalities the relaxation always holds
            ctx.model.add(c <= hi)
        total = total + w * hi
        terms.append((hi, w))
    return total, tuple(terms)


def fairness_floors(ctx: Context) -> dict[str, int]:
    """Per agency, flights its busiest candidate flies in every plan: for any run of planned
    flights in launch order, the rides its people must take on them (forced_rides) shared
    among the agency's candidates for those flights, rounded up. Early runs count: few people
    are trained by then."""
    forced = forced_rides(ctx, per_flight=True)
    order = sorted(ctx.scope.planned, key=lambda f: (ctx.v.times[f.id].launch.lo, f.id))
    who: dict[str, dict[str, set[str]]] = {}
    for pid, fid in ctx.v.ride:
        who.setdefault(fid, {}).setdefault(ctx.agency(pid), set()).add(pid)
    out: dict[str, int] = {}
    for agency in {a for need in forced.values() for a in need}:
        for i in range(len(order)):
            seats, people = 0, set()
            for f in order[i:]:
                n = forced.get(f.id, {}).get(agency, 0)
                if not n:
                    continue
                seats += n
                people |= who.get(f.id, {}).get(agency, set())
                if people:
                    out[agency] = max(out.get(agency, 0), -(-seats // len(people)))
    return out


def forced_rides(ctx: Context, per_flight: bool = False) -> dict[str, Any]:
    """Per agency, rides on planned flights its people take in every plan: the seats of a flight
    only its people may fill (as few as the CREW rule allows), or a partner quota on a flight
    that the agreement counts wherever in its window it launches. With `per_flight`, the same
    per flight: {flight: {agency: rides}}."""
    s = ctx.s
    who: dict[str, set[str]] = {}
    for pid, fid in ctx.v.ride:
        who.setdefault(fid, set()).add(ctx.agency(pid))
    out: dict[str, int] = {}
    by_flight: dict[str, dict[str, int]] = {}
    for f in ctx.scope.planned:
        agencies = who.get(f.id)
        if not agencies or f.kind in ("uncrewed", "cargo"):
            continue
        fixed = [r for r in ctx.ups[f.id] if r.lit is True]
        if s.planning.crew == "full":
            extra = sum(1 for r in ctx.downs[f.id] if r.up != f.id)
            least = s.seats_of(f) - len(fixed) - extra
        else:
            least = 1 - len(fixed)
        need = {a: 0 for a in agencies}
        if len(agencies) == 1:
            need[next(iter(agencies))] = max(0, least)
        t = ctx.v.times[f.id].launch
        first, last = ctx.scope.instant(t.lo), ctx.scope.instant(t.hi)
        for ag in s.agreements:
            if not (ag.covers(first) and ag.covers(last)):
                continue
            for q in ag.quotas:
                if q.vehicle_type == f.vehicle_type and f.kind in q.kinds and q.party in need:
                    have = sum(1 for r in fixed if r.agency == q.party)
                    need[q.party] = max(need[q.party], q.per_flight - have)
        if per_flight:
            by_flight[f.id] = {a: n for a, n in need.items() if n}
        for a, n in need.items():
            out[a] = out.get(a, 0) + n
    return by_flight if per_flight else out


def span(ctx: Context, expr: Expr) -> tuple[int, int]:
    """The least and greatest values of a linear expression over the variables' current domains
    (narrowed by what the levels solved so far imply; solve.py tightens them)."""
    if isinstance(expr, int):
        return expr, expr
    flat = cp_model_helper.FlatIntExpr(expr)
    lo = hi = flat.offset
    for v, c in zip(flat.vars, flat.coeffs, strict=True):
        d = list(ctx.model.proto.variables[v.index].domain)  # (a repeated field: no d[-1])
        a, b = c * d[0], c * d[-1]
        lo, hi = lo + min(a, b), hi + max(a, b)
    return lo, hi


def overlap(ctx: Context) -> Expr:
    """Seconds two crewed flights of one vehicle type are docked at a station together.

    Where the domains decide which of two flights docks first and which undocks first (as
    they do once timing is fixed), the overlap is max(0, first undock - last dock) with both
    named, which the solver's relaxation bounds well; else the general min/max form."""
    w = ctx.s.planning.weights.overlap
    if not w:
        return 0
    crewed = [f for f in ctx.scope.planned + ctx.scope.partial if f.kind not in ("uncrewed", "cargo")]
    fixed = [f for f in ctx.s.flights if f.id not in ctx.variable and f.id in ctx.v.times
             and f.dock is not None and f.kind not in ("uncrewed", "cargo")
             and ctx.v.times[f.id].undock.hi > ctx.var_start]
    total: Expr = 0
    pairs = [(a, b) for i, a in enumerate(crewed) for b in crewed[i + 1:]]
    pairs += [(a, b) for a in crewed for b in fixed]
    for a, b in pairs:
        if a.station != b.station or a.vehicle_type != b.vehicle_type:
            continue
        ta, tb = ctx.v.times[a.id], ctx.v.times[b.id]
        da, ua = span(ctx, ta.dock.expr), span(ctx, ta.undock.expr)
        db, ub = span(ctx, tb.dock.expr), span(ctx, tb.undock.expr)
        if ua[1] <= db[0] or ub[1] <= da[0]:
            continue  # never docked together
        if da[1] <= db[0] or db[1] <= da[0]:
            start: Expr = tb.dock.expr if da[1] <= db[0] else ta.dock.expr
            start_span = db if da[1] <= db[0] else da
        else:
            start_span = (max(da[0], db[0]), max(da[1], db[1]))
            start = ctx.model.new_int_var(*start_span, "")
            ctx.model.add_max_equality(start, [ta.dock.expr, tb.dock.expr])
        if ua[1] <= ub[0] or ub[1] <= ua[0]:
            end: Expr = ta.undock.expr if ua[1] <= ub[0] else tb.undock.expr
            end_span = ua if ua[1] <= ub[0] else ub
        else:
            end_span = (min(ua[0], ub[0]), min(ua[1], ub[1]))
            end = ctx.model.new_int_var(*end_span, "")
            ctx.model.add_min_equality(end, [ta.undock.expr, tb.undock.expr])
        least, most = end_span[0] - start_span[1], end_span[1] - start_span[0]
        if least >= 0:
            both: Expr = end - start
        else:
            both = ctx.model.new_int_var(0, max(most, 0), "")
            ctx.model.add_max_equality(both, [end - start, 0])
        total = total + w * both
    return total


# The levels CP-SAT's single default strategy minimises slowly and its portfolio (interleaved
# strategies and neighbourhood searches, taking turns on one worker, deterministic) fast:
# fairness, a sum of a few maxima, where one plan better than the starting one is found by
# the neighbourhood searches and the fixed search from the hint (80-flight instance: proven
# optimal in 2.7 s against no better plan in 30 s). Timing and overlap run 3-14 times slower
# in the portfolio (the default strategy proves them in a few seconds), so they keep it.
PORTFOLIO = ("fairness",)
# The levels minimised fastest with no linear relaxation (linearization level 0): timing and
# overlap, sums of |x| and of max(0, end - start) over instants, where the relaxation is weak
# and costs each search node; the default search proves them by propagation alone, 1.5-4 times
# faster (80-flight instance: timing 2.1 s -> 0.5 s, overlap 2.7 s -> 1.1 s). On small models
# the relaxation pays (1,500 variables, 10 flights: timing 0.05 s with it, 1.8 s without; the
# forward ISS, 2,300: 1.4 s against no proof in 20 s), so only models above LARGE_MODEL
# variables go without it (4,200, 25 flights: the same either way).
NO_LP = ("timing", "overlap")
LARGE_MODEL = 3000

TERMS = {"rescue": (rescue, "second"), "balance": (balance, "seat"), "timing": (timing, "second"),
         "fairness": (fairness, "flight"), "overlap": (overlap, "second")}


@dataclass(frozen=True)
class Pending:
    """A level not built yet: built when its turn comes, on the domains the levels before it
    left (see `span`)."""

    name: str
    unit: str
    fn: Callable[[Context], LevelValue]
    narrows: bool = False  # its formulation gains from domains narrowed by earlier levels
    portfolio: bool = False  # see PORTFOLIO
    no_lp: bool = False  # see NO_LP

    def build(self, ctx: Context) -> Level:
        value = self.fn(ctx)
        terms: Terms = ()
        groups: Groups = ()
        if isinstance(value, tuple):  # (expr, terms) or (expr, terms, groups)
            expr, terms = value[0], value[1]
            groups = value[2] if len(value) == 3 else ()
        else:
            expr = value
        return Level(self.name, expr, self.unit, self.fn.__doc__ or "", terms, groups,
                     self.portfolio, self.no_lp)


def pending_levels(ctx: Context, only: tuple[str, ...] | None = None) -> list[Pending]:
    """The levels in order (only those named in `only`, if given), to build one at a time."""
    def wanted(name: str) -> bool:
        return only is None or name in only

    out = []
    if (ctx.scope.reference is not None or any(r.preferred for r in ctx.scope.returns)) and wanted(
            "disruption"):
        out.append(Pending("disruption", "change", disruption))
    if ctx.scope.reference is not None and wanted("movement"):
        out.append(Pending("movement", "second", movement))
    for name in ctx.s.planning.order:
        if name == "rescue" and not rescue_answers(ctx):
            continue  # nothing to rescue: no level
        if wanted(name):
            fn, unit = TERMS[name]
            out.append(Pending(name, unit, fn, narrows=name == "overlap",
                               portfolio=name in PORTFOLIO, no_lp=name in NO_LP))
    if not out:
        out.append(Pending("rules", "change", _nothing))
    return out


def _nothing(ctx: Context) -> Expr:
    """the hard rules alone"""
    return 0


def levels(ctx: Context, only: tuple[str, ...] | None = None) -> list[Level]:
    """The levels in order (only those named in `only`, if given), all built now."""
    return [p.build(ctx) for p in pending_levels(ctx, only)]
