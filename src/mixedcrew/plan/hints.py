"""Values for every variable of a model: from a plan, from decisions, or from an incumbent.

A plan of the same scenario (greedy's, a chunk's, the caller's) becomes the
decision variables' values; propagation in a copy of the model completes
them into a value for every variable, which CP-SAT takes as its hint.
"""

from __future__ import annotations

from typing import Any

from ortools.sat.python import cp_model, cp_model_helper
from ortools.util.python.sorted_interval_list import Domain

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


def extend(ctx: Context, best: list[int], seconds: float, seed: int, since: int | None = None
           ) -> list[int] | None:
    """The incumbent with values for variables added since (a level built later). `since`:
    the number of constraints the model had when those variables did not exist yet; the
    values are then worked out from the constraints added since, where they define each new
    variable (derive), else found by propagation in a copy of the model."""
    if since is not None:
        derived = derive(ctx.model.proto, best, since)
        if derived is not None:
            return derived
    model = ctx.model
    fixed = {model.get_int_var_from_proto_index(k): v for k, v in enumerate(best)}
    return complete_hint(ctx, fixed, seconds, seed)


def derive(proto: Any, best: list[int], since: int) -> list[int] | None:
    """Values for the variables after len(best), when the constraints from index `since` on
    define them in order: each new variable the target of a maximum (|x|, a busiest count,
    an overlap's ends, as the levels build them) of expressions already valued, and every
    linear constraint among them holding. None otherwise (another kind of constraint, an
    enforcement literal, a value outside its domain): the caller asks the solver. A few
    milliseconds where the solver takes a presolve (0.15 s on the 80-flight instance)."""
    values: list[int | None] = [*best, *([None] * (len(proto.variables) - len(best)))]

    def value(e: Any) -> int | None:
        total = e.offset
        for v, c in zip(e.vars, e.coeffs, strict=True):
            x = values[v]
            if x is None:
                return None
            total += c * x
        return int(total)

    checks = []
    for k in range(since, len(proto.constraints)):
        c = proto.constraints[k]
        if len(c.enforcement_literal):
            return None
        if c.has_linear():
            checks.append(c.linear)
            continue
        if not c.has_lin_max():
            return None
        target = c.lin_max.target
        maxima = [value(e) for e in c.lin_max.exprs]
        if len(target.vars) != 1 or target.coeffs[0] not in (1, -1) or None in maxima:
            return None
        var, coeff = target.vars[0], target.coeffs[0]
        if values[var] is not None:
            return None  # defined twice: not a level's own variable
        values[var] = (max(m for m in maxima if m is not None) - target.offset) * coeff
    if None in values:
        return None
    for lin in checks:
        total = sum(c * values[v] for v, c in zip(lin.vars, lin.coeffs, strict=True))
        if not Domain.from_flat_intervals(list(lin.domain)).contains(total):
            return None
    out = [int(x) for x in values if x is not None]
    for k, x in enumerate(out[len(best):], start=len(best)):
        if not Domain.from_flat_intervals(list(proto.variables[k].domain)).contains(x):
            return None
    return out
