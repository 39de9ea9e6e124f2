"""Search tactics for one objective level: bound by totals, minimise, lower term by term,
probe, pin, narrow.

Each tactic works on the planning model as the levels before it left it
(their values fixed as bounds) and on an incumbent (every variable's
value). They only ever keep a plan that the model accepts, and only ever
narrow what no plan uses, so the lexicographic optimum is never lost.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import replace

from ortools.sat.python import cp_model, cp_model_helper

from mixedcrew.plan.context import Context
from mixedcrew.plan.hints import evaluate
from mixedcrew.plan.objective import LARGE_MODEL, Level, span
from mixedcrew.plan.result import LevelResult, Progress, SolveOptions
from mixedcrew.plan.variables import Expr


def solver_for(opts: SolveOptions, seconds: float, portfolio: bool = False,
               variables: int = 0) -> cp_model.CpSolver:
    """A solver with the options' workers, seed and limits. `portfolio`: interleaved search on
    any number of workers (on one, CP-SAT's strategies take turns in a fixed order: still
    deterministic). `variables`: the model's size; above LARGE_MODEL, one pass of presolve."""
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.num_workers = max(1, opts.workers)
    p.random_seed = opts.seed
    p.max_time_in_seconds = max(seconds, 0.05)
    p.cp_model_probing_level = 0  # probing costs more than it gains on these models (tens of s)
    if variables > LARGE_MODEL:
        # one pass of presolve: a large model is presolved again at every call (a dozen a
        # plan), and the later passes find little there (80 flights: 0.43 s a call, timing
        # 0.72 s -> 0.47 s); on a small one they pay (the forward ISS: timing 1.4 s -> 2.1 s)
        p.max_presolve_iterations = 1
    if opts.work_limit is not None:
        p.max_deterministic_time = opts.work_limit
    if (opts.deterministic and opts.workers > 1) or (portfolio and opts.workers == 1):
        p.interleave_search = True
    return solver


class Watch(cp_model.CpSolverSolutionCallback):
    def __init__(self, level: str, progress: Progress, started: float):
        super().__init__()
        self.level, self.progress, self.started = level, progress, started

    def on_solution_callback(self) -> None:
        self.progress(self.level, time.monotonic() - self.started, self.objective_value,
                      self.best_objective_bound)


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
            # a plan with the term lower is all a probe needs to find (not its least value):
            # minimising it cost 1.7 s a probe on the 80-flight instance, for floors overlap
            # did not need
            _, status, bound = probe(ctx, 0, [(var, value - 1)], opts, best, left / (len(live) - i),
                                     relaxation=False)
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
        key = tuple(sorted(level.terms[i][0].index for i in group))
        expr = sum(level.terms[i][1] * level.terms[i][0] for i in group)
        sums.append((key, expr, evaluate(expr, best)))
    live = [(key, expr, value) for key, expr, value in sums
            if value > max(span(ctx, expr)[0], ctx.floors.get(key, -math.inf))]
    for i, (key, expr, value) in enumerate(live):
        left = deadline - time.monotonic()
        if left < 0.2:
            return
        _, status, _ = probe(ctx, expr, [(expr, value - 1)], opts, best, left * 2 / 3 / (len(live) - i))
        if status == cp_model.INFEASIBLE:
            ctx.model.add(expr >= value)
            ctx.floors[key] = value


def by_groups(ctx: Context, level: Level, opts: SolveOptions, values: list[int], bound: float,
              deadline: float) -> tuple[list[int], float]:
    """Bound a level whose terms fall in groups (timing: one per station) by the floors of
    the groups' sums: for each group the best plan has above its least value, a probe for a
    plan with that sum one lower, every level before still fixed. None proves the sum at its
    value in every plan (kept as a constraint, and in ctx.floors); else the probe's bound is
    the sum's floor. A sum of floors is a bound of the level; when it reaches the best plan's
    value, that plan is optimal, as on the large instances, where the minimisation keeps the
    starting plan and cannot raise its bound. A plan a probe finds that is better on the
    level becomes the best. Returns the best plan's values and the level's bound."""
    offset = 0 if isinstance(level.expr, int) else cp_model_helper.FlatIntExpr(level.expr).offset
    grouped = {i for group in level.groups for i in group}
    floors = sum(w * list(ctx.model.proto.variables[v.index].domain)[0]
                 for i, (v, w) in enumerate(level.terms) if i not in grouped)
    sums = []
    for group in level.groups:
        key = tuple(sorted(level.terms[i][0].index for i in group))
        expr = sum(level.terms[i][1] * level.terms[i][0] for i in group)
        sums.append((key, expr))
    for i, (key, expr) in enumerate(sums):
        value = evaluate(expr, values)
        least = max(span(ctx, expr)[0], ctx.floors.get(key, -math.inf))
        left = deadline - time.monotonic()
        if value <= least or left < 0.2:
            floors += min(value, least)
            continue
        found, status, found_bound = probe(ctx, expr, [(expr, value - 1)], opts, values,
                                           left / (len(sums) - i))
        if status == cp_model.INFEASIBLE:
            ctx.model.add(expr >= value)
            ctx.floors[key] = value
            floors += value
            continue
        floors += max(least, math.ceil(found_bound - 1e-6) if math.isfinite(found_bound) else least)
        if found is not None and evaluate(level.expr, found) < evaluate(level.expr, values):
            values = found
    return values, max(bound, offset + floors)


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


def solve_level(ctx: Context, level: Level, opts: SolveOptions, seconds: float,
                 hint: list[int] | None, started: float
                 ) -> tuple[cp_model.CpSolverStatus, list[int] | None, LevelResult] | None:
    """Minimise one level from the hint; if that leaves a gap, lower and bound it by probes.

    A portfolio level (fairness, a sum of maxima) is first bounded total by total (by_caps,
    CAPS_SHARE of its time); when that leaves a gap, the portfolio minimises from its best
    plan for a quarter of what is left, and the steps below get the rest. Any other level:
    the minimisation gets half the level's time (a quarter for a level that is a sum of a
    few terms), and ends early when it proves its optimum. Then, for such a level, each term
    in turn is asked to come down by one with the others held (lowering the best), and then
    alone (no plan proves the term's floor; the floors' sum bounds the level). Last, probes
    ask for a plan at least max(1, 1% of the value) better than the best, with the solver's
    richer relaxation: none proves the best optimal (or within 1%); one found becomes the
    best. Returns (status, every variable's value or None, result), or None when nothing was
    found in time.
    """
    t0 = time.monotonic()
    deadline = t0 + seconds
    few = 0 < len(level.terms) <= FEW_TERMS
    first = seconds if isinstance(level.expr, int) else seconds / (4 if few else 2)
    values = hint if hint is not None and len(hint) == len(ctx.model.proto.variables) else None
    bound, status = -math.inf, cp_model.UNKNOWN
    if level.portfolio and values is not None:
        values, bound = by_caps(ctx, level, opts, values, bound, t0 + seconds * CAPS_SHARE)
        # proven: nothing to minimise; else, of what is left, a quarter for the portfolio
        stages = [] if bound >= evaluate(level.expr, values) else [
            ((deadline - time.monotonic()) / 4, True)]
    else:
        stages = _stages(level, first, seconds)
    for part, portfolio in stages:
        status, found, stage_bound = _minimise(ctx, level, opts, part, values or hint, started,
                                               portfolio)
        if status == cp_model.INFEASIBLE:
            return status, None, LevelResult(level.name, level.unit, 0, 0, False,
                                             time.monotonic() - t0)
        values, bound = found or values, max(bound, stage_bound)
        if status == cp_model.OPTIMAL:
            break
    if values is None:
        return None
    value = evaluate(level.expr, values)
    optimal = status == cp_model.OPTIMAL or bound >= value
    # by_terms and by_groups until three quarters of the level's time, or, after by_caps, two
    # thirds of what is left then
    until = max(t0 + seconds * 3 / 4, time.monotonic() + (deadline - time.monotonic()) * 2 / 3)
    if not optimal and few:
        values, bound = by_terms(ctx, level, opts, values, bound, until)
        value = evaluate(level.expr, values)
        optimal = bound >= value
    if not optimal and level.groups:
        values, bound = by_groups(ctx, level, opts, values, bound, until)
        value = evaluate(level.expr, values)
        optimal = bound >= value
    while not optimal and deadline - time.monotonic() > 0.2:
        cap = value - max(1, value // 100)
        if cap < bound:
            optimal = True  # nothing better exists
            break
        found, probed, probe_bound = probe(ctx, level.expr, [(level.expr, cap)], opts, values,
                                           deadline - time.monotonic(), richer=True)
        if probed == cp_model.INFEASIBLE:
            bound = max(bound, cap + 1)
            optimal = cap + 1 >= value
            break
        if found is None:
            break  # neither a better plan nor a proof in the time left
        values = found
        value = evaluate(level.expr, values)
        bound = max(bound, probe_bound)
        optimal = probed == cp_model.OPTIMAL or value <= bound
    result = LevelResult(level.name, level.unit, value, bound if not optimal else value, optimal,
                         time.monotonic() - t0)
    if opts.progress:
        opts.progress(level.name, time.monotonic() - started, value, result.bound)
    return cp_model.OPTIMAL if optimal else cp_model.FEASIBLE, values, result


CAPS_SHARE = 0.8  # of a portfolio level's time: by_caps, before any minimisation
CAPS_VECTORS = 24  # the most vectors of caps by_caps probes for one total
CAPS_FIRST = 0.1  # of by_caps's time: a probe's first budget (doubled each round)


def by_caps(ctx: Context, level: Level, opts: SolveOptions, values: list[int], bound: float,
            deadline: float) -> tuple[list[int], float]:
    """A level that is w × a sum of maxima (fairness: each agency's busiest candidate), each
    with its floor as its domain's least value, bounded total by total from the floors' sum.

    For a total T below the best plan's, two kinds of probe: one for a plan with the sum at
    most T, by the default search, which finds such a plan fast where one exists; and one per
    vector of caps with that total (each maximum at most its cap: caps propagate to every
    person's count, a cap on the sum does not), by CP-SAT's portfolio, which proves these
    impossible fast where the default search does not. Every vector impossible, or the sum:
    so is T, and the next total is tried; a plan found at T is the optimum. The probes a
    round leaves undecided run again with twice the time (which kind answers first differs
    between instances; a minimisation between rounds cost the time the sum's probe needed on
    the 3-station instance, for a better plan on none). More than CAPS_VECTORS vectors
    ends it with what is proven. Returns the best plan's values and the level's bound; a
    proven bound is added to the model (it only states what every plan has), so that a
    minimisation after this stops there."""
    terms = level.terms
    weights = {w for _, w in terms}
    flat = None if isinstance(level.expr, int) else cp_model_helper.FlatIntExpr(level.expr)
    if not terms or len(weights) != 1 or flat is None or sorted(v.index for v in flat.vars) != sorted(
            v.index for v, _ in terms):
        return values, bound  # not w × a sum of the terms alone: the totals would not bound it
    w, offset = weights.pop(), flat.offset
    domains = [list(ctx.model.proto.variables[v.index].domain) for v, _ in terms]
    lo, hi = [d[0] for d in domains], [d[-1] for d in domains]
    plain = sum(var for var, _ in terms)  # the sum of the maxima, unweighted
    proven = sum(lo)
    first = max(0.2, CAPS_FIRST * (deadline - time.monotonic()))
    pending: list[tuple[int, ...] | None] | None = None  # the probes undecided at `proven`
    hard = 0.0
    while proven < evaluate(plain, values) and deadline - time.monotonic() >= 0.2:
        if pending is None:
            vectors = _cap_vectors(lo, hi, proven, [values[v.index] for v, _ in terms])
            if len(vectors) > CAPS_VECTORS:
                break
            # the sum's probe (None) first; at the floors' sum it is the one vector's question
            pending = ([None] if proven > sum(lo) else []) + vectors
            # nothing to take turns with: a second round would only start it again
            budget = first * (3 if len(pending) == 1 else 1)
        began = time.monotonic()
        found, pending = _round(ctx, opts, terms, plain, proven, pending, values, budget,
                                max(budget, hard), deadline)
        if found is not None:
            values = found
            break  # a plan at the least total
        if not pending:
            if proven == sum(lo):
                # how long the floors took to prove is how hard a question is on this model:
                # the sum's probe gets at least that (160 flights: 9.5 s, and the plan at the
                # next total is found in 5 s, where a tenth of the time, 4 s, finds nothing)
                hard = time.monotonic() - began
            proven, pending = proven + 1, None  # no plan has this total
            continue
        budget *= 2  # the undecided probes again, with twice the time
    if proven > sum(lo):
        ctx.model.add(level.expr >= offset + w * proven)
    return values, max(bound, offset + w * proven)


def _round(ctx: Context, opts: SolveOptions, terms: Sequence[tuple[cp_model.IntVar, int]],
           plain: Expr, total: int, pending: list[tuple[int, ...] | None], hint: list[int],
           budget: float, sum_budget: float, deadline: float
           ) -> tuple[list[int] | None, list[tuple[int, ...] | None]]:
    """One round of by_caps's probes at one total, each at most `budget` seconds (the sum's
    `sum_budget`): (a plan there, every variable's value, or None; the probes still
    undecided, None for the sum's, empty when the total is proven impossible)."""
    assert pending, "a round asks something"
    left_over: list[tuple[int, ...] | None] = []
    for i, caps in enumerate(pending):
        left = deadline - time.monotonic()
        if left < 0.2:
            return None, left_over + pending[i:]
        if caps is None:
            found, status, _ = probe(ctx, 0, [(plain, total)], opts, hint, min(sum_budget, left))
        else:
            found, status, _ = probe(ctx, 0, list(zip((v for v, _ in terms), caps, strict=True)),
                                     opts, hint, min(budget, left), portfolio=True)
        if found is not None:
            return found, left_over
        if status == cp_model.INFEASIBLE and caps is None:
            return None, []  # no plan has the sum this low
        if status != cp_model.INFEASIBLE:
            left_over.append(caps)
    if all(caps is None for caps in left_over):
        return None, []  # every vector impossible: so is the total, whatever the sum's probe
    return None, left_over


def _cap_vectors(lo: list[int], hi: list[int], total: int, now: list[int]) -> list[tuple[int, ...]]:
    """Every vector between lo and hi (each entry) summing to total, at most CAPS_VECTORS + 1
    of them: those that raise no entry above the best plan's (`now`) first, then the nearest
    to it."""
    out: list[tuple[int, ...]] = []

    def fill(i: int, left: int, acc: tuple[int, ...]) -> None:
        if len(out) > CAPS_VECTORS:
            return
        if i == len(lo) - 1:
            if lo[i] <= left <= hi[i]:
                out.append((*acc, left))
            return
        rest = sum(lo[i + 1:])
        for x in range(lo[i], min(hi[i], left - rest) + 1):
            fill(i + 1, left - x, (*acc, x))

    fill(0, total, ())
    out.sort(key=lambda caps: (sum(max(0, c - n) for c, n in zip(caps, now, strict=True)),
                               sum(abs(c - n) for c, n in zip(caps, now, strict=True)), caps))
    return out


def _stages(level: Level, first: float, seconds: float) -> list[tuple[float, bool]]:
    """(seconds, portfolio) of the minimisation calls: one default call; for a portfolio
    level (fairness), the default strategy for a sixth of the level's time, then the
    portfolio from the best plan so far for another sixth. Neither is the faster everywhere:
    on the 1-station 10-year instance the default proves the optimum in 2.4 s (the portfolio
    in 18 s); on the 2-station ones it finds no better plan in 15-30 s, and the portfolio
    proves the optimum in 0.5 s (5 years) and 2.7 s (10 years)."""
    if not level.portfolio:
        return [(first, False)]
    return [(seconds / 6, False), (seconds / 6, True)]


def _minimise(ctx: Context, level: Level, opts: SolveOptions, seconds: float,
              hint: list[int] | None, started: float, portfolio: bool
              ) -> tuple[cp_model.CpSolverStatus, list[int] | None, float]:
    """One solver call minimising the level from the hint: (status, every variable's value
    or None, the solver's bound)."""
    model = ctx.model
    model.clear_hints()
    if hint is not None:
        for k, value in enumerate(hint):
            model.add_hint(model.get_int_var_from_proto_index(k), value)
    model.minimize(level.expr)
    solver = solver_for(opts, seconds, portfolio, len(model.proto.variables))
    if level.no_lp and len(model.proto.variables) > LARGE_MODEL:
        solver.parameters.linearization_level = 0
    watch = Watch(level.name, opts.progress, started) if opts.progress else None
    status = solver.solve(model, watch) if watch else solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return status, None, solver.best_objective_bound
    values = [solver.value(model.get_int_var_from_proto_index(k))
              for k in range(len(model.proto.variables))]
    return status, values, solver.best_objective_bound


def by_terms(ctx: Context, level: Level, opts: SolveOptions, values: list[int], bound: float,
              deadline: float) -> tuple[list[int], float]:
    """Lower a sum of a few terms one term at a time, then bound each term alone.

    Lowering: a term one below its value with every other term held at its own; a plan found
    is a better one. Bounding: a term one below its value with the others free; none means
    no plan has the term lower, so its value is its floor. Returns the best plan's values and
    the level's bound: the larger of the solver's and the sum of the terms' floors."""
    terms = list(level.terms)
    floor = {var.index: list(ctx.model.proto.variables[var.index].domain)[0] for var, _ in terms}

    def now(var: cp_model.IntVar) -> int:
        return values[var.index]

    lowered = True
    while lowered:
        lowered = False
        for var, _ in terms:
            left = deadline - time.monotonic()
            if now(var) <= floor[var.index] or left < 0.2:
                continue
            caps = [(var, now(var) - 1)] + [(o, now(o)) for o, _ in terms if o is not var]
            found, _, _ = probe(ctx, level.expr, caps, opts, values, left / (2 * len(terms)))
            if found is not None:
                values, lowered = found, True
    for i, (var, _) in enumerate(terms):
        left = deadline - time.monotonic()
        if now(var) <= floor[var.index] or left < 0.2:
            continue
        found, status, term_bound = probe(ctx, var, [(var, now(var) - 1)], opts, values,
                                           left / (len(terms) - i))
        if status == cp_model.INFEASIBLE:
            floor[var.index] = now(var)
        else:
            if math.isfinite(term_bound):
                floor[var.index] = max(floor[var.index], math.ceil(term_bound - 1e-6))
            if found is not None and evaluate(level.expr, found) < evaluate(level.expr, values):
                values = found
    expr = level.expr
    offset = expr if isinstance(expr, int) else cp_model_helper.FlatIntExpr(expr).offset
    return values, max(bound, offset + sum(w * floor[var.index] for var, w in terms))


def probe(ctx: Context, objective: Expr, caps: Sequence[tuple[Expr, int]], opts: SolveOptions,
           hint: list[int], seconds: float, richer: bool = False, portfolio: bool = False,
           relaxation: bool = True) -> tuple[list[int] | None, cp_model.CpSolverStatus, float]:
    """Minimise `objective` on a copy of the model where each capped expression is at most its
    cap, from the hint: (every variable's value or None, status, the solver's bound).

    An optimum there is the optimum of everything under the caps; when the objective is itself
    capped, its bound is a bound of it outside the copy too (anything else is above the cap).
    `richer`: CP-SAT's richer relaxation (linearization level 2). `portfolio`: its strategies
    taking turns on the one worker (see solver_for). `relaxation=False`: none on a model above
    LARGE_MODEL variables (a term's floor in pin_terms: 1.05 s -> 0.39 s a probe, 80 flights)."""
    copy = ctx.model.clone()

    def there(expr: Expr) -> Expr:
        if isinstance(expr, int):
            return expr
        flat = cp_model_helper.FlatIntExpr(expr)
        return sum((c * copy.get_int_var_from_proto_index(v.index)
                    for v, c in zip(flat.vars, flat.coeffs, strict=True)), flat.offset)

    for expr, cap in caps:
        copy.add(there(expr) <= cap)
    copy.minimize(there(objective))
    copy.clear_hints()
    for k, value in enumerate(hint):
        copy.add_hint(copy.get_int_var_from_proto_index(k), value)
    # one worker: probes are short and sequential; and OR-Tools 9.15's interleaved search on
    # two workers aborted on one of these copies ("Check failed: heuristics.fixed_search !=
    # nullptr"). On one worker (`portfolio`, by_caps's vectors) no abort was seen: 360 probes
    # of 0.05-0.5 s with seeds 0-6 on three instances, and every benchmark run since.
    solver = solver_for(replace(opts, workers=1), seconds, portfolio, len(copy.proto.variables))
    if richer:
        solver.parameters.linearization_level = 2
    elif not relaxation and len(copy.proto.variables) > LARGE_MODEL:
        solver.parameters.linearization_level = 0
    status = solver.solve(copy)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, status, float("-inf") if status != cp_model.INFEASIBLE else float("inf")
    values = [solver.value(copy.get_int_var_from_proto_index(k)) for k in range(len(hint))]
    return values, status, solver.best_objective_bound


