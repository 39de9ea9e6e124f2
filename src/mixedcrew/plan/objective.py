"""The objective levels, solved lexicographically (docs/plan.md).

After the hard rules: when replanning, disruption (changed assignments)
then movement (how far instants move); then the scenario's `[planning]`
order, by default balance, timing, fairness, overlap. Each level is one
integer expression; the solver minimises it, the value is fixed as an
upper bound, and the next level is solved from that solution as a hint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mixedcrew.plan.context import Context

DAY = 86400


@dataclass(frozen=True)
class Level:
    name: str
    expr: Any
    unit: str  # what one unit of expr is: "change", "second", "seat", "flight"
    doc: str


def _abs(ctx: Context, expr: Any, ub: int) -> Any:
    if isinstance(expr, int):
        return abs(expr)
    z = ctx.model.new_int_var(0, ub, "")
    ctx.model.add_abs_equality(z, expr)
    return z


def disruption(ctx: Context) -> Any:
    """Assignments that differ from the previous plan (or from riding home on one's own flight)."""
    total: Any = 0
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


def movement(ctx: Context) -> Any:
    """Seconds that launch and undock instants move from the previous plan."""
    ref = ctx.scope.reference
    total: Any = 0
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


def balance(ctx: Context) -> Any:
    """Per agreement, |seats received by one party - by the other| at the plan's horizon."""
    w = ctx.s.planning.weights.balance
    return sum((w * _abs(ctx, gap, 10_000) for _, gap in sorted(ctx.balance.items())), 0)


def timing(ctx: Context) -> Any:
    """Seconds stays are off their target length plus seconds launches are off their preferred date."""
    w = ctx.s.planning.weights
    ref = ctx.scope.reference
    total: Any = 0
    for f in ctx.scope.planned + ctx.scope.partial:
        t = ctx.v.times[f.id]
        if f.target_days is not None and w.stay:
            target = round(f.target_days * DAY)
            stay = t.undock.expr - t.dock.expr
            total = total + w.stay * _abs(ctx, stay - target, t.undock.hi - t.dock.lo + target)
        if t.launch.fixed or not w.launch:
            continue
        old = ref.launch.get(f.id) if ref else None
        if old is not None:
            pref = ctx.scope.seconds(old)
        else:
            pref = (t.launch.lo + t.launch.hi) // 2
            if f.window is not None and f.window.start and f.window.end:
                pref = (ctx.scope.seconds(f.window.start) + ctx.scope.seconds(f.window.end)) // 2
        total = total + w.launch * _abs(ctx, t.launch.expr - pref,
                                         max(abs(t.launch.hi - pref), abs(t.launch.lo - pref)))
    return total


def fairness(ctx: Context) -> Any:
    """Per agency, flights of its busiest candidate (spreading flights over its ready people)."""
    w = ctx.s.planning.weights.fairness
    if not w:
        return 0
    trips: dict[str, list[Any]] = {}
    for (pid, _), lit in sorted(ctx.v.ride.items(), key=lambda kv: kv[0]):
        trips.setdefault(pid, []).append(lit)
    by_agency: dict[str, list[str]] = {}
    for pid in trips:
        by_agency.setdefault(ctx.agency(pid), []).append(pid)
    total: Any = 0
    for _, people in sorted(by_agency.items()):
        counts = [sum(trips[p]) for p in people]
        hi = ctx.model.new_int_var(0, max(len(trips[p]) for p in people), "")
        ctx.model.add_max_equality(hi, counts)
        total = total + w * hi
    return total


def overlap(ctx: Context) -> Any:
    """Seconds two crewed flights of one vehicle type are docked at a station together."""
    w = ctx.s.planning.weights.overlap
    if not w:
        return 0
    crewed = [f for f in ctx.scope.planned + ctx.scope.partial if f.kind != "uncrewed"]
    fixed = [f for f in ctx.s.flights if f.id not in ctx.variable and f.id in ctx.v.times
             and f.dock is not None and f.kind != "uncrewed"
             and ctx.v.times[f.id].undock.hi > ctx.var_start]
    total: Any = 0
    pairs = [(a, b) for i, a in enumerate(crewed) for b in crewed[i + 1:]]
    pairs += [(a, b) for a in crewed for b in fixed]
    for a, b in pairs:
        if a.station != b.station or a.vehicle_type != b.vehicle_type:
            continue
        ta, tb = ctx.v.times[a.id], ctx.v.times[b.id]
        if ta.undock.hi <= tb.dock.lo or tb.undock.hi <= ta.dock.lo:
            continue
        ub = min(ta.undock.hi, tb.undock.hi) - max(ta.dock.lo, tb.dock.lo)
        end = ctx.model.new_int_var(min(ta.undock.lo, tb.undock.lo), min(ta.undock.hi, tb.undock.hi), "")
        start = ctx.model.new_int_var(max(ta.dock.lo, tb.dock.lo), max(ta.dock.hi, tb.dock.hi), "")
        ctx.model.add_min_equality(end, [ta.undock.expr, tb.undock.expr])
        ctx.model.add_max_equality(start, [ta.dock.expr, tb.dock.expr])
        both = ctx.model.new_int_var(0, max(ub, 0), "")
        ctx.model.add_max_equality(both, [end - start, 0])
        total = total + w * both
    return total


TERMS = {"balance": (balance, "seat"), "timing": (timing, "second"),
         "fairness": (fairness, "flight"), "overlap": (overlap, "second")}


def levels(ctx: Context, only: tuple[str, ...] | None = None) -> list[Level]:
    """The levels in order (only those named in `only`, if given); each built once, here."""
    def wanted(name: str) -> bool:
        return only is None or name in only

    out = []
    if (ctx.scope.reference is not None or any(r.preferred for r in ctx.scope.returns)) and wanted(
            "disruption"):
        out.append(Level("disruption", disruption(ctx), "change", disruption.__doc__ or ""))
    if ctx.scope.reference is not None and wanted("movement"):
        out.append(Level("movement", movement(ctx), "second", movement.__doc__ or ""))
    for name in ctx.s.planning.order:
        if wanted(name):
            fn, unit = TERMS[name]
            out.append(Level(name, fn(ctx), unit, fn.__doc__ or ""))
    if not out:
        out.append(Level("rules", 0, "change", "the hard rules alone"))
    return out
