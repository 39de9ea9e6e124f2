"""Why no plan exists, in domain words.

The explanation model is the planning model with every constraint family
enforced only under its guard: one assumption literal per rule family and
subject (a flight, an agency and vehicle type, a person, a station, an
agreement, an event). Stays may run past docked limits, so that docked
limits are facts the solver can drop. Candidates are the people who could
fly each flight (available in its window, trained on some vehicle by
then: scope.py), with their missing training or certification as facts:
a fact about a person is there only if changing it could help.

The solver's sufficient assumptions give a conflicting set; a deletion
pass shrinks it inside the time given. When every deletion was decided
the set is minimal (dropping any fact makes the rest satisfiable);
otherwise the explanation says it is not proven minimal and lists the
facts by relevance (flights, agreements and stations before people).
"""

from __future__ import annotations

import time

from ortools.sat.python import cp_model

from mixedcrew.plan.constraints import FAMILIES
from mixedcrew.plan.context import Context, Guard
from mixedcrew.plan.model import build
from mixedcrew.plan.result import Explanation, Fact
from mixedcrew.plan.scope import Scope, make_scope

PLANNING_RULES = {"CREW", "HANDOVER", "MIN_ABOARD"}  # the planner's own, not the checker's
PERSON_RULES = {"TRAINED", "AVAILABLE"}  # facts about one person: the least relevant
FIRST_SHARE = 0.25  # of the budget: the first test, all facts together
TEST_SECONDS = 2.0  # the most one deletion test may take


def _solver(seconds: float, seed: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = max(seconds, 0.05)
    solver.parameters.cp_model_probing_level = 0  # as when planning: probing costs more than it finds
    return solver


def _test(ctx: Context, guards: list[Guard], seconds: float, seed: int
          ) -> tuple[cp_model.CpSolverStatus, list[int]]:
    """The solver's status with these guards on, and its core if infeasible."""
    ctx.model.clear_assumptions()
    ctx.model.add_assumptions([g.literal for g in guards])
    solver = _solver(seconds, seed)
    status = solver.solve(ctx.model)
    if status != cp_model.INFEASIBLE:
        return status, []
    return status, list(solver.sufficient_assumptions_for_infeasibility())


def explain_infeasible(scope: Scope, seed: int = 0, budget: float = 20.0) -> Explanation:
    """Conflicting facts found within `budget` seconds (an empty explanation if none)."""
    started = time.monotonic()
    relaxed = make_scope(scope.scenario, scope.horizon,
                         now=None if scope.now is None else scope.instant(scope.now),
                         reference=scope.reference, explain=True)
    ctx = build(relaxed, explain=True)
    guards = list(ctx.guards.values())
    by_index = {g.literal.index: g for g in guards}
    # the checker's rules first: the planner's own CREW rule only if they alone do not clash
    rules_only = [g for g in guards if g.rule not in PLANNING_RULES]
    core: list[int] = []
    for tier in (rules_only, guards):
        left = budget - (time.monotonic() - started)
        status, core = _test(ctx, tier, max(left * FIRST_SHARE, 1.0), seed)
        if status == cp_model.INFEASIBLE:
            break
    else:
        return Explanation(seconds=time.monotonic() - started)
    current, decided = _shrink(ctx, guards, [by_index[i] for i in core if i in by_index] or guards,
                               by_index, seed, budget, started)
    ctx.model.clear_assumptions()
    facts = [Fact(g.rule, g.subject, g.sentence) for g in current]
    return Explanation(tuple(_ordered(facts, decided)), minimal=decided, proven=True,
                       seconds=time.monotonic() - started)


def _shrink(ctx: Context, guards: list[Guard], current: list[Guard], by_index: dict[int, Guard],
            seed: int, budget: float, started: float) -> tuple[list[Guard], bool]:
    """Drop each fact whose removal leaves the rest impossible; (facts, every test decided)."""
    current = _drop_families(ctx, guards, current, by_index, seed, budget, started)
    decided = True
    i = 0
    while i < len(current):
        left = budget - (time.monotonic() - started)
        if left <= 0:
            return current, False
        trial = current[:i] + current[i + 1:]
        if not trial:  # one fact: with nothing enforced the model holds (it is built so)
            break
        status, core = _test(ctx, trial, min(TEST_SECONDS, left), seed)
        if status == cp_model.INFEASIBLE:
            smaller = [by_index[k] for k in core if k in by_index]
            current = smaller if smaller and len(smaller) < len(trial) else trial
            current = [g for g in guards if g in current]  # keep a stable order
            i = min(i, len(current))
        else:
            decided = decided and status in (cp_model.FEASIBLE, cp_model.OPTIMAL)
            i += 1
    return current, decided


def _drop_families(ctx: Context, guards: list[Guard], current: list[Guard], by_index: dict[int, Guard],
                   seed: int, budget: float, started: float) -> list[Guard]:
    """Drop whole rule families at once while the rest stays impossible, largest first.

    A first core often holds dozens of facts of one family that play no part (every
    cosmonaut untrained on Crew Dragon, when the clash is a grounding and a seat
    quota): one test drops them all, where fact-by-fact deletion needs one test each.
    """
    families: dict[str, int] = {}
    for g in current:
        families[g.rule] = families.get(g.rule, 0) + 1
    for rule in sorted((r for r, n in families.items() if n > 1), key=lambda r: -families[r]):
        left = budget - (time.monotonic() - started)
        if left <= 0:
            break
        trial = [g for g in current if g.rule != rule]
        status, core = _test(ctx, trial, min(TEST_SECONDS, left), seed)
        if status == cp_model.INFEASIBLE:
            smaller = [by_index[k] for k in core if k in by_index]
            kept = smaller if smaller and len(smaller) < len(trial) else trial
            current = [g for g in guards if g in kept]
    return current


def _ordered(facts: list[Fact], minimal: bool) -> list[Fact]:
    """In the rule families' order; when not minimal, facts about one person last."""
    order = [rule for rule, _ in FAMILIES]

    def key(f: Fact) -> tuple[int, int, str]:
        family = order.index(f.rule) if f.rule in order else len(order)
        return (0 if minimal or f.rule not in PERSON_RULES else 1, family, f.subject)

    return sorted(facts, key=key)
