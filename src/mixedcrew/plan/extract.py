"""A solved model back into domain objects: the plan as a Scenario."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mixedcrew.domain import Assignment, Flight, Scenario
from mixedcrew.plan.context import Context
from mixedcrew.plan.variables import Expr, Lit

Value = Callable[[Expr], int]


def _flight(ctx: Context, f: Flight, value: Value) -> Flight:
    t = ctx.v.times[f.id]
    at = ctx.scope.instant
    undock = value(t.undock.expr)
    gone = undock < ctx.scope.until  # else still docked at the plan's horizon
    update: dict[str, Any] = {"undock": at(undock) if gone else None,
                              "land": at(value(t.land.expr)) if gone else None}
    if f.id in {g.id for g in ctx.scope.planned}:
        update["launch"] = at(value(t.launch.expr))
        update["dock"] = at(value(t.dock.expr))
        port = next((p for p, lit in ctx.v.port[f.id].items() if value(lit)), None)
        update["port"] = port
        site = next((x for x, lit in ctx.v.site.get(f.id, {}).items() if value(lit)), None)
        if site is not None:
            update["launch_site"] = site
    return f.model_copy(update=update)


def to_scenario(ctx: Context, value: Value) -> Scenario:
    s = ctx.s
    flights = tuple(_flight(ctx, f, value) if f.id in ctx.variable else f for f in s.flights)
    assignments = list(s.assignments)
    for r in ctx.scope.returns:
        down = next((g for g in r.downs if value(ctx.v.home[r.index, g])), None)
        assignments[r.index] = r.assignment.model_copy(update={"down": down})
    for f in ctx.scope.planned:
        riders = [pid for (pid, fid), lit in ctx.v.ride.items() if fid == f.id and value(lit)]
        commanders = [pid for pid in riders if (pid, f.id) in ctx.v.command
                      and _true(value, ctx.v.command[pid, f.id])]
        lead = commanders[0] if commanders and not any(
            a.role == "commander" for a in s.riders_up(f.id)) else None
        for pid in sorted(riders, key=lambda p: (p != lead, p)):
            assignments.append(Assignment(person=pid, up=f.id, down=f.id,
                                          role="commander" if pid == lead else "crew"))
    meta = s.scenario.model_copy(update={"horizon": ctx.scope.horizon})
    return s.model_copy(update={"flights": flights, "assignments": tuple(assignments), "scenario": meta})


def _true(value: Value, lit: Lit) -> bool:
    return bool(lit) if isinstance(lit, bool) else bool(value(lit))
