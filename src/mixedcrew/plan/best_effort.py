"""Best effort: when no plan keeps every rule, the plan that breaks the fewest, for the shortest time.

Built on the explanation model (explain.py): every rule family is enforced
for each subject only under its guard literal. Here the physical rules stay
hard (their guards are fixed true: ORDER, SEATS, PORTS), and the solver
chooses which of the other guards to give up. Lexicographically:

1. the weighted count of facts given up (WEIGHTS, per rule; docs/plan.md
   lists them); changed assignments only break ties in this first search;
2. with those facts given up and every other held, the weighted time they
   stay broken: each fact's broken hours (spans.py) times its rule's
   weight, so that a plan breaking a rule for 2 days wins over one breaking
   it for 60 (this step may change more assignments to save broken time);
3. with both kept, the fewest changed assignments (each weighing as ten days
   of moved instants), how far launches and undockings move from the
   previous plan (re-plans) and how far stays are off their targets.

Count first, not weight x (1 + days): a fact given up is a decision someone
must sign (a waiver, a crew kept up past its vehicle's limit), and the
weights rank those decisions by safety; priced by the day, a short lifeboat
shortfall (100 a fact) would win over a seat ledger left out of balance for
months (5 a fact), which is the wrong trade. The checker, the oracle, then
lists every violation that remains with its span and sentence.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

from ortools.sat.python import cp_model

from mixedcrew.check import check
from mixedcrew.domain import Scenario
from mixedcrew.plan.context import Context, Guard
from mixedcrew.plan.extract import to_scenario
from mixedcrew.plan.hints import evaluate
from mixedcrew.plan.model import build
from mixedcrew.plan.result import Clock, Fact, PlanResult, SolveOptions, Status
from mixedcrew.plan.scope import Reference, make_scope
from mixedcrew.plan.tactics import solver_for
from mixedcrew.plan.variables import Expr

HARD = ("ORDER", "SEATS", "PORTS")
# Per fact given up (a rule for one subject). Safety first: a segment without its operator or
# people without a lifeboat seat cost most; flying a grounded vehicle is next to physical.
WEIGHTS: dict[str, int] = {
    "GROUNDED": 1000,
    "COVERAGE": 100,
    "LIFEBOAT": 100,
    "DOCKED_LIMIT": 50,
    "COMMANDER": 20,
    "CAPACITY": 10,
    "AVAILABLE": 10,
    "CERT": 10,
    "TRAINED": 10,
    "EXCHANGE": 5,
    "CREW": 1,
}
DEFAULT_WEIGHT = 10
FIND_SHARE = 0.6  # of the time left: the search for the cheapest plan; the rest shortens and tightens it
SHORTEN_SHARE = 0.5  # of what is left then: shortening the broken spans; the rest tightens the plan


@dataclass
class BestEffort:
    """A plan that may break rules: the facts it gives up, and the checker's report of it."""

    result: PlanResult
    broken: list[Fact] = field(default_factory=list)
    cost: int = 0
    hours: dict[tuple[str, str], int] = field(default_factory=dict)  # broken hours of each fact
    weighted_hours: int | None = None  # step 2's objective; None when it found no plan in time
    found: list[int] = field(default_factory=list, repr=False)  # step 1's values: a later start

    @property
    def rank(self) -> tuple[int, float]:
        """What best effort minimises, in order: weighted count, then weighted broken time."""
        return self.cost, float("inf") if self.weighted_hours is None else self.weighted_hours

    @property
    def plan(self) -> Scenario | None:
        return self.result.plan

    def as_json(self) -> dict[str, object]:
        data = self.result.as_json()
        data["best_effort"] = True
        data["facts_given_up"] = [f.as_json() | {"weight": weight(f.rule)} | (
            {"days_broken": round(self.hours[f.rule, f.subject] / 24, 1)}
            if (f.rule, f.subject) in self.hours else {}) for f in self.broken]
        data["cost"] = self.cost
        data["weighted_days"] = (None if self.weighted_hours is None
                                 else round(self.weighted_hours / 24, 1))
        return data


def best_effort_plan(s: Scenario, until: datetime | None = None, options: SolveOptions | None = None, *,
                     now: datetime | None = None, reference: Reference | None = None,
                     previous: Scenario | None = None, focus: tuple[Fact, ...] = (),
                     clock: Clock | None = None) -> BestEffort:
    """The plan breaking the fewest weighted facts (ORDER, SEATS and PORTS kept), then the least
    changed and moved; status "infeasible" only when the physical rules alone clash.

    previous: the plan before the events (a re-plan): the search starts from it, and among
    plans of the same cost the one with the fewest changed assignments wins.
    focus: the facts an explanation proved to conflict. First only they may be given up, every
    other rule held (a model little harder than planning, so it answers fast). That plan is kept
    when it gives up only the focus's cheapest fact (no plan can do better); otherwise every rule
    but the physical ones may be given up, and the cheaper of the two plans is returned.
    clock: the time left of the whole answer (`plan --best-effort` and `replan --best-effort`
    pass the one their full-plan attempt ran on); every solver call here gets at most what it
    has left. Default: options.time_limit from now."""
    opts = options or SolveOptions()
    clock = Clock(opts.time_limit) if clock is None else clock
    started = time.monotonic()
    if not focus:
        return _best_effort(s, until, opts, now, reference, previous, None, started, clock)
    first = _best_effort(s, until, opts, now, reference, previous,
                         {(f.rule, f.subject) for f in focus}, started, clock.part(0.5))
    if first.plan is not None and first.cost <= min(weight(f.rule) for f in focus):
        # the focus is a proven conflict, so every plan gives up one of its facts at least:
        # giving up only its cheapest one is the best any plan can do
        return first
    # Otherwise a plan giving up other, cheaper facts may exist (the explanation names one
    # conflict; keeping its costly facts may clash with rules outside it): search every rule
    # on what the clock has left, and keep the focused plan if that finds nothing cheaper.
    # Only a strictly cheaper plan can replace it, so that search is asked for one below its
    # cost, from its values (the same model with fewer facts held): proving there is none is
    # much faster than finding the best again (the 2027 grounding on the whole forward
    # scenario: 10.8 s of 27 s in this step, and no second shortening and tightening).
    below = None if first.plan is None else (first.cost - 1, first.found)
    every = _best_effort(s, until, opts, now, reference, previous, None, started, clock, below)
    if first.plan is not None and (every.plan is None or every.rank >= first.rank):
        return first
    return every


def weight(rule: str) -> int:
    """What giving up one fact of `rule` costs a best-effort plan (WEIGHTS, DEFAULT_WEIGHT)."""
    return WEIGHTS.get(rule, DEFAULT_WEIGHT)


def _best_effort(s: Scenario, until: datetime | None, opts: SolveOptions, now: datetime | None,
                 reference: Reference | None, previous: Scenario | None,
                 focus: set[tuple[str, str]] | None, started: float, clock: Clock,
                 below: tuple[int, list[int]] | None = None) -> BestEffort:
    """One best-effort search; `below`: (the most it may cost, a start's values), for a search
    that only a cheaper plan than one already found can end well."""
    from mixedcrew.plan.objective import disruption

    scope = make_scope(s, until, now=now, reference=reference, explain=True)
    ctx = build(scope, explain=True)
    model = ctx.model
    soft = []
    for g in ctx.guards.values():
        if g.rule in HARD or (focus is not None and (g.rule, g.subject) not in focus):
            model.add(g.literal == 1)
        else:
            soft.append(g)
    cost = sum(weight(g.rule) * (1 - g.literal) for g in soft)
    _hint(ctx, previous, soft)
    # lexicographic in one objective: a fact given up outweighs every change of assignment
    changed = disruption(ctx)
    if below is not None:
        model.add(cost <= below[0])
        model.clear_hints()
        for k, v in enumerate(below[1][:len(model.proto.variables)]):
            model.add_hint(model.get_int_var_from_proto_index(k), v)
    scale = 1 + len(ctx.scope.returns) + sum(len(v) for v in (reference.riders.values() if reference else []))
    model.minimize(scale * cost + changed)
    # most of the time left finds the cheapest plan; the rest moves it least (_tighten)
    solver = solver_for(opts, clock.share(FIND_SHARE))
    status = solver.solve(model)
    if status == cp_model.INFEASIBLE:
        return BestEffort(PlanResult(Status.INFEASIBLE, None, scope,
                                     seconds=time.monotonic() - started))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return BestEffort(PlanResult(Status.UNKNOWN, None, scope, seconds=time.monotonic() - started))
    values = _values(solver, model)
    found = values
    best_cost = evaluate(cost, values)
    model.add(cost <= best_cost)
    values, hours, spans = _shorten(ctx, soft, values, opts, clock.share(SHORTEN_SHARE))
    weighted = None
    if spans is not None:
        weighted = evaluate(spans, values)
        model.add(spans <= weighted)
    values = _tighten(ctx, values, opts, clock.left())
    plan = to_scenario(ctx, lambda e: evaluate(e, values))
    result = PlanResult(Status.PLANNED, plan, scope, report=check(plan),
                        seconds=time.monotonic() - started)
    broken = [g for g in soft if not evaluate(g.literal, values)]
    return BestEffort(result, [Fact(g.rule, g.subject, g.sentence) for g in broken], best_cost,
                      {(g.rule, g.subject): evaluate(hours[g.rule, g.subject], values)
                       for g in broken if (g.rule, g.subject) in hours and spans is not None},
                      weighted, found)


def _hint(ctx: Context, previous: Scenario | None, soft: list[Guard]) -> None:
    """Start from the previous plan, every soft rule kept (CP-SAT repairs what no longer fits)."""
    from mixedcrew.plan.hints import hint_from_plan

    model = ctx.model
    model.clear_hints()
    for g in soft:
        model.add_hint(g.literal, True)
    if previous is not None:
        for var, value in hint_from_plan(ctx, previous).items():
            model.add_hint(var, value)


def _values(solver: cp_model.CpSolver, model: cp_model.CpModel) -> list[int]:
    return [solver.value(model.get_int_var_from_proto_index(k)) for k in range(len(model.proto.variables))]


def _shorten(ctx: Context, soft: list[Guard], values: list[int], opts: SolveOptions, seconds: float
             ) -> tuple[list[int], dict[tuple[str, str], Expr], Expr | None]:
    """With the facts the cheapest plan gave up still given up and every other fact held, the
    plan whose facts stay broken for the fewest weighted hours: (every variable's value, each
    fact's broken hours, their weighted sum, or None when no plan came back in time and the
    first one stands).

    The set is held because the measures are not alike (spans.py: a fact with no span of its
    own counts one day): with the set free, a plan could trade a ledger out of balance for
    months for a quota missed on one flight, "one day", at the same count."""
    from mixedcrew.plan.spans import broken_hours

    model = ctx.model
    hours: dict[tuple[str, str], Expr] = {}
    for g in soft:
        if evaluate(g.literal, values):
            model.add(g.literal == 1)
        else:
            hours[g.rule, g.subject] = broken_hours(ctx, g)
    spans = sum(weight(rule) * h for (rule, _), h in hours.items())
    values = values + [0] * (len(model.proto.variables) - len(values))  # the spans' own: a hint
    if isinstance(spans, int):
        return values, hours, spans
    model.clear_hints()
    for k, v in enumerate(values):
        model.add_hint(model.get_int_var_from_proto_index(k), v)
    model.minimize(spans)
    solver = solver_for(opts, seconds)
    if solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _values(solver, model), hours, spans
    return values, hours, None


def _tighten(ctx: Context, values: list[int], opts: SolveOptions, seconds: float) -> list[int]:
    """Keep the cost and the broken time (bounds in the model); minimise movement from the
    previous plan and days off target."""
    from mixedcrew.plan.objective import disruption, movement, timing

    if seconds < 0.5:
        return values
    model = ctx.model
    # a changed assignment weighs as ten days of moved instants
    terms = [x for x in (10 * 86400 * disruption(ctx), movement(ctx), timing(ctx)[0])
             if not isinstance(x, int)]
    if not terms:
        return values
    model.clear_hints()
    for k, v in enumerate(values):
        model.add_hint(model.get_int_var_from_proto_index(k), v)
    model.minimize(sum(terms))
    solver = solver_for(opts, seconds)
    if solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _values(solver, model)
    return values


def describe(done: BestEffort) -> list[str]:
    """The plain words a best-effort plan comes with."""
    from mixedcrew.plan.spans import has_span

    said = "" if done.weighted_hours is None else f", {_days(done.weighted_hours)} weighted days broken"
    lines = ["BEST-EFFORT PLAN: no plan keeps every rule; this one breaks the fewest, for the "
             f"shortest time (weighted cost {done.cost}{said}; ORDER, SEATS and PORTS kept)."]
    for f in done.broken:
        hours = done.hours.get((f.rule, f.subject))
        # no span where none was measured: a break between two day samples measures 0, and
        # "for 0 days" would say it holds (the checker's lines below give its real span)
        span = (f" (for {_days(hours)} day{'' if hours == 24 else 's'})"
                if hours and has_span(f.rule, f.subject) else "")
        lines.append(f"  gives up {f.rule:<12} {f.sentence}{span}")
    report = done.result.report
    if report is not None:
        scope = done.result.scope
        now = None if scope.now is None else scope.instant(scope.now)
        new = [v for v in report.violations if now is None or v.end > now]
        old = len(report.violations) - len(new)
        lines.append(f"the checker finds {len(new)} violation(s) in it"
                     + (f" from {now:%Y-%m-%d} on (and {old} in the history before)" if now else "") + ":")
        lines += [f"  {v.rule:<12} {v.start:%Y-%m-%d} .. {v.end:%Y-%m-%d}  {v.message}" for v in new]
    return lines


def _days(hours: int) -> str:
    return f"{hours // 24:,}" if hours % 24 == 0 else f"{hours / 24:,.1f}"
