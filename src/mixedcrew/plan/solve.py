"""Build, solve level by level, check with the oracle, and say what happened.

Determinism: the solver runs with a fixed random seed and, by default,
interleaved search, whose workers take turns in a fixed order; the same
scenario, seed and worker count give the same plan when every level ends
by proving its optimum (or proving it cannot improve). A wall-clock limit
that stops a level early makes the plan depend on the machine's speed:
`work_limit` (the solver's deterministic time) stops it at the same point
on every machine instead.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from ortools.sat.python import cp_model, cp_model_helper

from mixedcrew.check import Report, check
from mixedcrew.domain import Scenario
from mixedcrew.plan.constraints import add_all
from mixedcrew.plan.context import Context
from mixedcrew.plan.extract import to_scenario
from mixedcrew.plan.objective import Level, levels, pending_levels, span
from mixedcrew.plan.scope import Reference, Scope, make_scope
from mixedcrew.plan.warm import CHUNK, complete_hint, evaluate, hint_from_plan, rolling_plan
from mixedcrew.rules import Violation

Progress = Callable[[str, float, float | None, float | None], None]  # level, elapsed, best, bound


@dataclass(frozen=True)
class SolveOptions:
    time_limit: float = 60.0  # wall-clock seconds for all levels together
    work_limit: float | None = None  # deterministic seconds per level
    seed: int = 0
    workers: int = 1
    deterministic: bool = True
    progress: Progress | None = None


@dataclass(frozen=True)
class LevelResult:
    name: str
    unit: str
    value: int
    bound: float
    optimal: bool
    seconds: float

    @property
    def shown(self) -> tuple[float, float, str]:
        """(value, bound, unit) in the unit people read: days for seconds."""
        if self.unit == "second":
            return self.value / 86400, self.bound / 86400, "days"
        return float(self.value), float(self.bound), self.unit + "s"

    def as_json(self) -> dict[str, object]:
        value, bound, unit = self.shown
        return {"level": self.name, "value": round(value, 4), "bound": round(bound, 4),
                "unit": unit, "optimal": self.optimal, "seconds": round(self.seconds, 3)}


@dataclass
class PlanResult:
    status: Literal["planned", "infeasible", "unknown", "nothing to plan"]
    plan: Scenario | None
    scope: Scope
    levels: list[LevelResult] = field(default_factory=list)
    facts: list[Any] = field(default_factory=list)  # explanation of an infeasible scenario
    report: Report | None = None
    new_violations: list[Violation] = field(default_factory=list)
    preexisting: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def planned_flights(self) -> list[str]:
        return [f.id for f in self.scope.planned]

    def as_json(self) -> dict[str, object]:
        return {
            "status": self.status,
            "planned_flights": self.planned_flights,
            "undocks_planned": [f.id for f in self.scope.partial],
            "left_open": [{"flight": f.id, "why": why} for f, why in self.scope.unplanned],
            "levels": [lv.as_json() for lv in self.levels],
            "explanation": [fact.as_json() for fact in self.facts],
            "violations": [v.as_json() for v in self.report.violations] if self.report else [],
            "new_violations": [v.as_json() for v in self.new_violations],
            "seconds": round(self.seconds, 3),
        }


def build(scope: Scope, explain: bool = False) -> Context:
    ctx = Context(scope, explain=explain)
    add_all(ctx)
    return ctx


def solver_for(opts: SolveOptions, seconds: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.num_workers = max(1, opts.workers)
    p.random_seed = opts.seed
    p.max_time_in_seconds = max(seconds, 0.05)
    p.cp_model_probing_level = 0  # probing costs more than it gains on these models (tens of s)
    if opts.work_limit is not None:
        p.max_deterministic_time = opts.work_limit
    if opts.deterministic and opts.workers > 1:
        p.interleave_search = True
    return solver


class _Watch(cp_model.CpSolverSolutionCallback):
    def __init__(self, level: str, progress: Progress, started: float):
        super().__init__()
        self.level, self.progress, self.started = level, progress, started

    def on_solution_callback(self) -> None:
        self.progress(self.level, time.monotonic() - self.started, self.objective_value,
                      self.best_objective_bound)


def plan_scenario(s: Scenario, until: datetime | None = None, options: SolveOptions | None = None, *,
                  now: datetime | None = None, reference: Reference | None = None,
                  explain: bool = True, warm_start: bool = True,
                  level_names: tuple[str, ...] | None = None) -> PlanResult:
    """Fill the scenario's open parts; on infeasibility, explain why (explain.py).

    warm_start: for more than a chunk of open flights, first plan chunk by
    chunk (warm.py) and start the full model from that plan.
    level_names: solve only these objective levels (the warm start's chunks).
    """
    opts = options or SolveOptions()
    started = time.monotonic()
    scope = make_scope(s, until, now=now, reference=reference)
    if not scope.planned and not scope.partial and not scope.returns:
        return PlanResult("nothing to plan", s, scope, report=check(s), seconds=0.0)
    ctx = build(scope)
    lv = pending_levels(ctx, level_names)
    result = PlanResult("unknown", None, scope, preexisting=list(dict.fromkeys(ctx.preexisting)))
    best: list[int] | None = None  # the incumbent: every variable's value
    if warm_start and len(scope.planned) > CHUNK:
        best = _warm_hint(ctx, opts, now, reference, started)
    solved: list[Level] = []
    for i, pending in enumerate(lv):
        if pending.narrows and i > 0 and best is not None:
            narrow_instants(ctx, best, opts.seed)
        level = pending.build(ctx)
        if best is not None and len(best) < len(ctx.model.proto.variables):
            best = _extend(ctx, best, opts.seed)  # the new level's own variables
        left = opts.time_limit - (time.monotonic() - started)
        share = left / (len(lv) - i)
        done = _solve_level(ctx, level, opts, share, best, started)
        if done is not None and done[0] == cp_model.INFEASIBLE:
            result.status = "infeasible"
            if explain:
                from mixedcrew.plan.explain import explain_infeasible

                result.facts = explain_infeasible(scope, opts)
            break
        kept = None if best is None else evaluate(level.expr, best)
        if done is None and kept is None:
            break  # no plan found in time
        if done is None or (kept is not None and kept <= done[2].value):
            # the solver did not beat the incumbent: keep it (it satisfies every level so far)
            bound = done[2].bound if done else float("-inf")
            level_result = LevelResult(level.name, level.unit, kept or 0, bound,
                                       done is not None and done[2].optimal,
                                       done[2].seconds if done else 0.0)
        else:
            best, level_result = done[1], done[2]
        result.levels.append(level_result)
        solved.append(level)
        result.status = "planned"
        if not isinstance(level.expr, int):
            ctx.model.add(level.expr <= level_result.value)
        if level.name in PINNED and best is not None and any(p.narrows for p in lv[i + 1:]):
            # while the model is no harder than this level: later levels only add bounds
            left = opts.time_limit - (time.monotonic() - started)
            pin_terms(ctx, [level], best, opts, left / (len(lv) - i - 1) / 2)
    if best is not None and result.status == "planned":
        values = best
        result.plan = to_scenario(ctx, lambda e: evaluate(e, values))
    if result.plan is not None:
        _oracle(s, result)
    result.seconds = time.monotonic() - started
    return result


FEW_TERMS = 8  # a level that is a sum of at most this many terms is lowered term by term
PIN_TERMS = 12  # the most terms of a solved level whose floors are probed before narrowing
PINNED = ("timing",)  # the levels whose terms say how far instants are off: pinned before narrowing


def pin_terms(ctx: Context, levels: list[Level], best: list[int], opts: SolveOptions,
              seconds: float) -> None:
    """Raise the floors of the terms of levels already solved (timing: how far each stay and
    launch is off), so that narrowing sees where their budget must go.

    For each term the best plan has above its floor (the largest first, at most PIN_TERMS
    a level), a probe asks for a plan with that term one lower, every level so far still
    fixed. None proves the term at least its value in every plan; the term's domain starts
    there. When every such term is proven, the level's bound leaves the others nothing and
    presolve pins them all. Before the terms, the sums per group (_pin_groups): when one
    station's timing must take the whole budget, no stay or launch at the other can move."""
    deadline = time.monotonic() + seconds
    for level in levels:
        if level.name not in PINNED:
            continue
        _pin_groups(ctx, level, best, opts, deadline)
        live = [(var, w) for var, w in level.terms
                if best[var.index] > list(ctx.model.proto.variables[var.index].domain)[0]]
        live.sort(key=lambda vw: (-vw[1] * best[vw[0].index], vw[0].index))
        live = live[:PIN_TERMS]
        for i, (var, _) in enumerate(live):
            left = deadline - time.monotonic()
            if left < 0.2:
                return
            value = best[var.index]
            _, status, bound = _probe(ctx, var, [(var, value - 1)], opts, best, left / (len(live) - i))
            proto = ctx.model.proto.variables[var.index]
            domain = list(proto.domain)
            floor = value if status == cp_model.INFEASIBLE else (
                math.ceil(bound - 1e-6) if math.isfinite(bound) else domain[0])
            if len(domain) == 2 and domain[0] < floor <= value:
                proto.domain[0] = floor


def _pin_groups(ctx: Context, level: Level, best: list[int], opts: SolveOptions,
                deadline: float) -> None:
    """With the level's terms in more than one group (timing: one per station), the floor of
    each group's sum that the best plan has above zero: a probe for a plan with that sum one
    lower; none adds `sum >= its value`, and the other groups get only what is left."""
    if len(level.groups) < 2:
        return
    sums = []
    for group in level.groups:
        expr = sum(level.terms[i][1] * level.terms[i][0] for i in group)
        sums.append((expr, evaluate(expr, best)))
    live = [(expr, value) for expr, value in sums if value > span(ctx, expr)[0]]
    for i, (expr, value) in enumerate(live):
        left = deadline - time.monotonic()
        if left < 0.2:
            return
        _, status, _ = _probe(ctx, expr, [(expr, value - 1)], opts, best, left * 2 / 3 / (len(live) - i))
        if status == cp_model.INFEASIBLE:
            ctx.model.add(expr >= value)


def narrow_instants(ctx: Context, best: list[int], seed: int, seconds: float = 5.0) -> None:
    """Narrow the domains of the instants to what the levels fixed so far allow.

    CP-SAT's presolve of the model as it stands (every level bound added, no objective, all
    feasible solutions kept) says how far each launch, stay and undock can still move; the
    next level is then built on those domains, so that it can name which of two flights docks
    first (objective.span). The domains only lose values no feasible plan uses, so no plan is
    lost; the incumbent must lie inside them, else nothing is narrowed.
    """
    copy = ctx.model.clone()
    copy.clear_objective()
    copy.clear_hints()
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.num_workers = 1
    p.random_seed = seed
    p.max_time_in_seconds = seconds
    p.stop_after_presolve = True
    p.keep_all_feasible_solutions_in_presolve = True
    p.fill_tightened_domains_in_response = True
    p.cp_model_probing_level = 0
    solver.solve(copy)
    tight = solver.response_proto.tightened_variables
    if len(tight) != len(ctx.model.proto.variables):
        return
    narrowed = []
    for t in ctx.v.times.values():
        for var in (t.launch_steps, t.stay_steps, t.undock_steps):
            if var is None or not tight[var.index].domain:
                continue
            proto = ctx.model.proto.variables[var.index]
            d, old = list(tight[var.index].domain), list(proto.domain)  # repeated fields: list them
            lo, hi = max(d[0], old[0]), min(d[-1], old[-1])
            if not lo <= best[var.index] <= hi:
                return  # not what was promised: keep every domain as it was
            if len(old) == 2:  # an interval, as new_int_var makes them
                narrowed.append((proto, lo, hi))
    for proto, lo, hi in narrowed:
        proto.domain[0], proto.domain[1] = lo, hi


def _extend(ctx: Context, best: list[int], seed: int) -> list[int] | None:
    """The incumbent with values for variables added since (a level built later)."""
    model = ctx.model
    fixed = {model.get_int_var_from_proto_index(k): v for k, v in enumerate(best)}
    return complete_hint(ctx, fixed, 5.0, seed)


def _warm_hint(ctx: Context, opts: SolveOptions, now: datetime | None, reference: Reference | None,
               started: float) -> list[int] | None:
    """A first plan for the full model: the greedy plan when the model accepts it (it breaks no
    rule and flies full crews), else the rolling chunk-by-chunk plan (warm.py)."""
    from mixedcrew.plan.greedy import greedy_plan

    greedy = greedy_plan(ctx.s, ctx.scope.horizon, now=now)
    full = complete_hint(ctx, hint_from_plan(ctx, greedy), opts.time_limit * 0.05, opts.seed)
    if full is not None:
        return full
    budget = opts.time_limit * 0.4 - (time.monotonic() - started)
    rolled = rolling_plan(ctx.s, ctx.scope.horizon, now, reference, opts, budget)
    if rolled is None:
        return None
    return complete_hint(ctx, hint_from_plan(ctx, rolled), opts.time_limit * 0.05, opts.seed)


def _solve_level(ctx: Context, level: Level, opts: SolveOptions, seconds: float,
                 hint: list[int] | None, started: float) -> tuple[Any, list[int] | None, LevelResult] | None:
    """Minimise one level from the hint; if that leaves a gap, lower and bound it by probes.

    The minimisation gets half the level's time (a quarter for a level that is a sum of a
    few terms), and ends early when it proves its optimum. Then, for such a level, each term
    in turn is asked to come down by one with the others held (lowering the best), and then
    alone (no plan proves the term's floor; the floors' sum bounds the level). Last, probes
    ask for a plan at least max(1, 1% of the value) better than the best, with the solver's
    richer relaxation: none proves the best optimal (or within 1%); one found becomes the
    best. Returns (status, every variable's value or None, result), or None when nothing was
    found in time.
    """
    model = ctx.model
    model.clear_hints()
    if hint is not None:
        for k, value in enumerate(hint):
            model.add_hint(model.get_int_var_from_proto_index(k), value)
    model.minimize(level.expr)
    t0 = time.monotonic()
    deadline = t0 + seconds
    few = 0 < len(level.terms) <= FEW_TERMS
    first = seconds if isinstance(level.expr, int) else seconds / (4 if few else 2)
    solver = solver_for(opts, first)
    watch = _Watch(level.name, opts.progress, started) if opts.progress else None
    status = solver.solve(model, watch) if watch else solver.solve(model)
    if status == cp_model.INFEASIBLE:
        return status, None, LevelResult(level.name, level.unit, 0, 0, False, time.monotonic() - t0)
    values = None
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        values = [solver.value(model.get_int_var_from_proto_index(k))
                  for k in range(len(model.proto.variables))]
        bound = solver.best_objective_bound
    elif hint is not None and len(hint) == len(model.proto.variables):
        values, bound = hint, solver.best_objective_bound  # the incumbent still holds
    if values is None:
        return None
    value = evaluate(level.expr, values)
    optimal = status == cp_model.OPTIMAL
    if not optimal and few:
        values, bound = _by_terms(ctx, level, opts, values, bound, t0 + seconds * 3 / 4)
        value = evaluate(level.expr, values)
        optimal = bound >= value
    while not optimal and deadline - time.monotonic() > 0.2:
        cap = value - max(1, value // 100)
        if cap < bound:
            optimal = True  # nothing better exists
            break
        found, probe, probe_bound = _probe(ctx, level.expr, [(level.expr, cap)], opts, values,
                                           deadline - time.monotonic(), richer=True)
        if probe == cp_model.INFEASIBLE:
            bound = max(bound, cap + 1)
            optimal = cap + 1 >= value
            break
        if found is None:
            break  # neither a better plan nor a proof in the time left
        values = found
        value = evaluate(level.expr, values)
        bound = max(bound, probe_bound)
        optimal = probe == cp_model.OPTIMAL or value <= bound
    result = LevelResult(level.name, level.unit, value, bound if not optimal else value, optimal,
                         time.monotonic() - t0)
    if opts.progress:
        opts.progress(level.name, time.monotonic() - started, value, result.bound)
    return cp_model.OPTIMAL if optimal else cp_model.FEASIBLE, values, result


def _by_terms(ctx: Context, level: Level, opts: SolveOptions, values: list[int], bound: float,
              deadline: float) -> tuple[list[int], float]:
    """Lower a sum of a few terms one term at a time, then bound each term alone.

    Lowering: a term one below its value with every other term held at its own; a plan found
    is a better one. Bounding: a term one below its value with the others free; none means
    no plan has the term lower, so its value is its floor. Returns the best plan's values and
    the level's bound: the larger of the solver's and the sum of the terms' floors."""
    terms = list(level.terms)
    floor = {var.index: list(ctx.model.proto.variables[var.index].domain)[0] for var, _ in terms}

    def now(var: Any) -> int:
        return values[var.index]

    lowered = True
    while lowered:
        lowered = False
        for var, _ in terms:
            left = deadline - time.monotonic()
            if now(var) <= floor[var.index] or left < 0.2:
                continue
            caps = [(var, now(var) - 1)] + [(o, now(o)) for o, _ in terms if o is not var]
            found, _, _ = _probe(ctx, level.expr, caps, opts, values, left / (2 * len(terms)))
            if found is not None:
                values, lowered = found, True
    for i, (var, _) in enumerate(terms):
        left = deadline - time.monotonic()
        if now(var) <= floor[var.index] or left < 0.2:
            continue
        found, status, term_bound = _probe(ctx, var, [(var, now(var) - 1)], opts, values,
                                           left / (len(terms) - i))
        if status == cp_model.INFEASIBLE:
            floor[var.index] = now(var)
        else:
            if math.isfinite(term_bound):
                floor[var.index] = max(floor[var.index], math.ceil(term_bound - 1e-6))
            if found is not None and evaluate(level.expr, found) < evaluate(level.expr, values):
                values = found
    offset = cp_model_helper.FlatIntExpr(level.expr).offset
    return values, max(bound, offset + sum(w * floor[var.index] for var, w in terms))


def _probe(ctx: Context, objective: Any, caps: list[tuple[Any, int]], opts: SolveOptions,
           hint: list[int], seconds: float, richer: bool = False
           ) -> tuple[list[int] | None, Any, float]:
    """Minimise `objective` on a copy of the model where each capped expression is at most its
    cap, from the hint: (every variable's value or None, status, the solver's bound).

    An optimum there is the optimum of everything under the caps; when the objective is itself
    capped, its bound is a bound of it outside the copy too (anything else is above the cap).
    `richer`: CP-SAT's richer relaxation (linearization level 2)."""
    copy = ctx.model.clone()

    def there(expr: Any) -> Any:
        flat = cp_model_helper.FlatIntExpr(expr)
        return sum((c * copy.get_int_var_from_proto_index(v.index)
                    for v, c in zip(flat.vars, flat.coeffs, strict=True)), flat.offset)

    for expr, cap in caps:
        copy.add(there(expr) <= cap)
    copy.minimize(there(objective))
    copy.clear_hints()
    for k, value in enumerate(hint):
        copy.add_hint(copy.get_int_var_from_proto_index(k), value)
    # one worker: probes are short and sequential; and OR-Tools 9.15's interleaved workers
    # abort on some of these copies ("Check failed: heuristics.fixed_search != nullptr")
    solver = solver_for(replace(opts, workers=1), seconds)
    if richer:
        solver.parameters.linearization_level = 2
    status = solver.solve(copy)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, status, float("-inf") if status != cp_model.INFEASIBLE else float("inf")
    values = [solver.value(copy.get_int_var_from_proto_index(k)) for k in range(len(hint))]
    return values, status, solver.best_objective_bound


def _oracle(original: Scenario, result: PlanResult) -> None:
    """Check the plan. A violation is new unless the input's fixed data already had it or it
    began by the instant planning starts (history, or what an event broke at once)."""
    assert result.plan is not None
    result.report = check(result.plan)
    before = {(v.rule, v.start) for v in check(original).violations}
    scope = result.scope
    now = None if scope.now is None else scope.instant(scope.now)
    result.new_violations = [v for v in result.report.violations if (v.rule, v.start) not in before
                             and (now is None or v.start > now)]


def plan_levels(s: Scenario, plan: Scenario, until: datetime | None = None, *, seed: int = 0,
                seconds: float = 10.0) -> list[tuple[str, str, int]] | None:
    """(level, unit, value) of a given plan of s, counted exactly as the planner counts its own
    (the same model and objective expressions, with the plan's decisions fixed), or None if the
    plan breaks a rule of the model (a checker rule, or one where the planner is stricter)."""
    ctx = build(make_scope(s, until))
    lv = levels(ctx)
    full = complete_hint(ctx, hint_from_plan(ctx, plan), seconds, seed)
    if full is None:
        return None
    return [(x.name, x.unit, evaluate(x.expr, full)) for x in lv]
