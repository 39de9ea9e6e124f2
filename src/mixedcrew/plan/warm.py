"""A first solution for large scenarios: plan in chunks of launch windows, then hint.

CP-SAT finds a first plan for a few dozen flights slowly from nothing. The
rolling plan fills the open flights a chunk at a time in window order, each
chunk planned on top of the previous one (flights docked at a chunk's end
get their undock in the next chunk), with only the first levels of the
objective. Its values, completed by propagation in a copy of the full
model, are the full model's hint: the lexicographic solve starts from a
feasible plan and improves it.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from ortools.sat.python import cp_model, cp_model_helper

from mixedcrew.domain import Scenario
from mixedcrew.plan.context import Context
from mixedcrew.plan.scope import Reference

CHUNK = 12
CHUNK_LEVELS = ("disruption", "balance", "timing")


def rolling_plan(s: Scenario, until: datetime, now: datetime | None, reference: Reference | None,
                 opts: Any, seconds: float) -> Scenario | None:
    """The scenario planned chunk by chunk up to `until`, or None if a chunk fails."""
    from mixedcrew.plan.scope import launch_range, make_scope
    from mixedcrew.plan.solve import plan_scenario

    scope = make_scope(s, until, now=now, reference=reference)
    flights = sorted(scope.planned, key=lambda f: launch_range(scope, f)[0])  # type: ignore[index]
    cuts = [f.window.start for f in flights[CHUNK::CHUNK] if f.window and f.window.start]
    cuts = [c for c in cuts if c < until] + [until]
    started = time.monotonic()
    current = s
    for i, cut in enumerate(cuts):
        left = seconds - (time.monotonic() - started)
        if left <= 0:
            return None
        # one worker: deterministic without interleaving, which is slow on small time slices
        sub = type(opts)(time_limit=left / (len(cuts) - i), seed=opts.seed, workers=1,
                         work_limit=opts.work_limit)
        result = plan_scenario(current, cut, sub, now=now if i == 0 else None, reference=reference,
                               explain=False, warm_start=False, level_names=CHUNK_LEVELS)
        if result.plan is None:
            return None
        current = result.plan
    return current


def hint_from_plan(ctx: Context, plan: Scenario) -> dict[Any, int]:
    """Values of the decision variables that reproduce a plan of the same scenario."""
    scope, out = ctx.scope, {}
    for f in scope.planned:
        g = plan.flight_by_id.get(f.id)
        t = ctx.v.times[f.id]
        if g is None or g.launch is None or g.dock is None:
            continue
        k = (scope.seconds(g.launch) - t.first_launch) // scope.step
        out[t.launch_steps] = k
        if g.undock is not None:
            out[t.stay_steps] = (scope.seconds(g.undock) - scope.seconds(g.dock)) // scope.step
        else:  # docked past the horizon: stay as long as wanted, within the domain
            wanted = round((f.target_days or 1.0) * 86400) // scope.step
            longest = (t.undock.hi - t.dock.hi) // scope.step
            least = -(-(scope.until - scope.seconds(g.dock)) // scope.step)
            out[t.stay_steps] = max(1, min(longest, max(wanted, least)))
        for port, lit in ctx.v.port[f.id].items():
            out[lit] = int(port == g.port)
        for site, lit in ctx.v.site.get(f.id, {}).items():
            out[lit] = int(site == g.launch_site)
    for f in scope.partial:
        g = plan.flight_by_id.get(f.id)
        t = ctx.v.times[f.id]
        if g is not None and g.undock is not None and scope.now is not None:
            out[t.undock_steps] = (scope.seconds(g.undock) - scope.now) // scope.step
    riding = {(a.person, a.up) for a in plan.assignments}
    for (pid, fid), lit in ctx.v.ride.items():
        out[lit] = int((pid, fid) in riding)
    downs = {(a.person, a.up): a.down for a in plan.assignments}
    for r in scope.returns:
        chosen = downs.get((r.assignment.person, r.assignment.up))
        for g_id in r.downs:
            out[ctx.v.home[r.index, g_id]] = int(g_id == chosen)
    return out


def complete_hint(ctx: Context, partial: dict[Any, int], seconds: float, seed: int) -> list[int] | None:
    """Every variable's value, given the decisions: propagation in a copy of the model."""
    copy = ctx.model.clone()
    copy.clear_objective()
    for var, value in partial.items():
        copy.add(copy.get_int_var_from_proto_index(var.index) == value)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(seconds, 0.5)
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    if solver.solve(copy) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return [solver.value(copy.get_int_var_from_proto_index(k)) for k in range(len(copy.proto.variables))]


def evaluate(expr: Any, values: list[int]) -> int:
    """The value of a linear expression under a full assignment of the model's variables."""
    if isinstance(expr, int):
        return expr
    flat = cp_model_helper.FlatIntExpr(expr)
    pairs = zip(flat.vars, flat.coeffs, strict=True)
    return flat.offset + sum(c * values[v.index] for v, c in pairs)
