"""Values for every variable of a model: from a plan, from decisions, or from an incumbent.

A plan of the same scenario (greedy's, a chunk's, the caller's) becomes the
decision variables' values; propagation in a copy of the model completes
them into a value for every variable, which CP-SAT takes as its hint.
"""

from __future__ import annotations

from typing import Any

from ortools.sat.python import cp_model, cp_model_helper

from mixedcrew.domain import Scenario
from mixedcrew.plan.context import Context
from mixedcrew.plan.variables import Expr


def hint_from_plan(ctx: Context, plan: Scenario) -> dict[Any, int]:
    """Values of the decision variables that reproduce a plan of the same scenario."""
    scope = ctx.scope
    out: dict[Any, int] = {}  # variable -> value
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
        g = plan.flight_by_id.get(fid)
        if g is not None and g.launch is not None:  # a flight the plan left open: the solver's
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


def evaluate(expr: Expr, values: list[int]) -> int:
    """The value of a linear expression under a full assignment of the model's variables."""
    if isinstance(expr, int):
        return expr
    flat = cp_model_helper.FlatIntExpr(expr)
    pairs = zip(flat.vars, flat.coeffs, strict=True)
    return int(flat.offset + sum(c * values[v.index] for v, c in pairs))


def extend(ctx: Context, best: list[int], seconds: float, seed: int) -> list[int] | None:
    """The incumbent with values for variables added since (a level built later)."""
    model = ctx.model
    fixed = {model.get_int_var_from_proto_index(k): v for k, v in enumerate(best)}
    return complete_hint(ctx, fixed, seconds, seed)
