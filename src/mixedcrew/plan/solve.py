"""plan_scenario in a few named steps: scope, model, starting plan, levels, answer.

1. scope: what the planner decides (scope.py);
2. model: every rule's constraint family (model.py);
3. starting plan: greedy's, else for more than WARM_ABOVE (24) open flights the rolling
   plan (warm.py);
4. levels, solved lexicographically inside the time left (search.py);
5. the answer: the plan checked by the oracle, or, when no plan came back,
   an explanation (explain.py) with the time left: a proof that none
   exists; when that is undecided too and time is still left, the search
   again with all of it; else a plain "not proven impossible" saying what
   was tried.

One Clock carries the time limit through every step, so `time_limit`
bounds the whole answer (give or take a completion of a hint or a last
solver call, a few seconds).

Determinism: the solver runs with a fixed random seed and, by default,
interleaved search, whose workers take turns in a fixed order; the same
scenario, seed and worker count give the same plan when every level ends
by proving its optimum (or proving it cannot improve). A wall-clock limit
that stops a level early makes the plan depend on the machine's speed:
`work_limit` (the solver's deterministic time) stops it at the same point
on every machine instead.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from mixedcrew.check import check
from mixedcrew.domain import Scenario
from mixedcrew.plan.context import Context
from mixedcrew.plan.explain import explain_infeasible
from mixedcrew.plan.extract import to_scenario
from mixedcrew.plan.hints import complete_hint, evaluate, hint_from_plan
from mixedcrew.plan.model import build
from mixedcrew.plan.objective import levels, pending_levels
from mixedcrew.plan.result import Clock, Explanation, PlanResult, SolveOptions, Status
from mixedcrew.plan.scope import Reference, Scope, make_scope
from mixedcrew.plan.search import Outcome, solve_levels
from mixedcrew.plan.warm import starting_plan
from mixedcrew.rules import Violation

EXPLAIN_AT_LEAST = 2.0  # seconds an explanation gets even when the limit is spent (a few)
RESUME_AT_LEAST = 1.0  # seconds left after an undecided explanation worth searching again


def plan_scenario(s: Scenario, until: datetime | None = None, options: SolveOptions | None = None, *,
                  now: datetime | None = None, reference: Reference | None = None,
                  explain: bool = True, warm_start: bool = True,
                  clock: Clock | None = None) -> PlanResult:
    """Fill the scenario's open parts; on infeasibility, explain why (explain.py).

    warm_start: start from greedy's plan where the model accepts it, else, for more than
    WARM_ABOVE open flights, from the rolling plan (warm.py).
    clock: the time left of a longer answer this is one step of (plan --best-effort keeps
    the rest of its --time-limit for the best effort); default: options.time_limit from now.
    """
    opts = options or SolveOptions()
    clock = Clock(opts.time_limit) if clock is None else clock
    scope = make_scope(s, until, now=now, reference=reference)
    if not scope.planned and not scope.partial and not scope.returns:
        return PlanResult(Status.NOTHING, s, scope, report=check(s))
    ctx = build(scope)
    start = None
    if warm_start and scope.planned:
        start = starting_plan(ctx, opts, clock, now, reference)
    warmed = clock.elapsed()
    outcome = solve_levels(ctx, pending_levels(ctx), opts, clock, start)
    if outcome.status is not Status.PLANNED or outcome.values is None:
        answer = _no_plan(scope, ctx, outcome, opts, clock, explain, warmed)
        if answer.status is not Status.UNKNOWN or clock.left() < RESUME_AT_LEAST:
            return answer
        # neither a plan nor a proof, and time left: search again with all of it
        again = solve_levels(ctx, pending_levels(ctx), opts, clock, None)
        if again.status is not Status.PLANNED or again.values is None:
            tried = (*answer.tried, f"searched again for {again.searched:.1f} s")
            return replace(answer, tried=tried, seconds=clock.elapsed())
        outcome = again
    return _answer(s, scope, ctx, outcome, clock)


def _answer(s: Scenario, scope: Scope, ctx: Context, outcome: Outcome, clock: Clock) -> PlanResult:
    """The plan, checked by the oracle."""
    values = outcome.values
    assert values is not None
    plan = to_scenario(ctx, lambda e: evaluate(e, values))
    report = check(plan)
    tried = (f"levels not reached in the time limit: {', '.join(outcome.not_reached)}",
             ) if outcome.not_reached else ()
    return PlanResult(Status.PLANNED, plan, scope, outcome.levels, report=report,
                      new_violations=tuple(new_violations(s, scope, report.violations)),
                      preexisting=tuple(dict.fromkeys(ctx.preexisting)), seconds=clock.elapsed(),
                      tried=tried)


def _no_plan(scope: Scope, ctx: Context, outcome: Outcome, opts: SolveOptions, clock: Clock,
             explain: bool, warmed: float) -> PlanResult:
    """No plan came back: with the time left, prove that none exists and say why. Without a
    proof, the answer is "unknown" and says what was tried, for how long."""
    tried = [f"looked for a starting plan for {warmed:.1f} s"] if warmed >= 0.05 else []
    tried.append(f"searched for a plan for {outcome.searched:.1f} s")
    explanation = Explanation()
    if explain and (outcome.status is Status.INFEASIBLE or clock.left() > 0.5):
        budget = max(clock.left(), EXPLAIN_AT_LEAST)
        explanation = explain_infeasible(scope, opts.seed, budget)
        tried.append(f"tried to prove it impossible for {explanation.seconds:.1f} s"
                     + ("" if explanation.proven else ": not proven"))
    proven = outcome.status is Status.INFEASIBLE or explanation.proven
    status = Status.INFEASIBLE if proven else Status.UNKNOWN
    return PlanResult(status, None, scope, outcome.levels, explanation,
                      preexisting=tuple(dict.fromkeys(ctx.preexisting)), seconds=clock.elapsed(),
                      tried=tuple(tried))


def new_violations(original: Scenario, scope: Scope, found: tuple[Violation, ...]) -> list[Violation]:
    """The plan's violations that are new: not in the input's fixed data, and not begun by the
    instant planning starts (history, or what an event broke at once)."""
    before = {(v.rule, v.start) for v in check(original).violations}
    now = None if scope.now is None else scope.instant(scope.now)
    return [v for v in found if (v.rule, v.start) not in before and (now is None or v.start > now)]


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
